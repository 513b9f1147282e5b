import type { DemarcationOptions, Series } from './input.ts';
import { diffSigma, madSigma, median } from './robust.ts';
import { SIGNAL_RULES } from './signals.ts';

/** How one series moved at the incident: its level before and after, and by how much compared with its usual noise. */
export interface SeriesChange {
  readonly series: Series;
  /** Median of the baseline window. */
  readonly before: number;
  /** The post-window value the score is taken from (the k-th most deviant in the bad direction, k the persistence); NaN when silent. */
  readonly after: number;
  /** The noise scale the change is divided by: the largest of the baseline's spread, the history's short-term variability and the measurement's resolution. */
  readonly scale: number;
  /** `after - before` signed so that positive is bad (a fall of a "down is bad" signal is positive). */
  readonly delta: number;
  /** `delta / scale`: robust standard deviations in the bad direction (negative when it moved the good way). */
  readonly z: number;
  /** The series reported in the baseline and not at all after `at` (a pod gone, a node down, a scrape failing). */
  readonly silent: boolean;
}

/** Plausible finite values of a series, sorted by time (ties by value, so the input order never matters). */
export function cleanPoints(series: Series): [number, number][] {
  const [lo, hi] = SIGNAL_RULES[series.signal].plausible;
  const out: [number, number][] = [];
  for (const [t, v] of series.points) {
    if (v === null || !Number.isFinite(v) || !Number.isFinite(t) || v < lo || v > hi) continue;
    out.push([t, v]);
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/**
 * The change of one series at `at`: baseline `[at - pre, at)`, compared window `[at, at + post]`, noise learned
 * from `[at - history, at)`, the change that held for `opts.persistence` samples (all of them when fewer came).
 * Undefined when the series has no baseline (nothing to compare with).
 */
export function changeOf(series: Series, at: number, opts: DemarcationOptions): SeriesChange | undefined {
  const rule = SIGNAL_RULES[series.signal];
  const pts = cleanPoints(series);
  const pre: number[] = [];
  const post: number[] = [];
  const hist: number[] = [];
  for (const [t, v] of pts) {
    if (t >= at - opts.historySeconds && t < at) hist.push(v);
    if (t >= at - opts.preSeconds && t < at) pre.push(v);
    if (t >= at && t <= at + opts.postSeconds) post.push(v);
  }
  if (pre.length === 0) return undefined;
  const before = median(pre);
  const resolution = Math.max(rule.resolution.abs, rule.resolution.rel * Math.abs(before));
  const scale = Math.max(madSigma(pre), diffSigma(hist), resolution);
  if (post.length === 0) {
    // Samples that came but were implausible are missing data, not silence.
    const reported = series.points.some(([t]) => t >= at && t <= at + opts.postSeconds);
    return reported ? undefined : { series, before, after: Number.NaN, scale, delta: 0, z: 0, silent: true };
  }
  // The change that held for `persistence` samples: the k-th most deviant value in the bad direction (faults are
  // short, minutes, and may not cover the whole window; one sample alone may be one slow request on a quiet service).
  const deviation = (v: number): number =>
    rule.bad === 'up' ? v - before : rule.bad === 'down' ? before - v : Math.abs(v - before);
  const ordered = post.map((v) => [deviation(v), v] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const [delta, after] = ordered[Math.min(Math.max(1, opts.persistence), ordered.length) - 1]!;
  return { series, before, after, scale, delta, z: delta / scale, silent: false };
}

/**
 * The noise scale of a series at another level than its baseline's: what a value there would scatter by if nothing but
 * the level had changed. A share (errors) scatters binomially, √(p(1 − p)) with the level p; anything else in
 * proportion to its level (a latency quantile, CPU, a rate measured over more requests); never below the baseline's
 * scale. The explained part of a rise (callers wait on callees, CPU follows traffic) moves the level it is judged at.
 */
export function scaleAt(change: SeriesChange, level: number): number {
  const rule = SIGNAL_RULES[change.series.signal];
  if (!Number.isFinite(level)) return change.scale;
  if (rule.unit === 'ratio') {
    const floor = Math.max(rule.resolution.abs, 1e-6);
    const share = (p: number): number => {
      const q = Math.min(Math.max(p, floor), 1 - floor);
      return Math.sqrt(q * (1 - q));
    };
    return change.scale * Math.max(1, share(level) / share(change.before));
  }
  const floor = Math.max(rule.resolution.abs, Math.abs(change.before));
  return change.scale * Math.max(1, Math.abs(level) / floor);
}
