import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createPostgresTestSchema } from '../../test/setup/backends.ts';
import { skipTitle } from '../../test/support/skip.ts';
import { ChangeFeed } from './change-feed.ts';
import type { StoredObject } from './envelope.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
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

describe.skipIf(inject('pgUrl') === null)(
  skipTitle('watches across replicas (postgres)', inject('pgUrl') === null && 'no PostgreSQL (install postgresql)'),
  () => {
    let a: Store;
    let b: Store;
    let feed: ChangeFeed;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      const schema = await createPostgresTestSchema();
      drop = schema.drop;
      a = await openPostgresStore(schema.url);
      b = await openPostgresStore(schema.url);
    });
    afterEach(async () => {
      feed?.stop();
      await a.close();
      await b.close();
      await drop();
    });

    it('a watch on one replica sees every write of another, in order, without waiting for the poll', async () => {
      // Polling once an hour: only the notification from A's commits can wake B's feed within the test.
      feed = new ChangeFeed({ store: b, pollMs: 3_600_000 });
      await feed.start();
      const seen: ChangeEvent[] = [];
      const sub = feed.subscribe({
        from: 0,
        filter: { kind: 'Application' },
        onEvent: (e) => seen.push(e),
        onError: () => {},
      });
      // B's LISTEN connection comes up in the background: write markers on A until one reaches B's feed.
      let listening = false;
      for (let i = 0; i < 40 && !listening; i++) {
        const marker = await a.transaction(async (tx) => {
          const revision = await tx.nextRevision();
          await tx.put({ ...object(`marker-${i}`, revision), kind: 'Marker' }, 'ADDED');
          return revision;
        });
        listening = await waitFor('the marker', () => feed.revision >= marker, 500).then(
          () => true,
          () => false,
        );
      }
      expect(listening).toBe(true);
      const writes = Array.from({ length: 50 }, (_, i) =>
        a.transaction(async (tx) => {
          const obj = object(`app-${i}`, await tx.nextRevision());
          await tx.put(obj, 'ADDED');
        }),
      );
      await Promise.all(writes);
      const head = await a.currentRevision();
      await waitFor('B to deliver all 50 events', () => seen.length === 50);
      expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: 50 }, (_, i) => head - 49 + i));
      expect(new Set(seen.map((e) => e.object.metadata.name)).size).toBe(50);
      sub.close();
    });
  },
);
