import { afterEach, describe, expect, inject, it } from 'vitest';
import { createPostgresTestSchema, forEachBackend } from '../../test/setup/backends.ts';
import { skipTitle } from '../../test/support/skip.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { ConflictError } from '../kernel/errors.ts';
import { ownerOf } from '../kernel/shard-assignment.ts';
import type { StoredObject } from './envelope.ts';
import type { ShardFence, Store } from './store.ts';
import { storedObject } from '../../test/support/stored-objects.ts';

function app(name: string, revision: number): StoredObject {
  return storedObject(name, revision, { apiVersion: 'core.oam.dev/v1beta1', spec: {} });
}

/** A sharded write of one application, claimed as the resource service claims it. */
function write(store: Store, name: string, shard: ShardFence): Promise<void> {
  return store.transaction(
    async (tx) => {
      tx.claim({ kind: 'Application', tenant: 'finance', name });
      await tx.put(app(name, await tx.nextRevision()), 'ADDED');
    },
    { shard },
  );
}

function refusal(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof ConflictError ? e.causes[0]?.code : String(e)),
  );
}

const ROOM = { cpuMilli: 1000, memoryBytes: 1000, pods: 10 };

forEachBackend('sharded writes and shared reservations', (backend) => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  it('members see the live set; a write for an application another member owns, or from a gone member, is refused', async () => {
    store = await backend.open();
    const a = await store.heartbeatMember({ id: 'a', epoch: 0, ttlMs: 60_000 });
    const b = await store.heartbeatMember({ id: 'b', epoch: 0, ttlMs: 60_000 });
    expect(b.live).toEqual(['a', 'b']);
    expect(a.epoch).toBeGreaterThan(0);
    // Renewing in time keeps the epoch.
    expect((await store.heartbeatMember({ id: 'a', epoch: a.epoch, ttlMs: 60_000 })).epoch).toBe(a.epoch);
    const names = Array.from({ length: 20 }, (_, i) => `app-${i}`);
    const ofA = names.filter((n) => ownerOf(`finance/${n}`, ['a', 'b']) === 'a');
    const ofB = names.filter((n) => ownerOf(`finance/${n}`, ['a', 'b']) === 'b');
    expect(ofA.length).toBeGreaterThan(0);
    expect(ofB.length).toBeGreaterThan(0);
    await write(store, ofA[0]!, { member: 'a', epoch: a.epoch });
    const revision = await store.currentRevision();
    expect(await refusal(write(store, ofB[0]!, { member: 'a', epoch: a.epoch }))).toBe('ShardMoved');
    expect(await refusal(write(store, ofA[1] ?? ofA[0]!, { member: 'a', epoch: a.epoch + 1 }))).toBe('ShardFenced');
    expect(await store.currentRevision()).toBe(revision);
    // B leaves: its applications are A's now, and B writes nothing more.
    await store.leaveMember('b', b.epoch);
    expect((await store.heartbeatMember({ id: 'a', epoch: a.epoch, ttlMs: 60_000 })).live).toEqual(['a']);
    expect(await refusal(write(store, ofB[0]!, { member: 'b', epoch: b.epoch }))).toBe('ShardFenced');
    await write(store, ofB[0]!, { member: 'a', epoch: a.epoch });
  });

  it('judges every sharded write of one commit by the members it locked once, refusing only those it must', async () => {
    // The members are read (and on PostgreSQL locked) once per batch (BatchState.readOnce): writes that share a
    // commit are judged one by one against that set, and a refused one leaves the others alone.
    store = await backend.open();
    const a = await store.heartbeatMember({ id: 'a', epoch: 0, ttlMs: 60_000 });
    await store.heartbeatMember({ id: 'b', epoch: 0, ttlMs: 60_000 });
    const names = Array.from({ length: 20 }, (_, i) => `app-${i}`);
    const ofA = names.filter((n) => ownerOf(`finance/${n}`, ['a', 'b']) === 'a');
    const ofB = names.filter((n) => ownerOf(`finance/${n}`, ['a', 'b']) === 'b');
    const before = store.commitCounts();
    const results = await Promise.all([
      refusal(write(store, ofA[0]!, { member: 'a', epoch: a.epoch })),
      refusal(write(store, ofB[0]!, { member: 'a', epoch: a.epoch })),
      refusal(write(store, ofA[1] ?? 'a-1', { member: 'a', epoch: a.epoch + 1 })),
      refusal(write(store, ofA.at(-1)!, { member: 'a', epoch: a.epoch })),
    ]);
    expect(results).toEqual([undefined, 'ShardMoved', 'ShardFenced', undefined]);
    expect(store.commitCounts().commits - before.commits).toBeLessThanOrEqual(2);
    const written = (await store.changesSince(0, 100)).map((e) => e.object.metadata.name);
    expect(written).toEqual([ofA[0], ofA.at(-1)]);
  });

  it('an expired member is reaped and comes back in a new epoch; its old epoch writes nothing', async () => {
    store = await backend.open();
    const a = await store.heartbeatMember({ id: 'a', epoch: 0, ttlMs: 30 });
    await new Promise((r) => setTimeout(r, 80));
    const b = await store.heartbeatMember({ id: 'b', epoch: 0, ttlMs: 60_000 });
    expect(b.live).toEqual(['b']);
    expect(await refusal(write(store, 'x', { member: 'a', epoch: a.epoch }))).toBe('ShardFenced');
    const again = await store.heartbeatMember({ id: 'a', epoch: a.epoch, ttlMs: 60_000 });
    expect(again.epoch).toBeGreaterThan(a.epoch);
    expect(again.live).toEqual(['a', 'b']);
  });

  it('reservations count every placement: the one that would overfill a cluster fails and writes nothing', async () => {
    store = await backend.open();
    const add = (application: string, cpuMilli: number) =>
      store.reserveCapacity({
        application,
        ttlMs: 60_000,
        clusters: [{ cluster: 'c1', delta: { cpuMilli, memoryBytes: 0, pods: 1 }, observedFree: ROOM }],
      });
    await add('finance/a', 600);
    expect(await refusal(add('finance/b', 500))).toBe('CapacityTaken');
    await add('finance/b', 400);
    expect(await store.capacityReserved()).toEqual(new Map([['c1', { cpuMilli: 1000, memoryBytes: 0, pods: 2 }]]));
    // The same application adds to its own reservation.
    expect(await refusal(add('finance/a', 1))).toBe('CapacityTaken');
    // A sharded reservation of an application the member does not own is refused.
    const m = await store.heartbeatMember({ id: 'a', epoch: 0, ttlMs: 60_000 });
    await store.heartbeatMember({ id: 'b', epoch: 0, ttlMs: 60_000 });
    const notMine = Array.from({ length: 20 }, (_, i) => `finance/app-${i}`).find(
      (k) => ownerOf(k, ['a', 'b']) === 'b',
    )!;
    const sharded = store.reserveCapacity({
      application: notMine,
      ttlMs: 60_000,
      clusters: [{ cluster: 'c2', delta: { cpuMilli: 1, memoryBytes: 0, pods: 1 }, observedFree: ROOM }],
      shard: { member: 'a', epoch: m.epoch },
    });
    expect(await refusal(sharded)).toBe('ShardMoved');
    expect((await store.capacityReserved()).has('c2')).toBe(false);
  });
});

