import mysql from 'mysql2/promise';
import type { AdminEndpoint, Grant, Granted, Provisioner } from './provisioner.ts';
import { guarded } from './provisioner.ts';
import { mysqlProvisionSteps, mysqlRevokeSteps, runMysqlSteps } from './mysql-statements.ts';

async function withAdmin<T>(admin: AdminEndpoint, fn: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const c = await mysql.createConnection({
    host: admin.host,
    port: admin.port,
    user: admin.username,
    password: admin.password,
    connectTimeout: 10_000,
  });
  // A connection the server ends between two statements fails the next one; unheard, its 'error' would end polis.
  c.on('error', () => undefined);
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** MySQL and MariaDB: a database and a user per binding (mysql-statements.ts, shared with the Job provisioner). */
export const mysqlProvisioner: Provisioner = {
  engine: 'mysql',
  provision: (admin: AdminEndpoint, grant: Grant): Promise<Granted> =>
    guarded('mysql', () =>
      withAdmin(admin, async (c) => {
        await runMysqlSteps(c, mysqlProvisionSteps(grant));
        return { username: grant.id, database: grant.id };
      }),
    ),
  revoke: (admin: AdminEndpoint, grant: Grant): Promise<void> =>
    guarded('mysql', () => withAdmin(admin, (c) => runMysqlSteps(c, mysqlRevokeSteps(grant.id)))),
};
