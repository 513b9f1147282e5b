import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forEachBackend } from '../../../test/setup/backends.ts';
import type { MeterBucket, MeterSample } from '../ledger-store.ts';
import { SQLITE_MIGRATIONS } from '../sqlite/sqlite-migrations.ts';
import { openSqliteStore, sqliteConnectionForTests } from '../sqlite/sqlite-store.ts';
import type { Store } from '../store.ts';

function sample(tenant: string, app: string, cluster: string, cpuUsage = 300): MeterSample {
  return {
    tenant,
    app,
    component: 'web',
    cluster,
    replicas: 2,
    cpuRequest: 1000,
    cpuLimit: 2000,
    cpuUsage,
    cpuMax: Math.max(1000, cpuUsage),
    memRequest: 1024,
    memLimit: 2048,
    memUsage: 700,
    memMax: 1024,
    storage: 10_240,
  };
}

const hour = (h: number): MeterBucket[] => [
  { period: 'hour', start: `2026-12-01T${String(h).padStart(2, '0')}`, minutes: 60 },
  { period: 'day', start: '2026-12-01', minutes: 60 },
  { period: 'month', start: '2026-12', minutes: 60 },
];
const H = 3_600_000;

forEachBackend('metering roll-ups', (backend) => {
  let store: Store;
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  it('sums usage per interval, department and cluster, and reads each department alone', async () => {
    const samples = [
      sample('edu', 'enrol', 'east'),
      sample('edu', 'exam', 'east', 1500),
      sample('edu', 'enrol', 'west'),
      sample('tax', 'invoice', 'east'),
    ];
    let since: number | undefined;
    for (const h of [8, 9]) {
      const at = Date.parse('2026-12-01T00:00:00Z') + h * H;
      expect(await store.ledger.recordMeterTick({ at, since, buckets: hour(h), samples, capacity: [] })).toBe(true);
      since = at;
    }
    const totals = await store.ledger.meterTotals({ period: 'hour', from: '2026-12-01T08', to: '2026-12-01T08' });
    expect(totals.map((r) => [r.start, r.tenant, r.cluster, r.cpuRequest, r.cpuUsage, r.replicaMinutes])).toEqual([
      ['2026-12-01T08', 'edu', 'east', 2 * 1000 * 60, (300 + 1500) * 60, 4 * 60],
      ['2026-12-01T08', 'edu', 'west', 1000 * 60, 300 * 60, 2 * 60],
      ['2026-12-01T08', 'tax', 'east', 1000 * 60, 300 * 60, 2 * 60],
    ]);
    const day = await store.ledger.meterTotals({
      period: 'day',
      from: '2026-12-01',
      to: '2026-12-01',
      tenants: ['tax'],
    });
    expect(day).toEqual([
      {
        period: 'day',
        start: '2026-12-01',
        tenant: 'tax',
        cluster: 'east',
        replicaMinutes: 2 * 120,
        cpuRequest: 1000 * 120,
        cpuUsage: 300 * 120,
        memRequest: 1024 * 120,
        memUsage: 700 * 120,
      },
    ]);
    // A day key as the upper bound of hours stops before that day, as the text keys did.
    expect(await store.ledger.meterRows({ period: 'hour', from: '2026-12-01', to: '2026-12-01T08' })).toHaveLength(4);
    expect(await store.ledger.meterRows({ period: 'hour', from: '2026-11-30', to: '2026-12-01' })).toEqual([]);
    expect(await store.ledger.meterTotals({ period: 'month', from: '2026-12', to: '2026-12', tenants: [] })).toEqual(
      [],
    );
  });
});

