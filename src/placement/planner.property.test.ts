import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resources } from '../kernel/resources.ts';
import { GI, cluster, demand, policy, request, residency } from './placement-fixtures.ts';
import { place, placeAll } from './planner.ts';
import { CLUSTER_ROLES } from './types.ts';
import type {
  ClusterCandidate,
  ClusterReplicas,
  ComponentPlacement,
  PlacementDecision,
  PlacementPolicy,
  PlacementRequest,
  ResidencyPolicy,
} from './types.ts';

const NAMES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
const RUNS = { numRuns: 300 };

const clusterArb = (name: string): fc.Arbitrary<ClusterCandidate> =>
  fc
    .record({
      vendor: fc.constantFrom('huawei', 'inspur', 'aliyun'),
      region: fc.constantFrom('gd', 'bj', 'sh'),
      zone: fc.constantFrom('a', 'b'),
      networkZone: fc.constantFrom('e-gov-extranet', 'e-gov-extranet', 'internet'),
      role: fc.constantFrom('primary', 'primary', 'primary', 'burst', 'disaster-recovery'),
      tier: fc.constantFrom('gold', 'silver'),
      healthy: fc.constantFrom(true, true, true, false),
      cpu: fc.integer({ min: 0, max: 32 }),
      memory: fc.integer({ min: 0, max: 64 }),
      pods: fc.integer({ min: 0, max: 40 }),
    })
    .map((r) =>
      cluster(name, {
        vendor: r.vendor,
        region: r.region,
        zone: r.zone,
        networkZone: r.networkZone,
        role: r.role as ClusterCandidate['role'],
        labels: { tier: r.tier },
        healthy: r.healthy,
        free: { cpuMilli: r.cpu * 250, memoryBytes: (r.memory * GI) / 2, pods: r.pods },
      }),
    );

const clustersArb = fc.tuple(...NAMES.map(clusterArb));

const perReplicaArb: fc.Arbitrary<Resources> = fc.record({
  cpuMilli: fc.integer({ min: 0, max: 8 }).map((n) => n * 125),
  memoryBytes: fc.integer({ min: 0, max: 4 }).map((n) => (n * GI) / 4),
  pods: fc.constantFrom(0, 1, 1, 2),
});

const policyArb: fc.Arbitrary<PlacementPolicy> = fc
  .record({
    division: fc.constantFrom('capacity', 'capacity', 'weighted', 'duplicated'),
    spreadBy: fc.option(fc.constantFrom('region', 'vendor', 'zone'), { nil: undefined }),
    minPerCluster: fc.integer({ min: 0, max: 3 }),
    extraMax: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    roles: fc.subarray([...CLUSTER_ROLES], { minLength: 1 }),
    regions: fc.option(fc.subarray(['gd', 'bj', 'sh'], { minLength: 1 }), { nil: undefined }),
    selector: fc.option(fc.constantFrom('gold', 'silver'), { nil: undefined }),
    named: fc.option(fc.subarray(NAMES, { minLength: 1 }), { nil: undefined }),
    overflow: fc.shuffledSubarray(NAMES, { maxLength: 3 }),
    weights: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: NAMES.length, maxLength: NAMES.length }),
  })
  .map((r) => {
    const overflow = r.division === 'duplicated' ? [] : r.overflow;
    const weights: Record<string, number> = {};
    if (r.division === 'weighted') {
      NAMES.forEach((n, i) => {
        if (!overflow.includes(n)) weights[n] = r.weights[i]!;
      });
      const first = Object.keys(weights)[0];
      if (first && Object.values(weights).every((w) => w === 0)) weights[first] = 1;
    }
    return policy({
      division: r.division,
      ...(r.spreadBy ? { spreadBy: r.spreadBy } : {}),
      minPerCluster: r.minPerCluster,
      ...(r.extraMax !== undefined ? { maxPerCluster: Math.max(1, r.minPerCluster + r.extraMax) } : {}),
      roles: r.roles,
      regions: r.regions ?? [],
      clusterSelector: { matchLabels: r.selector ? { tier: r.selector } : {} },
      clusters: (r.named ?? []).filter((n) => !overflow.includes(n)),
      overflow,
      weights,
    });
  });

