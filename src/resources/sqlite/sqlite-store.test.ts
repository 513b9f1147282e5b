import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from './sqlite-store.ts';

/** A child process that commits writes as fast as it can and prints each revision once its commit returned. */
const writer = (file: string) => `
  const { openSqliteStore } = await import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'sqlite-store.ts')).href)});
  const store = await openSqliteStore(${JSON.stringify(file)});
  for (let i = 0; ; i++) {
    const revision = await store.transaction(async (tx) => {
      const r = await tx.nextRevision();
      await tx.put({ apiVersion: 'v1', kind: 'Item', metadata: { name: 'item-' + i, uid: 'u' + i, resourceVersion: String(r), generation: 1, creationTimestamp: '2026-01-01T00:00:00.000Z' } }, 'ADDED');
      return r;
    });
    process.stdout.write(revision + '\\n');
  }
`;

describe('the SQLite store on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'polis-sqlite-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write when the writing process is killed with SIGKILL', async () => {
    const file = join(dir, 'polis.db');
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer(file)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let acknowledged = 0;
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line) acknowledged = Math.max(acknowledged, Number(line));
        if (acknowledged >= 200) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          child.once('exit', () => resolve());
        }
      });
    });
    const store = await openSqliteStore(file);
    try {
      const revision = await store.currentRevision();
      expect(revision).toBeGreaterThanOrEqual(acknowledged);
      const items = (await store.list({ kind: 'Item' })).items;
      expect(items).toHaveLength(revision);
      expect((await store.changesSince(0, 100_000)).map((e) => e.revision)).toEqual(
        Array.from({ length: revision }, (_, i) => i + 1),
      );
    } finally {
      await store.close();
    }
  });

  it('works in memory with :memory:', async () => {
    const store = await openSqliteStore(':memory:');
    await store.transaction(async (tx) => {
      const r = await tx.nextRevision();
      await tx.put(
        {
          apiVersion: 'v1',
          kind: 'Item',
          metadata: {
            name: 'a',
            uid: 'u',
            resourceVersion: String(r),
            generation: 1,
            creationTimestamp: '2026-01-01T00:00:00.000Z',
          },
        },
        'ADDED',
      );
    });
    expect((await store.stats()).objects).toBe(1);
    await store.close();
  });

  it('lets a second store on the same file (as another process would) see committed writes and continue the revision sequence', async () => {
    const file = join(dir, 'polis.db');
    const a = await openSqliteStore(file);
    const b = await openSqliteStore(file);
    try {
      const put = (store: typeof a, name: string) =>
        store.transaction(async (tx) => {
          const r = await tx.nextRevision();
          await tx.put(
            {
              apiVersion: 'v1',
              kind: 'Item',
              metadata: {
                name,
                uid: name,
                resourceVersion: String(r),
                generation: 1,
                creationTimestamp: '2026-01-01T00:00:00.000Z',
              },
            },
            'ADDED',
          );
          return r;
        });
      // One after another: two connections in one process must not write concurrently (see openSqliteStore).
      const revisions = [await put(a, 'x1'), await put(b, 'y1'), await put(a, 'x2'), await put(b, 'y2')];
      expect(revisions).toEqual([1, 2, 3, 4]);
      expect((await b.list({ kind: 'Item' })).items.map((o) => o.metadata.name)).toEqual(['x1', 'x2', 'y1', 'y2']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
