import { stringify } from 'yaml';
import { formatDuration } from './duration.ts';
import type { CompiledRule } from './rules.ts';
import type { AlertSignal } from './signals.ts';

/**
 * Alert rules as a Prometheus rule file (docs/observe.md, Exporting rules), for those who run Prometheus and
 * Alertmanager themselves. Signals are written over the usual exporters (kube-state-metrics, cAdvisor,
 * `http_requests_total` and `http_request_duration_seconds` per service, as src/observe/sources/prometheus reads
 * them). A rule on a signal only polis knows (the burst budget) is listed under `skipped`, with why.
 */

/** Where a rule's selector narrows the metrics: namespaces (of a department or an application), a component, a cluster. */
export interface ExportScope {
  /** The namespaces the rule may read (a department's applications'); undefined: any. */
  readonly namespaces?: readonly string[];
  readonly component?: string;
  readonly cluster?: string;
}

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
const rx = (xs: readonly string[]) => xs.map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

function matchers(scope: ExportScope, componentLabel: string | undefined, extra: string[] = []): string {
  const out = [...extra];
  if (scope.namespaces) out.push(`namespace=~"${esc(rx(scope.namespaces))}"`);
  if (scope.component && componentLabel) out.push(`${componentLabel}="${esc(scope.component)}"`);
  if (scope.cluster) out.push(`cluster="${esc(scope.cluster)}"`);
  return out.join(', ');
}

const POD_COMPONENT = 'on(namespace, pod) group_left(label_app_oam_dev_component) kube_pod_labels';
const BY_COMPONENT = 'namespace, label_app_oam_dev_component';

/** An instant PromQL expression of a signal, or undefined where no exporter has it. */
export function signalQuery(signal: AlertSignal, s: ExportScope, rateWindow = '1m'): string | undefined {
  const svc = (extra: string[] = []) => matchers(s, 'service', extra);
  const pod = (extra: string[] = []) => matchers({ ...s, component: undefined }, undefined, extra);
  const labelled = s.component ? `{label_app_oam_dev_component="${esc(s.component)}"}` : '';
  const requests = `sum by (namespace, service) (rate(http_requests_total{${svc()}}[${rateWindow}]))`;
  const errors = `sum by (namespace, service) (rate(http_requests_total{${svc(['code=~"5.."'])}}[${rateWindow}]))`;
  const cpu = (x: string) => `sum by (${BY_COMPONENT}) (${x} * ${POD_COMPONENT}${labelled})`;
  switch (signal) {
    case 'requestsPerSecond':
      return requests;
    case 'errorsPerSecond':
      return errors;
    case 'errorRatio':
      return `${errors} / ${requests}`;
    case 'latencyP99Ms':
      return `histogram_quantile(0.99, sum by (le, namespace, service) (rate(http_request_duration_seconds_bucket{${svc()}}[${rateWindow}]))) * 1000`;
    case 'cpuUtilization':
    case 'saturated': {
      const util = `${cpu(`rate(container_cpu_usage_seconds_total{${pod(['container!=""', 'container!="POD"'])}}[${rateWindow}])`)} / ${cpu(`kube_pod_container_resource_requests{${pod(['resource="cpu"'])}}`)}`;
      return signal === 'saturated' ? `(${util}) >= bool 0.9` : util;
    }
    case 'readyPods':
      return cpu(`kube_pod_status_ready{${pod(['condition="true"'])}}`);
    case 'slowSample':
      return undefined;
    case 'memoryOfLimit':
      return `max by (${BY_COMPONENT}) (max by (namespace, pod, container) (container_memory_working_set_bytes{${pod(['container!=""', 'container!="POD"'])}}) / on(namespace, pod, container) max by (namespace, pod, container) (kube_pod_container_resource_limits{${pod(['resource="memory"'])}} > 0) * ${POD_COMPONENT}${labelled})`;
    case 'cpuThrottled': {
      const c = ['container!=""', 'container!="POD"'];
      return `${cpu(`rate(container_cpu_cfs_throttled_periods_total{${pod(c)}}[${rateWindow}])`)} / ${cpu(`rate(container_cpu_cfs_periods_total{${pod(c)}}[${rateWindow}])`)}`;
    }
    case 'crashLooping':
      return `max by (${BY_COMPONENT}) (kube_pod_container_status_waiting_reason{${pod(['reason="CrashLoopBackOff"'])}} * ${POD_COMPONENT}${labelled})`;
    case 'jobFailed':
      return `max by (namespace, job_name) (kube_job_status_failed{${pod()}} > bool 0)`;
    case 'clusterUnreachable':
      return `1 - max by (cluster) (up{${matchers(s, undefined, ['job="apiserver"'])}})`;
    case 'nodesNotReady':
      return `sum by (cluster) (kube_node_status_condition{${matchers(s, undefined, ['condition="Ready"', 'status!="true"'])}})`;
    case 'nodeCpuMax':
      return `max by (cluster) (1 - avg by (cluster, instance) (rate(node_cpu_seconds_total{${matchers(s, undefined, ['mode="idle"'])}}[${rateWindow}])))`;
    case 'nodeCpu':
      // node_exporter's instance is the node's name under kube-prometheus (a port, if any, dropped).
      return `1 - avg by (cluster, node) (label_replace(rate(node_cpu_seconds_total{${matchers(s, undefined, ['mode="idle"'])}}[${rateWindow}]), "node", "$1", "instance", "([^:]+)(:.*)?"))`;
    case 'nodePodsCpu':
      return `sum by (cluster, node) (rate(container_cpu_usage_seconds_total{${matchers(s, undefined, ['container!=""', 'container!="POD"'])}}[${rateWindow}])) / on(cluster, node) sum by (cluster, node) (kube_node_status_allocatable{${matchers(s, undefined, ['resource="cpu"'])}})`;
    case 'clusterCpuRequested':
    case 'clusterMemoryRequested': {
      const r = signal === 'clusterCpuRequested' ? 'cpu' : 'memory';
      return `sum by (cluster) (kube_pod_container_resource_requests{${matchers(s, undefined, [`resource="${r}"`])}}) / sum by (cluster) (kube_node_status_allocatable{${matchers(s, undefined, [`resource="${r}"`])}})`;
    }
    case 'quotaCpuUsed':
    case 'quotaMemoryUsed': {
      const r = signal === 'quotaCpuUsed' ? 'requests.cpu' : 'requests.memory';
      return `max by (namespace) (kube_resourcequota{${pod(['type="used"', `resource="${r}"`])}} / ignoring(type) kube_resourcequota{${pod(['type="hard"', `resource="${r}"`])}})`;
    }
    case 'burstBudgetUsed':
      return undefined;
  }
}

