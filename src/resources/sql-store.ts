import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { AuditAnchor, AuditEntry } from './audit-log.ts';
import type { ObjectKey, StoredObject } from './envelope.ts';
import { ConflictError, GoneError, UnavailableError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/render.ts';
import { shareExclusionNotes } from '../kernel/shared-notes.ts';
import type {
  AuditPage,
  AuditQuery,
  ChangeEvent,
  CommittedChanges,
  ListPage,
  ListQuery,
  SnapshotLoad,
  Store,
  StoreSnapshot,
  StoreStats,
  StoreTx,
  TransactionOptions,
} from './store.ts';
import { acquireLease, checkFence, fenceHolds, readLease, releaseLease } from './sql/lease-rows.ts';
import { HeldTerms } from './sql/held-terms.ts';
import { heartbeatMember, leaveMember, liveRows, readMembers, shardClaim } from './sql/member-rows.ts';
import { capacityReserved, reserveCapacity } from './sql/reservation-rows.ts';
import { auditPages, checkLimit, selectAudit } from './sql/audit-rows.ts';
import { listsAtOnce, scanList, scanListAtOnce } from './sql/list-scan.ts';
import { metricRows } from './sql/metric-rows.ts';
import { alertRows } from './sql/alert-rows.ts';
import { GroupCommit, type CommittedBatch } from './sql/group-commit.ts';
import type { Migration, Schema, SqlDialectHooks } from './sql/schema.ts';
import { loadSnapshot, snapshotView } from './sql/snapshot-rows.ts';
import { sqlLedger } from './sql/ledger-rows.ts';
import { getBody, getObject, SqlStoreTx, StatementTemplates, type BatchState } from './sql/store-tx.ts';
import { ReadCache, RevisionReader } from './sql/read-cache.ts';
import { readThroughCache } from './sql/cached-reads.ts';
import { osStorageFailure, StoreUnavailableError } from './store-errors.ts';

export type { Schema, SqlDialectHooks, Migration } from './sql/schema.ts';

/** The transaction an async context runs in, so reads issued inside `transaction` use its connection. */
interface TxScope {
  readonly trx: Transaction<Schema>;
  open: boolean;
  /** The job's StoreTx, whose held-back put a read must send first. */
  tx?: SqlStoreTx;
}

/**
 * The one Store implementation, shared by every SQL backend; `hooks` carry only what differs (DDL, the writer lock,
 * snapshot reads). Guarantees beyond the Store contract:
 * - writes share durable commits (GroupCommit): concurrent `transaction` calls run one after another in one database
 *   transaction, each in a savepoint, and resolve after the commit that holds them; batches are serialized by
 *   `hooks.lockWriter`, their first statement, so revision order is commit order; a transaction that throws leaves
 *   nothing behind (objects, events, counter, audit) and fails no other;
 * - store reads made while a `transaction` callback runs (in its async context) go through that transaction, so
 *   they see its writes and cannot wait on the single SQLite connection it holds; a nested `transaction` throws;
 * - every object and entry returned is freshly parsed, owned by the caller.
 */
/** `hooks` with `extra` steps after its own (a newer polis's, in tests of a rolling upgrade). */
export function withExtraMigrations(hooks: SqlDialectHooks, extra: readonly Migration[] = []): SqlDialectHooks {
  return extra.length === 0 ? hooks : { ...hooks, migrations: [...hooks.migrations, ...extra] };
}

export function createSqlStore(db: Kysely<Schema>, hooks: SqlDialectHooks): Store {
  const scope = new AsyncLocalStorage<TxScope>();
  const reader = (): Kysely<Schema> => {
    const s = scope.getStore();
    return s?.open ? s.trx : db;
  };
  /** Inside a transaction callback: sends what its StoreTx holds back, so a store read sees the job's own writes. */
  const settle = async (): Promise<void> => {
    const s = scope.getStore();
    if (s?.open) await s.tx?.settle();
  };
  // Reads outside a batch's own jobs go through the query builder's executor (it waits for the connection).
  const readStatements = new StatementTemplates();
  // Reads outside any transaction while the connection is free run on it at once (SQLite): same statements.
  const readNow = hooks.readNow;
  const nowStatements = readNow && new StatementTemplates(readNow.run);
  const snapshot = <T>(fn: (q: Kysely<Schema>) => Promise<T>): Promise<T> => {
    const s = scope.getStore();
    return s?.open ? fn(s.trx) : hooks.readSnapshot(db, fn);
  };
  const cache = hooks.readCache ? new ReadCache(hooks.readCache) : undefined;
  const cachedReads = cache && readThroughCache(db, cache, readStatements);
  // Writers of this process queue here and share durable commits (sql/group-commit.ts); the database lock then
  // only ever sees one batch of them (the others do not sit on pooled connections that readers need).
  const commitListeners = new Set<(changes?: CommittedChanges) => void>();
  const commitSeen = (changes?: CommittedChanges): void => {
    for (const listener of commitListeners) listener(changes);
  };
  /** This process's commit, with the events it wrote parsed once for every listener. */
  const committedHere = (_revision: number, batch?: CommittedBatch, more?: boolean): void => {
    // Without its events (a snapshot load) the cache stays behind, and the next read fills the gap from the database.
    if (cache && batch)
      cache.apply(
        batch.after,
        batch.events.map((e) => ({ revision: e.revision, id: e.id, body: e.type === 'DELETED' ? null : e.body })),
      );
    if (commitListeners.size === 0) return;
    commitSeen(
      batch && {
        after: batch.after,
        more,
        events: batch.events.map((e) => ({
          type: e.type,
          revision: e.revision,
          object: shareExclusionNotes(JSON.parse(e.body) as StoredObject),
        })),
      },
    );
  };
  let stopListening: (() => Promise<void>) | undefined;
  // Terms this process's lease attempts found it holding: fence checks before cluster writes answer from them.
  const held = new HeldTerms();
  const liveMembers = new RevisionReader(() => liveRows(db, hooks.nowMs));
  const committer = new GroupCommit({
    db,
    advanceCounter: hooks.advanceCounter ? (trx, revision) => hooks.advanceCounter!(trx, revision) : undefined,
    afterCommit: committedHere,
    lockWriter: (trx) => hooks.lockWriter(trx),
    transaction: hooks.batchTransaction ? (fn) => hooks.batchTransaction!(db, fn) : undefined,
    durable: hooks.durable ? () => hooks.durable!() : undefined,
    runInBatch: hooks.runInBatch,
    cache,
    // A write the storage refuses (read-only, disk full, I/O) becomes a 503 naming the I/O cause, not a bare 500.
    classify: (e) => {
      if (e instanceof StoreUnavailableError) return e;
      const failure = hooks.storageFailure?.(e) ?? osStorageFailure(e);
      return failure ? new StoreUnavailableError(failure, e) : e;
    },
  });
  const batchMembers = (trx: Transaction<Schema>, state: BatchState) =>
    state.readOnce('members', () => readMembers(trx, hooks.nowMs, hooks.membersLock));
  const write = <T>(fn: (trx: Transaction<Schema>, state: BatchState) => Promise<T>, lazy = false): Promise<T> => {
    if (scope.getStore()?.open) {
      return Promise.reject(
        new Error('store.transaction was called inside a transaction; use the StoreTx passed to the callback'),
      );
    }
    return committer.submit(async (trx, state) => {
      const s: TxScope = { trx, open: true };
      try {
        return await scope.run(s, () => fn(trx, state));
      } finally {
        s.open = false;
      }
    }, lazy);
  };

  return {
    async migrate(): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await hooks.lockMigrations(trx);
        await sql`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)`.execute(
          trx,
        );
        // What each applied step asks of the code that runs on it (see Migration.oldestReader); a step applied by a
        // polis that predates this table counts as additive.
        await sql`CREATE TABLE IF NOT EXISTS schema_compat (version INTEGER PRIMARY KEY, oldest_reader INTEGER NOT NULL)`.execute(
          trx,
        );
        const applied = await trx.selectFrom('schema_migrations').select('version').execute();
        const done = new Set(applied.map((r) => Number(r.version)));
        const steps = [...hooks.migrations].sort((a, b) => a.version - b.version);
        const known = steps.at(-1)?.version ?? 0;
        const compat = await trx.selectFrom('schema_compat').select(['version', 'oldest_reader']).execute();
        const readers = new Map(compat.map((r) => [Number(r.version), Number(r.oldest_reader)]));
        const newer = [...done].filter((v) => v > known).sort((a, b) => a - b);
        if (newer.length > 0) {
          const required = Math.max(...newer.map((v) => readers.get(v) ?? known));
          if (required > known) {
            throw new UnavailableError(msg('SchemaTooNew', { database: newer.at(-1)!, required, known }));
          }
        }
        for (const [i, m] of steps.entries()) {
          const oldestReader = m.oldestReader ?? steps[i - 1]?.version ?? 0;
          if (!done.has(m.version)) {
            for (const statement of m.statements) await sql.raw(statement).execute(trx);
            await trx.insertInto('schema_migrations').values({ version: m.version, name: m.name }).execute();
          }
          if (!readers.has(m.version))
            await trx.insertInto('schema_compat').values({ version: m.version, oldest_reader: oldestReader }).execute();
        }
      });
    },

    transaction<T>(fn: (tx: StoreTx) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
      return write(async (trx, state) => {
        // Once per batch (BatchState.readOnce): the lock each read takes holds until the batch commits, and the
        // batch commits as one, so its rows stand for every job of it.
        if (opts.fence) {
          const { name } = opts.fence;
          const lease = await state.readOnce(`lease\u0000${name}`, () =>
            readLease(trx, hooks.nowMs, name, hooks.fenceLock),
          );
          fenceHolds(lease, opts.fence);
        }
        const claim = opts.shard ? shardClaim(await batchMembers(trx, state), opts.shard) : undefined;
        const tx = new SqlStoreTx(trx, state, hooks.combineWrites === true, claim);
        scope.getStore()!.tx = tx;
        try {
          const result = await fn(tx);
          await tx.flush();
          return result;
        } finally {
          tx.close();
        }
        // Every write goes through the StoreTx (BatchState.beforeWrite): where puts are held back (PostgreSQL), the
        // job's savepoint waits for a write that more of its code follows, and its last write needs none.
      }, hooks.combineWrites === true);
    },

    async acquireLease(req) {
      // Outside the group commit: a lease statement must not wait behind a batch of writes (nor hold one up).
      const token = held.begin(req.name);
      const state = await acquireLease(db, hooks.nowMs, req);
      held.observe(req, state, token);
      return state;
    },

    releaseLease(name, holder, epoch) {
      held.forget(name);
      return releaseLease(db, hooks.nowMs, name, holder, epoch);
    },

    async checkFence(key, opts) {
      // Reads only, outside the group commit: nothing here is written, so a transaction would add a job (and, on
      // SQLite, a wait for the log flush) to the batch every writer waits on, and would keep nothing safer: it would
      // commit before the cluster write it guards all the same. A term this process certainly holds needs no read.
      await settle();
      const q = reader();
      if (opts.fence && !held.holds(opts.fence)) await checkFence(q, hooks.nowMs, '', opts.fence);
      if (!opts.shard) return;
      // Outside a transaction: the live members from a read begun after this check was asked, shared with the
      // checks asked while it runs (a reconcile checks before each cluster write, several reconciles at once): as
      // exact as a read of its own, in one statement for many.
      const rows = scope.getStore()?.open ? await liveRows(q, hooks.nowMs) : await liveMembers.current();
      shardClaim(rows, opts.shard)(key);
    },

    heartbeatMember(req) {
      // Outside the group commit, like the leases.
      return heartbeatMember(db, hooks.nowMs, req);
    },

    leaveMember(id, epoch) {
      return leaveMember(db, id, epoch);
    },

    async reserveCapacity(req) {
      await write(async (trx, state) => {
        if (req.shard) {
          const claim = shardClaim(await batchMembers(trx, state), req.shard);
          const slash = req.application.indexOf('/');
          claim({
            kind: 'Application',
            tenant: req.application.slice(0, slash),
            name: req.application.slice(slash + 1),
          });
        }
        await reserveCapacity(trx, hooks.nowMs, hooks.lockRoom, req);
      });
    },

    capacityReserved() {
      return capacityReserved(db, hooks.nowMs);
    },

    async probeWrite(): Promise<void> {
      // A real, committed write that changes nothing: a read-only file or a full disk fails it as it would a change.
      await write(async (trx) => {
        await sql`UPDATE revision_counter SET revision = revision WHERE id = 1`.execute(trx);
      });
    },

    readSnapshot<T>(fn: (view: StoreSnapshot) => Promise<T>): Promise<T> {
      return snapshot(async (q) => fn(await snapshotView(q)));
    },

    async load(input: SnapshotLoad): Promise<void> {
      await write(async (trx, state) => {
        await loadSnapshot(trx, input);
        // The batch writes its counter at commit: it must continue from the loaded revision, not the empty store's.
        state.revision = input.revision;
        state.compactedThrough = input.revision;
      });
    },

    async get(key: ObjectKey): Promise<StoredObject | undefined> {
      await settle();
      if (cachedReads && !scope.getStore()?.open) {
        const text = await cachedReads.read(key);
        return text === undefined ? undefined : (JSON.parse(text) as StoredObject);
      }
      if (readNow && nowStatements && !scope.getStore()?.open && readNow.idle())
        return getObject(db, key, nowStatements);
      return getObject(reader(), key, readStatements);
    },

    async getText(key: ObjectKey): Promise<string | undefined> {
      // The check and the statement run in one synchronous stretch (StatementTemplates.run awaits nothing first).
      if (readNow && nowStatements && !scope.getStore()?.open && readNow.idle()) return getBody(db, key, nowStatements);
      await settle();
      // The same cache and consistency rule as `get` (sql/cached-reads.ts): the text is never changed in place.
      if (cachedReads && !scope.getStore()?.open) return cachedReads.read(key);
      return getBody(reader(), key, readStatements);
    },

    async list(query: ListQuery): Promise<ListPage> {
      await settle();
      if (hooks.listAtOnce && !scope.getStore()?.open && listsAtOnce(query)) return scanListAtOnce(db, query);
      return snapshot((q) => scanList(q, query));
    },

    async currentRevision(): Promise<number> {
      await settle();
      const row = await reader()
        .selectFrom('revision_counter')
        .select('revision')
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return Number(row.revision);
    },

    async changesSince(after: number, limit: number): Promise<ChangeEvent[]> {
      const take = checkLimit(limit, 'limit')!;
      await settle();
      const q = reader();
      // Events first, then the compaction point: compaction only moves forward, so if it is still at or below
      // `after` now, it was when the events were read and none between `after` and them are missing.
      const rows = await q
        .selectFrom('events')
        .select(['revision', 'type', 'body'])
        .where('revision', '>', after)
        .orderBy('revision')
        .limit(take)
        .execute();
      const first = rows[0];
      if (first === undefined || Number(first.revision) !== after + 1) {
        const c = await q
          .selectFrom('revision_counter')
          .select('compacted_through')
          .where('id', '=', 1)
          .executeTakeFirstOrThrow();
        const compactedThrough = Number(c.compacted_through);
        if (after < compactedThrough) {
          throw new GoneError(
            `resourceVersion ${after} is too old: changes up to ${compactedThrough} have been compacted; list again and watch from the list's resourceVersion`,
          );
        }
      }
      return rows.map((r) => ({
        type: r.type as ChangeEvent['type'],
        revision: Number(r.revision),
        object: shareExclusionNotes(JSON.parse(r.body) as StoredObject),
      }));
    },

    async compact(keep: number): Promise<number> {
      if (!Number.isSafeInteger(keep) || keep < 0)
        throw new RangeError(`compact(keep): keep must be a non-negative integer, got ${keep}`);
      return write(async (trx, state) => {
        const newestDropped = await trx
          .selectFrom('events')
          .select('revision')
          .orderBy('revision', 'desc')
          .limit(1)
          .offset(keep)
          .executeTakeFirst();
        if (newestDropped === undefined) return state.compactedThrough;
        const through = Math.max(state.compactedThrough, Number(newestDropped.revision));
        await trx.deleteFrom('events').where('revision', '<=', through).execute();
        await trx.updateTable('revision_counter').set({ compacted_through: through }).where('id', '=', 1).execute();
        state.compactedThrough = through;
        return through;
      });
    },

    async queryAudit(query: AuditQuery): Promise<AuditPage> {
      await settle();
      return selectAudit(reader(), query);
    },

    async *scanAudit(pageSize: number): AsyncIterable<readonly AuditEntry[]> {
      await settle();
      yield* auditPages(reader, pageSize);
    },

    async auditAnchor(): Promise<AuditAnchor> {
      const row = await reader()
        .selectFrom('audit_anchor')
        .select(['seq', 'hash'])
        .where('id', '=', 1)
        .executeTakeFirstOrThrow();
      return { seq: Number(row.seq), hash: row.hash };
    },

    async pruneAudit(expected: AuditAnchor, through: AuditAnchor): Promise<number> {
      return write(async (trx) => {
        const anchor = await trx
          .selectFrom('audit_anchor')
          .select(['seq', 'hash'])
          .where('id', '=', 1)
          .executeTakeFirstOrThrow();
        if (Number(anchor.seq) !== expected.seq || anchor.hash !== expected.hash) {
          throw new ConflictError(
            `the audit anchor moved (now entry ${Number(anchor.seq)}, expected ${expected.seq}): another retention run pruned first`,
          );
        }
        const last = await trx.selectFrom('audit').select('hash').where('seq', '=', through.seq).executeTakeFirst();
        if (through.seq <= expected.seq || last?.hash !== through.hash) {
          throw new ConflictError(
            `audit entry ${through.seq} is not a live entry with hash ${through.hash}: nothing was pruned`,
          );
        }
        const removed = await trx.deleteFrom('audit').where('seq', '<=', through.seq).executeTakeFirst();
        await trx
          .updateTable('audit_anchor')
          .set({ seq: through.seq, hash: through.hash })
          .where('id', '=', 1)
          .execute();
        return Number(removed.numDeletedRows);
      });
    },

    // /metrics calls this on every scrape, so the two ever-growing tables are not counted row by row: every
    // revision after the compaction point has exactly one event, and audit seq numbers are dense after the anchor.
    async stats(): Promise<StoreStats> {
      await settle();
      const row = await reader()
        .selectNoFrom((eb) => [
          eb.selectFrom('objects').select(eb.fn.countAll<number>().as('n')).as('objects'),
          eb
            .selectFrom('audit')
            .select((a) => a.fn.max('seq').as('n'))
            .as('audit'),
          eb.selectFrom('revision_counter').select('revision').where('id', '=', 1).as('revision'),
          eb.selectFrom('revision_counter').select('compacted_through').where('id', '=', 1).as('compacted'),
          eb.selectFrom('audit_anchor').select('seq').where('id', '=', 1).as('anchor'),
        ])
        .executeTakeFirstOrThrow();
      return {
        objects: Number(row.objects),
        events: Number(row.revision) - Number(row.compacted),
        // Entries after the anchor are live (retention pruned those up to it).
        auditEntries: Math.max(0, Number(row.audit ?? row.anchor ?? 0) - Number(row.anchor ?? 0)),
        revision: Number(row.revision),
      };
    },

    ledger: sqlLedger(reader, (fn) => write((trx) => fn(trx))),

    onCommit(listener: (changes?: CommittedChanges) => void): () => void {
      commitListeners.add(listener);
      if (stopListening === undefined && hooks.listenCommits)
        stopListening = hooks.listenCommits((revision) =>
          // A commit through `revision`: nothing of it after that revision, so a feed that passed it reads nothing.
          commitSeen(revision === undefined ? undefined : { after: revision, events: [] }),
        );
      return () => commitListeners.delete(listener);
    },

    commitCounts() {
      return committer.counts;
    },

    readCacheCounts() {
      if (!cache || !cachedReads) return undefined;
      const { hits, misses, catchUps, resets, size } = cache;
      return { hits, misses, catchUps, resets, revisionReads: cachedReads.revisionReads(), entries: size };
    },

    metricHistory: metricRows(db),

    alertState: alertRows(db, hooks),

    async close(): Promise<void> {
      commitListeners.clear();
      await stopListening?.();
      await committer.idle();
      await db.destroy();
      await hooks.close?.();
    },
  };
}
