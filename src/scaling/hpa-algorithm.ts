/**
 * The Kubernetes HorizontalPodAutoscaler's decision as a pure function: state in (the history of recommendations
 * and scale events), state out. It follows kube-controller-manager's podautoscaler (horizontal.go,
 * replica_calculator.go) with `behavior` always applied, its defaults filled in as the autoscaling/v2 API does.
 */
import {
  resolveBehavior,
  limitRate,
  stabilize,
  withRecommendation,
  withScale,
  type Behavior,
  type HpaHistory,
} from './hpa-behavior.ts';
import { proposeReplicas, type MetricProposal, type MetricSample } from './hpa-metrics.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { joinComma, joinReasons, metricPart } from './reason-parts.ts';

export { EMPTY_HISTORY, DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP, resolveBehavior, withScale } from './hpa-behavior.ts';
export type { Behavior, HpaHistory, ScalingPolicy, ScalingRules } from './hpa-behavior.ts';
export { proposeReplicas, type MetricProposal, type MetricSample } from './hpa-metrics.ts';

/** Kubernetes' default tolerance (`--horizontal-pod-autoscaler-tolerance`). */
export const DEFAULT_TOLERANCE = 0.1;

export interface HpaInput {
  /** When the decision is taken (epoch ms); the only clock the algorithm knows. */
  readonly now: number;
  /** The workload's replica count. */
  readonly current: number;
  /** How many of its pods are ready; the rest are not yet ready (starting, or within the initial readiness delay). */
  readonly ready: number;
  readonly min: number;
  readonly max: number;
  readonly metrics: readonly MetricSample[];
  /** |ratio − 1| at or below this changes nothing (default 0.1). */
  readonly tolerance?: number;
  readonly behavior?: Behavior;
  readonly history: HpaHistory;
  /** When true the decision is not going to be applied, so no scale event is recorded (recommendations are). */
  readonly preview?: boolean;
}

export interface HpaDecision {
  readonly desired: number;
  /** A readable sentence: the metric that decided, and every limit that changed the count (English). */
  readonly reason: string;
  /** `reason` as a coded message (docs/messages.md): what the console and the CLI render in the reader's language. */
  readonly detail: Message;
  /** Pass it back on the next decision. */
  readonly history: HpaHistory;
  /** The metrics' recommendation before stabilization, rate limits and bounds (undefined when none was made). */
  readonly recommended?: number;
}

/**
 * Decides the replica count as the Kubernetes HPA would at `now`:
 * 1. a workload at 0 replicas with minReplicas > 0 is left alone (autoscaling disabled); one above maxReplicas or
 *    below minReplicas is brought to the bound at once;
 * 2. each metric proposes ceil(pods × value / target) (see {@link proposeReplicas}: tolerance, missing and
 *    not-yet-ready pods); the highest proposal wins; if a metric is unavailable and the others would scale down, or
 *    none is available, nothing changes;
 * 3. stabilization: the result stays between the lowest recommendation of the scale-up window (default 0 s) and the
 *    highest of the scale-down window (default 300 s);
 * 4. rate policies (default: up by max(100%, 4 pods) per 15 s, down by 100% per 15 s; selectPolicy Max/Min/Disabled)
 *    from the scale events in `history`, and the min/max bounds.
 * The returned history holds this recommendation and, unless `preview`, this scale event.
 */
export function hpaDecide(input: HpaInput): HpaDecision {
  const decision = hpaRecommend(input);
  if (input.preview || decision.desired === input.current) return decision;
  const rules = resolveBehavior(input.behavior);
  return { ...decision, history: withScale(decision.history, input.now, input.current, decision.desired, rules) };
}

/** {@link hpaDecide} without recording the scale event: for callers that may change the count further. */
export function hpaRecommend(input: HpaInput): HpaDecision {
  const { now, current, min, max } = input;
  const ready = Math.max(0, Math.min(input.ready, current));
  const rules = resolveBehavior(input.behavior);
  // Kubernetes seeds the window with the current count on its first look at a workload.
  const history: HpaHistory =
    input.history.recommendations.length === 0
      ? { ...input.history, recommendations: [{ at: now, replicas: current }] }
      : input.history;

  const decision = (desired: number, detail: Message) => ({ desired, reason: detail.message, detail, history });
  if (current === 0 && min > 0) return decision(0, msg('HpaDisabledAtZero'));
  if (current > max) return decision(max, msg('HpaAboveMax', { current, max }));
  if (current < min) return decision(min, msg('HpaBelowMin', { current, min }));

  const proposals = input.metrics.map((m) => proposeReplicas(m, current, ready, input.tolerance ?? DEFAULT_TOLERANCE));
  const valid = proposals.filter((p): p is Extract<MetricProposal, { ok: true }> => p.ok);
  const failed = proposals.filter((p) => !p.ok);
  if (valid.length === 0) {
    const why = failed.length === 0 ? msg('HpaNoMetric') : joinReasons(failed.map((p) => p.detail));
    return decision(current, msg('HpaStays', { why, current }));
  }
  let top = valid[0]!;
  for (const p of valid) if (p.replicas > top.replicas) top = p;
  const recommended = top.replicas;
  const others = valid
    .filter((p) => p !== top)
    .map((p) => msg('HpaOtherMetric', { metric: metricPart(p.name), replicas: p.replicas }));
  const decided = others.length > 0 ? msg('HpaHighest', { reason: top.detail, others: joinComma(others) }) : top.detail;
  if (failed.length > 0 && recommended < current) {
    const why = joinReasons(failed.map((p) => p.detail));
    return decision(current, msg('HpaNotScalingDown', { reason: decided, why, current }));
  }

  const stable = stabilize(now, current, recommended, history, rules);
  const limited = limitRate(now, current, stable.replicas, min, max, history, rules);
  const detail = joinReasons([decided, ...[stable.reason, limited.reason].filter((r) => r !== undefined)]);
  return {
    desired: limited.replicas,
    reason: detail.message,
    detail,
    history: withRecommendation(history, now, recommended, rules),
    recommended,
  };
}
