import { ClusterUnreachableError } from '../clusters/driver.ts';
import { msg } from '../kernel/messages/index.ts';

/**
 * A simulated cluster is down or cut off from polis. It is the driver's ClusterUnreachableError, so a simulated
 * driver passes it on as it is; nothing on the cluster changed.
 */
export class SimUnreachableError extends ClusterUnreachableError {
  constructor(cluster: string, why: 'down' | 'partitioned') {
    super(cluster, msg(why === 'down' ? 'ClusterDown' : 'ClusterPartitioned'));
    this.name = 'SimUnreachableError';
  }
}
