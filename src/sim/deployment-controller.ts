import type { WorkloadStatus } from '../clusters/driver.ts';
import type { ClusterContext } from './cluster-context.ts';
import {
  conditions,
  currentTemplate,
  deletionOrder,
  intOrPercent,
  podName,
  type Condition,
} from './controller-support.ts';
import type { SimPod } from './pod.ts';
import { createPod, deletePod, requeueAt } from './pod-lifecycle.ts';
import { replicaStatus, replicaVerdict, type ReplicaCounts } from './workload-phase.ts';
import type { Workload } from './workload.ts';

type Json = Record<string, unknown>;

/**
 * A Deployment with its ReplicaSets folded in: pods carry the revision (template hash) they were made from. A
 * template change rolls out with maxSurge/maxUnavailable (25% each by default; Recreate removes the old pods
 * first); old pods go as new ones become available, in the ReplicaSet's deletion order.
 */
export function reconcileDeployment(ctx: ClusterContext, w: Workload): void {
  const tpl = currentTemplate(ctx, w);
  const desired = w.desiredReplicas;
  const { surge, unavailable, minReadyMs } = rollingParams(w, desired);
  const recreate = (w.spec.strategy as Json | undefined)?.type === 'Recreate';
  const available = (p: SimPod) => p.ready && ctx.now() - p.readyAt >= minReadyMs;
  let ops = 0;
  const create = (n: number) => {
    for (let i = 0; i < n; i++, ops++) createPod(ctx, w, tpl, podName(ctx, w.name, tpl.hash));
  };
  const remove = (pods: readonly SimPod[], n: number) => {
    for (const p of deletionOrder(pods).slice(0, Math.max(0, n))) {
      deletePod(ctx, p);
      ops++;
    }
  };
  // Pods go at once here (no graceful termination), so one pass can go on where the real controller would wait
  // for its next sync; repeat until a pass changes nothing.
  for (let round = 0; round < 100; round++) {
    const opsBefore = ops;
    const fresh = w.pods.filter((p) => p.template.hash === tpl.hash);
    const old = w.pods.filter((p) => p.template.hash !== tpl.hash);
    if (old.length === 0) {
      if (fresh.length < desired) create(desired - fresh.length);
      else remove(fresh, fresh.length - desired);
      break;
    }
    if (recreate) {
      remove(old, old.length);
      continue;
    }
    if (w.pods.length > desired + surge) remove(old, w.pods.length - desired - surge);
    if (fresh.length > desired) remove(fresh, fresh.length - desired);
    const nowFresh = w.pods.filter((p) => p.template.hash === tpl.hash).length;
    if (nowFresh < desired && w.pods.length < desired + surge) {
      create(Math.min(desired - nowFresh, desired + surge - w.pods.length));
    }
    // Scale the old revision down as far as availability allows (deployment controller's rolling logic).
    const minAvailable = desired - unavailable;
    const freshUnavailable = w.pods.filter((p) => p.template.hash === tpl.hash && !available(p)).length;
    const maxScaledDown = w.pods.length - minAvailable - freshUnavailable;
    if (maxScaledDown > 0) {
      // Old pods that are not available go first: removing them costs no availability.
      const unhealthy = w.pods.filter((p) => p.template.hash !== tpl.hash && !available(p));
      remove(unhealthy, Math.min(maxScaledDown, unhealthy.length));
      const availableNow = w.pods.filter(available).length;
      const oldLeft = w.pods.filter((p) => p.template.hash !== tpl.hash);
      remove(oldLeft, Math.min(availableNow - minAvailable, oldLeft.length));
    }
    if (ops === opsBefore) break;
  }
  w.observedGeneration = w.generation;
  if (minReadyMs > 0) {
    for (const p of w.pods) if (p.ready && !available(p)) requeueAt(ctx, w, p.readyAt + minReadyMs);
  }
  ctx.writeStatus(w.stored, deploymentStatus(ctx, w));
}

function rollingParams(w: Workload, desired: number) {
  const ru = ((w.spec.strategy as Json | undefined)?.rollingUpdate ?? {}) as Json;
  const surge = intOrPercent(ru.maxSurge, desired, '25%', true);
  let unavailable = intOrPercent(ru.maxUnavailable, desired, '25%', false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  const minReadySeconds = typeof w.spec.minReadySeconds === 'number' ? w.spec.minReadySeconds : 0;
  return { surge, unavailable, minReadyMs: minReadySeconds * 1000 };
}

function counts(ctx: ClusterContext, w: Workload): ReplicaCounts & { stalled?: string } {
  const hash = w.template?.hash;
  const { minReadyMs } = rollingParams(w, w.desiredReplicas);
  let ready = 0;
  let updated = 0;
  let available = 0;
  for (const p of w.pods) {
    if (p.template.hash === hash) updated++;
    if (p.ready) {
      ready++;
      if (ctx.now() - p.readyAt >= minReadyMs) available++;
    }
  }
  const stalled = (w.stored.status?.conditions as Json[] | undefined)?.find(
    (c) => c.type === 'Progressing' && c.status === 'False',
  );
  return {
    desired: w.desiredReplicas,
    total: w.pods.length,
    ready,
    updated,
    available,
    observed: w.observedGeneration === w.generation,
    ...(stalled !== undefined ? { stalled: String(stalled.message) } : {}),
  };
}

function deploymentStatus(ctx: ClusterContext, w: Workload): Json {
  const c = counts(ctx, w);
  const { unavailable } = rollingParams(w, c.desired);
  const complete = c.updated === c.desired && c.total === c.desired && c.available === c.desired;
  const mark = `${c.updated}/${c.ready}/${c.available}/${c.total}/${w.template?.hash}`;
  if (mark !== w.progressMark) {
    w.progressMark = mark;
    w.lastProgressAt = ctx.now();
  }
  const deadlineSeconds = typeof w.spec.progressDeadlineSeconds === 'number' ? w.spec.progressDeadlineSeconds : 600;
  const deadline = w.lastProgressAt + deadlineSeconds * 1000;
  if (!complete && deadline > ctx.now() && w.deadlineTimer !== deadline) {
    // One live timer per workload: a later progress makes an earlier deadline moot.
    w.deadlineTimer = deadline;
    ctx.at(deadline, () => {
      if (w.deadlineTimer === deadline && ctx.workload(w.key) === w) ctx.requeue(w);
    });
  }
  const progressing: Condition = complete
    ? {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${w.name}-${w.template?.hash}" has successfully progressed.`,
      }
    : ctx.now() >= deadline
      ? {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${w.name}-${w.template?.hash}" has timed out progressing.`,
        }
      : {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${w.name}-${w.template?.hash}" is progressing.`,
        };
  const availableCondition: Condition =
    c.available >= c.desired - unavailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        };
  return {
    observedGeneration: w.observedGeneration,
    replicas: c.total,
    updatedReplicas: c.updated,
    readyReplicas: c.ready,
    availableReplicas: c.available,
    unavailableReplicas: Math.max(0, c.desired - c.available),
    conditions: conditions(w.stored.status, [availableCondition, progressing], ctx.now()),
  };
}

export function reportDeployment(ctx: ClusterContext, w: Workload): WorkloadStatus {
  const c = counts(ctx, w);
  return replicaStatus(w, c, replicaVerdict(ctx, w, c));
}
