import type { Aggregate } from './signal-windows.ts';
import type { AlertSignal, SeriesLabels } from './signals.ts';

/** Page: someone acts now. Ticket: someone acts within days. Info: recorded and shown, routed only where asked. */
export const SEVERITIES = ['page', 'ticket', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** A signal's aggregate over a window compared with a threshold, on every target the selector matches. */
export interface ThresholdExpr {
  readonly kind: 'threshold';
  readonly signal: AlertSignal;
  readonly aggregate: Aggregate;
  readonly windowMs: number;
  readonly op: Comparison;
  readonly threshold: number;
}

/**
 * The SRE workbook's burn rate (chapter 5, "Alerting on SLOs"): the error budget is spent `factor` times faster
 * than the objective allows, over both the long and the short window. `objective` absent: each component's own
 * (its `slo` policy, else the defaults).
 */
export interface BurnRateExpr {
  readonly kind: 'burnRate';
  readonly sli: 'availability' | 'latency';
  readonly objective?: number;
  readonly factor: number;
  readonly longMs: number;
  readonly shortMs: number;
}

/**
 * A signal departing from its target's own normal (Dynatrace's auto-adaptive baselines, Datadog's anomaly monitors):
 * the `aggregate` over `windowMs` is above both `factor` × the baseline and the baseline + `floor` (the signal's
 * unit). The baseline is robust: the median of the bucket averages of the last `baselineMs`, leaving out the buckets
 * that end within the last `excludeMs` (the fault itself), so a blip or an earlier fault shorter than half the
 * baseline window does not move it and a slow rise over hours carries it along. It needs `minBuckets` buckets
 * outside the exclusion (a new target has no normal yet).
 */
export interface BaselineExpr {
  readonly kind: 'baseline';
  readonly signal: AlertSignal;
  readonly aggregate: Aggregate;
  readonly windowMs: number;
  readonly baselineMs: number;
  readonly excludeMs: number;
  readonly factor: number;
  readonly floor: number;
  readonly minBuckets: number;
  /**
   * At least this many requests in the window (the average of the target's request rate over it × its length), or
   * the rule does not fire: a ratio over a handful of calls is chance (two failed calls of a component called twice
   * a minute are not an outage to page about).
   */
  readonly minRequests?: number;
  /**
   * Beyond what the load explains: the departure (the aggregate over the baseline) must also be above `factor` × the
   * request rate's own departure (its average over the window over its robust baseline, taken the same way), when
   * that is above 1. A rise the load brings (a daily peak: CPU and queueing follow the requests) does not fire; the
   * same rise with the load flat does. A target without a request series (a worker) counts its load as flat.
   */
  readonly loadRelative?: boolean;
  /**
   * The series the load is read from for `loadRelative` (the target's own labels): the request rate by default; a
   * node's, the CPU its pods use (what a node's CPU follows when nothing else runs on it).
   */
  readonly loadSignal?: AlertSignal;
  /**
   * Which normal the bucket averages give: `median` (absent), the robust centre; `max`, the highest of them, the top
   * of the range the target's own load brought over the baseline window (one earlier fault inside it raises it, so
   * a rule on the median stays beside one on the maximum). With `loadRelative`, the request rate's normal is taken
   * the same way: a load above the highest it had is what may explain more.
   */
  readonly statistic?: 'median' | 'max';
}

/**
 * A signal's trend, as Prometheus's `predict_linear`: the least-squares line through the samples of the last
 * `windowMs` (at least `minSamples` of them), extended `horizonMs` past now, reaches `threshold`, rising, while the
 * newest sample is at least `floor` (a container starting up climbs fast from nothing; a leak that matters is well
 * above its resting level), and the samples of the last `risingMs` never fall and end above every one before them
 * in the window (a leak rises throughout; a blip that came and went, or a sawtooth back at its level, does not). What the alert tells is the projected
 * value and how soon the line crosses `threshold`.
 */
export interface TrendExpr {
  readonly kind: 'trend';
  readonly signal: AlertSignal;
  readonly windowMs: number;
  readonly horizonMs: number;
  readonly risingMs: number;
  readonly threshold: number;
  readonly floor: number;
  readonly minSamples: number;
  /**
   * Every bucket of the last `risingMs` above the one before it, not merely never below it: a step up that then
   * holds (a new revision that keeps more in memory) stops rising a round later and does not last its `for`.
   */
  readonly strictlyRising?: boolean;
  /**
   * Past the target's own normal peak, besides: the newest sample at least `over` above the median of the maxima of
   * the buckets of `windowMs` that end before now − `excludeMs` (at least `minBuckets` of them; a target without that
   * history does not fire). A sawtooth (a garbage collector's, a cache filling and flushing) reaches its own peak in
   * every bucket and does not pass it; a leak passes it and keeps going. Optional (a plain trend has no normal).
   */
  readonly abovePeak?: {
    readonly windowMs: number;
    readonly excludeMs: number;
    readonly minBuckets: number;
    readonly over: number;
  };
}

export interface CompiledRule {
  /** Unique among the rules evaluated: `builtin:<name>` or `<tenant>/<name>` of an AlertRule object. */
  readonly id: string;
  readonly name: string;
  /** The department whose series the rule reads; undefined for a platform-wide rule (any department's). */
  readonly tenant?: string;
  readonly severity: Severity;
  readonly forMs: number;
  readonly expr: ThresholdExpr | BurnRateExpr | BaselineExpr | TrendExpr;
  /** Labels a target must have (exact values); empty matches every target of the signal's scope. */
  readonly selector: SeriesLabels;
  /** Whether its alerts are symptoms a dead cluster's alert holds back (every component-scope rule is). */
  readonly symptom: boolean;
  /** A bilingual description given on an AlertRule object, shown beside the coded message. */
  readonly description?: { readonly zh: string; readonly en: string };
}

const H = 3_600_000;
const M = 60_000;

/** The workbook's multiwindow, multi-burn-rate pairs: 2 % of a 30-day budget in 1 h, 5 % in 6 h, 10 % in 3 d. */
export const BURN_RATE_PAIRS: ReadonlyArray<{
  readonly factor: number;
  readonly longMs: number;
  readonly shortMs: number;
  readonly severity: Severity;
}> = [
  { factor: 14.4, longMs: H, shortMs: 5 * M, severity: 'page' },
  { factor: 6, longMs: 6 * H, shortMs: 30 * M, severity: 'page' },
  { factor: 1, longMs: 72 * H, shortMs: 6 * H, severity: 'ticket' },
];

/** The SLO alerts every service-type component gets: both SLIs × the three pairs. */
export const SLO_RULES: readonly CompiledRule[] = (['availability', 'latency'] as const).flatMap((sli) =>
  BURN_RATE_PAIRS.map((p) => ({
    id: `builtin:slo-${sli}-${p.factor}x`,
    name: `slo-${sli}-burn-${String(p.factor).replace('.', '-')}x`,
    severity: p.severity,
    forMs: 0,
    expr: { kind: 'burnRate', sli, factor: p.factor, longMs: p.longMs, shortMs: p.shortMs },
    selector: {},
    symptom: true,
  })),
);

const threshold = (
  name: string,
  signal: AlertSignal,
  aggregate: Aggregate,
  windowMs: number,
  op: Comparison,
  value: number,
  severity: Severity,
  forMs: number,
  symptom = true,
): CompiledRule => ({
  id: `builtin:${name}`,
  name,
  severity,
  forMs,
  expr: { kind: 'threshold', signal, aggregate, windowMs, op, threshold: value },
  selector: {},
  symptom,
});

/**
 * A baseline rule on every sample of the last minute (`min`) departing from the target's own normal (its 6-hour
 * bucket averages, at least 3 of them): a ticket after a minute, a symptom, unless said otherwise. The rules below
 * differ in the signal, the factor, the floor and how the normal and the load are taken.
 */
const aboveNormal = (
  name: string,
  expr: Omit<BaselineExpr, 'kind' | 'aggregate' | 'windowMs' | 'baselineMs' | 'minBuckets'>,
  opts: { severity?: Severity; forMs?: number; symptom?: boolean } = {},
): CompiledRule => ({
  id: `builtin:${name}`,
  name,
  severity: opts.severity ?? 'ticket',
  forMs: opts.forMs ?? M,
  expr: { kind: 'baseline', aggregate: 'min', windowMs: M, baselineMs: 6 * H, minBuckets: 3, ...expr },
  selector: {},
  symptom: opts.symptom ?? true,
});

/**
 * The platform's rules (docs/observe.md, "Platform rules", says why each window): they hold for every department
 * and cluster. A page comes within about 2 minutes of a lasting fault; a blip shorter than the `for` (a missed
 * probe, a kubelet restart, a brief CPU spike) does not page.
 */
export const PLATFORM_RULES: readonly CompiledRule[] = [
  // Health is Unreachable after 3 missed heartbeats already; then a minute more.
  threshold('cluster-unreachable', 'clusterUnreachable', 'last', 2 * M, '>=', 1, 'page', M, false),
  // A node is NotReady after the kubelet's 40–50 s grace; then a minute more (a kubelet restart is shorter).
  threshold('node-not-ready', 'nodesNotReady', 'last', 2 * M, '>=', 1, 'page', M, false),
  // The busiest node's CPU at 95 % of allocatable, the minute's average, for a minute: its pods wait in the run
  // queue (kube-prometheus's node CPU alert is information after 15 minutes; a hog on a shared node is the platform
  // team's to act on). Platform scope: a cluster belongs to no department.
  threshold('node-cpu-saturated', 'nodeCpuMax', 'avg', M, '>=', 0.95, 'page', M, false),
  // A node's CPU at twice its own normal (the median of its 18-minute averages over 6 h, the last 10 minutes left
  // out) and 30 points above it, beyond what its pods explain (twice their CPU's own rise), throughout a minute, for
  // 30 s: something outside the pods takes the node (a runaway daemon, a backup agent, a miner, a noisy process the
  // scheduler does not see), even while the node stays under node-cpu-saturated's 95 %. Measured over a fault-free
  // day of the demo (docs/observe.md, "node-cpu-above-normal"): its nodes' normals are 0.5-4.8 %, their minute rises
  // to 4.4x the normal with their pods' load (3.8 points at most), and never past the pods' own rise; a hog of 90 %
  // of a quiet node's cores fires at ~90 s. A ticket: the platform team's, within hours; when the node is saturated
  // node-cpu-saturated pages, and the pods' slower answers page through their own rules.
  aboveNormal(
    'node-cpu-above-normal',
    {
      signal: 'nodeCpu',
      excludeMs: 10 * M,
      factor: 2,
      floor: 0.3,
      loadRelative: true,
      loadSignal: 'nodePodsCpu',
    },
    { forMs: 30_000, symptom: false },
  ),
  threshold('cluster-cpu-requested', 'clusterCpuRequested', 'avg', 15 * M, '>=', 0.85, 'ticket', 15 * M, false),
  threshold('cluster-memory-requested', 'clusterMemoryRequested', 'avg', 15 * M, '>=', 0.85, 'ticket', 15 * M, false),
  threshold('quota-cpu-used', 'quotaCpuUsed', 'avg', 15 * M, '>=', 0.85, 'ticket', 15 * M, false),
  threshold('quota-memory-used', 'quotaMemoryUsed', 'avg', 15 * M, '>=', 0.85, 'ticket', 15 * M, false),
  // The minute's average at 90 % of requests for a minute: saturated for about 2 minutes, not a burst the HPA absorbs.
  threshold('component-saturated', 'cpuUtilization', 'avg', M, '>=', 0.9, 'page', M),
  // CrashLoopBackOff in half the samples of 2 minutes, for 30 s: a loop pages in ~75 s even if a restart shows
  // Running between back-offs; one crash and a good restart (a sample or three) does not.
  threshold('crash-loop', 'crashLooping', 'avg', 2 * M, '>=', 0.5, 'page', 30_000),
  // Every p99 sample of the last minute at twice the component's own normal (the median of its 18-minute averages
  // over 6 h, the last 10 minutes left out) and 100 ms above it, for a minute: slower for 2 minutes, which an SLO on
  // a fixed threshold misses; a blip of less than a minute does not keep the minute's minimum up.
  aboveNormal('latency-degraded', { signal: 'latencyP99Ms', excludeMs: 10 * M, factor: 2, floor: 100 }),
  // Every p99 sample of the last minute at 1.5x the component's own normal and 100 ms above it, beyond what its load
  // explains (1.5x its request rate's own rise), for a minute: a lasting shift that latency-degraded's 2x misses (150
  // ms added to a p99 of 190 ms), within 2 minutes. The load term keeps a daily peak from firing it: a Crane front's
  // p99 at its peak is 1.3-1.9x its 6-hour median (docs/observe.md, "Latency shifted"), but its requests rose as
  // much. A ticket, as latency-degraded: the latency SLO's burn rates page when the objective is at stake.
  aboveNormal('latency-shifted', {
    signal: 'latencyP99Ms',
    excludeMs: 10 * M,
    factor: 1.5,
    floor: 100,
    loadRelative: true,
  }),
  // Every p99 sample of the last minute at 1.2x the highest 18-minute average of its last 6 h (the top of the range
  // its own load brought, the last hour left out) and 100 ms above it, beyond a load above the highest it had (1.2x
  // its request rate over its highest 18-minute average, when that is above 1), for a minute: a lasting shift on a
  // component whose p99 hardly moves with its load, within 2 minutes. The hour left out keeps the shift out of its
  // own normal for that long (a maximum takes it in with one bucket; the median rules take three hours). A front whose p99 is mostly its callees' (the
  // demo's enrolment portal: a steady 460-510 ms) takes 150 ms added as 1.3x its median, under latency-shifted's 1.5x,
  // and a load above its median multiplies that; its highest normal is within a few percent of its median. A
  // component whose p99 follows its load (a queue near capacity) has a highest normal well above its median, and this
  // rule leaves it to latency-shifted. A ticket, as the other latency rules.
  aboveNormal('latency-above-range', {
    signal: 'latencyP99Ms',
    excludeMs: H,
    factor: 1.2,
    floor: 100,
    loadRelative: true,
    statistic: 'max',
  }),
  // Every CPU sample of the last minute at twice the component's own normal (of its requests) and 25 points above
  // it, beyond what its load explains (twice its request rate's own rise), for a minute: a process burning CPU the
  // requests do not account for (a hog, a runaway loop, a regression in a new revision), even when nobody is slowed
  // yet. A ticket, not a page: it costs the headroom the autoscaler and fair sharing count on, and someone should look
  // within hours; when it does slow the component's users, component-saturated, the latency rules and the SLO burn
  // rates page.
  aboveNormal('cpu-above-normal', {
    signal: 'cpuUtilization',
    excludeMs: 10 * M,
    factor: 2,
    floor: 0.25,
    loadRelative: true,
  }),
  // The component's containers under a CPU limit throttled in half the CFS periods throughout a minute, for a
  // minute: pinned at its limit (kube-prometheus's CPUThrottlingHigh reads the same cAdvisor counters, at 25 % over
  // 15 minutes, as information). Half, not a quarter: a small container (250m: one 20 ms request a period) is
  // throttled in a quarter of its periods by bursts alone at 80 % of its limit. A ticket: the limit, or what spends
  // it, is the department's to change; what the users feel pages through the latency and SLO rules.
  threshold('cpu-throttled', 'cpuThrottled', 'min', M, '>=', 0.5, 'ticket', M),
  // Every error-ratio sample of the last minute above twice the component's own normal (the median of its 18-minute
  // averages over 6 h, the last 10 minutes left out) and 5 points above it, for 30 s: failing for 90 s, without
  // waiting for the 1 h window of the 14.4x burn-rate page to average the errors in (10 % errors take 9 minutes to
  // reach it). 5 points over a 99.9 % objective burns the budget 50x (gone in 14 h): a page, as the workbook's 14.4x
  // is. A blip under a minute does not keep the minute's minimum up; a component that always fails 3 % needs 8 %;
  // a component with fewer than 20 requests in the minute is left to its SLO's burn rates.
  aboveNormal(
    'error-ratio-elevated',
    { signal: 'errorRatio', excludeMs: 10 * M, factor: 2, floor: 0.05, minRequests: 20 },
    { severity: 'page', forMs: 30_000 },
  ),
  // A container's working set projected, by its least-squares trend over 3 minutes (kube-prometheus's
  // predict_linear, as KubePersistentVolumeFillingUp), to reach its memory limit within 15 minutes while already at
  // half of it and rising through its last minute, for 30 s: a leak pages before its OOM kill (100 MiB a minute on a 1 GiB container from 40 %: in about
  // 105 s, 4 minutes before the kill), where the 90 % rule below tells it a minute or two before. A flat container,
  // or one that grows slowly (not at its limit within 15 minutes), does not fire.
  {
    id: 'builtin:memory-leak-predicted',
    name: 'memory-leak-predicted',
    severity: 'page',
    forMs: 30_000,
    expr: {
      kind: 'trend',
      signal: 'memoryOfLimit',
      windowMs: 3 * M,
      horizonMs: 15 * M,
      risingMs: M,
      threshold: 1,
      floor: 0.5,
      minSamples: 4,
    },
    selector: {},
    symptom: true,
  },
  // A slow leak, before it is near its limit: a container's working set 2 points of its limit above its own normal
  // peak (the median of its 18-minute maxima over 6 h, the last 10 minutes left out), rising at every sample of its
  // last minute above everything in its 2-minute window, its least-squares line there at the limit within the hour,
  // for 15 s (a minute and a quarter of rise in all). A leak of 100 MiB a minute into a 4 GiB limit from 40 % (the
  // demo's e-invoice gateway: 2.4 points a minute, 25 minutes to its OOM kill) fires at ~90 s, where
  // memory-leak-predicted waits for the kill to be 15 minutes away (~10 minutes in). A garbage collector's sawtooth
  // never passes its own peak; a step up that then holds stops rising; a slow climb over hours (a diurnal cache) is
  // not at the limit within the hour. A ticket: nothing is lost yet; memory-leak-predicted pages when the kill nears.
  {
    id: 'builtin:memory-growing',
    name: 'memory-growing',
    severity: 'ticket',
    forMs: 15_000,
    expr: {
      kind: 'trend',
      signal: 'memoryOfLimit',
      windowMs: 2 * M,
      horizonMs: H,
      risingMs: M,
      threshold: 1,
      floor: 0,
      minSamples: 4,
      strictlyRising: true,
      abovePeak: { windowMs: 6 * H, excludeMs: 10 * M, minBuckets: 3, over: 0.02 },
    },
    selector: {},
    symptom: true,
  },
  // A container's working set at 90 % of its memory limit within the last 5 minutes, for 2 minutes: a leak that
  // climbs to its OOM kill and again (a kill resets the working set, so "at 90 % for 2 minutes" would never hold),
  // or a container pinned near its limit. One excursion to 90 % is a ticket too: it came within 10 % of a kill.
  threshold('memory-near-limit', 'memoryOfLimit', 'max', 5 * M, '>=', 0.9, 'ticket', 2 * M),
  threshold('job-failed', 'jobFailed', 'last', 15 * M, '>=', 1, 'ticket', 0),
  threshold('burst-budget-nearly-spent', 'burstBudgetUsed', 'max', 5 * M, '>=', 0.9, 'ticket', 0, false),
];

/** Every built-in rule: the platform's and the SLO alerts. */
export const BUILTIN_RULES: readonly CompiledRule[] = [...PLATFORM_RULES, ...SLO_RULES];
