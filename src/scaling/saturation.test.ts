import { describe, expect, it } from 'vitest';
import { judgeSaturation, type SaturationWatch } from './saturation.ts';

const T0 = Date.parse('2026-11-24T10:00:00Z');

function run(samples: { s: number; cpu?: number; p99?: number }[], objective?: number) {
  let watch: SaturationWatch = {};
  return samples.map(({ s, cpu, p99 }) => {
    const r = judgeSaturation({
      now: T0 + s * 1000,
      cpuUtilization: cpu,
      latencyP99Ms: p99,
      latencyObjectiveMs: objective,
      watch,
    });
    watch = r.watch;
    return r.saturated;
  });
}

describe('judging saturation', () => {
  it('names CPU at or over 90% of requests once it has lasted 60 s, with since', () => {
    const out = run([
      { s: 0, cpu: 0.95 },
      { s: 59, cpu: 1 },
      { s: 60, cpu: 1 },
    ]);
    expect(out[0]).toBeUndefined();
    expect(out[1]).toBeUndefined();
    expect(out[2]).toEqual({ signal: 'cpu', value: 1, threshold: 0.9, since: '2026-11-24T10:00:00.000Z' });
  });

  it('starts over after a dip, and ends at once when the signal falls back', () => {
    const out = run([
      { s: 0, cpu: 0.95 },
      { s: 30, cpu: 0.5 },
      { s: 61, cpu: 0.95 },
      { s: 121, cpu: 0.95 },
      { s: 122, cpu: 0.3 },
    ]);
    expect(out[2]).toBeUndefined();
    expect(out[3]?.since).toBe('2026-11-24T10:01:01.000Z');
    expect(out[4]).toBeUndefined();
  });

  it('judges latency only against an objective the application declares', () => {
    expect(
      run([
        { s: 0, p99: 5600 },
        { s: 60, p99: 5600 },
      ])[1],
    ).toBeUndefined();
    expect(
      run(
        [
          { s: 0, p99: 5600 },
          { s: 60, p99: 5600 },
        ],
        500,
      )[1],
    ).toMatchObject({
      signal: 'latency',
      value: 5600,
      threshold: 500,
    });
  });
});
