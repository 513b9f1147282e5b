import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createPostgresTestSchema } from '../../../test/setup/backends.ts';
import { skipTitle } from '../../../test/support/skip.ts';
import type { StoredObject } from '../envelope.ts';
import { openPostgresStore } from '../postgres/postgres-store.ts';
import type { Store } from '../store.ts';
import { ReadCache, RevisionReader } from './read-cache.ts';
import { storedObject } from '../../../test/support/stored-objects.ts';

describe('ReadCache', () => {
  it('applies events in order to the entries it holds and passes by those at or below an entry', () => {
    const cache = new ReadCache(10);
    cache.fill('a', 'a1', 5);
    expect(cache.head).toBe(5); // nothing was held: it starts where the first read was
    cache.fill('b', 'b3', 7); // read later than the head: events up to 7 pass it by
    expect(
      cache.apply(5, [
        { revision: 6, id: 'b', body: 'b-old' },
        { revision: 7, id: 'a', body: 'a7' },
        { revision: 8, id: 'b', body: 'b8' },
        { revision: 9, id: 'c', body: 'c9' },
      ]),
    ).toBe(true);
    expect(cache.head).toBe(9);
    expect(cache.lookup('a')).toEqual({ body: 'a7', at: 7 });
    expect(cache.lookup('b')).toEqual({ body: 'b8', at: 8 });
    expect(cache.lookup('c')).toBeUndefined(); // not held: not added by an event
    cache.apply(9, [{ revision: 10, id: 'a', body: null }]);
    expect(cache.lookup('a')).toEqual({ body: null, at: 10 });
  });

  it('refuses events after a gap and a read older than its head', () => {
    const cache = new ReadCache(10);
    cache.fill('a', 'a1', 5);
    expect(cache.apply(6, [{ revision: 7, id: 'a', body: 'a7' }])).toBe(false);
    expect(cache.lookup('a')).toEqual({ body: 'a1', at: 5 });
    cache.fill('b', 'b4', 4);
    expect(cache.lookup('b')).toBeUndefined();
    // Events already applied come again (a read of the database overlapping this process's commit): skipped.
    cache.apply(5, [{ revision: 6, id: 'a', body: 'a6' }]);
    expect(
      cache.apply(4, [
        { revision: 5, id: 'a', body: 'x' },
        { revision: 6, id: 'a', body: 'y' },
      ]),
    ).toBe(true);
    expect(cache.lookup('a')).toEqual({ body: 'a6', at: 6 });
    cache.reset(20);
    expect(cache.size).toBe(0);
    expect(cache.head).toBe(20);
  });

  it('holds at most its capacity, dropping the least recently used', () => {
    const cache = new ReadCache(2);
    cache.fill('a', 'a', 1);
    cache.fill('b', 'b', 1);
    cache.lookup('a');
    cache.fill('c', 'c', 1);
    expect(cache.lookup('b')).toBeUndefined();
    expect(cache.lookup('a')?.body).toBe('a');
    expect(cache.lookup('c')?.body).toBe('c');
  });
});

