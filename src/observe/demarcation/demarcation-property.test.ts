import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DemarcationInput } from './input.ts';
import { badRollout, nodeDown, slowSharedDb } from '../../../test/fixtures/demarcation-scenarios.ts';
import { demarcate } from './verdict.ts';

const SCENARIOS = [nodeDown, badRollout, slowSharedDb] as const;

/** The same input with every list, and every series' points, in another order (keys from `rnd`). */
function shuffled(input: DemarcationInput, keys: readonly number[]): DemarcationInput {
  let i = 0;
  const next = (): number => keys[i++ % keys.length]!;
  const mix = <T>(xs: readonly T[] | undefined): T[] =>
    (xs ?? [])
      .map((x) => ({ x, k: next() }))
      .sort((a, b) => a.k - b.k)
      .map(({ x }) => x);
  return {
    ...input,
    clusters: mix(input.clusters),
    nodes: mix(input.nodes),
    components: mix(input.components),
    pods: mix(input.pods),
    edges: mix(input.edges),
    series: mix(input.series).map((s) => ({ ...s, points: mix(s.points) })),
    changes: mix(input.changes),
    events: mix(input.events),
  };
}

describe('the demarcation verdict, for any input', () => {
  it('is deterministic: the same input gives the same output', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SCENARIOS), fc.integer({ min: 1, max: 1000 }), (make, seed) => {
        expect(JSON.stringify(demarcate(make(seed)))).toBe(JSON.stringify(demarcate(make(seed))));
      }),
      { numRuns: 20 },
    );
  });

  it('does not depend on the order of the input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCENARIOS),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 64 }),
        (make, seed, keys) => {
          const input = make(seed);
          expect(JSON.stringify(demarcate(shuffled(input, keys)))).toBe(JSON.stringify(demarcate(input)));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('names the injected cause whatever the noise', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        expect(demarcate(nodeDown(seed)).verdict.subject?.name).toBe('n1');
        expect(demarcate(badRollout(seed)).verdict.subject?.name).toBe('orders');
        expect(demarcate(slowSharedDb(seed)).verdict.subject?.name).toBe('pg-shared');
      }),
      { numRuns: 25 },
    );
  });
});
