import { afterEach, describe, expect, inject, it } from 'vitest';
import { createPostgresTestSchema, forEachBackend } from '../../test/setup/backends.ts';
import { skipTitle } from '../../test/support/skip.ts';
import { ConflictError } from '../kernel/errors.ts';
import { LeaderElector } from '../kernel/leader-elector.ts';
import type { Fence } from '../kernel/leader-lease.ts';
import type { StoredObject } from './envelope.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import type { Store } from './store.ts';
import { storedObject } from '../../test/support/stored-objects.ts';

function object(name: string, revision: number): StoredObject {
  return storedObject(name, revision);
}

function put(store: Store, name: string, fence: Fence): Promise<void> {
  return store.transaction(
    async (tx) => {
      await tx.put(object(name, await tx.nextRevision()), 'ADDED');
      await tx.appendAudit({
        time: '2026-01-01T00:00:00.000Z',
        actor: 'system:test',
        verb: 'create',
        apiVersion: 'polis.example/v1',
        kind: 'Application',
        tenant: 'finance',
        name,
        outcome: 'success',
        code: 201,
        message: '',
        requestId: 'r',
        changes: null,
      });
    },
    { fence },
  );
}

async function waitFor(what: string, cond: () => boolean, limitMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Short terms so a takeover happens within the test; the database clock decides expiry. */
const FAST = { leaseMs: 1500, renewMs: 300, renewDeadlineMs: 1000, retryMs: 100 };

function elector(store: Store, holder: string, log: string[]): LeaderElector {
  return new LeaderElector({
    leases: store,
    name: 'controllers',
    holder,
    timing: FAST,
    onElected: (f) => void log.push(`${holder} elected ${f.epoch}`),
    onLost: (f) => void log.push(`${holder} lost ${f.epoch}`),
  });
}

forEachBackend('fencing', (backend) => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  it('a write fenced with the held term commits; one fenced with an ended term is refused and leaves nothing', async () => {
    store = await backend.open();
    const log: string[] = [];
    const a = elector(store, 'a', log);
    await a.start();
    expect(a.isLeader).toBe(true); // One process: the lease is free and the first attempt takes it.
    const term = a.fence();
    await put(store, 'first', term);
    await a.stop();
    expect(log).toEqual([`a elected ${term.epoch}`, `a lost ${term.epoch}`]);
    const revision = await store.currentRevision();
    const audit = (await store.stats()).auditEntries;
    const refused = await put(store, 'second', term).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).causes[0]).toMatchObject({
      code: 'Fenced',
      params: { lease: 'controllers', epoch: term.epoch },
    });
    expect(await store.get({ kind: 'Application', tenant: 'finance', name: 'second' })).toBeUndefined();
    expect(await store.currentRevision()).toBe(revision);
    expect((await store.stats()).auditEntries).toBe(audit);
    // Without a fence (a person's request) the same write goes through.
    await store.transaction(async (tx) => tx.put(object('third', await tx.nextRevision()), 'ADDED'));
  });

  it('a holder that renews its own lapsed term keeps it when nobody took the lease; another holder starts the next term', async () => {
    store = await backend.open();
    const first = await store.acquireLease({ name: 'stall', holder: 'a', epoch: 0, ttlMs: 30 });
    expect(first).toMatchObject({ held: true, holder: 'a' });
    await waitFor('the term to lapse', () => false, 80).catch(() => undefined);
    // Lapsed: a fenced write is refused meanwhile.
    const lapsed = { name: 'stall', holder: 'a', epoch: first.epoch };
    await expect(put(store, 'during-lapse', lapsed)).rejects.toMatchObject({ causes: [{ code: 'Fenced' }] });
    // A renewal of the same term, nobody else in between: the same term, writes pass again.
    const renewed = await store.acquireLease({ name: 'stall', holder: 'a', epoch: first.epoch, ttlMs: 30_000 });
    expect(renewed).toMatchObject({ held: true, holder: 'a', epoch: first.epoch });
    await put(store, 'after-renewal', lapsed);
    // Taken anew (epoch 0: it had stepped down) or by another holder after a lapse: the next term.
    await store.releaseLease('stall', 'a', first.epoch);
    const again = await store.acquireLease({ name: 'stall', holder: 'a', epoch: 0, ttlMs: 30 });
    expect(again).toMatchObject({ held: true, epoch: first.epoch + 1 });
    await waitFor('the term to lapse', () => false, 80).catch(() => undefined);
    const other = await store.acquireLease({ name: 'stall', holder: 'b', epoch: 0, ttlMs: 30_000 });
    expect(other).toMatchObject({ held: true, holder: 'b', epoch: first.epoch + 2 });
    // The old holder's late renewal of its lapsed term does not take it back.
    const late = await store.acquireLease({ name: 'stall', holder: 'a', epoch: first.epoch + 1, ttlMs: 30_000 });
    expect(late).toMatchObject({ held: false, holder: 'b' });
  });
});

describe.skipIf(inject('pgUrl') === null)(
  skipTitle('leader election across replicas (postgres)', inject('pgUrl') === null && 'no PostgreSQL'),
  () => {
    const stores: Store[] = [];
    let drop = async () => {};
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      await drop();
    });

    it('two replicas: exactly one leads; when it stops renewing the other takes over in the next term, and the old leader can write nothing', async () => {
      const schema = await createPostgresTestSchema();
      drop = schema.drop;
      const storeA = await openPostgresStore(schema.url);
      const storeB = await openPostgresStore(schema.url);
      stores.push(storeA, storeB);
      const log: string[] = [];
      const a = elector(storeA, 'a', log);
      const b = elector(storeB, 'b', log);
      await a.start();
      await b.start();
      expect([a.isLeader, b.isLeader]).toEqual([true, false]);
      const first = a.fence();
      await put(storeA, 'by-a', first);
      // B keeps trying while A renews: it never becomes leader. Many of B's attempts pass meanwhile.
      await new Promise((r) => setTimeout(r, 1000));
      expect(b.isLeader).toBe(false);
      expect(a.isLeader).toBe(true);

      // A pauses (stops renewing, as a SIGSTOPped process would): B takes over once the lease expired.
      await a.stop({ release: false });
      await waitFor('B to lead', () => b.isLeader);
      expect(b.fence().epoch).toBe(first.epoch + 1);
      expect(log).toEqual([`a elected ${first.epoch}`, `b elected ${first.epoch + 1}`]);

      // A wakes up and writes with the term it was elected in: refused, nothing of it stored.
      const before = await storeA.currentRevision();
      await expect(put(storeA, 'by-a-late', first)).rejects.toMatchObject({ causes: [{ code: 'Fenced' }] });
      expect(await storeB.get({ kind: 'Application', tenant: 'finance', name: 'by-a-late' })).toBeUndefined();
      expect(await storeB.currentRevision()).toBe(before);
      await put(storeB, 'by-b', b.fence());
      await b.stop();
    });
  },
);
