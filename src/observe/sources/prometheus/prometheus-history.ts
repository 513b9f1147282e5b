import { historyGrid } from '../../metrics-source.ts';
import {
  inScope,
  matches,
  type HistoryBackend,
  type Matcher,
  type RangeSeries,
  type SeriesScope,
} from '../../history/history-backend.ts';
import { componentLabels, type ComponentTarget } from '../../history/history-probe.ts';
import { SIGNALS, type Labels } from '../../history/signals.ts';
import { PrometheusApi } from './prometheus-api.ts';
import { DEFAULT_HISTORY_QUERIES, expandHistoryQuery } from './history-queries.ts';

/** What the Prometheus history needs to know of polis: its components and clusters (and their nodes). */
export interface HistoryInventory {
  components(): Promise<readonly ComponentTarget[]>;
  clusters(): Promise<readonly { readonly cluster: string; readonly nodes: readonly string[] }[]>;
}

export interface PrometheusHistoryConfig {
  readonly url: string;
  readonly bearerToken?: string;
  readonly timeoutMs?: number;
  readonly window?: string;
  /** PromQL per signal replacing the defaults (DEFAULT_HISTORY_QUERIES). */
  readonly queries?: Readonly<Record<string, string>>;
  readonly inventory: HistoryInventory;
  readonly fetch?: typeof fetch;
}

/** Range queries in flight at once. */
const PARALLEL = 8;
const MAX_RANGE_POINTS = 11_000;

/**
 * History read from Prometheus: polis's series names (the same as its own history's) are polis's components and
 * clusters crossed with the signals that have a query; each series is one range query of its signal's PromQL with
 * the series' labels filled in. Department scoping happens here, on polis's labels, before any query is sent.
 */
export class PrometheusHistory implements HistoryBackend {
  readonly name = 'prometheus';
  readonly queries: Readonly<Record<string, string>>;
  private readonly api: PrometheusApi;
  private readonly window: string;
  private readonly inventory: HistoryInventory;

  constructor(config: PrometheusHistoryConfig) {
    this.api = new PrometheusApi({
      url: config.url,
      timeoutMs: config.timeoutMs ?? 10_000,
      ...(config.bearerToken ? { bearerToken: config.bearerToken } : {}),
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
    this.queries = { ...DEFAULT_HISTORY_QUERIES, ...config.queries };
    this.window = config.window ?? '1m';
    this.inventory = config.inventory;
  }

  async select(matchers: readonly Matcher[], scope: SeriesScope): Promise<Labels[]> {
    const out: Labels[] = [];
    const names = Object.keys(this.queries).filter((n) => SIGNALS[n] !== undefined);
    const component = names.filter((n) => SIGNALS[n]!.scope === 'component');
    for (const t of await this.inventory.components()) {
      if (!inScope(t.tenant, scope)) continue;
      for (const n of component) out.push(componentLabels(n, t));
    }
    if (scope.platform) {
      const clusters = await this.inventory.clusters();
      for (const n of names) {
        const s = SIGNALS[n]!.scope;
        if (s === 'cluster') for (const c of clusters) out.push({ __name__: n, cluster: c.cluster });
        if (s === 'node')
          for (const c of clusters) for (const node of c.nodes) out.push({ __name__: n, cluster: c.cluster, node });
      }
    }
    return out.filter((l) => matches(l, matchers));
  }

  async range(
    matchers: readonly Matcher[],
    scope: SeriesScope,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<{ series: RangeSeries[]; resolutionMs: number }> {
    const grid = historyGrid(fromMs, toMs, stepMs);
    const selected = await this.select(matchers, scope);
    const series: RangeSeries[] = new Array(selected.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < selected.length; i = next++) {
        const labels = selected[i]!;
        series[i] = { labels, values: await this.one(labels, grid, stepMs) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, selected.length) }, worker));
    return { series, resolutionMs: stepMs };
  }

  /** One series on the grid; a failed query leaves NaN (the chart shows a gap, the other series still come). */
  private async one(labels: Labels, grid: readonly number[], stepMs: number): Promise<number[]> {
    const values = grid.map(() => NaN);
    if (grid.length === 0) return values;
    const query = expandHistoryQuery(this.queries[labels.__name__ ?? '']!, labels, this.window);
    try {
      for (let first = 0; first < grid.length; first += MAX_RANGE_POINTS) {
        const last = Math.min(grid.length, first + MAX_RANGE_POINTS) - 1;
        const result = await this.api.range(query, grid[first]!, grid[last]!, stepMs);
        for (const [t, v] of result[0]?.points ?? []) {
          const i = Math.round((t - grid[0]!) / stepMs);
          if (i >= 0 && i < values.length && Number.isFinite(v)) values[i] = v;
        }
      }
    } catch {
      // Left NaN: see above.
    }
    return values;
  }
}
