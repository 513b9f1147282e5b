import pg from 'pg';
import type { AdminEndpoint, Grant, Granted, Provisioner } from './provisioner.ts';
import { guarded } from './provisioner.ts';
import { postgresProvisionSteps, postgresRevokeSteps, runPgSteps } from './postgres-statements.ts';

async function withAdmin<T>(admin: AdminEndpoint, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    host: admin.host,
    port: admin.port,
    user: admin.username,
    password: admin.password,
    database: 'postgres',
    connectionTimeoutMillis: 10_000,
  });
  // A connection the server ends between two statements fails the next one; unheard, its 'error' would end polis.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * PostgreSQL: a role and a database per binding, the role owning the database and able to connect to nothing else
 * (the statements are postgres-statements.ts, shared with the Job provisioner).
 */
export const postgresProvisioner: Provisioner = {
  engine: 'postgresql',
  provision: (admin: AdminEndpoint, grant: Grant): Promise<Granted> =>
    guarded('postgresql', () =>
      withAdmin(admin, async (c) => {
        await runPgSteps(c, postgresProvisionSteps(grant));
        return { username: grant.id, database: grant.id };
      }),
    ),
  revoke: (admin: AdminEndpoint, grant: Grant): Promise<void> =>
    guarded('postgresql', () => withAdmin(admin, (c) => runPgSteps(c, postgresRevokeSteps(grant.id)))),
};
