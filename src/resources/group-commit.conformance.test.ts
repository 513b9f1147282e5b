import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../../test/setup/backends.ts';
import { ConflictError } from '../kernel/errors.ts';
import { verifyChain, type AuditEntry, type AuditEntryInput } from './audit-log.ts';
import type { StoredObject } from './envelope.ts';
import type { Store, StoreTx } from './store.ts';
import { storedObject } from '../../test/support/stored-objects.ts';

function item(name: string, revision: number, spec: unknown = { n: 0 }): StoredObject {
  return storedObject(name, revision, { kind: 'Item', spec });
}

const audit = (name: string): AuditEntryInput => ({
  time: '2026-01-01T00:00:00.000Z',
  actor: 'alice',
  verb: 'create',
  apiVersion: 'polis.example/v1',
  kind: 'Item',
  tenant: 'finance',
  name,
  outcome: 'success',
  code: 201,
  message: 'created',
  requestId: `req-${name}`,
  changes: null,
});

/** A write as the resource service makes one: the object, its event and its audit entry. */
async function createIn(tx: StoreTx, name: string): Promise<number> {
  const revision = await tx.nextRevision();
  await tx.put(item(name, revision), 'ADDED');
  await tx.appendAudit(audit(name));
  return revision;
}

async function allAudit(store: Store): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const page of store.scanAudit(100)) out.push(...page);
  return out;
}

const key = (name: string) => ({ kind: 'Item', tenant: 'finance', name });

