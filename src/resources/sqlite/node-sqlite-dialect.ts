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

/**
 * Kysely's SqliteDriver, except that transactions start with BEGIN IMMEDIATE: the write lock is taken up front. It
 * counts who holds the connection, so that a read can run at once while nobody does (`NodeSqliteDialect.readNow`).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  held = 0;

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.held++;
    return connection;
  }

  override async releaseConnection(): Promise<void> {
    this.held--;
    await super.releaseConnection();
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

  constructor(database: DatabaseSync) {
    const adapted = adaptNodeSqlite(database);
    const config: SqliteDialectConfig = { database: adapted };
    super(config);
    this.#config = config;
    this.#database = adapted;
    this.#raw = database;
  }

  override createDriver(): Driver {
    const driver = new ImmediateSqliteDriver(this.#config);
    this.#drivers.push(driver);
    return driver;
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
