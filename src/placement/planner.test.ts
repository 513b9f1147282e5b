import { describe, expect, it } from 'vitest';
import { GI, cluster, demand, policy, request, residency, roomFor, total } from './placement-fixtures.ts';
import { place, placeAll } from './planner.ts';
import { placementPlan } from './policies.ts';
import type { ClusterCandidate, PlacementDecision } from './types.ts';

function web(d: PlacementDecision) {
  return d.components.web!;
}

function reasons(d: PlacementDecision): Record<string, string> {
  return Object.fromEntries(web(d).excluded.map((e) => [e.cluster, e.reason]));
}

describe('capacity division', () => {
  it('divides replicas in proportion to the room each cluster has for this component', () => {
    const clusters = [cluster('a', { free: roomFor(30) }), cluster('b', { free: roomFor(10) })];
    const d = place(request([demand('web', 8)]), clusters);
    expect(web(d)).toEqual({ replicas: { a: 6, b: 2 }, unplaced: 0, excluded: [] });
  });

  it('counts cpu, memory and pods: the scarcest decides the room', () => {
    const clusters = [
      cluster('cpu-poor', { free: { cpuMilli: 1000, memoryBytes: 100 * GI, pods: 100 } }),
      cluster('memory-poor', { free: { cpuMilli: 100_000, memoryBytes: 2 * GI, pods: 100 } }),
      cluster('pod-poor', { free: { cpuMilli: 100_000, memoryBytes: 100 * GI, pods: 2 } }),
      cluster('roomy', { free: roomFor(100) }),
    ];
    const d = place(request([demand('web', 200)]), clusters);
    expect(web(d).replicas).toEqual({ 'cpu-poor': 2, 'memory-poor': 2, 'pod-poor': 2, roomy: 100 });
    expect(web(d).unplaced).toBe(94);
  });

  it('says which resource is short on a cluster that cannot take one replica', () => {
    const clusters = [
      cluster('a', { free: roomFor(4) }),
      cluster('full', { free: { cpuMilli: 100, memoryBytes: 0, pods: 5 } }),
    ];
    expect(reasons(place(request([demand('web', 2)]), clusters))).toEqual({
      full: 'no room for one replica (cpu, memory)',
    });
  });

  it('places nothing and reports everything unplaced when no cluster is eligible', () => {
    const d = place(request([demand('web', 3)]), [cluster('a', { healthy: false })]);
    expect(web(d)).toEqual({
      replicas: {},
      unplaced: 3,
      excluded: [{ cluster: 'a', reason: 'unhealthy', code: 'Unhealthy' }],
    });
  });
});

describe('weighted division', () => {
  const clusters = [cluster('a'), cluster('b'), cluster('c'), cluster('d')];
  const weighted = (weights: Record<string, number>) => policy({ division: 'weighted', weights });

  it('divides by static weights; the unweighted cluster gets nothing and says why', () => {
    const d = place(request([demand('web', 8)], { policy: weighted({ a: 1, b: 2, c: 1 }) }), clusters);
    expect(web(d).replicas).toEqual({ a: 2, b: 4, c: 2 });
    expect(reasons(d)).toEqual({ d: 'not in policy weights' });
  });

  it('gives remainders to the largest, ties by cluster name', () => {
    const p = weighted({ a: 1, b: 1, c: 1, d: 0 });
    expect(web(place(request([demand('web', 2)], { policy: p }), clusters)).replicas).toEqual({ a: 1, b: 1 });
    expect(reasons(place(request([demand('web', 2)], { policy: p }), clusters)).d).toBe('weight 0 in policy weights');
    const q = weighted({ a: 1, b: 3 });
    expect(web(place(request([demand('web', 3)], { policy: q }), clusters)).replicas).toEqual({ a: 1, b: 2 });
  });

  it('moves the share a full cluster cannot hold to the others, by weight', () => {
    const small = [cluster('a', { free: roomFor(1) }), cluster('b'), cluster('c')];
    const d = place(request([demand('web', 10)], { policy: weighted({ a: 5, b: 1, c: 1 }) }), small);
    expect(web(d).replicas).toEqual({ a: 1, b: 5, c: 4 });
  });
});

