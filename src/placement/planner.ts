import type { Resources } from '../kernel/resources.ts';
import { CapacityLedger } from './capacity-ledger.ts';
import { divide, shrink } from './division.ts';
import { CORDONED, EXCLUDED, OVERFLOW, withoutClusters } from './eligibility.ts';
import type { Message } from '../kernel/messages/index.ts';
import { PlacementPass } from './placement-pass.ts';
import type {
  ClusterCandidate,
  ComponentDemand,
  ComponentPlacement,
  ExcludedCluster,
  PlacementDecision,
  PlacementRequest,
} from './types.ts';

/**
 * Places one application. The same as `placeAll([req], clusters)[0]`.
 */
export function place(req: PlacementRequest, clusters: readonly ClusterCandidate[]): PlacementDecision {
  return placeAll([req], clusters)[0]!;
}

/**
 * Places many applications in one pass over one capacity ledger copied from the clusters' `free`: each decision sees
 * what the earlier ones took, so together they never overcommit a cluster. A request's own current replicas are
 * given back before its decision (they are counted in `free`), one component at a time, so no component can take
 * the room another component of the same application holds. Pure: the same input gives the same output, and the
 * inputs are not changed.
 */
export function placeAll(
  reqs: readonly PlacementRequest[],
  clusters: readonly ClusterCandidate[],
): PlacementDecision[] {
  const pass = new PlacementPass(clusters);
  const ledger = new CapacityLedger(pass.clusters.map((c) => c.free));
  return reqs.map((req) => decide(req, pass, ledger));
}

/** What is left of an application's burst allowance as its components are placed one after another. */
interface BurstLeft {
  replicas: number;
  yuanPerHour: number;
}

function decide(req: PlacementRequest, pass: PlacementPass, ledger: CapacityLedger): PlacementDecision {
  const components: Record<string, ComponentPlacement> = {};
  const left = req.burst ? { replicas: req.burst.maxReplicas, yuanPerHour: req.burst.budgetYuanPerHour } : undefined;
  for (const demand of req.components) components[demand.name] = placeComponent(req, demand, pass, ledger, left);
  return { key: req.key, components };
}

const GIB = 1024 ** 3;

/** Yuan per hour of one replica's requests on a cluster, at its prices (0 when it has none). */
export function replicaCost(
  c: Pick<ClusterCandidate, 'prices'>,
  per: Pick<Resources, 'cpuMilli' | 'memoryBytes'>,
): number {
  if (!c.prices) return 0;
  return (per.cpuMilli / 1000) * c.prices.cpuCoreHour + (per.memoryBytes / GIB) * c.prices.memoryGiBHour;
}

function placeComponent(
  req: PlacementRequest,
  demand: ComponentDemand,
  pass: PlacementPass,
  ledger: CapacityLedger,
  burstLeft: BurstLeft | undefined,
): ComponentPlacement {
  const per = demand.perReplica;
  const now = pass.current;
  const current = req.current[demand.name];
  if (current)
    for (const name in current) {
      const i = pass.index.get(name);
      const n = current[name]!;
      if (i === undefined || !(n > 0)) continue;
      now[i] = n;
      ledger.give(i, per, n);
    }

  const policy = req.policyFor(demand.name);
  const shared = pass.eligibility(policy, req.residency);
  const avoid = cordonedAway(pass, shared, now, req.avoid?.[demand.name]);
  const caps = req.roomCap?.[demand.name];
  const elig = avoid ? withoutClusters(shared, avoid, pass.index) : shared;
  const capped = (i: number) =>
    caps ? Math.min(ledger.room(i, per), caps[pass.clusters[i]!.name] ?? Infinity) : ledger.room(i, per);
  // A cordoned cluster keeps what the component holds there and takes nothing more.
  const roomOf = pass.anyCordoned
    ? (i: number) => (pass.clusters[i]!.cordoned ? Math.min(capped(i), now[i]!) : capped(i))
    : capped;
  const limit = req.privateCap?.[demand.name];
  // The share binds only when it grants less than the component wants on private clusters. A duplicated division
  // runs the count on every eligible cluster, so it wants that many times the count, and no cluster takes more.
  const whole = demand.replicas > 0 ? Math.floor(demand.replicas) : 0;
  const duplicated = policy.division === 'duplicated';
  const wanted = duplicated ? whole * privateClusters(elig.primary, pass) : whole;
  const share =
    limit === undefined || limit >= wanted
      ? undefined
      : shareRooms(limit, elig, pass, duplicated ? (i) => Math.min(roomOf(i), whole) : roomOf, (i) => now[i]!);
  const result = divide({
    // Whole and never negative, so placed + unplaced always adds up.
    replicas: whole,
    policy,
    primary: elig.primary,
    ...(elig.weights ? { weights: elig.weights } : {}),
    overflow: elig.overflow,
    room: share ? (i) => share.room.get(i) ?? roomOf(i) : roomOf,
    current: (i) => now[i]!,
    ...(policy.spreadBy ? { groupOf: pass.groupOf(policy.spreadBy) } : {}),
    tieStart: elig.primary.length > 1 ? hash(req.key, demand.name) % elig.primary.length : 0,
    ...(burstLeft
      ? {
          burst: {
            replicas: burstLeft.replicas,
            yuanPerHour: burstLeft.yuanPerHour,
            covers: (i: number) => pass.clusters[i]!.role === 'burst',
            cost: (i: number) => replicaCost(pass.clusters[i]!, per),
          },
        }
      : {}),
  });
  if (burstLeft)
    elig.overflow.forEach((i, j) => {
      const c = pass.clusters[i]!;
      if (c.role !== 'burst') return;
      burstLeft.replicas -= result.overflow[j]!;
      burstLeft.yuanPerHour -= result.overflow[j]! * replicaCost(c, per);
    });

  const placed = pass.placed;
  const used =
    take(elig.primary, result.primary, placed, ledger, per) + take(elig.overflow, result.overflow, placed, ledger, per);

  const replicas: Record<string, number> = {};
  const n = pass.clusters.length;
  // Sized once: a pass builds tens of thousands of these lists.
  const excluded = new Array<ExcludedCluster>(n - used);
  let e = 0;
  for (let i = 0; i < n; i++) {
    const count = placed[i]!;
    if (count > 0) {
      replicas[pass.clusters[i]!.name] = count;
      placed[i] = 0;
    } else
      excluded[e++] =
        elig.use[i] === EXCLUDED
          ? elig.excluded[i]!
          : result.burstHeldBack > 0 &&
              elig.use[i] === OVERFLOW &&
              pass.clusters[i]!.role === 'burst' &&
              ledger.room(i, per) > 0
            ? pass.fixedReason(i, 3)
            : share?.binding && share.room.has(i) && roomOf(i) > 0
              ? pass.fixedReason(i, 4)
              : unused(i, demand, elig.use[i]!, pass, ledger);
    now[i] = 0;
  }
  return {
    replicas,
    unplaced: result.unplaced,
    ...(result.burstHeldBack > 0 ? { burstHeldBack: result.burstHeldBack } : {}),
    ...(share?.binding && result.unplaced > 0 ? { shareHeldBack: Math.min(result.unplaced, share.withheld) } : {}),
    excluded,
  };
}

