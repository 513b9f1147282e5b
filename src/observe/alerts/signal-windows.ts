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
  /**
   * The average of each bucket of the series' `windowMs` window still inside it at `now`, with the bucket's end
   * (epoch ms), oldest first: what a robust baseline (the median of bucket averages) is taken from. Optional: a
   * source without buckets gives no baseline, and a rule that needs one does not fire.
   */
  bucketAverages?(series: string, windowMs: number, now: number): Array<readonly [end: number, avg: number]>;
}

/** One bucket of one series as kept across a restart: [series key, bucket number, sum, count, max, min]. */
export type BucketDump = readonly [string, number, number, number, number, number];

/** Told of one live bucket of one series in a window's slot (RingSignalWindows.visitSlots). */
export type BucketVisitor = (
  key: string,
  slot: number,
  bucket: number,
  sum: number,
  count: number,
  max: number,
  min: number,
) => void;

/** Where the collector writes samples. */
export interface SampleSink {
  record(series: string, at: number, value: number): void;
}

/** A series with nothing in any window and no sample for this long is dropped at a checkpoint. */
const IDLE_DROP_MS = 3_600_000;

/** One series: its newest sample, and a ring per window it keeps. */
interface Series {
  readonly key: string;
  last: number;
  lastAt: number;
  readonly rings: Map<number, Float64Array>;
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
  private readonly series = new Map<string, Series>();
  /** Per window, every series' ring of it by key (a checkpoint reads one window without walking every series). */
  private readonly byWindow = new Map<number, Map<string, Float64Array>>();

  constructor(opts: { slots?: number; maxSeries?: number } = {}) {
    this.slots = opts.slots ?? 20;
    this.maxSeries = opts.maxSeries ?? 500_000;
  }

  private readonly wanted = new Map<string, Set<number>>();
  /** Per window: the latest sample time written to each slot (which slots a checkpoint must write again). */
  private readonly writtenAt = new Map<number, Float64Array>();

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

  /** Whether the series `key` is held. */
  has(key: string): boolean {
    return this.series.has(key);
  }

  /** The keys of the series held. */
  keys(): IterableIterator<string> {
    return this.series.keys();
  }

