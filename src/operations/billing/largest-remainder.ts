/**
 * Splits `total` whole units (fen) over `weights` in proportion, by largest remainder (Hamilton's method): each
 * share is its proportional quota rounded down, and the units left go one each to the largest fractional parts,
 * ties to the earlier index. The result always sums to `total` exactly. Weights that are not positive finite
 * numbers get nothing; when no weight is positive, the total is split evenly.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0)
    throw new RangeError(`largestRemainder: total must be a non-negative integer, got ${total}`);
  const n = weights.length;
  if (n === 0) {
    if (total !== 0) throw new RangeError(`largestRemainder: ${total} units over no weights`);
    return [];
  }
  const w = weights.map((x) => (Number.isFinite(x) && x > 0 ? x : 0));
  let sum = w.reduce((s, x) => s + x, 0);
  if (!(sum > 0)) {
    w.fill(1);
    sum = n;
  }
  const out = new Array<number>(n);
  const rest = new Array<number>(n);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const quota = (total * w[i]!) / sum;
    const whole = Math.min(total, Math.floor(quota));
    out[i] = whole;
    rest[i] = quota - whole;
    given += whole;
  }
  // Floating quotas may sum a unit off either way: hand out (or take back) the difference by remainder order.
  let left = total - given;
  if (left !== 0) {
    const order = [...rest.keys()].sort((a, b) => (left > 0 ? rest[b]! - rest[a]! : rest[a]! - rest[b]!) || a - b);
    for (let k = 0; left !== 0; k = (k + 1) % n) {
      const i = order[k]!;
      if (left > 0) {
        if (w[i]! <= 0) continue;
        out[i]!++;
        left--;
      } else if (out[i]! > 0) {
        out[i]!--;
        left++;
      }
    }
  }
  return out;
}

/**
 * The fen of a monthly amount that fall on day `day` (1-based) of a month of `days` days: the running total
 * rounded at each day's end, so the days of a month add up to the monthly amount exactly.
 */
export function dailyShare(monthlyFen: number, day: number, days: number): number {
  const upTo = (d: number) => Math.round((monthlyFen * d) / days);
  return upTo(day) - upTo(day - 1);
}
