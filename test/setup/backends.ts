import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { describe, inject } from 'vitest';
import { openPostgresStore } from '../../src/resources/postgres/postgres-store.ts';
import { openSqliteStore } from '../../src/resources/sqlite/sqlite-store.ts';
import type { Store } from '../../src/resources/store.ts';
import { skipTitle } from '../support/skip.ts';
import type {} from './global-setup.ts';

export type BackendName = 'sqlite' | 'postgres';

/** A test store plus a second, raw connection to the same database, for reaching under the store (tampering). */
export interface RawTestStore {
  readonly store: Store;
  /** Runs SQL outside the store, as another client of the same database would. */
  execRaw(sqlText: string): Promise<void>;
  /** Runs a query on a connection of its own (a fresh one per call) and returns its rows. */
  queryRaw(sqlText: string): Promise<Record<string, unknown>[]>;
}

export interface TestBackend {
  readonly name: BackendName;
  /** False when the backend cannot run here (no PostgreSQL); suites over it are skipped, visibly. */
  readonly available: boolean;
  /**
   * A fresh, empty, migrated store of its own (SQLite: a file in a temp folder; PostgreSQL: a schema of its own on
   * the provided server); `close()` deletes it.
   */
  open(): Promise<Store>;
  openWithRawAccess(): Promise<RawTestStore>;
}

/**
 * The throwaway PostgreSQL's URL from the global setup, or null without one. Read when first needed, not when this
 * module loads: a benchmark run by node (bench/console-i18n.ts through test/support/test-polis.ts) loads it outside
 * vitest, where `inject` throws; there no PostgreSQL is provided.
 */
let pgUrlRead: string | null | undefined;
function pgUrl(): string | null {
  if (pgUrlRead === undefined) {
    try {
      pgUrlRead = inject('pgUrl');
    } catch {
      pgUrlRead = null;
    }
  }
  return pgUrlRead;
}

const sqliteBackend: TestBackend = {
  name: 'sqlite',
  available: true,
  async open() {
    return (await this.openWithRawAccess()).store;
  },
  async openWithRawAccess() {
    const dir = mkdtempSync(join(tmpdir(), 'polis-test-'));
    const file = join(dir, 'polis.db');
    const inner = await openSqliteStore(file);
    const store = withCleanup(inner, async () => rmSync(dir, { recursive: true, force: true }));
    const execRaw = async (sqlText: string) => {
      const db = new DatabaseSync(file);
      try {
        db.exec('PRAGMA busy_timeout = 10000');
        db.exec(sqlText);
      } finally {
        db.close();
      }
    };
    const queryRaw = async (sqlText: string) => {
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        return db.prepare(sqlText).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    };
    return { store, execRaw, queryRaw };
  },
};

const postgresBackend: TestBackend = {
  name: 'postgres',
  get available() {
    return pgUrl() !== null;
  },
  async open() {
    return (await this.openWithRawAccess()).store;
  },
  async openWithRawAccess() {
    const { url, drop } = await createPostgresTestSchema();
    const inner = await openPostgresStore(url).catch(async (e: unknown) => {
      await drop();
      throw e;
    });
    const store = withCleanup(inner, drop);
    const execRaw = async (sqlText: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(sqlText);
      } finally {
        await client.end();
      }
    };
    const queryRaw = async (sqlText: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sqlText)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    };
    return { store, execRaw, queryRaw };
  },
};

/**
 * An empty schema of its own on the provided PostgreSQL server and a URL that selects it (through search_path), for
 * tests that open stores themselves. CREATE DATABASE costs ~300 ms; a schema about 1 ms.
 */
export async function createPostgresTestSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = pgUrl();
  if (admin === null) throw new Error('PostgreSQL is not available in this test run');
  const schema = `polis_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(admin, `CREATE SCHEMA ${schema}`);
  const url = new URL(admin);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => adminQuery(admin, `DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

/** `inner`, whose close() also runs `cleanup` (once, after closing). */
function withCleanup(inner: Store, cleanup: () => Promise<void>): Store {
  let closed: Promise<void> | undefined;
  return {
    ...inner,
    scanAudit: (pageSize) => inner.scanAudit(pageSize),
    close: () => (closed ??= inner.close().then(cleanup)),
  };
}

async function adminQuery(url: string, sqlText: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sqlText);
  } finally {
    await client.end();
  }
}

/** Every store backend, PostgreSQL marked unavailable when the run has no server. */
export const BACKENDS: readonly TestBackend[] = [sqliteBackend, postgresBackend];

/** `describe(`${title} (${backend})`)` once per backend; an unavailable backend's suite is reported as skipped. */
export function forEachBackend(title: string, body: (backend: TestBackend) => void): void {
  for (const backend of BACKENDS)
    describe.skipIf(!backend.available)(
      skipTitle(
        `${title} (${backend.name})`,
        !backend.available && 'no PostgreSQL (install postgresql, or set POLIS_TEST_DATABASE_URL)',
      ),
      () => body(backend),
    );
}

/** A fresh store on the named backend for tests of the layers above it; throws when that backend is unavailable. */
export function openTestStore(name: BackendName = 'sqlite'): Promise<Store> {
  const backend = BACKENDS.find((b) => b.name === name)!;
  if (!backend.available) throw new Error(`the ${name} test backend is not available in this run`);
  return backend.open();
}
