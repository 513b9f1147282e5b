/** One application component, as the metrics seam names it: the namespace is the application's (src/delivery/namespace.ts namespaceOf). */
export interface ComponentRef {
  readonly tenant: string;
  readonly app: string;
  readonly namespace: string;
  readonly component: string;
}

/** The signals a decision (autoscaling, bursting, diagnosis) reads. */
export type SignalName = 'cpuUtilization' | 'requestsPerSecond' | 'latencyP99Ms' | 'readyPods';

/** The signals `history` can return as a range. */
export type HistorySignal = 'cpuUtilization' | 'requestsPerSecond';

/** One cluster's share of a component's signals. A signal is absent when the source has no value for it. */
export interface ClusterSignals {
  readonly cpuUtilization?: number;
  readonly requestsPerSecond?: number;
  readonly latencyP99Ms?: number;
  readonly readyPods: number;
}

/** A component's signals at one instant, in total and per cluster (by cluster name). */
export interface ComponentSignals {
  /** Epoch ms of the sample. */
  readonly at: number;
  /** CPU used over CPU requested by the ready pods (0.6 = 60%, as the HPA counts it); absent without ready pods. */
  readonly cpuUtilization?: number;
  /** Requests per second, across clusters. */
  readonly requestsPerSecond?: number;
  /** 99th percentile latency in ms; absent without requests. */
  readonly latencyP99Ms?: number;
  /** Failed requests over all requests (0–1); absent without requests or where the source does not know it. */
  readonly errorRatio?: number;
  readonly readyPods: number;
  /**
   * The highest working set over its memory limit among the ready pods' containers (0.9 = 90 %); absent where the
   * source does not know it or no container has a limit. Read by the alerts only (memory-near-limit).
   */
  readonly memoryOfLimit?: number;
  /**
   * The share of CFS periods in which the ready pods' containers under a CPU limit were throttled, 0–1 (cAdvisor's
   * container_cpu_cfs_throttled_periods_total over container_cpu_cfs_periods_total); absent where the source does
   * not know it or no container has a CPU limit. Read by the alerts only (cpu-throttled).
   */
  readonly cpuThrottled?: number;
  readonly perCluster: Readonly<Record<string, ClusterSignals>>;
  /** Why a signal is absent, when it is absent for a reason worth telling (a query failed, timed out, no data). */
  readonly reasons?: Readonly<Partial<Record<SignalName, string>>>;
}

/**
 * Where decisions read metrics (DESIGN.md decision 4): the simulated cloud or a Prometheus HTTP API. A source
 * never throws into the caller's loop: a failure is an absent signal with a reason, or `undefined`, and the
 * caller holds its last decision.
 */
export interface MetricsSource {
  readonly name: string;
  /**
   * The component's signals now; `undefined` when the source knows nothing of the component (no pods anywhere) or
   * cannot tell how many pods are ready (then the reason goes to the source's `onProblem`, where it has one).
   */
  signals(ref: ComponentRef): Promise<ComponentSignals | undefined>;
  /**
   * A range of one total signal for prediction: one value per step at `fromMs`, `fromMs + stepMs`, … ≤ `toMs`
   * (grid-aligned, so index i is `fromMs + i·stepMs`), NaN where the source has no sample for that instant.
   * An empty array when the source could not be read.
   */
  history(ref: ComponentRef, signal: HistorySignal, fromMs: number, toMs: number, stepMs: number): Promise<number[]>;
  /**
   * Per cluster (by name), the CPU its busiest ready node uses over its allocatable CPU, 0–1 (the node-cpu-saturated
   * alert's; node_exporter on a real cluster, the nodes' use in the simulated cloud). Optional; a failure is an
   * empty map.
   */
  nodeCpu?(): Promise<ReadonlyMap<string, number>>;
  /**
   * Every ready node: the CPU it uses and the CPU its pods use, each over its allocatable, 0–1 (node-cpu-above-normal's:
   * node_exporter and cAdvisor on a real cluster, the nodes' use in the simulated cloud). Optional; a failure is an
   * empty list.
   */
  nodes?(): Promise<readonly NodeSignals[]>;
  /** Stops the source's timers, if it has any (polis stops). */
  close?(): void;
}

/** One node's CPU now, as the node rules read it. */
export interface NodeSignals {
  readonly cluster: string;
  readonly node: string;
  /** CPU used over allocatable, 0–1. */
  readonly cpu: number;
  /** CPU its pods use over allocatable, 0–1; absent where the source does not know it. */
  readonly podsCpu?: number;
}

/** Told when a source cannot read a signal, so the composition root can log it; must not throw. */
export type ProblemListener = (ref: ComponentRef, signal: SignalName | 'history', reason: string) => void;

/** The most points one `history` call returns (a week at 6-second steps); a longer grid is refused. */
export const MAX_HISTORY_POINTS = 100_800;

/**
 * The instants `history` returns values for: `fromMs` to `toMs` by `stepMs`; empty for an empty or bad range or
 * one of more than MAX_HISTORY_POINTS.
 */
export function historyGrid(fromMs: number, toMs: number, stepMs: number): number[] {
  if (!(stepMs > 0) || !Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs) return [];
  const n = Math.floor((toMs - fromMs) / stepMs) + 1;
  if (n > MAX_HISTORY_POINTS) return [];
  return Array.from({ length: n }, (_, i) => fromMs + i * stepMs);
}
