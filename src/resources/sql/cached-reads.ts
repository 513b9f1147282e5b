import type { Kysely } from 'kysely';
import type { ObjectKey } from '../envelope.ts';
import { ReadCache, RevisionReader, type CacheEvent } from './read-cache.ts';
import type { Schema } from './schema.ts';
import { bodyKey, type StatementTemplates } from './store-tx.ts';

/** Change events read per statement while the cache catches up. */
const PAGE = 1000;

/**
 * `Store.getText` (and `Store.get`, which parses it) outside a write, answered from `cache` when it is certain
 * (read-cache.ts): an object's stored text held is returned
 * once the cache has applied every change up to the database's revision as of a moment after the call (one shared
 * revision read for all concurrent callers, and a read of the missing change events when another process wrote);
 * an object not held is read with the revision it was read at, in one statement, and kept.
 */
export function readThroughCache(db: Kysely<Schema>, cache: ReadCache, statements: StatementTemplates): CachedReads {
  const revisions = new RevisionReader(async () => {
    const [row] = await statements.run(db, 'current-revision', [], () =>
      db.selectFrom('revision_counter').select('revision').where('id', '=', 1),
    );
    return Number(row!.revision);
  });

  let reading: Promise<void> | undefined;
  /** Reads the change events after the cache's head into it (one reader at a time); errors leave it where it was. */
  const readEvents = async (): Promise<void> => {
    for (;;) {
      const from = cache.head;
      const rows = await statements.run(db, 'events-after', [from, PAGE], (a) =>
        db
          .selectFrom('events')
          .select(['revision', 'type', 'kind', 'tenant', 'name', 'body'])
          .where('revision', '>', a[0] as number)
          .orderBy('revision')
          .limit(a[1] as number),
      );
      const events: CacheEvent[] = rows.map((r) => ({
        revision: Number(r.revision),
        id: bodyKey(r),
        body: r.type === 'DELETED' ? null : r.body,
      }));
      const first = events[0];
      if (first === undefined) {
        // No event after the head, yet the caller saw a newer revision: a snapshot load (or a compaction of every
        // event) moved it without events. What is held may be stale: start over at the current revision.
        const now = await revisions.current();
        if (now > cache.head && cache.head === from) cache.reset(now);
        return;
      }
      // Changes right after the head were compacted away (or a snapshot was loaded): what is held may be stale.
      if (first.revision !== from + 1 && cache.head === from) cache.reset(first.revision - 1);
      // This process's commits may have moved the head on meanwhile: those events are applied already.
      const rest = events.filter((e) => e.revision > cache.head);
      if (rest.length > 0 && rest[0]!.revision === cache.head + 1) cache.apply(cache.head, rest);
      if (rows.length < PAGE) return;
    }
  };
  const catchUp = async (target: number): Promise<void> => {
    while (cache.head < target) {
      const before = cache.head;
      reading ??= readEvents()
        .catch(() => undefined)
        .finally(() => {
          reading = undefined;
        });
      await reading;
      if (cache.head === before) return; // no progress (the database failed): the caller reads it directly
    }
  };

  const read = async (key: ObjectKey): Promise<string | undefined> => {
    const id = bodyKey(key);
    if (cache.lookup(id) !== undefined) {
      const target = await revisions.current();
      // Far behind (another replica wrote much while this one read nothing): starting over costs less than reading
      // every change, and is as exact.
      if (target - cache.head > PAGE) cache.reset(target);
      else if (cache.head < target) {
        cache.catchUps++;
        await catchUp(target);
      }
      const entry = cache.head >= target ? cache.lookup(id) : undefined;
      if (entry !== undefined) {
        cache.hits++;
        return entry.body ?? undefined;
      }
    }
    cache.misses++;
    const [row] = await statements.run(db, 'get-body-at', [key.kind, key.tenant, key.name], (a) =>
      db.selectNoFrom((eb) => [
        eb.selectFrom('revision_counter').select('revision').where('id', '=', 1).as('revision'),
        eb
          .selectFrom('objects')
          .select('body')
          .where('kind', '=', a[0] as string)
          .where('tenant', '=', a[1] as string)
          .where('name', '=', a[2] as string)
          .as('body'),
      ]),
    );
    const body = row?.body ?? null;
    cache.fill(id, body, Number(row!.revision));
    return body ?? undefined;
  };
  return { read, revisionReads: () => revisions.reads };
}

export interface CachedReads {
  /** The stored text of the object at `key` (undefined: none), as fresh as the database when called. */
  read(key: ObjectKey): Promise<string | undefined>;
  /** `select revision` statements made so far. */
  revisionReads(): number;
}