  record(key: string, at: number, value: number): void {
    if (!Number.isFinite(value)) return;
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.maxSeries) {
        const oldest = this.series.keys().next().value;
        if (oldest !== undefined) this.drop(oldest);
      }
      s = { key, last: value, lastAt: at, rings: new Map() };
      this.series.set(key, s);
    }
    if (at >= s.lastAt) {
      s.last = value;
      s.lastAt = at;
    }
    const brace = key.indexOf('{');
    const wanted = this.wanted.get(brace < 0 ? key : key.slice(0, brace));
    if (wanted) for (const w of wanted) if (!s.rings.has(w)) this.addRing(s, w);
    for (const [windowMs, ring] of s.rings) this.add(ring, windowMs, at, value);
  }

  aggregate(key: string, windowMs: number, agg: Aggregate, now: number): number | undefined {
    const s = this.series.get(key);
    if (s === undefined || !(windowMs > 0)) return undefined;
    if (agg === 'last') return s.lastAt > now - windowMs && s.lastAt <= now ? s.last : undefined;
    let ring = s.rings.get(windowMs);
    if (ring === undefined) {
      ring = this.addRing(s, windowMs);
      // The newest sample is the first the ring holds: a rule reads something at once.
      if (Number.isFinite(s.lastAt)) this.add(ring, windowMs, s.lastAt, s.last);
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

  bucketAverages(key: string, windowMs: number, now: number): Array<readonly [number, number]> {
    const s = this.series.get(key);
    const ring = s?.rings.get(windowMs);
    if (ring === undefined) {
      if (s !== undefined && windowMs > 0) this.addRing(s, windowMs); // filled from now on, as a read of `aggregate`
      return [];
    }
    const n = this.slots;
    const width = windowMs / n;
    const newest = Math.floor(now / width);
    const out: Array<readonly [number, number]> = [];
    for (let o = 0; o < n * FIELDS; o += FIELDS) {
      const b = ring[o] as number;
      const count = ring[o + 2] as number;
      if (b > newest || b <= newest - n || !(count > 0)) continue;
      out.push([(b + 1) * width, (ring[o + 1] as number) / count]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** Buckets per ring (a dump is loaded only into windows of the same count: bucket numbers depend on it). */
  get slotCount(): number {
    return this.slots;
  }

  /** The windows (ms) some series keeps a ring for. */
  windowSizes(): number[] {
    return [...this.byWindow]
      .filter(([, rings]) => rings.size > 0)
      .map(([w]) => w)
      .sort((a, b) => a - b);
  }

  /**
   * The slots of `windowMs`'s rings a sample was written to after `sinceMs` (every slot when `sinceMs` is not
   * finite): those a checkpoint writes again; the others hold what the last checkpoint wrote.
   */
  slotsWrittenSince(windowMs: number, sinceMs: number): number[] {
    const at = this.writtenAt.get(windowMs);
    const out: number[] = [];
    for (let i = 0; i < this.slots; i++)
      if (!Number.isFinite(sinceMs) || (at !== undefined && at[i]! > sinceMs)) out.push(i);
    return out;
  }

  /**
   * Tells `visit` of every live bucket (still inside its window at `now`) of `windowMs` in the slots `slots` names,
   * series by series: what a checkpoint writes (window-rows.ts). The live bucket of slot i, if any, is the newest
   * bucket number ≡ i (mod slots) at `now` (one ahead of `now`, after the clock stepped back, is not told: no read
   * counts it either).
   */
  visitSlots(now: number, windowMs: number, slots: readonly number[], visit: BucketVisitor): void {
    const newest = Math.floor(now / (windowMs / this.slots));
    const oldest = newest - this.slots;
    for (const [key, ring] of this.byWindow.get(windowMs) ?? []) {
      for (const i of slots) {
        const o = i * FIELDS;
        const b = ring[o]!;
        if (b > oldest && b <= newest) visit(key, i, b, ring[o + 1]!, ring[o + 2]!, ring[o + 3]!, ring[o + 4]!);
      }
    }
  }

  /**
   * Drops the series with no live bucket in any window at `now` and no sample for an hour (an application deleted
   * long ago holds nothing any window reads); a checkpoint calls it.
   */
  dropIdle(now: number): void {
    const n = this.slots;
    for (const [key, s] of this.series) {
      if (s.lastAt > now - IDLE_DROP_MS) continue;
      let live = false;
      for (const [w, ring] of s.rings) {
        const oldest = Math.floor(now / (w / n)) - n;
        for (let o = 0; o < n * FIELDS && !live; o += FIELDS) live = ring[o]! > oldest;
        if (live) break;
      }
      if (!live) this.drop(key);
    }
  }

  /**
   * Takes up dumped buckets of `windowMs` (a restart, a new leader). A bucket goes to the slot its number maps to,
   * unless that slot holds a newer one. The newest sample (`last`) is not restored: the round after a restart
   * samples every series before it reads one.
   */
  loadBuckets(windowMs: number, buckets: readonly BucketDump[]): void {
    for (const [key, b, sum, count, max, min] of buckets) this.loadBucket(key, windowMs, b, sum, count, max, min);
  }

  /** Takes up one dumped bucket (see loadBuckets). */
  loadBucket(key: string, windowMs: number, b: number, sum: number, count: number, max: number, min: number): void {
    const s = this.seriesToLoad(key);
    if (s !== undefined) this.loadInto(s, windowMs, b, sum, count, max, min);
  }

  /**
   * Takes up dumped buckets of series named by number (a checkpoint's dictionary ids): `keyOf` is asked once per id,
   * and each bucket goes in as loadBucket would put it. A bucket of an id `keyOf` does not know is skipped.
   */
  bucketLoader(
    keyOf: (id: number) => string | undefined,
  ): (id: number, windowMs: number, b: number, sum: number, count: number, max: number, min: number) => boolean {
    // By id: ids are small integers, mostly dense (a dictionary's).
    const byId: Array<Series | null> = [];
    return (id, windowMs, b, sum, count, max, min) => {
      let s = byId[id];
      if (s === undefined) {
        const key = keyOf(id);
        byId[id] = s = (key === undefined ? undefined : this.seriesToLoad(key)) ?? null;
      }
      if (s === null) return false;
      this.loadInto(s, windowMs, b, sum, count, max, min);
      return true;
    };
  }

  private seriesToLoad(key: string): Series | undefined {
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.maxSeries) return undefined;
      s = { key, last: NaN, lastAt: -Infinity, rings: new Map() };
      this.series.set(key, s);
    }
    return s;
  }

  private loadInto(s: Series, windowMs: number, b: number, sum: number, count: number, max: number, min: number): void {
    if (!(windowMs > 0)) return;
    let ring = s.rings.get(windowMs);
    if (ring === undefined) ring = this.addRing(s, windowMs);
    const o = (((b % this.slots) + this.slots) % this.slots) * FIELDS;
    if (ring[o]! > b) return;
    ring[o] = b;
    ring[o + 1] = sum;
    ring[o + 2] = count;
    ring[o + 3] = max;
    ring[o + 4] = min;
  }

  /**
   * Rings are views into slabs of 64 (one allocation, not one per ring: a restore makes 170,000 of them at 10,000
   * applications), and the rings of a dropped series are reused before a slab is cut further, so memory follows the
   * most rings ever held at once.
   */
  private slab: Float64Array | undefined;
  private slabAt = 0;
  private readonly free: Float64Array[] = [];

  private newRing(): Float64Array {
    const len = this.slots * FIELDS;
    let ring = this.free.pop();
    if (ring === undefined) {
      if (this.slab === undefined || this.slabAt + len > this.slab.length) {
        this.slab = new Float64Array(len * 64);
        this.slabAt = 0;
      }
      ring = this.slab.subarray(this.slabAt, (this.slabAt += len));
    }
    for (let i = 0; i < this.slots; i++) ring[i * FIELDS] = -1;
    return ring;
  }

  /** A new ring of `windowMs` for `s`, listed under its window too (what a checkpoint of that window reads). */
  private addRing(s: Series, windowMs: number): Float64Array {
    const ring = this.newRing();
    s.rings.set(windowMs, ring);
    let rings = this.byWindow.get(windowMs);
    if (rings === undefined) this.byWindow.set(windowMs, (rings = new Map()));
    rings.set(s.key, ring);
    return ring;
  }

  private drop(key: string): void {
    const s = this.series.get(key);
    if (s === undefined) return;
    this.series.delete(key);
    for (const [w, ring] of s.rings) {
      this.byWindow.get(w)?.delete(key);
      this.free.push(ring);
    }
  }

  private add(ring: Float64Array, windowMs: number, at: number, value: number): void {
    const b = Math.floor(at / (windowMs / this.slots));
    const slot = ((b % this.slots) + this.slots) % this.slots;
    const o = slot * FIELDS;
    if (ring[o] !== b) {
      if (ring[o]! > b) return; // older than what the slot holds now: out of the window already
      ring[o] = b;
      ring[o + 1] = 0;
      ring[o + 2] = 0;
      ring[o + 3] = -Infinity;
      ring[o + 4] = Infinity;
    }
    let written = this.writtenAt.get(windowMs);
    if (written === undefined) this.writtenAt.set(windowMs, (written = new Float64Array(this.slots).fill(-Infinity)));
    if (at > written[slot]!) written[slot] = at;
    ring[o + 1]! += value;
    ring[o + 2]! += 1;
    if (value > ring[o + 3]!) ring[o + 3] = value;
    if (value < ring[o + 4]!) ring[o + 4] = value;
  }
}
