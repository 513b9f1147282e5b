import type { MetricChunkRow, MetricHistoryStore, MetricSeriesRow } from '../../resources/metric-history.ts';
import { slicer, yieldToLoop } from '../../kernel/loop-slices.ts';
import { decodeChunk, encodeChunk, type Point } from './chunk-codec.ts';
import { accumulate, accumulator, mergePoints, settle, type SlotAccumulator } from './downsample.ts';
import { labelsText, seriesId } from './series-id.ts';
import { SIGNALS, type Sample, type SignalInfo } from './signals.ts';
import { TIERS, chunkStart, slotOf, type Tier } from './tiers.ts';

interface OpenChunk {
  readonly startAt: number;
  points: Point[];
  dirty: boolean;
  /** Opened in this process: a stored row of the same chunk (written before a restart) is merged at first flush. */
  fresh: boolean;
}

interface SeriesState {
  readonly id: string;
  readonly info: SignalInfo;
  readonly row: Omit<MetricSeriesRow, 'lastAt'>;
  lastAt: number;
  /** lastAt as last written to the store. */
  storedLastAt: number;
  readonly open: (OpenChunk | undefined)[];
  /** Per tier above the first: the slot being averaged. */
  readonly acc: (SlotAccumulator | undefined)[];
}

export interface HistoryWriterOptions {
  /** Most series kept (a bound on the store's size beside retention); samples of further series are dropped. */
  readonly maxSeries?: number;
}

/** Chunks per `putChunks` (and `readChunks`) call of a flush; the event loop gets a turn between calls. */
const WRITE_BATCH = 500;

/** How often a series' `lastAt` is written back (its chunks are written at every flush). */
const LAST_AT_EVERY_MS = 3_600_000;

/**
 * The writing side of polis's own history: samples go into the open chunk of each tier in memory (the first tier
 * as they come, the others as each minute or hour completes, averaged or, for counts such as restarts, maximized),
 * and `flush` writes the chunks that changed; `prune` applies the tiers' retention. Only the process that samples
 * (the controllers' leader) writes.
 */
export class HistoryWriter {
  readonly maxSeries: number;
  /** Series refused because `maxSeries` was reached. */
  droppedSeries = 0;
  private readonly store: MetricHistoryStore;
  private readonly series = new Map<string, SeriesState>();
  /** By the labels' JSON as given (a probe builds them in one order each time): skips hashing on every sample. */
  private readonly byText = new Map<string, SeriesState>();
  /** Chunks that closed since the last flush (a new one began), written once more then forgotten. */
  private closed: { state: SeriesState; tier: Tier; chunk: OpenChunk }[] = [];

  constructor(store: MetricHistoryStore, options: HistoryWriterOptions = {}) {
    this.store = store;
    this.maxSeries = options.maxSeries ?? 200_000;
  }

  /** Files `samples` taken at `at` (epoch ms). Samples of unknown signals or with a non-finite value are skipped. */
  append(samples: readonly Sample[], at: number): void {
    for (const sample of samples) {
      if (!Number.isFinite(sample.value)) continue;
      const state = this.stateOf(sample);
      if (state === undefined) continue;
      state.lastAt = Math.max(state.lastAt, at);
      this.addPoint(state, TIERS[0]!, slotOf(TIERS[0]!, at), sample.value);
      for (const tier of TIERS.slice(1)) {
        const slot = slotOf(tier, at);
        let acc = state.acc[tier.index];
        if (acc !== undefined && acc.slot !== slot) {
          const value = settle(acc, state.info.rollup);
          if (Number.isFinite(value)) this.addPoint(state, tier, acc.slot, value);
          acc = undefined;
        }
        if (acc === undefined) state.acc[tier.index] = acc = accumulator(slot);
        accumulate(acc, sample.value);
      }
    }
  }

  /**
   * Writes new series and every chunk that changed since the last flush. At 10,000 applications that is tens of
   * thousands of chunks, each deflated (encodeChunk): done in one go it held the event loop for half a second and
   * more, every minute, and API requests waited behind it (bench/api-mixed-load's worst request). The chunks are
   * encoded in slices that give the loop back every few milliseconds (src/kernel/loop-slices.ts), and written in
   * batches with a turn of the loop between them. Only the sampler's step calls it (one at a time), so nothing
   * changes the chunks meanwhile; what is written is the same.
   */
  async flush(): Promise<void> {
    const slice = slicer();
    const dirty: { state: SeriesState; tier: Tier; chunk: OpenChunk }[] = [...this.closed];
    for (const state of this.series.values()) {
      for (const tier of TIERS) {
        const chunk = state.open[tier.index];
        if (chunk?.dirty) dirty.push({ state, tier, chunk });
      }
    }
    const rows = [...this.series.values()].filter(
      (s) => s.storedLastAt < 0 || s.lastAt - s.storedLastAt >= LAST_AT_EVERY_MS,
    );
    if (rows.length > 0) await this.store.putSeries(rows.map((s) => ({ ...s.row, lastAt: s.lastAt })));
    for (const s of rows) s.storedLastAt = s.lastAt;
    await this.mergeStored(
      dirty.filter((d) => d.chunk.fresh),
      slice,
    );
    const out: MetricChunkRow[] = [];
    for (const { state, tier, chunk } of dirty) {
      if (chunk.points.length === 0) continue;
      out.push({
        series: state.id,
        tier: tier.index,
        startAt: chunk.startAt,
        endAt: chunk.points[chunk.points.length - 1]![0],
        points: chunk.points.length,
        data: encodeChunk(chunk.points, chunk.startAt, tier.stepMs, state.info.resolution),
      });
      const pause = slice();
      if (pause) await pause;
    }
    for (let i = 0; i < out.length; i += WRITE_BATCH) {
      if (i > 0) await yieldToLoop();
      await this.store.putChunks(out.slice(i, i + WRITE_BATCH));
    }
    for (const d of dirty) d.chunk.dirty = false;
    const written = new Set(dirty);
    this.closed = this.closed.filter((c) => !written.has(c));
  }

