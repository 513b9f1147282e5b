import type { Clock } from '../../kernel/clock.ts';
import type { MetricHistoryStore } from '../../resources/metric-history.ts';
import { historyGrid } from '../metrics-source.ts';
import { decodeChunk, type Point } from './chunk-codec.ts';
import { mergePoints, resample } from './downsample.ts';
import {
  inScope,
  matches,
  scopeTenants,
  type HistoryBackend,
  type Matcher,
  type RangeSeries,
  type SeriesScope,
} from './history-backend.ts';
import type { HistoryWriter } from './history-writer.ts';
import { SIGNALS, type Labels } from './signals.ts';
import { TIERS, tierFor } from './tiers.ts';

/**
 * History read from polis's own store: series by their labels, points from the tier that covers the range (see
 * tierFor), merged with what the writer of this process holds unflushed, resampled to the query's grid.
 */
export class StoreHistory implements HistoryBackend {
  readonly name = 'polis';
  private readonly store: MetricHistoryStore;
  private readonly clock: Clock;
  private readonly writer: HistoryWriter | undefined;

  constructor(deps: { store: MetricHistoryStore; clock: Clock; writer?: HistoryWriter }) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.writer = deps.writer;
  }

  async select(matchers: readonly Matcher[], scope: SeriesScope, fromMs: number): Promise<Labels[]> {
    return (await this.rows(matchers, scope, fromMs)).map((r) => r.labels);
  }

  async range(
    matchers: readonly Matcher[],
    scope: SeriesScope,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<{ series: RangeSeries[]; resolutionMs: number }> {
    const tier = tierFor(this.clock.now().getTime(), fromMs, toMs);
    const grid = historyGrid(fromMs, toMs, stepMs);
    const rows = await this.rows(matchers, scope, fromMs);
    if (rows.length === 0 || grid.length === 0) return { series: [], resolutionMs: tier.stepMs };
    const window = Math.max(stepMs, tier.stepMs);
    const chunks = await this.store.readChunks(
      rows.map((r) => r.id),
      tier.index,
      fromMs - window,
      toMs,
    );
    const points = new Map<string, Point[]>();
    for (const c of chunks) {
      const list = points.get(c.series) ?? [];
      for (const p of decodeChunk(c.data, c.startAt, tier.stepMs)) list.push(p);
      points.set(c.series, list);
    }
    const series = rows.map((r) => {
      let own = points.get(r.id) ?? [];
      const pending = this.writer?.unflushed(r.id, tier.index, fromMs - window, toMs) ?? [];
      if (pending.length > 0) own = mergePoints(own, pending);
      const rollup = SIGNALS[r.labels.__name__ ?? '']?.rollup ?? 'avg';
      return { labels: r.labels, values: resample(own, grid, stepMs, tier.stepMs, rollup, tier.index > 0) };
    });
    return { series, resolutionMs: tier.stepMs };
  }

  private async rows(matchers: readonly Matcher[], scope: SeriesScope, fromMs: number) {
    const byName = matchers.find((m) => m.label === '__name__' && m.op === '=');
    const tenants = scopeTenants(scope);
    const rows = await this.store.listSeries({
      ...(byName ? { names: [byName.value] } : {}),
      ...(tenants ? { tenants } : {}),
      // Series last written before the range began have no point in it (lastAt is written hourly: keep a margin).
      seenSince: fromMs - 2 * TIERS[TIERS.length - 1]!.stepMs,
    });
    return rows
      .filter((r) => inScope(r.tenant, scope))
      .map((r) => ({ id: r.id, labels: JSON.parse(r.labels) as Labels }))
      .filter((r) => matches(r.labels, matchers));
  }
}
