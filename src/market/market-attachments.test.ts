import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestStore } from '../../test/setup/backends.ts';
import { ManualClock } from '../kernel/clock.ts';
import { ChangeFeed } from '../resources/change-feed.ts';
import type { ObjectKey, StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { MarketController } from './market-controller.ts';
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
  let store: Store;
  let feed: ChangeFeed;

  beforeEach(async () => {
    store = await openTestStore();
    feed = new ChangeFeed({ store, pollMs: 20 });
    await feed.start();
  });
  afterEach(async () => {
    feed.stop();
    await store.close();
  });

  it('reads the application once per reconcile (the reconcile has read it), not once more here', async () => {
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
});
