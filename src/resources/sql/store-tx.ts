import { rememberStoredText } from '../stored-text.ts';
import {
  CompiledQuery,
  type Compilable,
  type Insertable,
  type Kysely,
  type QueryCreator,
  type Transaction,
} from 'kysely';
import { auditHash, GENESIS_HASH, jsonAndCanonical, type AuditEntry, type AuditEntryInput } from '../audit-log.ts';
import { describeKey, keyOf, type ObjectKey, type StoredObject } from '../envelope.ts';
import { NotFoundError } from '../../kernel/errors.ts';
import type { StoreTx, TxChange } from '../store.ts';
import { auditRowWithText, normalizeAuditInput, toAuditRow } from './audit-rows.ts';

type AuditRow = ReturnType<typeof toAuditRow>;
/** A put held back (SqlStoreTx `combine`): its object row and its event. */
interface HeldPut {
  readonly object: Insertable<Schema['objects']>;
  readonly event: Insertable<Schema['events']>;
}
import type { ReadCache } from './read-cache.ts';
import type { BatchRunner, CounterRow, Schema } from './schema.ts';

/**
 * What the jobs of one group commit share: the revision counter and the audit head, read once under the writer lock
 * and advanced in memory (no other writer can move them meanwhile). The batch writes the counter back before
 * commit. A job that fails is rolled back to its savepoint and `restore` puts the counter and head back where the
 * job found them, so the next job takes the revisions and sequence numbers the failed one gave up.
 */
/** A change event a batch wrote: its revision, type and the object's stored text. */
export interface BatchEvent {
  readonly revision: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly body: string;
  /** The object's identity (`bodyKey`). */
  readonly id: string;
}

/** Where a batch stood before a job, to undo the job's part when it fails. */
export interface BatchMark {
  readonly revision: number;
  readonly auditHead: { seq: number; hash: string } | undefined;
  readonly compactedThrough: number;
  readonly events: number;
  /** Entries of BatchState.readOnce. */
  readonly once: number;
}

export class BatchState {
  readonly startRevision: number;
  compactedThrough: number;
  revision: number;
  auditHead: { seq: number; hash: string } | undefined;
  /** The stored text of each revision this batch's jobs wrote (a failed job's are dropped with it). */
  readonly written = new Map<number, string>();
  /** Committed revisions' stored text, newest kept (RecentWrites). */
  readonly recent: RecentWrites;
  /** The hot statements' SQL text, shared by every batch of the store. */
  readonly statements: StatementTemplates;
  /** The store's read cache (sql/read-cache.ts), if it keeps one. */
  readonly cache: ReadCache | undefined;
  /**
   * Every object a job of this batch wrote (`bodyKey`), a failed job's included: reading one of these from the read
   * cache could miss the batch's own change, so those are read from the transaction.
   */
  readonly touched = new Set<string>();
  /**
   * Whether the running job's writes can already be undone alone: it is the batch's first (the whole transaction
   * rolls back), or its savepoint was taken. A job of a lazy batch (GroupCommit `lazy`) takes its savepoint only
   * before a write that more of its own code may follow (`beforeWrite`); its last write, sent once its code has
   * returned, needs none: if that statement fails, the transaction is aborted and the batch fails with it.
   */
  jobGuarded = true;

  constructor(
    counter: CounterRow,
    recent: RecentWrites = new RecentWrites(0),
    statements: StatementTemplates = new StatementTemplates(),
    cache?: ReadCache,
  ) {
    this.startRevision = counter.revision;
    this.compactedThrough = counter.compactedThrough;
    this.revision = counter.revision;
    this.auditHead = counter.auditHead && { seq: counter.auditHead.seq, hash: counter.auditHead.hash };
    this.recent = recent;
    this.statements = statements;
    this.cache = cache;
  }

  /**
   * The stored text of `id` as the batch found it, from the read cache; undefined when the cache cannot say for
   * certain. Certain when the cache has applied every change up to the batch's start (nothing newer exists: the
   * batch holds the writer lock) and no job of the batch has written the object.
   */
  cachedBody(id: string): string | null | undefined {
    const cache = this.cache;
    if (cache === undefined || cache.head < this.startRevision || this.touched.has(id)) return undefined;
    return cache.lookup(id)?.body;
  }

  /** Keeps what a job read of an object no job of the batch has written (it is the state at the batch's start). */
  fillCache(id: string, body: string | null): void {
    if (this.cache !== undefined && !this.touched.has(id)) this.cache.fill(id, body, this.startRevision);
  }

  /** The change events this batch's jobs wrote, as stored (a failed job's are dropped with it). */
  readonly events: BatchEvent[] = [];

