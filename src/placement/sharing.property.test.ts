import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Priority, SharingDemand, SharingDepartment, SharingInput } from './sharing.ts';
import { PRIORITIES, departmentShare, grantKey, shareCapacity } from './sharing.ts';

const CORE = 1000;
const GIB = 1024 ** 3;

/** Departments with guarantees adding up to at most the capacity, demands of several sizes and priorities. */
const scenario = fc
  .record({
    depts: fc.array(
      fc.record({
        g: fc.integer({ min: 0, max: 16 }),
        b: fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    spare: fc.integer({ min: 0, max: 32 }),
    demands: fc.array(
      fc.record({
        dept: fc.nat(),
        app: fc.integer({ min: 0, max: 5 }),
        cpu: fc.constantFrom(100, 250, 500, 1000, 2000),
        memGiB: fc.constantFrom(0.125, 0.5, 1, 2),
        replicas: fc.integer({ min: 0, max: 60 }),
        privateNow: fc.integer({ min: 0, max: 60 }),
        priority: fc.constantFrom<Priority>(...PRIORITIES),
      }),
      { maxLength: 14 },
    ),
  })
  .map(({ depts, spare, demands }): SharingInput => {
    const departments: SharingDepartment[] = depts.map((d, i) => ({
      name: `d${i}`,
      guarantee: { cpuMilli: d.g * CORE, memoryBytes: d.g * 4 * GIB },
      borrowingLimit: d.b === undefined ? {} : { cpuMilli: d.b * CORE, memoryBytes: d.b * 4 * GIB },
    }));
    const sum = depts.reduce((s, d) => s + d.g, 0);
    return {
      capacity: { cpuMilli: (sum + spare) * CORE, memoryBytes: (sum + spare) * 4 * GIB },
      departments,
      demands: demands.map((d, i): SharingDemand => ({
        app: `${departments[d.dept % departments.length]!.name}/a${d.app}`,
        component: `c${i}`,
        department: departments[d.dept % departments.length]!.name,
        priority: d.priority,
        perReplica: { cpuMilli: d.cpu, memoryBytes: d.memGiB * GIB },
        replicas: d.replicas,
        privateNow: d.privateNow,
      })),
    };
  });

function used(input: SharingInput, dept: string, pick: (g: { guaranteed: number; borrowed: number }) => number) {
  const d = shareCapacity(input);
  let cpu = 0;
  let mem = 0;
  for (const x of input.demands) {
    if (x.department !== dept) continue;
    const n = pick(d.grants.get(grantKey(x.app, x.component))!);
    cpu += n * x.perReplica.cpuMilli;
    mem += n * x.perReplica.memoryBytes;
  }
  return { cpu, mem };
}

function demandOf(input: SharingInput, dept: string) {
  let cpu = 0;
  let mem = 0;
  for (const x of input.demands)
    if (x.department === dept) {
      cpu += x.replicas * x.perReplica.cpuMilli;
      mem += x.replicas * x.perReplica.memoryBytes;
    }
  return { cpu, mem };
}

describe('fair sharing of the private cloud', () => {
  it('leaves no department within its guarantee short, when capacity covers the guarantees', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const d = shareCapacity(input);
        for (const dept of input.departments) {
          const want = demandOf(input, dept.name);
          if (want.cpu > dept.guarantee.cpuMilli! || want.mem > dept.guarantee.memoryBytes!) continue;
          for (const x of input.demands.filter((x) => x.department === dept.name)) {
            const g = d.grants.get(grantKey(x.app, x.component))!;
            expect(g.guaranteed + g.borrowed).toBe(x.replicas);
            expect(g.guaranteed).toBe(x.replicas);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never grants a department more than its guarantee plus its borrowing limit, nor more than the capacity', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        let cpu = 0;
        let mem = 0;
        for (const dept of input.departments) {
          const all = used(input, dept.name, (g) => g.guaranteed + g.borrowed);
          cpu += all.cpu;
          mem += all.mem;
          const g = used(input, dept.name, (g) => g.guaranteed);
          expect(g.cpu).toBeLessThanOrEqual(dept.guarantee.cpuMilli! + 1e-6);
          if (dept.borrowingLimit.cpuMilli !== undefined) {
            expect(all.cpu).toBeLessThanOrEqual(dept.guarantee.cpuMilli! + dept.borrowingLimit.cpuMilli + 1e-6);
            expect(all.mem).toBeLessThanOrEqual(dept.guarantee.memoryBytes! + dept.borrowingLimit.memoryBytes! + 1e-6);
          }
        }
        expect(cpu).toBeLessThanOrEqual(input.capacity.cpuMilli + 1e-6);
        expect(mem).toBeLessThanOrEqual(input.capacity.memoryBytes + 1e-6);
      }),
      { numRuns: 300 },
    );
  });

  it('takes borrowed replicas back before any guaranteed one: a lender growing within its guarantee gets it all', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), (input, pick) => {
        // Whatever others borrow and hold now, a department's demand within its guarantee is granted in full.
        const dept = input.departments[pick % input.departments.length]!;
        const mine = input.demands.filter((x) => x.department === dept.name);
        const want = demandOf(input, dept.name);
        if (want.cpu > dept.guarantee.cpuMilli! || want.mem > dept.guarantee.memoryBytes!) return;
        const others = input.demands.map((x) => (x.department === dept.name ? x : { ...x, privateNow: x.replicas }));
        const d = shareCapacity({ ...input, demands: others });
        for (const x of mine) expect(d.grants.get(grantKey(x.app, x.component))!.guaranteed).toBe(x.replicas);
      }),
      { numRuns: 300 },
    );
  });

  it('orders who yields by priority inside a department', () => {
    const input: SharingInput = {
      capacity: { cpuMilli: 100 * CORE, memoryBytes: 400 * GIB },
      departments: [{ name: 'edu', guarantee: { cpuMilli: 4 * CORE }, borrowingLimit: { cpuMilli: 0 } }],
      demands: (['preemptible', 'normal', 'critical'] as const).map((priority, i) => ({
        app: `edu/${priority}`,
        component: 'web',
        department: 'edu',
        priority,
        perReplica: { cpuMilli: CORE, memoryBytes: GIB },
        replicas: 2,
        privateNow: i === 0 ? 2 : 0,
      })),
    };
    const d = shareCapacity(input);
    expect(d.grants.get('edu/critical/web')).toEqual({ guaranteed: 2, borrowed: 0 });
    expect(d.grants.get('edu/normal/web')).toEqual({ guaranteed: 2, borrowed: 0 });
    expect(d.grants.get('edu/preemptible/web')).toEqual({ guaranteed: 0, borrowed: 0, reason: 'QuotaLimited' });
  });

  it('lends idle capacity, then takes it back for the lender', () => {
    const base = (taxWants: number, eduHolds: number): SharingInput => ({
      capacity: { cpuMilli: 10 * CORE, memoryBytes: 100 * GIB },
      departments: [
        { name: 'edu', guarantee: { cpuMilli: 4 * CORE }, borrowingLimit: { cpuMilli: 6 * CORE } },
        { name: 'tax', guarantee: { cpuMilli: 6 * CORE }, borrowingLimit: { cpuMilli: 0 } },
      ],
      demands: [
        {
          app: 'edu/portal',
          component: 'web',
          department: 'edu',
          priority: 'normal',
          perReplica: { cpuMilli: CORE, memoryBytes: GIB },
          replicas: 100,
          privateNow: eduHolds,
        },
        {
          app: 'tax/invoice',
          component: 'api',
          department: 'tax',
          priority: 'normal',
          perReplica: { cpuMilli: CORE, memoryBytes: GIB },
          replicas: taxWants,
          privateNow: 0,
        },
      ],
    });
    const idle = shareCapacity(base(0, 0));
    expect(idle.grants.get('edu/portal/web')).toEqual({ guaranteed: 4, borrowed: 6, reason: 'QuotaLimited' });
    const busy = shareCapacity(base(5, 10));
    expect(busy.grants.get('tax/invoice/api')).toEqual({ guaranteed: 5, borrowed: 0 });
    expect(busy.grants.get('edu/portal/web')).toEqual({ guaranteed: 4, borrowed: 1, reason: 'CapacityLimited' });
  });

  it('is deterministic whatever order the demands and departments come in', () => {
    fc.assert(
      fc.property(scenario, fc.integer(), (input, seed) => {
        const shuffle = <T>(xs: readonly T[]) =>
          xs
            .map((x, i) => ({ x, k: (Math.imul(i + 1, 2654435761) ^ seed) >>> 0 }))
            .sort((a, b) => a.k - b.k)
            .map((p) => p.x);
        const a = shareCapacity(input);
        const b = shareCapacity({ ...input, demands: shuffle(input.demands), departments: shuffle(input.departments) });
        expect([...b.grants].sort()).toEqual([...a.grants].sort());
      }),
      { numRuns: 200 },
    );
  });

  it('warns when the guarantees add up to more than the capacity', () => {
    const d = shareCapacity({
      capacity: { cpuMilli: 8 * CORE, memoryBytes: 64 * GIB },
      departments: [
        { name: 'a', guarantee: { cpuMilli: 6 * CORE }, borrowingLimit: {} },
        { name: 'b', guarantee: { cpuMilli: 6 * CORE }, borrowingLimit: {} },
      ],
      demands: [],
    });
    expect(d.overcommitted).toBe(true);
  });

  it('is, uncontended, each department’s own split: what the ledger computes without the whole decision', () => {
    fc.assert(
      fc.property(scenario, (input) => {
        const sum = (ds: readonly SharingDemand[], k: 'cpuMilli' | 'memoryBytes') =>
          ds.reduce((s, d) => s + d.replicas * d.perReplica[k], 0);
        if (sum(input.demands, 'cpuMilli') > input.capacity.cpuMilli) return;
        if (sum(input.demands, 'memoryBytes') > input.capacity.memoryBytes) return;
        for (const dept of input.departments) {
          const mine = input.demands.filter((d) => d.department === dept.name);
          const limit = (k: 'cpuMilli' | 'memoryBytes') =>
            dept.borrowingLimit[k] === undefined ? Infinity : dept.guarantee[k]! + dept.borrowingLimit[k]!;
          if (sum(mine, 'cpuMilli') > limit('cpuMilli') || sum(mine, 'memoryBytes') > limit('memoryBytes')) return;
        }
        const whole = shareCapacity(input);
        for (const dept of input.departments) {
          const own = departmentShare(dept, input.demands);
          for (const [key, g] of own.grants) expect(whole.grants.get(key)).toEqual(g);
        }
      }),
      { numRuns: 400 },
    );
  });
});
