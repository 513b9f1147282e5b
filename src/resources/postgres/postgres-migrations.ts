import type { Migration } from '../sql/schema.ts';

/**
 * PostgreSQL schema steps. Keys and times use the "C" collation so ordering is by code point on any server locale,
 * the same order SQLite gives (list pages and continue tokens depend on it).
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'objects, events, revision counter, audit chain',
    statements: [
      `CREATE TABLE objects (
        kind TEXT COLLATE "C" NOT NULL, tenant TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL,
        uid TEXT NOT NULL, revision BIGINT NOT NULL, body TEXT NOT NULL, labels TEXT NOT NULL,
        PRIMARY KEY (kind, tenant, name))`,
      `CREATE TABLE events (
        revision BIGINT PRIMARY KEY, type TEXT NOT NULL, kind TEXT NOT NULL, tenant TEXT NOT NULL, name TEXT NOT NULL,
        body TEXT NOT NULL)`,
      `CREATE TABLE revision_counter (
        id INTEGER PRIMARY KEY CHECK (id = 1), revision BIGINT NOT NULL, compacted_through BIGINT NOT NULL)`,
      `INSERT INTO revision_counter (id, revision, compacted_through) VALUES (1, 0, 0)`,
      `CREATE TABLE audit (
        seq BIGINT PRIMARY KEY, time TEXT COLLATE "C" NOT NULL, actor TEXT NOT NULL, verb TEXT NOT NULL,
        api_version TEXT NOT NULL, kind TEXT NOT NULL, tenant TEXT NOT NULL, name TEXT NOT NULL, outcome TEXT NOT NULL,
        code INTEGER NOT NULL, message TEXT NOT NULL, request_id TEXT NOT NULL, changes TEXT, prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL)`,
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
      `CREATE TABLE audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL)`,
      `INSERT INTO audit_anchor (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`,
    ],
  },
  {
    version: 3,
    name: 'leader leases: holder, fencing epoch and expiry by the database clock (ms since 1970)',
    statements: [
      `CREATE TABLE leases (
        name TEXT COLLATE "C" PRIMARY KEY, holder TEXT NOT NULL, epoch BIGINT NOT NULL, renewed_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL)`,
    ],
  },
  {
    version: 4,
    name: 'metric history: series and compressed chunks per downsampling tier',
    statements: [
      `CREATE TABLE metric_series (
        id TEXT COLLATE "C" PRIMARY KEY, tenant TEXT COLLATE "C" NOT NULL, name TEXT COLLATE "C" NOT NULL,
        labels TEXT NOT NULL, last_at BIGINT NOT NULL)`,
      `CREATE INDEX metric_series_tenant ON metric_series (tenant, name)`,
      `CREATE INDEX metric_series_name ON metric_series (name)`,
      `CREATE TABLE metric_chunks (
        series_id TEXT COLLATE "C" NOT NULL, tier INTEGER NOT NULL, start_at BIGINT NOT NULL, end_at BIGINT NOT NULL,
        points INTEGER NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (series_id, tier, start_at))`,
      `CREATE INDEX metric_chunks_end ON metric_chunks (tier, end_at)`,
    ],
  },
  {
    version: 5,
    name: 'ledger: metering roll-ups per hour, day and month, and closed cost days (src/operations)',
    statements: [
      `CREATE TABLE meter_usage (
        period TEXT COLLATE "C" NOT NULL, start TEXT COLLATE "C" NOT NULL, tenant TEXT COLLATE "C" NOT NULL, app TEXT COLLATE "C" NOT NULL, component TEXT COLLATE "C" NOT NULL,
        cluster TEXT COLLATE "C" NOT NULL, minutes BIGINT NOT NULL, replica_minutes BIGINT NOT NULL,
        cpu_request BIGINT NOT NULL, cpu_limit BIGINT NOT NULL, cpu_usage BIGINT NOT NULL, cpu_max BIGINT NOT NULL,
        mem_request BIGINT NOT NULL, mem_limit BIGINT NOT NULL, mem_usage BIGINT NOT NULL, mem_max BIGINT NOT NULL,
        storage BIGINT NOT NULL,
        PRIMARY KEY (period, start, tenant, app, component, cluster))`,
      `CREATE TABLE meter_capacity (
        period TEXT COLLATE "C" NOT NULL, start TEXT COLLATE "C" NOT NULL, cluster TEXT COLLATE "C" NOT NULL, minutes BIGINT NOT NULL,
        cpu BIGINT NOT NULL, mem BIGINT NOT NULL, PRIMARY KEY (period, start, cluster))`,
      `CREATE TABLE meter_state (id INTEGER PRIMARY KEY CHECK (id = 1), last_tick BIGINT NOT NULL)`,
      `CREATE TABLE cost_lines (
        day TEXT COLLATE "C" NOT NULL, cluster TEXT COLLATE "C" NOT NULL, vendor TEXT COLLATE "C" NOT NULL, tenant TEXT COLLATE "C" NOT NULL, app TEXT COLLATE "C" NOT NULL,
        component TEXT COLLATE "C" NOT NULL, item TEXT COLLATE "C" NOT NULL, fen BIGINT NOT NULL,
        PRIMARY KEY (day, cluster, tenant, app, component, item))`,
      `CREATE INDEX cost_lines_tenant ON cost_lines (tenant, day)`,
      `CREATE TABLE cost_days (
        day TEXT COLLATE "C" NOT NULL, cluster TEXT COLLATE "C" NOT NULL, total_fen BIGINT NOT NULL, PRIMARY KEY (day, cluster))`,
    ],
  },
  {
    version: 6,
    name: 'sharded controllers: live members by the database clock, and shared capacity reservations',
    statements: [
      `CREATE TABLE members (
        id TEXT COLLATE "C" PRIMARY KEY, epoch BIGINT NOT NULL, renewed_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)`,
      `CREATE TABLE capacity_reservations (
        cluster TEXT COLLATE "C" NOT NULL, app TEXT COLLATE "C" NOT NULL, cpu_milli BIGINT NOT NULL,
        memory_bytes BIGINT NOT NULL, pods BIGINT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (cluster, app))`,
    ],
  },
  {
    version: 7,
    name: "audit: people's entries newest first without scanning the controllers' (the audit page's default view)",
    statements: [`CREATE INDEX audit_people ON audit (seq) WHERE actor NOT LIKE 'system:%'`],
  },
];