const residencyArb: fc.Arbitrary<ResidencyPolicy | undefined> = fc.option(
  fc.oneof(
    fc.constant(residency({ networkZones: ['e-gov-extranet'] })),
    fc.subarray(['gd', 'bj', 'sh'], { minLength: 1 }).map((regions) => residency({ regions })),
  ),
  { nil: undefined },
);

const appArb = fc.record({
  policy: policyArb,
  residency: residencyArb,
  replicas: fc.integer({ min: 0, max: 40 }),
  perReplica: perReplicaArb,
});
type App = { policy: PlacementPolicy; residency: ResidencyPolicy | undefined; replicas: number; perReplica: Resources };

function req(app: App, replicas = app.replicas, current: ClusterReplicas = {}, key = 'edu/app'): PlacementRequest {
  return request([demand('web', replicas, app.perReplica)], {
    key,
    policy: app.policy,
    ...(app.residency ? { residency: app.residency } : {}),
    current: { web: current },
  });
}

function web(d: PlacementDecision): ComponentPlacement {
  return d.components.web!;
}

function sum(r: ClusterReplicas): number {
  return Object.values(r).reduce((s, n) => s + n, 0);
}

function pods(per: Resources): number {
  return Math.max(1, per.pods);
}

/** The clusters after a decision took its replicas (what the next observation of `free` would say). */
function afterTaking(clusters: readonly ClusterCandidate[], replicas: ClusterReplicas, per: Resources) {
  return clusters.map((c) => {
    const n = replicas[c.name] ?? 0;
    return {
      ...c,
      free: {
        cpuMilli: c.free.cpuMilli - n * per.cpuMilli,
        memoryBytes: c.free.memoryBytes - n * per.memoryBytes,
        pods: c.free.pods - n * pods(per),
      },
    };
  });
}

/** Whether one more replica fits on `c` once `now` replicas (of which `before` were counted in `free`) run there. */
function fitsOneMore(c: ClusterCandidate, per: Resources, before: number, now: number): boolean {
  const extra = now - before + 1;
  return (
    c.free.cpuMilli >= extra * per.cpuMilli &&
    c.free.memoryBytes >= extra * per.memoryBytes &&
    c.free.pods >= extra * pods(per)
  );
}

function insideResidency(c: ClusterCandidate, r: ResidencyPolicy | undefined): boolean {
  if (!r) return true;
  return (
    (r.clusters.length === 0 || r.clusters.includes(c.name)) &&
    (r.regions.length === 0 || r.regions.includes(c.region)) &&
    (r.zones.length === 0 || r.zones.includes(c.zone)) &&
    (r.networkZones.length === 0 || r.networkZones.includes(c.networkZone))
  );
}

/** Eligible clusters as the reasons tell: placed, or excluded only for room or need. */
function usable(p: ComponentPlacement): string[] {
  const idle = p.excluded.filter((e) => /^(no room|eligible|overflow)/.test(e.reason)).map((e) => e.cluster);
  return [...Object.keys(p.replicas), ...idle];
}

/** A cluster is at its limit when maxPerCluster is reached or one more replica would not fit. */
function atLimit(c: ClusterCandidate, app: App, current: ClusterReplicas, now: ClusterReplicas): boolean {
  const n = now[c.name] ?? 0;
  if (app.policy.maxPerCluster !== undefined && n >= app.policy.maxPerCluster) return true;
  return !fitsOneMore(c, app.perReplica, current[c.name] ?? 0, n);
}

