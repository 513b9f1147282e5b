import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ObjectKey } from '../envelope.ts';
import { readThroughCache } from './cached-reads.ts';
import { ReadCache } from './read-cache.ts';
import type { Schema } from './schema.ts';
import { bodyKey, type StatementTemplates } from './store-tx.ts';

/**
 * The read cache's consistency rule (read-cache.ts) against a model of the database, over seeded interleavings that
 * the test drives step by step (no timing): statements of the reads are executed and answered in any order, other
 * processes commit and compact between any two steps, this process's commits reach the cache late, and write
 * batches (holding the writer lock) read through the cache and fill it. Every read outside a batch must answer the
 * object as it was at some revision between its call and its answer; every answer inside a batch, as it is under
 * the lock.
 */

interface Row {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: string;
  tenant: string;
  name: string;
  body: string;
}

interface Pending {
  readonly id: string;
  readonly args: readonly unknown[];
  readonly resolve: (rows: unknown[]) => void;
  result?: unknown[];
}

/** Mulberry32: a small seeded generator, so that a failing seed is replayed exactly. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS: readonly ObjectKey[] = ['a', 'b', 'c', 'd'].map((name) => ({ kind: 'Application', tenant: 't', name }));

class Model {
  revision = 0;
  readonly objects = new Map<string, string>();
  events: Row[] = [];
  /** The objects at each revision (index), for checking answers. */
  readonly history: Map<string, string>[] = [new Map()];

  /** One commit of one write; returns its event. */
  write(key: ObjectKey, remove: boolean): Row {
    const id = bodyKey(key);
    const revision = ++this.revision;
    const had = this.objects.has(id);
    const body = `${key.name}@${revision}`;
    let row: Row;
    if (remove && had) {
      row = { revision, type: 'DELETED', ...key, body: this.objects.get(id)! };
      this.objects.delete(id);
    } else {
      row = { revision, type: had ? 'MODIFIED' : 'ADDED', ...key, body };
      this.objects.set(id, body);
    }
    this.events.push(row);
    this.history.push(new Map(this.objects));
    return row;
  }

  compact(through: number): void {
    this.events = this.events.filter((e) => e.revision > through);
  }

  execute(p: Pending): unknown[] {
    switch (p.id) {
      case 'current-revision':
        return [{ revision: this.revision }];
      case 'events-after': {
        const [from, limit] = p.args as [number, number];
        return this.events.filter((e) => e.revision > from).slice(0, limit);
      }
      case 'get-body-at': {
        const [kind, tenant, name] = p.args as [string, string, string];
        return [{ revision: this.revision, body: this.objects.get(bodyKey({ kind, tenant, name })) ?? null }];
      }
      default:
        throw new Error(`unexpected statement ${p.id}`);
    }
  }
}

async function drain(): Promise<void> {
  await new Promise((r) => setImmediate(r));
}

