import { afterEach, expect, it } from 'vitest';
import { forEachBackend } from '../../test/setup/backends.ts';
import { ChangeFeed } from './change-feed.ts';
import type { StoredObject } from './envelope.ts';
import type { ChangeEvent, Store } from './store.ts';
import { storedObject } from '../../test/support/stored-objects.ts';

function object(name: string, revision: number): StoredObject {
  return storedObject(name, revision);
}

async function waitFor(what: string, cond: () => boolean, limitMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

forEachBackend('a change feed over this process commits', (backend) => {
  let store: Store;
  let feed: ChangeFeed | undefined;
  afterEach(async () => {
    feed?.stop();
    await store.close();
  });

  it('delivers the events a commit hands over without reading them back, in order, a failed write left out', async () => {
    store = await backend.open();
    let reads = 0;
    // The feed's store counts its reads of the change history; commits still go to the real one.
    const counted: Store = {
      ...store,
      changesSince: (after, limit) => {
        reads++;
        return store.changesSince(after, limit);
      },
    };
    feed = new ChangeFeed({ store: counted, pollMs: 3_600_000 });
    await feed.start();
    const seen: ChangeEvent[] = [];
    feed.subscribe({
      from: feed.revision,
      filter: { kind: 'Application' },
      onEvent: (e) => seen.push(e),
      onError: () => {},
    });
    await waitFor('the subscription to go live', () => reads === 0);
    const before = reads;
    const put = (names: string[]) =>
      store.transaction(async (tx) => {
        for (const n of names) await tx.put(object(n, await tx.nextRevision()), 'ADDED');
      });
    // Concurrent writes share commits (group commit); the one that fails leaves no event behind.
    await Promise.all([
      put(['a', 'b']),
      put(['c']),
      store
        .transaction(async (tx) => {
          await tx.put(object('failed', await tx.nextRevision()), 'ADDED');
          throw new Error('refused');
        })
        .catch(() => undefined),
      put(['d']),
    ]);
    await waitFor('four events', () => seen.length >= 4);
    expect(seen.map((e) => e.object.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
    const revisions = seen.map((e) => e.revision);
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(revisions.at(-1)).toBe(await store.currentRevision());
    // On PostgreSQL this process's own notification may arrive before its commit is acknowledged, and is then read
    // (harmless: the events are passed once); on SQLite nothing is read back.
    if (backend.name === 'sqlite') expect(reads).toBe(before);
  });

  it('says with each commit it hands over whether more of its writes follow, and not with the last of a burst', async () => {
    store = await backend.open();
    const handed: Array<boolean | undefined> = [];
    // The commits this process hands over carry their events; on PostgreSQL its own NOTIFY may also come back
    // meanwhile, as a commit without events (and without `more`: it is not one this process made).
    const unlisten = store.onCommit((changes) => {
      if (changes && changes.events.length > 0) handed.push(changes.more);
    });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        store.transaction(async (tx) => {
          await tx.put(object(`more-${i}`, await tx.nextRevision()), 'ADDED');
        }),
      ),
    );
    unlisten();
    expect(handed.length).toBeGreaterThan(0);
    expect(handed.every((m) => typeof m === 'boolean')).toBe(true);
    expect(handed.at(-1)).toBe(false);
  });

  it("offers a commit's events to the subscribers of their kind, ends them with one onBatchEnd, and moves other kinds' positions past them", async () => {
    store = await backend.open();
    feed = new ChangeFeed({ store, pollMs: 3_600_000 });
    await feed.start();
    const names: string[] = [];
    const batches: number[] = [];
    let inBatch = 0;
    feed.subscribe({
      from: feed.revision,
      filter: { kind: 'Application' },
      onEvent: (e) => {
        names.push(e.object.metadata.name);
        inBatch++;
      },
      onBatchEnd: () => {
        batches.push(inBatch);
        inBatch = 0;
      },
      onError: () => {},
    });
    const tenants = feed.subscribe({
      from: feed.revision,
      filter: { kind: 'Tenant' },
      onEvent: () => {
        throw new Error('no Tenant was written');
      },
      onBatchEnd: () => {
        throw new Error('no Tenant was written');
      },
      onError: () => {},
    });
    await store.transaction(async (tx) => {
      for (const n of ['a', 'b', 'c']) await tx.put(object(n, await tx.nextRevision()), 'ADDED');
    });
    // The batch ends once the turn that handed the commit over is done (with any other commit it handed over).
    await waitFor('three events and the end of their batch', () => names.length >= 3 && batches.length >= 1);
    expect(names).toEqual(['a', 'b', 'c']);
    expect(batches).toEqual([3]);
    // A bookmark on the Tenant watch may name the newest revision: it has passed every event, none of them its own.
    expect(tenants.position()).toBe(await store.currentRevision());
  });
});
