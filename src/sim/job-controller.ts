import type { RunReport, WorkloadStatus } from '../clusters/driver.ts';
import type { ClusterContext } from './cluster-context.ts';
import { conditions, currentTemplate, isoSeconds, podName, type Condition } from './controller-support.ts';
import { createPod, deletePod, requeueAt } from './pod-lifecycle.ts';
import { backoff } from './timings.ts';
import { longFailing } from './workload-phase.ts';
import type { JobState, Workload } from './workload.ts';

/**
 * A Job: runs pods (parallelism at a time) until `completions` have succeeded, or gives up once more than
 * `backoffLimit` have failed; a new pod after a failure waits the doubling back-off. Finished pods are counted and
 * forgotten, so a Job's record stays small however many pods it ran.
 */
export function reconcileJob(ctx: ClusterContext, w: Workload): void {
  const s = jobState(w);
  s.startTime ??= ctx.now();
  const completions = numberOr(w.spec.completions, 1);
  const parallelism = numberOr(w.spec.parallelism, 1);
  const backoffLimit = numberOr(w.spec.backoffLimit, 6);
  const finishedBefore = s.finished;
  for (const p of [...w.pods]) {
    if (p.phase !== 'Succeeded' && p.phase !== 'Failed') continue;
    if (p.phase === 'Succeeded') s.succeeded++;
    else {
      s.failed++;
      s.nextPodAt = ctx.now() + backoff(ctx.timings, s.failed);
    }
    deletePod(ctx, p);
  }
  if (s.finished === undefined) {
    if (s.failed > backoffLimit) s.finished = 'Failed';
    else if (s.succeeded >= completions) {
      s.finished = 'Complete';
      s.completionTime = ctx.now();
    }
  }
  if (s.finished !== undefined) {
    for (const p of [...w.pods]) deletePod(ctx, p);
    if (s.finishedAt === undefined) {
      s.finishedAt = ctx.now();
      cleanUpAfterTtl(ctx, w);
    }
  } else if (w.spec.suspend !== true) {
    const want = Math.min(parallelism, completions - s.succeeded) - w.pods.length;
    if (want > 0 && ctx.now() >= s.nextPodAt) {
      const tpl = currentTemplate(ctx, w);
      for (let i = 0; i < want; i++) createPod(ctx, w, tpl, podName(ctx, w.name));
    } else if (want > 0) requeueAt(ctx, w, s.nextPodAt);
  }
  w.observedGeneration = w.generation;
  ctx.writeStatus(w.stored, jobStatus(ctx, w, s, backoffLimit));
  if (s.finished !== finishedBefore && w.parent !== undefined) ctx.requeue(w.parent);
}

/** A finished Job with `ttlSecondsAfterFinished` is deleted that long after it finished (the TTL controller). */
function cleanUpAfterTtl(ctx: ClusterContext, w: Workload): void {
  const ttl = w.spec.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number') return;
  ctx.at(ctx.now() + ttl * 1000, () => {
    if (ctx.workload(w.key) === w) ctx.deleteObject(w.key);
  });
}

function jobStatus(ctx: ClusterContext, w: Workload, s: JobState, backoffLimit: number) {
  const next: Condition[] = [];
  if (s.finished === 'Complete') {
    next.push({
      type: 'Complete',
      status: 'True',
      reason: 'Completed',
      message: 'Reached expected number of succeeded pods',
    });
  } else if (s.finished === 'Failed') {
    next.push({
      type: 'Failed',
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: `Job has reached the specified backoff limit (${backoffLimit})`,
    });
  }
  return {
    active: w.pods.length,
    ready: w.pods.filter((p) => p.phase === 'Running').length,
    succeeded: s.succeeded,
    failed: s.failed,
    ...(s.startTime !== undefined ? { startTime: isoSeconds(s.startTime) } : {}),
    ...(s.completionTime !== undefined ? { completionTime: isoSeconds(s.completionTime) } : {}),
    ...(next.length > 0 ? { conditions: conditions(w.stored.status, next, ctx.now()) } : {}),
  };
}

export function reportJob(ctx: ClusterContext, w: Workload): WorkloadStatus {
  const s = jobState(w);
  const running = w.pods.filter((p) => p.phase === 'Running').length;
  const base = {
    key: w.key,
    kind: w.kind,
    name: w.name,
    component: w.component,
    observed: w.observedGeneration === w.generation,
    desiredReplicas: numberOr(w.spec.completions, 1),
    readyReplicas: running,
    updatedReplicas: w.pods.length,
    availableReplicas: s.succeeded,
    // A Job its CronJob created is one of that CronJob's runs: the CronJob reports them.
    ...(w.parent === undefined ? { run: jobRun(s) } : {}),
  };
  if (s.finished === 'Complete') return { ...base, phase: 'Succeeded' };
  if (s.finished === 'Failed') {
    return { ...base, phase: 'Failed', reason: 'BackoffLimitExceeded', message: `${s.failed} pods failed` };
  }
  const failing = longFailing(ctx, w.pods);
  if (failing !== undefined) return { ...base, phase: running === 0 ? 'Failed' : 'Degraded', ...failing };
  if (w.pods.length > 0 && w.pods.every((p) => p.node === undefined)) {
    const waiting = w.pods.find((p) => p.message !== undefined);
    return waiting
      ? { ...base, phase: 'Pending', reason: 'Unschedulable', message: waiting.message! }
      : { ...base, phase: 'Pending' };
  }
  return { ...base, phase: running > 0 ? 'Running' : 'Progressing' };
}

function jobRun(s: JobState): RunReport {
  return {
    active: s.finished === undefined && s.startTime !== undefined ? 1 : 0,
    ...(s.finished ? { lastResult: s.finished === 'Complete' ? ('Succeeded' as const) : ('Failed' as const) } : {}),
    ...(s.startTime !== undefined ? { lastScheduleTime: isoSeconds(s.startTime) } : {}),
    ...(s.finished === 'Complete' && s.completionTime !== undefined
      ? { lastSuccessfulTime: isoSeconds(s.completionTime) }
      : {}),
  };
}

export function jobState(w: Workload): JobState {
  return (w.job ??= {
    succeeded: 0,
    failed: 0,
    startTime: undefined,
    completionTime: undefined,
    finishedAt: undefined,
    finished: undefined,
    nextPodAt: 0,
  });
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}