const OVER_TIME: Readonly<Record<string, string>> = {
  avg: 'avg_over_time',
  max: 'max_over_time',
  min: 'min_over_time',
  last: 'last_over_time',
  sum: 'sum_over_time',
  count: 'count_over_time',
};

/** The PromQL of one rule, or undefined where a signal has no exporter behind it. */
export function ruleExpr(rule: CompiledRule, scope: ExportScope, objective?: number): string | undefined {
  const e = rule.expr;
  if (e.kind === 'threshold') {
    const q = signalQuery(e.signal, scope);
    if (q === undefined) return undefined;
    return `${OVER_TIME[e.aggregate]}((${q})[${formatDuration(e.windowMs)}:1m]) ${e.op} ${e.threshold}`;
  }
  if (e.kind === 'baseline') {
    const q = signalQuery(e.signal, scope);
    if (q === undefined) return undefined;
    // The recent aggregate against the median of the signal over the baseline window, offset past the exclusion
    // (a 5-minute subquery step: the median of 72 points, as polis takes the median of its buckets' averages).
    const now = `${OVER_TIME[e.aggregate]}((${q})[${formatDuration(e.windowMs)}:1m])`;
    // statistic 'max': the highest average of a bucket (polis's rings hold 20 of them: 18 minutes of 6 hours).
    const bucket = formatDuration(e.baselineMs / 20);
    const normal = (x: string) =>
      e.statistic === 'max'
        ? `max_over_time((avg_over_time((${x})[${bucket}:1m]))[${formatDuration(e.baselineMs - e.excludeMs)}:${bucket}] offset ${formatDuration(e.excludeMs)})`
        : `quantile_over_time(0.5, (${x})[${formatDuration(e.baselineMs - e.excludeMs)}:5m] offset ${formatDuration(e.excludeMs)})`;
    const base = normal(q);
    const enough =
      e.minRequests === undefined
        ? ''
        : ` and avg_over_time((${signalQuery('requestsPerSecond', scope)})[${formatDuration(e.windowMs)}:1m]) * ${e.windowMs / 1000} >= ${e.minRequests}`;
    if (!e.loadRelative) return `${now} > ${e.factor} * ${base} and ${now} > ${base} + ${e.floor}${enough}`;
    if (e.loadSignal !== undefined && e.loadSignal !== 'requestsPerSecond') {
      // Another load series on the signal's own labels (a node's pods' CPU): its window's average over its median.
      const lq = signalQuery(e.loadSignal, scope);
      if (lq === undefined) return undefined;
      const lNow = `avg_over_time((${lq})[${formatDuration(e.windowMs)}:1m])`;
      const lBase = `quantile_over_time(0.5, (${lq})[${formatDuration(e.baselineMs - e.excludeMs)}:5m] offset ${formatDuration(e.excludeMs)})`;
      const load = `(clamp_min(${lNow} / ${lBase}, 1) or (${base} * 0 + 1))`;
      return `${now} > ${e.factor} * ${base} and ${now} > ${base} + ${e.floor} and ${now} > ${e.factor} * ${base} * ${load}`;
    }
    // Beyond what the load explains: the request rate over its own median, at least 1 (1 where the component has no
    // request series, a worker), on the signal's labels (a per-pod signal is grouped by the component label).
    const perPod = !['requestsPerSecond', 'errorsPerSecond', 'errorRatio', 'latencyP99Ms'].includes(e.signal);
    const rps = signalQuery('requestsPerSecond', scope)!;
    const asSignal = (q: string) =>
      perPod ? `label_replace(${q}, "label_app_oam_dev_component", "$1", "service", "(.*)")` : q;
    const on = perPod ? 'on(namespace, label_app_oam_dev_component)' : 'on(namespace, service)';
    const rpsNow = `avg_over_time((${rps})[${formatDuration(e.windowMs)}:1m])`;
    const rpsBase = normal(rps);
    const load = `(clamp_min(${asSignal(`${rpsNow} / ${rpsBase}`)}, 1) or ${on} (${base} * 0 + 1))`;
    return `${now} > ${e.factor} * ${base} and ${now} > ${base} + ${e.floor} and ${now} > ${e.factor} * ${base} * ${on} group_left ${load}`;
  }
  if (e.kind === 'trend') {
    const q = signalQuery(e.signal, scope);
    if (q === undefined) return undefined;
    // predict_linear over a 15 s subquery of the window: the least-squares line polis fits to its samples.
    const w = `(${q})[${formatDuration(e.windowMs)}:15s]`;
    // Rising now (polis: no fall within risingMs, and above the window before it): no falling step in risingMs (no
    // flat one either, strictly rising).
    const rising = `(${q}) > max_over_time((${q})[${formatDuration(e.windowMs - e.risingMs)}:15s] offset ${formatDuration(e.risingMs)}) and min_over_time(deriv((${q})[30s:15s])[${formatDuration(e.risingMs)}:15s]) ${e.strictlyRising ? '>' : '>='} 0`;
    // No floor (an AlertRule's trend without one): no clause.
    const floor = Number.isFinite(e.floor) ? ` and (${q}) >= ${e.floor}` : '';
    // Past its normal peak: the median of the maxima of the window's buckets (windowMs/20 each), past the exclusion.
    const p = e.abovePeak;
    const peak = p
      ? ` and (${q}) >= quantile_over_time(0.5, (max_over_time((${q})[${formatDuration(p.windowMs / 20)}:1m]))[${formatDuration(p.windowMs - p.excludeMs)}:${formatDuration(p.windowMs / 20)}] offset ${formatDuration(p.excludeMs)}) + ${p.over}`
      : '';
    return `predict_linear(${w}, ${e.horizonMs / 1000}) >= ${e.threshold} and deriv(${w}) > 0${floor} and ${rising}${peak}`;
  }
  const obj = e.objective ?? objective;
  if (obj === undefined) return undefined;
  const budget = Number(((1 - obj) * e.factor).toPrecision(6));
  const bad = (w: string) =>
    e.sli === 'availability'
      ? `(${signalQuery('errorsPerSecond', scope, w)} / ${signalQuery('requestsPerSecond', scope, w)})`
      : `(1 - (sum by (namespace, service) (rate(http_request_duration_seconds_bucket{${matchers(scope, 'service', ['le="$LE"'])}}[${w}])) / sum by (namespace, service) (rate(http_request_duration_seconds_count{${matchers(scope, 'service')}}[${w}]))))`;
  return `${bad(formatDuration(e.longMs))} > ${budget} and ${bad(formatDuration(e.shortMs))} > ${budget}`;
}

