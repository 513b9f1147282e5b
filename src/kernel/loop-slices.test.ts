import { describe, expect, it } from 'vitest';
import { runInSlices } from './loop-slices.ts';

function* counting(steps: number, busyMs: number): Generator<void, number> {
  for (let i = 0; i < steps; i++) {
    const until = performance.now() + busyMs;
    while (performance.now() < until) {
      // Busy, as a slice of a long evaluation is.
    }
    yield;
  }
  return steps;
}

describe('runInSlices', () => {
  it('returns what the steps return', async () => {
    expect(await runInSlices(counting(1000, 0))).toBe(1000);
  });

  it('lets other callbacks run between slices of a long computation', async () => {
    let interleaved = 0;
    let done = false;
    const other = (): void => {
      if (done) return;
      interleaved++;
      setImmediate(other);
    };
    setImmediate(other);
    // 20 steps of 2 ms with 1 ms slices: the loop is given back at every step, never held for the 40 ms.
    const result = await runInSlices(counting(20, 2), 1);
    done = true;
    expect(result).toBe(20);
    expect(interleaved).toBeGreaterThanOrEqual(10);
  });
});
