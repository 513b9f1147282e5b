import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import type { ResourceService } from '../resources/service.ts';
import type { ListQuery, Store } from '../resources/store.ts';
import type { MarketDeps } from './market-types.ts';
import { MarketWrites } from './market-writes.ts';
import { putObject, storeWithFeed } from './market-test-store.ts';
import { SharedAPIIndex } from './shared-api-index.ts';
import { SharingReconciler } from './sharing-reconciler.ts';

/** A SharedAPI of department `tenant` publishing `app` (written under the store, as another replica would). */
const putAPI = (store: Store, tenant: string, name: string, app: string, deleting = false) =>
  putObject(store, {
    kind: 'SharedAPI',
    tenant,
    name,
    deleting,
    spec: {
      application: app,
      component: 'gateway',
      port: 8080,
      displayName: { zh: name, en: name },
      description: { zh: name, en: name },
    },
  });

async function removeAPI(store: Store, tenant: string, name: string): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await tx.get({ kind: 'SharedAPI', tenant, name });
    const revision = await tx.nextRevision();
    if (current) await tx.remove({ ...current, metadata: { ...current.metadata, resourceVersion: String(revision) } });
  });
}

/** What sharing-attachments.ts used to read at every reconcile: the department's SharedAPIs, filtered. */
async function listed(store: Store, tenant: string, app: string): Promise<string[]> {
  const items = (await store.list({ kind: 'SharedAPI', tenant })).items;
  return items
    .filter((a) => (a.spec as { application: string }).application === app && !a.metadata.deletionTimestamp)
    .map((a) => a.metadata.name);
}

/** The store, counting its listings of SharedAPIs. */
function counting(store: Store): { store: Store; lists: () => number } {
  let lists = 0;
  const counted: Store = Object.create(store) as Store;
  counted.list = (q: ListQuery) => {
    if (q.kind === 'SharedAPI') lists++;
    return store.list(q);
  };
  return { store: counted, lists: () => lists };
}

describe('the SharedAPIs each application publishes', () => {
  const ctx = storeWithFeed();

  it('answers what a listing of the department filtered to the application does, as SharedAPIs change', async () => {
    const { store, feed } = ctx;
    await putAPI(store, 'tax', 'b-verify', 'e-invoice');
    await putAPI(store, 'tax', 'a-lookup', 'e-invoice');
    await putAPI(store, 'tax', 'other', 'portal');
    await putAPI(store, 'hrss', 'same-name-app', 'e-invoice');
    const index = new SharedAPIIndex({ store, feed });
    const names = async (t: string, a: string) => (await index.of(t, a)).map((o) => o.metadata.name);
    const same = async () => {
      for (const [t, a] of [
        ['tax', 'e-invoice'],
        ['tax', 'portal'],
        ['hrss', 'e-invoice'],
        ['edu', 'e-invoice'],
      ] as const)
        await expect.poll(() => names(t, a)).toEqual(await listed(store, t, a));
    };
    await same();
    expect(await names('tax', 'e-invoice')).toEqual(['a-lookup', 'b-verify']);
    // Moved to another application, being deleted, removed, added: each followed from the feed.
    await putAPI(store, 'tax', 'b-verify', 'portal');
    await putAPI(store, 'tax', 'a-lookup', 'e-invoice', true);
    await removeAPI(store, 'tax', 'other');
    await putAPI(store, 'tax', 'c-new', 'e-invoice');
    await same();
    await expect.poll(() => names('tax', 'e-invoice')).toEqual(['c-new']);
    expect(await names('tax', 'portal')).toEqual(['b-verify']);
    expect(index.loads).toBe(1);
    index.stop();
  });

  it("lists the SharedAPIs once, not at every reconcile's attachments", async () => {
    const { store, feed } = ctx;
    await putAPI(store, 'tax', 'verify', 'e-invoice');
    const c = counting(store);
    const deps = {
      store: c.store,
      feed,
      resources: {} as ResourceService,
      clock: new ManualClock('2026-12-01T08:00:00Z'),
      redeliver: () => undefined,
    } as unknown as MarketDeps;
    const sharing = new SharingReconciler(deps, new MarketWrites(deps), () => undefined);
    for (let i = 0; i < 50; i++)
      await sharing.attachments({ tenant: 'tax', app: 'e-invoice', namespace: 'tax-e-invoice' });
    // The old code listed the department's SharedAPIs at each of the 50.
    expect(c.lists()).toBe(1);
    expect(await sharing.published.of('tax', 'e-invoice')).toHaveLength(1);
  });
});
