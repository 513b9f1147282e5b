import { largestRemainder } from './largest-remainder.ts';

/**
 * Cost allocation (pure; docs/operations.md): one cluster's cost over one interval (a day) in integer fen, split
 * into lines for departments' components, the idle capacity and shared pools, so that the lines always add up to
 * the cluster's total to the fen.
 */

/** What a replica is charged on: its requests, its measured usage, or the larger of the two (the default). */
export type ChargeBasis = 'request' | 'usage' | 'max';
export const CHARGE_BASES: readonly ChargeBasis[] = ['request', 'usage', 'max'];

/** How a shared pool's cost is split among its member departments. */
export type SplitRule = 'even' | 'use' | 'weights';
export const SPLIT_RULES: readonly SplitRule[] = ['even', 'use', 'weights'];

/** A cluster's prices in yuan, and how it is paid for. */
export interface PriceList {
  readonly cpuCoreHour: number;
  readonly memoryGiBHour: number;
  readonly storageGiBMonth: number;
  /** Added to every charge on a burst cluster, in percent (20 = +20%). */
  readonly burstPremiumPercent: number;
  /**
   * `capacity`: the whole capacity is paid for (a private cluster, a reserved pool): what no replica uses is idle.
   * `usage`: pay as you go (a public cloud burst cluster): the total is what the replicas are charged, no idle.
   */
  readonly billing: 'capacity' | 'usage';
}

/** One metered component on the cluster over the interval, in resource-hours on the chosen basis. */
export interface MeteredUse {
  readonly tenant: string;
  readonly app: string;
  readonly component: string;
  readonly coreHours: number;
  readonly memoryGiBHours: number;
  readonly storageGiBHours: number;
  /** The shared pool whose cost this component is (a shared marketplace instance, a platform component). */
  readonly pool?: string;
}

/** A shared pool: the departments its cost is split among, and how. */
export interface SharedPool {
  readonly name: string;
  /** The department that runs it: it carries the pool's cost when the pool has no members. */
  readonly owner: string;
  readonly members: readonly string[];
  readonly rule: SplitRule;
  /** For `weights`: a weight per member (a member without one weighs 0). */
  readonly weights?: Readonly<Record<string, number>>;
}

export interface ClusterInterval {
  readonly cluster: string;
  /** The interval's length in hours and the hours of its month (storage is priced per GiB-month). */
  readonly hours: number;
  readonly hoursInMonth: number;
  /** Capacity paid for over the interval (allocatable × hours); ignored for `usage` billing. */
  readonly capacity: { readonly coreHours: number; readonly memoryGiBHours: number };
  readonly prices: PriceList;
  /** Whether the cluster is a burst cluster (its charges carry the burst premium). */
  readonly burst: boolean;
  /** The interval's share of the cluster's fixed monthly costs (lease, depreciation), in fen. */
  readonly fixedFen: number;
  readonly uses: readonly MeteredUse[];
}

export interface AllocationPolicy {
  /** `line`: idle cost stays on its own line; `spread`: split over departments by their share of use. */
  readonly idle: 'line' | 'spread';
  readonly pools: ReadonlyMap<string, SharedPool>;
}

export type CostItem = 'cpu' | 'memory' | 'storage' | 'fixed' | 'premium' | 'idle' | 'shared';
export const COST_ITEMS: readonly CostItem[] = ['cpu', 'memory', 'storage', 'fixed', 'premium', 'idle', 'shared'];

/**
 * One line: fen charged to a department (`tenant`) for an item. Idle kept on its line has tenant ''. A shared line
 * names its pool in `app`; an idle line spread to a department has app ''.
 */
export interface CostLine {
  readonly tenant: string;
  readonly app: string;
  readonly component: string;
  readonly item: CostItem;
  readonly fen: number;
}

export interface ClusterAllocation {
  readonly cluster: string;
  readonly totalFen: number;
  readonly lines: readonly CostLine[];
}

interface RawLine {
  readonly tenant: string;
  readonly app: string;
  readonly component: string;
  readonly item: CostItem;
  readonly pool?: string;
  raw: number;
}

