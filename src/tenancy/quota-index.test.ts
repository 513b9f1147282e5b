import { afterEach, beforeEach, expect, it } from 'vitest';
import { z } from 'zod';
import { forEachBackend } from '../../test/setup/backends.ts';
import { ManualClock } from '../kernel/clock.ts';
import { QuotaExceededError } from '../kernel/errors.ts';
import { ChangeFeed } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { defineKind } from '../resources/kind-schema.ts';
import { KindRegistry } from '../resources/registry.ts';
import { ResourceService } from '../resources/service.ts';
import type { Store, StoreTx } from '../resources/store.ts';
import type { UsageFunction } from './admission.ts';
import { quotaAdmission } from './admission.ts';
import { QuotaIndex } from './quota-index.ts';

const widget = defineKind({
  group: 'test.polis.io',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  scope: 'tenant',
  category: 'workload',
  description: 'a test kind that holds quota',
  spec: z.object({ size: z.number().int().min(0) }).strict(),
});

/** A widget holds `size` cores and counts as one application. */
const usage = new Map<string, UsageFunction>([
  [
    'Widget',
    (o: StoredObject) => ({
      cpu: 1000 * (o.spec as { size: number }).size,
      memory: 0,
      storage: 0,
      applications: 1,
    }),
  ],
]);

const ctx = { actor: 'tester', requestId: 'r1' };
const w = (name: string, size: number) => ({
  apiVersion: 'test.polis.io/v1',
  kind: 'Widget',
  metadata: { name, tenant: 'edu' },
  spec: { size },
});

/** The department, written under the service (the Tenant kind and its admission are not what is tested here). */
async function putTenant(store: Store, quota: Record<string, unknown> | undefined): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await tx.get({ kind: 'Tenant', tenant: '', name: 'edu' });
    const revision = await tx.nextRevision();
    const tenant: StoredObject = {
      apiVersion: 'polis.io/v1',
      kind: 'Tenant',
      metadata: {
        name: 'edu',
        uid: 'uid-edu',
        resourceVersion: String(revision),
        generation: 1,
        creationTimestamp: '2026-01-01T00:00:00.000Z',
      },
      spec: quota ? { quota } : {},
    };
    await tx.put(tenant, current ? 'MODIFIED' : 'ADDED');
  });
}

/** The store, with every transaction's listAll calls counted. */
function countingListAll(store: Store): { store: Store; lists: () => number } {
  let lists = 0;
  const counted: Store = Object.create(store) as Store;
  counted.transaction = (fn, opts) =>
    store.transaction((tx) => {
      const wrapped: StoreTx = Object.create(tx) as StoreTx;
      wrapped.listAll = (...args) => {
        lists++;
        return tx.listAll(...args);
      };
      // Methods of the real tx use its private fields: call them on it, not on the wrapper.
      for (const m of ['nextRevision', 'get', 'changesAfter', 'put', 'remove', 'claim', 'appendAudit'] as const)
        (wrapped as unknown as Record<string, unknown>)[m] = (tx[m] as (...a: unknown[]) => unknown).bind(tx);
      return fn(wrapped);
    }, opts);
  return { store: counted, lists: () => lists };
}

