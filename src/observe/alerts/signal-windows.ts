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
  /**
   * The highest sample of each bucket of the series' `windowMs` window still inside it at `now`, with the bucket's
   * end, oldest first: what a normal peak (the median of bucket maxima) is taken from. A bucket that holds no
   * extreme (taken up from a checkpoint that kept none) is left out. Optional, as bucketAverages.
   */
  bucketMaxima?(series: string, windowMs: number, now: number): Array<readonly [end: number, max: number]>;
}

/** One bucket of one series as kept across a restart: [series key, bucket number, sum, count, max, min]. */
export type BucketDump = readonly [string, number, number, number, number, number];

/**
 * Buckets of one window, many at a time, in flat arrays (entries 0 to n − 1): what a checkpoint encodes
 * (RingSignalWindows.visitSlots fills `keys`, `slot` and the values) and what a restore takes up (window-rows.ts fills
 * `ids` and the values for RingSignalWindows.batchLoader). Flat typed arrays, not a call per bucket: a bucket's four
 * numbers passed as arguments to a callback are boxed on the heap, and at 2.4 million buckets (a restore at 10,000
 * applications) that allocation and its collection cost more than the reading itself.
 */
export class BucketBatch {
  n = 0;
  keys: string[] = [];
  ids: Float64Array;
  slot: Int32Array;
  b: Float64Array;
  sum: Float64Array;
  count: Float64Array;
  max: Float64Array;
  min: Float64Array;

  constructor(capacity = 4096) {
    this.ids = new Float64Array(capacity);
    this.slot = new Int32Array(capacity);
    this.b = new Float64Array(capacity);
    this.sum = new Float64Array(capacity);
    this.count = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
    this.min = new Float64Array(capacity);
  }

  get capacity(): number {
    return this.sum.length;
  }

  /** Room for at least `n` entries (what was held is kept). */
  reserve(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, this.capacity * 2);
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const next = make(cap);
      next.set(a);
      return next;
    };
    this.ids = grow(this.ids, (k) => new Float64Array(k));
    this.slot = grow(this.slot, (k) => new Int32Array(k));
    this.b = grow(this.b, (k) => new Float64Array(k));
    this.sum = grow(this.sum, (k) => new Float64Array(k));
    this.count = grow(this.count, (k) => new Float64Array(k));
    this.max = grow(this.max, (k) => new Float64Array(k));
    this.min = grow(this.min, (k) => new Float64Array(k));
  }
}

/** Where the collector writes samples. */
export interface SampleSink {
  record(series: string, at: number, value: number): void;
}

/** The largest series number batchLoader takes (its arrays are indexed by it). */
export const MAX_DENSE_ID = 1 << 26;

/** A series with nothing in any window and no sample for this long is dropped at a checkpoint. */
const IDLE_DROP_MS = 3_600_000;

// One ring: per slot the bucket number it holds, then sum, count, max, min.
const FIELDS = 5;
/** Rings per chunk of a window's column (one Float64Array each: 1,024 rings of 20 slots are 800 KB). */
const CHUNK_SHIFT = 10;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/**
 * Every series' ring of one window, as rows of a column: row r's ring is `FIELDS × slots` numbers at
 * `(r & CHUNK_MASK) × stride` in chunk `r >> CHUNK_SHIFT`. A ring is a row number, not an object of its own: making
 * one (170,000 or more at 10,000 applications, on a restore at once) is taking a free row, and a checkpoint of the
 * window walks its rows in order.
 */
class Column {
  readonly windowMs: number;
  /** A bucket's length (windowMs / slots), computed once: bucket numbers are `Math.floor(t / width)`. */
  readonly width: number;
  readonly slots: number;
  readonly stride: number;
  readonly chunks: Float64Array[] = [];
  /** The series key of each row; undefined for a free row. */
  readonly keys: Array<string | undefined> = [];
  private readonly free: number[] = [];
  /** Rows in use. */
  live = 0;
  /** The latest sample time written to each slot (which slots a checkpoint must write again). */
  readonly writtenAt: Float64Array;

