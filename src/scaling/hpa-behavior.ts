/**
 * The HPA's `behavior`: stabilization windows and rate policies, with the history they need, as Kubernetes applies
 * them (pkg/controller/podautoscaler/horizontal.go, normalizeDesiredReplicasWithBehaviors). Times are epoch
 * milliseconds; a record counts when it is strictly newer than `now − window`, as in Kubernetes.
 */
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';

export interface ScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export interface ScalingRules {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: 'Max' | 'Min' | 'Disabled';
  readonly policies?: readonly ScalingPolicy[];
}

/** The `behavior` of a HorizontalPodAutoscaler (autoscaling/v2), as the polis autoscaling policy carries it. */
export interface Behavior {
  readonly scaleUp?: ScalingRules;
  readonly scaleDown?: ScalingRules;
}

/** What the autoscaler remembers between decisions; keep it with the component and pass it back each time. */
export interface HpaHistory {
  /** Unstabilized recommendations, newest last. */
  readonly recommendations: readonly { readonly at: number; readonly replicas: number }[];
  /** Replicas added by past scale-ups. */
  readonly scaleUps: readonly { readonly at: number; readonly change: number }[];
  /** Replicas removed by past scale-downs (positive). */
  readonly scaleDowns: readonly { readonly at: number; readonly change: number }[];
}

export const EMPTY_HISTORY: HpaHistory = { recommendations: [], scaleUps: [], scaleDowns: [] };

type Resolved = Required<ScalingRules> & { readonly policies: readonly ScalingPolicy[] };

/** Kubernetes' defaults (autoscaling/v2): scale up by max(100%, 4 pods) per 15 s at once; scale down by 100% per 15 s after a 300 s window. */
export const DEFAULT_SCALE_UP: Resolved = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Percent', value: 100, periodSeconds: 15 },
    { type: 'Pods', value: 4, periodSeconds: 15 },
  ],
};

export const DEFAULT_SCALE_DOWN: Resolved = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/** Fills what a direction leaves out with Kubernetes' defaults; policies given replace the default list. */
export function resolveBehavior(behavior: Behavior | undefined): { up: Resolved; down: Resolved } {
  const fill = (given: ScalingRules | undefined, base: Resolved): Resolved => ({
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? base.stabilizationWindowSeconds,
    selectPolicy: given?.selectPolicy ?? base.selectPolicy,
    policies: given?.policies && given.policies.length > 0 ? given.policies : base.policies,
  });
  return { up: fill(behavior?.scaleUp, DEFAULT_SCALE_UP), down: fill(behavior?.scaleDown, DEFAULT_SCALE_DOWN) };
}

/**
 * Stabilizes a recommendation: the lowest recommendation of the scale-up window and the highest of the scale-down
 * window (both including this one) bound the result, which starts from `current`. So a scale-down happens only to
 * the highest recommendation of the last 300 s (by default), and a scale-up only to the lowest of its window.
 */
export function stabilize(
  now: number,
  current: number,
  recommended: number,
  history: HpaHistory,
  rules: { up: Resolved; down: Resolved },
): { replicas: number; reason?: Message } {
  const upCutoff = now - rules.up.stabilizationWindowSeconds * 1000;
  const downCutoff = now - rules.down.stabilizationWindowSeconds * 1000;
  let upLimit = recommended;
  let downLimit = recommended;
  for (const r of history.recommendations) {
    if (r.at > upCutoff) upLimit = Math.min(upLimit, r.replicas);
    if (r.at > downCutoff) downLimit = Math.max(downLimit, r.replicas);
  }
  const replicas = Math.min(Math.max(current, upLimit), downLimit);
  if (replicas === recommended) return { replicas };
  const reason =
    recommended >= current
      ? msg('HeldByScaleUpWindow', { replicas, seconds: rules.up.stabilizationWindowSeconds })
      : msg('HeldByScaleDownWindow', { replicas, seconds: rules.down.stabilizationWindowSeconds });
  return { replicas, reason };
}

/**
 * Applies the rate policies and the min/max bounds to a stabilized count. Each policy allows a change from the
 * replica count at the start of its period (current, less what was added, plus what was removed within the last
 * `periodSeconds`): Pods adds or removes `value` pods, Percent multiplies by 1 ± value/100 (rounded up when scaling
 * up, down when scaling down, as Kubernetes does). `Max` takes the policy allowing the largest change, `Min` the
 * smallest, `Disabled` allows none.
 */
