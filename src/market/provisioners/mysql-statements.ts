import mysql from 'mysql2/promise';
import type { Grant } from './provisioner.ts';
import { checkedId } from './provisioner.ts';

/**
 * One MySQL/MariaDB step of a provision or revoke: a statement with its parameters, or ending the sessions of a user
 * (a loop over the process list on a direct connection; MariaDB's `KILL USER` in a Job's script).
 */
export type MysqlStep =
  { readonly sql: string; readonly params: readonly string[] } | { readonly killSessionsOf: string };

/** A database and a user per binding, the user granted everything on that database only. */
export function mysqlProvisionSteps(grant: Grant): MysqlStep[] {
  const id = checkedId(grant.id);
  return [
    // utf8mb4: Chinese text (and any other) stored as written.
    { sql: 'CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', params: [id] },
    { sql: "CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", params: [id, grant.password] },
    { sql: "ALTER USER ?@'%' IDENTIFIED BY ?", params: [id, grant.password] },
    { sql: "GRANT ALL PRIVILEGES ON ??.* TO ?@'%'", params: [id, id] },
  ];
}

/** The user goes first (no new logins), then its sessions, then its database. */
export function mysqlRevokeSteps(grantIdentifier: string): MysqlStep[] {
  const id = checkedId(grantIdentifier);
  return [
    { sql: "DROP USER IF EXISTS ?@'%'", params: [id] },
    { killSessionsOf: id },
    { sql: 'DROP DATABASE IF EXISTS ??', params: [id] },
  ];
}

/**
 * The steps as a script for the `mariadb` (or `mysql`) client, which stops at the first failing statement. Ending
 * sessions is a MariaDB executable comment: a MySQL server skips it (its users' new logins are refused all the same).
 */
export function mysqlScript(steps: readonly MysqlStep[]): string {
  return steps
    .map((s) =>
      'killSessionsOf' in s
        ? `/*M! KILL USER ${mysql.escape(s.killSessionsOf)} */;\n`
        : `${mysql.format(s.sql, [...s.params])};\n`,
    )
    .join('');
}

/** Runs the steps on a direct connection. */
export async function runMysqlSteps(c: mysql.Connection, steps: readonly MysqlStep[]): Promise<void> {
  for (const s of steps) {
    if ('sql' in s) {
      await c.query(s.sql, [...s.params]);
      continue;
    }
    const [rows] = await c.query('SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [s.killSessionsOf]);
    for (const r of rows as Array<{ ID: number }>) await c.query('KILL ?', [r.ID]).catch(() => undefined);
  }
}
