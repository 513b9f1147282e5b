import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AllocationPolicy, ClusterInterval, MeteredUse, SharedPool } from './allocation.ts';
import { allocateCluster, linesTotal } from './allocation.ts';
import { dailyShare, largestRemainder } from './largest-remainder.ts';

const tenants = ['edu', 'tax', 'health', 'hr', 'platform'];
const money = fc.double({ min: 0, max: 5, noNaN: true, noDefaultInfinity: true });
const hours = fc.double({ min: 0, max: 5000, noNaN: true, noDefaultInfinity: true });

const use: fc.Arbitrary<MeteredUse> = fc.record(
  {
    tenant: fc.constantFrom(...tenants),
    app: fc.constantFrom('web', 'api', 'db', 'batch'),
    component: fc.constantFrom('main', 'worker', 'cache'),
    coreHours: hours,
    memoryGiBHours: hours,
    storageGiBHours: hours,
    pool: fc.constantFrom('pg-shared', 'redis-shared', 'platform'),
  },
  { requiredKeys: ['tenant', 'app', 'component', 'coreHours', 'memoryGiBHours', 'storageGiBHours'] },
);

const pool = (name: string): fc.Arbitrary<SharedPool> =>
  fc.record({
    name: fc.constant(name),
    owner: fc.constant('platform'),
    members: fc.subarray(tenants.slice(0, 4)),
    rule: fc.constantFrom('even' as const, 'use' as const, 'weights' as const),
    weights: fc.dictionary(fc.constantFrom(...tenants), fc.integer({ min: 0, max: 10 })),
  });

const interval: fc.Arbitrary<ClusterInterval> = fc.record({
  cluster: fc.constant('c1'),
  hours: fc.constant(24),
  hoursInMonth: fc.constantFrom(672, 696, 720, 744),
  capacity: fc.record({ coreHours: hours, memoryGiBHours: hours }),
  prices: fc.record({
    cpuCoreHour: money,
    memoryGiBHour: money,
    storageGiBMonth: money,
    burstPremiumPercent: fc.integer({ min: 0, max: 100 }),
    billing: fc.constantFrom('capacity' as const, 'usage' as const),
  }),
  burst: fc.boolean(),
  fixedFen: fc.integer({ min: 0, max: 10_000_000 }),
  uses: fc.array(use, { maxLength: 30 }),
});

const policy: fc.Arbitrary<AllocationPolicy> = fc
  .record({
    idle: fc.constantFrom('line' as const, 'spread' as const),
    pools: fc.tuple(pool('pg-shared'), pool('redis-shared'), pool('platform'), fc.boolean()),
  })
  .map(({ idle, pools: [a, b, c, knowPlatform] }) => ({
    idle,
    pools: new Map((knowPlatform ? [a, b, c] : [a, b]).map((p) => [p.name, p] as const)),
  }));