async function runSeed(seed: number, steps: number): Promise<string[]> {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const model = new Model();
  const cache = new ReadCache(1 + Math.floor(rnd() * 3));
  const pending: Pending[] = [];
  const statements = {
    run(_db: unknown, id: string, args: readonly unknown[]) {
      return new Promise<unknown[]>((resolve) => pending.push({ id, args, resolve }));
    },
  } as unknown as StatementTemplates;
  const reads = readThroughCache({} as Kysely<Schema>, cache, statements);
  /** This process's commits not yet applied to the cache (committedHere runs after the commit returns). */
  const ownCommits: { after: number; events: Row[] }[] = [];
  const problems: string[] = [];
  const log: string[] = [];
  let open = 0;

  const startRead = (key: ObjectKey): void => {
    const calledAt = model.revision;
    open++;
    log.push(`read ${key.name} at ${calledAt}`);
    void reads.read(key).then((answer) => {
      open--;
      const answeredAt = model.revision;
      const id = bodyKey(key);
      let ok = false;
      for (let r = calledAt; r <= answeredAt; r++) if (model.history[r]!.get(id) === answer) ok = true;
      log.push(`answer ${key.name}: ${answer ?? 'absent'} at ${answeredAt}`);
      if (!ok)
        problems.push(
          `seed ${seed}: read of ${key.name} called at ${calledAt}, answered at ${answeredAt}: ${answer ?? 'absent'}; ` +
            `exact: ${[...Array(answeredAt - calledAt + 1).keys()].map((i) => model.history[calledAt + i]!.get(id) ?? 'absent').join(', ')}\n${log.join('\n')}`,
        );
    });
  };

  /** A write batch of this process: holds the writer lock (nothing commits meanwhile), reads through the cache. */
  const batch = (): void => {
    // committedHere runs before the next batch starts (GroupCommit: one batch at a time, acknowledged in order).
    applyOwn(ownCommits.length);
    const start = model.revision;
    const key = pick(KEYS);
    const id = bodyKey(key);
    const exact = model.objects.get(id) ?? null;
    // BatchState.cachedBody / fillCache
    const cached = cache.head < start ? undefined : cache.lookup(id)?.body;
    log.push(`batch at ${start} reads ${key.name}: ${cached === undefined ? 'uncached' : (cached ?? 'absent')}`);
    if (cached !== undefined && cached !== exact)
      problems.push(
        `seed ${seed}: batch at ${start} read ${key.name} from cache: ${cached}, exact: ${exact}\n${log.join('\n')}`,
      );
    if (cached === undefined) cache.fill(id, exact, start);
    if (rnd() < 0.7) {
      const after = model.revision;
      const rows: Row[] = [];
      for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) rows.push(model.write(pick(KEYS), rnd() < 0.3));
      log.push(`own commit ${rows.map((row) => `${row.revision} ${row.type} ${row.name}`).join(', ')}`);
      // Now and then without its events (a snapshot load): the cache stays behind and catches up by reading.
      ownCommits.push({ after, events: rnd() < 0.1 ? [] : rows });
    }
  };

  const applyOwn = (n: number): void => {
    for (const c of ownCommits.splice(0, n)) {
      log.push(`own apply after ${c.after}`);
      if (c.events.length === 0) continue;
      cache.apply(
        c.after,
        c.events.map((e) => ({ revision: e.revision, id: bodyKey(e), body: e.type === 'DELETED' ? null : e.body })),
      );
    }
  };

  for (let i = 0; i < steps; i++) {
    const r = rnd();
    if (r < 0.2) startRead(pick(KEYS));
    else if (r < 0.45 && pending.length > 0) {
      // Execute one statement (its snapshot is the database now), answered later.
      const waiting = pending.filter((p) => p.result === undefined);
      if (waiting.length > 0) {
        const p = pick(waiting);
        p.result = model.execute(p);
        log.push(`exec ${p.id} ${JSON.stringify(p.args)} -> ${JSON.stringify(p.result)}`);
      }
    } else if (r < 0.7 && pending.length > 0) {
      const done = pending.filter((p) => p.result !== undefined);
      if (done.length > 0) {
        const p = pick(done);
        pending.splice(pending.indexOf(p), 1);
        log.push(`reply ${p.id}`);
        p.resolve(p.result!);
      }
    } else if (r < 0.8) {
      const row = model.write(pick(KEYS), rnd() < 0.3);
      log.push(`other commit ${row.revision} ${row.type} ${row.name}`);
    } else if (r < 0.85 && ownCommits.length > 0) applyOwn(1);
    else if (r < 0.95) {
      // A batch runs only while no statement of this process is between execution and reply with a newer revision
      // than the batch would start at: it cannot, since the batch's lock comes after every commit so far.
      batch();
    } else if (r < 0.97 && model.revision > 2) {
      const through = model.revision - 1 - Math.floor(rnd() * 2);
      model.compact(through);
      log.push(`compact through ${through}`);
    }
    await drain();
  }
  // Let every read finish: execute and answer whatever is left.
  applyOwn(ownCommits.length);
  for (let guard = 0; (pending.length > 0 || open > 0) && guard < 10_000; guard++) {
    for (const p of pending.splice(0)) {
      p.result ??= model.execute(p);
      p.resolve(p.result);
    }
    await drain();
  }
  if (open > 0) problems.push(`seed ${seed}: ${open} reads never answered`);
  return problems;
}

describe('readThroughCache under driven interleavings', () => {
  it('answers every read as the object was at some revision between its call and its answer', async () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= 400 && problems.length === 0; seed++) problems.push(...(await runSeed(seed, 150)));
    expect(problems[0]).toBeUndefined();
  });
});