describe('RevisionReader', () => {
  it('answers each caller with a read that began after it called, shared by those that called meanwhile', async () => {
    let revision = 1;
    const started: Array<(v: number) => void> = [];
    const reader = new RevisionReader(
      () =>
        new Promise<number>((resolve) => {
          const at = revision;
          started.push(() => resolve(at));
        }),
    );
    const first = reader.current();
    expect(started).toHaveLength(1);
    revision = 2; // a commit after the first read began: later callers must see it
    const second = reader.current();
    const third = reader.current();
    expect(started).toHaveLength(1); // they wait for a read of their own
    started[0]!(0);
    expect(await first).toBe(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(started).toHaveLength(2);
    started[1]!(0);
    expect(await second).toBe(2);
    expect(await third).toBe(2);
  });
});

function object(name: string, revision: number, note: string): StoredObject {
  return storedObject(name, revision, { annotations: { note } });
}

async function write(store: Store, name: string, note: string, created = false): Promise<void> {
  await store.transaction(async (tx) => {
    const revision = await tx.nextRevision();
    await tx.put(object(name, revision, note), created ? 'ADDED' : 'MODIFIED');
  });
}

const key = (name: string) => ({ kind: 'Application', tenant: 'finance', name });
const noteOf = (o: StoredObject | undefined) => o?.metadata.annotations?.note;

describe.skipIf(inject('pgUrl') === null)(
  skipTitle('reads from the read cache across replicas (postgres)', inject('pgUrl') === null && 'no PostgreSQL'),
  () => {
    let a: Store;
    let b: Store;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      const schema = await createPostgresTestSchema();
      drop = schema.drop;
      a = await openPostgresStore(schema.url);
      b = await openPostgresStore(schema.url);
    });
    afterEach(async () => {
      await a.close();
      await b.close();
      await drop();
    });

    it('a read on one replica sees every write acknowledged on another before it, cached or not', async () => {
      await write(a, 'web', 'one', true);
      // B reads (and keeps) it, then A changes it several times: B's next read must not answer the kept text.
      expect(noteOf(await b.get(key('web')))).toBe('one');
      expect(noteOf(await b.get(key('web')))).toBe('one');
      for (const note of ['two', 'three', 'four']) {
        await write(a, 'web', note);
        expect(noteOf(await b.get(key('web')))).toBe(note);
        expect(noteOf(await a.get(key('web')))).toBe(note);
      }
      // A removal on A: B's kept text must go too.
      await a.transaction(async (tx) => {
        const current = await tx.get(key('web'));
        const revision = await tx.nextRevision();
        await tx.remove({ ...current!, metadata: { ...current!.metadata, resourceVersion: String(revision) } });
      });
      expect(await b.get(key('web'))).toBeUndefined();
      await write(a, 'web', 'again', true);
      expect(noteOf(await b.get(key('web')))).toBe('again');
    });

    it('answers getText from the cache under the same rule, and counts hits, misses and catch-ups', async () => {
      await write(a, 'api', 'one', true);
      const textNote = async (store: Store) => {
        const text = await store.getText(key('api'));
        return text === undefined ? undefined : noteOf(JSON.parse(text) as StoredObject);
      };
      expect(await textNote(b)).toBe('one'); // a miss: read and kept
      const kept = b.readCacheCounts!()!;
      expect(await textNote(b)).toBe('one'); // a hit
      expect(b.readCacheCounts!()!.hits).toBe(kept.hits + 1);
      await write(a, 'api', 'two');
      // Kept on B, changed on A: B catches up from the change events before it answers.
      expect(await textNote(b)).toBe('two');
      const after = b.readCacheCounts!()!;
      expect(after.catchUps).toBeGreaterThan(kept.catchUps);
      expect(after.misses).toBe(kept.misses);
      expect(after.revisionReads).toBeGreaterThan(kept.revisionReads);
      expect(after.entries).toBeGreaterThan(0);
      expect(await b.getText(key('absent'))).toBeUndefined();
    });

    it("sends a job's puts and audit entries together and reads a bulk apply's objects in one statement", async () => {
      await write(a, 'one', 'kept', true);
      const entry = (name: string) => ({
        time: '2026-01-01T00:00:00.000Z',
        actor: 'test',
        verb: 'create',
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        tenant: 'finance',
        name,
        outcome: 'success' as const,
        code: 201,
        message: '',
        requestId: `r-${name}`,
        changes: null,
      });
      const seen = await b.transaction(async (tx) => {
        await tx.prefetch!([key('one'), key('two'), key('three')]);
        const found: Array<string | undefined> = [];
        for (const name of ['one', 'two', 'three']) {
          found.push(noteOf(await tx.get(key(name))));
          if (name === 'one') continue;
          await tx.put(object(name, await tx.nextRevision(), `new ${name}`), 'ADDED');
          await tx.appendAudit(entry(name));
        }
        // A list none of the held-back writes is in carries them (they are not in its answer); a list one of them is
        // in sends them first.
        const names = async (prefix?: string) =>
          (await tx.listAll(['Application'], 'finance', prefix === undefined ? {} : { namePrefix: prefix })).map(
            (o) => `${o.metadata.name}:${noteOf(o)}`,
          );
        expect(await names('on')).toEqual(['one:kept']);
        expect(await names()).toEqual(['one:kept', 'three:new three', 'two:new two']);
        // A put of an object already held back sends the held ones first (one row change per statement).
        await tx.put(object('two', await tx.nextRevision(), 'again'), 'MODIFIED');
        await tx.put(object('four', await tx.nextRevision(), 'new four'), 'ADDED');
        expect(await names('on')).toEqual(['one:kept']);
        found.push(noteOf(await tx.get(key('two'))));
        return found;
      });
      expect(seen).toEqual(['kept', undefined, undefined, 'again']);
      expect(noteOf(await a.get(key('two')))).toBe('again');
      expect(noteOf(await a.get(key('three')))).toBe('new three');
      expect(noteOf(await a.get(key('four')))).toBe('new four');
      const events = await a.changesSince(0, 100);
      expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
        ['ADDED', 'one'],
        ['ADDED', 'two'],
        ['ADDED', 'three'],
        ['MODIFIED', 'two'],
        ['ADDED', 'four'],
      ]);
      const audit = await a.queryAudit({});
      expect(audit.items.map((e) => e.name)).toEqual(['two', 'three']);
    });

    it('a write on one replica reads, inside its batch, what another replica committed before it', async () => {
      await write(a, 'db', 'one', true);
      expect(noteOf(await b.get(key('db')))).toBe('one'); // B keeps it
      await write(a, 'db', 'two');
      // B's write reads the object inside its batch: its cache is behind A's commit, so it reads the database.
      const seen = await b.transaction(async (tx) => noteOf(await tx.get(key('db'))));
      expect(seen).toBe('two');
      // Many concurrent read-modify-writes from both replicas: none is lost.
      const bump = (store: Store) =>
        store.transaction(async (tx) => {
          const current = await tx.get(key('db'));
          const revision = await tx.nextRevision();
          const n = Number(noteOf(current) === 'two' ? 0 : noteOf(current));
          await tx.put(object('db', revision, String(n + 1)), 'MODIFIED');
        });
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 === 0 ? a : b)));
      expect(noteOf(await a.get(key('db')))).toBe('20');
      expect(noteOf(await b.get(key('db')))).toBe('20');
    });
  },
);
