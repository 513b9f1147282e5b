/** One past sample of a component's total signals (NaN where it had no value). */
export interface Sample {
  readonly at: number;
  readonly cpuUtilization: number;
  readonly requestsPerSecond: number;
}

/**
 * The last `capacity` samples of one component, oldest first, in typed arrays (24 bytes a sample) that grow by
 * doubling up to the capacity, so a component sampled a few times costs a few hundred bytes, not the whole ring.
 */
export class SampleRing {
  private readonly capacity: number;
  private times: Float64Array;
  private cpu: Float64Array;
  private rps: Float64Array;
  private start = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`a sample ring needs a capacity of at least 1, got ${capacity}`);
    this.capacity = Math.floor(capacity);
    const initial = Math.min(this.capacity, 64);
    this.times = new Float64Array(initial);
    this.cpu = new Float64Array(initial);
    this.rps = new Float64Array(initial);
  }

  get size(): number {
    return this.count;
  }

  /** The time of the oldest sample kept, or Infinity. */
  get firstAt(): number {
    return this.count === 0 ? Infinity : this.times[this.slot(0)]!;
  }

  /** The time of the newest sample, or -Infinity. */
  get lastAt(): number {
    return this.count === 0 ? -Infinity : this.times[this.slot(this.count - 1)]!;
  }

  /** Appends a sample; one at the newest sample's time replaces it, an older one is dropped (time went back). */
  push(s: Sample): void {
    const last = this.lastAt;
    if (s.at < last) return;
    let i: number;
    if (s.at === last) i = this.slot(this.count - 1);
    else {
      if (this.count === this.times.length && this.count < this.capacity) this.grow();
      if (this.count < this.times.length) i = this.slot(this.count++);
      else {
        i = this.start;
        this.start = (this.start + 1) % this.times.length;
      }
    }
    this.times[i] = s.at;
    this.cpu[i] = s.cpuUtilization;
    this.rps[i] = s.requestsPerSecond;
  }

  /** The newest sample at or before `t` and no older than `lookbackMs` (Prometheus's rule), else undefined. */
  at(t: number, lookbackMs: number): Sample | undefined {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[this.slot(mid)]! <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const i = this.slot(found);
    if (t - this.times[i]! > lookbackMs) return undefined;
    return { at: this.times[i]!, cpuUtilization: this.cpu[i]!, requestsPerSecond: this.rps[i]! };
  }

  private slot(n: number): number {
    return (this.start + n) % this.times.length;
  }

  /** Doubles the arrays (up to the capacity), oldest sample first. Only called while the ring has not wrapped. */
  private grow(): void {
    const size = Math.min(this.capacity, this.times.length * 2);
    const copy = (a: Float64Array): Float64Array => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.times = copy(this.times);
    this.cpu = copy(this.cpu);
    this.rps = copy(this.rps);
  }
}
