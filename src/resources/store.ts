import type { Fence, LeaseRequest, LeaseState } from '../kernel/leader-lease.ts';
import type { AuditAnchor, AuditEntry, AuditEntryInput } from './audit-log.ts';
import type { ObjectKey, StoredObject } from './envelope.ts';
import type { LabelSelector } from './label-selector.ts';
import type { MetricHistoryStore } from './metric-history.ts';
import type { AlertStateStore } from './alert-state.ts';
import type { LedgerStore } from './ledger-store.ts';
import type { Resources } from '../kernel/resources.ts';

/**
 * The store seam. `sqlite/` and `postgres/` implement it over one Kysely query layer; nothing outside those folders
 * names a backend. The store persists objects, their change events and the audit chain; it knows no kind's meaning:
 * validation, generation, finalizers and admission live in the resource service above it.
 *
 * Revisions: every write takes the next value of one global counter (like etcd's revision). Writers are serialized
 * from the start of `transaction` to its commit, so revision order is commit order and a change feed that reads
 * events in revision order never skips one that commits later. Concurrent transactions may share one durable commit
 * (group commit); each is still atomic on its own, and resolves only once that commit is durable.
 */
export interface Store {
  /** Create tables and run pending migrations; idempotent. */
  migrate(): Promise<void>;
  /**
   * Run `fn` as one serialized, atomic write transaction; nothing of it is visible unless it resolves, and it
   * resolves only after the commit holding it is durable. A transaction that throws fails alone, even when it shared
   * a commit with others.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * Takes or renews the lease `name` for `holder`, timed by the database's clock (never a replica's). Granted when
   * the lease is free or expired (epoch + 1: a new term) or when `holder` renews the term `epoch` it holds and that
   * has not expired (same epoch). Returns the lease as it is after the attempt, whoever holds it.
   */
  acquireLease(req: LeaseRequest): Promise<LeaseState>;
  /** Ends `holder`'s term `epoch` now (if it still holds it), so another replica can take over without waiting. */
  releaseLease(name: string, holder: string, epoch: number): Promise<void>;
  /**
   * Throws as a write of `key` carrying `opts` would be refused now (ConflictError, causes `Fenced`, `ShardFenced`,
   * `ShardMoved`), and writes nothing: the check before a write the store cannot fence (a cluster apply or prune).
   * No write transaction: it reads the lease and member rows outside the group commit, and a term this process's
   * own lease attempts found it holding, with time left by a safe margin, is answered without reading (its row
   * cannot change before it expires but by this holder's own renewal or release).
   */
  checkFence(key: ObjectKey, opts: TransactionOptions): Promise<void>;
  /**
   * Registers or renews a replica that runs sharded controllers, timed by the database clock, reaps members that
   * expired, and returns the live set (sorted). The member keeps its epoch while it renews in time; a new or lapsed
   * row gets a larger one, so a sharded write of an older incarnation is refused.
   */
  heartbeatMember(req: MemberHeartbeat): Promise<MemberView>;
  /** Removes a member now (its applications move to the others at their next heartbeat). */
  leaveMember(id: string, epoch: number): Promise<void>;
  /**
   * Reserves the room a placement takes, in one write transaction, against every replica's unexpired reservations
   * (see CapacityReservation); throws ConflictError (cause `CapacityTaken`) when some cluster has no room left, and
   * writes nothing then. With `shard`, refused like a sharded write unless that member owns the application.
   */
  reserveCapacity(req: CapacityReservation): Promise<void>;
  /** Unexpired capacity reservations, summed per cluster. */
  capacityReserved(): Promise<Map<string, Resources>>;
  get(key: ObjectKey): Promise<StoredObject | undefined>;
  /**
   * The stored JSON text of the object at `key`, unparsed: what a read may send as it is when the kind encodes and
   * hides nothing (ResourceService.getText).
   */
  getText(key: ObjectKey): Promise<string | undefined>;
  list(query: ListQuery): Promise<ListPage>;
  /** The revision of the last committed write (0 for an empty store). */
  currentRevision(): Promise<number>;
  /**
   * Change events with revision > `after`, oldest first, at most `limit`.
   * Throws GoneError when events after `after` have been compacted away.
   */
  changesSince(after: number, limit: number): Promise<ChangeEvent[]>;
  /** Drop change events older than the newest `keep`; returns the oldest revision a watcher can still resume from. */
  compact(keep: number): Promise<number>;
  /** Audit entries matching `query`, in sequence order. */
  queryAudit(query: AuditQuery): Promise<AuditPage>;
  /** Every audit entry, in sequence order, in pages of `pageSize` (for verification). */
  scanAudit(pageSize: number): AsyncIterable<readonly AuditEntry[]>;
  /** The entry the live chain starts after (GENESIS_ANCHOR until retention pruned entries). */
  auditAnchor(): Promise<AuditAnchor>;
  /**
   * Removes the audit entries up to and including `through` (which must be a live entry with that hash, after the
   * anchor `expected`) and makes `through` the anchor, in one write transaction. Only retention calls it, after the
   * entries were archived; it throws ConflictError when the anchor moved or `through` does not match. Returns the
   * number of entries removed.
   */
  pruneAudit(expected: AuditAnchor, through: AuditAnchor): Promise<number>;
  /** Row counts and sizes for /metrics. */
  stats(): Promise<StoreStats>;
  /**
   * A committed write that changes nothing, for readiness: rejects (StoreUnavailableError when the storage refused
   * it) while the store cannot write. Costs one small commit: call it at a bounded rate (WriteProbe).
   */
  probeWrite(): Promise<void>;
  /**
   * Calls `listener` after commits that advanced the revision, this process's at once and, on PostgreSQL, other
   * replicas' too (LISTEN/NOTIFY). Best effort: a listener may be called spuriously or miss another process's commit
   * while disconnected, so readers still poll at a bounded interval. Returns a function that unsubscribes.
   * This process's commits pass the change events they wrote (`changes`, shared by every listener: do not change
   * them), once durable and in commit order, so a change feed can deliver them without reading them back.
   */
  onCommit(listener: (changes?: CommittedChanges) => void): () => void;
  /** How many durable commits this process made, and how many transactions they carried (process-local). */
  commitCounts(): CommitCounts;
  /** What this process's object read cache did (PostgreSQL, docs/deploy.md, Reads); undefined without one. */
  readCacheCounts?(): ReadCacheCounts | undefined;
  /**
   * Runs `fn` over one consistent, read-only snapshot of the committed state (for backups): every read through the
   * view sees the same revision, objects and audit chain, however long `fn` takes. PostgreSQL: a REPEATABLE READ
   * transaction, writers go on meanwhile. SQLite: a read transaction on the store's one connection, so this
   * process's other store calls wait until `fn` resolves: read, do not wait on anything else.
   */
  readSnapshot<T>(fn: (view: StoreSnapshot) => Promise<T>): Promise<T>;
  /**
   * Loads objects and an audit chain, verbatim, into this store, which must be empty (no object, no audit entry,
   * revision 0; else ConflictError with the cause code `StoreNotEmpty`). One write transaction: the revision counter
   * is set to `revision` and change history starts there (a watch from an older revision is 410 Gone); `check`
   * runs last, inside it, over what was loaded; anything that throws leaves the store as it was.
   */
  load(input: SnapshotLoad): Promise<void>;
  /** polis's own metric history (series and compressed chunks), kept beside the objects. */
  readonly metricHistory: MetricHistoryStore;
  /** Alert state and notification records (src/observe), kept across restarts. */
  readonly alertState: AlertStateStore;
  /** Metering roll-ups and closed cost days (src/operations; rows outside the change feed and the audit chain). */
  readonly ledger: LedgerStore;
  close(): Promise<void>;
}

