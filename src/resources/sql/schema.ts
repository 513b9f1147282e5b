import type { StorageFailure } from '../store-errors.ts';
import type { Generated, Kysely, Transaction } from 'kysely';

/**
 * The tables behind the SQL store, as Kysely sees them. JSON lives in TEXT columns on every backend so the query
 * code is identical; integers are numbers once read (the PostgreSQL pool parses int8 to number).
 */
export interface Schema {
  objects: {
    kind: string;
    tenant: string;
    name: string;
    uid: string;
    revision: number;
    /** The whole StoredObject as JSON. */
    body: string;
    /** metadata.labels as JSON ('{}' when none), so selectors can be matched without parsing the body. */
    labels: string;
  };
  events: {
    revision: number;
    type: string;
    kind: string;
    tenant: string;
    name: string;
    body: string;
  };
  /** One row (id = 1): the last revision handed out and the newest revision whose event was compacted away. */
  revision_counter: {
    id: number;
    revision: number;
    compacted_through: number;
  };
  audit: {
    seq: number;
    time: string;
    actor: string;
    verb: string;
    api_version: string;
    kind: string;
    tenant: string;
    name: string;
    outcome: string;
    code: number;
    message: string;
    request_id: string;
    /** JSON text; SQL NULL stands for a null `changes`. */
    changes: string | null;
    prev_hash: string;
    hash: string;
  };
  /** One row (id = 1): the newest entry retention archived and pruned (seq 0 and the genesis hash until then). */
  audit_anchor: {
    id: number;
    seq: number;
    hash: string;
  };
  /** Leader leases (Store.acquireLease); times in ms since 1970 by the database's clock. */
  leases: {
    name: string;
    holder: string;
    epoch: number;
    renewed_at: number;
    expires_at: number;
  };
  /** Alerts the last evaluation held (AlertStateStore). */
  alert_state: {
    key: string;
    tenant: string;
    data: string;
    updated_at: number;
  };
  /**
   * Alert evaluation's sample windows before schema step 11: a row per department ('' the platform's), window and
   * slot, JSON repeating each series' key (AlertStateStore: read and pruned, no longer written).
   */
  alert_windows: {
    tenant: string;
    window_ms: number;
    slot: number;
    data: string;
    updated_at: number;
  };
  /** The windows' series dictionary (schema step 11): a key once, slot rows name it by id. */
  alert_series: {
    /** Given by the writer (the next after the largest), so a restored backup keeps its ids on every backend. */
    id: number;
    tenant: string;
    key: string;
  };
  /** Alert evaluation's sample windows: a row per department, window and slot, binary buckets by series id. */
  alert_slots: {
    tenant: string;
    window_ms: number;
    slot: number;
    data: Uint8Array;
    updated_at: number;
  };
  /** Notification records (AlertStateStore). */
  notification_records: {
    id: number;
    tenant: string;
    at: number;
    next_retry_at: number | null;
    data: string;
  };
  /** Metric history (MetricHistoryStore): one row per series. */
  metric_series: {
    id: string;
    tenant: string;
    name: string;
    labels: string;
    last_at: number;
  };
  /** Metric history: compressed points of one series in one downsampling tier. */
  metric_chunks: {
    series_id: string;
    tier: number;
    start_at: number;
    end_at: number;
    points: number;
    data: Uint8Array;
  };
  /** Metered series: one per (department, application, component, cluster), never deleted nor renumbered. */
  meter_series: {
    id: Generated<number>;
    tenant: string;
    app: string;
    component: string;
    cluster: string;
  };
  /**
   * Metering roll-ups (resources/ledger-store.ts): figures are value × minutes summed over the interval. `start` is
   * the interval key's digits (2026120108 an hour, 20261201 a day, 202612 a month): its width is the period.
   */
  meter_rollups: {
    start: number;
    series: number;
    minutes: number;
    replica_minutes: number;
    cpu_request: number;
    cpu_limit: number;
    cpu_usage: number;
    cpu_max: number;
    mem_request: number;
    mem_limit: number;
    mem_usage: number;
    mem_max: number;
    storage: number;
  };
  meter_capacity: {
    period: string;
    start: string;
    cluster: string;
    minutes: number;
    cpu: number;
    mem: number;
  };
  /** One row (id = 1): the last recorded meter tick (epoch ms), the compare-and-set point of idempotent ticks. */
  meter_state: {
    id: number;
    last_tick: number;
  };
  cost_lines: {
    day: string;
    cluster: string;
    vendor: string;
    tenant: string;
    app: string;
    component: string;
    item: string;
    fen: number;
  };
  cost_days: {
    day: string;
    cluster: string;
    total_fen: number;
  };
  schema_migrations: {
    version: number;
    name: string;
  };
  schema_compat: {
    version: number;
    oldest_reader: number;
  };
}

/** One numbered schema step; its statements run in one transaction together with its schema_migrations row. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
  /**
   * The oldest schema version whose polis may keep running on a database that has this step, so that old and new
   * replicas run side by side during a rolling upgrade (docs/deploy.md, Upgrades). Default: the step before it, an
   * additive step (new tables, new nullable or defaulted columns, new indexes) that older code simply does not use.
   * A step that changes or drops anything older code reads or writes sets its own version: older replicas then
   * refuse to start against it (`SchemaTooNew`) instead of misreading it.
   */
  readonly oldestReader?: number;
}

