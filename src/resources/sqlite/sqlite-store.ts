import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import { createSqlStore, withExtraMigrations } from '../sql-store.ts';
import type { Migration, Schema, SqlDialectHooks } from '../sql/schema.ts';
import type { Store } from '../store.ts';
import type { StorageFailure } from '../store-errors.ts';
import { NodeSqliteDialect } from './node-sqlite-dialect.ts';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.ts';
import { WalSync } from './wal-sync.ts';
import { Checkpointer, DEFAULT_AUTOCHECKPOINT_PAGES, FALLBACK_AUTOCHECKPOINT_PAGES } from './checkpointer.ts';

/**
 * SQLite runs on one connection behind Kysely's mutex, so a transaction (BEGIN IMMEDIATE, held to commit) is
 * already the only writer in this process, and the file lock makes it the only one across processes.
 */
const sqliteHooks: SqlDialectHooks = {
  name: 'sqlite',
  migrations: SQLITE_MIGRATIONS,
  nowMs: "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
  fenceLock: '',
  async lockWriter(trx) {
    const row = await trx
      .selectFrom('revision_counter')
      .select(['revision', 'compacted_through'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { revision: Number(row.revision), compactedThrough: Number(row.compacted_through) };
  },
  async lockMigrations() {
    // BEGIN IMMEDIATE already excludes every other writer.
  },
  storageFailure: sqliteStorageFailure,
  readSnapshot(db, fn) {
    // Holding the one connection keeps this process's writers out; the read transaction keeps other processes'
    // commits out of the middle of the scan.
    return db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      try {
        return await fn(conn);
      } finally {
        await sql`commit`.execute(conn);
      }
    });
  },
};

/** SQLite's primary result codes that mean the database file cannot be written (sqlite3.h). */
const SQLITE_FAILURES: Readonly<Record<number, Pick<StorageFailure, 'reason' | 'ioCode'>>> = {
  3: { reason: 'StoreReadOnly', ioCode: 'SQLITE_PERM' },
  5: { reason: 'StoreBusy', ioCode: 'SQLITE_BUSY' },
  8: { reason: 'StoreReadOnly', ioCode: 'SQLITE_READONLY' },
  10: { reason: 'StoreIOError', ioCode: 'SQLITE_IOERR' },
  13: { reason: 'StoreDiskFull', ioCode: 'SQLITE_FULL' },
  14: { reason: 'StoreUnavailable', ioCode: 'SQLITE_CANTOPEN' },
};

/** node:sqlite's error (`errcode`, extended codes included) as a storage failure. */
function sqliteStorageFailure(e: unknown): StorageFailure | undefined {
  const errcode = (e as { errcode?: unknown } | null)?.errcode;
  if (typeof errcode !== 'number') return undefined;
  const known = SQLITE_FAILURES[errcode & 0xff];
  return known ? { ...known, detail: (e as Error).message } : undefined;
}

/**
 * Group-commit batches on a file: committed with synchronous=NORMAL (no fsync on the event loop) and made durable
 * by `wal.sync()`, an fdatasync of the log off the event loop, before they are acknowledged. Every other write
 * transaction (migrations, metric history, leases) commits the same way, through the dialect (durableCommits): off
 * the event loop, acknowledged once flushed. The connection is held from the first pragma to the last, so no other
 * statement of this process runs in between.
 */
function batchHooks(
  wal: WalSync,
  checkpoints: LazyCheckpointer,
  dialect: NodeSqliteDialect,
): Pick<SqlDialectHooks, 'batchTransaction' | 'durable' | 'close'> {
  const durable = () => {
    checkpoints.wrote();
    return wal.sync();
  };
  // The other transactions (migrations, leases, alert state, metric history) are made durable the same way
  // (node-sqlite-dialect.ts); the checkpointer thread still starts with the first group commit.
  dialect.durableCommits(() => wal.sync());
  return {
    batchTransaction: (db, fn) =>
      db.connection().execute((conn) =>
        dialect.batch(async () => {
          await sql`PRAGMA synchronous = NORMAL`.execute(conn);
          try {
            return await conn.transaction().execute(fn);
          } finally {
            await sql`PRAGMA synchronous = FULL`.execute(conn);
          }
        }),
      ),
    durable,
    close: async () => {
      await checkpoints.close();
      await wal.close();
    },
  };
}

