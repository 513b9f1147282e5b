import { msg } from '../../kernel/messages/index.ts';
import { mysqlProvisioner } from './mysql-provisioner.ts';
import { postgresProvisioner } from './postgres-provisioner.ts';
import { rabbitmqProvisioner } from './rabbitmq-provisioner.ts';
import type { Engine, Provisioner } from './provisioner.ts';
import { ProvisionerError } from './provisioner.ts';
import { redisProvisioner } from './redis-provisioner.ts';
import { SimulatedMiddleware } from './simulated-provisioner.ts';

export type { AdminEndpoint, Engine, Grant, Granted, Provisioner } from './provisioner.ts';
export { ENGINES, ProvisionerError, grantId } from './provisioner.ts';
export { SimulatedMiddleware, granted } from './simulated-provisioner.ts';
export type { JobTarget } from './job-provisioner.ts';
export { ProvisionerPending, jobProvisioner } from './job-provisioner.ts';
export { JOB_IMAGES, jobName } from './job-manifests.ts';

/** Provisioners that connect directly to the instance (it is reachable from polis). */
const DIRECT: Partial<Record<Engine, Provisioner>> = {
  postgresql: postgresProvisioner,
  mysql: mysqlProvisioner,
  redis: redisProvisioner,
  rabbitmq: rabbitmqProvisioner,
};

/**
 * Which provisioner serves an instance: a direct connection where the instance names an endpoint polis reaches, the
 * simulated middleware for instances in the simulated cloud. Kafka and MinIO are provisioned through the Job path
 * (job-provisioner.ts) or simulated; a direct one for them is refused with a reason (docs/marketplace.md).
 */
export interface ProvisionerSet {
  readonly simulated?: SimulatedMiddleware;
  for(engine: Engine, direct: boolean): Provisioner;
}

export function provisionerSet(simulated?: SimulatedMiddleware): ProvisionerSet {
  return {
    simulated,
    for(engine, direct) {
      if (!direct && simulated) return simulated.provisioner(engine);
      const p = DIRECT[engine];
      if (p) return p;
      const unsupported = () =>
        Promise.reject(new ProvisionerError(engine, msg('MarketProvisionerUnsupported', { engine })));
      return { engine, provision: unsupported, revoke: unsupported };
    },
  };
}
