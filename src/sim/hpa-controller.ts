import { isObject } from './apply-merge.ts';
import type { ClusterContext } from './cluster-context.ts';
import { conditions, isoSeconds, type Condition } from './controller-support.ts';
import { podMetrics, sampleUsage, scrapeTarget, type Scrape, type UsageWindow } from './metrics-server.ts';
import type { StoredObject } from './object-store.ts';
import type { Workload } from './workload.ts';

type Json = Record<string, unknown>;

/**
 * What the HPA controller remembers between runs: recent recommendations, for stabilization; and metrics-server's
 * last two scrapes of its target (when the cloud models metrics-server: SimTimings.metricsResolutionMs).
 */
export interface HpaState {
  recommendations: { at: number; replicas: number }[];
  lastScaleTime: number | undefined;
  scrapes: Scrape[];
  usage: UsageWindow;
}

export function newHpaState(): HpaState {
  return { recommendations: [], lastScaleTime: undefined, scrapes: [], usage: { sum: 0, samples: 0 } };
}

/** The workload an HPA scales, when it exists. */
function targetOf(ctx: ClusterContext, hpa: StoredObject): Workload | undefined {
  const ref = ((hpa.obj.spec ?? {}) as Json).scaleTargetRef as Json | undefined;
  if (ref === undefined) return undefined;
  return ctx.workload(
    `${String(ref.apiVersion ?? 'apps/v1')}/${String(ref.kind)}/${hpa.namespace}/${String(ref.name)}`,
  );
}

/**
 * The kubelet and metrics-server for the HPA's target: the CPU counter integrates at every call and, when `scrape`,
 * metrics-server takes a scrape, kept with the one before it.
 */
export function observeHpaTarget(ctx: ClusterContext, hpa: StoredObject, state: HpaState, scrape: boolean): void {
  const target = targetOf(ctx, hpa);
  if (target === undefined) {
    state.scrapes = [];
    return;
  }
  sampleUsage(ctx, target, state.usage);
  if (scrape) state.scrapes = [...state.scrapes.slice(-1), scrapeTarget(ctx, target, state.usage)];
}

/**
 * One run of the HorizontalPodAutoscaler controller for one HPA, on CPU utilization (of requests). Kubernetes'
 * algorithm, simplified: the utilization comes from metrics-server's last two scrapes of the target (see
 * metrics-server.ts; with SimTimings.metricsResolutionMs 0, from the load model's present), and the replica
 * calculator's rules apply (see `recommend`: 10% tolerance, pods without a sample and not-ready pods); scale-up
 * limited to max(2×, +4) per run; scale-down stabilized over the window (300 s by default: the highest
 * recommendation in it wins); the result clamped to [minReplicas, maxReplicas].
 */
