import type { Clock } from '../../../kernel/clock.ts';
import { systemClock } from '../../../kernel/clock.ts';
import { PrometheusApi } from './prometheus-api.ts';

/**
 * Default PromQL of the meter's memory use: the working set of every ready pod's containers, summed per cluster,
 * namespace and OAM component (cAdvisor and kube-state-metrics with `app.oam.dev/component` allowed through as a
 * pod label, as the CPU signal's query in queries.ts). One instant query a tick covers the whole estate.
 */
export const DEFAULT_METER_MEMORY_QUERY =
  'sum by (cluster, namespace, label_app_oam_dev_component) (' +
  'container_memory_working_set_bytes{container!="", container!="POD"}' +
  ' * on(cluster, namespace, pod) group_left(label_app_oam_dev_component) kube_pod_labels{label_app_oam_dev_component!=""}' +
  ' * on(cluster, namespace, pod) group_left kube_pod_status_ready{condition="true"})';

export interface PrometheusMemoryUseConfig {
  readonly url: string;
  readonly bearerToken?: string;
  /** Replaces DEFAULT_METER_MEMORY_QUERY (POLIS_METER_MEMORY_QUERY); its series carry namespace and component. */
  readonly query?: string;
  /** Where series without a `cluster` label go (one cluster's own Prometheus); default `default`. */
  readonly clusterName?: string;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  /** For tests: the fetch to use. */
  readonly fetch?: typeof fetch;
}

/**
 * The meter's `memoryUse` read from Prometheus: bytes per `namespace/component` NUL cluster, from one instant
 * query. The component is the series' `label_app_oam_dev_component` (or `component`) label; a series without a
 * namespace or component is skipped. A failed query throws: the meter then counts memory use as not measured.
 */
export function prometheusMemoryUse(config: PrometheusMemoryUseConfig): () => Promise<Map<string, number>> {
  const api = new PrometheusApi({
    url: config.url,
    timeoutMs: config.timeoutMs ?? 5000,
    ...(config.bearerToken ? { bearerToken: config.bearerToken } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const query = config.query ?? DEFAULT_METER_MEMORY_QUERY;
  const clock = config.clock ?? systemClock;
  return async () => {
    const out = new Map<string, number>();
    for (const s of await api.instant(query, clock.now().getTime())) {
      const namespace = s.metric.namespace;
      const component = s.metric.label_app_oam_dev_component ?? s.metric.component;
      if (!namespace || !component || !Number.isFinite(s.value)) continue;
      const key = `${namespace}/${component}\u0000${s.metric.cluster ?? config.clusterName ?? 'default'}`;
      out.set(key, (out.get(key) ?? 0) + s.value);
    }
    return out;
  };
}
