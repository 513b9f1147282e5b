/**
 * Jobs, simulated: up to `parallelism` pods at a time until `completions` have succeeded (every pod succeeds:
 * the kubelet simulation finishes pods of Jobs with exit code 0), then the Complete condition and completionTime.
 * Suspended Jobs create nothing. No CronJob controller: CronJobs never create Jobs here.
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
  const pods = owned(ctx, PODS, ns, job.metadata.uid);
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
  const active = pods.filter(isPodActive);
  const completions: number = job.spec.completions ?? 1;
  if (!done && !job.spec.suspend) {
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
    ...(active.length && !complete ? { active: active.length } : {}),
    ...(succeeded ? { succeeded } : {}),
    ...(failed ? { failed } : {}),
    ready: active.filter(isPodReady).length,
    terminating: 0,
    uncountedTerminatedPods: {},
  };
  writeStatus(ctx, JOBS, job, status);
}