export function syncHpa(ctx: ClusterContext, hpa: StoredObject, state: HpaState): void {
  const spec = (hpa.obj.spec ?? {}) as Json;
  const now = ctx.now();
  const ref = (spec.scaleTargetRef ?? {}) as Json;
  const target = targetOf(ctx, hpa);
  const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
  const max = spec.maxReplicas as number;
  const percent = targetPercent(hpa, spec);
  const write = (extra: Json, conds: Condition[]) =>
    ctx.writeStatus(hpa, {
      observedGeneration: (hpa.obj.metadata as Json).generation,
      ...extra,
      ...(state.lastScaleTime !== undefined ? { lastScaleTime: isoSeconds(state.lastScaleTime) } : {}),
      conditions: conditions(hpa.status, conds, now),
    });
  if (target === undefined || (target.kind !== 'Deployment' && target.kind !== 'StatefulSet')) {
    write({ currentReplicas: 0, desiredReplicas: 0 }, [
      {
        type: 'AbleToScale',
        status: 'False',
        reason: 'FailedGetScale',
        message: `no scalable ${String(ref.kind)} "${String(ref.name)}"`,
      },
    ]);
    return;
  }
  const current = target.desiredReplicas;
  const replicas = target.pods.length;
  if (percent === undefined) {
    write({ currentReplicas: replicas, desiredReplicas: current }, [
      {
        type: 'AbleToScale',
        status: 'True',
        reason: 'SucceededGetScale',
        message: "the HPA controller was able to get the target's current scale",
      },
      {
        type: 'ScalingActive',
        status: 'False',
        reason: 'InvalidMetricSourceType',
        message: 'the simulated cloud scales on CPU utilization only',
      },
    ]);
    return;
  }
  if (current === 0) {
    write({ currentReplicas: replicas, desiredReplicas: 0 }, [
      {
        type: 'ScalingActive',
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      },
    ]);
    return;
  }
  const readyPods = target.pods.filter((p) => p.ready);
  const ready = readyPods.length;
  let sample: { utilization: number; withSample: number } | undefined;
  if (ctx.timings.metricsResolutionMs > 0) {
    const m = podMetrics(state.scrapes[0], state.scrapes[1]);
    const withSample = m === undefined ? 0 : readyPods.filter((p) => m.pods.has(p.name)).length;
    if (m !== undefined && withSample > 0) sample = { utilization: m.utilization, withSample };
  } else if (ready > 0) {
    const u = ctx.load.utilization(target.namespace, target.component, ctx.name);
    if (u !== undefined) sample = { utilization: u, withSample: ready };
  }
  const utilization = sample?.utilization;
  const recommendation =
    sample === undefined
      ? current
      : recommend(current, replicas, ready, sample.utilization, sample.withSample, percent);
  const behavior = (isObject(spec.behavior) ? spec.behavior : {}) as Json;
  const downWindow = windowMs(behavior.scaleDown, 300);
  const upWindow = windowMs(behavior.scaleUp, 0);
  state.recommendations.push({ at: now, replicas: recommendation });
  state.recommendations = state.recommendations.filter((r) => now - r.at <= Math.max(downWindow, upWindow));
  const up = Math.min(...state.recommendations.filter((r) => now - r.at <= upWindow).map((r) => r.replicas));
  const down = Math.max(...state.recommendations.filter((r) => now - r.at <= downWindow).map((r) => r.replicas));
  let desired = current < up ? up : current > down ? down : current;
  desired = Math.min(desired, Math.max(current * 2, current + 4));
  const limited = desired > max ? 'TooManyReplicas' : desired < min ? 'TooFewReplicas' : undefined;
  desired = Math.max(min, Math.min(max, desired));
  if (desired !== current) {
    const spec2 = { ...((target.stored.obj.spec ?? {}) as Json), replicas: desired };
    ctx.writeObject(target.stored, { ...target.stored.obj, spec: spec2 });
    ctx.requeue(target);
    state.lastScaleTime = now;
  }
  const averageUtilization = utilization === undefined ? undefined : Math.round(utilization * 100);
  const metric =
    averageUtilization === undefined
      ? {}
      : hpa.key.startsWith('autoscaling/v1/')
        ? { currentCPUUtilizationPercentage: averageUtilization }
        : { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization } } }] };
  write({ currentReplicas: replicas, desiredReplicas: desired, ...metric }, [
    {
      type: 'AbleToScale',
      status: 'True',
      reason: desired !== current ? 'SucceededRescale' : 'ReadyForNewScale',
      message:
        desired !== current
          ? `the HPA controller was able to update the target scale to ${desired}`
          : 'recommended size matches current size',
    },
    utilization === undefined
      ? {
          type: 'ScalingActive',
          status: 'False',
          reason: 'FailedGetResourceMetric',
          message: 'no ready pod has a CPU sample from the resource metrics API',
        }
      : {
          type: 'ScalingActive',
          status: 'True',
          reason: 'ValidMetricFound',
          message: `the HPA was able to compute the replica count from cpu resource utilization (percentage of request)`,
        },
    limited !== undefined
      ? {
          type: 'ScalingLimited',
          status: 'True',
          reason: limited,
          message: `the desired replica count is ${limited === 'TooManyReplicas' ? 'more' : 'less'} than the ${limited === 'TooManyReplicas' ? 'maximum' : 'minimum'} replica count`,
        }
      : {
          type: 'ScalingLimited',
          status: 'False',
          reason: 'DesiredWithinRange',
          message: 'the desired count is within the acceptable range',
        },
  ]);
}

/**
 * Kubernetes' replica calculator for CPU (replica_calculator.go GetResourceReplicas): ceil(pods with a sample ×
 * utilization / target), nothing within the 10% tolerance; otherwise a second pass in which ready pods without a
 * sample count at 0% on a scale-up and at max(100%, target) on a scale-down, and, on a scale-up, not-ready pods
 * count at 0%; that pass changes nothing if it lands within the tolerance or reverses the direction.
 */
function recommend(
  current: number,
  replicas: number,
  ready: number,
  utilization: number,
  withSample: number,
  percent: number,
): number {
  const tolerance = 0.1;
  const ratio = (utilization * 100) / percent;
  const missing = ready - withSample;
  const unready = replicas - ready;
  const rebalance = unready > 0 && ratio > 1;
  if (!rebalance && missing === 0) return Math.abs(ratio - 1) <= tolerance ? current : Math.ceil(ratio * withSample);
  let sum = utilization * 100 * withSample;
  let count = withSample + missing;
  if (missing > 0 && ratio < 1) sum += missing * Math.max(100, percent);
  if (rebalance) count += unready;
  const newRatio = sum / (count * percent);
  if (Math.abs(newRatio - 1) <= tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return current;
  const n = Math.ceil(newRatio * count);
  return (newRatio < 1 && n > current) || (newRatio > 1 && n < current) ? current : n;
}

/** The CPU utilization target in percent; undefined when the HPA names only metrics the sim does not model. */
function targetPercent(hpa: StoredObject, spec: Json): number | undefined {
  if (hpa.key.startsWith('autoscaling/v1/')) {
    return typeof spec.targetCPUUtilizationPercentage === 'number' ? spec.targetCPUUtilizationPercentage : 80;
  }
  const metrics = Array.isArray(spec.metrics) ? spec.metrics : [];
  if (metrics.length === 0) return 80;
  for (const m of metrics) {
    const resource = isObject(m) && isObject(m.resource) ? m.resource : undefined;
    const target = resource && isObject(resource.target) ? resource.target : undefined;
    if (isObject(m) && m.type === 'Resource' && resource?.name === 'cpu' && target?.type === 'Utilization') {
      return typeof target.averageUtilization === 'number' ? target.averageUtilization : 80;
    }
  }
  return undefined;
}

function windowMs(rules: unknown, fallbackSeconds: number): number {
  const s = isObject(rules) ? rules.stabilizationWindowSeconds : undefined;
  return (typeof s === 'number' ? s : fallbackSeconds) * 1000;
}
