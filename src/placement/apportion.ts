/**
 * Divides `total` whole replicas over slots so that slot i gets between `lower[i]` and `upper[i]`, as nearly
 * proportional to `weight[i]` as the bounds allow. Units left after rounding down go by largest remainder; equal
 * remainders go to the slot that comes first counting from `tieStart` (0: plain slot order, i.e. cluster name order).
 *
 * Callers ensure Σ lower ≤ total ≤ Σ upper; the result then sums to `total` exactly. Slots of weight 0 stay at their
 * lower bound unless the weighted slots cannot hold the total.
 */
export function apportion(
  total: number,
  weight: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  tieStart = 0,
): number[] {
  const n = weight.length;
  const x = new Float64Array(n);
  // 0: still proportional, 1: held at a bound.
  const held = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = lower[i]!;
    if (!(weight[i]! > 0) || upper[i]! <= lower[i]!) held[i] = 1;
  }
  continuous(total, weight, lower, upper, x, held);
  return integral(total, x, lower, upper, tieStart);
}

/**
 * Finds λ with Σ clamp(λ·w, lower, upper) = total by the classic clamping iteration: at λ0 = budget / Σw over the free
 * slots, if clamping would remove more above than it adds below, the true λ is larger, so every slot above its upper
 * bound there stays at it (and symmetrically). Each round holds at least one more slot.
 */
function continuous(
  total: number,
  weight: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  x: Float64Array,
  held: Uint8Array,
): void {
  const n = x.length;
  for (;;) {
    let budget = total;
    let sumW = 0;
    for (let i = 0; i < n; i++) {
      if (held[i]) budget -= x[i]!;
      else sumW += weight[i]!;
    }
    if (sumW === 0) return;
    const lambda = budget / sumW;
    let over = 0;
    let under = 0;
    for (let i = 0; i < n; i++) {
      if (held[i]) continue;
      const t = lambda * weight[i]!;
      if (t > upper[i]!) over += t - upper[i]!;
      else if (t < lower[i]!) under += lower[i]! - t;
    }
    if (over === 0 && under === 0) {
      for (let i = 0; i < n; i++) if (!held[i]) x[i] = lambda * weight[i]!;
      return;
    }
    for (let i = 0; i < n; i++) {
      if (held[i]) continue;
      const t = lambda * weight[i]!;
      if (over >= under && t > upper[i]!) {
        x[i] = upper[i]!;
        held[i] = 1;
      } else if (under >= over && t < lower[i]!) {
        x[i] = lower[i]!;
        held[i] = 1;
      }
    }
  }
}

function integral(
  total: number,
  x: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  tieStart: number,
): number[] {
  const n = x.length;
  const out = new Array<number>(n);
  let left = total;
  for (let i = 0; i < n; i++) {
    // The epsilon keeps 2.9999999 (a product that should be 3) from losing its unit to another slot.
    const v = Math.min(upper[i]!, Math.max(lower[i]!, Math.floor(x[i]! + 1e-9)));
    out[i] = v;
    left -= v;
  }
  // Largest remainder first, a unit per slot per round; further rounds only when bounds held the continuous answer
  // short of the total (weight-0 slots).
  while (left > 0) {
    const open: number[] = [];
    for (let k = 0; k < n; k++) {
      const i = (k + tieStart) % n;
      if (out[i]! < upper[i]!) open.push(i);
    }
    if (open.length === 0) break;
    if (left >= open.length) {
      for (const i of open) out[i]!++;
      left -= open.length;
    } else {
      for (const i of largestRemainders(open, left, x, out)) out[i]!++;
      left = 0;
    }
  }
  // Rounding can only overshoot by float error; take it back from the largest slots.
  for (let i = n - 1; left < 0 && i >= 0; i--) {
    while (left < 0 && out[i]! > lower[i]!) {
      out[i]!--;
      left++;
    }
  }
  return out;
}

/** The `k` slots of `open` with the largest remainders; the earlier in `open` on ties. */
function largestRemainders(open: number[], k: number, x: Float64Array, out: number[]): number[] {
  const rem = (i: number) => x[i]! - out[i]!;
  if (k > 8) {
    // Stable sort keeps the tie order of `open`.
    open.sort((a, b) => rem(b) - rem(a));
    return open.slice(0, k);
  }
  // Few units to give (the usual case: a handful of replicas over many clusters): select, do not sort.
  const picked: number[] = [];
  for (let round = 0; round < k; round++) {
    let best = -1;
    let bestRem = -Infinity;
    for (let o = 0; o < open.length; o++) {
      const r = rem(open[o]!);
      if (r > bestRem) {
        best = o;
        bestRem = r;
      }
    }
    picked.push(open[best]!);
    open.splice(best, 1);
  }
  return picked;
}
