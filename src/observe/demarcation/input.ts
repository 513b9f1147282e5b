import { z } from 'zod';

/**
 * What the demarcation verdict is computed from: plain JSON, recorded on the incident, so the verdict can be replayed
 * and explained later from exactly the data it saw. Times are epoch seconds; every series is `[time, value]` pairs in
 * the units named below (the signal table in ./signals.ts says which direction is bad and what is implausible).
 */

/** The signals the method reads, by what they measure. */
export const SIGNAL_KINDS = [
  /** Latency of the requests the component serves, seconds (one series per quantile). */
  'latency',
  /** Share of the requests it serves that fail, 0–1. */
  'errors',
  /** Requests it serves per second. */
  'requests',
  /** CPU used, cores. */
  'cpu',
  /** Memory used, bytes. */
  'memory',
  /** Container restarts, cumulative count. */
  'restarts',
  /** Latency of the calls it makes to its callees, seconds (what its callers' clients see of them). */
  'outboundLatency',
  /** Share of the calls it makes that fail, 0–1. */
  'outboundErrors',
  /** Network bytes per second, in or out. */
  'network',
  /** Read or write system calls (or disk operations) per second. */
  'io',
  /** A node's CPU use, 0–1 of allocatable. */
  'nodeCpu',
  /** A node's memory use, 0–1 of allocatable. */
  'nodeMemory',
  /** A node's readiness, 1 ready, 0 not. */
  'nodeReady',
  /** A cluster's reachability from polis, 1 reachable, 0 not. */
  'reachable',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

const name = z.string().min(1).max(253);
const time = z.number().finite();

/** Where a series was measured. A pod's series count for its component; a node's and a cluster's for themselves. */
export const SubjectSchema = z.object({ on: z.enum(['component', 'pod', 'node', 'cluster']), name });
export type Subject = z.infer<typeof SubjectSchema>;

export const SeriesSchema = z.object({
  on: SubjectSchema.shape.on,
  name,
  signal: z.enum(SIGNAL_KINDS),
  /** For latency: the quantile (0.99); a component may have several latency series, one per quantile. */
  quantile: z.number().gt(0).lt(1).optional(),
  /** Further distinguishes series of one signal (network "receive" / "transmit", io "read" / "write"). */
  variant: z.string().max(63).optional(),
  /**
   * For outbound signals: the callee the calls went to (one series per edge, as Istio's or OpenTelemetry's
   * service-graph metrics give them). A rise that the callee's own latency does not explain is blamed on the callee
   * or the network to it.
   */
  peer: name.optional(),
  /** `[epoch seconds, value]`; order does not matter; null or non-finite values count as missing. */
  points: z.array(z.tuple([time, z.number().nullable()])),
});
export type Series = z.infer<typeof SeriesSchema>;

export const ComponentSchema = z.object({
  name,
  application: name,
  /** The department that owns it. */
  department: name,
  /** The vendor maintaining it for the department. */
  vendor: name.optional(),
  /** The revision running now. */
  revision: name.optional(),
  /** Set for a shared middleware instance from the marketplace: who published it (they act on its faults). */
  publisher: name.optional(),
});
export type Component = z.infer<typeof ComponentSchema>;

export const DemarcationInputSchema = z.object({
  /** When the incident began: the first alert, or the onset of the anomaly. */
  at: time,
  /** The application whose alerts opened the incident; a culprit outside it is a shared dependency. */
  scope: z.object({ department: name, application: name.optional() }).optional(),
  clusters: z.array(z.object({ name, vendor: name.optional(), region: name.optional() })).default([]),
  nodes: z.array(z.object({ name, cluster: name })).default([]),
  components: z.array(ComponentSchema),
  pods: z.array(z.object({ name, component: name, node: name.optional() })).default([]),
  /** Caller → callee. */
  edges: z.array(z.object({ from: name, to: name })).default([]),
  series: z.array(SeriesSchema),
  /** Recent changes: rollouts of a revision, configuration changes, scaling. */
  changes: z
    .array(
      z.object({ at: time, component: name, revision: name.optional(), kind: z.enum(['rollout', 'config', 'scale']) }),
    )
    .default([]),
  /** Warning events (Kubernetes Events, polis conditions) on a component, pod, node or cluster. */
  events: z
    .array(z.object({ at: time, on: SubjectSchema.shape.on, name, reason: z.string().min(1).max(128) }))
    .default([]),
});
/** The recorded input, as a caller writes it (defaults not yet applied). */
export type DemarcationInput = z.input<typeof DemarcationInputSchema>;
/** The input after validation (every list present). */
export type ParsedInput = z.output<typeof DemarcationInputSchema>;

/** The method's parameters. The defaults are chosen a priori (docs/observe.md), not fitted to a data set. */
export interface DemarcationOptions {
  /** Seconds before `at` that are the baseline. */
  readonly preSeconds: number;
  /** Seconds from `at` that are compared with it. */
  readonly postSeconds: number;
  /** Seconds of history before `at` from which a series' usual short-term variability is learned. */
  readonly historySeconds: number;
  /** A change below this many robust standard deviations is noise. */
  readonly threshold: number;
  /** Seconds before `at` within which a rollout is a suspect. */
  readonly changeLookbackSeconds: number;
  /**
   * Samples after `at` a change must hold for: a series' change is its k-th most deviant value after `at`, so a
   * single sample (on a quiet service, one slow request's latency) is not a change on its own.
   */
  readonly persistence: number;
}

export const DEFAULT_OPTIONS: DemarcationOptions = {
  preSeconds: 300,
  postSeconds: 300,
  historySeconds: 3600,
  threshold: 3,
  changeLookbackSeconds: 1800,
  persistence: 2,
};
