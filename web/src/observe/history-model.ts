import { numberFormat } from '../format/format.ts';
import type { MessageKey } from '../i18n/i18n.tsx';
import type { HistoryView, Point } from './types.ts';

/** The ranges the monitoring pages offer (the history API's `range`). */
export const RANGES = ['1h', '6h', '24h', '7d', '30d'] as const;
export type Range = (typeof RANGES)[number];

export function isRange(v: string | undefined): v is Range {
  return (RANGES as readonly string[]).includes(v ?? '');
}

/** A signal a chart shows: its series name, its title in the catalogue, and how its values read. */
export interface ChartSignal {
  readonly signal: string;
  readonly title: MessageKey;
  readonly unit: 'req/s' | 'ratio' | 'ms' | 'cores' | 'bytes' | 'pods' | 'restarts' | 'bool';
}

const c = (signal: string, title: MessageKey, unit: ChartSignal['unit']): ChartSignal => ({ signal, title, unit });

/** The golden signals of components, applications and departments (docs/observe.md, "Signals"). */
export const COMPONENT_SIGNALS: readonly ChartSignal[] = [
  c('polis_component_requests_per_second', 'observe.signal.rps', 'req/s'),
  c('polis_component_error_ratio', 'observe.signal.errors', 'ratio'),
  c('polis_component_latency_p50_ms', 'observe.signal.p50', 'ms'),
  c('polis_component_latency_p99_ms', 'observe.signal.p99', 'ms'),
  c('polis_component_cpu_used_cores', 'observe.signal.cpu', 'cores'),
  c('polis_component_cpu_request_utilization', 'observe.signal.cpuRequest', 'ratio'),
  c('polis_component_ready_pods', 'observe.signal.readyPods', 'pods'),
  c('polis_component_restarts', 'observe.signal.restarts', 'restarts'),
];

/** A cluster's capacity: allocatable, requested and used (one chart per resource, a series per cluster). */
export const CLUSTER_SIGNALS: readonly ChartSignal[] = [
  c('polis_cluster_cpu_allocatable_cores', 'observe.signal.clusterCpuAllocatable', 'cores'),
  c('polis_cluster_cpu_requested_cores', 'observe.signal.clusterCpuRequested', 'cores'),
  c('polis_cluster_cpu_used_cores', 'observe.signal.clusterCpuUsed', 'cores'),
  c('polis_cluster_memory_requested_bytes', 'observe.signal.clusterMemoryRequested', 'bytes'),
  c('polis_cluster_pods', 'observe.signal.clusterPods', 'pods'),
];

export const NODE_SIGNALS: readonly ChartSignal[] = [
  c('polis_node_cpu_requested_cores', 'observe.signal.nodeCpuRequested', 'cores'),
  c('polis_node_memory_requested_bytes', 'observe.signal.nodeMemoryRequested', 'bytes'),
  c('polis_node_pods', 'observe.signal.nodePods', 'pods'),
  c('polis_node_ready', 'observe.signal.nodeReady', 'bool'),
];

/** A value in its unit, short (axis labels and tooltips). */
export function formatSignalValue(v: number | null | undefined, unit: ChartSignal['unit'], locale: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const n = (x: number, d = 2) => numberFormat(locale, { maximumFractionDigits: d }).format(x);
  switch (unit) {
    case 'ratio':
      return `${n(v * 100, v < 0.01 && v > 0 ? 3 : 1)}%`;
    case 'ms':
      return v >= 1000 ? `${n(v / 1000)} s` : `${n(v, v < 10 ? 1 : 0)} ms`;
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let x = v;
      let i = 0;
      while (Math.abs(x) >= 1024 && i < units.length - 1) {
        x /= 1024;
        i++;
      }
      return `${n(x, 1)} ${units[i]}`;
    }
    case 'req/s':
      return `${n(v)} req/s`;
    case 'cores':
      return n(v, 2);
    default:
      return n(v, 0);
  }
}

/** One line of a chart: a name and its points as ECharts reads them (`[ms, value | null]`). */
export interface ChartLine {
  readonly name: string;
  readonly data: readonly (readonly [number, number | null])[];
}

const toMs = (points: readonly Point[]): [number, number | null][] => points.map(([s, v]) => [s * 1000, v]);

/**
 * The lines of a history answer: one per series, named by the label it is grouped by (`app`, `component`,
 * `cluster`, `node`, `tenant`), sorted by name so colours stay put; the total as its own line when asked and there
 * is more than one series. Gaps stay gaps (null), never zeros.
 */
export function chartLines(
  view: HistoryView | undefined,
  opts: {
    readonly groupBy: string;
    readonly total?: string;
    /** Only the total, under this name (a department's sum over its applications). */
    readonly totalOnly?: string;
    readonly label?: (value: string) => string;
  },
): ChartLine[] {
  if (!view) return [];
  if (opts.totalOnly !== undefined) return view.series.length ? [{ name: opts.totalOnly, data: toMs(view.total) }] : [];
  const label = opts.label ?? ((v: string) => v);
  const lines = view.series
    .map((s) => ({ name: label(s.labels[opts.groupBy] ?? ''), data: toMs(s.values) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (opts.total !== undefined && view.series.length > 1) lines.push({ name: opts.total, data: toMs(view.total) });
  return lines;
}

/** Whether the answer holds any value at all (an empty chart says "no data" instead of drawing axes). */
export function hasData(view: HistoryView | undefined): boolean {
  return !!view && view.series.some((s) => s.values.some(([, v]) => v !== null));
}

/** The latest value of the total (or of the only series), for a chart's heading. */
export function latestValue(view: HistoryView | undefined): number | undefined {
  if (!view) return undefined;
  for (let i = view.total.length - 1; i >= 0; i--) {
    const v = view.total[i]![1];
    if (v !== null) return v;
  }
  return undefined;
}

/** The ECharts option of one signal's lines: a time axis, the signal's unit on the value axis. */
export function historyOption(
  lines: readonly ChartLine[],
  unit: ChartSignal['unit'],
  locale: string,
): Record<string, unknown> {
  const fmt = (v: unknown) => formatSignalValue(typeof v === 'number' ? v : null, unit, locale);
  return {
    animation: false,
    tooltip: { trigger: 'axis', valueFormatter: fmt },
    // A legend only for several lines, below the time axis's labels.
    legend: { show: lines.length > 1, type: 'scroll', bottom: 0 },
    grid: { left: 64, right: 16, top: 16, bottom: lines.length > 1 ? 52 : 28 },
    xAxis: { type: 'time' },
    yAxis: {
      type: 'value',
      min: 0,
      // Counts have whole ticks (no "1, 1, 1, 0" from rounding fractions).
      ...(unit === 'pods' || unit === 'restarts' || unit === 'bool' ? { minInterval: 1 } : {}),
      ...(unit === 'ratio' ? { max: (e: { max: number }) => Math.max(e.max, 0.01) } : {}),
      axisLabel: { formatter: fmt },
    },
    series: lines.map((l) => ({
      name: l.name,
      type: 'line',
      showSymbol: false,
      connectNulls: false,
      data: l.data,
      lineStyle: { width: 1.5 },
    })),
  };
}
