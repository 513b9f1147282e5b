import { parseBytes, parseCpu } from '../kernel/quantity.ts';
import type { ClusterRuntime } from './cluster-runtime.ts';
import type { ClusterServingMetrics } from './load-model.ts';
import type { PodPhase } from './pod.ts';
import { groupKey } from './serving.ts';
import type { SimCloud } from './sim-cloud.ts';
import type { Workload } from './workload.ts';

/** The Content-Type of `simMetricsText`: Prometheus text exposition format 0.0.4. */
export const SIM_METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Upper bounds (seconds) of `http_request_duration_seconds`: fine enough that histogram_quantile is within ~10%. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.125, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1, 1.25, 1.5, 2, 2.5, 3,
  4, 5, 7.5, 10, 15, 20, 30, 60,
];

type Labels = Readonly<Record<string, string>>;
type MetricType = 'counter' | 'gauge' | 'histogram';

const HELP: Readonly<Record<string, readonly [MetricType, string]>> = {
  container_cpu_usage_seconds_total: ['counter', 'Cumulative CPU time consumed by the container in core-seconds.'],
  container_cpu_cfs_periods_total: ['counter', 'Number of elapsed enforcement period intervals.'],
  container_cpu_cfs_throttled_periods_total: ['counter', 'Number of throttled period intervals.'],
  http_request_duration_seconds: ['histogram', 'Latency of the requests the component served.'],
  http_requests_total: ['counter', 'Requests the component received, by response code (503: failed).'],
  kube_deployment_spec_replicas: ['gauge', 'Number of desired pods for a deployment.'],
  kube_deployment_status_replicas: ['gauge', 'The number of replicas per deployment.'],
  kube_deployment_status_replicas_available: ['gauge', 'The number of available replicas per deployment.'],
  kube_deployment_status_replicas_ready: ['gauge', 'The number of ready replicas per deployment.'],
  kube_deployment_status_replicas_updated: ['gauge', 'The number of updated replicas per deployment.'],
  kube_pod_container_resource_requests: ['gauge', 'The number of requested resource by a container.'],
  kube_pod_info: ['gauge', 'Information about pod.'],
  kube_pod_labels: ['gauge', 'Kubernetes labels converted to Prometheus labels.'],
  kube_pod_status_phase: ['gauge', 'The pods current phase.'],
  kube_pod_status_ready: ['gauge', 'Describes whether the pod is ready to serve requests.'],
  kube_statefulset_replicas: ['gauge', 'Number of desired pods for a StatefulSet.'],
  kube_statefulset_status_replicas_ready: ['gauge', 'The number of ready replicas per StatefulSet.'],
};

/** What the counters had reached at the last exposition of one cloud, so that they keep counting across calls. */
interface CounterState {
  at: number;
  series: Map<string, { value: number; rate: number }>;
}

const counters = new WeakMap<SimCloud, CounterState>();

/**
 * The simulated cloud's metrics in Prometheus text format 0.0.4, under the names cAdvisor, kube-state-metrics
 * and an instrumented HTTP server use, with a `cluster` label on every series (as a Prometheus per cluster with
 * `external_labels: {cluster: …}` behind Thanos would show them). Counters integrate the sim's rates over sim time
 * between calls (trapezoid rule), starting at 0 when a series first appears: call it at each scrape. A cluster
 * that is down exposes nothing, as its exporters would not answer. Samples carry no timestamps.
 */
export function simMetricsText(sim: SimCloud): string {
  const now = sim.now();
  const previous = counters.get(sim) ?? { at: now, series: new Map() };
  const dt = Math.max(0, now - previous.at) / 1000;
  const next: CounterState = { at: now, series: new Map() };
  const lines = new Map<string, string[]>();
  const emit = (family: string, name: string, labels: Labels, value: number): void => {
    let list = lines.get(family);
    if (list === undefined) lines.set(family, (list = []));
    list.push(`${name}${labelText(labels)} ${formatValue(value)}`);
  };
  const count = (family: string, name: string, labels: Labels, rate: number): void => {
    const key = `${name}${labelText(labels)}`;
    const before = previous.series.get(key);
    const value = before === undefined ? 0 : before.value + ((before.rate + rate) / 2) * dt;
    next.series.set(key, { value, rate });
    emit(family, name, labels, value);
  };
  const metrics = new Map<string, ReturnType<SimCloud['componentMetrics']>>();
  const serving = (namespace: string, component: string, cluster: string): ClusterServingMetrics | undefined => {
    const key = groupKey(namespace, component);
    let m = metrics.get(key);
    if (m === undefined) metrics.set(key, (m = sim.componentMetrics(namespace, component)));
    return m.clusters[cluster];
  };
  for (const c of sim.clusters()) {
    const rt = c.runtime;
    if (rt.state === 'down') continue;
    for (const w of rt.workloads()) workloadSeries(rt, w, emit, count, serving);
    for (const g of rt.groups.values()) {
      const m = serving(g.namespace, g.component, rt.name);
      if (m !== undefined) httpSeries({ namespace: g.namespace, service: g.component, cluster: rt.name }, m, count);
    }
  }
  counters.set(sim, next);
  const out: string[] = [];
  for (const family of [...lines.keys()].sort()) {
    const [type, help] = HELP[family]!;
    out.push(`# HELP ${family} ${help}`, `# TYPE ${family} ${type}`, ...lines.get(family)!.sort(bySeries));
  }
  return out.join('\n') + '\n';
}

