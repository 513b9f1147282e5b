import { createClient } from 'redis';
import type { AdminEndpoint, Grant, Granted, Provisioner } from './provisioner.ts';
import { guarded } from './provisioner.ts';
import { redisProvisionSteps, redisRevokeSteps, runRedisSteps } from './redis-statements.ts';

/** The one call polis needs: a raw command. */
interface Client {
  sendCommand(args: string[]): Promise<unknown>;
}

async function withAdmin<T>(admin: AdminEndpoint, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = createClient({
    socket: { host: admin.host, port: admin.port, connectTimeout: 10_000, reconnectStrategy: false },
    username: admin.username,
    password: admin.password,
  });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn({ sendCommand: (args) => c.sendCommand(args) });
  } finally {
    await c.quit().catch(() => c.destroy());
  }
}

/** Redis 6+: an ACL user per binding on its key prefix (redis-statements.ts, shared with the Job provisioner). */
export const redisProvisioner: Provisioner = {
  engine: 'redis',
  provision: (admin: AdminEndpoint, grant: Grant): Promise<Granted> =>
    guarded('redis', () =>
      withAdmin(admin, async (c) => {
        await runRedisSteps(c, redisProvisionSteps(grant));
        return { username: grant.id, prefix: `${grant.id}:` };
      }),
    ),
  revoke: (admin: AdminEndpoint, grant: Grant): Promise<void> =>
    guarded('redis', () => withAdmin(admin, (c) => runRedisSteps(c, redisRevokeSteps(grant.id)))),
};
