/**
 * Autocorrelation by FFT, for period detection. Pure and deterministic; O(n log n), so two weeks of per-minute
 * samples (20,160 points) cost a few milliseconds.
 */

/**
 * The circular autocorrelation of `x` about its mean, normalised so that lag 0 is 1: entry L compares every sample
 * with the one L steps later, wrapping around the end. On a window of whole cycles this compares each sample with the
 * same phase of another cycle, using every sample equally at every lag. A constant series gives all zeros.
 */
export function circularAutocorrelation(x: readonly number[]): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  // Zero-padding to at least 2n turns the FFT's circular correlation into the linear one, from which the
  // circular correlation of the original length follows as lin[L] + lin[n - L].
  let size = 1;
  while (size < 2 * n) size *= 2;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = x[i]! - mean;
  fft(re, im, false);
  for (let i = 0; i < size; i++) {
    re[i] = re[i]! * re[i]! + im[i]! * im[i]!;
    im[i] = 0;
  }
  fft(re, im, true);
  const zero = re[0]!;
  if (!(zero > 0)) return out;
  for (let lag = 0; lag < n; lag++) out[lag] = (re[lag]! + (lag === 0 ? 0 : re[n - lag]!)) / zero;
  return out;
}

/**
 * In-place iterative radix-2 FFT of the complex signal (re, im); the length must be a power of two. The inverse
 * transform divides by the length.
 */
export function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  if (n !== im.length || (n & (n - 1)) !== 0) throw new RangeError(`fft needs a power-of-two length, got ${n}`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      const tr = re[i]!;
      re[i] = re[j]!;
      re[j] = tr;
      const ti = im[i]!;
      im[i] = im[j]!;
      im[j] = ti;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    const half = len >> 1;
    for (let start = 0; start < n; start += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < half; k++) {
        const a = start + k;
        const b = a + half;
        const xr = re[b]! * cr - im[b]! * ci;
        const xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr;
        im[b] = im[a]! - xi;
        re[a] = re[a]! + xr;
        im[a] = im[a]! + xi;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}

/** Least-squares slope of `ys[from..to]` (inclusive) against the index. */
export function slope(ys: ArrayLike<number>, from: number, to: number): number {
  const n = to - from + 1;
  if (n < 2) return 0;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let sxx = 0;
  for (let i = from; i <= to; i++) {
    const x = i - from;
    const y = ys[i]!;
    sx += x;
    sy += y;
    sxy += x * y;
    sxx += x * x;
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}
