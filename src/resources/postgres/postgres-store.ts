import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createSqlStore } from '../sql-store.ts';
import type { Schema, SqlDialectHooks } from '../sql/schema.ts';
import type { Store } from '../store.ts';
import { COMMIT_CHANNEL, listenForCommits } from './commit-listener.ts';
import { postgresStorageFailure } from './postgres-failures.ts';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';

const INT8_OID = 20;
/** Any constant; every polis process migrating the same database takes this advisory lock first. */
const MIGRATION_LOCK = 0x706f6c69; // "poli"

/**
 * PostgreSQL transactions run at READ COMMITTED; the row lock on the counter, taken first, makes writers strictly
 * serial, and each later statement sees everything committed before the lock was granted.
 */
const postgresHooks: SqlDialectHooks = {
  name: 'postgres',
  migrations: POSTGRES_MIGRATIONS,
  combineWrites: true,
  nowMs: '(extract(epoch from clock_timestamp()) * 1000)::bigint',
  fenceLock: ' FOR SHARE',
  storageFailure: postgresStorageFailure,
  async lockWriter(trx) {
    const row = await trx
      .selectFrom('revision_counter')
      .select(['revision', 'compacted_through'])
      .where('id', '=', 1)
      .forUpdate()
      .executeTakeFirstOrThrow();
    return { revision: Number(row.revision), compactedThrough: Number(row.compacted_through) };
  },
  async lockMigrations(trx) {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
  },
  readSnapshot(db, fn) {
    return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn);
  },
  async notifyCommit(trx, revision) {
    await sql`SELECT pg_notify(${COMMIT_CHANNEL}, ${String(revision)})`.execute(trx);
  },
};

export interface PostgresStoreOptions {
  /** Pool size (default 10). */
  readonly maxConnections?: number;
}

/**
 * Connects to `url` (postgres:// or postgresql://) and migrates. Revisions and sequence numbers are BIGINT in the
 * database and numbers in JavaScript (exact up to 2^53).
 */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.maxConnections ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary'
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const store = createSqlStore(db, {
    ...postgresHooks,
    listenCommits: (onCommit) => listenForCommits({ url, onCommit }),
  });
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}
