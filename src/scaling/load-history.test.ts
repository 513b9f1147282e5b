import { describe, expect, it } from 'vitest';
import { LoadHistoryBuffer } from './load-history.ts';

const MIN = 60_000;

describe('a component’s load history', () => {
  it('averages the samples of each bucket and hands over whole buckets only', () => {
    const h = new LoadHistoryBuffer(5 * MIN, 60 * MIN);
    for (let s = 0; s < 15 * 60; s += 10) h.add(s * 1000, s < 300 ? 10 : s < 600 ? 30 : 50);
    expect(h.history()).toEqual({ samples: [10, 30], stepMs: 5 * MIN });
    expect(h.size).toBe(2);
  });

  it('keeps at most its span, marks gaps NaN, and drops samples from the past', () => {
    const h = new LoadHistoryBuffer(MIN, 10 * MIN);
    for (let m = 0; m < 30; m++) h.add(m * MIN, m);
    expect(h.history()!.samples).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28]);
    h.add(5 * MIN, 999);
    h.add(32 * MIN, 32);
    expect(h.history()!.samples).toEqual([23, 24, 25, 26, 27, 28, 29, NaN, NaN]);
  });

  it('is seeded from a range the metrics source returned, then goes on live', () => {
    const h = new LoadHistoryBuffer(MIN, 60 * MIN);
    h.seed(0, [NaN, 1, 2, NaN, 4]);
    h.add(5 * MIN, 5);
    h.add(6 * MIN, 6);
    expect(h.history()!.samples).toEqual([1, 2, NaN, 4, 5]);
  });

  it('grows its memory with what it holds, up to the span', () => {
    const h = new LoadHistoryBuffer(MIN, 1000 * MIN);
    for (let m = 0; m <= 700; m++) h.add(m * MIN, m);
    const s = h.history()!.samples;
    expect(s.length).toBe(700);
    expect(s[0]).toBe(0);
    expect(s[699]).toBe(699);
  });
});