export type { Fence, LeaseRequest, LeaseState };

export interface MemberHeartbeat {
  /** A name unique to this process (host, pid, random). */
  readonly id: string;
  /** The epoch the member renews (0 to join anew). */
  readonly epoch: number;
  readonly ttlMs: number;
}

export interface MemberView {
  readonly id: string;
  /** The member's epoch after the heartbeat (0: not registered). */
  readonly epoch: number;
  /** Every live member's id, sorted (the caller among them when it is live). */
  readonly live: readonly string[];
  /** Milliseconds until the caller's membership expires, by the database clock. */
  readonly remainingMs: number;
}

/** A sharded controller's write: the member and the epoch it runs in (TransactionOptions.shard). */
export interface ShardFence {
  readonly member: string;
  readonly epoch: number;
}

/** Room a placement takes on clusters (Store.reserveCapacity). */
export interface CapacityReservation {
  /** The application's shard key (`tenant/name`). */
  readonly application: string;
  /**
   * Per cluster: what the placement adds (negative parts are ignored: freed room shows in the next report), and the
   * room the placing replica observed there before any reservation (allocatable − requested − pending).
   */
  readonly clusters: readonly {
    readonly cluster: string;
    readonly delta: Resources;
    readonly observedFree: Resources;
  }[];
  /** How long the reservation holds, by the database clock, unless the same application adds to it. */
  readonly ttlMs: number;
  readonly shard?: ShardFence;
}

