import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apportion } from './apportion.ts';
import { shrink } from './division.ts';

describe('apportion', () => {
  it('divides in proportion to the weights, remainders to the largest, ties to the earliest from tieStart', () => {
    expect(apportion(10, [1, 2, 2], [0, 0, 0], [99, 99, 99])).toEqual([2, 4, 4]);
    expect(apportion(2, [1, 1, 1], [0, 0, 0], [9, 9, 9])).toEqual([1, 1, 0]);
    expect(apportion(2, [1, 1, 1], [0, 0, 0], [9, 9, 9], 2)).toEqual([1, 0, 1]);
  });

  it('holds slots at their bounds and divides the rest among the others', () => {
    expect(apportion(10, [5, 1, 1], [0, 0, 0], [1, 99, 99])).toEqual([1, 5, 4]);
    expect(apportion(10, [1, 1, 1], [6, 0, 0], [99, 99, 99])).toEqual([6, 2, 2]);
  });

  it('uses weight-0 slots only when the weighted ones cannot hold the total', () => {
    expect(apportion(4, [0, 1], [0, 0], [9, 3])).toEqual([1, 3]);
  });

  it('always sums to the total within the bounds', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(),
        (slots, at, tieStart) => {
          const weight = slots.map((s) => s[0]);
          const lower = slots.map((s) => Math.min(s[1], s[2]));
          const upper = slots.map((s) => Math.max(s[1], s[2]));
          const lo = lower.reduce((a, b) => a + b, 0);
          const hi = upper.reduce((a, b) => a + b, 0);
          const total = Math.round(lo + (hi - lo) * at);
          const out = apportion(total, weight, lower, upper, tieStart % slots.length);
          expect(out.reduce((a, b) => a + b, 0)).toBe(total);
          out.forEach((v, i) => {
            expect(Number.isInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(lower[i]!);
            expect(v).toBeLessThanOrEqual(upper[i]!);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('shrink', () => {
  it('cuts the largest to a common level, earlier names keeping the extra replica', () => {
    expect(shrink([1, 6, 3], 6, [0, 0, 0])).toEqual([1, 3, 2]);
    expect(shrink([5, 5, 5], 7, [0, 0, 0])).toEqual([3, 2, 2]);
    expect(shrink([2, 8, 6], 9, [2, 2, 2])).toEqual([2, 4, 3]);
    expect(shrink([4, 4], 0, [0, 0])).toEqual([0, 0]);
  });
});
