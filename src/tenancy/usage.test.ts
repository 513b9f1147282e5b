import { describe, expect, it } from 'vitest';
import { guaranteeWarnings } from './share-warnings.ts';
import type { ApplicationHolding } from './usage.ts';
import { departmentSharing, departmentUsage } from './usage.ts';

const GI = 1024 ** 3;
const clusters = new Map([
  ['gov-east', { role: 'primary' }],
  ['gov-west', { role: 'secondary' }],
  ['burst-aliyun', { role: 'burst' }],
]);
const app = (placement: ApplicationHolding['placement'], sharing?: ApplicationHolding['sharing']) => ({
  requested: { cpu: 0, memory: 0, storage: 0, applications: 1 },
  perReplica: { web: { cpuMilli: 2000, memoryBytes: 4 * GI }, api: { cpuMilli: 1000, memoryBytes: GI } },
  placement,
  ...(sharing ? { sharing } : {}),
});

describe('a department’s share of the private cloud in its usage report', () => {
  it('counts only private replicas against the guarantee, shows what is borrowed beyond it and marks it over', () => {
    const u = departmentUsage(
      'edu',
      { quota: { cpu: '16', memory: '64Gi' }, sharing: { borrowingLimit: { cpu: '8', memory: '32Gi' } } },
      [
        app(
          { web: { 'gov-east': 5, 'gov-west': 4, 'burst-aliyun': 3 } },
          {
            components: {
              web: { guaranteed: 8, borrowed: 1, limited: 2, reason: 'QuotaLimited' },
              api: { guaranteed: 0, borrowed: 0, limited: 1, reason: 'CapacityLimited' },
            },
          },
        ),
        app(
          { api: { 'gov-east': 2 } },
          { components: { api: { guaranteed: 2, borrowed: 0, limited: 3, reason: 'QuotaLimited' } } },
        ),
      ],
      clusters,
    );
    // Private: 9 × 2 cores + 2 × 1 core = 20 cores; 9 × 4 GiB + 2 × 1 GiB = 38 GiB. Burst replicas do not count.
    expect(u.sharing).toEqual({
      guarantee: { cpu: 16, memory: 64 * GI },
      borrowingLimit: { cpu: 8, memory: 32 * GI },
      privatePlaced: { cpu: 20, memory: 38 * GI },
      borrowed: { cpu: 4, memory: 0 },
      percent: 125,
      heldBack: { replicas: 6, byReason: { QuotaLimited: 5, CapacityLimited: 1 } },
      level: 'over',
    });
  });

  it('takes the larger of cpu and memory for the percentage, and is near its share from 90%', () => {
    const placed = (cpuMilli: number, memoryBytes: number) =>
      departmentSharing(
        { quota: { cpu: '10', memory: '100Gi' } },
        { cpuMilli, memoryBytes },
        {
          replicas: 0,
          byReason: {},
        },
      );
    expect(placed(5000, 92 * GI)).toMatchObject({ percent: 92, level: 'near', borrowed: { cpu: 0, memory: 0 } });
    expect(placed(9000, 10 * GI)).toMatchObject({ percent: 90, level: 'near' });
    expect(placed(8990, 10 * GI)).toMatchObject({ percent: 89.9, level: 'ok' });
    expect(placed(10_000, 100 * GI)).toMatchObject({ percent: 100, level: 'near' });
    expect(placed(11_250, 10 * GI)).toMatchObject({ percent: 112.5, level: 'over', borrowed: { cpu: 1.25 } });
  });

  it('gives a department with a quota a borrowing limit of zero by default, and one without a quota no limits', () => {
    const none = { replicas: 0, byReason: {} };
    expect(departmentSharing({ quota: { cpu: '4' } }, { cpuMilli: 0, memoryBytes: 0 }, none)).toEqual({
      guarantee: { cpu: 4 },
      borrowingLimit: { cpu: 0, memory: 0 },
      privatePlaced: { cpu: 0, memory: 0 },
      borrowed: { cpu: 0, memory: 0 },
      percent: 0,
      heldBack: none,
      level: 'ok',
    });
    const free = departmentSharing(undefined, { cpuMilli: 50_000, memoryBytes: GI }, none);
    expect(free).toEqual({
      guarantee: {},
      borrowingLimit: {},
      privatePlaced: { cpu: 50, memory: GI },
      borrowed: { cpu: 0, memory: 0 },
      heldBack: none,
      level: 'ok',
    });
  });

  it('shows anything placed on a zero guarantee as borrowed, without a percentage', () => {
    const s = departmentSharing(
      { quota: { cpu: '0' } },
      { cpuMilli: 500, memoryBytes: 0 },
      { replicas: 0, byReason: {} },
    );
    expect(s).toMatchObject({ borrowed: { cpu: 0.5 }, level: 'over' });
    expect(s.percent).toBeUndefined();
  });
});

describe('the warning that the guarantees exceed the healthy private capacity', () => {
  const healthy = (cpu: number, mem: number, more: object = {}) => ({
    role: 'primary',
    health: 'Ready',
    allocatable: { cpuMilli: cpu * 1000, memoryBytes: mem * GI },
    ...more,
  });
  const tenants = [{ quota: { cpu: '64', memory: '256Gi' } }, { quota: { cpu: '48', memory: '64Gi' } }, {}];

  it('names the figures when the guarantees add up to more than the healthy private clusters hold', () => {
    const w = guaranteeWarnings(tenants, [
      healthy(64, 256),
      healthy(64, 256, { health: 'Unreachable' }),
      healthy(32, 128, { cordoned: true }),
      { role: 'burst', health: 'Ready', allocatable: { cpuMilli: 1_000_000, memoryBytes: 1000 * GI } },
    ]);
    expect(w).toHaveLength(1);
    expect(w[0]!.reason).toBe('GuaranteesOvercommitted');
    expect(w[0]!.params).toEqual({
      guaranteeCpu: 112,
      guaranteeMemory: 320 * GI,
      capacityCpu: 64,
      capacityMemory: 256 * GI,
      clusters: 1,
    });
    expect(w[0]!.message).toContain('112 cores');
  });

  it('is silent when they fit, and while a private cluster has not been probed', () => {
    expect(guaranteeWarnings(tenants, [healthy(64, 256), healthy(64, 256, { health: 'Suspect' })])).toEqual([]);
    expect(guaranteeWarnings(tenants, [healthy(64, 256), { role: 'primary', health: 'Unknown' }])).toEqual([]);
  });
});
