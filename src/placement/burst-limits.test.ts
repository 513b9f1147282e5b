import { describe, expect, it } from 'vitest';
import { burstAllowance, burstLimitsSchema, burstWindowCauses } from './burst-limits.ts';
import { cluster, demand, policy, request, residency, roomFor } from './placement-fixtures.ts';
import { place, replicaCost } from './planner.ts';
import type { BurstAllowance, ClusterCandidate, PlacementDecision } from './types.ts';

const prices = { cpuCoreHour: 0.2, memoryGiBHour: 0.05 };
// One replica of HALF_CORE (0.5 core, 1 GiB) costs 0.5 × 0.2 + 1 × 0.05 = ¥0.15/h on a burst cluster.
const clusters: ClusterCandidate[] = [
  cluster('gov-1', { free: roomFor(4) }),
  cluster('ali-burst', { role: 'burst', vendor: 'aliyun', networkZone: 'internet', free: roomFor(5), prices }),
  cluster('hw-burst', { role: 'burst', vendor: 'huawei', networkZone: 'internet', free: roomFor(50), prices }),
];
const bursting = policy({ overflow: ['ali-burst', 'hw-burst'] });

function placeWith(replicas: number, burst?: BurstAllowance, current?: Record<string, Record<string, number>>) {
  return place(
    request([demand('web', replicas)], { policy: bursting, current }),
    clusters.map((c) => ({ ...c })),
  ).components.web!;
}

function withAllowance(req: ReturnType<typeof request>, burst: BurstAllowance) {
  return { ...req, burst };
}

function placeLimited(replicas: number, burst: BurstAllowance) {
  const d: PlacementDecision = place(
    withAllowance(request([demand('web', replicas)], { policy: bursting }), burst),
    clusters,
  );
  return d.components.web!;
}

describe('burst allowance in placement', () => {
  it('prices a replica from its requests and the cluster’s prices', () => {
    expect(replicaCost(clusters[1]!, { cpuMilli: 500, memoryBytes: 2 ** 30 })).toBeCloseTo(0.15);
    expect(replicaCost(clusters[0]!, { cpuMilli: 500, memoryBytes: 2 ** 30 })).toBe(0);
  });

  it('without limits, overflow takes everything it has room for', () => {
    expect(placeWith(20).replicas).toEqual({ 'gov-1': 4, 'ali-burst': 5, 'hw-burst': 11 });
  });

  it('caps the replicas on burst clusters and says which replicas the limit held back', () => {
    const p = placeLimited(20, { maxReplicas: 7, budgetYuanPerHour: Infinity });
    expect(p.replicas).toEqual({ 'gov-1': 4, 'ali-burst': 5, 'hw-burst': 2 });
    expect(p.unplaced).toBe(9);
    expect(p.burstHeldBack).toBe(9);
  });

  it('caps the cost per hour: a ¥1/h budget buys six replicas at ¥0.15/h', () => {
    const p = placeLimited(20, { maxReplicas: Infinity, budgetYuanPerHour: 1 });
    expect(p.replicas).toEqual({ 'gov-1': 4, 'ali-burst': 5, 'hw-burst': 1 });
    expect(p.burstHeldBack).toBe(10);
  });

  it('a closed window (allowance 0) keeps every replica off burst clusters and names the reason', () => {
    const p = placeLimited(20, { maxReplicas: 0, budgetYuanPerHour: 0 });
    expect(p.replicas).toEqual({ 'gov-1': 4 });
    expect(p.excluded.find((e) => e.cluster === 'ali-burst')?.reason).toMatch(/held back by the burst limits/);
  });

  it('takes back replicas beyond a lowered allowance, the last declared burst cluster first', () => {
    const current = { web: { 'gov-1': 4, 'ali-burst': 5, 'hw-burst': 6 } };
    // `free` already counts the current replicas.
    const full = clusters.map((c) => ({ ...c, free: roomFor(c.name === 'hw-burst' ? 44 : 0) }));
    const d = place(
      withAllowance(request([demand('web', 15)], { policy: bursting, current }), {
        maxReplicas: 6,
        budgetYuanPerHour: Infinity,
      }),
      full,
    );
    expect(d.components.web!.replicas).toEqual({ 'gov-1': 4, 'ali-burst': 5, 'hw-burst': 1 });
    expect(d.components.web!.unplaced).toBe(5);
  });

  it('shares one allowance between the components of an application', () => {
    const d = place(
      withAllowance(request([demand('web', 10), demand('api', 10)], { policy: bursting }), {
        maxReplicas: 8,
        budgetYuanPerHour: Infinity,
      }),
      clusters,
    );
    const onBurst = (c: string) =>
      (d.components[c]!.replicas['ali-burst'] ?? 0) + (d.components[c]!.replicas['hw-burst'] ?? 0);
    expect(onBurst('web') + onBurst('api')).toBe(8);
  });

  it('residency wins: an extranet-only application never bursts, whatever the allowance', () => {
    const d = place(
      withAllowance(
        request([demand('web', 20)], { policy: bursting, residency: residency({ networkZones: ['e-gov-extranet'] }) }),
        { maxReplicas: 100, budgetYuanPerHour: 100 },
      ),
      clusters,
    );
    expect(d.components.web!.replicas).toEqual({ 'gov-1': 4 });
  });
});

