import { CRANE } from './vpa-constants.ts';

/** One measurement: epoch ms and the value (cores, or bytes). */
export interface Sample {
  readonly at: number;
  readonly value: number;
}

/**
 * The nearest-rank percentile of `values` (p in (0, 1]): the smallest value with at least p of the values at or
 * below it. NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * Crane's percentile profile: the 99th percentile of the last 168 hours of use, plus 15% (CRANE). Samples older than
 * `nowMs − 168 h` are ignored; NaN without samples.
 */
export function percentileProfile(samples: readonly Sample[], nowMs: number): number {
  const from = nowMs - CRANE.historyMs;
  const values: number[] = [];
  for (const s of samples) if (s.at > from && s.at <= nowMs && Number.isFinite(s.value)) values.push(s.value);
  return percentile(values, CRANE.percentile) * (1 + CRANE.margin);
}
