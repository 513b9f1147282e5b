/**
 * One metric's replica proposal, as Kubernetes' replica calculator makes it (pkg/controller/podautoscaler,
 * replica_calculator.go): desired = ceil(pods × current / target), nothing within the tolerance, and a second,
 * conservative pass when pods lack a sample or are not yet ready.
 */
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { joinAnd, metricPart, podsPart, replicasPart, unitPart, unreadyPodsPart } from './reason-parts.ts';

/** One observed metric against its target. */
export interface MetricSample {
  /** What the reason calls it: "cpu", "requests", "latency". */
  readonly name: string;
  /**
   * The observed value: for a per-pod metric the mean over the ready pods that reported one (CPU in percent of the
   * request, requests per second per pod …); for an object metric the one value (p95 latency …). Undefined when it
   * could not be read.
   */
  readonly value: number | undefined;
  /** The target for `value`, in the same unit. */
  readonly target: number;
  /**
   * `pods` (the default): a per-pod average, where pods without a sample and pods not yet ready are handled as
   * Kubernetes handles them. `object`: one value for the whole workload, scaled by the ready pods as is.
   */
  readonly scope?: 'pods' | 'object';
  /** Of the ready pods, how many reported a sample (default: all of them); the rest count as missing. */
  readonly reporting?: number;
  /** Written after numbers in the reason: "%", " req/s", " ms". */
  readonly unit?: string;
}

/**
 * A metric's proposal: a replica count, or why there is none. `detail` is the reason as a coded message
 * (docs/messages.md); `reason` its English.
 */
export type MetricProposal =
  | {
      readonly ok: true;
      readonly name: string;
      readonly replicas: number;
      readonly reason: string;
      readonly detail: Message;
    }
  | { readonly ok: false; readonly name: string; readonly reason: string; readonly detail: Message };

function proposal(name: string, replicas: number, detail: Message): MetricProposal {
  return { ok: true, name, replicas, reason: detail.message, detail };
}

function failure(name: string, detail: Message): MetricProposal {
  return { ok: false, name, reason: detail.message, detail };
}

/**
 * The replicas one metric asks for. `current` is the workload's replica count, `ready` how many of its pods are
 * ready (the rest are not yet ready: starting, or within their initial readiness delay).
 *
 * For a per-pod metric with every ready pod reporting and no pod unready, this is ceil(ready × value / target), or
 * `current` when |value / target − 1| ≤ tolerance. Otherwise, as Kubernetes does: pods without a sample count at 100%
 * of the target when the first ratio says scale down and at 0% when it says scale up; not-yet-ready pods count at 0%
 * when it says scale up (and are left out when it says scale down); the ratio is computed again over all those pods,
 * and if it now lies within the tolerance or points the other way, the proposal is `current`.
 */
export function proposeReplicas(
  metric: MetricSample,
  current: number,
  ready: number,
  tolerance: number,
): MetricProposal {
  const { name, value, target } = metric;
  const metricName = metricPart(name);
  const unit = unitPart(metric.unit ?? '');
  if (value === undefined || !Number.isFinite(value))
    return failure(name, msg('MetricUnavailable', { metric: metricName }));
  if (!(target > 0)) return failure(name, msg('MetricNoTarget', { metric: metricName }));
  const observed = msg('MetricObserved', { metric: metricName, value: num(value), unit, target: num(target) });
  const ratio = value / target;
  const stay = (why: Message): MetricProposal =>
    proposal(name, current, msg('MetricStays', { why, replicas: replicasPart(current) }));
  const propose = (why: Message, replicas: number): MetricProposal =>
    proposal(name, replicas, msg('MetricProposes', { observed: why, replicas: replicasPart(replicas) }));
  const within = (r: number) => Math.abs(r - 1) <= tolerance;
  const tol = num(tolerance * 100);

  if (metric.scope === 'object') {
    if (current === 0) return propose(observed, Math.ceil(ratio));
    if (within(ratio)) return stay(msg('MetricWithinTolerance', { observed, tolerance: tol }));
    if (ready <= 0) return failure(name, msg('MetricNoReadyPod', { observed }));
    return propose(observed, Math.ceil((ready * value) / target));
  }

  const reporting = Math.max(0, Math.min(ready, metric.reporting ?? ready));
  if (reporting === 0) return failure(name, msg('MetricNoSample', { metric: metricName }));
  const missing = ready - reporting;
  const unready = Math.max(0, current - ready);
  const rebalanceUnready = unready > 0 && ratio > 1;
  if (ratio === 1) return stay(msg('MetricOnTarget', { observed }));
  if (!rebalanceUnready && missing === 0) {
    if (within(ratio)) return stay(msg('MetricWithinTolerance', { observed, tolerance: tol }));
    return propose(observed, Math.ceil((reporting * value) / target));
  }

  // The conservative second pass.
  let sum = reporting * value;
  let count = reporting;
  const counted: Message[] = [];
  if (missing > 0) {
    count += missing;
    if (ratio < 1) sum += missing * target;
    counted.push(
      ratio < 1
        ? msg('PodsMissingAtTarget', { pods: podsPart(missing) })
        : msg('PodsMissingAtZero', { pods: podsPart(missing), unit }),
    );
  }
  if (rebalanceUnready) {
    count += unready;
    counted.push(msg('PodsUnreadyAtZero', { pods: unreadyPodsPart(unready), unit }));
  }
  const newRatio = sum / (count * target);
  const recomputed = msg('MetricRecomputed', {
    observed,
    reporting,
    current,
    counted: joinAnd(counted),
    value: num(newRatio * target),
    unit,
  });
  if (within(newRatio)) return stay(msg('RecomputedWithinTolerance', { recomputed, tolerance: tol }));
  if ((ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1))
    return stay(msg('RecomputedReverses', { recomputed }));
  const replicas = Math.ceil(sum / target);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) {
    return stay(msg('RecomputedWouldReverse', { recomputed, count: replicas }));
  }
  return propose(recomputed, replicas);
}

/** A number for a sentence: at most three significant digits, no exponent for everyday sizes. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(3)));
}
