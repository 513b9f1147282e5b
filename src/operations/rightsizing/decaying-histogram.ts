import { VPA } from './vpa-constants.ts';

/**
 * The VPA's exponential histogram (util/histogram_options.go): bucket 0 is [0, first), bucket n ≥ 1 starts at
 * first × (ratio^n − 1) / (ratio − 1); the last bucket starts at or above `max` and has no end.
 */
export class ExponentialBuckets {
  readonly count: number;
  readonly first: number;
  readonly ratio: number;
  constructor(first: number, ratio: number, max: number) {
    this.first = first;
    this.ratio = ratio;
    this.count = Math.ceil(Math.log((max * (ratio - 1)) / first + 1) / Math.log(ratio)) + 1;
  }

  find(value: number): number {
    if (value < this.first) return 0;
    const b = Math.floor(Math.log((value * (this.ratio - 1)) / this.first + 1) / Math.log(this.ratio));
    return b >= this.count ? this.count - 1 : b;
  }

  start(bucket: number): number {
    if (bucket === 0) return 0;
    return (this.first * (this.ratio ** bucket - 1)) / (this.ratio - 1);
  }
}

export const CPU_BUCKETS = new ExponentialBuckets(VPA.cpuFirstBucketCores, 1 + VPA.bucketGrowth, VPA.cpuMaxCores);
export const MEMORY_BUCKETS = new ExponentialBuckets(
  VPA.memoryFirstBucketBytes,
  1 + VPA.bucketGrowth,
  VPA.memoryMaxBytes,
);

/**
 * The VPA's decaying histogram (util/decaying_histogram.go): a sample at time t weighs weight × 2^((t − ref) / halfLife),
 * so a sample one half-life older counts half. `ref` is a multiple of the half-life, moved forward (and every
 * weight rescaled) when the exponent would pass 100. A percentile is the END of the bucket where the cumulative
 * weight first reaches p × total (util/histogram.go Percentile).
 */
export class DecayingHistogram {
  readonly #weights: Float64Array;
  #total = 0;
  #min: number;
  #max = 0;
  #ref = 0;
  readonly buckets: ExponentialBuckets;
  readonly halfLifeMs: number;

  constructor(buckets: ExponentialBuckets, halfLifeMs: number) {
    this.buckets = buckets;
    this.halfLifeMs = halfLifeMs;
    this.#weights = new Float64Array(buckets.count);
    this.#min = buckets.count - 1;
  }

  get totalWeight(): number {
    return this.#total;
  }

  add(value: number, weight: number, atMs: number): void {
    const w = weight * this.#decay(atMs);
    const b = this.buckets.find(value);
    this.#weights[b]! += w;
    this.#total += w;
    if (b < this.#min && this.#weights[b]! >= VPA.epsilon) this.#min = b;
    if (b > this.#max && this.#weights[b]! >= VPA.epsilon) this.#max = b;
  }

  subtract(value: number, weight: number, atMs: number): void {
    let w = weight * this.#decay(atMs);
    const b = this.buckets.find(value);
    if (w > this.#weights[b]! - VPA.epsilon) w = this.#weights[b]!;
    this.#total -= w;
    this.#weights[b]! -= w;
    this.#bounds();
  }

  isEmpty(): boolean {
    return this.#weights[this.#min]! < VPA.epsilon;
  }

  percentile(p: number): number {
    if (this.isEmpty()) return 0;
    const threshold = p * this.#total;
    let sum = 0;
    let b = this.#min;
    for (; b < this.#max; b++) {
      sum += this.#weights[b]!;
      if (sum >= threshold) break;
    }
    return b < this.buckets.count - 1 ? this.buckets.start(b + 1) : this.buckets.start(b);
  }

  #decay(atMs: number): number {
    if (atMs > this.#ref + this.halfLifeMs * VPA.maxDecayExponent) this.#shift(atMs);
    return 2 ** ((atMs - this.#ref) / this.halfLifeMs);
  }

  #shift(atMs: number): void {
    const next = Math.round(atMs / this.halfLifeMs) * this.halfLifeMs;
    const factor = 2 ** Math.round((this.#ref - next) / this.halfLifeMs);
    for (let b = this.#min; b <= this.#max; b++) this.#weights[b]! *= factor;
    this.#total *= factor;
    this.#ref = next;
    this.#bounds();
  }

  #bounds(): void {
    const last = this.buckets.count - 1;
    while (this.#weights[this.#min]! < VPA.epsilon && this.#min < last) this.#min++;
    while (this.#weights[this.#max]! < VPA.epsilon && this.#max > 0) this.#max--;
  }
}
