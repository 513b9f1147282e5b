import { describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import type { ObjectKey, StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { MarketController } from './market-controller.ts';
import { putObject, storeWithFeed } from './market-test-store.ts';
import type { MarketDeps } from './market-types.ts';

/** The store, counting its reads of Applications. */
function counting(store: Store): { store: Store; appReads: () => number } {
  let reads = 0;
  const counted: Store = Object.create(store) as Store;
  counted.get = (key: ObjectKey) => {
    if (key.kind === 'Application') reads++;
    return store.get(key);
  };
  return { store: counted, appReads: () => reads };
}

describe("the marketplace's attachments for a reconcile", () => {
  const ctx = storeWithFeed();

  it('reads the application once per reconcile (the reconcile has read it), not once more here', async () => {
    const { store, feed } = ctx;
    const c = counting(store);
    const deps = {
      store: c.store,
      feed,
      resources: {} as ResourceService,
      clock: new ManualClock('2026-12-01T08:00:00Z'),
      provisioners: {},
      redeliver: () => undefined,
    } as unknown as MarketDeps;
    const market = new MarketController(deps);
    const owner = { tenant: 'tax', app: 'e-invoice', namespace: 'tax-e-invoice' };
    const app = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'e-invoice', tenant: 'tax', uid: 'u1', resourceVersion: '1', generation: 1 },
      spec: { components: [] },
    } as unknown as StoredObject;
    for (let i = 0; i < 20; i++) expect(await market.attachments(owner, app)).toBeUndefined();
    // The old code read the Application from the store at each of the 20.
    expect(c.appReads()).toBe(0);
    // Without it, it is read.
    await market.attachments(owner);
    expect(c.appReads()).toBe(1);
    market.stop();
  });

  it('gives the Secrets of Ready bindings to an application on a replica that only delivers (not the leader)', async () => {
    const { store, feed } = ctx;
    const secret = { kind: 'Secret', metadata: { name: 'db-creds', tenant: 'tax' }, data: { PGPASSWORD: 'cw==' } };
    const deps = {
      store,
      feed,
      resources: { get: async (kind: string, _t: string, name: string) => (name === 'db-creds' ? secret : undefined) },
      clock: new ManualClock('2026-12-01T08:00:00Z'),
      provisioners: {},
      redeliver: () => undefined,
    } as unknown as MarketDeps;
    const owner = { tenant: 'tax', app: 'e-invoice', namespace: 'tax-e-invoice' };
    const binding = { application: 'e-invoice', instance: 'invoice-db' };
    const ready = { phase: 'Ready', secret: 'db-creds' };
    await putObject(store, {
      kind: 'ServiceBinding',
      tenant: 'tax',
      name: 'e-invoice-db',
      spec: binding,
      status: ready,
    });

    // Another replica holds the controllers' lease: this one starts the indexes only, as its delivery does.
    const market = new MarketController(deps);
    await market.startIndexes();
    // The old code kept the bindings' index only on the leader (start()): here it gave nothing.
    expect((await market.attachments(owner))?.secrets.map((x) => x.name)).toEqual(['db-creds']);

    // A binding made later reaches it through the change feed.
    const cache = { application: 'e-invoice', instance: 'cache' };
    await putObject(store, {
      kind: 'ServiceBinding',
      tenant: 'tax',
      name: 'e-invoice-cache',
      spec: cache,
      status: ready,
    });
    const end = Date.now() + 60_000;
    while ((await market.attachments(owner))!.secrets.length < 2 && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    expect((await market.attachments(owner))?.secrets).toHaveLength(2);
    market.close();
  });
});
