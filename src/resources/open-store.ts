import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../kernel/errors.ts';
import type { Store } from './store.ts';

export interface OpenStoreOptions {
  /**
   * `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite:<path>`, `sqlite::memory:`, a `file:` URL or a plain
   * path for SQLite. Absent: SQLite at `<dataDir>/polis.db`.
   */
  readonly databaseUrl?: string;
  readonly dataDir: string;
}

/**
 * Opens and migrates the configured store. The one place outside the backend folders that names them; each backend
 * is loaded only when chosen, so an embedded polis never loads the PostgreSQL driver.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const url = opts.databaseUrl?.trim();
  if (url && /^postgres(ql)?:\/\//i.test(url)) {
    const { openPostgresStore } = await import('./postgres/postgres-store.ts');
    return openPostgresStore(url);
  }
  const { openSqliteStore } = await import('./sqlite/sqlite-store.ts');
  return openSqliteStore(url ? sqlitePath(url) : join(opts.dataDir, 'polis.db'));
}

/** The store kind `databaseUrl` opens (backups record it). */
export function storeKindOf(databaseUrl: string | undefined): 'sqlite' | 'postgres' {
  return databaseUrl && /^postgres(ql)?:\/\//i.test(databaseUrl.trim()) ? 'postgres' : 'sqlite';
}

/** The file a SQLite URL names; relative paths are relative to the working directory. */
function sqlitePath(url: string): string {
  if (/^file:/i.test(url)) return fileURLToPath(url);
  const m = /^sqlite:(?:\/\/(?=\/))?(.*)$/i.exec(url);
  if (m) {
    const path = m[1]!;
    if (path === ':memory:') return path;
    if (path === '') throw badUrl(url);
    return resolve(path);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw badUrl(url);
  return resolve(url);
}

function badUrl(url: string): InputError {
  return new InputError(`unsupported database URL '${url.replace(/\/\/[^@/]*@/, '//***@')}'`, [
    {
      path: 'databaseUrl',
      message: 'postgres://user:password@host:port/db, sqlite:/path/to/polis.db, sqlite::memory: or a file path',
    },
  ]);
}
