import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { joinComma, joinReasons } from './reason-parts.ts';
import { circularAutocorrelation, slope } from './spectrum.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** A detected cycle, or none; `strength` is the autocorrelation at the period (0–1, higher is stronger). */
export interface PeriodEstimate {
  readonly periodMs?: number;
  readonly strength: number;
  /** A sentence saying what was found and why, for decision reasons (English). */
  readonly reason: string;
  /** `reason` as a coded message (docs/messages.md). */
  readonly detail: Message;
}

/** The thresholds a candidate cycle must pass; exported so tests and docs name the same numbers. */
export const PERIOD_RULES = {
  /** Half-width of the hill the autocorrelation must form around the period (capped at half the period). */
  hillMs: 4 * HOUR_MS,
  /** Share of the hourly profile's variance that must repeat from one cycle to the next. */
  minRepeatability: 0.5,
  /** The mean hourly profile must swing (p90 − p10) by at least this share of the mean level. */
  minSwing: 0.4,
} as const;

interface Candidate {
  readonly name: 'daily' | 'weekly';
  readonly periodMs: number;
  readonly strength: number;
  readonly hill: boolean;
  readonly repeatability: number;
  readonly swing: number;
}

/**
 * Detects a daily or weekly cycle in regularly spaced samples (`stepMs` apart, oldest first), in the manner of
 * AutoPeriod (Vlachos et al., 2005) as Tencent's Crane applies it. On the most recent whole weeks (whole days when
 * there are fewer than two weeks) it takes the circular autocorrelation at lags of one and seven days. A candidate
 * counts when the autocorrelation forms a hill around it (rising before, falling after, by least squares over ±4 h),
 * when at least half of its hourly profile's variance repeats from cycle to cycle, and when that profile swings by at
 * least 40% of the mean level (a smaller swing changes few replicas and is left to the reactive autoscaler). Of the
 * candidates that count, the one with the higher autocorrelation wins, and that autocorrelation is the strength.
 * Weekly needs two weeks of history, daily two days. Missing (non-finite) samples repeat the previous one.
 */
export function detectPeriod(samples: readonly number[], stepMs: number): PeriodEstimate {
  if (!(stepMs > 0)) throw new RangeError(`stepMs must be positive, got ${stepMs}`);
  const day = Math.round(DAY_MS / stepMs);
  const week = 7 * day;
  if (day < 2 || samples.length < 2 * day) {
    return estimate(0, msg('PeriodTooShort', { span: describeSpan(samples.length * stepMs) }));
  }
  const cycle = samples.length >= 2 * week ? week : day;
  const window = finite(samples.slice(samples.length - Math.floor(samples.length / cycle) * cycle));
  const acf = circularAutocorrelation(window);
  const candidates: Candidate[] = [];
  for (const [name, lag, periodMs] of [
    ['daily', day, DAY_MS],
    ['weekly', week, WEEK_MS],
  ] as const) {
    if (2 * lag > window.length) continue;
    const r = Math.max(1, Math.min(Math.round(PERIOD_RULES.hillMs / stepMs), Math.floor(lag / 2)));
    const hill = slope(acf, lag - r, lag) > 0 && slope(acf, lag, Math.min(window.length - 1, lag + r)) < 0;
    candidates.push({ name, periodMs, strength: acf[lag]!, hill, ...hourlyProfile(window, lag, stepMs) });
  }
  const counts = (c: Candidate) =>
    c.hill && c.repeatability >= PERIOD_RULES.minRepeatability && c.swing >= PERIOD_RULES.minSwing;
  let best: Candidate | undefined;
  for (const c of candidates) if (counts(c) && (best === undefined || c.strength > best.strength)) best = c;
  if (best !== undefined) {
    const summary = joinComma(
      candidates.map((c) => msg('CycleStrength', { cycle: cycleName(c), strength: fmt(c.strength) })),
    );
    const found = msg('PeriodFound', {
      cycle: cycleName(best),
      summary,
      repeats: pct(best.repeatability),
      swing: pct(best.swing),
    });
    return { periodMs: best.periodMs, ...estimate(best.strength, found) };
  }
  const strongest = Math.max(0, ...candidates.map((c) => c.strength));
  // Every day-long series yields the daily candidate, so the list is never empty here.
  return estimate(strongest, msg('PeriodNone', { why: joinReasons(candidates.map(whyNot)) }));
}

