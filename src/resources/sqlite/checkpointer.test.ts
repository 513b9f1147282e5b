import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredObject } from '../envelope.ts';
import { Checkpointer, DEFAULT_AUTOCHECKPOINT_PAGES, FALLBACK_AUTOCHECKPOINT_PAGES } from './checkpointer.ts';
import { openSqliteStore, sqliteConnectionForTests } from './sqlite-store.ts';
import { until } from '../../../test/support/until.ts';

const item = (name: string, revision: number): StoredObject =>
  ({
    apiVersion: 'v1',
    kind: 'Item',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: String(revision),
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00.000Z',
      annotations: { filler: 'x'.repeat(2000) },
    },
  }) as StoredObject;

describe('the SQLite checkpointer thread', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'polis-checkpointer-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the log into the database off the event loop; the commits themselves do not checkpoint', async () => {
    const file = join(dir, 'polis.db');
    const store = await openSqliteStore(file, { checkpointerAfterMs: 0 });
    try {
      const conn = sqliteConnectionForTests(store)!;
      // Until the thread starts (with a group commit), the main connection checkpoints as SQLite does by default.
      expect(conn.prepare('PRAGMA wal_autocheckpoint').get()).toEqual({ wal_autocheckpoint: 1000 });
      const before = statSync(file).size;
      for (let i = 0; i < 200; i++)
        await store.transaction(async (tx) => {
          await tx.put(item(`item-${i}`, await tx.nextRevision()), 'ADDED');
        });
      // Then only as a fallback, far above that: only the thread's checkpoints write the database file.
      expect(conn.prepare('PRAGMA wal_autocheckpoint').get()).toEqual({ wal_autocheckpoint: 10_000 });
      await until('the database file grew by a checkpoint', () => statSync(file).size > before, 30_000, 10);
      expect((await store.list({ kind: 'Item' })).items).toHaveLength(200);
    } finally {
      await store.close();
    }
    const again = await openSqliteStore(file);
    try {
      expect((await again.list({ kind: 'Item' })).items).toHaveLength(200);
    } finally {
      await again.close();
    }
  });

  it('runs in a process started as a module, and a close lets that process end', () => {
    const file = join(dir, 'polis.db');
    const script = `
      const { openSqliteStore } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'sqlite-store.ts')).href)});
      const store = await openSqliteStore(${JSON.stringify(file)}, { checkpointerAfterMs: 0 });
      await store.transaction(async (tx) => {
        const r = await tx.nextRevision();
        await tx.put({ apiVersion: 'v1', kind: 'Item', metadata: { name: 'a', uid: 'u', resourceVersion: String(r), generation: 1, creationTimestamp: '2026-01-01T00:00:00.000Z' } }, 'ADDED');
      });
      await new Promise((r) => setTimeout(r, 300));
      await store.close();
      process.stdout.write('closed');
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).not.toMatch(/Error|unsettled/);
    expect(child.stdout).toBe('closed');
    expect(child.status).toBe(0);
  });

  it('starts no thread for a store that closes within its first second', async () => {
    const store = await openSqliteStore(join(dir, 'polis.db'));
    try {
      await store.transaction(async (tx) => {
        await tx.put(item('a', await tx.nextRevision()), 'ADDED');
      });
      const conn = sqliteConnectionForTests(store)!;
      expect(conn.prepare('PRAGMA wal_autocheckpoint').get()).toEqual({ wal_autocheckpoint: 1000 });
    } finally {
      await store.close();
    }
  });

  it('reports a worker that cannot open the database, so the caller turns the automatic checkpoint back on', async () => {
    expect(DEFAULT_AUTOCHECKPOINT_PAGES).toBeLessThan(FALLBACK_AUTOCHECKPOINT_PAGES);
    let failure: unknown;
    const checkpointer = new Checkpointer(join(dir, 'missing', 'polis.db'), (e) => (failure = e), 10);
    await until('the failure was reported', () => failure !== undefined, 30_000, 10);
    expect(checkpointer.failure).toBe(failure);
    await checkpointer.close();
  });
});
