import { labelSelectorMatches } from '../../../kernel/manifest.ts';
import type { RunReport, WorkloadPhase, WorkloadStatus } from '../../driver.ts';
import { nextFire, parseCron } from '../../../kernel/cron.ts';
import { OWNER_LABELS } from '../../driver.ts';
import { manifestKey, type Manifest } from '../../../kernel/manifest.ts';
import type { PodSummary } from './pod-summary.ts';

type Json = Record<string, unknown>;

/** The workload kinds polis reports on. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
]);

/** What a workload's status needs besides the object: its pods, the Jobs (for a CronJob), and the time. */
export interface WorkloadContext {
  /** Pods in the workload's namespace. */
  readonly pods: readonly PodSummary[];
  /** Jobs in the workload's namespace (a CronJob's history). */
  readonly jobs: readonly Json[];
  readonly now: number;
  /** How long pods may be failing before the workload is Failed or Degraded (the simulated cloud's 30 s). */
  readonly failureGraceMs: number;
}

interface Counts {
  readonly desired: number;
  readonly total: number;
  readonly ready: number;
  readonly updated: number;
  readonly available: number;
  readonly observed: boolean;
  readonly stalled?: string;
  /** The controller could not create pods (ReplicaFailure/FailedCreate: a ResourceQuota, a terminating namespace). */
  readonly failedCreate?: string;
}

interface Verdict {
  phase: WorkloadPhase;
  reason?: string;
  message?: string;
}

/**
 * The status polis shows for one workload, from the object's status and its pods, with the phases the simulated
 * cloud gives (src/sim/workload-phase.ts, job-controller.ts, cronjob-controller.ts): the same rules, read from
 * what a real cluster reports instead of the sim's own pods.
 */