export function limitRate(
  now: number,
  current: number,
  stabilized: number,
  min: number,
  max: number,
  history: HpaHistory,
  rules: { up: Resolved; down: Resolved },
): { replicas: number; reason?: Message } {
  if (stabilized > current) {
    const limit = directionLimit('up', now, current, history, rules.up);
    const allowed = Math.min(max, limit.replicas);
    if (stabilized <= allowed) return { replicas: stabilized };
    if (max <= limit.replicas) return { replicas: max, reason: msg('CappedAtMaxReplicas', { max }) };
    return { replicas: allowed, reason: limit.reason(allowed) };
  }
  if (stabilized < current) {
    const limit = directionLimit('down', now, current, history, rules.down);
    const allowed = Math.max(min, limit.replicas);
    if (stabilized >= allowed) return { replicas: stabilized };
    if (min >= limit.replicas) return { replicas: min, reason: msg('RaisedToMinReplicas', { min }) };
    return { replicas: allowed, reason: limit.reason(allowed) };
  }
  return { replicas: stabilized };
}

function directionLimit(
  direction: 'up' | 'down',
  now: number,
  current: number,
  history: HpaHistory,
  rules: Resolved,
): { replicas: number; reason: (to: number) => Message } {
  const up = direction === 'up';
  if (rules.selectPolicy === 'Disabled') {
    const disabled = up ? msg('ScaleUpDisabled', { current }) : msg('ScaleDownDisabled', { current });
    return { replicas: current, reason: () => disabled };
  }
  // Max means the largest change: the highest count when scaling up, the lowest when scaling down.
  const wantHigher = (direction === 'up') === (rules.selectPolicy === 'Max');
  let best: { replicas: number; policy: ScalingPolicy; changed: number } | undefined;
  for (const policy of rules.policies) {
    const added = changedWithin(history.scaleUps, now, policy.periodSeconds);
    const removed = changedWithin(history.scaleDowns, now, policy.periodSeconds);
    const start = current - added + removed;
    const replicas =
      direction === 'up'
        ? policy.type === 'Pods'
          ? start + policy.value
          : Math.ceil(start * (1 + policy.value / 100))
        : policy.type === 'Pods'
          ? start - policy.value
          : Math.trunc(start * (1 - policy.value / 100));
    const better = best === undefined || (wantHigher ? replicas > best.replicas : replicas < best.replicas);
    if (better) best = { replicas, policy, changed: direction === 'up' ? added : removed };
  }
  if (best === undefined) {
    const none = up ? msg('ScaleUpNoPolicy', { current }) : msg('ScaleDownNoPolicy', { current });
    return { replicas: current, reason: () => none };
  }
  const { policy, changed } = best;
  // Once a period's allowance is used up, hold at current until the old events age out.
  const replicas = direction === 'up' ? Math.max(current, best.replicas) : Math.min(current, best.replicas);
  const rate =
    policy.type === 'Pods'
      ? msg('RatePods', { value: policy.value, seconds: policy.periodSeconds })
      : msg('RatePercent', { value: policy.value, seconds: policy.periodSeconds });
  const reason = (to: number): Message =>
    changed > 0
      ? up
        ? msg('LimitedByScaleUpPolicyUsed', { to, rate, changed })
        : msg('LimitedByScaleDownPolicyUsed', { to, rate, changed })
      : up
        ? msg('LimitedByScaleUpPolicy', { to, rate })
        : msg('LimitedByScaleDownPolicy', { to, rate });
  return { replicas, reason };
}

function changedWithin(events: HpaHistory['scaleUps'], now: number, periodSeconds: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.at > cutoff) sum += e.change;
  return sum;
}

/** Adds this decision's recommendation and drops those no window can see any more. */
export function withRecommendation(
  history: HpaHistory,
  now: number,
  replicas: number,
  rules: { up: Resolved; down: Resolved },
): HpaHistory {
  const cutoff = now - Math.max(rules.up.stabilizationWindowSeconds, rules.down.stabilizationWindowSeconds) * 1000;
  return {
    ...history,
    recommendations: [...history.recommendations.filter((r) => r.at > cutoff), { at: now, replicas }],
  };
}

/**
 * Records a scale from `from` to `to` replicas at `now` (nothing when they are equal) and drops events older than
 * the longest policy period of either direction. Call it only for a change that is applied.
 */
export function withScale(
  history: HpaHistory,
  now: number,
  from: number,
  to: number,
  rules: { up: Resolved; down: Resolved },
): HpaHistory {
  const longest = Math.max(0, ...[...rules.up.policies, ...rules.down.policies].map((p) => p.periodSeconds));
  const cutoff = now - longest * 1000;
  const keep = (events: HpaHistory['scaleUps']) => events.filter((e) => e.at > cutoff);
  return {
    recommendations: history.recommendations,
    scaleUps: [...keep(history.scaleUps), ...(to > from ? [{ at: now, change: to - from }] : [])],
    scaleDowns: [...keep(history.scaleDowns), ...(to < from ? [{ at: now, change: from - to }] : [])],
  };
}
