import type { Migration } from '../sql/schema.ts';

/** SQLite schema steps. `INTEGER PRIMARY KEY` makes revision and seq the rowid, the cheapest ordered key. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'objects, events, revision counter, audit chain',
    statements: [
      `CREATE TABLE objects (
        kind TEXT NOT NULL, tenant TEXT NOT NULL, name TEXT NOT NULL, uid TEXT NOT NULL, revision INTEGER NOT NULL,
        body TEXT NOT NULL, labels TEXT NOT NULL, PRIMARY KEY (kind, tenant, name))`,
      `CREATE TABLE events (
        revision INTEGER PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL, tenant TEXT NOT NULL, name TEXT NOT NULL,
        body TEXT NOT NULL)`,
      `CREATE TABLE revision_counter (
        id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL, compacted_through INTEGER NOT NULL)`,
      `INSERT INTO revision_counter (id, revision, compacted_through) VALUES (1, 0, 0)`,
      `CREATE TABLE audit (
        seq INTEGER PRIMARY KEY, time TEXT NOT NULL, actor TEXT NOT NULL, verb TEXT NOT NULL, api_version TEXT NOT NULL,
        kind TEXT NOT NULL, tenant TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL, code INTEGER NOT NULL,
        message TEXT NOT NULL, request_id TEXT NOT NULL, changes TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`,
      `CREATE INDEX audit_tenant ON audit (tenant, seq)`,
      `CREATE INDEX audit_actor ON audit (actor, seq)`,
      `CREATE INDEX audit_kind ON audit (kind, seq)`,
      `CREATE INDEX audit_time ON audit (time)`,
    ],
  },
  {
    version: 2,
    name: 'audit anchor: the last entry archived and pruned by retention',
    statements: [
      `CREATE TABLE audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL)`,
      `INSERT INTO audit_anchor (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`,
    ],
  },
  {
    version: 3,
    name: 'leader leases: holder, fencing epoch and expiry by the database clock (ms since 1970)',
    statements: [
      `CREATE TABLE leases (
        name TEXT PRIMARY KEY, holder TEXT NOT NULL, epoch INTEGER NOT NULL, renewed_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL)`,
    ],
  },
  {
    version: 4,
    name: 'metric history: series and compressed chunks per downsampling tier',
    statements: [
      `CREATE TABLE metric_series (
        id TEXT PRIMARY KEY, tenant TEXT NOT NULL, name TEXT NOT NULL, labels TEXT NOT NULL, last_at INTEGER NOT NULL)`,
      `CREATE INDEX metric_series_tenant ON metric_series (tenant, name)`,
      `CREATE INDEX metric_series_name ON metric_series (name)`,
      `CREATE TABLE metric_chunks (
        series_id TEXT NOT NULL, tier INTEGER NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER NOT NULL,
        points INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series_id, tier, start_at)) WITHOUT ROWID`,
      `CREATE INDEX metric_chunks_end ON metric_chunks (tier, end_at)`,
    ],
  },
  {
    version: 5,
    name: 'ledger: metering roll-ups per hour, day and month, and closed cost days (src/operations)',
    statements: [
      `CREATE TABLE meter_usage (
        period TEXT NOT NULL, start TEXT NOT NULL, tenant TEXT NOT NULL, app TEXT NOT NULL, component TEXT NOT NULL,
        cluster TEXT NOT NULL, minutes INTEGER NOT NULL, replica_minutes INTEGER NOT NULL,
        cpu_request INTEGER NOT NULL, cpu_limit INTEGER NOT NULL, cpu_usage INTEGER NOT NULL, cpu_max INTEGER NOT NULL,
        mem_request INTEGER NOT NULL, mem_limit INTEGER NOT NULL, mem_usage INTEGER NOT NULL, mem_max INTEGER NOT NULL,
        storage INTEGER NOT NULL,
        PRIMARY KEY (period, start, tenant, app, component, cluster)) WITHOUT ROWID`,
      `CREATE TABLE meter_capacity (
        period TEXT NOT NULL, start TEXT NOT NULL, cluster TEXT NOT NULL, minutes INTEGER NOT NULL,
        cpu INTEGER NOT NULL, mem INTEGER NOT NULL, PRIMARY KEY (period, start, cluster)) WITHOUT ROWID`,
      `CREATE TABLE meter_state (id INTEGER PRIMARY KEY CHECK (id = 1), last_tick INTEGER NOT NULL)`,
      `CREATE TABLE cost_lines (
        day TEXT NOT NULL, cluster TEXT NOT NULL, vendor TEXT NOT NULL, tenant TEXT NOT NULL, app TEXT NOT NULL,
        component TEXT NOT NULL, item TEXT NOT NULL, fen INTEGER NOT NULL,
        PRIMARY KEY (day, cluster, tenant, app, component, item)) WITHOUT ROWID`,
      `CREATE INDEX cost_lines_tenant ON cost_lines (tenant, day)`,
      `CREATE TABLE cost_days (
        day TEXT NOT NULL, cluster TEXT NOT NULL, total_fen INTEGER NOT NULL, PRIMARY KEY (day, cluster)) WITHOUT ROWID`,
    ],
  },
  {
    version: 6,
    name: 'sharded controllers: live members by the database clock, and shared capacity reservations',
    statements: [
      `CREATE TABLE members (
        id TEXT PRIMARY KEY, epoch INTEGER NOT NULL, renewed_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)`,
      `CREATE TABLE capacity_reservations (
        cluster TEXT NOT NULL, app TEXT NOT NULL, cpu_milli INTEGER NOT NULL, memory_bytes INTEGER NOT NULL,
        pods INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (cluster, app)) WITHOUT ROWID`,
    ],
  },
  {
    version: 7,
    name: 'compact metering roll-ups: one row per interval and series id, the names once in meter_series (issue 17)',
    // meter_usage is gone: a replica of the older code would fail to meter; it refuses to start instead.
    oldestReader: 7,
    statements: [
      `CREATE TABLE meter_series (
        id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, app TEXT NOT NULL, component TEXT NOT NULL,
        cluster TEXT NOT NULL)`,
      `CREATE UNIQUE INDEX meter_series_key ON meter_series (tenant, app, component, cluster)`,
      `INSERT INTO meter_series (tenant, app, component, cluster)
        SELECT DISTINCT tenant, app, component, cluster FROM meter_usage ORDER BY tenant, app, component, cluster`,
      // start: the interval key's digits (2026120108 an hour, 20261201 a day, 202612 a month): the period is its width.
      `CREATE TABLE meter_rollups (
        start INTEGER NOT NULL, series INTEGER NOT NULL, minutes INTEGER NOT NULL, replica_minutes INTEGER NOT NULL,
        cpu_request INTEGER NOT NULL, cpu_limit INTEGER NOT NULL, cpu_usage INTEGER NOT NULL, cpu_max INTEGER NOT NULL,
        mem_request INTEGER NOT NULL, mem_limit INTEGER NOT NULL, mem_usage INTEGER NOT NULL, mem_max INTEGER NOT NULL,
        storage INTEGER NOT NULL,
        PRIMARY KEY (start, series)) WITHOUT ROWID`,
      `INSERT INTO meter_rollups
        SELECT CAST(replace(replace(u.start, '-', ''), 'T', '') AS INTEGER), s.id, u.minutes, u.replica_minutes, u.cpu_request, u.cpu_limit, u.cpu_usage, u.cpu_max, u.mem_request, u.mem_limit, u.mem_usage, u.mem_max, u.storage
        FROM meter_usage u JOIN meter_series s
          ON s.tenant = u.tenant AND s.app = u.app AND s.component = u.component AND s.cluster = u.cluster`,
      `DROP TABLE meter_usage`,
    ],
  },
  {
    version: 8,
    name: 'alert state and notification records survive a restart',
    statements: [
      `CREATE TABLE alert_state (
        key TEXT PRIMARY KEY, tenant TEXT NOT NULL, data TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID`,
      `CREATE TABLE notification_records (
        id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, at INTEGER NOT NULL, next_retry_at INTEGER, data TEXT NOT NULL)`,
      `CREATE INDEX notification_records_pending ON notification_records (next_retry_at) WHERE next_retry_at IS NOT NULL`,
    ],
  },
  {
    version: 9,
    name: "audit: people's entries newest first without scanning the controllers' (the audit page's default view)",
    statements: [`CREATE INDEX audit_people ON audit (seq) WHERE actor NOT LIKE 'system:%'`],
  },
  {
    version: 10,
    name: "alert evaluation's sample windows survive a restart (a row per department, window and bucket slot)",
    statements: [
      `CREATE TABLE alert_windows (
        tenant TEXT NOT NULL, window_ms INTEGER NOT NULL, slot INTEGER NOT NULL, data TEXT NOT NULL,
        updated_at INTEGER NOT NULL, PRIMARY KEY (tenant, window_ms, slot)) WITHOUT ROWID`,
      `CREATE INDEX alert_windows_updated ON alert_windows (updated_at)`,
    ],
  },
  {
    version: 11,
    name: 'compact alert windows: series keys once in alert_series, binary slot rows naming them by id (issue 15)',
    // Additive: a replica of step 10 keeps reading and writing alert_windows beside it (docs/deploy.md, Upgrades);
    // this code reads those rows too until they are pruned.
    statements: [
      `CREATE TABLE alert_series (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, key TEXT NOT NULL)`,
      `CREATE UNIQUE INDEX alert_series_key ON alert_series (key)`,
      `CREATE TABLE alert_slots (
        tenant TEXT NOT NULL, window_ms INTEGER NOT NULL, slot INTEGER NOT NULL, data BLOB NOT NULL,
        updated_at INTEGER NOT NULL, PRIMARY KEY (tenant, window_ms, slot)) WITHOUT ROWID`,
      `CREATE INDEX alert_slots_updated ON alert_slots (updated_at)`,
      `CREATE INDEX alert_slots_slot ON alert_slots (window_ms, slot)`,
    ],
  },
];