  /**
   * PostgreSQL (`combine`): the last writes of jobs that have ended, held back so that the writes of several jobs go
   * in one statement (a batch of single-object writes costs BEGIN, one write and COMMIT: three round trips, not one
   * more per write). Sent before anything that must follow them: a read of a later job, a savepoint (so that rolling
   * a later job back never undoes them) and the commit. A job's last write needs no savepoint of its own (if it
   * fails, the transaction is aborted and the batch fails with it), so holding it past the job's end changes nothing
   * of what is acknowledged.
   */
  readonly #deferred: { puts: HeldPut[]; ids: Set<string>; audit: AuditRow[] } = {
    puts: [],
    ids: new Set(),
    audit: [],
  };
  /** The first failure of a statement of held-back writes: the transaction is aborted, and the batch fails with it. */
  deferredError: unknown;

  /**
   * Takes an ended job's last writes (in revision and audit order after those held already); false when they must be
   * sent now instead (one of their objects is held already: one INSERT … ON CONFLICT may change a row once).
   */
  defer(puts: readonly HeldPut[], audit: readonly AuditRow[], ids: ReadonlySet<string>): boolean {
    const held = this.#deferred;
    for (const id of ids) if (held.ids.has(id)) return false;
    if (held.puts.length + puts.length > HELD_ROWS || held.audit.length + audit.length > HELD_ROWS) return false;
    held.puts.push(...puts);
    held.audit.push(...audit);
    for (const id of ids) held.ids.add(id);
    return true;
  }

  /** Sends the ended jobs' held-back writes (see `defer`), if any, in one statement. */
  async sendDeferred(trx: Kysely<Schema>): Promise<void> {
    const held = this.#deferred;
    if (held.puts.length === 0 && held.audit.length === 0) return;
    const puts = held.puts.splice(0);
    const audit = held.audit.splice(0);
    held.ids.clear();
    try {
      await sendRows(trx, this.statements, puts, audit);
    } catch (e) {
      this.deferredError ??= e;
      throw e;
    }
  }

  /**
   * What a read under a lock held to the commit found, once per batch (`readOnce`): the members table in SHARE mode
   * or a lease row FOR SHARE, which nobody can change until the batch commits, so every job of the batch may judge
   * its fence by the same rows instead of locking and reading them again (two round trips per sharded write).
   */
  readonly #once = new Map<string, unknown>();

  /** `read()`'s answer, read by the first job of the batch that asks for `key` (see `#once`). */
  async readOnce<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.#once.has(key)) return this.#once.get(key) as T;
    const value = await read();
    this.#once.set(key, value);
    return value;
  }

  mark(): BatchMark {
    return {
      revision: this.revision,
      auditHead: this.auditHead,
      compactedThrough: this.compactedThrough,
      events: this.events.length,
      once: this.#once.size,
    };
  }

  restore(mark: BatchMark): void {
    // A failed job's locks may have gone with its savepoint: the next job that needs one takes it again.
    if (this.#once.size > mark.once) for (const k of [...this.#once.keys()].slice(mark.once)) this.#once.delete(k);
    // The revisions after the mark are given up, to be taken again by the next job: forget what the failed one wrote.
    for (let r = mark.revision + 1; r <= this.revision; r++) this.written.delete(r);
    this.revision = mark.revision;
    this.auditHead = mark.auditHead;
    this.compactedThrough = mark.compactedThrough;
    this.events.length = mark.events;
  }

  /** The stored text written at `revision`, by this batch or a committed one still remembered; else undefined. */
  bodyAt(revision: number): string | undefined {
    return this.written.get(revision) ?? this.recent.get(revision);
  }

  /**
   * Called by a job before each write statement; `last`: the job's code has returned, and nothing of it follows.
   * Takes the job's savepoint the first time a write that is not its last needs one.
   */
  async beforeWrite(trx: Kysely<Schema>, last: boolean): Promise<void> {
    if (this.jobGuarded || last) return;
    // Ended jobs' writes go before the savepoint: rolling this job back must not undo them.
    await this.sendDeferred(trx);
    await this.statements.raw(trx, SAVEPOINT);
    this.jobGuarded = true;
  }

  /** Writes the advanced counter; call once, after the last job and before commit. */
  async writeCounter(trx: Transaction<Schema>): Promise<void> {
    if (this.revision !== this.startRevision) {
      await this.statements.run(trx, 'write-counter', [this.revision], (a) =>
        trx
          .updateTable('revision_counter')
          .set({ revision: a[0] as number })
          .where('id', '=', 1),
      );
    }
  }
}

/**
 * The SQL text of the write path's hot statements, compiled once per store: building and compiling a query with
 * Kysely costs more CPU than SQLite takes to run it. Each template is compiled from the query builder with a marker
 * per argument, so the text is exactly what the builder makes for this dialect, and the arguments go in the order
 * the compiled parameters name.
 */
export class StatementTemplates {
  /** Per id: the SQL text, and per parameter the argument it takes (a number) or a constant of the builder. */
  readonly #templates = new Map<string, { readonly sql: string; readonly params: readonly Param[] } | null>();
  /** Where the batch's connection can be used directly (SQLite), the statements run there, not through `trx`. */
  readonly #direct: BatchRunner | undefined;

  constructor(direct?: BatchRunner) {
    this.#direct = direct;
  }

