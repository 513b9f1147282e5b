import { StatementSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredObject } from '../envelope.ts';
import { openSqliteStore } from '../sqlite/sqlite-store.ts';

const tenant = (name: string, revision: number): StoredObject =>
  ({
    apiVersion: 'polis.io/v1',
    kind: 'Tenant',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: String(revision),
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00.000Z',
    },
    spec: { note: 'first' },
  }) as StoredObject;

describe('a store transaction reading objects', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads each object once per transaction and then follows its own writes, handing out fresh copies', async () => {
    const store = await openSqliteStore(':memory:');
    try {
      await store.transaction(async (tx) => {
        await tx.put(tenant('edu', await tx.nextRevision()), 'ADDED');
      });
      const reads = vi.spyOn(StatementSync.prototype, 'all');
      const objectReads = () =>
        reads.mock.contexts.filter((s) => /from "objects"/i.test((s as StatementSync).sourceSQL)).length;
      await store.transaction(async (tx) => {
        const key = { kind: 'Tenant', tenant: '', name: 'edu' };
        const absent = { kind: 'Tenant', tenant: '', name: 'tax' };
        const first = (await tx.get(key))!;
        (first.metadata as { name: string }).name = 'changed by the caller';
        expect((await tx.get(key))!.metadata.name).toBe('edu');
        expect(await tx.get(absent)).toBeUndefined();
        expect(await tx.get(absent)).toBeUndefined();
        expect(objectReads()).toBe(2);
        const changed = { ...tenant('edu', await tx.nextRevision()), spec: { note: 'second' } };
        await tx.put(changed, 'MODIFIED');
        expect((await tx.get(key))!.spec).toEqual({ note: 'second' });
        await tx.put(tenant('tax', await tx.nextRevision()), 'ADDED');
        expect((await tx.get(absent))!.metadata.name).toBe('tax');
        expect(objectReads()).toBe(2);
      });
      expect((await store.get({ kind: 'Tenant', tenant: '', name: 'edu' }))!.spec).toEqual({ note: 'second' });
    } finally {
      await store.close();
    }
  });

  it('costs no statement to release a write of a shared commit: savepoints stay until the commit', async () => {
    const store = await openSqliteStore(':memory:');
    try {
      const runs = vi.spyOn(StatementSync.prototype, 'run');
      const savepoints = (verb: RegExp) =>
        runs.mock.contexts.filter((s) => verb.test((s as StatementSync).sourceSQL)).length;
      const put = (name: string, fail = false) =>
        store.transaction(async (tx) => {
          await tx.put(tenant(name, await tx.nextRevision()), 'ADDED');
          if (fail) throw new Error('refused');
        });
      const results = await Promise.allSettled([put('a'), put('b'), put('c', true), put('d')]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(store.commitCounts()).toEqual({ commits: 1, transactions: 3 });
      expect(savepoints(/^savepoint/i)).toBe(3);
      expect(savepoints(/^rollback to/i)).toBe(1);
      expect(savepoints(/^release/i)).toBe(0);
      expect((await store.list({ kind: 'Tenant' })).items.map((o) => o.metadata.name)).toEqual(['a', 'b', 'd']);
    } finally {
      await store.close();
    }
  });
});