const FEN = 100;

/**
 * Allocates one cluster's cost over an interval. The total is fixed first, in fen: capacity × prices + the fixed
 * share + storage used (capacity billing), or the sum of charges with the burst premium (usage billing). Every
 * component's raw charge is then found, idle is capacity paid for and not charged (never negative: charges beyond
 * capacity are scaled down to it), and the total is divided over all of them by largest remainder. Shared pools'
 * lines are then re-divided among their members, and idle spread when the policy says so, each again by largest
 * remainder, so that Σ lines = total exactly.
 */
export function allocateCluster(c: ClusterInterval, policy: AllocationPolicy): ClusterAllocation {
  const p = c.prices;
  const lines: RawLine[] = [];
  const premium = c.burst ? Math.max(0, p.burstPremiumPercent) / 100 : 0;
  const storageHourPrice = c.hoursInMonth > 0 ? p.storageGiBMonth / c.hoursInMonth : 0;
  const add = (u: MeteredUse, item: CostItem, raw: number) => {
    if (raw > 0)
      lines.push({
        tenant: u.tenant,
        app: u.app,
        component: u.component,
        item,
        raw,
        ...(u.pool ? { pool: u.pool } : {}),
      });
  };
  let totalFen: number;
  if (p.billing === 'capacity') {
    const capCpu = Math.max(0, c.capacity.coreHours);
    const capMem = Math.max(0, c.capacity.memoryGiBHours);
    const capacityYuan = capCpu * p.cpuCoreHour + capMem * p.memoryGiBHour;
    const fixedYuan = c.fixedFen / FEN;
    // The share of capacity each component holds: the mean of its cpu and memory shares (fixed costs follow it).
    const share = (u: MeteredUse) =>
      ((capCpu > 0 ? u.coreHours / capCpu : 0) + (capMem > 0 ? u.memoryGiBHours / capMem : 0)) / 2;
    const held: RawLine[] = [];
    for (const u of c.uses) {
      const before = lines.length;
      add(u, 'cpu', u.coreHours * p.cpuCoreHour);
      add(u, 'memory', u.memoryGiBHours * p.memoryGiBHour);
      add(u, 'fixed', fixedYuan * share(u));
      add(u, 'premium', premium * (u.coreHours * p.cpuCoreHour + u.memoryGiBHours * p.memoryGiBHour));
      held.push(...lines.slice(before));
    }
    const capacityPaid = capacityYuan * (1 + premium) + fixedYuan;
    const charged = held.reduce((s, l) => s + l.raw, 0);
    if (charged > capacityPaid && charged > 0) for (const l of held) l.raw *= capacityPaid / charged;
    const idle = Math.max(0, capacityPaid - charged);
    if (idle > 0) lines.push({ tenant: '', app: '', component: '', item: 'idle', raw: idle });
    let storageYuan = 0;
    for (const u of c.uses) {
      const s = u.storageGiBHours * storageHourPrice * (1 + premium);
      storageYuan += s;
      add(u, 'storage', s);
    }
    totalFen = Math.round(capacityPaid * FEN) + Math.round(storageYuan * FEN);
    // Nothing to divide a positive total over (no capacity and no use): it is all idle.
    if (totalFen > 0 && lines.length === 0) lines.push({ tenant: '', app: '', component: '', item: 'idle', raw: 1 });
  } else {
    for (const u of c.uses) {
      const compute = u.coreHours * p.cpuCoreHour + u.memoryGiBHours * p.memoryGiBHour;
      const storage = u.storageGiBHours * storageHourPrice;
      add(u, 'cpu', u.coreHours * p.cpuCoreHour);
      add(u, 'memory', u.memoryGiBHours * p.memoryGiBHour);
      add(u, 'storage', storage);
      add(u, 'premium', premium * (compute + storage));
    }
    // Fixed costs of a pay-as-you-go cluster (a support contract) follow use; with no use they are idle.
    const charged = lines.reduce((s, l) => s + l.raw, 0);
    const fixedYuan = c.fixedFen / FEN;
    if (fixedYuan > 0) {
      if (charged > 0)
        for (const l of [...lines]) lines.push({ ...l, item: 'fixed', raw: (fixedYuan * l.raw) / charged });
      else lines.push({ tenant: '', app: '', component: '', item: 'idle', raw: fixedYuan });
    }
    totalFen = Math.round(charged * FEN) + c.fixedFen;
  }
  const fen =
    lines.length > 0
      ? largestRemainder(
          totalFen,
          lines.map((l) => l.raw),
        )
      : [];
  const direct: CostLine[] = [];
  const pooled = new Map<string, number>();
  let idleFen = 0;
  lines.forEach((l, i) => {
    const f = fen[i]!;
    if (l.item === 'idle') idleFen += f;
    else if (l.pool) pooled.set(l.pool, (pooled.get(l.pool) ?? 0) + f);
    else direct.push({ tenant: l.tenant, app: l.app, component: l.component, item: l.item, fen: f });
  });
  const out: CostLine[] = [...direct];
  // Use by department: what shared pools split `by use` by, and idle is spread by.
  const useOf = new Map<string, number>();
  for (const d of direct) useOf.set(d.tenant, (useOf.get(d.tenant) ?? 0) + d.fen);
  for (const [name, amount] of [...pooled].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push(...splitPool(name, amount, policy.pools.get(name), useOf));
  }
  if (idleFen > 0) {
    const departments = [...useOf.keys()].filter((t) => useOf.get(t)! > 0).sort();
    if (policy.idle === 'spread' && departments.length > 0) {
      const parts = largestRemainder(
        idleFen,
        departments.map((t) => useOf.get(t)!),
      );
      departments.forEach((t, i) => {
        if (parts[i]! > 0) out.push({ tenant: t, app: '', component: '', item: 'idle', fen: parts[i]! });
      });
    } else out.push({ tenant: '', app: '', component: '', item: 'idle', fen: idleFen });
  }
  return { cluster: c.cluster, totalFen, lines: mergeLines(out) };
}

