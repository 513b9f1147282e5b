import type { WorkloadPhase, WorkloadStatus } from '../clusters/driver.ts';
import type { ClusterContext } from './cluster-context.ts';
import type { SimPod } from './pod.ts';
import type { Workload } from './workload.ts';

/** Counts a replica-style workload reports (Deployment, StatefulSet, DaemonSet). */
export interface ReplicaCounts {
  readonly desired: number;
  readonly total: number;
  readonly ready: number;
  readonly updated: number;
  readonly available: number;
  readonly observed: boolean;
  /** Set when the rollout has stopped making progress (Progressing=False). */
  readonly stalled?: string;
}

interface Verdict {
  phase: WorkloadPhase;
  reason?: string;
  message?: string;
}

/**
 * The phase polis shows for a replica-style workload: Running when every desired replica is updated and ready;
 * Failed when none is ready and pods have been failing (CrashLoopBackOff, ImagePullBackOff, Unschedulable) for
 * longer than the grace period; Degraded when some are ready and others fail that long; Pending while no pod is
 * scheduled; otherwise Progressing.
 */
export function replicaVerdict(ctx: ClusterContext, w: Workload, c: ReplicaCounts): Verdict {
  if (!c.observed)
    return {
      phase: 'Progressing',
      reason: 'NotObserved',
      message: 'the controller has not acted on the latest generation yet',
    };
  if (c.ready >= c.desired && c.updated >= c.desired && c.total === c.desired) return { phase: 'Running' };
  const failing = longFailing(ctx, w.pods);
  if (failing !== undefined) return { phase: c.ready === 0 ? 'Failed' : 'Degraded', ...failing };
  if (c.stalled !== undefined) {
    return { phase: c.ready === 0 ? 'Failed' : 'Degraded', reason: 'ProgressDeadlineExceeded', message: c.stalled };
  }
  if (c.desired > 0 && w.pods.every((p) => p.node === undefined)) {
    const waiting = w.pods.find((p) => p.message !== undefined);
    return waiting === undefined
      ? { phase: 'Pending' }
      : { phase: 'Pending', reason: 'Unschedulable', message: waiting.message! };
  }
  return { phase: 'Progressing' };
}

/** The commonest reason among pods failing for longer than the grace period, with a message; undefined if none. */
export function longFailing(
  ctx: ClusterContext,
  pods: readonly SimPod[],
): { reason: string; message: string } | undefined {
  const now = ctx.now();
  const byReason = new Map<string, SimPod[]>();
  for (const p of pods) {
    if (!p.failing || now - p.since < ctx.timings.failureGraceMs) continue;
    const reason = p.reason!;
    const list = byReason.get(reason) ?? [];
    list.push(p);
    byReason.set(reason, list);
  }
  let best: [string, SimPod[]] | undefined;
  for (const entry of byReason) if (best === undefined || entry[1].length > best[1].length) best = entry;
  if (best === undefined) return undefined;
  const [reason, list] = best;
  const first = list[0]!;
  const detail =
    reason === 'Unschedulable'
      ? first.message!
      : `image ${first.template.images.join(', ')}, ${first.restarts} restarts`;
  return { reason, message: `${list.length} of ${pods.length} pods ${reason}: ${detail}` };
}

export function replicaStatus(w: Workload, c: ReplicaCounts, v: Verdict): WorkloadStatus {
  let unschedulable = 0;
  for (const p of w.pods) if (p.node === undefined && p.message !== undefined) unschedulable++;
  return {
    key: w.key,
    kind: w.kind,
    name: w.name,
    component: w.component,
    observed: c.observed,
    desiredReplicas: c.desired,
    readyReplicas: c.ready,
    updatedReplicas: c.updated,
    availableReplicas: c.available,
    phase: v.phase,
    ...(v.reason !== undefined ? { reason: v.reason } : {}),
    ...(v.message !== undefined ? { message: v.message } : {}),
    ...(unschedulable > 0 ? { unschedulableReplicas: unschedulable } : {}),
  };
}