  /** Runs a statement without parameters (a savepoint) inside the batch. */
  async raw(trx: Kysely<Schema>, text: string): Promise<void> {
    if (this.#direct) this.#direct(text, []);
    else await trx.executeQuery(CompiledQuery.raw(text));
  }

  /**
   * Runs the statement `id` that `build(args)` makes, with `args`. `id` names one shape: the same SQL text for any
   * arguments (so a list's length belongs in it); values the builder writes itself are kept as they are.
   */
  async run<R>(
    trx: Kysely<Schema>,
    id: string,
    args: readonly unknown[],
    build: (args: readonly unknown[]) => Compilable<R>,
  ): Promise<readonly R[]> {
    let t = this.#templates.get(id);
    if (t === undefined) {
      const markers = args.map((_, i) => `${MARKER}${i}\u0000`);
      const index = new Map(markers.map((m, i) => [m, i]));
      const compiled = build(markers).compile();
      const params = compiled.parameters.map((p): Param | undefined => {
        const i = typeof p === 'string' ? index.get(p) : undefined;
        if (i !== undefined) return i;
        // A value made from an argument (not the argument itself) differs per call: it cannot be templated.
        return typeof p === 'string' && p.includes(MARKER) ? undefined : { constant: p };
      });
      t = params.every((p) => p !== undefined) ? { sql: compiled.sql, params: params as Param[] } : null;
      this.#templates.set(id, t);
    }
    if (t === null) return (await trx.executeQuery(build(args))).rows;
    const parameters = t.params.map((p) => (typeof p === 'number' ? args[p] : p.constant));
    if (this.#direct) return this.#direct(t.sql, parameters) as readonly R[];
    return (await trx.executeQuery(CompiledQuery.raw(t.sql, parameters) as CompiledQuery<R>)).rows;
  }
}

type Param = number | { readonly constant: unknown };
/** The savepoint of a group-commit job (each job's goes above the previous one's; `rollback to` finds the newest). */
export const SAVEPOINT = 'savepoint group_commit_job';
const MARKER = '\u0000polis-arg-';

/**
 * The stored text of the newest revisions this process committed (a committed revision is never taken again), so
 * that reading a recent change back (StoreTx.changesAfter) costs no copy of its body out of the database and hands
 * out the same string each time: a cache keyed by it (quota admission's usage memo) finds it without comparing text.
 */
export class RecentWrites {
  readonly #bodies = new Map<number, string>();
  readonly #capacity: number;
  readonly #maxChars: number;
  /** Characters of the bodies kept. */
  #chars = 0;

  /**
   * At most `capacity` bodies and `maxChars` characters of them (default 8 Mi, 8-16 MB): an Application's body
   * grows with the clusters its status names (tens of KB at 300 clusters), so a count alone let 4,096 of them take
   * hundreds of MB in every replica.
   */
  constructor(capacity = 4096, maxChars = 8 * 2 ** 20) {
    this.#capacity = capacity;
    this.#maxChars = maxChars;
  }

  get(revision: number): string | undefined {
    return this.#bodies.get(revision);
  }

  /** Bodies kept and their characters (tests). */
  get size(): { readonly bodies: number; readonly chars: number } {
    return { bodies: this.#bodies.size, chars: this.#chars };
  }

  /** Called once a batch has committed, with what its jobs wrote (in revision order). */
  committed(written: ReadonlyMap<number, string>): void {
    if (this.#capacity === 0) return;
    for (const [revision, body] of written) {
      const was = this.#bodies.get(revision);
      if (was !== undefined) this.#chars -= was.length;
      this.#bodies.set(revision, body);
      this.#chars += body.length;
    }
    while (this.#bodies.size > this.#capacity || (this.#chars > this.#maxChars && this.#bodies.size > 1)) {
      const [oldest, body] = this.#bodies.entries().next().value!;
      this.#bodies.delete(oldest);
      this.#chars -= body.length;
    }
  }
}

/**
 * One job of a group commit: a `Store.transaction` callback's view of the shared write transaction. Each revision
 * handed out by `nextRevision` must be used by exactly one put or remove before the callback resolves (else the job
 * fails and rolls back), so every committed revision has exactly one event and the current revision is always the
 * newest event's: a change feed waiting for `currentRevision()` never waits for a revision that has no event.
 */
export class SqlStoreTx implements StoreTx {
  readonly #trx: Transaction<Schema>;
  readonly #state: BatchState;
  readonly #unused = new Set<number>();
  readonly #combine: boolean;
  /**
   * With `combine`: the puts not yet sent (none of the same object twice), so that they and the audit entries after
   * them take one statement.
   */
  readonly #pending: HeldPut[] = [];
  /** The objects (`bodyKey`) of `#pending`. */
  readonly #pendingIds = new Set<string>();
  /** With `combine`: the audit entries not yet sent (they travel with the puts before them). */
  readonly #pendingAudit: AuditRow[] = [];
  #open = true;
  /** Lists this job has read through listAll (without a prefix), kept current with its writes. */
  readonly #lists = new Map<string, CachedList>();
  /**
   * The stored text of every object this job has read through `get` or written (null: absent), so that reading
   * one again (the department, read by several admission plugins) costs a parse, not a statement (on PostgreSQL
   * a round trip inside the serial part of the batch). Only this job's puts and removes change objects meanwhile:
   * it holds the writer lock.
   */
  readonly #bodies = new Map<string, string | null>();

  /**
   * `combine` (PostgreSQL): puts and audit entries wait until the job reads from the database or ends, and go in one
   * statement (data-modifying CTEs, several rows each), so the usual write (object, event, audit entry) costs one
   * round trip, not three, and a write with its revision record or a bulk apply's documents between two reads share
   * one. Every read through this tx or the store inside the job sends them first (`settle`), so reads still see them.
   */
  readonly #claim: ((key: ObjectKey) => void) | undefined;

  constructor(trx: Transaction<Schema>, state: BatchState, combine = false, claim?: (key: ObjectKey) => void) {
    this.#trx = trx;
    this.#state = state;
    this.#combine = combine;
    this.#claim = claim;
  }

  claim(key: ObjectKey): void {
    this.#claim?.(key);
  }

  /**
   * Sends what is held back (see `combine`), earlier jobs' last writes first (BatchState.defer); reads made inside
   * the job call this first.
   */
  async settle(): Promise<void> {
    await this.#state.sendDeferred(this.#trx);
    await this.#send(false);
  }

  /**
   * Sends the held-back puts and audit entries in one statement; `last`: the job's code has returned, and they are
   * handed to the batch to travel with later jobs' writes (BatchState.defer) where they can.
   */
  async #send(last: boolean): Promise<void> {
    if (this.#pending.length === 0 && this.#pendingAudit.length === 0) return;
    if (last && this.#state.defer(this.#pending, this.#pendingAudit, this.#pendingIds)) {
      this.#pending.length = 0;
      this.#pendingAudit.length = 0;
      this.#pendingIds.clear();
      return;
    }
    const puts = this.#pending.splice(0);
    const audit = this.#pendingAudit.splice(0);
    this.#pendingIds.clear();
    await this.#state.beforeWrite(this.#trx, last);
    await this.#state.sendDeferred(this.#trx);
    await sendRows(this.#trx, this.#state.statements, puts, audit);
  }

  /**
   * The query creator for a read that none of the held-back writes changes: with those writes in front of it as
   * data-modifying CTEs (sent with the read, one round trip instead of two), after the savepoint they may need. The
   * read's snapshot does not see them, so a caller reads this way only what none of them writes.
   */
  async #withHeld(): Promise<QueryCreator<Schema>> {
    await this.#state.sendDeferred(this.#trx);
    if (!this.#combine || (this.#pending.length === 0 && this.#pendingAudit.length === 0)) return this.#trx;
    const puts = this.#pending.splice(0);
    const audit = this.#pendingAudit.splice(0);
    this.#pendingIds.clear();
    await this.#state.beforeWrite(this.#trx, false);
    let q = this.#trx as unknown as QueryCreator<Schema>;
    if (puts.length > 0) {
      const objects = puts.map((p) => p.object);
      const events = puts.map((p) => p.event);
      q = q
        .with('held_objects', (db) => upsertObjects(db, objects))
        .with('held_events', (db) => db.insertInto('events').values(events)) as unknown as QueryCreator<Schema>;
    }
    if (audit.length > 0)
      q = q.with('held_audit', (db) => db.insertInto('audit').values(audit)) as unknown as QueryCreator<Schema>;
    return q;
  }

  async nextRevision(): Promise<number> {
    this.#checkOpen();
    const revision = ++this.#state.revision;
    this.#unused.add(revision);
    return revision;
  }

  async get(key: ObjectKey): Promise<StoredObject | undefined> {
    this.#checkOpen();
    const id = bodyKey(key);
    let body = this.#bodies.get(id);
    if (body === undefined) body = this.#state.cachedBody(id);
    if (body === undefined) {
      await this.settle();
      body = (await getBody(this.#trx, key, this.#state.statements)) ?? null;
      this.#state.fillCache(id, body);
    }
    if (!this.#bodies.has(id)) this.#bodies.set(id, body);
    return body === null ? undefined : (JSON.parse(body) as StoredObject);
  }

  async prefetch(keys: readonly ObjectKey[]): Promise<void> {
    this.#checkOpen();
    // Only where a read is a round trip (PostgreSQL, `combine`); SQLite's row values take no list after IN either.
    if (!this.#combine) return;
    const wanted = new Map<string, ObjectKey>();
    for (const key of keys) {
      const id = bodyKey(key);
      if (this.#bodies.has(id) || wanted.has(id)) continue;
      const cached = this.#state.cachedBody(id);
      if (cached !== undefined) this.#bodies.set(id, cached);
      else wanted.set(id, key);
    }
    if (wanted.size === 0) return;
    await this.settle();
    const all = [...wanted.values()];
    for (let i = 0; i < all.length; i += PREFETCH_KEYS) {
      const chunk = all.slice(i, i + PREFETCH_KEYS);
      const rows = await this.#trx
        .selectFrom('objects')
        .select(['kind', 'tenant', 'name', 'body'])
        .where((eb) =>
          eb(
            eb.refTuple('kind', 'tenant', 'name'),
            'in',
            chunk.map((k) => eb.tuple(k.kind, k.tenant, k.name)),
          ),
        )
        .execute();
      const found = new Map(rows.map((r) => [bodyKey(r), r.body]));
      for (const key of chunk) {
        const id = bodyKey(key);
        const body = found.get(id) ?? null;
        // Read after this job's own writes were sent: a key it wrote is in #bodies already and was not asked for.
        this.#bodies.set(id, body);
        this.#state.fillCache(id, body);
      }
    }
  }

  async listAll(
    kinds: readonly string[],
    tenant: string,
    options: { readonly namePrefix?: string } = {},
  ): Promise<StoredObject[]> {
    this.#checkOpen();
    if (kinds.length === 0) return [];
    const prefix = options.namePrefix ?? '';
    // A job that lists the same objects again (a bulk apply admits every document against the department's
    // totals) reads them once: the list is kept for the rest of the job and follows its own puts and removes. A
    // list by name prefix is kept when prefetchLists read it.
    const key = listKey(tenant, kinds, prefix);
    const cached = this.#lists.get(key);
    if (cached) return [...cached.sorted];
    const cacheKey = prefix === '' ? key : undefined;
    // The held-back writes travel in front of the read (one round trip, not two) unless one of them is of what it
    // lists: the read's snapshot does not see them.
    const listed = (o: Insertable<Schema['objects']>) =>
      o.tenant === tenant && kinds.includes(o.kind) && o.name.startsWith(prefix);
    if (this.#pending.some((p) => listed(p.object))) await this.settle();
    let query = (await this.#withHeld())
      .selectFrom('objects')
      .select('body')
      .where('kind', 'in', [...kinds])
      .where('tenant', '=', tenant);
    if (prefix !== '') query = query.where('name', '>=', prefix).where('name', '<', prefixEnd(prefix));
    const rows = await query.orderBy('kind').orderBy('name').execute();
    const objects = rows.map((r) => JSON.parse(r.body) as StoredObject);
    if (cacheKey !== undefined)
      this.#lists.set(
        cacheKey,
        new CachedList(
          tenant,
          kinds,
          objects.map((obj) => ({ kind: obj.kind, name: obj.metadata.name, obj })),
        ),
      );
    return objects;
  }

  async prefetchLists(kind: string, tenant: string, prefixes: readonly string[]): Promise<void> {
    this.#checkOpen();
    const wanted = [...new Set(prefixes)].filter((p) => p !== '' && !this.#lists.has(listKey(tenant, [kind], p)));
    if (wanted.length === 0) return;
    // As listAll: the held-back writes travel in front of the read unless one of them is of what it lists.
    if (this.#pending.some((p) => p.object.tenant === tenant && p.object.kind === kind)) await this.settle();
    for (let i = 0; i < wanted.length; i += PREFETCH_PREFIXES) {
      const chunk = wanted.slice(i, i + PREFETCH_PREFIXES);
      const rows = await (
        await this.#withHeld()
      )
        .selectFrom('objects')
        .select(['name', 'body'])
        .where('kind', '=', kind)
        .where('tenant', '=', tenant)
        .where((eb) => eb.or(chunk.map((p) => eb.and([eb('name', '>=', p), eb('name', '<', prefixEnd(p))]))))
        .execute();
      rows.sort((a, b) => compare(a.name, b.name));
      for (const p of chunk) {
        // In listAll's order (by name, in code-unit order), parsed only if the list is read, each list its own.
        const entries = rows.filter((r) => r.name.startsWith(p)).map((r) => ({ kind, name: r.name, body: r.body }));
        this.#lists.set(listKey(tenant, [kind], p), new CachedList(tenant, [kind], entries, p));
      }
    }
  }

  async changesAfter(
    after: number,
    kinds: readonly string[],
    tenant: string,
  ): Promise<readonly TxChange[] | undefined> {
    this.#checkOpen();
    if (after < this.#state.compactedThrough) return undefined;
    if (kinds.length === 0 || after >= this.#state.revision) return [];
    await this.settle();
    // A range of the events' primary key (revision): the few changes since `after`, filtered as they are read. The
    // bodies of those this process wrote lately are in memory; only the others' are read.
    const rows = await this.#trx
      .selectFrom('events')
      .select(['revision', 'type', 'kind', 'name'])
      .where('revision', '>', after)
      .where('tenant', '=', tenant)
      .where('kind', 'in', [...kinds])
      .orderBy('revision')
      .execute();
    const revisions = rows.map((r) => Number(r.revision));
    const missing = revisions.filter((r) => this.#state.bodyAt(r) === undefined);
    const read = new Map<number, string>();
    if (missing.length > 0) {
      const bodies = await this.#trx
        .selectFrom('events')
        .select(['revision', 'body'])
        .where('revision', 'in', missing)
        .execute();
      for (const b of bodies) read.set(Number(b.revision), b.body);
    }
    return rows.map((r, i) => {
      const revision = revisions[i]!;
      return {
        revision,
        type: r.type as TxChange['type'],
        kind: r.kind,
        name: r.name,
        body: this.#state.bodyAt(revision) ?? read.get(revision)!,
      };
    });
  }

  async put(obj: StoredObject, type: 'ADDED' | 'MODIFIED'): Promise<void> {
    this.#checkOpen();
    const revision = this.#take(obj);
    const key = keyOf(obj);
    const body = JSON.stringify(obj);
    rememberStoredText(obj, body);
    const labels = JSON.stringify(obj.metadata.labels ?? {});
    const object = { ...key, uid: obj.metadata.uid, revision, body, labels };
    const event = { revision, type, ...key, body };
    for (const list of this.#lists.values()) list.put(key, body);
    const id = bodyKey(key);
    this.#bodies.set(id, body);
    this.#state.touched.add(id);
    this.#state.events.push({ revision, type, body, id });
    this.#state.written.set(revision, body);
    if (this.#combine) {
      // Held back with the puts before it, unless one of them wrote the same object (one INSERT … ON CONFLICT may
      // change a row once) or the statement would grow past HELD_ROWS.
      if (this.#pendingIds.has(id) || this.#pending.length >= HELD_ROWS) await this.settle();
      this.#pending.push({ object, event });
      this.#pendingIds.add(id);
      return;
    }
    await this.settle();
    await this.#state.beforeWrite(this.#trx, false);
    const t = this.#state.statements;
    await t.run(this.#trx, 'upsert-object', objectParams(object), (a) => upsertObject(this.#trx, objectRowAt(a, 0)));
    await t.run(this.#trx, 'insert-event', eventParams(event), (a) =>
      this.#trx.insertInto('events').values(eventRowAt(a, 0)),
    );
  }

  async remove(last: StoredObject): Promise<void> {
    this.#checkOpen();
    const revision = this.#take(last);
    const key = keyOf(last);
    await this.settle();
    await this.#state.beforeWrite(this.#trx, false);
    const result = await this.#trx
      .deleteFrom('objects')
      .where('kind', '=', key.kind)
      .where('tenant', '=', key.tenant)
      .where('name', '=', key.name)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new NotFoundError(`${describeKey(key)} does not exist`);
    for (const list of this.#lists.values()) list.remove(key);
    const id = bodyKey(key);
    this.#bodies.set(id, null);
    this.#state.touched.add(id);
    const body = JSON.stringify(last);
    this.#state.written.set(revision, body);
    await this.#trx
      .insertInto('events')
      .values({ revision, type: 'DELETED', ...key, body })
      .execute();
    this.#state.events.push({ revision, type: 'DELETED', body, id });
  }

  async appendAudit(input: AuditEntryInput): Promise<AuditEntry> {
    this.#checkOpen();
    const head = this.#state.auditHead ?? (await this.#readAuditHead());
    // The changes (for a create, the whole object) serialised once: their stored text and their canonical form.
    const text = input.changes === undefined || input.changes === null ? undefined : jsonAndCanonical(input.changes);
    const fields = normalizeAuditInput(input, text);
    const seq = head.seq + 1;
    const hash = auditHash(head.hash, seq, fields, fields.changes === null ? undefined : text?.canonical);
    const entry: AuditEntry = { seq, ...fields, prevHash: head.hash, hash };
    const row = auditRowWithText(entry, text?.json);
    if (this.#combine) {
      // Held back with the puts before it, if any.
      if (this.#pendingAudit.length >= HELD_ROWS) await this.settle();
      this.#pendingAudit.push(row);
    } else {
      await this.#state.beforeWrite(this.#trx, false);
      await insertAudit(this.#trx, this.#state.statements, row);
    }
    this.#state.auditHead = { seq, hash: entry.hash };
    return entry;
  }

  /**
   * Checks that every revision taken was used and sends what is held back, as the job's last write; call once, after
   * `fn` resolved.
   */
  async flush(): Promise<void> {
    this.#checkOpen();
    if (this.#unused.size > 0) {
      this.#open = false;
      throw new Error(
        `revision ${[...this.#unused].join(', ')} was taken from nextRevision but not used by a put or remove; take a revision only for a write`,
      );
    }
    await this.#send(true);
    this.#open = false;
  }

  /** Marks the transaction over (after commit or rollback), so a leaked StoreTx fails loudly. */
  close(): void {
    this.#open = false;
  }

  async #readAuditHead(): Promise<{ seq: number; hash: string }> {
    const [row] = await this.#state.statements.run(this.#trx, 'audit-head', [], () =>
      this.#trx.selectFrom('audit').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1),
    );
    if (row) return { seq: Number(row.seq), hash: row.hash };
    // Every live entry was archived and pruned: the chain continues from the anchor.
    const anchor = await this.#trx
      .selectFrom('audit_anchor')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirst();
    return anchor ? { seq: Number(anchor.seq), hash: anchor.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  #take(obj: StoredObject): number {
    const text = obj.metadata.resourceVersion;
    const revision = Number(text);
    if (!this.#unused.has(revision) || String(revision) !== text) {
      throw new Error(
        `${describeKey(keyOf(obj))}: metadata.resourceVersion '${text}' is not an unused revision of this transaction (take one from nextRevision)`,
      );
    }
    this.#unused.delete(revision);
    return revision;
  }

  #checkOpen(): void {
    if (!this.#open) throw new Error('this store transaction has ended; use the StoreTx only inside its callback');
  }
}

type ObjectRow = Insertable<Schema['objects']>;
type EventRow = Insertable<Schema['events']>;
/** Parameters per object row and per event row of a write statement (objectParams, eventParams). */
const OBJECT_PARAMS = 7;
const EVENT_PARAMS = 6;

/** An object row as a statement's parameters; `objectRowAt` reads them back. */
function objectParams(r: ObjectRow): unknown[] {
  return [r.kind, r.tenant, r.name, r.uid, r.revision, r.body, r.labels];
}

/** The object row whose values are `a[at …]`, as `objectParams` laid them out (markers, when compiling a template). */
function objectRowAt(a: readonly unknown[], at: number): ObjectRow {
  return {
    kind: a[at] as string,
    tenant: a[at + 1] as string,
    name: a[at + 2] as string,
    uid: a[at + 3] as string,
    revision: a[at + 4] as number,
    body: a[at + 5] as string,
    labels: a[at + 6] as string,
  };
}

/** An event row as a statement's parameters; `eventRowAt` reads them back. */
function eventParams(r: EventRow): unknown[] {
  return [r.revision, r.type, r.kind, r.tenant, r.name, r.body];
}

function eventRowAt(a: readonly unknown[], at: number): EventRow {
  return {
    revision: a[at] as number,
    type: a[at + 1] as string,
    kind: a[at + 2] as string,
    tenant: a[at + 3] as string,
    name: a[at + 4] as string,
    body: a[at + 5] as string,
  };
}

/** The audit row whose `columns` are `a[at …]`. */
function auditRowAt(a: readonly unknown[], at: number, columns: readonly (keyof AuditRow)[]): AuditRow {
  return Object.fromEntries(columns.map((c, i) => [c, a[at + i]])) as AuditRow;
}

/**
 * Most rows (puts and audit entries) of a write statement sent from a compiled template (one per count of puts, of
 * audit entries and their columns: at most some 150 texts of a few KB each, kept for the store's life); a larger
 * statement (a bulk apply's, a long batch's held-back writes) is built each time.
 */
const TEMPLATED_ROWS = 16;

/**
 * Held-back puts and audit entries in one statement (data-modifying CTEs), none of the same object twice: the usual
 * write (one put with its audit entry) and a batch's held-back writes (a few puts) from a compiled template, with
 * each row's values as parameters in the order `objectParams`, `eventParams` and the audit columns lay them out:
 * building and compiling the statement with the query builder costs more CPU than the rest of its work.
 */
async function sendRows(
  trx: Kysely<Schema>,
  statements: StatementTemplates,
  puts: readonly HeldPut[],
  audit: readonly AuditRow[],
): Promise<void> {
  if (puts.length === 0) {
    if (audit.length === 0) return;
    if (audit.length === 1) await insertAudit(trx, statements, audit[0]!);
    else
      await trx
        .insertInto('audit')
        .values([...audit])
        .execute();
    return;
  }
  const n = puts.length;
  const columns = audit.length > 0 ? (Object.keys(audit[0]!) as (keyof AuditRow)[]) : [];
  const shape = columns.join(',');
  const statement = (objects: ObjectRow[], events: EventRow[], rows: AuditRow[]) => {
    const q = trx.with('o', (db) => upsertObjects(db, objects));
    return rows.length > 0
      ? q
          .with('e', (db) => db.insertInto('events').values(events))
          .insertInto('audit')
          .values(rows)
      : q.insertInto('events').values(events);
  };
  // Audit entries of one statement share their columns (toAuditRow); else, or when large, it is built as it comes.
  if (n + audit.length > TEMPLATED_ROWS || !audit.every((r) => Object.keys(r).join(',') === shape)) {
    await trx.executeQuery(
      statement(
        puts.map((p) => p.object),
        puts.map((p) => p.event),
        [...audit],
      ),
    );
    return;
  }
  const args: unknown[] = [];
  for (const p of puts) args.push(...objectParams(p.object), ...eventParams(p.event));
  for (const r of audit) for (const c of columns) args.push(r[c]);
  await statements.run(trx, `put-rows:${n}:${audit.length}:${shape}`, args, (a) => {
    const objects: ObjectRow[] = [];
    const events: EventRow[] = [];
    for (let i = 0, at = 0; i < n; i++, at += OBJECT_PARAMS + EVENT_PARAMS) {
      objects.push(objectRowAt(a, at));
      events.push(eventRowAt(a, at + OBJECT_PARAMS));
    }
    const rows: AuditRow[] = [];
    for (let j = 0, at = n * (OBJECT_PARAMS + EVENT_PARAMS); j < audit.length; j++, at += columns.length)
      rows.push(auditRowAt(a, at, columns));
    return statement(objects, events, rows);
  });
}

/** One audit entry from a compiled template. */
async function insertAudit(trx: Kysely<Schema>, statements: StatementTemplates, row: AuditRow): Promise<void> {
  const columns = Object.keys(row) as (keyof typeof row)[];
  await statements.run(
    trx,
    `insert-audit:${columns.join(',')}`,
    columns.map((c) => row[c]),
    (a) => trx.insertInto('audit').values(Object.fromEntries(columns.map((c, i) => [c, a[i]])) as typeof row),
  );
}

/**
 * Most puts (and audit entries) one job holds back for one statement: a bulk apply's writes go in a few statements,
 * far below PostgreSQL's 65,535 parameters (7 per object row, 6 per event, about 12 per audit entry).
 */
const HELD_ROWS = 100;
/** Keys per statement of `prefetch` (3 parameters each). */
const PREFETCH_KEYS = 500;
/** Name prefixes per statement of `prefetchLists` (2 parameters each). */
const PREFETCH_PREFIXES = 250;

/** The key of a kept listAll answer. */
function listKey(tenant: string, kinds: readonly string[], prefix: string): string {
  return `${tenant}\u0000${prefix}\u0000${[...kinds].sort().join('\u0000')}`;
}

/** INSERT … ON CONFLICT DO UPDATE of object rows, none of the same key twice. */
function upsertObjects(db: QueryCreator<Schema>, rows: ObjectRow[]) {
  if (rows.length === 1) return upsertObject(db, rows[0]!);
  return db
    .insertInto('objects')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['kind', 'tenant', 'name']).doUpdateSet((eb) => ({
        uid: eb.ref('excluded.uid'),
        revision: eb.ref('excluded.revision'),
        body: eb.ref('excluded.body'),
        labels: eb.ref('excluded.labels'),
      })),
    );
}

/** INSERT … ON CONFLICT DO UPDATE of one object row. */
function upsertObject(db: QueryCreator<Schema>, row: ObjectRow) {
  return db
    .insertInto('objects')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['kind', 'tenant', 'name']).doUpdateSet({
        uid: row.uid,
        revision: row.revision,
        body: row.body,
        labels: row.labels,
      }),
    );
}

/** The object at `key`, freshly parsed. */
export async function getObject(
  db: Kysely<Schema>,
  key: ObjectKey,
  statements: StatementTemplates,
): Promise<StoredObject | undefined> {
  const body = await getBody(db, key, statements);
  return body === undefined ? undefined : (JSON.parse(body) as StoredObject);
}

/** The stored text of the object at `key`. */
export async function getBody(
  db: Kysely<Schema>,
  key: ObjectKey,
  statements: StatementTemplates,
): Promise<string | undefined> {
  const rows = await statements.run(db, 'get-body', [key.kind, key.tenant, key.name], (a) =>
    selectBody(db, { kind: a[0] as string, tenant: a[1] as string, name: a[2] as string }),
  );
  return rows[0]?.body;
}

function selectBody(db: Kysely<Schema>, key: ObjectKey) {
  return db
    .selectFrom('objects')
    .select('body')
    .where('kind', '=', key.kind)
    .where('tenant', '=', key.tenant)
    .where('name', '=', key.name);
}

export function bodyKey(key: ObjectKey): string {
  return `${key.kind}\u0000${key.tenant}\u0000${key.name}`;
}

/** The first string after every string that starts with `prefix` (in code-unit order, as COLLATE "C" sorts). */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/**
 * One listAll answer of a job, ordered by kind and name, updated by the job's own puts and removes. An entry holds
 * its stored text until the list is read (a list read ahead by prefetchLists may never be: a document whose spec
 * did not change lists no revisions).
 */
class CachedList {
  readonly #tenant: string;
  readonly #kinds: ReadonlySet<string>;
  readonly #prefix: string;
  readonly #entries: ListEntry[];

  constructor(tenant: string, kinds: readonly string[], entries: ListEntry[], prefix = '') {
    this.#tenant = tenant;
    this.#kinds = new Set(kinds);
    this.#prefix = prefix;
    this.#entries = entries;
  }

  /** The objects, each parsed once from its stored text. */
  get sorted(): StoredObject[] {
    return this.#entries.map((e) => (e.obj ??= JSON.parse(e.body!) as StoredObject));
  }

  put(key: ObjectKey, body: string): void {
    if (!this.#covers(key)) return;
    // Kept as the stored text, so that a caller changing its object after the put cannot change the list.
    const entry: ListEntry = { kind: key.kind, name: key.name, body };
    const at = this.#search(key);
    if (at.found) this.#entries[at.index] = entry;
    else this.#entries.splice(at.index, 0, entry);
  }

  remove(key: ObjectKey): void {
    if (!this.#covers(key)) return;
    const at = this.#search(key);
    if (at.found) this.#entries.splice(at.index, 1);
  }

  #covers(key: ObjectKey): boolean {
    return key.tenant === this.#tenant && this.#kinds.has(key.kind) && key.name.startsWith(this.#prefix);
  }

  /** Binary search by (kind, name) in code-unit order, as the query sorted them. */
  #search(key: ObjectKey): { found: boolean; index: number } {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.#entries[mid]!;
      const c = compare(m.kind, key.kind) || compare(m.name, key.name);
      if (c === 0) return { found: true, index: mid };
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return { found: false, index: lo };
  }
}

/** An object of a CachedList: its stored text, parsed when the list is read. */
interface ListEntry {
  readonly kind: string;
  readonly name: string;
  readonly body?: string;
  obj?: StoredObject;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
