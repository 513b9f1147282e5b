/**
 * Where alert evaluation reads its signals: aggregates of one series over a window ending now. The in-memory
 * implementation below keeps a bounded ring of buckets per series and window, and dumps and loads them so they
 * outlive a restart (window-rows.ts). Not rebuilt from the metric history: that keeps averages past 6 hours (a `min`
 * or `max` is lost) and not the alert-only signals (crash loops, failed jobs, quota, burst budget, slow samples).
 */
export type Aggregate = 'avg' | 'max' | 'min' | 'last' | 'sum' | 'count';

export const AGGREGATES: readonly Aggregate[] = ['avg', 'max', 'min', 'last', 'sum', 'count'];

export interface SignalWindows {
  /** The aggregate of the series' samples in `(now − windowMs, now]`; undefined when there is none. */
  aggregate(series: string, windowMs: number, agg: Aggregate, now: number): number | undefined;
}

/** One series as kept across a restart: its newest sample and, per window (ms), its live buckets flattened. */
export interface SeriesDump {
  readonly key: string;
  readonly last: number;
  readonly lastAt: number;
  /** Per window: [windowMs, [bucket, sum, count, max, min, bucket, …]]. */
  readonly rings: ReadonlyArray<readonly [number, readonly number[]]>;
}

/** Where the collector writes samples. */
export interface SampleSink {
  record(series: string, at: number, value: number): void;
}

// One ring: per slot the bucket number it holds, then sum, count, max, min.
const FIELDS = 5;

/**
 * A ring of `slots` buckets per series and per window (a window's buckets are window/slots long, so every window
 * costs the same memory and an O(slots) read). The windows a signal keeps are those `want` was told (the rules'
 * windows, so a cpu series keeps 5 minutes and an SLO series 5 minutes to 3 days); a window read without being
 * wanted gets its ring at that read and is filled from then on. Samples older than a window fall out of it.
 * Bounded: `maxSeries` series at most (the oldest-created beyond it are dropped).
 */
export class RingSignalWindows implements SignalWindows, SampleSink {
  private readonly slots: number;
  private readonly maxSeries: number;
  private readonly series = new Map<string, { last: number; lastAt: number; rings: Map<number, Float64Array> }>();

  constructor(opts: { slots?: number; maxSeries?: number } = {}) {
    this.slots = opts.slots ?? 20;
    this.maxSeries = opts.maxSeries ?? 500_000;
  }

  private readonly wanted = new Map<string, Set<number>>();

  /** Keep `windowMs` for every series of `signal` (the text of a series key before its `{`). */
  want(signal: string, windowMs: number): void {
    const set = this.wanted.get(signal) ?? new Set<number>();
    set.add(windowMs);
    this.wanted.set(signal, set);
  }

  /** Series held now. */
  get size(): number {
    return this.series.size;
  }

