import pg from 'pg';
import type { Grant } from './provisioner.ts';
import { checkedId } from './provisioner.ts';

/**
 * One PostgreSQL statement of a provision or revoke. With `gexec`, the statement is a query whose rows are the
 * statements to run next (psql's `\gexec`): how a step made only when something is missing is written once, for the
 * direct connection and for psql in a Job alike.
 */
export interface PgStep {
  readonly sql: string;
  readonly gexec?: boolean;
}

const lit = (s: string) => pg.escapeLiteral(s);

/**
 * A role and a database per binding, the role owning the database and able to connect to nothing else. PUBLIC loses
 * CONNECT on the binding's database and on every other database of the instance (docs/marketplace.md).
 */
export function postgresProvisionSteps(grant: Grant): PgStep[] {
  const id = checkedId(grant.id);
  return [
    // No memberships: the role has the rights of its database (as its owner) and nothing else.
    {
      sql:
        `SELECT format('%s ROLE ${id} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', ` +
        `CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${id}') THEN 'ALTER' ELSE 'CREATE' END, ` +
        `${lit(grant.password)})`,
      gexec: true,
    },
    {
      sql: `SELECT 'CREATE DATABASE ${id} OWNER ${id}' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '${id}')`,
      gexec: true,
    },
    { sql: `REVOKE ALL ON DATABASE ${id} FROM PUBLIC` },
    { sql: `GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ${id} TO ${id}` },
    // Every other database of the instance: closed to PUBLIC (each binding's own is opened to its role only).
    {
      sql:
        "SELECT format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', datname) " +
        'FROM pg_database WHERE datallowconn AND NOT datistemplate',
      gexec: true,
    },
  ];
}

/** Refuse new logins first, then end the sessions the role has, then drop what it owned. */
export function postgresRevokeSteps(grantIdentifier: string): PgStep[] {
  const id = checkedId(grantIdentifier);
  return [
    { sql: `SELECT 'ALTER ROLE ${id} NOLOGIN' FROM pg_roles WHERE rolname = '${id}'`, gexec: true },
    {
      sql: `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '${id}' OR datname = '${id}'`,
    },
    { sql: `DROP DATABASE IF EXISTS ${id} WITH (FORCE)` },
    { sql: `DROP ROLE IF EXISTS ${id}` },
  ];
}

/** The steps as a psql script (run with ON_ERROR_STOP, so the first failing statement fails the run). */
export function psqlScript(steps: readonly PgStep[]): string {
  return steps.map((s) => (s.gexec ? `${s.sql} \\gexec\n` : `${s.sql};\n`)).join('');
}

/** Runs the steps on a connected client, as psql would run the script. */
export async function runPgSteps(c: pg.Client, steps: readonly PgStep[]): Promise<void> {
  for (const step of steps) {
    if (!step.gexec) {
      await c.query(step.sql);
      continue;
    }
    const r = await c.query<unknown[]>({ text: step.sql, rowMode: 'array' });
    for (const row of r.rows) await c.query(String(row[0]));
  }
}