/**
 * Rooms on the private (non-burst) eligible clusters cut so that together they hold at most `limit` replicas: each
 * keeps what it holds first (largest holders cut first if even that is over), and the rest of the limit is shared
 * in proportion to the rooms, so capacity division and spread still see the clusters' proportions.
 */
function shareRooms(
  limit: number,
  elig: { readonly primary: readonly number[]; readonly overflow: readonly number[] },
  pass: PlacementPass,
  roomOf: (i: number) => number,
  current: (i: number) => number,
): { room: Map<number, number>; binding: boolean; withheld: number } {
  const idx = [...elig.primary, ...elig.overflow].filter((i) => pass.clusters[i]!.role !== 'burst');
  const rooms = idx.map(roomOf);
  const total = rooms.reduce((s, r) => s + r, 0);
  const room = new Map<number, number>();
  const cap = Math.max(0, Math.floor(limit));
  if (total <= cap) return { room, binding: false, withheld: 0 };
  const kept = idx.map((i, j) => Math.min(current(i), rooms[j]!));
  const held = kept.reduce((s, k) => s + k, 0);
  let out: number[];
  if (held >= cap)
    out = shrink(
      kept,
      cap,
      kept.map(() => 0),
    );
  else {
    const spare = rooms.map((r, j) => r - kept[j]!);
    const spareTotal = spare.reduce((s, x) => s + x, 0);
    let left = cap - held;
    out = kept.map((k, j) => {
      const add = Math.floor((spare[j]! * (cap - held)) / spareTotal);
      left -= add;
      return k + add;
    });
    for (let j = 0; j < out.length && left > 0; j++)
      if (out[j]! < rooms[j]!) {
        out[j]!++;
        left--;
      }
  }
  idx.forEach((i, j) => room.set(i, out[j]!));
  return { room, binding: true, withheld: total - cap };
}

/** How many of these clusters are private (not burst). */
function privateClusters(indexes: readonly number[], pass: PlacementPass): number {
  let n = 0;
  for (const i of indexes) if (pass.clusters[i]!.role !== 'burst') n++;
  return n;
}

function take(
  indexes: readonly number[],
  counts: readonly number[],
  placed: Int32Array,
  ledger: CapacityLedger,
  per: Resources,
): number {
  let clusters = 0;
  for (let j = 0; j < indexes.length; j++) {
    const c = counts[j]!;
    if (c === 0) continue;
    placed[indexes[j]!] = c;
    ledger.take(indexes[j]!, per, c);
    clusters++;
  }
  return clusters;
}

/**
 * The clusters a component must not use: those the request avoids, and the cordoned clusters (eligible, but taking
 * nothing new) where it holds no replica. Undefined when there are none, so the shared eligibility is used as is.
 */
function cordonedAway(
  pass: PlacementPass,
  elig: { readonly use: Uint8Array },
  now: Float64Array,
  avoid: Readonly<Record<string, Message>> | undefined,
): Readonly<Record<string, Message>> | undefined {
  if (!pass.anyCordoned) return avoid;
  let out: Record<string, Message> | undefined;
  pass.clusters.forEach((c, i) => {
    if (!c.cordoned || elig.use[i] === EXCLUDED || now[i]! > 0 || avoid?.[c.name]) return;
    out ??= { ...avoid };
    out[c.name] = CORDONED;
  });
  return out ?? avoid;
}

/** Why an eligible cluster got no replica. */
function unused(
  i: number,
  demand: ComponentDemand,
  use: number,
  pass: PlacementPass,
  ledger: CapacityLedger,
): ExcludedCluster {
  if (!(demand.replicas >= 1)) return pass.fixedReason(i, 0);
  if (ledger.room(i, demand.perReplica) === 0) return pass.noRoom(i, ledger.short(i, demand.perReplica));
  return pass.fixedReason(i, use === OVERFLOW ? 2 : 1);
}

/** FNV-1a of the application key and component: a stable place to start breaking ties. */
function hash(key: string, component: string): number {
  let h = 0x811c9dc5;
  const s = `${key}/${component}`;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
  return h >>> 0;
}
