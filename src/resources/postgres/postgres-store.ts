import { CompiledQuery, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { createSqlStore, withExtraMigrations } from '../sql-store.ts';
import type { Migration, Schema, SqlDialectHooks } from '../sql/schema.ts';
import { GENESIS_HASH } from '../audit-log.ts';
import type { Store } from '../store.ts';
import { COMMIT_CHANNEL, listenForCommits } from './commit-listener.ts';
import { postgresStorageFailure } from './postgres-failures.ts';
import { StoreUnavailableError } from '../store-errors.ts';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';

const INT8_OID = 20;
/** How long a transaction may wait on its client before PostgreSQL ends the session (and releases its locks). */
const IDLE_IN_TRANSACTION_MS = 10_000;
/** Any constant; every polis process migrating the same database takes this advisory lock first. */
const MIGRATION_LOCK = 0x706f6c69; // "poli"
/**
 * Objects whose stored text reads keep in memory (sql/read-cache.ts): every read is otherwise a round trip. A few KB
 * each (an Application with its status), so some tens of MB at most.
 */
const READ_CACHE_OBJECTS = 20_000;
/** The first key of the advisory locks that serialize capacity reservations per cluster. */
const ROOM_LOCK = 0x726f6f6d; // "room"

/**
 * The first statements of a group-commit batch, sent as one simple query (one round trip): BEGIN, the writer lock
 * (the counter row FOR UPDATE), then, in a statement of its own (READ COMMITTED: a snapshot taken once the lock is
 * granted, so it sees every batch committed before), the counter and the audit chain's head under the lock.
 */
const BEGIN_AND_LOCK = `BEGIN;
SELECT 1 FROM revision_counter WHERE id = 1 FOR UPDATE;
SELECT c.revision, c.compacted_through, a.seq AS audit_seq, a.hash AS audit_hash, n.seq AS anchor_seq,
  n.hash AS anchor_hash
FROM revision_counter c
LEFT JOIN LATERAL (SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1) a ON true
LEFT JOIN audit_anchor n ON n.id = 1
WHERE c.id = 1`;

/** What a batch leaves for its commit statement: the counter to write and notify (advanceCounter), if it advanced. */
const commitTails = new WeakMap<object, string>();

/**
 * PostgreSQL transactions run at READ COMMITTED; the row lock on the counter, taken first, makes writers strictly
 * serial, and each later statement sees everything committed before the lock was granted. A batch costs two round
 * trips beside its jobs' own statements: BEGIN with the lock and the heads it starts from, and the counter's update
 * and notification with COMMIT (both simple queries of several statements; the values in them are numbers and
 * constants of polis, never input).
 */
const postgresHooks: SqlDialectHooks = {
  name: 'postgres',
  migrations: POSTGRES_MIGRATIONS,
  combineWrites: true,
  listAtOnce: true,
  readCache: READ_CACHE_OBJECTS,
  nowMs: '(extract(epoch from clock_timestamp()) * 1000)::bigint',
  fenceLock: ' FOR SHARE',
  membersLock: 'LOCK TABLE members IN SHARE MODE',
  async lockRoom(db, cluster) {
    await sql`SELECT pg_advisory_xact_lock(${ROOM_LOCK}, hashtext(${cluster}))`.execute(db);
  },
  storageFailure: postgresStorageFailure,
  async lockWriter(trx) {
    const { rows } = await trx.executeQuery(
      CompiledQuery.raw(BEGIN_AND_LOCK) as CompiledQuery<{
        revision: number;
        compacted_through: number;
        audit_seq: number | null;
        audit_hash: string | null;
        anchor_seq: number | null;
        anchor_hash: string | null;
      }>,
    );
    const row = rows[0];
    if (row === undefined) throw new Error('the revision counter row is missing');
    const auditHead =
      row.audit_seq !== null && row.audit_hash !== null
        ? { seq: Number(row.audit_seq), hash: row.audit_hash }
        : row.anchor_seq !== null && row.anchor_hash !== null
          ? { seq: Number(row.anchor_seq), hash: row.anchor_hash }
          : { seq: 0, hash: GENESIS_HASH };
    return { revision: Number(row.revision), compactedThrough: Number(row.compacted_through), auditHead };
  },
  async lockMigrations(trx) {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
  },
  readSnapshot(db, fn) {
    return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn);
  },
  async advanceCounter(trx, revision) {
    // Sent with COMMIT (batchTransaction): pg_notify is delivered only once the commit succeeded.
    if (!Number.isSafeInteger(revision) || revision < 0) throw new RangeError(`bad revision ${revision}`);
    commitTails.set(
      trx,
      `UPDATE revision_counter SET revision = ${revision} WHERE id = 1;
SELECT pg_notify('${COMMIT_CHANNEL}', '${revision}');
`,
    );
  },
  async batchTransaction(db, fn) {
    return db.connection().execute(async (conn) => {
      const trx = conn as unknown as Transaction<Schema>;
      let result;
      try {
        // The first statement (lockWriter) begins the transaction.
        result = await fn(trx);
        await conn.executeQuery(CompiledQuery.raw(`${commitTails.get(trx) ?? ''}COMMIT`));
      } catch (e) {
        // Whatever failed (a job, the lock, the commit), the transaction is given up; on a connection that is gone,
        // this fails too, and the error that matters is the first.
        await conn.executeQuery(CompiledQuery.raw('ROLLBACK')).catch(() => undefined);
        throw e;
      } finally {
        commitTails.delete(trx);
      }
      return result;
    });
  },
};