describe('duplicated division', () => {
  it('runs the full count on every eligible cluster, capped by room, and counts the shortfall', () => {
    const clusters = [cluster('a'), cluster('b', { free: roomFor(2) }), cluster('c')];
    const d = place(request([demand('web', 3)], { policy: policy({ division: 'duplicated' }) }), clusters);
    expect(web(d)).toEqual({ replicas: { a: 3, b: 2, c: 3 }, unplaced: 1, excluded: [] });
  });

  it('maps a KubeVela topology policy: named clusters, whatever their role', () => {
    const plan = placementPlan({
      components: [{ name: 'web' }],
      policies: [{ name: 'hz', type: 'topology', properties: { clusters: ['a', 'burst-1'] } }],
    });
    if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
    const clusters = [cluster('a'), cluster('b'), cluster('burst-1', { role: 'burst' })];
    const d = place(request([demand('web', 2)], { policyFor: plan.policyFor }), clusters);
    expect(web(d).replicas).toEqual({ a: 2, 'burst-1': 2 });
    expect(reasons(d)).toEqual({ b: 'not selected by topology hz clusters [a, burst-1]' });
  });

  it('maps several topology policies to the union of their clusters', () => {
    const plan = placementPlan({
      components: [{ name: 'web' }],
      policies: [
        { name: 'hz', type: 'topology', properties: { clusters: ['a'] } },
        { name: 'prod', type: 'topology', properties: { clusterLabelSelector: { env: 'prod' } } },
      ],
    });
    if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
    const clusters = [cluster('a'), cluster('b', { labels: { env: 'prod' } }), cluster('c')];
    const d = place(request([demand('web', 1)], { policyFor: plan.policyFor }), clusters);
    expect(web(d).replicas).toEqual({ a: 1, b: 1 });
    expect(reasons(d)).toEqual({ c: 'not selected by topology hz clusters [a]; prod labels {env=prod}' });
  });
});

describe('spread', () => {
  const clusters = [
    cluster('gd-1', { region: 'gd', free: roomFor(100) }),
    cluster('gd-2', { region: 'gd', free: roomFor(100) }),
    cluster('bj-1', { region: 'bj', free: roomFor(2) }),
    cluster('sh-1', { region: 'sh', vendor: 'aliyun', free: roomFor(2) }),
  ];

  it('gives every region a replica when there are at least as many replicas as regions', () => {
    const d = place(request([demand('web', 3)], { policy: policy({ spreadBy: 'region' }) }), clusters);
    const byRegion = { gd: 0, bj: 0, sh: 0 };
    for (const [name, n] of Object.entries(web(d).replicas)) byRegion[name.slice(0, 2) as 'gd'] += n;
    expect(byRegion).toEqual({ gd: 1, bj: 1, sh: 1 });
  });

  it('without spread, capacity division alone would leave the small regions out', () => {
    const d = place(request([demand('web', 3)]), clusters);
    expect(Object.keys(web(d).replicas).sort()).toEqual(['gd-1', 'gd-2']);
  });

  it('spreads by vendor, and promises nothing with fewer replicas than groups', () => {
    const byVendor = place(request([demand('web', 2)], { policy: policy({ spreadBy: 'vendor' }) }), clusters);
    expect(web(byVendor).replicas['sh-1']).toBe(1);
    const few = place(request([demand('web', 2)], { policy: policy({ spreadBy: 'region' }) }), clusters);
    expect(total(web(few).replicas)).toBe(2);
  });

  it('keeps one replica per region when scaling down', () => {
    const p = policy({ spreadBy: 'region' });
    const current = { web: { 'gd-1': 10, 'gd-2': 10, 'bj-1': 1, 'sh-1': 1 } };
    const d = place(request([demand('web', 4)], { policy: p, current }), clusters);
    expect(web(d).replicas).toEqual({ 'bj-1': 1, 'gd-1': 1, 'gd-2': 1, 'sh-1': 1 });
  });
});