describe('metering storage (SQLite)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'polis-ledger-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a day of hour and day roll-ups within 64 bytes a row (the names stored once per series)', async () => {
    const file = join(dir, 'polis.db');
    const store = await openSqliteStore(file);
    const db = sqliteConnectionForTests(store)!;
    const samples: MeterSample[] = [];
    for (let t = 0; t < 20; t++)
      for (let a = 0; a < 100; a++)
        samples.push(sample(`department-${t}`, `application-${t}-${a}`, a % 3 === 0 ? 'gov-east' : 'gov-west'));
    const size = () => {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
      return statSync(file).size;
    };
    let since: number | undefined;
    const tick = async (h: number) => {
      const at = Date.parse('2026-11-30T16:00:00Z') + h * H;
      await store.ledger.recordMeterTick({ at, since, buckets: hour(h), samples, capacity: [] });
      since = at;
    };
    await tick(0); // the series, the day's and the month's rows
    const before = size();
    for (let h = 1; h < 24; h++) await tick(h);
    const perRow = (size() - before) / (23 * samples.length);
    await store.close();
    // The text-keyed rows (period, start and four names in every row) took about 105 bytes each.
    expect(perRow).toBeLessThan(64);
  });

  it('migrates text-keyed roll-ups to series ids, keeping every figure, and meters on from them', async () => {
    const file = join(dir, 'polis.db');
    const raw = new DatabaseSync(file);
    raw.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 6)) {
      for (const s of m.statements) raw.exec(s);
      raw.prepare('INSERT INTO schema_migrations VALUES (?, ?)').run(m.version, m.name);
    }
    const insert = raw.prepare('INSERT INTO meter_usage VALUES (?,?,?,?,?,?,60,120,?,0,?,?,1,0,1,1,0)');
    insert.run('hour', '2026-12-01T08', 'edu', 'enrol', 'web', 'east', 60_000, 18_000, 60_000);
    insert.run('day', '2026-12-01', 'edu', 'enrol', 'web', 'east', 60_000, 18_000, 60_000);
    insert.run('month', '2026-12', 'tax', 'invoice', 'web', 'east', 30_000, 90_000, 90_000);
    raw.prepare('INSERT INTO meter_state VALUES (1, ?)').run(Date.parse('2026-12-01T01:00:00Z'));
    raw.close();

    const store = await openSqliteStore(file);
    try {
      const hours = await store.ledger.meterRows({ period: 'hour', from: '2026-12-01T08', to: '2026-12-01T08' });
      expect(hours).toEqual([
        {
          period: 'hour',
          start: '2026-12-01T08',
          tenant: 'edu',
          app: 'enrol',
          component: 'web',
          cluster: 'east',
          minutes: 60,
          replicaMinutes: 120,
          cpuRequest: 60_000,
          cpuLimit: 0,
          cpuUsage: 18_000,
          cpuMax: 60_000,
          memRequest: 1,
          memLimit: 0,
          memUsage: 1,
          memMax: 1,
          storage: 0,
        },
      ]);
      const month = await store.ledger.meterRows({ period: 'month', from: '2026-12', to: '2026-12' });
      expect(month.map((r) => [r.tenant, r.cpuUsage])).toEqual([['tax', 90_000]]);
      // The next tick adds to the migrated series' rows.
      expect(
        await store.ledger.recordMeterTick({
          at: Date.parse('2026-12-01T01:01:00Z'),
          since: Date.parse('2026-12-01T01:00:00Z'),
          buckets: [{ period: 'day', start: '2026-12-01', minutes: 1 }],
          samples: [{ ...sample('edu', 'enrol', 'east'), replicas: 1 }],
          capacity: [],
        }),
      ).toBe(true);
      const day = await store.ledger.meterRows({ period: 'day', from: '2026-12-01', to: '2026-12-01' });
      expect(day.map((r) => [r.tenant, r.minutes, r.replicaMinutes])).toEqual([['edu', 61, 121]]);
      const tables = sqliteConnectionForTests(store)!
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'meter_%' ORDER BY name")
        .all()
        .map((r) => r.name);
      expect(tables).toEqual(['meter_capacity', 'meter_rollups', 'meter_series', 'meter_state']);
    } finally {
      await store.close();
    }
  });
});
