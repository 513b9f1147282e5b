import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../kernel/errors.ts';
import {
  type Quota,
  type ResourceUsage,
  ZERO_USAGE,
  addUsage,
  exceededDimensions,
  growsUsage,
  quotaMessage,
  quotaViolations,
  subtractUsage,
} from './quota.ts';

const GI = 2 ** 30;

function usage(u: Partial<ResourceUsage>): ResourceUsage {
  return { ...ZERO_USAGE, ...u };
}

const usageArb = fc.record({
  cpu: fc.integer({ min: 0, max: 1_000_000 }),
  memory: fc.integer({ min: 0, max: 2 ** 45 }),
  storage: fc.integer({ min: 0, max: 2 ** 45 }),
  applications: fc.integer({ min: 0, max: 1000 }),
});

const quotaArb: fc.Arbitrary<Quota> = fc.record(
  {
    cpu: fc.integer({ min: 0, max: 1_000_000 }).map((m) => `${m}m`),
    memory: fc.integer({ min: 0, max: 2 ** 45 }).map(String),
    storage: fc.integer({ min: 0, max: 2 ** 25 }).map((k) => `${k}Ki`),
    applications: fc.integer({ min: 0, max: 1000 }),
  },
  { requiredKeys: [] },
);

describe('usage arithmetic', () => {
  it('adds and subtracts per dimension', () => {
    const a = usage({ cpu: 500, memory: GI, storage: 2 * GI, applications: 1 });
    const b = usage({ cpu: 250, memory: GI, applications: 2 });
    expect(addUsage(a, b)).toEqual({
      cpu: 750,
      memory: 2 * GI,
      storage: 2 * GI,
      applications: 3,
    });
    expect(subtractUsage(a, b)).toEqual({
      cpu: 250,
      memory: 0,
      storage: 2 * GI,
      applications: -1,
    });
  });

  it('treats ZERO_USAGE as the identity and cannot be mutated', () => {
    fc.assert(
      fc.property(usageArb, (u) => {
        expect(addUsage(u, ZERO_USAGE)).toEqual(u);
        expect(subtractUsage(addUsage(u, u), u)).toEqual(u);
      }),
    );
    expect(Object.isFrozen(ZERO_USAGE)).toBe(true);
  });
});

describe('exceededDimensions', () => {
  const quota: Quota = {
    cpu: '20',
    memory: '64Gi',
    storage: '1Ti',
    applications: 10,
  };

  it('lists nothing when every dimension fits, including landing exactly on the limit', () => {
    expect(exceededDimensions(quota, usage({ cpu: 19_000 }), usage({ cpu: 1000 }))).toEqual([]);
    expect(exceededDimensions(quota, usage({ applications: 9 }), usage({ applications: 1 }))).toEqual([]);
  });

  it('names each dimension that would go over, with figures as quantities', () => {
    const used = usage({ cpu: 19_000, memory: 60 * GI, applications: 10 });
    const requested = usage({
      cpu: 2500,
      memory: 8 * GI,
      storage: GI,
      applications: 1,
    });
    expect(exceededDimensions(quota, used, requested)).toEqual([
      { dimension: 'cpu', limit: '20', used: '19', requested: '2500m' },
      { dimension: 'memory', limit: '64Gi', used: '60Gi', requested: '8Gi' },
      { dimension: 'applications', limit: '10', used: '10', requested: '1' },
    ]);
  });

  it('treats an absent dimension as unlimited', () => {
    expect(exceededDimensions({}, usage({ cpu: 1e9 }), usage({ cpu: 1e9, applications: 1e6 }))).toEqual([]);
    expect(exceededDimensions({ memory: '1Gi' }, ZERO_USAGE, usage({ cpu: 1e9, memory: GI + 1 }))).toEqual([
      { dimension: 'memory', limit: '1Gi', used: '0', requested: '1073741825' },
    ]);
  });

  it('does not blame a dimension the request does not grow, even if it is already over', () => {
    const used = usage({ cpu: 30_000 });
    expect(exceededDimensions(quota, used, ZERO_USAGE)).toEqual([]);
    expect(exceededDimensions(quota, used, usage({ cpu: -1000 }))).toEqual([]);
    expect(exceededDimensions(quota, used, usage({ cpu: 1 }))).toHaveLength(1);
  });

  it('treats a zero limit as allowing nothing', () => {
    expect(exceededDimensions({ applications: 0 }, ZERO_USAGE, usage({ applications: 1 }))).toEqual([
      { dimension: 'applications', limit: '0', used: '0', requested: '1' },
    ]);
  });

  it('accepts quantities written as plain numbers', () => {
    expect(exceededDimensions({ cpu: 2, memory: 1024 }, ZERO_USAGE, usage({ cpu: 2001, memory: 1025 }))).toEqual([
      { dimension: 'cpu', limit: '2', used: '0', requested: '2001m' },
      { dimension: 'memory', limit: '1Ki', used: '0', requested: '1025' },
    ]);
  });

  it('refuses a malformed quota with the path of the bad field', () => {
    const bad = (q: Quota) => () => exceededDimensions(q, ZERO_USAGE, usage({ cpu: 1 }));
    expect(bad({ cpu: 'lots' })).toThrow(InputError);
    try {
      bad({ memory: '1GB' })();
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).causes[0]!.path).toBe('spec.quota.memory');
    }
    try {
      bad({ applications: -1 })();
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).causes).toEqual([
        {
          path: 'spec.quota.applications',
          message: 'expected a whole number of applications such as 10, got -1',
        },
      ]);
    }
  });
});

