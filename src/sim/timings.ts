/** A range of durations in ms, both ends inclusive; each draw comes from the seeded generator. */
export type MsRange = readonly [number, number];

/** How long things take in the simulated cloud. */
export interface SimTimings {
  /** Pulling a pod's images onto a node that does not have them. */
  readonly imagePullMs: MsRange;
  /** Starting a pod whose images the node already has. */
  readonly cachedImageMs: MsRange;
  /** Readiness after start when no container has a readiness probe (with one: its initialDelaySeconds). */
  readonly readinessMs: number;
  /** How long a Job's pod runs before it succeeds, unless its template says (sim.polis.io/run-seconds). */
  readonly jobRunMs: MsRange;
  /** First restart delay of a crash-looping container or a failed pull; doubles up to the cap (kubelet's). */
  readonly backoffMs: number;
  readonly backoffCapMs: number;
  /** How long pods may be failing (CrashLoopBackOff, ImagePullBackOff, Unschedulable) before a workload is reported Failed or Degraded. */
  readonly failureGraceMs: number;
  /** How often the HorizontalPodAutoscaler controller runs (kube-controller-manager's default). */
  readonly hpaSyncMs: number;
  /**
   * metrics-server's resolution: it scrapes every kubelet this often (at whole multiples of it) and reports a pod's
   * CPU as the mean over the last two scrapes, so the HPA reads CPU up to two resolutions old, and a pod has no
   * sample until it has been ready at two scrapes (the `--metric-resolution=15s` of metrics-server's own manifest).
   * 0: the HPA reads the load model's present, every ready pod with a sample (no metrics lag).
   */
  readonly metricsResolutionMs: number;
}

export const DEFAULT_TIMINGS: SimTimings = {
  imagePullMs: [1000, 4000],
  cachedImageMs: [100, 500],
  readinessMs: 1000,
  jobRunMs: [5000, 15000],
  backoffMs: 10_000,
  backoffCapMs: 300_000,
  failureGraceMs: 30_000,
  hpaSyncMs: 15_000,
  metricsResolutionMs: 15_000,
};

/** The delay before the n-th retry (n from 1): base, doubled each time, capped. */
export function backoff(t: SimTimings, n: number): number {
  return Math.min(t.backoffCapMs, t.backoffMs * 2 ** Math.max(0, Math.min(n - 1, 20)));
}