  constructor(windowMs: number, slots: number) {
    this.windowMs = windowMs;
    this.width = windowMs / slots;
    this.slots = slots;
    this.stride = slots * FIELDS;
    this.writtenAt = new Float64Array(slots).fill(-Infinity);
  }

  /** A row for `key`, every slot empty. */
  alloc(key: string): number {
    let row = this.free.pop();
    if (row === undefined) {
      row = this.keys.length;
      this.keys.push(key);
      if (row >> CHUNK_SHIFT >= this.chunks.length) this.chunks.push(new Float64Array((CHUNK_MASK + 1) * this.stride));
    } else this.keys[row] = key;
    const data = this.chunks[row >> CHUNK_SHIFT]!;
    const base = (row & CHUNK_MASK) * this.stride;
    for (let o = base; o < base + this.stride; o += FIELDS) data[o] = -1;
    this.live++;
    return row;
  }

  release(row: number): void {
    this.keys[row] = undefined;
    this.free.push(row);
    this.live--;
  }
}

/** One series: its newest sample, and its ring in each window it keeps (`cols[j]`, row `rows[j]`). */
interface Series {
  readonly key: string;
  /** The text of the key before its `{`: what `want` names. */
  readonly signal: string;
  last: number;
  lastAt: number;
  readonly cols: Column[];
  readonly rows: number[];
}

/**
 * A ring of `slots` buckets per series and per window (a window's buckets are window/slots long, so every window
 * costs the same memory and an O(slots) read). The windows a signal keeps are those `want` was told (the rules'
 * windows, so a cpu series keeps 5 minutes and an SLO series 5 minutes to 3 days); a window read without being
 * wanted gets its ring at that read and is filled from then on. Samples older than a window fall out of it.
 * Bounded: `maxSeries` series at most (the oldest-created beyond it are dropped). The rings of one window are rows
 * of one column (Column), so a series' ring is two numbers and a restore allocates chunks, not rings.
 */