describe('minPerCluster and maxPerCluster', () => {
  it('gives each eligible cluster at least minPerCluster', () => {
    const clusters = [cluster('a', { free: roomFor(100) }), cluster('b', { free: roomFor(4) }), cluster('c')];
    const d = place(request([demand('web', 7)], { policy: policy({ minPerCluster: 2 }) }), clusters);
    expect(web(d).replicas.b).toBe(2);
    expect(Math.min(...Object.values(web(d).replicas))).toBeGreaterThanOrEqual(2);
    expect(total(web(d).replicas)).toBe(7);
  });

  it('never puts more than maxPerCluster on a cluster; what cannot fit is unplaced', () => {
    const clusters = [cluster('a'), cluster('b')];
    const d = place(request([demand('web', 9)], { policy: policy({ maxPerCluster: 4 }) }), clusters);
    expect(web(d)).toEqual({ replicas: { a: 4, b: 4 }, unplaced: 1, excluded: [] });
  });

  it('does not scale a cluster below minPerCluster while others hold more', () => {
    const clusters = [cluster('a'), cluster('b'), cluster('c')];
    const current = { web: { a: 2, b: 8, c: 6 } };
    const d = place(request([demand('web', 9)], { policy: policy({ minPerCluster: 2 }), current }), clusters);
    expect(web(d).replicas).toEqual({ a: 2, b: 4, c: 3 });
  });
});

describe('overflow', () => {
  const clusters: ClusterCandidate[] = [
    cluster('gov-1', { free: roomFor(4) }),
    cluster('gov-2', { free: roomFor(4) }),
    cluster('ali-burst', { role: 'burst', vendor: 'aliyun', networkZone: 'internet', free: roomFor(3) }),
    cluster('tc-burst', { role: 'burst', vendor: 'tencent', networkZone: 'internet', free: roomFor(50) }),
  ];
  const bursting = policy({ overflow: ['ali-burst', 'tc-burst'] });

  it('fills the eligible clusters first and only the remainder goes to overflow, in declared order', () => {
    const d = place(request([demand('web', 12)], { policy: bursting }), clusters);
    expect(web(d).replicas).toEqual({ 'ali-burst': 3, 'gov-1': 4, 'gov-2': 4, 'tc-burst': 1 });
  });

  it('leaves overflow alone while the eligible clusters have room', () => {
    const d = place(request([demand('web', 8)], { policy: bursting }), clusters);
    expect(web(d).replicas).toEqual({ 'gov-1': 4, 'gov-2': 4 });
    expect(reasons(d)).toEqual({
      'ali-burst': 'overflow, not needed: the eligible clusters had room',
      'tc-burst': 'overflow, not needed: the eligible clusters had room',
    });
  });

  it('is not used without being declared: burst clusters are not eligible by role', () => {
    const d = place(request([demand('web', 12)]), clusters);
    expect(web(d).unplaced).toBe(4);
    expect(reasons(d)['ali-burst']).toBe('role burst not eligible (overflow only when primaries are full)');
  });

  it('shrinks overflow first, the last declared first', () => {
    const current = { web: { 'gov-1': 4, 'gov-2': 4, 'ali-burst': 3, 'tc-burst': 5 } };
    // `free` already counts the current replicas.
    const free = clusters.map((c) =>
      c.name === 'tc-burst' ? { ...c, free: roomFor(45) } : { ...c, free: roomFor(0) },
    );
    const d12 = place(request([demand('web', 12)], { policy: bursting, current }), free);
    expect(web(d12).replicas).toEqual({ 'ali-burst': 3, 'gov-1': 4, 'gov-2': 4, 'tc-burst': 1 });
    const d9 = place(request([demand('web', 9)], { policy: bursting, current }), free);
    expect(web(d9).replicas).toEqual({ 'ali-burst': 1, 'gov-1': 4, 'gov-2': 4 });
    const d6 = place(request([demand('web', 6)], { policy: bursting, current }), free);
    expect(web(d6).replicas).toEqual({ 'gov-1': 3, 'gov-2': 3 });
  });

  it('never bursts outside the residency: residency wins over overflow', () => {
    const d = place(
      request([demand('web', 12)], { policy: bursting, residency: residency({ networkZones: ['e-gov-extranet'] }) }),
      clusters,
    );
    expect(web(d).replicas).toEqual({ 'gov-1': 4, 'gov-2': 4 });
    expect(web(d).unplaced).toBe(4);
    expect(reasons(d)['ali-burst']).toBe('outside residency: networkZone internet not in [e-gov-extranet]');
  });
});