function estimate(strength: number, detail: Message): PeriodEstimate {
  return { strength, reason: detail.message, detail };
}

/** "daily" or "weekly", coded. */
export function cycleName(c: { readonly name: 'daily' | 'weekly' }): Message {
  return c.name === 'daily' ? msg('CycleDaily') : msg('CycleWeekly');
}

function whyNot(c: Candidate): Message {
  const cycle = cycleName(c);
  if (!c.hill) return msg('PeriodNoPeak', { cycle, strength: fmt(c.strength) });
  if (c.repeatability < PERIOD_RULES.minRepeatability)
    return msg('PeriodNotRepeating', {
      cycle,
      share: pct(c.repeatability),
      needed: pct(PERIOD_RULES.minRepeatability),
    });
  return msg('PeriodSwingSmall', { cycle, swing: pct(c.swing), needed: pct(PERIOD_RULES.minSwing) });
}

/**
 * The cycle's profile in hourly bins, one per cycle of the window: `repeatability` is the mean covariance between
 * the profiles of different cycles over their mean variance (the share of hour-to-hour variation that recurs; noise
 * and one-off events do not); `swing` is the 90th minus the 10th percentile of the mean profile as a share of the
 * mean level (Infinity when the mean is not positive: nothing to compare with).
 */
function hourlyProfile(
  window: readonly number[],
  lag: number,
  stepMs: number,
): { repeatability: number; swing: number } {
  const per = Math.max(1, Math.round(HOUR_MS / stepMs));
  const bins = Math.max(1, Math.floor(lag / per));
  const cycles = Math.floor(window.length / lag);
  const profiles: Float64Array[] = [];
  for (let c = 0; c < cycles; c++) {
    const sums = new Float64Array(bins);
    const counts = new Float64Array(bins);
    for (let k = 0; k < lag; k++) {
      const b = Math.min(bins - 1, Math.floor(k / per));
      sums[b] = sums[b]! + window[c * lag + k]!;
      counts[b] = counts[b]! + 1;
    }
    const profile = sums.map((s, b) => s / counts[b]!);
    const mean = profile.reduce((a, v) => a + v, 0) / bins;
    profiles.push(profile.map((v) => v - mean));
  }
  let ownVariance = 0;
  let sumVariance = 0;
  const meanProfile = new Float64Array(bins);
  for (let b = 0; b < bins; b++) {
    let s = 0;
    for (const p of profiles) {
      s += p[b]!;
      ownVariance += p[b]! ** 2 / bins;
    }
    sumVariance += s ** 2 / bins;
    meanProfile[b] = s / cycles;
  }
  // Σ over ordered pairs c ≠ d of cov(c, d) = var(Σ profiles) − Σ var(profile).
  const crossCovariance = (sumVariance - ownVariance) / (cycles * (cycles - 1));
  const repeatability = ownVariance > 0 ? crossCovariance / (ownVariance / cycles) : 0;
  let level = 0;
  for (const v of window) level += v;
  level /= window.length;
  const sorted = Array.from(meanProfile).sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(bins - 1, Math.floor(p * bins))]!;
  return { repeatability, swing: level > 0 ? (q(0.9) - q(0.1)) / level : Infinity };
}

/** Replaces missing (non-finite) samples with the previous finite one (the first finite one at the start). */
export function finite(samples: readonly number[]): number[] {
  const first = samples.find((v) => Number.isFinite(v)) ?? 0;
  let last = first;
  return samples.map((v) => (Number.isFinite(v) ? (last = v) : last));
}

function describeSpan(ms: number): Message {
  return ms >= DAY_MS ? msg('SpanDays', { days: fmt(ms / DAY_MS) }) : msg('SpanHours', { hours: fmt(ms / HOUR_MS) });
}

function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function fmt(n: number): string {
  return (Math.round(n * 100) / 100).toString();
}