describe('quotaViolations', () => {
  const quota: Quota = { cpu: '20', memory: '64Gi', applications: 10 };

  it('checks a create as growth from nothing', () => {
    const others = usage({ cpu: 19_000, applications: 3 });
    expect(quotaViolations(quota, others, ZERO_USAGE, usage({ cpu: 1000, applications: 1 }))).toEqual([]);
    expect(quotaViolations(quota, others, ZERO_USAGE, usage({ cpu: 2500, applications: 1 }))).toEqual([
      { dimension: 'cpu', limit: '20', used: '19', requested: '2500m' },
    ]);
  });

  it('reports an update as the growth on top of what is in use, this object included', () => {
    const others = usage({ cpu: 18_000 });
    const before = usage({ cpu: 1000 });
    const after = usage({ cpu: 3500 });
    expect(quotaViolations(quota, others, before, after)).toEqual([
      { dimension: 'cpu', limit: '20', used: '19', requested: '2500m' },
    ]);
  });

  it('always allows a change that lowers usage, even when the department is already over quota', () => {
    const others = usage({ cpu: 40_000, memory: 100 * GI, applications: 12 });
    const before = usage({ cpu: 4000, memory: 8 * GI, applications: 1 });
    expect(quotaViolations(quota, others, before, usage({ cpu: 2000, memory: 4 * GI, applications: 1 }))).toEqual([]);
    expect(quotaViolations(quota, others, before, ZERO_USAGE)).toEqual([]); // delete
    expect(quotaViolations(quota, others, before, before)).toEqual([]); // an edit that changes no usage
  });

  it('refuses only the dimension that grows when the department is already over', () => {
    const others = usage({ cpu: 40_000, memory: 100 * GI });
    const before = usage({ cpu: 4000, memory: 8 * GI });
    const after = usage({ cpu: 2000, memory: 9 * GI });
    expect(quotaViolations(quota, others, before, after)).toEqual([
      { dimension: 'memory', limit: '64Gi', used: '108Gi', requested: '1Gi' },
    ]);
  });

  it('allows exactly the changes that shrink a dimension or end within its limit', () => {
    fc.assert(
      fc.property(quotaArb, usageArb, usageArb, usageArb, (q, others, before, after) => {
        const refused = new Set(quotaViolations(q, others, before, after).map((v) => v.dimension));
        for (const d of ['cpu', 'memory', 'storage', 'applications'] as const) {
          const limit = q[d] === undefined ? Infinity : limitOf(q, d);
          const grows = after[d] > before[d];
          expect(refused.has(d)).toBe(grows && others[d] + after[d] > limit);
        }
      }),
    );
  });
});

describe('growsUsage', () => {
  it('is false exactly when no quota, however small or exceeded, can refuse the change', () => {
    fc.assert(
      fc.property(quotaArb, usageArb, usageArb, usageArb, (q, others, before, after) => {
        if (!growsUsage(before, after)) expect(quotaViolations(q, others, before, after)).toEqual([]);
        const nothing: Quota = { cpu: '0', memory: '0', storage: '0', applications: 0 };
        expect(quotaViolations(nothing, others, before, after).length > 0).toBe(growsUsage(before, after));
      }),
    );
  });
});

describe('quotaMessage', () => {
  it('names the department and every exceeded dimension with its figures', () => {
    expect(
      quotaMessage('edu', [
        { dimension: 'cpu', limit: '20', used: '19', requested: '2500m' },
        { dimension: 'applications', limit: '10', used: '10', requested: '1' },
      ]).message,
    ).toBe(
      'department "edu" would exceed its quota: cpu: 2500m requested with 19 in use (limit 20); ' +
        'applications: 1 requested with 10 in use (limit 10)',
    );
  });
});

/** The limit in base units, computed independently of quota.ts from the shapes quotaArb produces. */
function limitOf(q: Quota, d: 'cpu' | 'memory' | 'storage' | 'applications'): number {
  const v = q[d]!;
  if (d === 'applications') return v as number;
  const text = String(v);
  if (text.endsWith('m')) return Number(text.slice(0, -1));
  if (text.endsWith('Ki')) return Number(text.slice(0, -2)) * 1024;
  return Number(text);
}