export interface ExportEntry {
  readonly rule: CompiledRule;
  readonly scope: ExportScope;
  /** A component's own objective for an SLO rule without one (fraction), and its latency threshold. */
  readonly objective?: number;
  readonly thresholdMs?: number;
  /** The group the rule is written in (a department, an application, `platform`). */
  readonly group: string;
}

/** The rule file: one group per `group`, rules in the order given; `skipped` lists what could not be written. */
export function prometheusRuleFile(entries: readonly ExportEntry[], interval = '15s'): string {
  const groups = new Map<string, unknown[]>();
  const skipped: string[] = [];
  for (const x of entries) {
    let expr = ruleExpr(x.rule, x.scope, x.objective);
    if (expr === undefined) {
      skipped.push(`${x.group}/${x.rule.name}`);
      continue;
    }
    // Latency SLO: the share of requests slower than the threshold (the histogram bucket at it, in seconds).
    expr = expr.replaceAll('$LE', String((x.thresholdMs ?? 1000) / 1000));
    const list = groups.get(x.group) ?? [];
    list.push({
      alert: x.rule.name,
      expr,
      ...(x.rule.forMs > 0 ? { for: formatDuration(x.rule.forMs) } : {}),
      labels: { severity: x.rule.severity, polis_rule: x.rule.id },
      ...(x.rule.description
        ? { annotations: { summary: x.rule.description.en, summary_zh: x.rule.description.zh } }
        : {}),
    });
    groups.set(x.group, list);
  }
  const doc: Record<string, unknown> = {
    groups: [...groups].map(([name, rules]) => ({ name: `polis-${name}`, interval, rules })),
  };
  const head = skipped.length ? `# Not exportable (signals only polis samples): ${skipped.join(', ')}\n` : '';
  return head + stringify(doc, { lineWidth: 0, sortMapEntries: false });
}
