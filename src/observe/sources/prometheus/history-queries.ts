/** The pods of the component, joined on to a per-pod series (kube-state-metrics' pod labels). */
const OF_COMPONENT =
  'on(cluster, namespace, pod) group_left kube_pod_labels{namespace="$namespace", label_app_oam_dev_component="$component"}';
const REQUESTS = 'http_requests_total{namespace="$namespace", service="$component"}';
const quantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="$namespace", service="$component"}[$window]))) * 1000`;
const CPU = 'rate(container_cpu_usage_seconds_total{namespace="$namespace", container!="", container!="POD"}[$window])';
const MEMORY = 'container_memory_working_set_bytes{namespace="$namespace", container!="", container!="POD"}';
const request = (resource: string) =>
  `kube_pod_container_resource_requests{namespace="$namespace", resource="${resource}"}`;
const limit = (resource: string) =>
  `kube_pod_container_resource_limits{namespace="$namespace", resource="${resource}"}`;
const node = (metric: string, extra = '') => `sum(${metric}{cluster="$cluster", node="$node"${extra}})`;
const cluster = (metric: string, extra = '') => `sum(${metric}{cluster="$cluster"${extra}})`;

/**
 * Default PromQL per history signal, when Prometheus is configured (cAdvisor, kube-state-metrics with
 * `app.oam.dev/component` allowed through as a pod label, an HTTP server instrumented with `http_requests_total` and
 * `http_request_duration_seconds`). Placeholders: `$namespace`, `$component`, `$tenant`, `$app`, `$cluster`,
 * `$node` (string contents, escaped), `$window` (the rate window). Each query gives one series. Replace any of them
 * with POLIS_HISTORY_QUERIES (JSON: signal name → PromQL).
 */
export const DEFAULT_HISTORY_QUERIES: Readonly<Record<string, string>> = {
  polis_component_requests_per_second: `sum(rate(${REQUESTS}[$window]))`,
  polis_component_error_ratio: `sum(rate(http_requests_total{namespace="$namespace", service="$component", code=~"5.."}[$window])) / sum(rate(${REQUESTS}[$window]))`,
  polis_component_latency_p50_ms: quantile(0.5),
  polis_component_latency_p95_ms: quantile(0.95),
  polis_component_latency_p99_ms: quantile(0.99),
  polis_component_cpu_used_cores: `sum(${CPU} * ${OF_COMPONENT})`,
  polis_component_cpu_request_utilization: `sum(${CPU} * ${OF_COMPONENT}) / sum(${request('cpu')} * ${OF_COMPONENT})`,
  polis_component_cpu_limit_utilization: `sum(${CPU} * ${OF_COMPONENT}) / sum(${limit('cpu')} * ${OF_COMPONENT})`,
  polis_component_memory_used_bytes: `sum(${MEMORY} * ${OF_COMPONENT})`,
  polis_component_memory_request_utilization: `sum(${MEMORY} * ${OF_COMPONENT}) / sum(${request('memory')} * ${OF_COMPONENT})`,
  polis_component_memory_limit_utilization: `sum(${MEMORY} * ${OF_COMPONENT}) / sum(${limit('memory')} * ${OF_COMPONENT})`,
  polis_component_ready_pods: `sum(kube_pod_status_ready{namespace="$namespace", condition="true"} * ${OF_COMPONENT})`,
  polis_component_restarts: `sum(kube_pod_container_status_restarts_total{namespace="$namespace"} * ${OF_COMPONENT})`,
  polis_cluster_cpu_allocatable_cores: cluster('kube_node_status_allocatable', ', resource="cpu"'),
  polis_cluster_cpu_requested_cores: cluster('kube_pod_container_resource_requests', ', resource="cpu"'),
  polis_cluster_cpu_used_cores: `sum(rate(container_cpu_usage_seconds_total{cluster="$cluster", container!="", container!="POD"}[$window]))`,
  polis_cluster_memory_allocatable_bytes: cluster('kube_node_status_allocatable', ', resource="memory"'),
  polis_cluster_memory_requested_bytes: cluster('kube_pod_container_resource_requests', ', resource="memory"'),
  polis_cluster_pods: cluster('kube_pod_info'),
  polis_node_cpu_allocatable_cores: node('kube_node_status_allocatable', ', resource="cpu"'),
  polis_node_cpu_requested_cores: node('kube_pod_container_resource_requests', ', resource="cpu"'),
  polis_node_memory_allocatable_bytes: node('kube_node_status_allocatable', ', resource="memory"'),
  polis_node_memory_requested_bytes: node('kube_pod_container_resource_requests', ', resource="memory"'),
  polis_node_pods: node('kube_pod_info'),
  polis_node_ready: node('kube_node_status_condition', ', condition="Ready", status="true"'),
};

/** A template with its placeholders filled from `labels` (string contents escaped) and the rate window. */
export function expandHistoryQuery(template: string, labels: Readonly<Record<string, string>>, window: string): string {
  return template.replace(/\$([a-z]+)\b/g, (whole, name: string) => {
    if (name === 'window') return window;
    const v = labels[name];
    return v === undefined ? whole : v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  });
}
