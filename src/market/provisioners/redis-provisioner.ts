import { createClient } from 'redis';
import type { AdminEndpoint, Grant, Granted, Provisioner } from './provisioner.ts';
import { checkedId, guarded } from './provisioner.ts';

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

/**
 * The commands a binding's user may run: reading and writing data types, on its own keys only. Admin, dangerous
 * and cross-key commands (KEYS, FLUSHALL, CONFIG, ACL, SCRIPT …) stay refused.
 */
const RULES = ['+@read', '+@write', '+@keyspace', '+@transaction', '+@connection', '-@dangerous', '-@scripting'];

/** Redis 6+: an ACL user per binding, limited to keys under its prefix `<id>:` and no pub/sub channels. */
export const redisProvisioner: Provisioner = {
  engine: 'redis',
  provision: (admin: AdminEndpoint, grant: Grant): Promise<Granted> =>
    guarded('redis', () =>
      withAdmin(admin, async (c) => {
        const id = checkedId(grant.id);
        // `reset` first: a retry sets exactly these rules and this password, whatever an earlier attempt left.
        await c.sendCommand([
          'ACL',
          'SETUSER',
          id,
          'reset',
          'on',
          `>${grant.password}`,
          `~${id}:*`,
          'resetchannels',
          ...RULES,
        ]);
        await c.sendCommand(['ACL', 'SAVE']).catch(() => undefined); // kept across restarts where an aclfile is set
        return { username: id, prefix: `${id}:` };
      }),
    ),
  revoke: (admin: AdminEndpoint, grant: Grant): Promise<void> =>
    guarded('redis', () =>
      withAdmin(admin, async (c) => {
        const id = checkedId(grant.id);
        await c.sendCommand(['ACL', 'DELUSER', id]);
        await c.sendCommand(['CLIENT', 'KILL', 'USER', id]).catch(() => undefined);
        // The binding's keys go with it, as a dropped database does.
        let cursor = '0';
        do {
          const [next, keys] = (await c.sendCommand(['SCAN', cursor, 'MATCH', `${id}:*`, 'COUNT', '500'])) as [
            string,
            string[],
          ];
          if (keys.length > 0) await c.sendCommand(['UNLINK', ...keys]);
          cursor = next;
        } while (cursor !== '0');
        await c.sendCommand(['ACL', 'SAVE']).catch(() => undefined);
      }),
    ),
};