  record(key: string, at: number, value: number): void {
    if (!Number.isFinite(value)) return;
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.maxSeries) {
        const oldest = this.series.keys().next().value;
        if (oldest !== undefined) this.series.delete(oldest);
      }
      s = { last: value, lastAt: at, rings: new Map() };
      this.series.set(key, s);
    }
    if (at >= s.lastAt) {
      s.last = value;
      s.lastAt = at;
    }
    const brace = key.indexOf('{');
    const wanted = this.wanted.get(brace < 0 ? key : key.slice(0, brace));
    if (wanted) for (const w of wanted) if (!s.rings.has(w)) s.rings.set(w, this.newRing());
    for (const [windowMs, ring] of s.rings) this.add(ring, windowMs, at, value);
  }

  aggregate(key: string, windowMs: number, agg: Aggregate, now: number): number | undefined {
    const s = this.series.get(key);
    if (s === undefined || !(windowMs > 0)) return undefined;
    if (agg === 'last') return s.lastAt > now - windowMs && s.lastAt <= now ? s.last : undefined;
    let ring = s.rings.get(windowMs);
    if (ring === undefined) {
      ring = this.newRing();
      s.rings.set(windowMs, ring);
      // The newest sample is the first the ring holds: a rule reads something at once.
      this.add(ring, windowMs, s.lastAt, s.last);
    }
    const n = this.slots;
    const newest = Math.floor(now / (windowMs / n));
    const oldest = newest - n;
    let sum = 0;
    let count = 0;
    let max = -Infinity;
    let min = Infinity;
    for (let o = 0; o < n * FIELDS; o += FIELDS) {
      const b = ring[o] as number;
      if (b > newest || b <= oldest) continue;
      sum += ring[o + 1] as number;
      count += ring[o + 2] as number;
      const hi = ring[o + 3] as number;
      const lo = ring[o + 4] as number;
      if (hi > max) max = hi;
      if (lo < min) min = lo;
    }
    if (count === 0) return undefined;
    switch (agg) {
      case 'sum':
        return sum;
      case 'count':
        return count;
      case 'max':
        return max;
      case 'min':
        return min;
      default:
        return sum / count;
    }
  }

  /** Buckets per ring (a dump is loaded only into windows of the same count: bucket numbers depend on it). */
  get slotCount(): number {
    return this.slots;
  }

  /**
   * Every series with a sample still inside one of its windows at `now`, each with its live buckets (what a
   * restarted process needs to read the same aggregates, window-rows.ts). Series with none are dropped here, from
   * memory too: an application deleted long ago holds nothing any window reads.
   */
  dump(now: number): SeriesDump[] {
    const out: SeriesDump[] = [];
    const n = this.slots;
    for (const [key, s] of this.series) {
      const rings: Array<readonly [number, number[]]> = [];
      for (const [windowMs, ring] of s.rings) {
        const oldest = Math.floor(now / (windowMs / n)) - n;
        const live: number[] = [];
        for (let o = 0; o < n * FIELDS; o += FIELDS)
          if ((ring[o] as number) > oldest) for (let f = 0; f < FIELDS; f++) live.push(ring[o + f] as number);
        if (live.length > 0) rings.push([windowMs, live]);
      }
      if (rings.length === 0) {
        this.series.delete(key);
        continue;
      }
      out.push({ key, last: s.last, lastAt: s.lastAt, rings });
    }
    return out;
  }

  /** Takes up dumped series (a restart, a new leader): each replaces what is held under its key. */
  load(series: readonly SeriesDump[]): void {
    for (const d of series) {
      if (!this.series.has(d.key) && this.series.size >= this.maxSeries) continue;
      const rings = new Map<number, Float64Array>();
      for (const [windowMs, live] of d.rings) {
        if (!(windowMs > 0) || live.length % FIELDS !== 0) continue;
        const ring = this.newRing();
        for (let i = 0; i < live.length; i += FIELDS) {
          const b = live[i]!;
          const o = (((b % this.slots) + this.slots) % this.slots) * FIELDS;
          if ((ring[o] as number) > b) continue;
          for (let f = 0; f < FIELDS; f++) ring[o + f] = live[i + f]!;
        }
        rings.set(windowMs, ring);
      }
      this.series.set(d.key, { last: d.last, lastAt: d.lastAt, rings });
    }
  }

  private newRing(): Float64Array {
    const ring = new Float64Array(this.slots * FIELDS);
    for (let i = 0; i < this.slots; i++) ring[i * FIELDS] = -1;
    return ring;
  }

  private add(ring: Float64Array, windowMs: number, at: number, value: number): void {
    const b = Math.floor(at / (windowMs / this.slots));
    const o = (((b % this.slots) + this.slots) % this.slots) * FIELDS;
    if (ring[o] !== b) {
      if (ring[o]! > b) return; // older than what the slot holds now: out of the window already
      ring[o] = b;
      ring[o + 1] = 0;
      ring[o + 2] = 0;
      ring[o + 3] = -Infinity;
      ring[o + 4] = Infinity;
    }
    ring[o + 1]! += value;
    ring[o + 2]! += 1;
    if (value > ring[o + 3]!) ring[o + 3] = value;
    if (value < ring[o + 4]!) ring[o + 4] = value;
  }
}