/** Lines with the same department, application, component and item as one (a fixed share per item, …), fen > 0. */
function mergeLines(lines: readonly CostLine[]): CostLine[] {
  const by = new Map<string, CostLine>();
  for (const l of lines) {
    if (l.fen <= 0) continue;
    const key = `${l.tenant}\u0000${l.app}\u0000${l.component}\u0000${l.item}`;
    const had = by.get(key);
    by.set(key, had ? { ...had, fen: had.fen + l.fen } : l);
  }
  return [...by.values()];
}

/** A pool's fen split among its members by its rule; to its owner when it has no members (or no pool is known). */
function splitPool(
  name: string,
  amount: number,
  pool: SharedPool | undefined,
  useOf: ReadonlyMap<string, number>,
): CostLine[] {
  if (amount <= 0) return [];
  const members = [...new Set(pool?.members ?? [])].sort();
  if (members.length === 0)
    return [{ tenant: pool?.owner ?? '', app: name, component: '', item: 'shared', fen: amount }];
  const weights = members.map((m) =>
    pool!.rule === 'even' ? 1 : pool!.rule === 'use' ? (useOf.get(m) ?? 0) : (pool!.weights?.[m] ?? 0),
  );
  const parts = largestRemainder(amount, weights);
  return members.map((m, i) => ({ tenant: m, app: name, component: '', item: 'shared' as const, fen: parts[i]! }));
}

/** The total of an allocation's lines, in fen (equal to `totalFen` by construction; the reconciliation checks it). */
export function linesTotal(lines: readonly { readonly fen: number }[]): number {
  return lines.reduce((s, l) => s + l.fen, 0);
}

/** A replica's billed amount on `basis` from what it requests and what it uses. */
export function billedAmount(basis: ChargeBasis, request: number, usage: number): number {
  return basis === 'request' ? request : basis === 'usage' ? usage : Math.max(request, usage);
}