describe('cost allocation', () => {
  it('adds allocations, idle and shared up to the cluster total to the fen, for any estate, prices and split rules', () => {
    fc.assert(
      fc.property(interval, policy, (c, pol) => {
        const a = allocateCluster(c, pol);
        expect(Number.isSafeInteger(a.totalFen)).toBe(true);
        expect(a.totalFen).toBeGreaterThanOrEqual(0);
        for (const l of a.lines) {
          expect(Number.isSafeInteger(l.fen)).toBe(true);
          expect(l.fen).toBeGreaterThan(0);
        }
        expect(linesTotal(a.lines)).toBe(a.totalFen);
        // Nothing pooled stays with a component: pooled cost only ever appears as shared lines.
        const pooled = new Set(c.uses.filter((u) => u.pool).map((u) => `${u.tenant}/${u.app}/${u.component}`));
        const unpooled = new Set(c.uses.filter((u) => !u.pool).map((u) => `${u.tenant}/${u.app}/${u.component}`));
        for (const l of a.lines)
          if (l.item !== 'shared' && l.item !== 'idle')
            expect(
              unpooled.has(`${l.tenant}/${l.app}/${l.component}`) || !pooled.has(`${l.tenant}/${l.app}/${l.component}`),
            ).toBe(true);
        // Idle on its own line only when the policy keeps it there (or no department has use to spread it by).
        if (pol.idle === 'line')
          expect(a.lines.filter((l) => l.item === 'idle').every((l) => l.tenant === '')).toBe(true);
      }),
      { numRuns: 2000, seed: 17 },
    );
  });

  it('charges a private cluster capacity × prices + fixed, and shows what nobody uses as idle (worked example)', () => {
    // docs/operations.md's worked example: 100 cores and 400 GiB for a day at ¥0.12 and ¥0.016, ¥3,000 a month fixed.
    const a = allocateCluster(
      {
        cluster: 'city-east',
        hours: 24,
        hoursInMonth: 720,
        capacity: { coreHours: 2400, memoryGiBHours: 9600 },
        prices: {
          cpuCoreHour: 0.12,
          memoryGiBHour: 0.016,
          storageGiBMonth: 0.3,
          burstPremiumPercent: 0,
          billing: 'capacity',
        },
        burst: false,
        fixedFen: dailyShare(300_000, 1, 30),
        uses: [
          { tenant: 'edu', app: 'enrol', component: 'web', coreHours: 480, memoryGiBHours: 1920, storageGiBHours: 0 },
          {
            tenant: 'tax',
            app: 'invoice',
            component: 'api',
            coreHours: 960,
            memoryGiBHours: 1920,
            storageGiBHours: 2400,
          },
          {
            tenant: 'platform',
            app: 'pg',
            component: 'db',
            coreHours: 240,
            memoryGiBHours: 960,
            storageGiBHours: 0,
            pool: 'pg',
          },
        ],
      },
      {
        idle: 'line',
        pools: new Map([['pg', { name: 'pg', owner: 'platform', members: ['edu', 'tax'], rule: 'even' as const }]]),
      },
    );
    // Capacity 2400 × 0.12 + 9600 × 0.016 = ¥441.60; fixed ¥100/day; storage 2400 GiB-h × 0.3/720 = ¥1.00.
    expect(a.totalFen).toBe(44_160 + 10_000 + 100);
    const sum = (tenant: string, item?: string) =>
      a.lines.filter((l) => l.tenant === tenant && (!item || l.item === item)).reduce((s, l) => s + l.fen, 0);
    // edu: 480 × 0.12 + 1920 × 0.016 = ¥88.32, fixed share (0.2 + 0.2)/2 × ¥100 = ¥20.
    expect(sum('edu', 'cpu') + sum('edu', 'memory')).toBe(8_832);
    expect(sum('edu', 'fixed')).toBe(2_000);
    // tax: 960 × 0.12 + 1920 × 0.016 = ¥145.92, fixed (0.4 + 0.2)/2 × ¥100 = ¥30, storage ¥1.
    expect(sum('tax', 'cpu') + sum('tax', 'memory') + sum('tax', 'fixed') + sum('tax', 'storage')).toBe(
      14_592 + 3_000 + 100,
    );
    // The shared PostgreSQL: 240 × 0.12 + 960 × 0.016 = ¥44.16, fixed (0.1 + 0.1)/2 × ¥100 = ¥10, evenly: ¥27.08 each.
    expect(sum('edu', 'shared')).toBe(2_708);
    expect(sum('tax', 'shared')).toBe(2_708);
    // Idle: ¥541.60 − 88.32 − 20 − 145.92 − 30 − 54.16 = ¥203.20.
    expect(sum('', 'idle')).toBe(20_320);
    expect(linesTotal(a.lines)).toBe(a.totalFen);
  });

  it('spreads idle by share of use when asked, and splits by fixed weights', () => {
    const base: ClusterInterval = {
      cluster: 'c',
      hours: 24,
      hoursInMonth: 720,
      capacity: { coreHours: 100, memoryGiBHours: 0 },
      prices: { cpuCoreHour: 1, memoryGiBHour: 0, storageGiBMonth: 0, burstPremiumPercent: 0, billing: 'capacity' },
      burst: false,
      fixedFen: 0,
      uses: [
        { tenant: 'a', app: 'x', component: 'm', coreHours: 30, memoryGiBHours: 0, storageGiBHours: 0 },
        { tenant: 'b', app: 'y', component: 'm', coreHours: 10, memoryGiBHours: 0, storageGiBHours: 0 },
        {
          tenant: 'platform',
          app: 'mq',
          component: 'm',
          coreHours: 10,
          memoryGiBHours: 0,
          storageGiBHours: 0,
          pool: 'mq',
        },
      ],
    };
    const a = allocateCluster(base, {
      idle: 'spread',
      pools: new Map([
        [
          'mq',
          { name: 'mq', owner: 'platform', members: ['a', 'b'], rule: 'weights' as const, weights: { a: 1, b: 3 } },
        ],
      ]),
    });
    const of = (t: string, item: string) => a.lines.find((l) => l.tenant === t && l.item === item)?.fen ?? 0;
    expect(of('a', 'shared')).toBe(250);
    expect(of('b', 'shared')).toBe(750);
    // ¥50 idle spread 3:1 by direct use.
    expect(of('a', 'idle')).toBe(3_750);
    expect(of('b', 'idle')).toBe(1_250);
    expect(a.lines.some((l) => l.tenant === '')).toBe(false);
    expect(linesTotal(a.lines)).toBe(10_000);
  });

  it('largest remainder sums exactly and gives leftovers to the largest fractions', () => {
    expect(largestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(largestRemainder(100, [0.5, 0.25, 0.25])).toEqual([50, 25, 25]);
    expect(largestRemainder(7, [0, 0])).toEqual([4, 3]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.double({ min: 0, max: 1e9, noNaN: true }), { minLength: 1 }),
        (t, w) => {
          const parts = largestRemainder(t, w);
          expect(parts.reduce((s, x) => s + x, 0)).toBe(t);
          expect(parts.every((x) => Number.isSafeInteger(x) && x >= 0)).toBe(true);
        },
      ),
      { seed: 17 },
    );
    let month = 0;
    for (let d = 1; d <= 31; d++) month += dailyShare(1_000_001, d, 31);
    expect(month).toBe(1_000_001);
  });
});