export interface TransactionOptions {
  /**
   * Refuse the transaction (ConflictError, cause code `Fenced`) unless `fence.holder` still holds the lease
   * `fence.name` in term `fence.epoch`, unexpired, checked inside the transaction; a takeover cannot commit between
   * that check and this transaction's commit. Controllers' writes carry it; people's requests do not.
   */
  readonly fence?: Fence;
  /**
   * A sharded controller's write: refused (ConflictError, cause `ShardFenced`) unless the member is live in that
   * epoch, and each Application it writes (StoreTx.claim, called by the resource service) is owned by the member
   * among the live set (cause `ShardMoved`); membership cannot change until the transaction commits.
   */
  readonly shard?: ShardFence;
}

export interface CommitCounts {
  /** Successful commits of write transactions. */
  readonly commits: number;
  /** Transactions (and write probes, compactions) those commits acknowledged. */
  readonly transactions: number;
}

/** The object read cache's work since the process started (Store.readCacheCounts, shown on /metrics). */
export interface ReadCacheCounts {
  /** Reads answered from memory. */
  readonly hits: number;
  /** Reads that went to the database (the object was not held, or the cache could not catch up). */
  readonly misses: number;
  /** Reads that first waited for change events another process committed to be read into the cache. */
  readonly catchUps: number;
  /** Times the cache forgot everything (far behind, or changes it had not read were compacted away). */
  readonly resets: number;
  /** `select revision` statements: one answers every read that arrived while the previous one ran. */
  readonly revisionReads: number;
  /** Objects held now. */
  readonly entries: number;
}

/** A consistent read-only view of the whole store (Store.readSnapshot). */
export interface StoreSnapshot {
  /** The revision of the last write the snapshot holds. */
  readonly revision: number;
  /** Objects per kind, the audit chain's length and head, as of the snapshot. */
  counts(): Promise<SnapshotCounts>;
  /** Every object's stored JSON text, ordered by kind, tenant and name, in pages of at most `pageSize`. */
  objects(pageSize: number): AsyncIterable<readonly string[]>;
  /** Every audit entry in sequence order, in pages of at most `pageSize`. */
  audit(pageSize: number): AsyncIterable<readonly AuditEntry[]>;
  /** Every ledger row, table by table in LEDGER_TABLES order, in pages of at most `pageSize`. */
  ledger(pageSize: number): AsyncIterable<readonly LedgerRecord[]>;
}

/**
 * The ledger's tables, as a backup carries them (rows verbatim, column names as stored). `meter_usage` is logical
 * since schema 7: its rows (names and text keys) are stored as meter_series + meter_rollups (sql/ledger-rows.ts).
 * The alert tables (AlertStateStore: the alerts the last evaluation held, notification records, the evaluation's
 * sample windows) ride the same way since backup format version 3, so a restore brings back what was firing and
 * who was told. Since version 4 the windows are the series dictionary and the binary slot rows (alert_series,
 * alert_slots: `data` as base64 text); alert_windows holds the rows of the format before (a version 3 file's, an
 * older replica's), which polis reads beside them until they are pruned (by then no window reads them).
 */