type Emit = (family: string, name: string, labels: Labels, value: number) => void;
type Count = (family: string, name: string, labels: Labels, rate: number) => void;
type Serving = (namespace: string, component: string, cluster: string) => ClusterServingMetrics | undefined;

function workloadSeries(rt: ClusterRuntime, w: Workload, emit: Emit, count: Count, serving: Serving): void {
  const cluster = rt.name;
  const ns = w.namespace;
  const status = rt.report(w);
  if (w.kind === 'Deployment') {
    const l = { namespace: ns, deployment: w.name, cluster };
    emit('kube_deployment_spec_replicas', 'kube_deployment_spec_replicas', l, status.desiredReplicas);
    emit('kube_deployment_status_replicas', 'kube_deployment_status_replicas', l, w.pods.length);
    emit('kube_deployment_status_replicas_ready', 'kube_deployment_status_replicas_ready', l, status.readyReplicas);
    const available = status.availableReplicas;
    emit('kube_deployment_status_replicas_available', 'kube_deployment_status_replicas_available', l, available);
    emit(
      'kube_deployment_status_replicas_updated',
      'kube_deployment_status_replicas_updated',
      l,
      status.updatedReplicas,
    );
  } else if (w.kind === 'StatefulSet') {
    const l = { namespace: ns, statefulset: w.name, cluster };
    emit('kube_statefulset_replicas', 'kube_statefulset_replicas', l, status.desiredReplicas);
    emit('kube_statefulset_status_replicas_ready', 'kube_statefulset_status_replicas_ready', l, status.readyReplicas);
  }
  const containers = containerShares(w);
  // The component's CPU in this cluster is spread over its ready pods in proportion to what each may spend.
  const m = w.group === undefined ? undefined : serving(ns, w.component, cluster);
  const perCapacity = m !== undefined && w.group!.cpuCapacityMilli > 0 ? m.cpuUsedMilli / w.group!.cpuCapacityMilli : 0;
  // The share of periods a pod under a CPU limit is throttled in: the cluster's share is over all its ready pods.
  const g = w.group;
  const throttled =
    m?.cpuThrottled !== undefined && g && g.limitedPods > 0 ? (m.cpuThrottled * g.readyPods) / g.limitedPods : 0;
  for (const p of w.pods) {
    if (p.deleted) continue;
    const pod = { namespace: ns, pod: p.name, cluster };
    emit('kube_pod_info', 'kube_pod_info', { ...pod, node: p.node?.name ?? '', ...createdBy(w) }, 1);
    emit('kube_pod_labels', 'kube_pod_labels', { ...pod, ...promLabels(p.template.labels) }, 1);
    for (const condition of ['true', 'false', 'unknown']) {
      const value = condition === 'true' ? p.ready : condition === 'false' ? !p.ready : false;
      emit('kube_pod_status_ready', 'kube_pod_status_ready', { ...pod, condition }, value ? 1 : 0);
    }
    const phase = ksmPhase(p.phase);
    for (const each of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) {
      emit('kube_pod_status_phase', 'kube_pod_status_phase', { ...pod, phase: each }, each === phase ? 1 : 0);
    }
    const usedCores = p.ready ? (perCapacity * p.template.servingCpuMilli) / 1000 : 0;
    for (const c of containers) {
      const l = { ...pod, container: c.name };
      const requests = 'kube_pod_container_resource_requests';
      emit(requests, requests, { ...l, resource: 'cpu', unit: 'core' }, (p.template.cpuMilli * c.cpu) / 1000);
      emit(requests, requests, { ...l, resource: 'memory', unit: 'byte' }, p.template.memoryBytes * c.memory);
      const usage = 'container_cpu_usage_seconds_total';
      if (p.node !== undefined) count(usage, usage, l, usedCores * c.cpu);
      // cAdvisor's CFS counters, for a container under a CPU quota: 10 periods a second while it runs.
      if (p.node !== undefined && p.ready && p.template.cpuLimited) {
        const periods = 'container_cpu_cfs_periods_total';
        const throttledPeriods = 'container_cpu_cfs_throttled_periods_total';
        count(periods, periods, l, 10);
        count(throttledPeriods, throttledPeriods, l, 10 * Math.min(1, throttled));
      }
    }
  }
}

