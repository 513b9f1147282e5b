/**
 * One metric's replica proposal, as Kubernetes' replica calculator makes it (pkg/controller/podautoscaler,
 * replica_calculator.go): desired = ceil(pods × current / target), nothing within the tolerance, and a second,
 * conservative pass when pods lack a sample or are not yet ready.
 */

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

/** A metric's proposal: a replica count, or why there is none. */
export type MetricProposal =
  | { readonly ok: true; readonly name: string; readonly replicas: number; readonly reason: string }
  | { readonly ok: false; readonly name: string; readonly reason: string };

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
  const u = metric.unit ?? '';
  if (value === undefined || !Number.isFinite(value)) return { ok: false, name, reason: `${name} is unavailable` };
  if (!(target > 0)) return { ok: false, name, reason: `${name} has no positive target` };
  const observed = `${name} ${num(value)}${u} of target ${num(target)}${u}`;
  const ratio = value / target;
  const stay = (why: string): MetricProposal => ({
    ok: true,
    name,
    replicas: current,
    reason: `${why} → stays at ${plural(current, 'replica')}`,
  });
  const within = (r: number) => Math.abs(r - 1) <= tolerance;
  const tol = `the ${num(tolerance * 100)}% tolerance`;

  if (metric.scope === 'object') {
    if (current === 0)
      return {
        ok: true,
        name,
        replicas: Math.ceil(ratio),
        reason: `${observed} → ${plural(Math.ceil(ratio), 'replica')}`,
      };
    if (within(ratio)) return stay(`${observed} is within ${tol}`);
    if (ready <= 0) return { ok: false, name, reason: `${observed}, but no pod is ready to scale from` };
    const replicas = Math.ceil((ready * value) / target);
    return { ok: true, name, replicas, reason: `${observed} → ${plural(replicas, 'replica')}` };
  }

  const reporting = Math.max(0, Math.min(ready, metric.reporting ?? ready));
  if (reporting === 0) return { ok: false, name, reason: `${name}: no ready pod reported a sample` };
  const missing = ready - reporting;
  const unready = Math.max(0, current - ready);
  const rebalanceUnready = unready > 0 && ratio > 1;
  if (ratio === 1) return stay(`${observed} is on target`);
  if (!rebalanceUnready && missing === 0) {
    if (within(ratio)) return stay(`${observed} is within ${tol}`);
    const replicas = Math.ceil((reporting * value) / target);
    return { ok: true, name, replicas, reason: `${observed} → ${plural(replicas, 'replica')}` };
  }

  // The conservative second pass.
  let sum = reporting * value;
  let count = reporting;
  const counted: string[] = [];
  if (missing > 0) {
    count += missing;
    if (ratio < 1) sum += missing * target;
    counted.push(`${plural(missing, 'pod')} without a sample at ${ratio < 1 ? '100% of target' : `0${u}`}`);
  }
  if (rebalanceUnready) {
    count += unready;
    counted.push(`${plural(unready, 'not-yet-ready pod')} at 0${u}`);
  }
  const newRatio = sum / (count * target);
  const recomputed = `${observed} on ${reporting} of ${current} pods; counting ${counted.join(' and ')} gives ${num(newRatio * target)}${u}`;
  if (within(newRatio)) return stay(`${recomputed}, within ${tol}`);
  if ((ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1))
    return stay(`${recomputed}, which reverses the direction`);
  const replicas = Math.ceil(sum / target);
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) {
    return stay(`${recomputed}, but ${replicas} would reverse the direction`);
  }
  return { ok: true, name, replicas, reason: `${recomputed} → ${plural(replicas, 'replica')}` };
}

/** A number for a sentence: at most three significant digits, no exponent for everyday sizes. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(3)));
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