export const LEDGER_TABLES = [
  'meter_usage',
  'meter_capacity',
  'meter_state',
  'cost_lines',
  'cost_days',
  'alert_state',
  'notification_records',
  'alert_windows',
  'alert_series',
  'alert_slots',
] as const;
export type LedgerTable = (typeof LEDGER_TABLES)[number];
/** One ledger row of one table (metering roll-ups, the last tick, closed cost days, alert rows); null a SQL NULL. */
export interface LedgerRecord {
  readonly table: LedgerTable;
  readonly row: Readonly<Record<string, string | number | null>>;
}

export interface SnapshotCounts {
  /** Ledger rows (every table). */
  readonly ledgerRows: number;
  readonly objects: number;
  readonly objectsByKind: Readonly<Record<string, number>>;
  readonly auditEntries: number;
  /** seq and hash of the newest audit entry (the anchor when there is none). */
  readonly auditHead: { readonly seq: number; readonly hash: string };
  /** Where the live chain starts: the last entry retention archived and pruned ({0, genesis hash} if none was). */
  readonly auditAnchor: { readonly seq: number; readonly hash: string };
}

/** What Store.load writes. */
export interface SnapshotLoad {
  /** The revision the store continues from: at least every object's resourceVersion. */
  readonly revision: number;
  /** Objects (each keeps its uid and resourceVersion) and audit entries (kept with their seq and hashes), in batches. */
  readonly batches: AsyncIterable<{
    readonly objects: readonly StoredObject[];
    readonly audit: readonly AuditEntry[];
    /** Ledger rows (a backup of format version 1 has none). */
    readonly ledger?: readonly LedgerRecord[];
  }>;
  /** Where the loaded chain starts (the source's retention anchor); the genesis when absent. */
  readonly auditAnchor?: { readonly seq: number; readonly hash: string };
  /** Runs after every batch is written, in the same transaction, over what was written; throwing rolls back. */
  check?(view: StoreSnapshot): Promise<void>;
}

export interface StoreTx {
  /** The next revision number; every put and remove in this transaction takes its own. */
  nextRevision(): Promise<number>;
  get(key: ObjectKey): Promise<StoredObject | undefined>;
  /**
   * Reads the objects at `keys` ahead, in as few statements as it can, so that `get` of each answers without a
   * statement of its own (a bulk apply: one read for its documents, not a round trip each). A hint: `get` answers
   * the same with or without it; a store where a read costs no round trip may ignore it.
   */
  prefetch?(keys: readonly ObjectKey[]): Promise<void>;
  /**
   * Reads ahead, in as few statements as it can, what `listAll([kind], tenant, { namePrefix })` answers for each of
   * `prefixes`, so that each of those lists answers without a statement of its own for the rest of the job (a bulk
   * apply of new Applications: their revision histories in one read, not a round trip each). A hint like `prefetch`:
   * listAll answers the same with or without it.
   */
  prefetchLists?(kind: string, tenant: string, prefixes: readonly string[]): Promise<void>;
  /**
   * All objects of `kinds` in `tenant` (for admission sums such as quota), unpaged, ordered by kind and name; with
   * `namePrefix`, only those whose name starts with it (an index range, not a scan). The objects returned are the
   * transaction's own: read them, never change them.
   */
  listAll(
    kinds: readonly string[],
    tenant: string,
    options?: { readonly namePrefix?: string },
  ): Promise<StoredObject[]>;
  /**
   * The change events after revision `after` of objects of `kinds` in `tenant`, oldest first, as this transaction
   * sees them (every earlier commit and this transaction's own writes), each with the object's stored JSON text;
   * `undefined` when events after `after` were compacted away. For admission that keeps totals from the change feed
   * (quota): its index is exact up to some revision, and these are the changes it has not seen yet.
   */
  changesAfter(after: number, kinds: readonly string[], tenant: string): Promise<readonly TxChange[] | undefined>;
  /** Insert or replace `obj` (its metadata.resourceVersion must be `String(revision)`) and record the change event. */
  put(obj: StoredObject, type: 'ADDED' | 'MODIFIED'): Promise<void>;
  /** Remove the object and record a DELETED event carrying `last` (its final state, with a new resourceVersion). */
  remove(last: StoredObject): Promise<void>;
  /**
   * In a sharded transaction (TransactionOptions.shard): throws ConflictError unless the member owns the object's
   * application (Applications only; other kinds pass). Elsewhere a no-op. Call before any change for the object.
   */
  claim(key: ObjectKey): void;
  /** Append to the hash chain; returns the entry with its seq and hashes. */
  appendAudit(entry: AuditEntryInput): Promise<AuditEntry>;
}