/** The revision counter row as read under the writer lock. */
export interface CounterRow {
  readonly revision: number;
  readonly compactedThrough: number;
  /**
   * The audit chain's head as it is under the lock (its last entry, else the anchor, else the genesis), when the
   * lock's statement read it too; absent: the batch reads it when a job first appends an entry.
   */
  readonly auditHead?: { readonly seq: number; readonly hash: string };
}

/**
 * What differs between backends; everything else in the SQL store is shared. Each hook states the guarantee the
 * shared code relies on.
 */
export interface SqlDialectHooks {
  readonly name: 'sqlite' | 'postgres';
  /** Applied in version order by `migrate()`; versions never change meaning once released. */
  readonly migrations: readonly Migration[];
  /**
   * First statement of every write transaction (one per group commit): takes the writer lock (held to commit, so
   * batches are strictly serial) and returns the counter row as it is under that lock.
   */
  lockWriter(trx: Transaction<Schema>): Promise<CounterRow>;
  /**
   * Whether a put may travel with the statement after it (data-modifying CTEs: object, event and audit entry in one
   * round trip). PostgreSQL only; SQLite has no INSERT inside WITH, and its statements cost no round trip anyway.
   */
  readonly combineWrites?: boolean;
  /** Serializes concurrent `migrate()` calls (from several processes) inside the migration transaction. */
  lockMigrations(trx: Transaction<Schema>): Promise<void>;
  /** SQL for the database clock's current time in whole ms since 1970 (leases are timed by it, not by replicas). */
  readonly nowMs: string;
  /**
   * Appended to the fence's read of the lease row inside a write transaction (' FOR SHARE' on PostgreSQL): a
   * takeover waits until that transaction has committed. Empty where the writer lock already excludes it.
   */
  readonly fenceLock: string;
  /**
   * A statement run first by a sharded write (PostgreSQL: the members table in SHARE mode), so that membership
   * cannot change (a join, a reaping) until that write commits. Absent where the writer lock already excludes it.
   */
  readonly membersLock?: string;
  /** Serializes reservations on one cluster beyond the writer lock (PostgreSQL: an advisory lock per cluster). */
  lockRoom?(db: Kysely<Schema>, cluster: string): Promise<void>;
  /** Runs `fn` against one consistent snapshot (several statements that see the same committed state). */
  readSnapshot<T>(db: Kysely<Schema>, fn: (q: Kysely<Schema>) => Promise<T>): Promise<T>;
  /**
   * Last statement of a group-commit batch that advanced the revision: writes the counter and tells other processes
   * on the same database, in one statement (PostgreSQL: an UPDATE in a CTE and pg_notify, delivered only if the
   * transaction commits: one round trip, not two). Absent: the counter is updated alone, and other processes learn
   * of the commit by polling.
   */
  advanceCounter?(trx: Transaction<Schema>, revision: number): Promise<void>;
  /**
   * Starts listening for other processes' commits (and this one's), with the commit's last revision when known;
   * `onCommit` may be called spuriously. Returns a stop function.
   */
  listenCommits?(onCommit: (revision?: number) => void): () => Promise<void>;
  /** When `e` means the storage cannot write (read-only, full, I/O error), which failure it is. */
  storageFailure?(e: unknown): StorageFailure | undefined;
  /**
   * Runs the transaction of one group-commit batch (SQLite: committed without its own fsync, see `durable`).
   * Absent: `db.transaction().execute(fn)`, whose commit is itself durable.
   */
  batchTransaction?<T>(db: Kysely<Schema>, fn: (trx: Transaction<Schema>) => Promise<T>): Promise<T>;
  /**
   * With `batchTransaction`: resolves once every batch committed before the call is durable; the batch is
   * acknowledged (and this process's watchers woken) only then. Runs off the event loop, so the next batch can run
   * while the disk flushes.
   */
  durable?(): Promise<void>;
  /** Releases what the hooks hold (after the database is closed). */
  close?(): Promise<void>;
  /**
   * Runs one statement at once, synchronously, on the connection a group-commit batch holds, and returns its rows:
   * the batch's hot statements (StatementTemplates, savepoints) skip the query builder's executor, whose promise
   * hops and connection bookkeeping cost more than SQLite takes to run them. SQLite only (node:sqlite is
   * synchronous, and the store has one connection, which the batch holds from BEGIN to COMMIT); absent elsewhere.
   */
  readonly runInBatch?: BatchRunner;
  /**
   * How many objects' stored text to keep in memory for reads (sql/read-cache.ts), kept current by the change events:
   * a read then costs a shared revision read instead of its own round trip, and a write's read of the object it
   * replaces costs nothing inside the serial part of its batch. PostgreSQL (where every read is a round trip);
   * absent or 0: none.
   */
  readonly readCache?: number;
  /**
   * Whether a list of one page without a label selector runs as one statement (sql/list-scan.ts, `scanListAtOnce`)
   * rather than in a `readSnapshot` transaction: one round trip instead of four on PostgreSQL.
   */
  readonly listAtOnce?: boolean;
  /**
   * Reads run at once on the connection when nothing holds it (no transaction, no batch, no snapshot), skipping the
   * query builder's executor: `idle()` says whether it is free now, and `run` must follow it synchronously (no await
   * in between). SQLite only (one connection, synchronous driver); absent elsewhere.
   */
  readonly readNow?: { readonly idle: () => boolean; readonly run: BatchRunner };
}

/** See SqlDialectHooks.runInBatch. */
export type BatchRunner = (sql: string, parameters: readonly unknown[]) => readonly unknown[];