/**
 * Starts the checkpointer thread (checkpointer.ts) with the first group commit at least `afterMs` after the store
 * opened, so a short-lived store (a CLI command, most tests) pays no thread (about 40 ms of CPU to start and stop).
 * Until then the main connection checkpoints as SQLite does by default (1,000 pages); once the thread runs, only as
 * a fallback (10,000 pages), and at 1,000 again if the thread fails.
 */
class LazyCheckpointer {
  readonly #file: string;
  readonly #database: DatabaseSync;
  readonly #startAt: number;
  #checkpointer: Checkpointer | undefined;
  #closed = false;

  constructor(file: string, database: DatabaseSync, afterMs: number) {
    this.#file = file;
    this.#database = database;
    this.#startAt = performance.now() + afterMs;
  }

  /** A group commit wrote to the log. */
  wrote(): void {
    if (this.#checkpointer !== undefined || this.#closed || performance.now() < this.#startAt) return;
    this.#database.exec(`PRAGMA wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
    this.#checkpointer = new Checkpointer(this.#file, () => {
      try {
        this.#database.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
      } catch {
        // Closed meanwhile: nothing left to checkpoint from here.
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#checkpointer?.close();
  }
}

/** A store's checkpointer thread starts with its first group commit this long after it opened (ms). */
const CHECKPOINTER_AFTER_MS = 1000;

const connections = new WeakMap<Store, DatabaseSync>();

/**
 * The connection under a store this module opened. For tests only: a test that must make the live store unable
 * to write sets `PRAGMA query_only` on it (see test/store-readonly.test.ts for why that stands for a read-only file).
 */
export function sqliteConnectionForTests(store: Store): DatabaseSync | undefined {
  return connections.get(store);
}

/**
 * Opens (creating folders and file as needed) and migrates the SQLite store at `file`; `:memory:` gives a private
 * in-memory store. WAL, synchronous=FULL, and group commits flushed off the event loop (`batchHooks`): every
 * acknowledged commit is on disk and survives SIGKILL or power loss.
 * Other processes may open the same file (they wait up to busy_timeout for the write lock), but open it once per
 * process: node:sqlite is synchronous, so a second connection here waiting for the lock would block the very event
 * loop the first needs to commit. `extraMigrations` (tests of a rolling upgrade) stand for the steps of a newer polis.
 */
export async function openSqliteStore(
  file: string,
  opts: {
    readonly extraMigrations?: readonly Migration[];
    /** How long after opening the checkpointer thread may start (tests: 0). */
    readonly checkpointerAfterMs?: number;
  } = {},
): Promise<Store> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new DatabaseSync(file);
  try {
    database.exec('PRAGMA journal_mode = WAL');
    database.exec('PRAGMA synchronous = FULL');
    database.exec('PRAGMA busy_timeout = 10000');
    database.exec('PRAGMA foreign_keys = ON');
    // A group commit's jobs each run in a savepoint, and SQLite keeps the pages a savepoint may have to restore in a
    // statement journal: past 64 KiB (about every batch of several writes: some 70 KB per write) that journal is a
    // temporary file, created, written page by page and deleted on the event loop for every batch (strace at 32
    // writers: 18 page writes to it per write, against 8 to the log). In memory it is a copy of each page. Temporary
    // tables and indexes of a query (an ORDER BY without an index) are kept in memory too; nothing durable changes.
    database.exec('PRAGMA temp_store = MEMORY');
  } catch (e) {
    database.close();
    throw e;
  }
  const dialect = new NodeSqliteDialect(database);
  const db = new Kysely<Schema>({ dialect });
  // An in-memory store has no log to flush: its commits are as durable as it gets. On a file, the log is copied into
  // the database by a checkpointer thread once the store has lived a second (LazyCheckpointer), not by the commit
  // that crosses 1,000 pages on the event loop.
  const hooks = {
    ...sqliteHooks,
    ...(file === ':memory:'
      ? {}
      : batchHooks(
          new WalSync(file),
          new LazyCheckpointer(file, database, opts.checkpointerAfterMs ?? CHECKPOINTER_AFTER_MS),
          dialect,
        )),
    runInBatch: dialect.runNow,
    // Point reads while the connection is free skip the query builder (a GET's statement, every request's Token).
    readNow: { idle: dialect.idle, run: dialect.runNow },
  };
  const store = createSqlStore(db, withExtraMigrations(hooks, opts.extraMigrations));
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw e;
  }
  connections.set(store, database);
  return store;
}