forEachBackend('quota admission from running totals', (backend) => {
  let store: Store;
  let feed: ChangeFeed;
  let index: QuotaIndex;
  let service: ResourceService;
  let lists: () => number;

  /** `live`: the feed runs and the index follows it; otherwise the index stays where it was loaded (lags every write). */
  async function start(live: boolean): Promise<void> {
    const counting = countingListAll(store);
    lists = counting.lists;
    const registry = new KindRegistry();
    registry.register(widget);
    feed = new ChangeFeed({ store, pollMs: 20 });
    if (live) await feed.start();
    index = new QuotaIndex({ store, feed, usageByKind: usage });
    await index.start();
    service = new ResourceService({
      store: counting.store,
      registry,
      clock: new ManualClock('2026-11-24T08:00:00Z'),
      admission: [quotaAdmission(usage, index)],
      afterCommit: () => feed.nudge(),
    });
  }

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    index?.stop();
    feed?.stop();
    await store.close();
  });

  it('computes no usage for a write into a department without a quota, and checks it once one is set', async () => {
    await putTenant(store, undefined);
    await start(true);
    let computed = 0;
    const counted = new Map<string, UsageFunction>([
      [
        'Widget',
        (o) => {
          computed++;
          return usage.get('Widget')!(o);
        },
      ],
    ]);
    const registry = new KindRegistry();
    registry.register(widget);
    const unlimited = new ResourceService({
      store,
      registry,
      clock: new ManualClock('2026-11-24T08:00:00Z'),
      admission: [quotaAdmission(counted, index)],
      afterCommit: () => feed.nudge(),
    });
    await unlimited.create(ctx, w('a', 50));
    await unlimited.replace(ctx, w('a', 60));
    expect(computed).toBe(0);
    await putTenant(store, { cpu: '10' });
    await expect(unlimited.create(ctx, w('b', 1))).rejects.toThrow(QuotaExceededError);
    expect(computed).toBeGreaterThan(0);
  });

  it("admits writes from the index without listing the department's objects", async () => {
    await putTenant(store, { cpu: '10', applications: 4 });
    await start(true);
    for (const name of ['a', 'b', 'c']) await service.create(ctx, w(name, 2));
    await service.replace(ctx, w('a', 3));
    await service.create(ctx, w('d', 1));
    // 3 + 2 + 2 + 1 = 8 cores in 4 applications: a fifth is refused, as is growing past 10 cores.
    await expect(service.create(ctx, w('e', 1))).rejects.toThrow(QuotaExceededError);
    await expect(service.replace(ctx, w('d', 4))).rejects.toThrow(/cpu/);
    await service.replace(ctx, w('d', 3));
    expect(lists()).toBe(0);
  });

  it('stays exact while the index lags: concurrent writes in one group commit cannot pass a quota that fits one', async () => {
    await putTenant(store, { cpu: '10' });
    // Loaded with two widgets (4 cores), then frozen: every later change reaches admission through the transaction.
    await start(false);
    await service.create(ctx, w('a', 2));
    await service.create(ctx, w('b', 2));
    index.stop();
    await index.start();
    const loadedAt = index.view('edu')!.position;
    await service.replace(ctx, w('a', 3)); // 5 cores
    await service.delete(ctx, { kind: 'Widget', tenant: 'edu', name: 'b' }); // 3 cores
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => service.create(ctx, w(`r${i}`, 1))));
    // 7 cores were free: exactly 7 of the 12 one-core widgets fit, whatever the batches.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(QuotaExceededError);
    expect(index.view('edu')!.position).toBe(loadedAt);
    expect(lists()).toBe(0);
  });

  it('counts nothing of a write that failed, though a later write takes its revision', async () => {
    await putTenant(store, { cpu: '10' });
    await start(false);
    await service.create(ctx, w('a', 1));
    // Between two good writes of one batch, a write that stores a 9-core widget and then fails: the second good one
    // takes the revision it gave up.
    const ghost = await service.get('Widget', 'edu', 'a');
    const first = service.create(ctx, w('b', 1));
    const failed = store.transaction(async (tx) => {
      const revision = await tx.nextRevision();
      const metadata = { ...ghost.metadata, name: 'ghost', resourceVersion: String(revision) };
      await tx.put({ ...ghost, metadata, spec: { size: 9 } }, 'ADDED');
      throw new Error('given up');
    });
    const second = service.create(ctx, w('c', 1));
    await expect(failed).rejects.toThrow('given up');
    await Promise.all([first, second]);
    // 3 cores in use: 7 more fit, 8 do not.
    await expect(service.create(ctx, w('d', 8))).rejects.toThrow(QuotaExceededError);
    await service.create(ctx, w('d', 7));
  });

  it('sums the objects itself when the changes after the index were compacted, and stays exact', async () => {
    await putTenant(store, { cpu: '4' });
    await start(false);
    await service.create(ctx, w('a', 2));
    await service.create(ctx, w('b', 1));
    await store.compact(0);
    await expect(service.create(ctx, w('c', 2))).rejects.toThrow(QuotaExceededError);
    await service.create(ctx, w('c', 1));
    expect(lists()).toBeGreaterThan(0);
  });
});
