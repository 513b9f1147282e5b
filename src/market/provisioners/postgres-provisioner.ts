import pg from 'pg';
import type { AdminEndpoint, Grant, Granted, Provisioner } from './provisioner.ts';
import { checkedId, guarded } from './provisioner.ts';

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
 * PostgreSQL: a role and a database per binding, the role owning the database and able to connect to nothing else.
 * PUBLIC loses CONNECT on the binding's database and on the maintenance databases, so a binding's role cannot even
 * open another binding's database (docs/marketplace.md).
 */
export const postgresProvisioner: Provisioner = {
  engine: 'postgresql',
  provision: (admin: AdminEndpoint, grant: Grant): Promise<Granted> =>
    guarded('postgresql', () =>
      withAdmin(admin, async (c) => {
        const id = checkedId(grant.id);
        const password = c.escapeLiteral(grant.password);
        const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [id]);
        // No memberships: the role has the rights of its database (as its owner) and nothing else.
        await c.query(
          `${role.rowCount ? 'ALTER' : 'CREATE'} ROLE ${id} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`,
        );
        const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [id]);
        if (!db.rowCount) await c.query(`CREATE DATABASE ${id} OWNER ${id}`);
        await c.query(`REVOKE ALL ON DATABASE ${id} FROM PUBLIC`);
        await c.query(`GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${id} TO ${id}`);
        // Every other database of the instance: closed to PUBLIC (each binding's own is opened to its role only).
        const others = await c.query<{ datname: string }>(
          'SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate',
        );
        for (const { datname } of others.rows)
          await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${c.escapeIdentifier(datname)} FROM PUBLIC`);
        return { username: id, database: id };
      }),
    ),
  revoke: (admin: AdminEndpoint, grant: Grant): Promise<void> =>
    guarded('postgresql', () =>
      withAdmin(admin, async (c) => {
        const id = checkedId(grant.id);
        // Refuse new logins first, then end the sessions it has, then drop what it owned.
        const role = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [id]);
        if (role.rowCount) await c.query(`ALTER ROLE ${id} NOLOGIN`);
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 OR datname = $1', [
          id,
        ]);
        await c.query(`DROP DATABASE IF EXISTS ${id} WITH (FORCE)`);
        await c.query(`DROP ROLE IF EXISTS ${id}`);
      }),
    ),
};