describe('stickiness and current placement', () => {
  it('gives the request its own current replicas back instead of counting them twice', () => {
    // Each cluster has room for 2 more besides the 3 this application already runs there.
    const clusters = [cluster('a', { free: roomFor(2) }), cluster('b', { free: roomFor(2) })];
    const d = place(request([demand('web', 10)], { current: { web: { a: 3, b: 3 } } }), clusters);
    expect(web(d)).toEqual({ replicas: { a: 5, b: 5 }, unplaced: 0, excluded: [] });
  });

  it('scaling up only adds: no cluster that stays eligible loses a replica', () => {
    const clusters = [cluster('a', { free: roomFor(100) }), cluster('b', { free: roomFor(10) })];
    const d = place(request([demand('web', 12)], { current: { web: { a: 1, b: 9 } } }), clusters);
    expect(web(d).replicas.b).toBeGreaterThanOrEqual(9);
    expect(total(web(d).replicas)).toBe(12);
  });

  it('moves replicas off a cluster that became unhealthy or left the policy', () => {
    const clusters = [
      cluster('a', { healthy: false }),
      cluster('b', { region: 'bj' }),
      cluster('c'),
      cluster('d', { free: roomFor(40) }),
    ];
    const d = place(
      request([demand('web', 6)], { policy: policy({ regions: ['gd'] }), current: { web: { a: 2, b: 2, c: 2 } } }),
      clusters,
    );
    expect(web(d).replicas.c).toBe(2);
    expect(web(d).replicas.a).toBeUndefined();
    expect(web(d).replicas.b).toBeUndefined();
    expect(total(web(d).replicas)).toBe(6);
    expect(reasons(d)).toEqual({ a: 'unhealthy', b: 'region bj not in policy regions [gd]' });
  });

  it('scales down from the clusters holding the most', () => {
    const clusters = [cluster('a'), cluster('b'), cluster('c')];
    const d = place(request([demand('web', 6)], { current: { web: { a: 1, b: 6, c: 3 } } }), clusters);
    expect(web(d).replicas).toEqual({ a: 1, b: 3, c: 2 });
  });
});

describe('many applications in one pass', () => {
  it('lets each decision see what the earlier ones took', () => {
    const clusters = [cluster('a', { free: roomFor(5) }), cluster('b', { free: roomFor(5) })];
    const [first, second, third] = placeAll(
      [
        request([demand('web', 6)], { key: 'one' }),
        request([demand('web', 4)], { key: 'two' }),
        request([demand('web', 3)], { key: 'three' }),
      ],
      clusters,
    );
    expect(total(web(first!).replicas)).toBe(6);
    expect(total(web(second!).replicas)).toBe(4);
    expect(web(third!)).toMatchObject({ replicas: {}, unplaced: 3 });
    expect(web(third!).excluded.map((e) => e.reason)).toEqual([
      'no room for one replica (cpu, memory, pods)',
      'no room for one replica (cpu, memory, pods)',
    ]);
  });

  it('places the components of one application against the same ledger', () => {
    const clusters = [cluster('a', { free: roomFor(5) })];
    const d = place(request([demand('web', 3), demand('api', 3)]), clusters);
    expect(d.components.web!.replicas).toEqual({ a: 3 });
    expect(d.components.api).toMatchObject({ replicas: { a: 2 }, unplaced: 1 });
  });

  it('keeps eligibility apart for one policy object under different residencies', () => {
    const clusters = [cluster('gd-1'), cluster('bj-1', { region: 'bj' })];
    const p = policy();
    const [gd, bj] = placeAll(
      [
        request([demand('web', 2)], { key: 'gd', policy: p, residency: residency({ regions: ['gd'] }) }),
        request([demand('web', 2)], { key: 'bj', policy: p, residency: residency({ regions: ['bj'] }) }),
      ],
      clusters,
    );
    expect(web(gd!).replicas).toEqual({ 'gd-1': 2 });
    expect(web(bj!).replicas).toEqual({ 'bj-1': 2 });
  });

  it('does not change its inputs', () => {
    const clusters = [cluster('a', { free: roomFor(5) })];
    const req = request([demand('web', 3)], { current: { web: { a: 1 } } });
    const before = JSON.stringify([clusters, req]);
    placeAll([req, req], clusters);
    expect(JSON.stringify([clusters, req])).toBe(before);
  });
});

