import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { circularAutocorrelation, fft, slope } from './spectrum.ts';

/** The definition, O(n²): what the FFT route must equal. */
function naiveCircular(x: number[]): number[] {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const z = x.map((v) => v - mean);
  const zero = z.reduce((a, v) => a + v * v, 0);
  return z.map((_, lag) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += z[i]! * z[(i + lag) % n]!;
    return zero > 0 ? s / zero : 0;
  });
}

describe('circularAutocorrelation', () => {
  it('equals the definition for any series', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 200 }), (x) => {
        const got = Array.from(circularAutocorrelation(x));
        const want = naiveCircular(x);
        got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 9));
      }),
      { numRuns: 200 },
    );
  });

  it('is 1 at the period of a pure cycle and −1 half a period away', () => {
    const x = Array.from({ length: 96 }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
    const r = circularAutocorrelation(x);
    expect(r[0]).toBeCloseTo(1, 12);
    expect(r[24]).toBeCloseTo(1, 12);
    expect(r[12]).toBeCloseTo(-1, 12);
  });

  it('gives zeros for a constant series and nothing for an empty one', () => {
    expect(Array.from(circularAutocorrelation([5, 5, 5]))).toEqual([0, 0, 0]);
    expect(circularAutocorrelation([]).length).toBe(0);
  });
});

describe('fft', () => {
  it('inverts itself', () => {
    const re = Float64Array.from([1, 2, 3, 4, 0, -1, 2.5, 8]);
    const im = new Float64Array(8);
    const original = Float64Array.from(re);
    fft(re, im, false);
    expect(re[0]).toBeCloseTo(19.5, 12);
    fft(re, im, true);
    re.forEach((v, i) => expect(v).toBeCloseTo(original[i]!, 12));
    im.forEach((v) => expect(v).toBeCloseTo(0, 12));
  });

  it('refuses a length that is not a power of two', () => {
    expect(() => fft(new Float64Array(6), new Float64Array(6), false)).toThrow(RangeError);
  });
});

describe('slope', () => {
  it('is the least-squares slope over the index range', () => {
    expect(slope([0, 1, 2, 3, 4], 0, 4)).toBeCloseTo(1, 12);
    expect(slope([9, 4, 6, 4, 2], 1, 4)).toBeCloseTo(-0.8, 12);
    expect(slope([3], 0, 0)).toBe(0);
  });
});
