/** Robust statistics over finite numbers (the callers drop missing values first). */

/** The median; NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The median absolute deviation scaled to a normal standard deviation (1.4826 · MAD); 0 for fewer than 2 values. */
export function madSigma(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

/**
 * The usual short-term variability of a series: the robust standard deviation of its successive differences, over
 * √2. Level shifts (an earlier incident, a deployment) move a few differences only, so they hardly inflate it, where
 * the MAD of the values themselves would take a step for noise.
 */
export function diffSigma(values: readonly number[]): number {
  if (values.length < 3) return 0;
  const d: number[] = [];
  for (let i = 1; i < values.length; i++) d.push(values[i]! - values[i - 1]!);
  return madSigma(d) / Math.SQRT2;
}

/** The p-quantile (0–1) by linear interpolation; NaN for no values. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