describe('placement properties', () => {
  it('accounts for every replica: placed + unplaced = desired; unplaced only when no usable cluster has room', () => {
    fc.assert(
      fc.property(clustersArb, appArb, (clusters, app) => {
        const p = web(place(req(app), clusters));
        const eligible = usable(p).filter((n) => !app.policy.overflow.includes(n));
        const desired =
          app.policy.division === 'duplicated' ? app.replicas * Math.max(1, eligible.length) : app.replicas;
        expect(sum(p.replicas) + p.unplaced).toBe(desired);
        if (p.unplaced > 0 && app.policy.division !== 'duplicated')
          for (const name of usable(p))
            expect(
              atLimit(
                clusters.find((c) => c.name === name)!,
                app,
                {},
                p.replicas,
              ),
            ).toBe(true);
        for (const n of Object.values(p.replicas)) {
          expect(Number.isInteger(n) && n > 0).toBe(true);
          if (app.policy.maxPerCluster !== undefined) expect(n).toBeLessThanOrEqual(app.policy.maxPerCluster);
          if (app.policy.division === 'duplicated') expect(n).toBeLessThanOrEqual(app.replicas);
        }
      }),
      RUNS,
    );
  });

  it('never places on an unhealthy cluster or outside the residency, and explains every other cluster', () => {
    fc.assert(
      fc.property(clustersArb, appArb, (clusters, app) => {
        const p = web(place(req(app), clusters));
        for (const name of Object.keys(p.replicas)) {
          const c = clusters.find((x) => x.name === name)!;
          expect(c.healthy).toBe(true);
          expect(insideResidency(c, app.residency)).toBe(true);
        }
        const named = [...Object.keys(p.replicas), ...p.excluded.map((e) => e.cluster)].sort();
        expect(named).toEqual([...NAMES].sort());
        expect(p.excluded.map((e) => e.cluster)).toEqual(p.excluded.map((e) => e.cluster).sort());
        for (const e of p.excluded) {
          const c = clusters.find((x) => x.name === e.cluster)!;
          if (!c.healthy) expect(e.reason).toBe('unhealthy');
          else if (!insideResidency(c, app.residency)) expect(e.reason).toMatch(/^outside residency: /);
        }
      }),
      RUNS,
    );
  });

  it('uses overflow only when every eligible cluster is full', () => {
    fc.assert(
      fc.property(clustersArb, appArb, (clusters, app) => {
        const p = web(place(req(app), clusters));
        const onOverflow = app.policy.overflow.some((n) => (p.replicas[n] ?? 0) > 0);
        if (!onOverflow) return;
        for (const name of usable(p).filter((n) => !app.policy.overflow.includes(n)))
          expect(
            atLimit(
              clusters.find((c) => c.name === name)!,
              app,
              {},
              p.replicas,
            ),
          ).toBe(true);
      }),
      RUNS,
    );
  });

  it('never takes replicas away from a cluster that stays eligible when scaling up, even as clusters fail', () => {
    fc.assert(
      fc.property(
        clustersArb,
        appArb,
        fc.integer({ min: 0, max: 30 }),
        fc.subarray(NAMES),
        (clusters, app, more, failing) => {
          const first = web(place(req(app), clusters)).replicas;
          const later = afterTaking(clusters, first, app.perReplica).map((c) =>
            failing.includes(c.name) ? { ...c, healthy: false } : c,
          );
          const second = web(place(req(app, app.replicas + more, first), later));
          for (const [name, n] of Object.entries(first)) {
            if (failing.includes(name)) expect(second.replicas[name]).toBeUndefined();
            else expect(second.replicas[name] ?? 0).toBeGreaterThanOrEqual(n);
          }
          // Overflow keeps its meaning on the second decision, with current replicas given back.
          if (app.policy.overflow.some((n) => (second.replicas[n] ?? 0) > 0))
            for (const name of usable(second).filter((n) => !app.policy.overflow.includes(n)))
              expect(
                atLimit(
                  later.find((c) => c.name === name)!,
                  app,
                  first,
                  second.replicas,
                ),
              ).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('keeps any current replicas on eligible clusters that can still hold them when scaling up', () => {
    fc.assert(
      fc.property(
        clustersArb,
        appArb,
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: NAMES.length, maxLength: NAMES.length }),
        fc.integer({ min: 0, max: 20 }),
        (clusters, app, counts, more) => {
          // Current replicas mostly on clusters that are eligible, so the scale-up does not just fill them all.
          const eligible = usable(web(place(req(app, 0), clusters)));
          const current: Record<string, number> = {};
          NAMES.forEach((n, i) => {
            if (counts[i]! > 0 && (eligible.includes(n) || i === 0)) current[n] = counts[i]!;
          });
          const p = web(place(req(app, sum(current) + more, current), clusters));
          const max = app.policy.maxPerCluster ?? Infinity;
          for (const name of usable(p)) {
            if (app.policy.overflow.includes(name)) continue; // Overflow is borrowed room, handed back first.
            const c = clusters.find((x) => x.name === name)!;
            const had = current[name] ?? 0;
            let fits = had;
            while (fits > 0 && (fits > max || !fitsOneMore(c, app.perReplica, had, fits - 1))) fits--;
            expect(p.replicas[name] ?? 0).toBeGreaterThanOrEqual(Math.min(had, fits));
          }
        },
      ),
      RUNS,
    );
  });

  it('shrinks overflow first when scaling down, the last declared first', () => {
    fc.assert(
      fc.property(clustersArb, appArb, fc.integer({ min: 0, max: 40 }), (clusters, app, fewer) => {
        const first = web(place(req(app), clusters)).replicas;
        const later = afterTaking(clusters, first, app.perReplica);
        const target = Math.max(0, app.replicas - fewer);
        const second = web(place(req(app, target, first), later)).replicas;
        for (const name of NAMES) expect(second[name] ?? 0).toBeLessThanOrEqual(first[name] ?? 0);
        const primaryShrank = Object.keys(first).some(
          (n) => !app.policy.overflow.includes(n) && (second[n] ?? 0) < first[n]!,
        );
        if (primaryShrank) for (const n of app.policy.overflow) expect(second[n] ?? 0).toBe(0);
        const order = app.policy.overflow;
        order.forEach((n, j) => {
          if ((second[n] ?? 0) > 0)
            for (const earlier of order.slice(0, j)) expect(second[earlier]).toBe(first[earlier]);
        });
        if (app.policy.division !== 'duplicated') expect(sum(second)).toBe(Math.min(target, sum(first)));
      }),
      RUNS,
    );
  });

  it('never overcommits a cluster when many applications are placed in one pass', () => {
    fc.assert(
      fc.property(clustersArb, fc.array(appArb, { minLength: 1, maxLength: 12 }), (clusters, apps) => {
        const decisions = placeAll(
          apps.map((a, k) => req(a, a.replicas, {}, `dept/app-${k}`)),
          clusters,
        );
        for (const c of clusters) {
          const used = { cpu: 0, memory: 0, pods: 0 };
          decisions.forEach((d, k) => {
            const n = web(d).replicas[c.name] ?? 0;
            const per = apps[k]!.perReplica;
            used.cpu += n * per.cpuMilli;
            used.memory += n * per.memoryBytes;
            used.pods += n * pods(per);
          });
          if (used.pods === 0) continue;
          expect(used.cpu).toBeLessThanOrEqual(c.free.cpuMilli);
          expect(used.memory).toBeLessThanOrEqual(c.free.memoryBytes);
          expect(used.pods).toBeLessThanOrEqual(c.free.pods);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('never overcommits when re-placing applications that already run, their replicas given back', () => {
    fc.assert(
      fc.property(
        clustersArb,
        fc.array(fc.tuple(appArb, fc.integer({ min: 0, max: 40 })), { minLength: 1, maxLength: 8 }),
        (clusters, apps) => {
          const keys = apps.map((_, k) => `dept/app-${k}`);
          const first = placeAll(
            apps.map(([a], k) => req(a, a.replicas, {}, keys[k])),
            clusters,
          );
          let later: ClusterCandidate[] = clusters;
          first.forEach((d, k) => (later = afterTaking(later, web(d).replicas, apps[k]![0].perReplica)));
          const second = placeAll(
            apps.map(([a, r], k) => req(a, r, web(first[k]!).replicas, keys[k])),
            later,
          );
          for (const c of later) {
            const left = { ...c.free };
            second.forEach((d, k) => {
              const per = apps[k]![0].perReplica;
              const delta = (web(d).replicas[c.name] ?? 0) - (web(first[k]!).replicas[c.name] ?? 0);
              left.cpuMilli -= delta * per.cpuMilli;
              left.memoryBytes -= delta * per.memoryBytes;
              left.pods -= delta * pods(per);
            });
            expect(Math.min(left.cpuMilli, left.memoryBytes, left.pods)).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is deterministic: the same input, in any cluster order, gives the same output', () => {
    fc.assert(
      fc.property(clustersArb, fc.array(appArb, { minLength: 1, maxLength: 5 }), (clusters, apps) => {
        const reqs = apps.map((a, k) => req(a, a.replicas, {}, `dept/app-${k}`));
        const once = placeAll(reqs, clusters);
        expect(placeAll(reqs, clusters)).toEqual(once);
        expect(placeAll(reqs, [...clusters].reverse())).toEqual(once);
      }),
      { numRuns: 150 },
    );
  });
});
