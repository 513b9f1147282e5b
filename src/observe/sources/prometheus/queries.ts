import type { ComponentRef, SignalName } from '../../metrics-source.ts';

/** The pods of the component, as a factor of 1 joined on to a per-pod series (kube-state-metrics' pod labels). */
const OF_COMPONENT =
  'on(cluster, namespace, pod) group_left kube_pod_labels{namespace="$namespace", label_app_oam_dev_component="$component"}';
/** 1 for a ready pod, 0 for one that is not. */
const IF_READY =
  'on(cluster, namespace, pod) group_left kube_pod_status_ready{namespace="$namespace", condition="true"}';

/**
 * Default PromQL per signal, for cAdvisor, kube-state-metrics (with `--metric-labels-allowlist` letting
 * `app.oam.dev/component` through) and an HTTP server instrumented with `http_requests_total` and
 * `http_request_duration_seconds`. Placeholders: `$namespace`, `$component`, `$tenant`, `$app` (PromQL string
 * contents, escaped), `$window` (the rate window) and `$by` (the grouping: `cluster` per cluster, empty in total,
 * so `sum by ($by)` is a sum per cluster or in all). Joins are on `(cluster, namespace, pod)`: with one
 * Prometheus per cluster and no cluster label the join still holds.
 */
export const DEFAULT_QUERIES: Readonly<Record<SignalName, string>> = {
  cpuUtilization:
    `sum by ($by) (rate(container_cpu_usage_seconds_total{namespace="$namespace", container!="", container!="POD"}[$window]) * ${IF_READY} * ${OF_COMPONENT})` +
    ` / sum by ($by) (kube_pod_container_resource_requests{namespace="$namespace", resource="cpu"} * ${IF_READY} * ${OF_COMPONENT})`,
  requestsPerSecond: 'sum by ($by) (rate(http_requests_total{namespace="$namespace", service="$component"}[$window]))',
  latencyP99Ms:
    'histogram_quantile(0.99, sum by (le, $by) (rate(http_request_duration_seconds_bucket{namespace="$namespace", service="$component"}[$window]))) * 1000',
  readyPods: `sum by ($by) (kube_pod_status_ready{namespace="$namespace", condition="true"} * ${OF_COMPONENT})`,
};

/**
 * The highest working set over its memory limit among the component's ready containers (cAdvisor and
 * kube-state-metrics; containers without a limit drop out of the division): what the memory-near-limit alert reads.
 */
export const MEMORY_OF_LIMIT_QUERY =
  'max(max by (cluster, namespace, pod, container) (container_memory_working_set_bytes{namespace="$namespace", container!="", container!="POD"})' +
  ' / on(cluster, namespace, pod, container) max by (cluster, namespace, pod, container) (kube_pod_container_resource_limits{namespace="$namespace", resource="memory"} > 0)' +
  ` * ${IF_READY} * ${OF_COMPONENT})`;

/**
 * The share of CFS periods in which the component's ready containers under a CPU limit were throttled (cAdvisor's
 * counters, as kube-prometheus's CPUThrottlingHigh reads them): what the cpu-throttled alert reads.
 */
export const CPU_THROTTLED_QUERY =
  `sum(rate(container_cpu_cfs_throttled_periods_total{namespace="$namespace", container!="", container!="POD"}[$window]) * ${IF_READY} * ${OF_COMPONENT})` +
  ` / sum(rate(container_cpu_cfs_periods_total{namespace="$namespace", container!="", container!="POD"}[$window]) * ${IF_READY} * ${OF_COMPONENT})`;

/** Per cluster, the busiest node's CPU in use (node_exporter: 1 − its idle share over the rate window). */
export const NODE_CPU_QUERY =
  'max by (cluster) (1 - avg by (cluster, instance) (rate(node_cpu_seconds_total{mode="idle"}[$window])))';

/**
 * Per node, its CPU in use (node_exporter; its `instance` is the node's name under kube-prometheus, a port dropped):
 * what node-cpu-above-normal reads.
 */
export const NODE_CPU_BY_NODE_QUERY =
  '1 - avg by (cluster, node) (label_replace(rate(node_cpu_seconds_total{mode="idle"}[$window]), "node", "$1", "instance", "([^:]+)(:.*)?"))';

/** Per node, the CPU its pods' containers use over its allocatable (cAdvisor, kube-state-metrics): the node's load. */
export const NODE_PODS_CPU_QUERY =
  'sum by (cluster, node) (rate(container_cpu_usage_seconds_total{container!="", container!="POD"}[$window]))' +
  ' / on(cluster, node) sum by (cluster, node) (kube_node_status_allocatable{resource="cpu"})';

/** What fills a template's placeholders besides the component's names. */
export interface QueryScope {
  /** The label list to group by: the cluster label, or '' for the total. */
  readonly by: string;
  /** A PromQL duration, such as `1m`. */
  readonly window: string;
}

/**
 * A template with its placeholders filled. Names go inside PromQL string literals, so backslashes, quotes and
 * newlines are escaped; a `$word` that is not a placeholder (a label_replace group such as `$1`) is left alone.
 */
export function expandQuery(template: string, ref: ComponentRef, scope: QueryScope): string {
  const values: Record<string, string> = {
    namespace: literal(ref.namespace),
    component: literal(ref.component),
    tenant: literal(ref.tenant),
    app: literal(ref.app),
    window: scope.window,
    by: scope.by,
  };
  return template.replace(/\$([a-z]+)\b/g, (whole, name: string) => values[name] ?? whole);
}

function literal(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Why a PromQL duration is not one, or undefined: `30s`, `1m`, `1m30s`, `2h`. */
export function windowProblem(window: string): string | undefined {
  return /^(\d+(ms|s|m|h|d|w|y))+$/.test(window) ? undefined : `"${window}" is not a PromQL duration (e.g. 1m, 30s)`;
}