describe('burstAllowance', () => {
  const now = Date.parse('2026-06-15T01:30:00Z'); // 09:30 in Asia/Shanghai

  it('is unlimited without limits', () => {
    expect(burstAllowance({ departmentUse: { replicas: 3, yuanPerHour: 1 }, now })).toEqual({ limits: [] });
  });

  it('takes the tighter of the application’s limits and what the department leaves after its other applications', () => {
    const d = burstAllowance({
      application: { maxReplicas: 20, budgetYuanPerHour: 10 },
      department: { maxReplicas: 30, budgetYuanPerHour: 12 },
      departmentUse: { replicas: 25, yuanPerHour: 4 },
      now,
    });
    expect(d.allowance).toEqual({ maxReplicas: 5, budgetYuanPerHour: 8 });
    expect(d.limits).toHaveLength(4);
  });

  it('never goes below zero when others already use more than the department allows', () => {
    const d = burstAllowance({
      department: { maxReplicas: 10 },
      departmentUse: { replicas: 12, yuanPerHour: 0 },
      now,
    });
    expect(d.allowance?.maxReplicas).toBe(0);
  });

  it('allows bursting only inside the windows, read in their time zone', () => {
    const morning = {
      windows: [{ name: 'enrolment', cron: '0 8 * * *', timezone: 'Asia/Shanghai', durationMinutes: 240 }],
    };
    expect(burstAllowance({ application: morning, departmentUse: { replicas: 0, yuanPerHour: 0 }, now }).closed).toBe(
      undefined,
    );
    const evening = Date.parse('2026-06-15T12:00:00Z'); // 20:00 in Shanghai
    const closed = burstAllowance({
      application: morning,
      departmentUse: { replicas: 0, yuanPerHour: 0 },
      now: evening,
    });
    expect(closed.allowance).toEqual({ maxReplicas: 0, budgetYuanPerHour: 0 });
    expect(closed.closed).toContain('enrolment');
  });

  it('validates limits: shape by schema, cron and time zone by name', () => {
    expect(burstLimitsSchema.safeParse({ maxReplicas: -1 }).success).toBe(false);
    expect(
      burstWindowCauses({ windows: [{ cron: '61 * * * *', timezone: 'Mars/Base', durationMinutes: 5 }] }, 'spec.burst'),
    ).toEqual([
      expect.objectContaining({ path: 'spec.burst.windows[0].cron' }),
      expect.objectContaining({ path: 'spec.burst.windows[0].timezone' }),
    ]);
  });
});