/** One change event as a transaction reads it back (StoreTx.changesAfter): the stored text, not parsed. */
export interface TxChange {
  readonly revision: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly kind: string;
  readonly name: string;
  /** The object's stored JSON text (for DELETED, its last state). */
  readonly body: string;
}

export interface ListQuery {
  readonly kind: string;
  /** Only this tenant ('' for platform-scoped kinds); undefined lists every tenant. */
  readonly tenant?: string;
  /** Only the object of this name (Kubernetes' fieldSelector metadata.name). */
  readonly name?: string;
  /** Only these tenants (an authorization filter), combined with `tenant` if both are given. */
  readonly tenants?: readonly string[];
  readonly labelSelector?: LabelSelector;
  /** At most this many items; more are reached through `continue`. */
  readonly limit?: number;
  readonly continue?: string;
  /**
   * Return each item's stored JSON text in `rawItems` instead of parsed `items`, so that a list can be served
   * without parsing and re-serializing every object. Only for kinds whose stored form may be shown as it is.
   */
  readonly raw?: boolean;
  /**
   * Return each item's key and resourceVersion in `keys` instead of parsed `items`: no body is read or parsed. A
   * full resync lists every Application of the estate to queue its own: their bodies (tens of KB each with 300
   * clusters in their status) were parsed only to read two fields.
   */
  readonly keysOnly?: boolean;
}

/** One item of a `keysOnly` list. */
export interface ListedKey {
  readonly tenant: string;
  readonly name: string;
  readonly resourceVersion: string;
}

export interface ListPage {
  /** The items, parsed (empty when the query asked for `raw`). */
  readonly items: StoredObject[];
  /** With `raw`: the items' stored JSON text, in order. */
  readonly rawItems?: string[];
  /** With `keysOnly`: each item's key and resourceVersion, in order. */
  readonly keys?: ListedKey[];
  /** The store revision when the list was read. */
  readonly resourceVersion: string;
  /** Opaque token for the next page; absent on the last page. */
  readonly continue?: string;
}

/** The change events of one commit of this process (Store.onCommit): every revision after `after`, in order. */
export interface CommittedChanges {
  readonly after: number;
  /**
   * More of this process's writes are queued, running or committed and waiting to be handed over: their commits
   * follow within milliseconds (a change feed may wait for them to send a burst's events together).
   */
  readonly more?: boolean;
  readonly events: readonly ChangeEvent[];
}

export interface ChangeEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly revision: number;
  readonly object: StoredObject;
}

export interface AuditQuery {
  readonly tenant?: string;
  readonly tenants?: readonly string[];
  readonly actor?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly verb?: string;
  /** Only entries whose verb is one of these (an action's verbs). */
  readonly verbs?: readonly string[];
  /** Only entries whose verb starts with this (`dry-run-`). */
  readonly verbPrefix?: string;
  /** Leave out entries whose actor starts with this (`system:`: the controllers). */
  readonly excludeActorPrefix?: string;
  readonly outcome?: string;
  /** Only entries with one of these outcomes. */
  readonly outcomes?: readonly string[];
  /** ISO timestamps, inclusive. */
  readonly since?: string;
  readonly until?: string;
  readonly limit?: number;
  /** Only entries with seq > after (pagination, oldest first). */
  readonly after?: number;
  /** Only entries with seq < before (pagination, newest first). */
  readonly before?: number;
  /** Newest first; `next` then names the seq to pass as `before`. */
  readonly newestFirst?: boolean;
}

export interface AuditPage {
  readonly items: AuditEntry[];
  /** seq of the last item when more may follow. */
  readonly next?: number;
}

export interface StoreStats {
  readonly objects: number;
  readonly events: number;
  readonly auditEntries: number;
  readonly revision: number;
}
