import { isObject } from './apply-merge.ts';
import type { ClusterContext } from './cluster-context.ts';
import { conditions, isoSeconds, type Condition } from './controller-support.ts';
import type { StoredObject } from './object-store.ts';

type Json = Record<string, unknown>;

/** What the HPA controller remembers between runs: recent recommendations, for stabilization. */
export interface HpaState {
  recommendations: { at: number; replicas: number }[];
  lastScaleTime: number | undefined;
}

export function newHpaState(): HpaState {
  return { recommendations: [], lastScaleTime: undefined };
}

/**
 * One run of the HorizontalPodAutoscaler controller for one HPA, on CPU utilization (of requests) as the load
 * model reports it for the target's component in this cluster. Kubernetes' algorithm, simplified:
 * desired = ceil(ready × utilization / target), skipped within a 10% tolerance; when scaling up, not-ready pods
 * count as idle; scale-up limited to max(2×, +4) per run; scale-down stabilized over the window (300 s by default:
 * the highest recommendation in it wins); the result clamped to [minReplicas, maxReplicas].
 */
export function syncHpa(ctx: ClusterContext, hpa: StoredObject, state: HpaState): void {
  const spec = (hpa.obj.spec ?? {}) as Json;
  const now = ctx.now();
  const ref = (spec.scaleTargetRef ?? {}) as Json;
  const targetKey = `${String(ref.apiVersion ?? 'apps/v1')}/${String(ref.kind)}/${hpa.namespace}/${String(ref.name)}`;
  const target = ctx.workload(targetKey);
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
  const ready = target.pods.filter((p) => p.ready).length;
  const utilization = ready > 0 ? ctx.load.utilization(target.namespace, target.component, ctx.name) : undefined;
  let recommendation = current;
  if (utilization !== undefined) {
    let ratio = (utilization * 100) / percent;
    let count = ready;
    const unready = replicas - ready;
    if (ratio > 1 && unready > 0) {
      count = ready + unready;
      ratio = (utilization * ready * 100) / (percent * count);
    }
    if (Math.abs(ratio - 1) > 0.1) recommendation = Math.ceil(ratio * count);
  }
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
          message: 'no ready pods report CPU',
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
