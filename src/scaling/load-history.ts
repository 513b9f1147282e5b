import type { LoadHistory } from './autoscaler.ts';
import { DAY_MS, MINUTE_MS } from './period-detection.ts';

/** The load history's shape: 5-minute buckets over 15 days (two weeks for a weekly cycle, and a day of slack). */
export const LOAD_HISTORY_RULES = {
  stepMs: 5 * MINUTE_MS,
  spanMs: 15 * DAY_MS,
} as const;

/**
 * One component's load, downsampled: the mean of the samples in each `stepMs` bucket, the newest `spanMs` kept
 * (4,320 buckets of 4 bytes: 17 KB at most, allocated as it fills). Samples arrive in time order; a sample older than
 * the newest bucket is dropped. Only whole buckets are handed to prediction, so the history it sees changes once
 * per step (the forecast is computed once per step, not once per evaluation).
 */
export class LoadHistoryBuffer {
  readonly stepMs: number;
  private readonly capacity: number;
  private values: Float32Array;
  /** Bucket number (epoch ms / stepMs) of the newest bucket, or undefined when empty. */
  private newest: number | undefined;
  /** Buckets held, counting back from `newest` (gaps inside are NaN). */
  private held = 0;
  private sum = 0;
  private count = 0;
  private cached: LoadHistory | undefined;

  constructor(stepMs: number = LOAD_HISTORY_RULES.stepMs, spanMs: number = LOAD_HISTORY_RULES.spanMs) {
    if (!(stepMs > 0) || !(spanMs >= stepMs)) throw new RangeError(`bad load history shape ${stepMs}/${spanMs}`);
    this.stepMs = stepMs;
    this.capacity = Math.floor(spanMs / stepMs);
    this.values = new Float32Array(Math.min(this.capacity, 288));
  }

  /** Whole buckets held (the one filling now not counted). */
  get size(): number {
    return Math.max(0, this.held - 1);
  }

  /** Adds one sample of the component's total load at `at` (epoch ms); non-finite values are ignored. */
  add(at: number, value: number): void {
    if (!Number.isFinite(value) || !Number.isFinite(at)) return;
    const bucket = Math.floor(at / this.stepMs);
    if (this.newest !== undefined && bucket < this.newest) return;
    if (bucket !== this.newest) this.open(bucket);
    this.sum += value;
    this.count++;
    this.write(bucket, this.sum / this.count);
  }

  /**
   * Fills whole buckets from a range the metrics source returned (one value per `stepMs` from `fromMs`, NaN where
   * it had none), before any sample of this process: for a restart, from Prometheus's own record.
   */
  seed(fromMs: number, values: readonly number[]): void {
    if (this.newest !== undefined) return;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) continue;
      const bucket = Math.floor((fromMs + i * this.stepMs) / this.stepMs);
      if (this.newest !== undefined && bucket <= this.newest) continue;
      this.open(bucket);
      this.write(bucket, v);
    }
    // A seeded bucket is whole: the next live sample opens a new one or, in the same bucket, starts it over.
    this.sum = 0;
    this.count = 0;
  }

  /** The whole buckets, oldest first (leading gaps left out), or undefined when there are none. */
  history(): LoadHistory | undefined {
    if (this.cached) return this.cached;
    if (this.newest === undefined || this.held < 2) return undefined;
    const samples: number[] = [];
    let started = false;
    for (let b = this.newest - this.held + 1; b < this.newest; b++) {
      const v = this.values[b % this.values.length]!;
      if (!started && Number.isNaN(v)) continue;
      started = true;
      samples.push(v);
    }
    if (samples.length === 0) return undefined;
    return (this.cached = { samples, stepMs: this.stepMs });
  }

  private open(bucket: number): void {
    const gap = this.newest === undefined ? 1 : bucket - this.newest;
    if (this.newest !== undefined && this.held + gap > this.values.length && this.values.length < this.capacity) {
      this.grow(Math.min(this.capacity, Math.max(this.values.length * 2, this.held + gap)));
    }
    if (this.newest !== undefined) {
      for (let b = this.newest + 1; b < bucket && b - this.newest <= this.values.length; b++) this.write(b, NaN);
    }
    this.held = Math.min(this.values.length, this.newest === undefined ? 1 : this.held + gap);
    this.newest = bucket;
    this.sum = 0;
    this.count = 0;
    this.cached = undefined;
  }

  private write(bucket: number, v: number): void {
    this.values[bucket % this.values.length] = v;
  }

  /** Re-lays the ring into a larger one (slots are bucket mod length, so every held bucket moves). */
  private grow(size: number): void {
    const next = new Float32Array(size);
    if (this.newest !== undefined) {
      for (let b = this.newest - this.held + 1; b <= this.newest; b++)
        next[b % size] = this.values[b % this.values.length]!;
    }
    this.values = next;
  }
}
