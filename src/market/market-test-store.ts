import { afterEach, beforeEach } from 'vitest';
import { openTestStore } from '../../test/setup/backends.ts';
import { ChangeFeed } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { Store } from '../resources/store.ts';

/** A fresh test store with its change feed for each test of the calling describe (closed after each). */
export function storeWithFeed(): { readonly store: Store; readonly feed: ChangeFeed } {
  const held = {} as { store: Store; feed: ChangeFeed };
  beforeEach(async () => {
    held.store = await openTestStore();
    held.feed = new ChangeFeed({ store: held.store, pollMs: 20 });
    await held.feed.start();
  });
  afterEach(async () => {
    held.feed.stop();
    await held.store.close();
  });
  return held;
}

/**
 * A marketplace object written under the store (as the leader's controllers, or another replica, would): created,
 * or replaced when it exists; `deleting` marks it as being deleted (a finalizer holds it).
 */
export async function putObject(
  store: Store,
  o: { kind: string; tenant: string; name: string; spec: unknown; status?: unknown; deleting?: boolean },
): Promise<void> {
  await store.transaction(async (tx) => {
    const current = await tx.get({ kind: o.kind, tenant: o.tenant, name: o.name });
    const revision = await tx.nextRevision();
    const object = {
      apiVersion: 'market.polis.io/v1',
      kind: o.kind,
      metadata: {
        name: o.name,
        tenant: o.tenant,
        uid: `uid-${o.tenant}-${o.name}`,
        resourceVersion: String(revision),
        generation: 1,
        creationTimestamp: '2026-01-01T00:00:00.000Z',
        ...(o.deleting ? { deletionTimestamp: '2026-01-02T00:00:00.000Z', finalizers: ['x'] } : {}),
      },
      spec: o.spec,
      ...(o.status ? { status: o.status } : {}),
    } as unknown as StoredObject;
    await tx.put(object, current ? 'MODIFIED' : 'ADDED');
  });
}