  /** Drops chunks past their tier's retention and series not written for the longest retention. */
  async prune(nowMs: number): Promise<void> {
    for (const tier of TIERS) await this.store.pruneChunks(tier.index, nowMs - tier.retentionMs);
    const longest = TIERS[TIERS.length - 1]!.retentionMs;
    await this.store.pruneSeries(nowMs - longest);
    for (const [id, s] of this.series) if (s.lastAt < nowMs - longest) this.series.delete(id);
    for (const [text, s] of this.byText) if (!this.series.has(s.id)) this.byText.delete(text);
  }

  /** Points of the series in `tier` held in memory and not yet flushed, for readers in this process. */
  unflushed(id: string, tier: number, fromMs: number, toMs: number): Point[] {
    const state = this.series.get(id);
    if (state === undefined) return [];
    const chunks = [
      ...this.closed.filter((c) => c.state === state && c.tier.index === tier).map((c) => c.chunk),
      ...(state.open[tier] ? [state.open[tier]] : []),
    ];
    return chunks.flatMap((c) => c.points.filter(([t]) => t >= fromMs && t <= toMs));
  }

  get seriesCount(): number {
    return this.series.size;
  }

  private stateOf(sample: Sample): SeriesState | undefined {
    const text = JSON.stringify(sample.labels);
    const known = this.byText.get(text);
    if (known !== undefined) return known;
    const name = sample.labels.__name__ ?? '';
    const info = SIGNALS[name];
    if (info === undefined) return undefined;
    const id = seriesId(sample.labels);
    let state = this.series.get(id);
    if (state !== undefined) {
      this.byText.set(text, state);
      return state;
    }
    if (this.series.size >= this.maxSeries) {
      this.droppedSeries++;
      return undefined;
    }
    state = {
      id,
      info,
      row: { id, tenant: sample.labels.tenant ?? '', name, labels: labelsText(sample.labels) },
      lastAt: -1,
      storedLastAt: -1,
      open: [],
      acc: [],
    };
    this.series.set(id, state);
    this.byText.set(text, state);
    return state;
  }

  private addPoint(state: SeriesState, tier: Tier, slot: number, value: number): void {
    const start = chunkStart(tier, slot);
    let chunk = state.open[tier.index];
    if (chunk !== undefined && chunk.startAt !== start) {
      if (chunk.startAt > start) return; // a sample older than the open chunk: out of order, not kept
      if (chunk.dirty || chunk.fresh) this.closed.push({ state, tier, chunk });
      chunk = undefined;
    }
    if (chunk === undefined) state.open[tier.index] = chunk = { startAt: start, points: [], dirty: true, fresh: true };
    const last = chunk.points[chunk.points.length - 1];
    if (last !== undefined && last[0] === slot) chunk.points[chunk.points.length - 1] = [slot, value];
    else if (last === undefined || last[0] < slot) chunk.points.push([slot, value]);
    chunk.dirty = true;
  }

  /** Chunks this process opened may already be stored (written before a restart): keep those points too. */
  private async mergeStored(
    fresh: readonly { state: SeriesState; tier: Tier; chunk: OpenChunk }[],
    slice: () => Promise<void> | undefined,
  ): Promise<void> {
    for (const tier of TIERS) {
      const ofTier = fresh.filter((f) => f.tier === tier);
      // Grouped by pushing, not by copying the group each time: every chunk of a tier opens fresh at once when the
      // tier's chunks roll over (and at the first flush), and copying made that quadratic (minutes at 140,000 series).
      const byStart = new Map<number, typeof ofTier>();
      for (const f of ofTier) {
        const group = byStart.get(f.chunk.startAt);
        if (group === undefined) byStart.set(f.chunk.startAt, [f]);
        else group.push(f);
      }
      for (const [start, all] of byStart) {
        // Read and merged a batch at a time, the event loop given a turn between batches and slices.
        for (let i = 0; i < all.length; i += WRITE_BATCH) {
          if (i > 0) await yieldToLoop();
          const list = all.slice(i, i + WRITE_BATCH);
          const stored = await this.store.readChunks(
            list.map((f) => f.state.id),
            tier.index,
            start,
            start + tier.chunkMs - 1,
          );
          const rows = new Map(stored.filter((r) => r.startAt === start).map((r) => [r.series, r]));
          for (const f of list) {
            const row = rows.get(f.state.id);
            if (row !== undefined)
              f.chunk.points = mergePoints(decodeChunk(row.data, start, tier.stepMs), f.chunk.points);
            f.chunk.fresh = false;
            const pause = slice();
            if (pause) await pause;
          }
        }
      }
    }
  }
}
