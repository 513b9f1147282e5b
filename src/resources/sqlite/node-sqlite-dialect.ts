import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';

/**
 * Node's built-in `node:sqlite` in the shape Kysely's SqliteDialect expects. Prepared statements are cached by SQL
 * text (Kysely compiles the same text for the same query shape), so a hot query is parsed once.
 */
export function adaptNodeSqlite(database: DatabaseSync, cacheSize = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  const wrap = (stmt: StatementSync): SqliteStatement => ({
    // A statement that returns rows (SELECT, or anything with RETURNING) has result columns.
    reader: stmt.columns().length > 0,
    all: (params) => stmt.all(...(params as SQLInputValue[])),
    run: (params) => stmt.run(...(params as SQLInputValue[])),
    iterate: (params) => stmt.iterate(...(params as SQLInputValue[])),
  });
  return {
    close: () => {
      cache.clear();
      database.close();
    },
    prepare: (sqlText) => {
      let stmt = cache.get(sqlText);
      if (stmt === undefined) {
        stmt = wrap(database.prepare(sqlText));
        if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
        cache.set(sqlText, stmt);
      }
      return stmt;
    },
  };
}

/** What the drivers of one dialect share: how a commit is made durable off the event loop, and whether a batch runs. */
interface CommitState {
  durable?: () => Promise<void>;
  /** Whether the connection has a transaction open. */
  inTransaction?: () => boolean;
  /** A group-commit batch holds the connection: the group commit makes its commit durable itself. */
  batching: boolean;
}

/**
 * Kysely's SqliteDriver, except that transactions start with BEGIN IMMEDIATE: the write lock is taken up front. It
 * counts who holds the connection, so that a read can run at once while nobody does (`NodeSqliteDialect.readNow`).
 * With `durable` (a file), a transaction outside the group commit (a lease renewal, alert state, metric history)
 * commits with synchronous=NORMAL and is made durable by an fdatasync of the log off the event loop, after the
 * connection is released and before the transaction's promise resolves: with synchronous=FULL its fsync ran inside
 * the COMMIT, on the event loop, and every request waited for it (6 ms on a quiet disk, tens on a shared one).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  held = 0;
  readonly #commits: CommitState;
  /** The flush of this hold's commit, awaited once the connection is released. */
  #flush: Promise<void> | undefined;
  /** The open transaction began with synchronous=NORMAL (which may change only outside a transaction). */
  #normal = false;

  constructor(config: SqliteDialectConfig, commits: CommitState) {
    super(config);
    this.#commits = commits;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    this.#normal = this.#commits.durable !== undefined && !this.#commits.batching;
    if (this.#normal) await connection.executeQuery(CompiledQuery.raw('pragma synchronous = normal'));
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (e) {
      await this.#full(connection);
      throw e;
    }
  }

  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const durable = this.#commits.durable;
    if (!this.#normal || durable === undefined) return super.commitTransaction(connection);
    try {
      await super.commitTransaction(connection);
    } finally {
      // A failed COMMIT leaves the transaction open for Kysely's rollback, which restores FULL.
      if (!this.#inTransaction()) await this.#full(connection);
    }
    // Started now, so it covers the log frames this commit wrote; a rejection is seen when it is awaited.
    const flush = durable();
    flush.catch(() => undefined);
    this.#flush = this.#flush ? Promise.all([this.#flush, flush]).then(() => undefined) : flush;
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      if (this.#normal) await this.#full(connection);
    }
  }

  async #full(connection: DatabaseConnection): Promise<void> {
    if (!this.#normal) return;
    this.#normal = false;
    await connection.executeQuery(CompiledQuery.raw('pragma synchronous = full'));
  }

  #inTransaction(): boolean {
    return this.#commits.inTransaction?.() ?? false;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.held++;
    return connection;
  }

  override async releaseConnection(): Promise<void> {
    this.held--;
    const flush = this.#flush;
    this.#flush = undefined;
    await super.releaseConnection();
    // Kysely resolves the transaction only after this: acknowledged once durable, the connection free meanwhile.
    if (flush) await flush;
  }
}

/**
 * SqliteDialect whose transactions take SQLite's write lock at BEGIN, so a writer from another process waits
 * (busy_timeout) instead of failing at its first write with SQLITE_BUSY.
 */
export class NodeSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #database: SqliteDatabase;
  readonly #raw: DatabaseSync;
  readonly #drivers: ImmediateSqliteDriver[] = [];
  readonly #commits: CommitState;

  constructor(database: DatabaseSync) {
    const adapted = adaptNodeSqlite(database);
    const config: SqliteDialectConfig = { database: adapted };
    super(config);
    this.#config = config;
    this.#database = adapted;
    this.#raw = database;
    this.#commits = { batching: false, inTransaction: () => database.isOpen && database.isTransaction };
  }

  override createDriver(): Driver {
    const driver = new ImmediateSqliteDriver(this.#config, this.#commits);
    this.#drivers.push(driver);
    return driver;
  }

  /**
   * Makes every commit outside a group-commit batch durable with `durable` (WalSync.sync: an fdatasync of the log off
   * the event loop) instead of SQLite's fsync inside the COMMIT. Only for a file in WAL mode.
   */
  durableCommits(durable: () => Promise<void>): void {
    this.#commits.durable = durable;
  }

  /** Runs a group-commit batch, which holds the connection throughout: its commit is left to the group commit. */
  async batch<T>(fn: () => Promise<T>): Promise<T> {
    this.#commits.batching = true;
    try {
      return await fn();
    } finally {
      this.#commits.batching = false;
    }
  }

  /**
   * Whether a statement may run on the connection now, outside the query builder: nobody holds it (a query, a
   * transaction, a group-commit batch or a read snapshot) and no transaction is open on it. The read that follows,
   * synchronously, then sees exactly what a read queued for the connection at this moment would.
   */
  readonly idle = (): boolean =>
    this.#raw.isOpen && !this.#raw.isTransaction && this.#drivers.every((d) => d.held === 0);

  /**
   * Runs one statement at once on the connection, from the same prepared-statement cache, and returns its rows.
   * Only for a caller that holds the connection (a group-commit batch, see SqlDialectHooks.runInBatch).
   */
  readonly runNow = (sqlText: string, parameters: readonly unknown[]): readonly unknown[] => {
    const stmt = this.#database.prepare(sqlText);
    if (stmt.reader) return stmt.all(parameters);
    stmt.run(parameters);
    return [];
  };
}
