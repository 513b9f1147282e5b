/**
 * The series alert rules read, by scope: what the collector (alert-collector.ts) samples every tick and what a
 * rule's `signal` may name. A series is one signal of one target, keyed `signal{label="value",…}` with the labels
 * sorted, as Prometheus writes them.
 */
export type SignalScope = 'component' | 'cluster' | 'node' | 'department';

export const ALERT_SIGNALS = {
  // A component (of an application of a department).
  requestsPerSecond: 'component',
  /** Failed requests per second (requests × error ratio). */
  errorsPerSecond: 'component',
  errorRatio: 'component',
  latencyP99Ms: 'component',
  cpuUtilization: 'component',
  readyPods: 'component',
  /** The highest working set over its memory limit among the component's ready containers, 0–1. */
  memoryOfLimit: 'component',
  /**
   * The share of CFS periods in which the component's containers under a CPU limit were throttled, 0–1 (cAdvisor's
   * container_cpu_cfs_throttled_periods_total over container_cpu_cfs_periods_total).
   */
  cpuThrottled: 'component',
  /** 1 in a sample whose p99 latency was over the latency objective's threshold, else 0 (the latency SLI). */
  slowSample: 'component',
  /** 1 while the component crash-loops in a cluster. */
  crashLooping: 'component',
  /** 1 while a task's or cron-task's last run failed. */
  jobFailed: 'component',
  /** 1 while the autoscaler finds the component saturated (src/scaling/saturation.ts). */
  saturated: 'component',
  // A member cluster.
  clusterUnreachable: 'cluster',
  nodesNotReady: 'cluster',
  /** The CPU the cluster's busiest ready node uses over its allocatable, 0–1. */
  nodeCpuMax: 'cluster',
  /** CPU requested over allocatable, 0–1. */
  clusterCpuRequested: 'cluster',
  clusterMemoryRequested: 'cluster',
  // A node of a member cluster.
  /** The CPU the node uses over its allocatable, 0–1 (node_exporter's non-idle share). */
  nodeCpu: 'node',
  /** The CPU the node's pods use over its allocatable, 0–1: the node's load, what explains its CPU. */
  nodePodsCpu: 'node',
  // A department.
  /** CPU placed over the department's CPU quota, 0–1. */
  quotaCpuUsed: 'department',
  quotaMemoryUsed: 'department',
  /** Cost per hour on burst clusters over the department's burst budget, 0–1. */
  burstBudgetUsed: 'department',
} as const satisfies Record<string, SignalScope>;

export type AlertSignal = keyof typeof ALERT_SIGNALS;

export const SIGNAL_NAMES = Object.keys(ALERT_SIGNALS) as AlertSignal[];

export function isAlertSignal(s: string): s is AlertSignal {
  return Object.prototype.hasOwnProperty.call(ALERT_SIGNALS, s);
}

/**
 * What a series is about. A component carries tenant, app, component; a cluster its cluster; a node its cluster and
 * node; a department tenant.
 */
export interface SeriesLabels {
  readonly tenant?: string;
  readonly app?: string;
  readonly component?: string;
  readonly cluster?: string;
  /** A node's name (with its cluster). */
  readonly node?: string;
}

export const LABEL_NAMES = ['app', 'cluster', 'component', 'node', 'tenant'] as const;

export function seriesKey(signal: AlertSignal, labels: SeriesLabels): string {
  return signal + labelKey(labels);
}

const LABEL_KEYS = new WeakMap<SeriesLabels, string>();

/** `{label="value",…}`, sorted: a series key without its signal (kept per labels object, as it is asked often). */
export function labelKey(labels: SeriesLabels): string {
  const known = LABEL_KEYS.get(labels);
  if (known !== undefined) return known;
  let out = '{';
  let first = true;
  for (const l of LABEL_NAMES) {
    const v = labels[l];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${l}="${v}"`;
    first = false;
  }
  out += '}';
  LABEL_KEYS.set(labels, out);
  return out;
}

/** A component's objectives: availability (good requests) and latency (samples with p99 under the threshold). */
export interface SloTargets {
  /** Fraction of requests that must succeed, e.g. 0.999. */
  readonly availability: number;
  /** Fraction of samples whose p99 latency must be at most `thresholdMs`, e.g. 0.99. */
  readonly latency: { readonly objective: number; readonly thresholdMs: number };
}

/** Something rules apply to, as the collector found it at this tick. */
export interface AlertTarget {
  readonly scope: SignalScope;
  readonly labels: SeriesLabels;
  /** A component's clusters (where its replicas are placed): a dead cluster's alert inhibits its alerts. */
  readonly clusters?: readonly string[];
  /** A service-type component's objectives (absent: no SLO alerts). */
  readonly slo?: SloTargets;
}