export function workloadStatus(obj: Json, ctx: WorkloadContext): WorkloadStatus | undefined {
  const kind = String(obj.kind);
  if (kind === 'Job') return jobStatus(obj, ctx);
  if (kind === 'CronJob') return cronJobStatus(obj, ctx);
  if (kind !== 'Deployment' && kind !== 'StatefulSet' && kind !== 'DaemonSet') return undefined;
  const c = replicaCounts(obj);
  const pods = podsOf(obj, ctx.pods).filter((p) => !p.terminating && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  return report(obj, c, replicaVerdict(c, pods, ctx), pods);
}

function replicaCounts(obj: Json): Counts {
  const spec = (obj.spec ?? {}) as Json;
  const status = (obj.status ?? {}) as Json;
  const meta = obj.metadata as Json;
  const observed = num(status.observedGeneration, 0) >= num(meta.generation, 1);
  if (obj.kind === 'DaemonSet') {
    return {
      desired: num(status.desiredNumberScheduled, 0),
      total: num(status.currentNumberScheduled, 0),
      ready: num(status.numberReady, 0),
      updated: num(status.updatedNumberScheduled, 0),
      available: num(status.numberAvailable, 0),
      observed,
    };
  }
  const ready = num(status.readyReplicas, 0);
  const conditions = (status.conditions as Json[] | undefined) ?? [];
  const stalled = conditions.find((c) => c.type === 'Progressing' && c.status === 'False');
  const failure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  return {
    desired: num(spec.replicas, 1),
    total: num(status.replicas, 0),
    ready,
    updated: num(status.updatedReplicas, 0),
    available: num(status.availableReplicas, obj.kind === 'StatefulSet' ? ready : 0),
    observed,
    ...(stalled !== undefined ? { stalled: String(stalled.message ?? stalled.reason) } : {}),
    ...(failure !== undefined ? { failedCreate: String(failure.message ?? failure.reason) } : {}),
  };
}

/** replicaVerdict of src/sim/workload-phase.ts, over real pods. */
function replicaVerdict(c: Counts, pods: readonly PodSummary[], ctx: WorkloadContext): Verdict {
  if (!c.observed)
    return {
      phase: 'Progressing',
      reason: 'NotObserved',
      message: 'the controller has not acted on the latest generation yet',
    };
  if (c.ready >= c.desired && c.updated >= c.desired && c.total === c.desired) return { phase: 'Running' };
  const failing = longFailing(pods, ctx);
  if (failing !== undefined) return { phase: c.ready === 0 ? 'Failed' : 'Degraded', ...failing };
  // Pods the cluster refuses to create (exceeded quota …) never come: the reason is shown, not Progressing.
  if (c.failedCreate !== undefined)
    return { phase: c.ready === 0 ? 'Pending' : 'Degraded', reason: 'FailedCreate', message: c.failedCreate };
  if (c.stalled !== undefined) {
    return { phase: c.ready === 0 ? 'Failed' : 'Degraded', reason: 'ProgressDeadlineExceeded', message: c.stalled };
  }
  if (c.desired > 0 && pods.every((p) => p.node === undefined)) {
    const waiting = pods.find((p) => p.failure?.message !== undefined);
    return waiting === undefined
      ? { phase: 'Pending' }
      : { phase: 'Pending', reason: 'Unschedulable', message: waiting.failure!.message! };
  }
  return { phase: 'Progressing' };
}

/** The commonest reason among pods failing for longer than the grace period, with a message; undefined if none. */
function longFailing(
  pods: readonly PodSummary[],
  ctx: WorkloadContext,
): { reason: string; message: string } | undefined {
  const byReason = new Map<string, PodSummary[]>();
  for (const p of pods) {
    if (!p.failure || ctx.now - p.failure.since < ctx.failureGraceMs) continue;
    const list = byReason.get(p.failure.reason) ?? [];
    list.push(p);
    byReason.set(p.failure.reason, list);
  }
  let best: [string, PodSummary[]] | undefined;
  for (const entry of byReason) if (best === undefined || entry[1].length > best[1].length) best = entry;
  if (best === undefined) return undefined;
  const [reason, list] = best;
  const first = list[0]!;
  const detail =
    reason === 'Unschedulable'
      ? (first.failure!.message ?? 'no node fits')
      : `image ${first.images.join(', ')}, ${first.restarts} restarts`;
  return { reason, message: `${list.length} of ${pods.length} pods ${reason}: ${detail}` };
}

/** reportJob of src/sim/job-controller.ts: finished Jobs by their conditions, running ones by their pods. */
function jobStatus(obj: Json, ctx: WorkloadContext): WorkloadStatus {
  const spec = (obj.spec ?? {}) as Json;
  const status = (obj.status ?? {}) as Json;
  const pods = podsOf(obj, ctx.pods).filter((p) => !p.terminating && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  const running = pods.filter((p) => p.phase === 'Running').length;
  const meta = obj.metadata as Json;
  const base = {
    ...identity(obj),
    observed: num(status.observedGeneration, num(meta.generation, 1)) >= num(meta.generation, 1),
    desiredReplicas: num(spec.completions, 1),
    readyReplicas: running,
    updatedReplicas: pods.length,
    availableReplicas: num(status.succeeded, 0),
    // A Job its CronJob created is one of that CronJob's runs: the CronJob reports them.
    ...(ownedByCronJob(obj) ? {} : { run: jobRun(obj) }),
  };
  const finished = jobFinished(obj);
  if (finished === 'Complete') return { ...base, phase: 'Succeeded' };
  if (finished === 'Failed') {
    const failed = jobCondition(obj, 'Failed');
    return {
      ...base,
      phase: 'Failed',
      reason: String(failed?.reason ?? 'BackoffLimitExceeded'),
      message: `${num(status.failed, 0)} pods failed`,
    };
  }
  const failing = longFailing(pods, ctx);
  if (failing !== undefined) return { ...base, phase: running === 0 ? 'Failed' : 'Degraded', ...failing };
  if (pods.length > 0 && pods.every((p) => p.node === undefined)) {
    const waiting = pods.find((p) => p.failure?.message !== undefined);
    return waiting
      ? { ...base, phase: 'Pending', reason: 'Unschedulable', message: waiting.failure!.message! }
      : { ...base, phase: 'Pending' };
  }
  return { ...base, phase: running > 0 ? 'Running' : 'Progressing' };
}

/** reportCronJob of src/sim/cronjob-controller.ts: Degraded when its last finished Job failed. */
function cronJobStatus(obj: Json, ctx: WorkloadContext): WorkloadStatus {
  const meta = obj.metadata as Json;
  const status = (obj.status ?? {}) as Json;
  const uid = meta.uid;
  const owned = ctx.jobs
    .filter((j) => (((j.metadata as Json).ownerReferences as Json[] | undefined) ?? []).some((o) => o.uid === uid))
    .sort((a, b) => created(a) - created(b) || String(name(a)).localeCompare(String(name(b))));
  const running = owned.length > 0 ? owned.filter((j) => jobFinished(j) === undefined).length : activeCount(status);
  const last = [...owned].reverse().find((j) => jobFinished(j) !== undefined);
  const base = {
    ...identity(obj),
    observed: true,
    desiredReplicas: 0,
    readyReplicas: running,
    updatedReplicas: running,
    availableReplicas: running,
    run: cronRun(obj, running, last, ctx.now),
  };
  if (last !== undefined && jobFinished(last) === 'Failed') {
    return { ...base, phase: 'Degraded', reason: 'JobFailed', message: `the last job, ${name(last)}, failed` };
  }
  return { ...base, phase: 'Running' };
}

function ownedByCronJob(job: Json): boolean {
  return ((((job.metadata as Json).ownerReferences as Json[] | undefined) ?? []) as Json[]).some(
    (o) => o.kind === 'CronJob',
  );
}

function jobRun(job: Json): RunReport {
  const status = (job.status ?? {}) as Json;
  const finished = jobFinished(job);
  return {
    active: finished === undefined && typeof status.startTime === 'string' ? 1 : 0,
    ...(finished ? { lastResult: finished === 'Complete' ? ('Succeeded' as const) : ('Failed' as const) } : {}),
    ...(typeof status.startTime === 'string' ? { lastScheduleTime: status.startTime } : {}),
    ...(finished === 'Complete' && typeof status.completionTime === 'string'
      ? { lastSuccessfulTime: status.completionTime }
      : {}),
  };
}

/** A CronJob's runs: from its status and its Jobs; the next run from its schedule (none while suspended). */
function cronRun(obj: Json, active: number, last: Json | undefined, now: number): RunReport {
  const spec = (obj.spec ?? {}) as Json;
  const status = (obj.status ?? {}) as Json;
  let next: number | undefined;
  try {
    if (spec.suspend !== true && typeof spec.schedule === 'string')
      next = nextFire(parseCron(spec.schedule), now, typeof spec.timeZone === 'string' ? spec.timeZone : undefined);
  } catch {
    next = undefined; // a schedule the cluster accepted but polis cannot read: no next run shown
  }
  const result = last === undefined ? undefined : jobFinished(last);
  return {
    active,
    ...(result ? { lastResult: result === 'Complete' ? ('Succeeded' as const) : ('Failed' as const) } : {}),
    ...(typeof status.lastScheduleTime === 'string' ? { lastScheduleTime: status.lastScheduleTime } : {}),
    ...(typeof status.lastSuccessfulTime === 'string' ? { lastSuccessfulTime: status.lastSuccessfulTime } : {}),
    ...(next !== undefined ? { nextScheduleTime: new Date(next).toISOString() } : {}),
  };
}

function report(obj: Json, c: Counts, v: Verdict, pods: readonly PodSummary[]): WorkloadStatus {
  let unschedulable = 0;
  for (const p of pods)
    if (p.node === undefined && !p.terminating && p.failure?.reason === 'Unschedulable') unschedulable++;
  return {
    ...identity(obj),
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

function identity(obj: Json): Pick<WorkloadStatus, 'key' | 'kind' | 'name' | 'component'> {
  return {
    key: manifestKey(obj as unknown as Manifest),
    kind: String(obj.kind),
    name: String(name(obj)),
    component: componentOf(obj),
  };
}

/** The application component: the workload's `app.oam.dev/component` label, else its template's, else its name. */
function componentOf(obj: Json): string {
  const meta = obj.metadata as Json;
  const own = (meta.labels as Record<string, string> | undefined)?.[OWNER_LABELS.component];
  if (own !== undefined) return own;
  const template = ((obj.spec as Json | undefined)?.template as Json | undefined)?.metadata as Json | undefined;
  return (template?.labels as Record<string, string> | undefined)?.[OWNER_LABELS.component] ?? String(meta.name);
}

/** The pods a workload selects in its namespace. */
function podsOf(obj: Json, pods: readonly PodSummary[]): PodSummary[] {
  const selector = (obj.spec as Json | undefined)?.selector as Json | undefined;
  if (!selector) return [];
  return pods.filter((p) => labelSelectorMatches(selector, p.labels));
}

function jobFinished(job: Json): 'Complete' | 'Failed' | undefined {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  return undefined;
}

function jobCondition(job: Json, type: string): Json | undefined {
  const conditions = (((job.status as Json | undefined)?.conditions as Json[] | undefined) ?? []) as Json[];
  return conditions.find((c) => c.type === type && c.status === 'True');
}

function activeCount(status: Json): number {
  return Array.isArray(status.active) ? status.active.length : 0;
}

function created(obj: Json): number {
  const t = Date.parse(String((obj.metadata as Json).creationTimestamp ?? ''));
  return Number.isNaN(t) ? 0 : t;
}

function name(obj: Json): unknown {
  return (obj.metadata as Json).name;
}

function num(v: unknown, fallback: number): number {
  return typeof v === 'number' ? v : fallback;
}
