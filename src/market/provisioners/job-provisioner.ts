import type { ClusterDriver, Owner } from '../../clusters/driver.ts';
import type { Message } from '../../kernel/messages/index.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { JobEngine, JobOperation } from './job-manifests.ts';
import { JOB_ENGINES, jobManifests, jobName } from './job-manifests.ts';
import type { AdminEndpoint, Engine, Grant, Granted, Provisioner } from './provisioner.ts';
import { ProvisionerError, guarded } from './provisioner.ts';
import { granted } from './simulated-provisioner.ts';

/**
 * The statements run elsewhere and have not finished yet: the caller comes back after `afterMs` (never waits in
 * place). Not a failure: no attempt is spent on it.
 */
export class ProvisionerPending extends Error {
  readonly detail: Message;
  readonly afterMs: number;
  constructor(detail: Message, afterMs: number) {
    super(detail.message);
    this.name = 'ProvisionerPending';
    this.detail = detail;
    this.afterMs = afterMs;
  }
}

/** Where an instance's provisioning Jobs run: its cluster's driver and its namespace there. */
export interface JobTarget {
  readonly cluster: string;
  readonly driver: ClusterDriver;
  /** The instance's Application in that cluster: the namespace is its, and the driver checks it writes only there. */
  readonly owner: Owner;
  /** The client image (default JOB_IMAGES of the engine). */
  readonly image?: string;
  /** Now, in ms (the controller's clock). */
  readonly now: () => number;
  /** How long a Job may run before it is removed and counted as a failed attempt (default 5 minutes). */
  readonly deadlineMs?: number;
  /** How soon a running Job is looked at again (default 2 s). */
  readonly pollMs?: number;
}

const DEFAULT_DEADLINE_MS = 300_000;

interface JobCondition {
  readonly type?: string;
  readonly status?: string;
  readonly reason?: string;
  readonly message?: string;
}

/**
 * The provisioner for an instance polis cannot reach: the same idempotent statements as the direct provisioners,
 * run by a Job in the instance's namespace on the instance's cluster. Each call does one step and returns: it
 * applies the Secret and the Job when there is none (then throws ProvisionerPending), reads the Job's status when
 * there is one (still running: ProvisionerPending; Complete: removes the Job and the Secret and returns; Failed or
 * past its deadline: removes them and throws a ProvisionerError, the caller's retry runs a new Job). A Job lost from
 * the cluster is applied again. Revoking first removes a provisioning Job still there, so it cannot run after.
 */
export function jobProvisioner(engine: Engine, target: JobTarget): Provisioner {
  const run = async (op: JobOperation, admin: AdminEndpoint, grant: Grant): Promise<void> => {
    if (!(JOB_ENGINES as readonly string[]).includes(engine))
      throw new ProvisionerError(engine, msg('MarketProvisionerUnsupported', { engine }));
    const { driver, cluster, owner } = target;
    if (!driver.read || !driver.remove)
      throw new ProvisionerError(engine, msg('MarketProvisionerJobUnsupported', { cluster }));
    const read = driver.read.bind(driver);
    const remove = driver.remove.bind(driver);
    const namespace = owner.namespace;
    const name = jobName(op, grant.id);
    const cleanUp = async (jobOp: JobOperation) => {
      const n = jobName(jobOp, grant.id);
      await remove('batch/v1', 'Job', namespace, n);
      await remove('v1', 'Secret', namespace, n);
    };
    if (op === 'revoke') await cleanUp('provision');
    const deadlineMs = target.deadlineMs ?? DEFAULT_DEADLINE_MS;
    const where = { job: name, namespace, cluster };
    const live = await read('batch/v1', 'Job', namespace, name);
    if (!live) {
      const { secret, job } = jobManifests({
        engine: engine as JobEngine,
        op,
        namespace,
        admin,
        grant,
        ...(target.image ? { image: target.image } : {}),
        deadlineSeconds: Math.ceil(deadlineMs / 1000),
      });
      // The Secret first: a Job never starts without its inputs.
      const report = await driver.apply([secret, job], { owner });
      const refused = report.failed[0];
      if (refused) throw new ProvisionerError(engine, refused.message);
      throw new ProvisionerPending(msg('MarketProvisionerJobRunning', where), target.pollMs ?? 2000);
    }
    const status = (live.status ?? {}) as { conditions?: JobCondition[] };
    const cond = (type: string) => status.conditions?.find((c) => c.type === type && c.status === 'True');
    if (cond('Complete')) {
      await cleanUp(op);
      return;
    }
    const failed = cond('Failed');
    const created = Date.parse(String((live.metadata as { creationTimestamp?: string }).creationTimestamp ?? ''));
    // A minute's grace beyond the Job's own activeDeadlineSeconds, for a cluster whose Job controller is slow.
    const overdue = !failed && Number.isFinite(created) && target.now() - created > deadlineMs + 60_000;
    if (failed || overdue) {
      await cleanUp(op);
      throw new ProvisionerError(
        engine,
        failed
          ? msg('MarketProvisionerJobFailed', {
              ...where,
              reason: failed.reason ?? 'Failed',
              message: failed.message ?? '',
            })
          : msg('MarketProvisionerJobTimedOut', { job: name, cluster, seconds: Math.ceil(deadlineMs / 1000) }),
      );
    }
    throw new ProvisionerPending(msg('MarketProvisionerJobRunning', where), target.pollMs ?? 2000);
  };
  // Any failure but a pending Job becomes a ProvisionerError of the engine (an unreachable cluster: an attempt spent).
  const step = async (op: JobOperation, admin: AdminEndpoint, grant: Grant): Promise<void> => {
    try {
      await run(op, admin, grant);
    } catch (e) {
      if (e instanceof ProvisionerPending) throw e;
      await guarded(engine, () => Promise.reject(e));
    }
  };
  return {
    engine,
    provision: async (admin, grant): Promise<Granted> => {
      await step('provision', admin, grant);
      return granted(engine, grant.id);
    },
    revoke: (admin, grant) => step('revoke', admin, grant),
  };
}
