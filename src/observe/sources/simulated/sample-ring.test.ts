import { describe, expect, it } from 'vitest';
import { SampleRing } from './sample-ring.ts';

const sample = (at: number, v = at) => ({ at, cpuUtilization: v / 1000, requestsPerSecond: v });

describe('a ring of samples', () => {
  it('answers an instant with the newest sample at or before it, within the lookback', () => {
    const ring = new SampleRing(10);
    for (const at of [1000, 2000, 3000]) ring.push(sample(at));
    expect(ring.at(2500, 60_000)?.requestsPerSecond).toBe(2000);
    expect(ring.at(3000, 60_000)?.requestsPerSecond).toBe(3000);
    expect(ring.at(999, 60_000)).toBeUndefined();
    expect(ring.at(3000 + 60_001, 60_000)).toBeUndefined();
  });

  it('keeps the last `capacity` samples as it grows and wraps', () => {
    const ring = new SampleRing(100);
    for (let i = 1; i <= 250; i++) ring.push(sample(i * 1000));
    expect(ring.size).toBe(100);
    expect(ring.at(150_500, 1000)).toBeUndefined(); // 150,000 was pushed out
    expect(ring.at(151_000, 1000)?.requestsPerSecond).toBe(151_000);
    expect(ring.at(250_000, 1000)?.requestsPerSecond).toBe(250_000);
    expect(ring.at(200_500, 1000)?.requestsPerSecond).toBe(200_000);
  });

  it('replaces a sample at the same instant and drops one from the past', () => {
    const ring = new SampleRing(4);
    ring.push(sample(1000, 1));
    ring.push(sample(1000, 2));
    ring.push(sample(500, 3));
    expect(ring.size).toBe(1);
    expect(ring.at(1000, 0)?.requestsPerSecond).toBe(2);
  });
});
