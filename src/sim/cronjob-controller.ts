import type { WorkloadStatus } from '../clusters/driver.ts';
import type { Manifest } from '../kernel/manifest.ts';
import { isObject } from './apply-merge.ts';
import type { ClusterContext } from './cluster-context.ts';
import { isoSeconds } from './controller-support.ts';
import { nextFire, parseCron } from '../kernel/cron.ts';
import { jobState } from './job-controller.ts';
import type { CronState, Workload } from './workload.ts';

type Json = Record<string, unknown>;

/**
 * A CronJob: at each fire time of its schedule it creates a Job from its template (named after the scheduled
 * minute, as Kubernetes does), honouring `suspend` and `concurrencyPolicy` (Allow, Forbid, Replace), and keeps the
 * newest `successfulJobsHistoryLimit` (3) and `failedJobsHistoryLimit` (1) finished Jobs.
 */
export function reconcileCronJob(ctx: ClusterContext, w: Workload): void {
  const s = cronState(w);
  s.jobs = s.jobs.filter((k) => ctx.workload(k) !== undefined);
  if (s.timerGeneration !== w.generation || s.nextAt === undefined) {
    s.timerGeneration = w.generation;
    arm(ctx, w, s, ctx.now());
  }
  pruneHistory(ctx, w, s);
  w.observedGeneration = w.generation;
  ctx.writeStatus(w.stored, {
    active: active(ctx, s).map((j) => ({ apiVersion: 'batch/v1', kind: 'Job', namespace: j.namespace, name: j.name })),
    ...(s.lastScheduleTime !== undefined ? { lastScheduleTime: isoSeconds(s.lastScheduleTime) } : {}),
    ...(s.lastSuccessfulTime !== undefined ? { lastSuccessfulTime: isoSeconds(s.lastSuccessfulTime) } : {}),
  });
}

/** Sets the timer for the first fire time after `from`. */
function arm(ctx: ClusterContext, w: Workload, s: CronState, from: number): void {
  const schedule = parseCron(String(w.spec.schedule));
  const timeZone = typeof w.spec.timeZone === 'string' ? w.spec.timeZone : undefined;
  const at = nextFire(schedule, from, timeZone);
  const timer = ++s.timer;
  s.nextAt = at;
  if (at === undefined) return;
  ctx.at(at, () => {
    if (s.timer !== timer || ctx.workload(w.key) !== w) return;
    fire(ctx, w, s, at);
    arm(ctx, w, s, at);
    ctx.requeue(w);
  });
}

function fire(ctx: ClusterContext, w: Workload, s: CronState, at: number): void {
  // A cluster that is down has no control plane to create Jobs with (a partitioned one still runs them).
  if (w.spec.suspend === true || ctx.down) return;
  const running = active(ctx, s);
  const policy = w.spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && running.length > 0) return;
  if (policy === 'Replace') for (const j of running) ctx.deleteObject(j.key);
  const template = (isObject(w.spec.jobTemplate) ? w.spec.jobTemplate : {}) as Json;
  const meta = (isObject(template.metadata) ? template.metadata : {}) as Json;
  const name = `${w.name}-${Math.floor(at / 60_000)}`;
  const job: Manifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: w.namespace,
      ...(meta.labels !== undefined ? { labels: meta.labels as Record<string, string> } : {}),
      ...(meta.annotations !== undefined ? { annotations: meta.annotations as Record<string, string> } : {}),
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: w.name,
          uid: (w.stored.obj.metadata as Json).uid,
          controller: true,
        },
      ],
    },
    spec: template.spec ?? {},
  };
  const stored = ctx.createObject(job);
  const child = ctx.workload(stored.key);
  if (child !== undefined) child.parent = w;
  s.jobs.push(stored.key);
  s.lastScheduleTime = at;
}

function active(ctx: ClusterContext, s: CronState): Workload[] {
  return s.jobs
    .map((k) => ctx.workload(k))
    .filter((j): j is Workload => j !== undefined && jobState(j).finished === undefined);
}

function pruneHistory(ctx: ClusterContext, w: Workload, s: CronState): void {
  const keep = {
    Complete: limit(w.spec.successfulJobsHistoryLimit, 3),
    Failed: limit(w.spec.failedJobsHistoryLimit, 1),
  };
  const seen = { Complete: 0, Failed: 0 };
  for (const key of [...s.jobs].reverse()) {
    const job = ctx.workload(key);
    const finished = job && jobState(job).finished;
    if (finished === undefined) continue;
    if (finished === 'Complete')
      s.lastSuccessfulTime = Math.max(s.lastSuccessfulTime ?? 0, jobState(job!).completionTime ?? 0);
    if (++seen[finished] > keep[finished]) {
      ctx.deleteObject(key);
      s.jobs.splice(s.jobs.indexOf(key), 1);
    }
  }
}

export function reportCronJob(ctx: ClusterContext, w: Workload): WorkloadStatus {
  const s = cronState(w);
  const running = active(ctx, s);
  const last = [...s.jobs]
    .reverse()
    .map((k) => ctx.workload(k))
    .find((j) => j !== undefined && jobState(j).finished);
  const base = {
    key: w.key,
    kind: w.kind,
    name: w.name,
    component: w.component,
    observed: w.observedGeneration === w.generation,
    desiredReplicas: 0,
    readyReplicas: running.length,
    updatedReplicas: running.length,
    availableReplicas: running.length,
    run: {
      active: running.length,
      ...(last !== undefined
        ? { lastResult: jobState(last).finished === 'Complete' ? ('Succeeded' as const) : ('Failed' as const) }
        : {}),
      ...(s.lastScheduleTime !== undefined ? { lastScheduleTime: isoSeconds(s.lastScheduleTime) } : {}),
      ...(s.lastSuccessfulTime !== undefined ? { lastSuccessfulTime: isoSeconds(s.lastSuccessfulTime) } : {}),
      ...(s.nextAt !== undefined && w.spec.suspend !== true ? { nextScheduleTime: isoSeconds(s.nextAt) } : {}),
    },
  };
  if (last !== undefined && jobState(last).finished === 'Failed') {
    return { ...base, phase: 'Degraded', reason: 'JobFailed', message: `the last job, ${last.name}, failed` };
  }
  return { ...base, phase: 'Running' };
}

function cronState(w: Workload): CronState {
  return (w.cron ??= {
    nextAt: undefined,
    timer: 0,
    timerGeneration: -1,
    lastScheduleTime: undefined,
    lastSuccessfulTime: undefined,
    jobs: [],
  });
}

function limit(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}
