/**
 * Jobs, simulated: up to `parallelism` pods at a time until `completions` have succeeded (every pod succeeds:
 * the kubelet simulation finishes pods of Jobs with exit code 0), then the Complete condition and completionTime.
 * Suspended Jobs create nothing. No CronJob controller: CronJobs never create Jobs here. A pod that fails (a
 * kubelet hook ran its command and it exited non-zero) counts against `backoffLimit` (default 6): past it, the Job
 * gets the Failed condition (BackoffLimitExceeded) and no more pods, as the Job controller does.
 */
import {
  type Any,
  type ControllerContext,
  CONTROLLER_MANAGER,
  PODS,
  condition,
  def,
  isPodActive,
  isPodReady,
  owned,
  podFromTemplate,
  quietly,
  writeStatus,
} from './controller-kit.ts';
import { nowTime } from './registry.ts';

const JOBS = def('batch/v1', 'Job');

export function reconcileJob(ctx: ControllerContext, ns: string, name: string): void {
  const job = ctx.registry.store.get(JOBS, ns, name) as Any | undefined;
  if (!job || job.metadata.deletionTimestamp) return;
  const done = (job.status?.conditions ?? []).some((c: Any) => c.type === 'Complete' && c.status === 'True');
  const wasFailed = (job.status?.conditions ?? []).some((c: Any) => c.type === 'Failed' && c.status === 'True');
  const pods = owned(ctx, PODS, ns, job.metadata.uid);
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
  const active = pods.filter(isPodActive);
  const completions: number = job.spec.completions ?? 1;
  const backoffLimit: number = job.spec.backoffLimit ?? 6;
  const failedOut = wasFailed || (!done && failed > backoffLimit);
  if (!done && !failedOut && !job.spec.suspend) {
    const want = Math.min(job.spec.parallelism ?? 1, completions - succeeded) - active.length;
    for (let i = 0; i < want; i++)
      quietly(() => {
        active.push(
          ctx.registry.create(PODS, ns, podFromTemplate(job, job.spec.template), { manager: CONTROLLER_MANAGER }),
        );
      });
  }
  const complete = done || succeeded >= completions;
  const status: Any = {
    ...(job.spec.suspend && !complete ? {} : { startTime: job.status?.startTime ?? nowTime() }),
    ...(complete ? { completionTime: job.status?.completionTime ?? nowTime() } : {}),
    ...(complete
      ? { conditions: [condition(job.status?.conditions, 'Complete', 'True', '', '', { probeTime: true })] }
      : {}),
    ...(failedOut && !complete
      ? {
          conditions: [
            condition(
              job.status?.conditions,
              'Failed',
              'True',
              'BackoffLimitExceeded',
              'Job has reached the specified backoff limit',
              { probeTime: true },
            ),
          ],
        }
      : {}),
    ...(active.length && !complete && !failedOut ? { active: active.length } : {}),
    ...(succeeded ? { succeeded } : {}),
    ...(failed ? { failed } : {}),
    ready: active.filter(isPodReady).length,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
  writeStatus(ctx, JOBS, job, status);
}