export class RingSignalWindows implements SignalWindows, SampleSink {
  private readonly slots: number;
  private readonly maxSeries: number;
  private readonly series = new Map<string, Series>();
  /** Per window, every series' ring of it (a checkpoint reads one window without walking every series). */
  private readonly columns = new Map<number, Column>();

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
      s = newSeries(key);
      s.last = value;
      s.lastAt = at;
      this.series.set(key, s);
    }
    if (at >= s.lastAt) {
      s.last = value;
      s.lastAt = at;
    }
    const wanted = this.wanted.get(s.signal);
    if (wanted !== undefined) for (const w of wanted) if (ringIndex(s, w) < 0) this.addRing(s, w);
    for (let j = 0; j < s.cols.length; j++) add(s.cols[j]!, s.rows[j]!, at, value);
  }

  aggregate(key: string, windowMs: number, agg: Aggregate, now: number): number | undefined {
    const s = this.series.get(key);
    if (s === undefined || !(windowMs > 0)) return undefined;
    if (agg === 'last') return s.lastAt > now - windowMs && s.lastAt <= now ? s.last : undefined;
    let j = ringIndex(s, windowMs);
    if (j < 0) {
      j = this.addRing(s, windowMs);
      // The newest sample is the first the ring holds: a rule reads something at once.
      if (Number.isFinite(s.lastAt)) add(s.cols[j]!, s.rows[j]!, s.lastAt, s.last);
    }
    const col = s.cols[j]!;
    const row = s.rows[j]!;
    const ring = col.chunks[row >> CHUNK_SHIFT]!;
    const base = (row & CHUNK_MASK) * col.stride;
    const newest = Math.floor(now / col.width);
    const oldest = newest - this.slots;
    let sum = 0;
    let count = 0;
    let max = -Infinity;
    let min = Infinity;
    for (let o = base; o < base + col.stride; o += FIELDS) {
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
      // A bucket taken up from a checkpoint that kept no extremes (its window's rules read none) counts for sum,
      // count and average only: a max or min over such buckets alone reads nothing, as an empty window.
      case 'max':
        return max === -Infinity ? undefined : max;
      case 'min':
        return min === Infinity ? undefined : min;
      default:
        return sum / count;
    }
  }

  bucketAverages(key: string, windowMs: number, now: number): Array<readonly [number, number]> {
    return this.buckets(key, windowMs, now, false);
  }

  bucketMaxima(key: string, windowMs: number, now: number): Array<readonly [number, number]> {
    return this.buckets(key, windowMs, now, true);
  }

  /** Each live bucket's average (or highest sample, `max`) with its end, oldest first. */
  private buckets(key: string, windowMs: number, now: number, max: boolean): Array<readonly [number, number]> {
    const s = this.series.get(key);
    if (s === undefined || !(windowMs > 0)) return [];
    const j = ringIndex(s, windowMs);
    if (j < 0) {
      this.addRing(s, windowMs); // filled from now on, as a read of `aggregate`
      return [];
    }
    const col = s.cols[j]!;
    const row = s.rows[j]!;
    const ring = col.chunks[row >> CHUNK_SHIFT]!;
    const base = (row & CHUNK_MASK) * col.stride;
    const width = col.width;
    const newest = Math.floor(now / width);
    const n = this.slots;
    const out: Array<readonly [number, number]> = [];
    for (let o = base; o < base + col.stride; o += FIELDS) {
      const b = ring[o] as number;
      const count = ring[o + 2] as number;
      if (b > newest || b <= newest - n || !(count > 0)) continue;
      if (!max) out.push([(b + 1) * width, (ring[o + 1] as number) / count]);
      else if ((ring[o + 3] as number) > -Infinity) out.push([(b + 1) * width, ring[o + 3] as number]);
    }
    return out.sort((a, b) => a[0] - b[0]);
  }

  /** Buckets per ring (a dump is loaded only into windows of the same count: bucket numbers depend on it). */
  get slotCount(): number {
    return this.slots;
  }

  /** The windows (ms) some series keeps a ring for. */
  windowSizes(): number[] {
    return [...this.columns.values()]
      .filter((c) => c.live > 0)
      .map((c) => c.windowMs)
      .sort((a, b) => a - b);
  }

  /**
   * The slots of `windowMs`'s rings a sample was written to after `sinceMs` (every slot when `sinceMs` is not
   * finite): those a checkpoint writes again; the others hold what the last checkpoint wrote.
   */
  slotsWrittenSince(windowMs: number, sinceMs: number): number[] {
    const at = this.columns.get(windowMs)?.writtenAt;
    const out: number[] = [];
    for (let i = 0; i < this.slots; i++)
      if (!Number.isFinite(sinceMs) || (at !== undefined && at[i]! > sinceMs)) out.push(i);
    return out;
  }

  /**
   * Tells `visit` of every live bucket (still inside its window at `now`) of `windowMs` in the slots `slots` names,
   * series by series, in batches of at most `batch.capacity` (each call's entries 0 to n − 1; the batch is reused):
   * what a checkpoint writes (window-rows.ts). The live bucket of slot i, if any, is the newest bucket number ≡ i
   * (mod slots) at `now` (one ahead of `now`, after the clock stepped back, is not told: no read counts it either).
   */
  visitSlots(
    now: number,
    windowMs: number,
    slots: readonly number[],
    visit: (batch: BucketBatch) => void,
    batch = new BucketBatch(),
  ): void {
    const col = this.columns.get(windowMs);
    if (col === undefined) return;
    const newest = Math.floor(now / col.width);
    const oldest = newest - this.slots;
    const keys = col.keys;
    const stride = col.stride;
    const offsets = slots.map((i) => i * FIELDS);
    const cap = batch.capacity;
    let n = 0;
    for (let row = 0; row < keys.length; row++) {
      const key = keys[row];
      if (key === undefined) continue;
      if (n + offsets.length > cap) {
        batch.n = n;
        visit(batch);
        n = 0;
      }
      const ring = col.chunks[row >> CHUNK_SHIFT]!;
      const base = (row & CHUNK_MASK) * stride;
      for (let k = 0; k < offsets.length; k++) {
        const o = base + offsets[k]!;
        const b = ring[o]!;
        if (!(b > oldest && b <= newest)) continue;
        batch.keys[n] = key;
        batch.slot[n] = slots[k]!;
        batch.b[n] = b;
        batch.sum[n] = ring[o + 1]!;
        batch.count[n] = ring[o + 2]!;
        batch.max[n] = ring[o + 3]!;
        batch.min[n] = ring[o + 4]!;
        n++;
      }
    }
    if (n > 0) {
      batch.n = n;
      visit(batch);
    }
  }

  /**
   * Drops the series with no live bucket in any window at `now` and no sample for an hour (an application deleted
   * long ago holds nothing any window reads); a checkpoint calls it.
   */
  dropIdle(now: number): void {
    for (const [key, s] of this.series) {
      if (s.lastAt > now - IDLE_DROP_MS) continue;
      let live = false;
      for (let j = 0; j < s.cols.length && !live; j++) {
        const col = s.cols[j]!;
        const row = s.rows[j]!;
        const ring = col.chunks[row >> CHUNK_SHIFT]!;
        const base = (row & CHUNK_MASK) * col.stride;
        const oldest = Math.floor(now / col.width) - this.slots;
        for (let o = base; o < base + col.stride && !live; o += FIELDS) live = ring[o]! > oldest;
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
    if (s === undefined || !(windowMs > 0)) return;
    let j = ringIndex(s, windowMs);
    if (j < 0) j = this.addRing(s, windowMs);
    loadAt(s.cols[j]!, s.rows[j]!, b, sum, count, max, min);
  }

  /**
   * Takes up dumped buckets of series named by number (a checkpoint's dictionary ids), a batch at a time: entries 0
   * to n − 1 of `batch` (ids, bucket numbers and values), each put as loadBucket would put it. `keyOf` is asked once
   * per id; a bucket of an id it does not know is skipped. Returns the buckets taken up. The loader keeps, per window,
   * each id's ring: nothing else may change the series while it loads.
   */
  batchLoader(keyOf: (id: number) => string | undefined): (windowMs: number, batch: BucketBatch) => number {
    // By id: ids are small integers, mostly dense (a dictionary's), so flat arrays (grown as ids come) rather than
    // maps; a sparse JS array would fall back to a dictionary and cost more than the load itself.
    let byId: Array<Series | null | undefined> = new Array<Series | null | undefined>(1024).fill(undefined);
    const rowsByWindow = new Map<number, Int32Array>();
    // A row number, or: not looked up yet (UNKNOWN), no such series (NONE).
    const UNKNOWN = -2;
    const NONE = -1;
    return (windowMs, batch) => {
      if (!(windowMs > 0)) return 0;
      let rows = rowsByWindow.get(windowMs) ?? new Int32Array(0);
      let col = this.columns.get(windowMs);
      const slots = this.slots;
      let taken = 0;
      for (let i = 0; i < batch.n; i++) {
        const raw = batch.ids[i]!;
        // Dense ids only (window-rows.ts renumbers a sparse dictionary): the arrays below are as long as the ids.
        if (!(raw >= 0 && raw <= MAX_DENSE_ID)) continue;
        const id = raw | 0;
        if (id >= rows.length) {
          const next = new Int32Array(Math.max(1024, rows.length * 2, id + 1)).fill(UNKNOWN);
          next.set(rows);
          rows = next;
        }
        let row = rows[id]!;
        if (row === UNKNOWN) {
          if (id >= byId.length) byId = byId.concat(new Array(Math.max(byId.length, id + 1)).fill(undefined));
          let s = byId[id];
          if (s === undefined) {
            const key = keyOf(id);
            byId[id] = s = (key === undefined ? undefined : this.seriesToLoad(key)) ?? null;
          }
          if (s === null) row = NONE;
          else {
            let j = ringIndex(s, windowMs);
            if (j < 0) j = this.addRing(s, windowMs);
            row = s.rows[j]!;
            col = s.cols[j]!;
          }
          rows[id] = row;
        }
        if (row === NONE) continue;
        // As loadAt, inline: the values stay unboxed.
        const b = batch.b[i]!;
        const ring = col!.chunks[row >> CHUNK_SHIFT]!;
        // b mod slots, for any sign, without a floating-point remainder (a library call per bucket).
        const o = (row & CHUNK_MASK) * col!.stride + (b - Math.floor(b / slots) * slots) * FIELDS;
        taken++;
        if (ring[o]! > b) continue;
        ring[o] = b;
        ring[o + 1] = batch.sum[i]!;
        ring[o + 2] = batch.count[i]!;
        ring[o + 3] = batch.max[i]!;
        ring[o + 4] = batch.min[i]!;
      }
      rowsByWindow.set(windowMs, rows);
      return taken;
    };
  }

  private seriesToLoad(key: string): Series | undefined {
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= this.maxSeries) return undefined;
      s = newSeries(key);
      this.series.set(key, s);
    }
    return s;
  }

  /** A new ring of `windowMs` for `s` (a row of the window's column); returns its index in `s.cols`. */
  private addRing(s: Series, windowMs: number): number {
    let col = this.columns.get(windowMs);
    if (col === undefined) this.columns.set(windowMs, (col = new Column(windowMs, this.slots)));
    s.cols.push(col);
    s.rows.push(col.alloc(s.key));
    return s.cols.length - 1;
  }

  private drop(key: string): void {
    const s = this.series.get(key);
    if (s === undefined) return;
    this.series.delete(key);
    for (let j = 0; j < s.cols.length; j++) s.cols[j]!.release(s.rows[j]!);
  }
}