forEachBackend('group commit', (backend) => {
  let store: Store;
  let queryRaw: (sqlText: string) => Promise<Record<string, unknown>[]>;
  let execRaw: (sqlText: string) => Promise<void>;

  beforeEach(async () => {
    ({ store, queryRaw, execRaw } = await backend.openWithRawAccess());
  });
  afterEach(async () => {
    await store.close();
  });

  it('lets concurrent writers share commits, giving them dense revisions in event order and one audit chain', async () => {
    const before = store.commitCounts();
    const revisions = await Promise.all(
      Array.from({ length: 32 }, (_, i) => store.transaction((tx) => createIn(tx, `w${i}`))),
    );
    const after = store.commitCounts();
    expect(after.transactions - before.transactions).toBe(32);
    // All 32 were queued before the first could take the writer lock: they share one commit, not 32.
    expect(after.commits - before.commits).toBeLessThanOrEqual(2);
    expect([...revisions].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b)); // in the order they were submitted
    const events = await store.changesSince(0, 100);
    expect(events.map((e) => e.revision)).toEqual(revisions);
    expect(events.map((e) => e.object.metadata.name)).toEqual(revisions.map((_, i) => `w${i}`));
    expect(await store.currentRevision()).toBe(32);
    const chain = await allAudit(store);
    expect(chain.map((e) => e.name)).toEqual(revisions.map((_, i) => `w${i}`));
    expect(verifyChain(chain).ok).toBe(true);
  });

  it('fails only the transaction that throws when it shares a commit, leaving no trace of it', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        store.transaction(async (tx) => {
          const revision = await createIn(tx, `w${i}`);
          if (i === 0 || i === 3 || i === 7) throw new Error(`refused w${i}`);
          return revision;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 10 }, (_, i) => (i === 0 || i === 3 || i === 7 ? 'rejected' : 'fulfilled')),
    );
    expect((results[3] as PromiseRejectedResult).reason).toEqual(new Error('refused w3'));
    const kept = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value as number] : []));
    // The revisions the refused ones gave up are handed to the next: no revision without its event.
    expect(kept).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const names = ['w1', 'w2', 'w4', 'w5', 'w6', 'w8', 'w9'];
    expect((await store.changesSince(0, 100)).map((e) => e.object.metadata.name)).toEqual(names);
    expect((await store.list({ kind: 'Item' })).items.map((o) => o.metadata.name)).toEqual(names);
    const chain = await allAudit(store);
    expect(chain.map((e) => e.name)).toEqual(names);
    expect(verifyChain(chain).ok).toBe(true);
    expect((await store.stats()).revision).toBe(7);
  });

  it('leaves no trace of a transaction that wrote, read and wrote again before it threw', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        store.transaction(async (tx) => {
          const revision = await createIn(tx, `w${i}`);
          // A read sends what the job holds back; more of its code follows, which may still throw.
          expect(await tx.get(key(`w${i}`))).toBeDefined();
          await createIn(tx, `x${i}`);
          if (i === 2 || i === 4) throw new Error(`refused w${i}`);
          return revision;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 6 }, (_, i) => (i === 2 || i === 4 ? 'rejected' : 'fulfilled')),
    );
    const names = ['w0', 'x0', 'w1', 'x1', 'w3', 'x3', 'w5', 'x5'];
    expect((await store.changesSince(0, 100)).map((e) => e.object.metadata.name)).toEqual(names);
    expect((await store.list({ kind: 'Item' })).items.map((o) => o.metadata.name).sort()).toEqual([...names].sort());
    const chain = await allAudit(store);
    expect(chain.map((e) => e.name)).toEqual(names);
    expect(verifyChain(chain).ok).toBe(true);
  });

  it('acknowledges only what it committed when a statement of one transaction fails in the database', async () => {
    // The database refuses the object named "bad" (not the code): the write fails in its last statement.
    await execRaw(
      backend.name === 'postgres'
        ? `ALTER TABLE objects ADD CONSTRAINT refuse_bad CHECK (name <> 'bad')`
        : `CREATE TRIGGER refuse_bad BEFORE INSERT ON objects WHEN NEW.name = 'bad' BEGIN SELECT RAISE(ABORT, 'bad'); END`,
    );
    const names = ['a0', 'a1', 'bad', 'a3', 'a4'];
    const results = await Promise.allSettled(names.map((n) => store.transaction((tx) => createIn(tx, n))));
    expect(results[2]!.status).toBe('rejected');
    // Whether the others shared the failed commit (PostgreSQL: a failed statement aborts the transaction) or not,
    // each acknowledged write is stored, each refused one is not, and revisions and the audit chain stay dense.
    const acknowledged = names.filter((_, i) => results[i]!.status === 'fulfilled');
    await store.transaction((tx) => createIn(tx, 'after'));
    const stored = (await store.changesSince(0, 100)).map((e) => e.object.metadata.name);
    expect(stored).toEqual([...acknowledged, 'after']);
    expect((await store.changesSince(0, 100)).map((e) => e.revision)).toEqual(stored.map((_, i) => i + 1));
    const chain = await allAudit(store);
    expect(chain.map((e) => e.name)).toEqual(stored);
    expect(verifyChain(chain).ok).toBe(true);
  });

  it('shows a later transaction of the same commit what an earlier one wrote, and keeps it when a later one throws', async () => {
    // PostgreSQL holds a transaction's last write back to travel with the next ones (BatchState.defer): each read
    // below must still see the writes of the transactions before it, and a refused one must not take them along.
    const seen: unknown[] = [];
    const before = store.commitCounts();
    const results = await Promise.allSettled([
      store.transaction((tx) => createIn(tx, 'a')),
      store.transaction(async (tx) => {
        seen.push((await tx.get(key('a')))?.spec);
        const revision = await tx.nextRevision();
        await tx.put(item('a', revision, { n: 1 }), 'MODIFIED');
        return revision;
      }),
      store.transaction(async (tx) => {
        seen.push((await tx.get(key('a')))?.spec);
        return createIn(tx, 'b');
      }),
      store.transaction(async (tx) => {
        await createIn(tx, 'refused');
        seen.push((await tx.get(key('b')))?.metadata.name);
        throw new Error('refused');
      }),
      store.transaction((tx) => createIn(tx, 'c')),
      store.transaction(async (tx) => {
        seen.push((await tx.listAll(['Item'], 'finance')).map((o) => o.metadata.name));
        return createIn(tx, 'd');
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(store.commitCounts().commits - before.commits).toBeLessThanOrEqual(2);
    expect(seen).toEqual([{ n: 0 }, { n: 1 }, 'b', ['a', 'b', 'c']]);
    expect((await store.get(key('a')))?.spec).toEqual({ n: 1 });
    expect((await store.changesSince(0, 100)).map((e) => e.object.metadata.name)).toEqual(['a', 'a', 'b', 'c', 'd']);
    expect((await store.changesSince(0, 100)).map((e) => e.revision)).toEqual([1, 2, 3, 4, 5]);
    const chain = await allAudit(store);
    expect(chain.map((e) => e.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(verifyChain(chain).ok).toBe(true);
  });

  it('keeps optimistic concurrency exact: of twenty writers holding the same resourceVersion, one wins', async () => {
    const seen = await store.transaction(async (tx) => {
      const revision = await tx.nextRevision();
      await tx.put(item('shared', revision), 'ADDED');
      return String(revision);
    });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (tx) => {
          const current = (await tx.get(key('shared')))!;
          if (current.metadata.resourceVersion !== seen) throw new ConflictError('stale resourceVersion');
          const revision = await tx.nextRevision();
          await tx.put(
            {
              ...item('shared', revision, { n: i }),
              metadata: { ...current.metadata, resourceVersion: String(revision) },
            },
            'MODIFIED',
          );
          return i;
        }),
      ),
    );
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof ConflictError)).toBe(true);
    const final = (await store.get(key('shared')))!;
    expect(final.spec).toEqual({ n: (winners[0] as PromiseFulfilledResult<number>).value });
    expect(final.metadata.resourceVersion).toBe('2');
  });

  it('acknowledges a transaction only once another connection can read it', async () => {
    const checks = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        store
          .transaction((tx) => createIn(tx, `w${i}`))
          .then(async (revision) => {
            const rows = await queryRaw(`SELECT revision FROM events WHERE revision = ${revision}`);
            const counter = await queryRaw('SELECT revision FROM revision_counter WHERE id = 1');
            return { found: rows.length, counterCovers: Number(counter[0]!.revision) >= revision };
          }),
      ),
    );
    expect(checks).toEqual(Array.from({ length: 16 }, () => ({ found: 1, counterCovers: true })));
  });

  it('serves writes that arrive while a commit is in flight in a later commit, in arrival order', async () => {
    const order: string[] = [];
    const first = Array.from({ length: 8 }, (_, i) =>
      store.transaction((tx) => createIn(tx, `a${i}`)).then((r) => (order.push(`a${i}`), r)),
    );
    // Queued from inside the first batch (after its first job began), so they may join it or follow it.
    const later = first[0]!.then(() =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.transaction((tx) => createIn(tx, `b${i}`)).then((r) => (order.push(`b${i}`), r)),
        ),
      ),
    );
    const revisions = [...(await Promise.all(first)), ...(await later)];
    expect(revisions).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(order).toEqual([
      ...Array.from({ length: 8 }, (_, i) => `a${i}`),
      ...Array.from({ length: 8 }, (_, i) => `b${i}`),
    ]);
    const counts = store.commitCounts();
    expect(counts.transactions).toBe(16);
    expect(counts.commits).toBeLessThan(16);
  });
});
