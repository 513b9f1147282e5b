import type { Point } from './chunk-codec.ts';

/** How points in one step are combined. */
export type Rollup = 'avg' | 'max';

/** A running aggregate of the points of one slot (the current minute or hour of a series). */
export interface SlotAccumulator {
  readonly slot: number;
  sum: number;
  count: number;
  max: number;
}

export function accumulator(slot: number): SlotAccumulator {
  return { slot, sum: 0, count: 0, max: -Infinity };
}

export function accumulate(acc: SlotAccumulator, value: number): void {
  if (!Number.isFinite(value)) return;
  acc.sum += value;
  acc.count++;
  if (value > acc.max) acc.max = value;
}

/** The slot's value, NaN when nothing finite was added. */
export function settle(acc: SlotAccumulator, how: Rollup): number {
  if (acc.count === 0) return NaN;
  return how === 'max' ? acc.max : acc.sum / acc.count;
}

/** Points grouped into `stepMs` slots (each filed at its slot's start), combined by `how`: one downsampling pass. */
export function rollup(points: readonly Point[], stepMs: number, how: Rollup): Point[] {
  const out: Point[] = [];
  let acc: SlotAccumulator | undefined;
  for (const [t, v] of points) {
    const slot = Math.floor(t / stepMs) * stepMs;
    if (acc !== undefined && acc.slot !== slot) {
      const value = settle(acc, how);
      if (Number.isFinite(value)) out.push([acc.slot, value]);
      acc = undefined;
    }
    acc ??= accumulator(slot);
    accumulate(acc, v);
  }
  if (acc !== undefined) {
    const value = settle(acc, how);
    if (Number.isFinite(value)) out.push([acc.slot, value]);
  }
  return out;
}

/**
 * Values of ascending `points` on the query grid: at each instant g, the points in (g − window, g] combined by
 * `how`, where window is the larger of the query step and the stored spacing (so a fine grid over coarse points
 * still finds one); NaN where there is none. A downsampled point is filed at its slot's start but sums up the slot:
 * with `atSlotEnd` it counts as of the slot's end, so no instant shows what came after it.
 */
export function resample(
  points: readonly Point[],
  grid: readonly number[],
  stepMs: number,
  pointStepMs: number,
  how: Rollup,
  atSlotEnd = false,
): number[] {
  const window = Math.max(stepMs, pointStepMs);
  const shift = atSlotEnd ? pointStepMs : 0;
  const out = new Array<number>(grid.length);
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < grid.length; i++) {
    const g = grid[i]!;
    while (lo < points.length && points[lo]![0] + shift <= g - window) lo++;
    if (hi < lo) hi = lo;
    while (hi < points.length && points[hi]![0] + shift <= g) hi++;
    if (hi === lo) {
      out[i] = NaN;
      continue;
    }
    let sum = 0;
    let max = -Infinity;
    for (let k = lo; k < hi; k++) {
      const v = points[k]![1];
      sum += v;
      if (v > max) max = v;
    }
    out[i] = how === 'max' ? max : sum / (hi - lo);
  }
  return out;
}

/** Point sets merged by time: where both have a point, `newer`'s wins. */
export function mergePoints(older: readonly Point[], newer: readonly Point[]): Point[] {
  if (older.length === 0) return [...newer];
  if (newer.length === 0) return [...older];
  const byT = new Map<number, number>();
  for (const [t, v] of older) byT.set(t, v);
  for (const [t, v] of newer) byT.set(t, v);
  return [...byT.entries()].sort((a, b) => a[0] - b[0]);
}

/**
 * Series combined point by point into a total (`sum`, `max` or `mean` of the finite values); NaN where none of
 * them has a value.
 */
export function combine(series: readonly (readonly number[])[], how: 'sum' | 'max' | 'mean', length: number): number[] {
  const out = new Array<number>(length).fill(NaN);
  const counts = new Array<number>(length).fill(0);
  for (const values of series) {
    for (let i = 0; i < length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      const o = out[i]!;
      if (!Number.isFinite(o)) out[i] = v;
      else out[i] = how === 'max' ? Math.max(o, v) : o + v;
      counts[i]!++;
    }
  }
  if (how === 'mean') for (let i = 0; i < length; i++) if (counts[i]! > 0) out[i] = out[i]! / counts[i]!;
  return out;
}