function newSeries(key: string): Series {
  const brace = key.indexOf('{');
  return {
    key,
    signal: brace < 0 ? key : key.slice(0, brace),
    last: NaN,
    lastAt: -Infinity,
    cols: [],
    rows: [],
  };
}

/** The index in `s.cols` of its ring of `windowMs`; -1 when it has none. */
function ringIndex(s: Series, windowMs: number): number {
  const cols = s.cols;
  for (let j = 0; j < cols.length; j++) if (cols[j]!.windowMs === windowMs) return j;
  return -1;
}

/** A dumped bucket into row `row` of `col`, unless its slot holds a newer one. */
function loadAt(col: Column, row: number, b: number, sum: number, count: number, max: number, min: number): void {
  const slots = col.slots;
  const ring = col.chunks[row >> CHUNK_SHIFT]!;
  const o = (row & CHUNK_MASK) * col.stride + (((b % slots) + slots) % slots) * FIELDS;
  if (ring[o]! > b) return;
  ring[o] = b;
  ring[o + 1] = sum;
  ring[o + 2] = count;
  ring[o + 3] = max;
  ring[o + 4] = min;
}

/** A sample into row `row` of `col`: into its bucket, a new one if the slot held an older bucket. */
function add(col: Column, row: number, at: number, value: number): void {
  const slots = col.slots;
  const b = Math.floor(at / col.width);
  const slot = ((b % slots) + slots) % slots;
  const ring = col.chunks[row >> CHUNK_SHIFT]!;
  const o = (row & CHUNK_MASK) * col.stride + slot * FIELDS;
  if (ring[o] !== b) {
    if (ring[o]! > b) return; // older than what the slot holds now: out of the window already
    ring[o] = b;
    ring[o + 1] = 0;
    ring[o + 2] = 0;
    ring[o + 3] = -Infinity;
    ring[o + 4] = Infinity;
  }
  const written = col.writtenAt;
  if (at > written[slot]!) written[slot] = at;
  ring[o + 1]! += value;
  ring[o + 2]! += 1;
  if (value > ring[o + 3]!) ring[o + 3] = value;
  if (value < ring[o + 4]!) ring[o + 4] = value;
}