export interface PostgresStoreOptions {
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Steps after this polis's own (tests of a rolling upgrade: the steps of a newer polis). */
  readonly extraMigrations?: readonly Migration[];
}

/**
 * Connects to `url` (postgres:// or postgresql://) and migrates. Revisions and sequence numbers are BIGINT in the
 * database and numbers in JavaScript (exact up to 2^53).
 */
export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    // A replica that stops mid-transaction (SIGSTOP, a paused VM, a dropped network) would hold the writer lock, and
    // with it every replica's writes, for as long as its connection stays open: PostgreSQL ends such a session.
    options: `-c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`,
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
  unavailableWhenUnreachable(pool);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const store = createSqlStore(db, {
    ...withExtraMigrations(postgresHooks, opts.extraMigrations),
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

/**
 * Every query's failure that means PostgreSQL cannot be reached (restarting, failing over, cut off) becomes a
 * StoreUnavailableError, reads included: the API answers 503, try again, rather than 500.
 */
function unavailableWhenUnreachable(pool: pg.Pool): void {
  const asUnavailable = (e: unknown): unknown => {
    if (e instanceof StoreUnavailableError) return e;
    const failure = postgresStorageFailure(e);
    return failure ? new StoreUnavailableError(failure, e) : e;
  };
  const prepared = preparedStatements();
  const wrapped = new WeakSet<pg.PoolClient>();
  const original = pool.connect.bind(pool) as (cb?: unknown) => unknown;
  const connect = original as () => Promise<pg.PoolClient>;
  const connectClassified = async (): Promise<pg.PoolClient> => {
    let client: pg.PoolClient;
    try {
      client = await connect();
    } catch (e) {
      throw asUnavailable(e);
    }
    if (!wrapped.has(client)) {
      wrapped.add(client);
      // A checked-out client whose session PostgreSQL ends between two statements (idle_in_transaction timeout after
      // a pause, a server restart) emits 'error' with no query to reject: unheard, that event ends the process. The
      // next query on it fails instead, and release() drops it from the pool (it is no longer queryable).
      client.on('error', () => {});
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => {
        const result = query(...prepared(args));
        // A simple query of several statements answers one result each: the caller (the query builder) gets the
        // last one's (the batch's first statements, postgresHooks.lockWriter).
        return result instanceof Promise
          ? result.then(
              (r: unknown) => (Array.isArray(r) ? r.at(-1) : r),
              (e: unknown) => Promise.reject(asUnavailable(e)),
            )
          : result;
      }) as typeof client.query;
    }
    return client;
  };
  // pg's own pool.query passes a callback: that form is left as it was.
  pool.connect = ((cb?: unknown) =>
    typeof cb === 'function' ? original(cb) : connectClassified()) as typeof pool.connect;
}

/** Most statement texts a store prepares (per connection, on first use there): the write path's and reads' few shapes. */
const MAX_PREPARED = 128;
/**
 * Most parameters of a statement that is prepared: a batch of a few writes (about 25 each) or a list's read. A
 * prepared plan stays in the server session as long as the connection, and a plan of 100 rows is large; a statement
 * of many rows spreads its parse over them anyway.
 */
const MAX_PREPARED_PARAMS = 128;
/** Texts counted while they have not been seen twice; the count starts over past this many. */
const MAX_COUNTED = 4096;

/**
 * Named (prepared) statements for the texts a store sends again and again: PostgreSQL parses and plans a named
 * statement once per connection instead of once per execution, and it shares the two cores with polis. A text is
 * named the second time it is seen (a multi-row insert's or an IN list's text differs with its length; most are seen
 * once), up to MAX_PREPARED texts of at most MAX_PREPARED_PARAMS parameters. Only parameterized statements (the
 * extended protocol; the batch's multi-statement simple queries carry none) and never a text with `*`, whose result
 * columns a later migration could change under a prepared plan ("cached plan must not change result type").
 */
export function preparedStatements(): (args: unknown[]) => unknown[] {
  const names = new Map<string, string>();
  const seen = new Set<string>();
  const nameOf = (text: string): string | undefined => {
    const name = names.get(text);
    if (name !== undefined) return name;
    if (names.size >= MAX_PREPARED || text.includes('*')) return undefined;
    if (!seen.has(text)) {
      if (seen.size >= MAX_COUNTED) seen.clear();
      seen.add(text);
      return undefined;
    }
    seen.delete(text);
    const named = `polis_${names.size + 1}`;
    names.set(text, named);
    return named;
  };
  return (args) => {
    const [text, values] = args;
    if (args.length !== 2 || typeof text !== 'string' || !Array.isArray(values)) return args;
    if (values.length === 0 || values.length > MAX_PREPARED_PARAMS) return args;
    const name = nameOf(text);
    return name === undefined ? args : [{ name, text, values }];
  };
}
