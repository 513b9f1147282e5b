import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredObject } from '../envelope.ts';
import { openSqliteStore, sqliteConnectionForTests } from './sqlite-store.ts';
import { WalSync } from './wal-sync.ts';

/** FileHandle's prototype (the class is not exported), so its datasync can be held back by a test. */
async function fileHandlePrototype(file: string): Promise<{ datasync(): Promise<void> }> {
  const handle = await open(file, 'r');
  const proto = Object.getPrototypeOf(handle) as { datasync(): Promise<void> };
  await handle.close();
  return proto;
}

/** A datasync spy whose calls wait until the test releases them, in call order. */
function heldDatasync(proto: { datasync(): Promise<void> }) {
  const pending: Array<() => void> = [];
  const original = proto.datasync;
  const spy = vi.spyOn(proto, 'datasync').mockImplementation(function (this: unknown) {
    return new Promise<void>((resolve) => pending.push(resolve)).then(() => original.call(this));
  });
  return { spy, pending };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting until ${what}`);
}

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
    },
  }) as StoredObject;

describe('SQLite group commits made durable off the event loop', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'polis-wal-sync-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a write only after an fdatasync of the log, while the event loop keeps running', async () => {
    const file = join(dir, 'polis.db');
    const store = await openSqliteStore(file);
    const { spy, pending } = heldDatasync(await fileHandlePrototype(file));
    try {
      let acknowledged = false;
      const write = store
        .transaction(async (tx) => {
          await tx.put(item('a', await tx.nextRevision()), 'ADDED');
        })
        .then(() => {
          acknowledged = true;
        });
      await until(() => pending.length === 1, 'the log is being flushed');
      // Committed (another connection reads it) but not yet acknowledged: the flush holds the answer back, and
      // timers still fire meanwhile (the flush is not on the event loop).
      const other = new DatabaseSync(file);
      expect(other.prepare('SELECT name FROM objects WHERE kind = ?').all('Item')).toEqual([{ name: 'a' }]);
      other.close();
      await new Promise((r) => setTimeout(r, 20));
      expect(acknowledged).toBe(false);
      pending.shift()!();
      await write;
      expect(spy).toHaveBeenCalledTimes(1);
      // Every other write keeps SQLite's own fsync at commit.
      expect(sqliteConnectionForTests(store)!.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    } finally {
      for (const release of pending.splice(0)) release();
      await store.close();
    }
  });

  it('lets the next batch commit while the previous one is flushed, acknowledging both in commit order', async () => {
    const file = join(dir, 'polis.db');
    const store = await openSqliteStore(file);
    const { pending } = heldDatasync(await fileHandlePrototype(file));
    try {
      const order: string[] = [];
      const put = (name: string) =>
        store
          .transaction(async (tx) => {
            await tx.put(item(name, await tx.nextRevision()), 'ADDED');
          })
          .then(() => order.push(name));
      const first = put('first');
      await until(() => pending.length === 1, 'the first batch is being flushed');
      const second = put('second');
      // The second batch commits while the first flush is still held back.
      await until(() => {
        const other = new DatabaseSync(file);
        const n = other.prepare('SELECT count(*) AS n FROM objects').get() as { n: number };
        other.close();
        return n.n === 2;
      }, 'the second batch committed');
      // Its flush starts at once, beside the first one, and ends first: the second batch still waits for the first.
      await until(() => pending.length === 2, 'the second batch is being flushed');
      expect(order).toEqual([]);
      pending.pop()!();
      await new Promise((r) => setTimeout(r, 20));
      expect(order).toEqual([]);
      pending.shift()!();
      await Promise.all([first, second]);
      expect(order).toEqual(['first', 'second']);
    } finally {
      for (const release of pending.splice(0)) release();
      await store.close();
    }
  });

  it('shares one fdatasync among the callers that ask while every descriptor is busy, and fails every later one after a failure', async () => {
    const file = join(dir, 'polis.db');
    writeFileSync(`${file}-wal`, '');
    const wal = new WalSync(file, 1);
    const proto = await fileHandlePrototype(`${file}-wal`);
    const { spy, pending } = heldDatasync(proto);
    try {
      const a = wal.sync();
      await until(() => pending.length === 1, 'the first flush started');
      const b = wal.sync();
      const c = wal.sync();
      pending.shift()!();
      await a;
      await until(() => pending.length === 1, 'the second flush started');
      pending.shift()!();
      await Promise.all([b, c]);
      expect(spy).toHaveBeenCalledTimes(2);
      expect(wal.syncs).toBe(2);

      spy.mockImplementation(() => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })));
      await expect(wal.sync()).rejects.toMatchObject({ code: 'EIO' });
      spy.mockImplementation(() => Promise.resolve());
      await expect(wal.sync()).rejects.toMatchObject({ code: 'EIO' });
    } finally {
      for (const release of pending.splice(0)) release();
      await wal.close();
    }
  });

  it('runs fdatasync calls side by side up to its limit, each on a descriptor of its own, resolving them in call order', async () => {
    const file = join(dir, 'polis.db');
    writeFileSync(`${file}-wal`, '');
    const wal = new WalSync(file, 2);
    const proto = await fileHandlePrototype(`${file}-wal`);
    const { spy, pending } = heldDatasync(proto);
    try {
      const ended: string[] = [];
      const track = (name: string, p: Promise<void>) =>
        p.then(
          () => ended.push(name),
          () => ended.push(`${name} failed`),
        );
      const a = track('a', wal.sync());
      const b = track('b', wal.sync());
      await until(() => pending.length === 2, 'two flushes run');
      // Both descriptors are busy: c and d share the next call.
      const c = track('c', wal.sync());
      const d = track('d', wal.sync());
      const descriptors = new Set(spy.mock.contexts.map((h) => (h as { fd: number }).fd));
      expect(descriptors.size).toBe(2);
      // b's fdatasync ends first; b is acknowledged only after a.
      pending.pop()!();
      await until(() => pending.length === 2, 'the shared call started on the free descriptor');
      await new Promise((r) => setTimeout(r, 20));
      expect(ended).toEqual([]);
      pending.shift()!();
      await Promise.all([a, b]);
      expect(ended).toEqual(['a', 'b']);
      pending.shift()!();
      await Promise.all([c, d]);
      expect(ended).toEqual(['a', 'b', 'c', 'd']);
      expect(wal.syncs).toBe(3);
    } finally {
      for (const release of pending.splice(0)) release();
      await wal.close();
    }
  });

  it('fails a call that ended well when a call started before it failed', async () => {
    const file = join(dir, 'polis.db');
    writeFileSync(`${file}-wal`, '');
    const wal = new WalSync(file, 2);
    const proto = await fileHandlePrototype(`${file}-wal`);
    const gates: Array<(ok: boolean) => void> = [];
    vi.spyOn(proto, 'datasync').mockImplementation(
      () =>
        new Promise<void>((resolve, reject) =>
          gates.push((ok) => (ok ? resolve() : reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })))),
        ),
    );
    try {
      const a = wal.sync();
      const b = wal.sync();
      await until(() => gates.length === 2, 'two flushes run');
      // The later call's fdatasync succeeds first, the earlier one's fails: neither is acknowledged.
      gates[1]!(true);
      gates[0]!(false);
      await expect(a).rejects.toMatchObject({ code: 'EIO' });
      await expect(b).rejects.toMatchObject({ code: 'EIO' });
      await expect(wal.sync()).rejects.toMatchObject({ code: 'EIO' });
    } finally {
      await wal.close();
    }
  });

  it('fails the callers still waiting for a descriptor when it is closed, never acknowledging them', async () => {
    const file = join(dir, 'polis.db');
    writeFileSync(`${file}-wal`, '');
    const wal = new WalSync(file, 1);
    const { pending } = heldDatasync(await fileHandlePrototype(`${file}-wal`));
    const a = wal.sync();
    await until(() => pending.length === 1, 'the first flush started');
    const b = wal.sync();
    const closed = wal.close();
    const bEnded = b.then(
      () => 'acknowledged',
      (e: unknown) => (e as Error).message,
    );
    // Answered in call order: after the running flush, which still acknowledges its own caller.
    pending.shift()!();
    await a;
    expect(await bEnded).toBe('the store is closed');
    await closed;
  });
});
