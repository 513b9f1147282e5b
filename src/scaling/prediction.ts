import { detectPeriod, finite, HOUR_MS, MINUTE_MS, type PeriodEstimate } from './period-detection.ts';

export { detectPeriod, type PeriodEstimate } from './period-detection.ts';

/** The knobs of the forecaster, exported so tests and docs name the same numbers. */
export const FORECAST_RULES = {
  /** At most this many past cycles are averaged for each phase. */
  maxCycles: 4,
  /** Each past sample is smoothed over ±this, so per-minute jitter does not become the forecast. */
  smoothingMs: 10 * MINUTE_MS,
  /** The level adjustment is the median gap between the samples and the seasonal profile over this span. */
  levelMs: HOUR_MS,
  /** Forecast errors are measured over this span before the newest sample. */
  errorSpanMs: 24 * HOUR_MS,
  /** The safety margin is this quantile of those errors (never below zero). */
  marginQuantile: 0.9,
} as const;

/** A forecast with what it rests on, for decision reasons. */
export interface Forecast {
  readonly values: number[];
  readonly period: PeriodEstimate;
  /** Added to the seasonal profile: how far the recent level sits above (or below) past cycles. */
  readonly level: number;
  /** Added on top: the 90th percentile of recent errors of this same forecaster at the horizon. */
  readonly margin: number;
}

/**
 * Forecasts the next `horizonSteps` samples (`stepMs` apart, following the newest sample) as
 * {@link forecastWithDetail} does, returning the values only. Pure and deterministic.
 */
export function forecast(samples: readonly number[], stepMs: number, horizonSteps: number): number[] {
  return forecastWithDetail(samples, stepMs, horizonSteps).values;
}

/**
 * Seasonal-naive forecast with a level adjustment and a safety margin. When {@link detectPeriod} finds a daily or
 * weekly cycle, each future sample is the mean of the same phase in up to four past cycles (each smoothed over
 * ±10 min); without a cycle the profile is flat zero. To that profile it adds the level: the median gap between the
 * samples of the last hour and the profile at the same instants (no trend is extrapolated). On top comes a margin:
 * the 90th percentile (at least zero) of what this forecaster would have missed by over the last day, each error
 * measured at the full horizon from the level known then. Values never go below zero when no sample does.
 */
export function forecastWithDetail(samples: readonly number[], stepMs: number, horizonSteps: number): Forecast {
  if (!(stepMs > 0)) throw new RangeError(`stepMs must be positive, got ${stepMs}`);
  const steps = Math.max(0, Math.floor(horizonSteps));
  const x = finite(samples);
  const n = x.length;
  const period = detectPeriod(x, stepMs);
  if (n === 0) return { values: new Array<number>(steps).fill(0), period, level: 0, margin: 0 };
  const profile = seasonalProfile(x, stepMs, period.periodMs);
  const levelSteps = Math.max(1, Math.round(FORECAST_RULES.levelMs / stepMs));
  const lead = Math.max(1, steps);
  const errorSteps = Math.round(FORECAST_RULES.errorSpanMs / stepMs);
  // Gaps between the samples and the profile, from the oldest one any level below needs.
  const from = Math.max(0, n - errorSteps - lead - levelSteps);
  const gaps = new Float64Array(n - from);
  for (let t = from; t < n; t++) gaps[t - from] = x[t]! - profile(t);
  const levelAt = (end: number) => median(gaps.subarray(Math.max(0, end - levelSteps - from), end - from));
  const level = levelAt(n);
  // Errors at the full horizon: what came, against the profile plus the level known `lead` steps earlier. One a
  // minute at most, so a finer step costs no more.
  const stride = Math.max(1, Math.round(MINUTE_MS / stepMs));
  const errors: number[] = [];
  for (let t = n - 1; t >= Math.max(lead + 1, n - errorSteps); t -= stride) {
    errors.push(gaps[t - from]! - levelAt(t - lead + 1));
  }
  const margin = Math.max(0, quantile(errors, FORECAST_RULES.marginQuantile));
  const floor = x.every((v) => v >= 0) ? 0 : -Infinity;
  const values: number[] = [];
  for (let h = 0; h < steps; h++) values.push(Math.max(floor, profile(n + h) + level + margin));
  return { values, period, level, margin };
}

/**
 * The seasonal profile as a function of the sample index (past or future): the mean of the smoothed samples one,
 * two … (at most four) periods earlier that exist; zero without a period or without an earlier cycle.
 */
function seasonalProfile(x: readonly number[], stepMs: number, periodMs: number | undefined): (t: number) => number {
  if (periodMs === undefined) return () => 0;
  const period = Math.round(periodMs / stepMs);
  const half = Math.round(FORECAST_RULES.smoothingMs / stepMs);
  // Prefix sums make each smoothed sample O(1).
  const prefix = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) prefix[i + 1] = prefix[i]! + x[i]!;
  const smooth = (i: number) => {
    const lo = Math.max(0, i - half);
    const hi = Math.min(x.length - 1, i + half);
    return (prefix[hi + 1]! - prefix[lo]!) / (hi - lo + 1);
  };
  return (t) => {
    let sum = 0;
    let count = 0;
    for (let k = 1; k <= FORECAST_RULES.maxCycles; k++) {
      const i = t - k * period;
      if (i < 0) break;
      if (i >= x.length) continue;
      sum += smooth(i);
      count++;
    }
    return count === 0 ? 0 : sum / count;
  };
}

function median(values: Float64Array): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The q-quantile (0–1) of `values` by the nearest-rank method; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