describe('reasons', () => {
  it('names the first rule a cluster fails, in a fixed order', () => {
    const clusters = [
      cluster('ok'),
      cluster('sick', { healthy: false, networkZone: 'internet' }),
      cluster('public', { networkZone: 'internet' }),
      cluster('other-region', { region: 'bj', networkZone: 'internet' }),
      cluster('unnamed'),
      cluster('unlabelled', { labels: {} }),
      cluster('wrong-vendor', { vendor: 'aliyun' }),
      cluster('wrong-zone', { zone: 'gd-b' }),
      cluster('dr', { role: 'disaster-recovery' }),
      cluster('burst', { role: 'burst' }),
    ];
    const p = policy({
      clusters: ['ok', 'unlabelled', 'wrong-vendor', 'wrong-zone', 'dr', 'burst'],
      clusterSelector: { matchLabels: { tier: 'gold' } },
      vendors: ['huawei'],
      zones: ['gd-a'],
    });
    const labelled = clusters.map((c) => (c.name === 'unlabelled' ? c : { ...c, labels: { tier: 'gold' } }));
    const d = place(
      request([demand('web', 1)], { policy: p, residency: residency({ networkZones: ['e-gov-extranet'] }) }),
      labelled,
    );
    expect(web(d).excluded.map(({ cluster, reason }) => ({ cluster, reason }))).toEqual([
      { cluster: 'burst', reason: 'role burst not eligible (overflow only when primaries are full)' },
      { cluster: 'dr', reason: 'role disaster-recovery not eligible (only when the policy lists it in roles)' },
      { cluster: 'other-region', reason: 'outside residency: networkZone internet not in [e-gov-extranet]' },
      { cluster: 'public', reason: 'outside residency: networkZone internet not in [e-gov-extranet]' },
      { cluster: 'sick', reason: 'unhealthy' },
      { cluster: 'unlabelled', reason: 'labels do not match clusterSelector {tier=gold}' },
      { cluster: 'unnamed', reason: 'not in policy clusters [ok, unlabelled, wrong-vendor, wrong-zone, dr, burst]' },
      { cluster: 'wrong-vendor', reason: 'vendor aliyun not in policy vendors [huawei]' },
      { cluster: 'wrong-zone', reason: 'zone gd-b not in policy zones [gd-a]' },
    ]);
  });

  it('explains residency by cluster, region and zone, and policy regions and network zones', () => {
    const clusters = [cluster('a'), cluster('b', { region: 'bj' }), cluster('c', { zone: 'gd-b' }), cluster('d')];
    const r = residency({ clusters: ['a', 'b', 'c'], regions: ['gd'], zones: ['gd-a'] });
    expect(reasons(place(request([demand('web', 1)], { residency: r }), clusters))).toEqual({
      b: 'outside residency: region bj not in [gd]',
      c: 'outside residency: zone gd-b not in [gd-a]',
      d: 'outside residency: cluster d not in [a, b, c]',
    });
    const p = policy({ regions: ['gd'], networkZones: ['e-gov-intranet'], roles: ['burst'] });
    expect(reasons(place(request([demand('web', 1)], { policy: p }), clusters))).toEqual({
      a: 'networkZone e-gov-extranet not in policy networkZones [e-gov-intranet]',
      b: 'region bj not in policy regions [gd]',
      c: 'networkZone e-gov-extranet not in policy networkZones [e-gov-intranet]',
      d: 'networkZone e-gov-extranet not in policy networkZones [e-gov-intranet]',
    });
    const onlyBurst = policy({ roles: ['burst'] });
    expect(reasons(place(request([demand('web', 1)], { policy: onlyBurst }), [cluster('a')]))).toEqual({
      a: 'role primary not eligible (roles leaves out primary)',
    });
  });

  it('lists eligible clusters that got nothing, and clusters when no replica is asked for', () => {
    const clusters = [cluster('a'), cluster('b')];
    expect(reasons(place(request([demand('web', 0)]), clusters))).toEqual({
      a: 'eligible, 0 replicas requested',
      b: 'eligible, 0 replicas requested',
    });
    expect(Object.values(reasons(place(request([demand('web', 1)]), clusters)))).toEqual([
      'eligible, not needed: the replicas fit on other clusters',
    ]);
  });
});
