/**
 * The store's part of polis's own metric history (the embedded default, when no Prometheus is configured): series
 * and compressed chunks of points. The store only keeps bytes; encoding, downsampling and retention decisions live in
 * `src/observe/history/`. These rows are not objects: no revision, no change event, no audit entry.
 */
export interface MetricHistoryStore {
  /** Inserts series not yet known and moves `lastAt` forward on known ones (by id). */
  putSeries(rows: readonly MetricSeriesRow[]): Promise<void>;
  /**
   * Series whose name is one of `names` (all when absent) and whose tenant is one of `tenants` (all when absent;
   * '' is the platform's), seen at or after `seenSince` (epoch ms) when given.
   */
  listSeries(filter: SeriesFilter): Promise<MetricSeriesRow[]>;
  /** Inserts or replaces chunks by (series, tier, start). */
  putChunks(chunks: readonly MetricChunkRow[]): Promise<void>;
  /** Chunks of `series` in `tier` that overlap [fromMs, toMs], ordered by series then start. */
  readChunks(series: readonly string[], tier: number, fromMs: number, toMs: number): Promise<MetricChunkRow[]>;
  /** Deletes the chunks of `tier` that end before `beforeMs`; returns how many. */
  pruneChunks(tier: number, beforeMs: number): Promise<number>;
  /** Deletes series last seen before `beforeMs` together with their chunks; returns how many series. */
  pruneSeries(beforeMs: number): Promise<number>;
  /** Counts and stored bytes of chunk data (for /metrics, the size bound and benchmarks). */
  historyStats(): Promise<{ readonly series: number; readonly chunks: number; readonly dataBytes: number }>;
}

export interface SeriesFilter {
  readonly names?: readonly string[];
  readonly tenants?: readonly string[];
  readonly seenSince?: number;
}

export interface MetricSeriesRow {
  /** Stable id derived from the labels. */
  readonly id: string;
  /** The department the series belongs to; '' for platform series (clusters, nodes). */
  readonly tenant: string;
  /** The metric name (`__name__`). */
  readonly name: string;
  /** Every label, `__name__` included, as JSON of a sorted object. */
  readonly labels: string;
  /** When a point was last written (epoch ms). */
  readonly lastAt: number;
}

export interface MetricChunkRow {
  readonly series: string;
  readonly tier: number;
  /** Epoch ms, aligned on the tier's chunk length. */
  readonly startAt: number;
  /** Epoch ms of the chunk's last point. */
  readonly endAt: number;
  readonly points: number;
  readonly data: Uint8Array;
}
