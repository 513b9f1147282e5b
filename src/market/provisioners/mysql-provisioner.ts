import mysql from 'mysql2/promise';
import type { AdminEndpoint, Grant, Granted, Provisioner } from './provisioner.ts';
import { checkedId, guarded } from './provisioner.ts';

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

/** MySQL and MariaDB: a database and a user per binding, the user granted everything on that database only. */
export const mysqlProvisioner: Provisioner = {
  engine: 'mysql',
  provision: (admin: AdminEndpoint, grant: Grant): Promise<Granted> =>
    guarded('mysql', () =>
      withAdmin(admin, async (c) => {
        const id = checkedId(grant.id);
        // utf8mb4: Chinese text (and any other) stored as written.
        await c.query('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [id]);
        await c.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [id, grant.password]);
        await c.query("ALTER USER ?@'%' IDENTIFIED BY ?", [id, grant.password]);
        await c.query("GRANT ALL PRIVILEGES ON ??.* TO ?@'%'", [id, id]);
        return { username: id, database: id };
      }),
    ),
  revoke: (admin: AdminEndpoint, grant: Grant): Promise<void> =>
    guarded('mysql', () =>
      withAdmin(admin, async (c) => {
        const id = checkedId(grant.id);
        await c.query("DROP USER IF EXISTS ?@'%'", [id]);
        const [rows] = await c.query('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [id]);
        for (const r of rows as Array<{ ID: number }>) await c.query('KILL ?', [r.ID]).catch(() => undefined);
        await c.query('DROP DATABASE IF EXISTS ??', [id]);
      }),
    ),
};
