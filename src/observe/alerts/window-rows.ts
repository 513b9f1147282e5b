import type {
  StoredWindows,
  WindowRow,
  WindowSeriesKey,
  WindowSlotRow,
  WindowCheckpoint,
} from '../../resources/alert-state.ts';
import { windowsOf } from './evaluate.ts';
import type { CompiledRule } from './rules.ts';
import type { BucketDump, RingSignalWindows } from './signal-windows.ts';
import { BucketBatch, MAX_DENSE_ID } from './signal-windows.ts';

/** The format of a legacy (JSON, before schema step 11) row; a row of another version is left unread. */
const LEGACY_VERSION = 1;
/**
 * The format of a slot row (the first byte); a row of another format (or another bucket count) is left unread.
 * Format 3 (December 2026) adds buckets stored without their extremes (NO_EXTREMES); format 2 rows, which never
 * have that flag, are read the same way. A replica of the version before reads neither 3 nor what it cannot know.
 */
const SLOT_FORMAT = 3;
const SLOT_FORMATS_READ = new Set([2, 3]);

interface WindowData {
  readonly v: number;
  readonly slots: number;
  readonly buckets: readonly BucketDump[];
}

const TENANT = /[{,]tenant="([^"]*)"/;

/** The department a series key belongs to ('' for the platform's: clusters). */
export function tenantOfSeries(key: string): string {
  return TENANT.exec(key)?.[1] ?? '';
}

/** How a value is stored: +0, a non-negative integer (varint), a float64, or the value before it again. */
const ZERO = 0;
const UINT = 1;
const F64 = 2;
const SAME = 3;
/** In a bucket's flags byte, after the three values' kinds (2 bits each): the count is not 1 and follows. */
const HAS_COUNT = 64;
/**
 * In a bucket's flags byte: max and min are not stored (no rule reads an extreme of the window: a burn rate's sums,
 * a baseline's bucket averages, a trend's line); they load as −∞ and +∞, which a max or min read skips.
 */
const NO_EXTREMES = 128;

function kindOf(v: number, previous: number): number {
  if (Object.is(v, previous)) return SAME;
  if (Object.is(v, 0)) return ZERO;
  return Number.isSafeInteger(v) && v > 0 ? UINT : F64;
}

/**
 * Writes one slot row: a header (format, slots per ring, the bucket number every live bucket of the slot has, the
 * number of buckets), then per bucket the series id (as a signed step from the one before), a flags byte, the count
 * when it is not 1, and sum, max and min, each stored as small as it goes (see kindOf): a one-sample bucket is its
 * one value, a bucket of zeros (a crash-loop flag at rest) three bytes.
 */
class RowWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private at = 0;
  private lastId = 0;
  count = 0;
  readonly tenant: string;
  readonly slot: number;
  readonly bucket: number;

  constructor(tenant: string, slot: number, bucket: number) {
    this.tenant = tenant;
    this.slot = slot;
    this.bucket = bucket;
  }

  /** Entry `i` of `batch` under series id `id`; without max and min unless `extremes`. */
  add(id: number, batch: BucketBatch, i: number, extremes: boolean): void {
    this.room(48);
    this.varint(zigzag(id - this.lastId));
    this.lastId = id;
    const sum = batch.sum[i]!;
    const count = batch.count[i]!;
    const ks = kindOf(sum, NaN);
    const countFlag = count === 1 ? 0 : HAS_COUNT;
    if (!extremes) {
      this.buf[this.at++] = ks | NO_EXTREMES | countFlag;
      if (count !== 1) this.varint(count);
      this.value(ks, sum);
      this.count++;
      return;
    }
    const max = batch.max[i]!;
    const min = batch.min[i]!;
    const kx = kindOf(max, sum);
    const kn = kindOf(min, max);
    this.buf[this.at++] = ks | (kx << 2) | (kn << 4) | countFlag;
    if (count !== 1) this.varint(count);
    this.value(ks, sum);
    this.value(kx, max);
    this.value(kn, min);
    this.count++;
  }

  /** The row's bytes: the header, then the buckets. */
  bytes(slots: number): Uint8Array {
    const body = this.buf.subarray(0, this.at);
    this.buf = new Uint8Array(24);
    this.view = new DataView(this.buf.buffer);
    this.at = 0;
    this.buf[this.at++] = SLOT_FORMAT;
    this.buf[this.at++] = slots;
    this.varint(this.bucket);
    this.varint(this.count);
    const out = new Uint8Array(this.at + body.length);
    out.set(this.buf.subarray(0, this.at));
    out.set(body, this.at);
    return out;
  }

  private value(kind: number, v: number): void {
    if (kind === UINT) this.varint(v);
    else if (kind === F64) {
      this.view.setFloat64(this.at, v, true);
      this.at += 8;
    }
  }

  private varint(v: number): void {
    while (v >= 128) {
      this.buf[this.at++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    this.buf[this.at++] = v;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf.subarray(0, this.at));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/**
 * Reads a slot row written by RowWriter into `batch` (ids, bucket numbers and values, entries 0 to n − 1): returns
 * the row's bucket number (every bucket of a row has it), or undefined for a row of another format or bucket count.
 * `skipBefore`: a row whose bucket number is not above it is not decoded (its buckets have left the window), and
 * `batch.n` is 0.
 */
export function decodeSlotRow(
  data: Uint8Array,
  slots: number,
  batch: BucketBatch,
  skipBefore = -Infinity,
): number | undefined {
  batch.n = 0;
  if (data.length < 2 || !SLOT_FORMATS_READ.has(data[0]!) || data[1] !== slots) return undefined;
  const r = new RowReader(data);
  const b = r.varint();
  if (!(b > skipBefore)) return b;
  const n = r.varint();
  batch.reserve(n);
  let id = 0;
  for (let k = 0; k < n; k++) {
    const z = r.varint();
    id += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    const flags = r.byte();
    const count = flags & HAS_COUNT ? r.varint() : 1;
    const sum = r.value(flags & 3, NaN);
    batch.ids[k] = id;
    batch.b[k] = b;
    batch.sum[k] = sum;
    batch.count[k] = count;
    if (flags & NO_EXTREMES) {
      batch.max[k] = -Infinity;
      batch.min[k] = Infinity;
    } else {
      const max = r.value((flags >> 2) & 3, sum);
      batch.max[k] = max;
      batch.min[k] = r.value((flags >> 4) & 3, max);
    }
  }
  batch.n = n;
  return b;
}

/** Reads a slot row written by RowWriter; calls `bucket` for each bucket, returns false for another format. */
export function readSlotRow(
  data: Uint8Array,
  slots: number,
  bucket: (id: number, b: number, sum: number, count: number, max: number, min: number) => void,
): boolean {
  const batch = new BucketBatch(16);
  if (decodeSlotRow(data, slots, batch) === undefined) return false;
  for (let k = 0; k < batch.n; k++)
    bucket(batch.ids[k]!, batch.b[k]!, batch.sum[k]!, batch.count[k]!, batch.max[k]!, batch.min[k]!);
  return true;
}

class RowReader {
  private readonly data: Uint8Array;
  private readonly view: DataView;
  private at = 2;

  constructor(data: Uint8Array) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  byte(): number {
    return this.data[this.at++]!;
  }

  varint(): number {
    let byte = this.data[this.at++]!;
    if (byte < 128) return byte;
    let v = byte & 127;
    let scale = 128;
    for (;;) {
      byte = this.data[this.at++]!;
      v += (byte & 127) * scale;
      if (byte < 128) return v;
      scale *= 128;
    }
  }

  value(kind: number, previous: number): number {
    if (kind === F64) {
      const v = this.view.getFloat64(this.at, true);
      this.at += 8;
      return v;
    }
    if (kind === ZERO) return 0;
    return kind === UINT ? this.varint() : previous;
  }
}

/**
 * The windows' checkpoints (alert_series, alert_slots): what AlertStateStore.saveWindows keeps lets a restarted
 * process, or a new leader, read the same aggregates (a `min over 2m` neither fires on the first sample after a
 * restart nor forgets the samples before it). Each series key is stored once, in the dictionary, and a slot row
 * names series by id: a row per department ('' the platform's), window and bucket slot, holding that slot's live
 * buckets in the binary form RowWriter writes. A checkpoint writes only the slots a sample was written to since the
 * one before (a 5-minute window's four newest 15-second buckets a minute, a 3-day window's one open bucket), so it
 * costs a small part of the whole. One per controller: it holds the dictionary (key → id, department) as the store
 * has it.
 */
export class WindowCheckpoints {
  private readonly windows: RingSignalWindows;
  private readonly ids = new Map<string, Entry>();
  /** Reused by every encode and decode. */
  private readonly batch = new BucketBatch();
  /** Per window, the signals whose extremes a rule reads (keepExtremes); absent: every extreme is kept. */
  private extremes: ReadonlyMap<number, ReadonlySet<string>> | undefined;

  constructor(windows: RingSignalWindows) {
    // A row states its bucket count in one byte.
    if (windows.slotCount > 255)
      throw new RangeError(`window checkpoints: at most 255 slots, got ${windows.slotCount}`);
    this.windows = windows;
  }

  /**
   * Which extremes (max and min) the checkpoints store: those of the (signal, window) pairs `pairs` names
   * (extremesRead: the windows a rule reads a max or a min of); the other buckets are stored with sum and count only,
   * about half the bytes of a bucket of several samples. Until told, every extreme is stored. A rule added later
   * that reads an extreme of another window reads, after a restart, only the samples since (as after a gap).
   */
  keepExtremes(pairs: Iterable<readonly [string, number]>): void {
    const map = new Map<number, Set<string>>();
    for (const [signal, w] of pairs) {
      let set = map.get(w);
      if (set === undefined) map.set(w, (set = new Set()));
      set.add(signal);
    }
    this.extremes = map;
  }

  private extremesOf(windowMs: number): ReadonlySet<string> | undefined {
    if (this.extremes === undefined) return undefined;
    return this.extremes.get(windowMs) ?? NONE;
  }

  /**
   * The windows a checkpoint every `everyMs` keeps: those longer than `everyMs`. A shorter one holds nothing worth
   * reading back: its buckets were up to `everyMs` old when the checkpoint was written, and a restart or a new
   * leader's lease comes on top, so they have left the window by the time they are loaded; yet every checkpoint
   * would rewrite all its slots (a 1-minute window was most of a checkpoint's rows and CPU). The first rounds after
   * a restart fill it again; its aggregates read fewer samples meanwhile, and an alert's `for` goes on from the
   * alert state, which is kept.
   */
  windowsKept(everyMs: number): number[] {
    return this.windows.windowSizes().filter((w) => w > everyMs);
  }

  /** The series held that have no id yet (to ask the store for: AlertStateStore.windowSeriesIds). */
  unnamed(): WindowSeriesKey[] {
    const out: WindowSeriesKey[] = [];
    for (const key of this.windows.keys()) if (!this.ids.has(key)) out.push({ key, tenant: tenantOfSeries(key) });
    return out;
  }

  /** Takes up the ids the store gave `series` (in order). */
  name(series: readonly WindowSeriesKey[], ids: readonly number[]): void {
    series.forEach((s, i) => this.ids.set(s.key, entryOf(s.key, ids[i]!, s.tenant)));
  }

  /**
   * The rows of the slots of `windowMs` written to after `sinceMs` (every slot when it is not finite), at `nowMs`:
   * each holds the department's live buckets there, and replaces what the slot held (`replaced`: every department's
   * row of that slot). A series without an id is left out (name it first).
   */
  rows(
    windowMs: number,
    sinceMs: number,
    nowMs: number,
  ): Pick<WindowCheckpoint, 'put' | 'replaced'> & { readonly buckets: number } {
    const n = this.windows.slotCount;
    const slots = this.windows.slotsWrittenSince(windowMs, sinceMs);
    const extremes = this.extremesOf(windowMs);
    // Per department, its row writers by slot.
    const byTenant = new Map<string, Array<RowWriter | undefined>>();
    let lastKey: string | undefined;
    let entry: Entry | undefined;
    let keep = true;
    let writers: Array<RowWriter | undefined> = [];
    let buckets = 0;
    this.windows.visitSlots(
      nowMs,
      windowMs,
      slots,
      (batch) => {
        for (let i = 0; i < batch.n; i++) {
          const key = batch.keys[i]!;
          if (key !== lastKey) {
            lastKey = key;
            entry = this.ids.get(key);
            if (entry === undefined) continue;
            let w = byTenant.get(entry.tenant);
            if (w === undefined) byTenant.set(entry.tenant, (w = []));
            writers = w;
            keep = extremes === undefined || extremes.has(entry.signal);
          }
          if (entry === undefined) continue;
          const slot = batch.slot[i]!;
          let w = writers[slot];
          if (w === undefined) writers[slot] = w = new RowWriter(entry.tenant, slot, batch.b[i]!);
          w.add(entry.id, batch, i, keep);
          buckets++;
        }
      },
      this.batch,
    );
    const put: WindowSlotRow[] = [];
    for (const list of byTenant.values())
      for (const w of list)
        if (w !== undefined) put.push({ tenant: w.tenant, windowMs, slot: w.slot, data: w.bytes(n), updatedAt: nowMs });
    put.sort((a, b) => a.slot - b.slot || a.tenant.localeCompare(b.tenant));
    return { put, replaced: slots.map((slot) => ({ windowMs, slot })), buckets };
  }

  /**
   * Drops the series idle past the windows (RingSignalWindows.dropIdle) and returns the ids of every dictionary
   * entry whose series is no longer held, forgetting them: the checkpoint deletes them (AlertStateStore.saveWindows
   * `dropSeries`). A stored bucket of a series whose id is gone is skipped on loading.
   */
  dropped(nowMs: number): number[] {
    this.windows.dropIdle(nowMs);
    const out: number[] = [];
    for (const [key, e] of this.ids)
      if (!this.windows.has(key)) {
        out.push(e.id);
        this.ids.delete(key);
      }
    return out;
  }

  /**
   * Loads what the store keeps (the dictionary, the slot rows and the legacy rows) into the windows, rows in the
   * order they were written so that a later write of a bucket wins; rows whose buckets all left their window by
   * `nowMs`, and rows of another format or bucket count, are skipped. Returns the buckets taken up.
   */
  load(stored: StoredWindows, nowMs: number): number {
    const steps = this.loadInSteps(stored, nowMs);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  }

  /**
   * `load` in steps: the generator stops after each row (a department's buckets of one window slot), so a caller
   * that holds an event loop (AlertController, through runInSlices) gives it back while a large estate's windows are
   * taken up (about a second of CPU at 10,000 applications). Nothing else may change the windows until it is done.
   */
  *loadInSteps(stored: StoredWindows, nowMs: number): Generator<void, number> {
    // The loader indexes flat arrays by id: a dictionary whose ids are sparse (a store's ids can be anything up to
    // 2^53) is numbered afresh for the load, each decoded id looked up.
    let maxId = 0;
    for (const s of stored.series) {
      this.ids.set(s.key, entryOf(s.key, s.id, s.tenant));
      if (s.id > maxId) maxId = s.id;
    }
    const dense = maxId <= Math.min(MAX_DENSE_ID, 4 * stored.series.length + 65_536);
    const keys: Array<string | undefined> = new Array<string | undefined>(
      dense ? maxId + 1 : stored.series.length,
    ).fill(undefined);
    const renumber = dense ? undefined : new Map<number, number>();
    stored.series.forEach((s, i) => {
      if (renumber === undefined) keys[s.id] = s.key;
      else {
        keys[i] = s.key;
        renumber.set(s.id, i);
      }
    });
    const n = this.windows.slotCount;
    const rows: Array<WindowSlotRow | WindowRow> = [...stored.legacy, ...stored.slots];
    rows.sort((a, b) => a.updatedAt - b.updatedAt);
    const load = this.windows.batchLoader((id) => keys[id]);
    const batch = this.batch;
    let taken = 0;
    for (const row of rows) {
      const windowMs = row.windowMs;
      if (typeof row.data === 'string') {
        taken += loadLegacyRow(this.windows, row as WindowRow);
        yield;
        continue;
      }
      if (!(windowMs > 0)) continue;
      const oldest = Math.floor(nowMs / (windowMs / n)) - n;
      if (decodeSlotRow(row.data, n, batch, oldest) === undefined || batch.n === 0) continue;
      if (renumber !== undefined) for (let k = 0; k < batch.n; k++) batch.ids[k] = renumber.get(batch.ids[k]!) ?? -1;
      taken += load(windowMs, batch);
      yield;
    }
    return taken;
  }
}

/** Loads one legacy (JSON) row into `windows`; returns the buckets taken up (0 for a row of another format). */
export function loadLegacyRow(windows: RingSignalWindows, row: WindowRow): number {
  let data: WindowData;
  try {
    data = JSON.parse(row.data) as WindowData;
  } catch {
    return 0;
  }
  if (data.v !== LEGACY_VERSION || data.slots !== windows.slotCount || !Array.isArray(data.buckets)) return 0;
  windows.loadBuckets(row.windowMs, data.buckets);
  return data.buckets.length;
}

/** A dictionary entry: the series' id and department, and its signal (the key before its `{`). */
interface Entry {
  readonly id: number;
  readonly tenant: string;
  readonly signal: string;
}

const NONE: ReadonlySet<string> = new Set();

function entryOf(key: string, id: number, tenant: string): Entry {
  const brace = key.indexOf('{');
  return { id, tenant, signal: brace < 0 ? key : key.slice(0, brace) };
}

/**
 * The (signal, window) pairs whose max or min some rule reads: a threshold's `max` or `min` aggregate, a baseline
 * rule's over its short window, a trend's normal peak (the maxima of its abovePeak window). A burn rate reads sums and
 * averages, a baseline its buckets' averages, a trend its buckets' averages and the newest sample: none of them an
 * extreme. A kind of expression this does not know keeps
 * every window it reads (windowsOf), as the safe side.
 */
export function extremesRead(rules: readonly CompiledRule[]): Array<readonly [string, number]> {
  const out: Array<readonly [string, number]> = [];
  const extreme = (agg: string) => agg === 'max' || agg === 'min';
  for (const r of rules) {
    const e = r.expr as CompiledRule['expr'] | { readonly kind: string };
    switch (e.kind) {
      case 'threshold':
      case 'baseline': {
        const x = e as Extract<CompiledRule['expr'], { kind: 'threshold' | 'baseline' }>;
        if (extreme(x.aggregate)) out.push([x.signal, x.windowMs]);
        break;
      }
      case 'burnRate':
        break;
      case 'trend': {
        // A trend reads its buckets' averages and the newest sample; with a normal peak, the maxima of that window.
        const x = e as Extract<CompiledRule['expr'], { kind: 'trend' }>;
        if (x.abovePeak) out.push([x.signal, x.abovePeak.windowMs]);
        break;
      }
      default:
        out.push(...windowsOf([r]));
    }
  }
  return out;
}