describe.skipIf(inject('pgUrl') === null)(
  skipTitle('reservations from several replicas at once (postgres)', inject('pgUrl') === null && 'no PostgreSQL'),
  () => {
    it('three replicas reserving concurrently on one cluster never take more than its room', async () => {
      const schema = await createPostgresTestSchema();
      const stores = [
        await openPostgresStore(schema.url),
        await openPostgresStore(schema.url),
        await openPostgresStore(schema.url),
      ];
      try {
        // 60 placements of 100m each, 20 per replica, all at once, on a cluster with room for 10.
        const outcomes = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            stores[i % 3]!.reserveCapacity({
              application: `finance/app-${i}`,
              ttlMs: 60_000,
              clusters: [{ cluster: 'c1', delta: { cpuMilli: 100, memoryBytes: 64, pods: 1 }, observedFree: ROOM }],
            }).then(
              () => 'placed',
              (e: unknown) => (e instanceof ConflictError ? e.causes[0]?.code : String(e)),
            ),
          ),
        );
        expect(outcomes.filter((o) => o === 'placed')).toHaveLength(10);
        expect(outcomes.filter((o) => o !== 'placed').every((o) => o === 'CapacityTaken')).toBe(true);
        expect((await stores[0]!.capacityReserved()).get('c1')).toEqual({ cpuMilli: 1000, memoryBytes: 640, pods: 10 });
      } finally {
        for (const s of stores) await s.close();
        await schema.drop();
      }
    });
  },
);
