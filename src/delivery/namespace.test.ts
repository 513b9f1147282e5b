import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dns1123LabelProblem } from '../kernel/names.ts';
import { appNamespace, legacyAppNamespace, namespaceOf } from './namespace.ts';

/** DNS-1123 labels over a small alphabet heavy in hyphens, short and long: near collisions are likely. */
const label = (max: number) =>
  fc
    .tuple(
      fc.constantFrom('a', 'b', '1'),
      fc.array(fc.constantFrom('a', 'b', '-', '-', '-'), { maxLength: max - 2 }),
      fc.constantFrom('a', 'b', '1'),
    )
    .map(([first, middle, last]) => (middle.length === 0 && first === last ? first : first + middle.join('') + last));

/** Department names as the Tenant kind admits them (no `--`), and a few grandfathered ones that have it. */
const department = fc.oneof(
  { weight: 4, arbitrary: label(63).filter((t) => !t.includes('--')) },
  { weight: 1, arbitrary: label(63) },
);
const pair = fc.tuple(department, label(63));

describe('appNamespace', () => {
  it('separates hyphen prefixes and the joins that used to collide', () => {
    expect(appNamespace('a-b', 'c')).not.toBe(appNamespace('a', 'b-c'));
    expect(appNamespace('health', 'cdc-portal')).not.toBe(appNamespace('health-cdc', 'portal'));
    expect(appNamespace('edu', 'enrolment-portal')).toBe('edu--enrolment-portal');
    // What they used to share:
    expect(legacyAppNamespace('a-b', 'c')).toBe(legacyAppNamespace('a', 'b-c'));
  });

  it('cuts a long pair readably and ends it with a hash of the pair, not of the joined string', () => {
    const t = 'health-' + 'x'.repeat(40);
    const a = 'y'.repeat(40);
    const ns = appNamespace(t, a);
    expect(ns.length).toBeLessThanOrEqual(63);
    expect(ns.startsWith('health-xxx')).toBe(true);
    expect(ns).not.toContain('--');
    expect(appNamespace(`${t}-y`, a.slice(1))).not.toBe(ns);
  });

  it('is injective over random pairs of DNS labels, and every name is a DNS label', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(pair, { minLength: 2, maxLength: 40, selector: ([t, a]) => `${t}\u0000${a}` }),
        (pairs) => {
          const names = pairs.map(([t, a]) => appNamespace(t, a));
          for (const n of names) expect(dns1123LabelProblem(n)).toBeUndefined();
          expect(new Set(names).size).toBe(pairs.length);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is injective on pairs that differ only by where the hyphens fall', () => {
    fc.assert(
      fc.property(label(30), label(30), fc.integer({ min: 1, max: 29 }), (t, a, cut) => {
        // The same joined text, split at another place.
        const joined = `${t}-${a}`;
        const at = Math.min(cut, joined.length - 2);
        const t2 = joined.slice(0, at).replace(/-+$/, '');
        const a2 = joined.slice(at).replace(/^-+/, '');
        fc.pre(t2 !== '' && a2 !== '' && !t2.includes('--') && !t.includes('--') && (t2 !== t || a2 !== a));
        fc.pre(dns1123LabelProblem(t2) === undefined && dns1123LabelProblem(a2) === undefined);
        expect(appNamespace(t2, a2)).not.toBe(appNamespace(t, a));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('namespaceOf', () => {
  it('keeps the namespace recorded at the first delivery, and the legacy one of an application delivered before', () => {
    expect(namespaceOf('a', 'b-c', undefined)).toBe('a--b-c');
    expect(namespaceOf('a', 'b-c', { scaling: {} })).toBe('a--b-c');
    expect(namespaceOf('a', 'b-c', { placement: {} })).toBe('a-b-c');
    expect(namespaceOf('a', 'b-c', { placement: {}, namespace: 'kept' })).toBe('kept');
  });
});
