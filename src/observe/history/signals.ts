/**
 * The signals polis keeps history of, named as Prometheus series (so the Prometheus-compatible endpoint and Grafana
 * see the same names). Component series carry `tenant`, `app`, `namespace`, `component`; cluster series `cluster`;
 * node series `cluster`, `node`. Department sums are computed at query time from the component series.
 */
export type SignalScope = 'component' | 'cluster' | 'node';

export interface SignalInfo {
  readonly name: string;
  readonly scope: SignalScope;
  readonly unit: string;
  /** Quantization step of stored values (chunk-codec), finer than any chart shows. */
  readonly resolution: number;
  /** How points are combined when downsampled and when several fall in one step of a query. */
  readonly rollup: 'avg' | 'max';
  /** How series are combined into an application's or department's total. */
  readonly combine: 'sum' | 'max' | 'mean';
}

const s = (
  name: string,
  scope: SignalScope,
  unit: string,
  resolution: number,
  combine: SignalInfo['combine'],
  rollup: SignalInfo['rollup'] = 'avg',
): SignalInfo => ({ name, scope, unit, resolution, rollup, combine });

/** Every recorded signal, by name. */
export const SIGNALS: Readonly<Record<string, SignalInfo>> = Object.fromEntries(
  [
    s('polis_component_requests_per_second', 'component', 'req/s', 0.001, 'sum'),
    s('polis_component_error_ratio', 'component', 'ratio', 0.00001, 'mean'),
    s('polis_component_latency_p50_ms', 'component', 'ms', 0.01, 'max'),
    s('polis_component_latency_p95_ms', 'component', 'ms', 0.01, 'max'),
    s('polis_component_latency_p99_ms', 'component', 'ms', 0.01, 'max'),
    s('polis_component_cpu_used_cores', 'component', 'cores', 0.0001, 'sum'),
    s('polis_component_cpu_request_utilization', 'component', 'ratio', 0.0001, 'mean'),
    s('polis_component_cpu_limit_utilization', 'component', 'ratio', 0.0001, 'mean'),
    s('polis_component_memory_used_bytes', 'component', 'bytes', 1024, 'sum'),
    s('polis_component_memory_request_utilization', 'component', 'ratio', 0.0001, 'mean'),
    s('polis_component_memory_limit_utilization', 'component', 'ratio', 0.0001, 'mean'),
    s('polis_component_ready_pods', 'component', 'pods', 1, 'sum'),
    s('polis_component_restarts', 'component', 'restarts', 1, 'sum', 'max'),
    s('polis_cluster_cpu_allocatable_cores', 'cluster', 'cores', 0.001, 'sum'),
    s('polis_cluster_cpu_requested_cores', 'cluster', 'cores', 0.001, 'sum'),
    s('polis_cluster_cpu_used_cores', 'cluster', 'cores', 0.001, 'sum'),
    s('polis_cluster_memory_allocatable_bytes', 'cluster', 'bytes', 1024 * 1024, 'sum'),
    s('polis_cluster_memory_requested_bytes', 'cluster', 'bytes', 1024 * 1024, 'sum'),
    s('polis_cluster_pods', 'cluster', 'pods', 1, 'sum'),
    s('polis_node_cpu_allocatable_cores', 'node', 'cores', 0.001, 'sum'),
    s('polis_node_cpu_requested_cores', 'node', 'cores', 0.001, 'sum'),
    s('polis_node_memory_allocatable_bytes', 'node', 'bytes', 1024 * 1024, 'sum'),
    s('polis_node_memory_requested_bytes', 'node', 'bytes', 1024 * 1024, 'sum'),
    s('polis_node_pods', 'node', 'pods', 1, 'sum'),
    s('polis_node_ready', 'node', 'bool', 1, 'sum'),
  ].map((i) => [i.name, i]),
);

export const SIGNAL_NAMES: readonly string[] = Object.keys(SIGNALS).sort();

/** Labels of one series, `__name__` included. */
export type Labels = Readonly<Record<string, string>>;

/** One sampled value of one series. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}