/** Requests by response code, and a latency histogram from a log-normal fitted to the sim's p50 and p99. */
function httpSeries(labels: Labels, m: ClusterServingMetrics, count: Count): void {
  const requests = 'http_requests_total';
  count(requests, requests, { ...labels, code: '200' }, m.rps * (1 - m.errorRate));
  count(requests, requests, { ...labels, code: '503' }, m.rps * m.errorRate);
  const median = m.latencyP50Ms / 1000;
  const sigma = Math.max(1e-3, Math.log(m.latencyP99Ms / m.latencyP50Ms) / Z99);
  const h = 'http_request_duration_seconds';
  for (const le of LATENCY_BUCKETS_SECONDS) {
    count(h, `${h}_bucket`, { ...labels, le: String(le) }, m.rps * normalCdf(Math.log(le / median) / sigma));
  }
  count(h, `${h}_bucket`, { ...labels, le: '+Inf' }, m.rps);
  count(h, `${h}_sum`, labels, m.rps * median * Math.exp((sigma * sigma) / 2));
  count(h, `${h}_count`, labels, m.rps);
}

/** The 99th percentile of the standard normal. */
const Z99 = 2.3263478740408408;

/** Φ(x), from the error function (Abramowitz and Stegun 7.1.26, error < 1.5e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * The containers of a workload's current pod template, each with its share of the pod's CPU and memory requests
 * (by their own requests; equal when none are set). Pods of an older revision are split the same way.
 */
function containerShares(w: Workload): { name: string; cpu: number; memory: number }[] {
  const spec = (w.spec.template as { spec?: { containers?: unknown } } | undefined)?.spec;
  const list = Array.isArray(spec?.containers) ? (spec.containers as Record<string, unknown>[]) : [];
  const named = list.map((c, i) => {
    const requests = ((c.resources as Record<string, unknown> | undefined)?.requests ?? {}) as Record<string, string>;
    return {
      name: typeof c.name === 'string' ? c.name : `container-${i}`,
      cpu: safe(() => parseCpu(requests.cpu ?? 0)),
      memory: safe(() => parseBytes(requests.memory ?? 0)),
    };
  });
  if (named.length === 0) return [{ name: w.name, cpu: 1, memory: 1 }];
  const cpu = named.reduce((s, c) => s + c.cpu, 0);
  const memory = named.reduce((s, c) => s + c.memory, 0);
  return named.map((c) => ({
    name: c.name,
    cpu: cpu > 0 ? c.cpu / cpu : 1 / named.length,
    memory: memory > 0 ? c.memory / memory : 1 / named.length,
  }));
}

function safe(read: () => number): number {
  try {
    return read();
  } catch {
    return 0;
  }
}

function createdBy(w: Workload): Labels {
  // kube-state-metrics names the pod's direct owner: a Deployment's pods belong to its ReplicaSet.
  if (w.kind === 'Deployment') return { created_by_kind: 'ReplicaSet', created_by_name: w.name };
  return { created_by_kind: w.kind, created_by_name: w.name };
}

function ksmPhase(phase: PodPhase): string {
  if (phase === 'Succeeded' || phase === 'Failed') return phase;
  return phase === 'Pending' || phase === 'ContainerCreating' || phase === 'ImagePullBackOff' ? 'Pending' : 'Running';
}

/** Kubernetes labels as kube-state-metrics writes them: `app.oam.dev/component` → `label_app_oam_dev_component`. */
function promLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) {
    const name = `label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
    out[name] ??= labels[key]!;
  }
  return out;
}

function labelText(labels: Labels): string {
  const parts = Object.keys(labels).map((k) => `${k}="${escapeValue(labels[k]!)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}

/** Series in name-then-labels order, with histogram buckets in the order of their bounds. */
function bySeries(a: string, b: string): number {
  const [sa, sb] = [seriesKey(a), seriesKey(b)];
  if (sa.key !== sb.key) return sa.key < sb.key ? -1 : 1;
  return sa.le - sb.le;
}

function seriesKey(line: string): { key: string; le: number } {
  const series = line.slice(0, line.lastIndexOf(' '));
  const le = /,?le="([^"]+)"/.exec(series);
  if (le === null) return { key: series, le: 0 };
  return { key: series.replace(le[0], ''), le: le[1] === '+Inf' ? Infinity : Number(le[1]) };
}
