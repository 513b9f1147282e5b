import type { AdminEndpoint, Grant, Granted, Provisioner } from './provisioner.ts';
import { checkedId, guarded } from './provisioner.ts';

/** RabbitMQ's management plugin listens here unless the instance's admin Secret names `managementUrl`. */
export const RABBITMQ_MANAGEMENT_PORT = 15672;

/** The management API's base URL of an instance: `managementUrl` from its admin Secret, else http on port 15672. */
export function managementUrl(admin: AdminEndpoint): string {
  return (admin.managementUrl ?? `http://${admin.host}:${RABBITMQ_MANAGEMENT_PORT}`).replace(/\/+$/, '');
}

/** One call of the management HTTP API as the administrator; `missingOk` treats 404 as done (idempotent deletes). */
async function call(
  admin: AdminEndpoint,
  method: 'GET' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  missingOk = false,
): Promise<unknown> {
  const auth = Buffer.from(`${admin.username}:${admin.password}`).toString('base64');
  const res = await fetch(`${managementUrl(admin)}/api/${path}`, {
    method,
    headers: {
      authorization: `Basic ${auth}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      // Shown to a client whose connection is closed (RabbitMQ puts it in the connection.close reason).
      ...(method === 'DELETE' ? { 'x-reason': 'polis: binding revoked' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.ok) return text ? (JSON.parse(text) as unknown) : undefined;
  if (res.status === 404 && missingOk) return undefined;
  // The API's own reason (`{"error":…,"reason":…}`), never the request body (it may hold a password).
  let reason = text.slice(0, 300);
  try {
    const j = JSON.parse(text) as { reason?: unknown; error?: unknown };
    reason = String(j.reason ?? j.error ?? reason);
  } catch {
    // not JSON: the text itself
  }
  throw new Error(`${method} /api/${path.split('/')[0]}: HTTP ${res.status}: ${reason}`);
}

const enc = encodeURIComponent;

/**
 * RabbitMQ (management HTTP API): a vhost and a user per binding, the user with configure, write and read on that
 * vhost and no permission anywhere else, and no management tags (it cannot use the HTTP API). Revoking deletes the
 * user (no new logins), closes its connections, and deletes the vhost with its queues and exchanges.
 */
export const rabbitmqProvisioner: Provisioner = {
  engine: 'rabbitmq',
  provision: (admin: AdminEndpoint, grant: Grant): Promise<Granted> =>
    guarded('rabbitmq', async () => {
      const id = checkedId(grant.id);
      // PUTs: a retry sets exactly this vhost, password and permission, whatever an earlier attempt left.
      await call(admin, 'PUT', `vhosts/${enc(id)}`, { description: 'polis service binding' });
      await call(admin, 'PUT', `users/${enc(id)}`, { password: grant.password, tags: '' });
      await call(admin, 'PUT', `permissions/${enc(id)}/${enc(id)}`, { configure: '.*', write: '.*', read: '.*' });
      return { username: id, database: id };
    }),
  revoke: (admin: AdminEndpoint, grant: Grant): Promise<void> =>
    guarded('rabbitmq', async () => {
      const id = checkedId(grant.id);
      await call(admin, 'DELETE', `users/${enc(id)}`, undefined, true);
      const connections = ((await call(admin, 'GET', 'connections?columns=name,user')) ?? []) as {
        name: string;
        user: string;
      }[];
      for (const c of connections.filter((x) => x.user === id))
        await call(admin, 'DELETE', `connections/${enc(c.name)}`, undefined, true);
      await call(admin, 'DELETE', `vhosts/${enc(id)}`, undefined, true);
    }),
};
