/**
 * metering: the cost of metering 10,000 applications every minute, and how much the store grows per day.
 *
 * 100 departments × 100 applications (a web and a worker component; a third of them on two clusters), five
 * clusters, in a SQLite store of their own; usage from a metrics source that answers at once, so the figure is the
 * meter's own work (listing, rendering once per generation, rolling up, writing). The meter ticks once a minute of
 * virtual time: the CPU time of one tick over 60 s is the share of one core it takes.
 *
 * Storage: one day of ticks (each covering an hour, which writes exactly the rows a day of minute ticks writes:
 * one row per series for each hour, the day and the month), with the database checkpointed and measured before and
 * after; with hour rows kept, and with them pruned (kept only for a retention window, the steady state).
 *
 * Goals: one tick a minute within 5% of one core; growth per day <= 50 MB with roll-ups.
 * Environment: BENCH_TENANTS (100), BENCH_APPS_PER_TENANT (100), BENCH_TICKS (20).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/kernel/clock.ts';
import type { MetricsSource } from '../src/observe/index.ts';
import { MeterController } from '../src/operations/metering/meter-controller.ts';
import type { StoredObject } from '../src/resources/envelope.ts';
import { openSqliteStore, sqliteConnectionForTests } from '../src/resources/sqlite/sqlite-store.ts';
import { applicationDoc } from './support/oam-fixtures.ts';
import { envInt, figure, printFigures, round, writeResult } from './support/results.ts';

const params = {
  tenants: envInt('BENCH_TENANTS', 100),
  appsPerTenant: envInt('BENCH_APPS_PER_TENANT', 100),
  ticks: envInt('BENCH_TICKS', 20),
};
const CLUSTERS = ['gov-east', 'gov-west', 'gov-south', 'burst-aliyun', 'burst-huawei'];
const MINUTE = 60_000;
const T0 = '2026-12-01T00:00:00Z';

const dir = mkdtempSync(join(tmpdir(), 'polis-bench-metering-'));
const file = join(dir, 'polis.db');
const store = await openSqliteStore(file);
const db = sqliteConnectionForTests(store)!;

function withMeta(o: Record<string, unknown>, i: number): StoredObject {
  const meta = o.metadata as Record<string, unknown>;
  return {
    ...(o as object),
    metadata: { ...meta, uid: `uid-${i}`, resourceVersion: '1', generation: 1, creationTimestamp: T0 },
  } as StoredObject;
}

let n = 0;
const objects: StoredObject[] = CLUSTERS.map((name, i) =>
  withMeta(
    {
      apiVersion: 'polis.io/v1',
      kind: 'Cluster',
      metadata: { name },
      spec: { provider: 'simulated', vendor: 'v', region: 'r', zone: 'z', networkZone: 'n', role: 'primary' },
      status: { health: 'Ready', allocatable: { cpuMilli: 512_000, memoryBytes: 2 * 2 ** 40, pods: 5000 } },
    },
    i,
  ),
);
for (let t = 0; t < params.tenants; t++)
  for (let a = 0; a < params.appsPerTenant; a++) {
    const doc = applicationDoc(t, a);
    const spec = doc.spec as { components: Record<string, unknown>[] };
    spec.components = [
      ...spec.components.slice(0, 1),
      {
        name: 'worker',
        type: 'worker',
        properties: { image: 'registry.gov.example/w:1', cpu: '250m', memory: '256Mi' },
      },
    ];
    const home = CLUSTERS[(t + a) % 3]!;
    const placement: Record<string, Record<string, number>> = {
      web: a % 3 === 0 ? { [home]: 2, [CLUSTERS[3]!]: 1 } : { [home]: 2 },
      worker: { [home]: 1 },
    };
    objects.push(withMeta({ ...doc, status: { placement } }, 100 + n++));
  }
for (let i = 0; i < objects.length; i += 500)
  await store.transaction(async (tx) => {
    for (const o of objects.slice(i, i + 500)) {
      const rev = await tx.nextRevision();
      await tx.put({ ...o, metadata: { ...o.metadata, resourceVersion: String(rev) } }, 'ADDED');
    }
  });
const tenants = new Set(objects.map((o) => o.metadata.tenant).filter(Boolean));

const metrics: MetricsSource = {
  name: 'bench',
  async signals(ref) {
    const u = 0.2 + ((ref.app.length * 7) % 10) / 10;
    const perCluster = Object.fromEntries(CLUSTERS.map((c) => [c, { cpuUtilization: u, readyPods: 2 }]));
    return { at: 0, readyPods: 2, perCluster };
  },
  async history() {
    return [];
  },
};

const clock = new ManualClock(T0);
// Hour roll-ups are kept through the run (pruned by hand below), to measure both ways.
const meter = new MeterController({ store, clock, metrics, maxGapMinutes: 60, hourRetentionDays: 3650 });
// The first tick renders every application once (cached by generation afterwards).
clock.advance(MINUTE);
const first = await meter.tick();
const cpuMs: number[] = [];
for (let i = 0; i < params.ticks; i++) {
  clock.advance(MINUTE);
  const before = process.cpuUsage();
  const r = await meter.tick();
  const used = process.cpuUsage(before);
  if (!r.recorded) throw new Error('a tick was not recorded');
  cpuMs.push((used.user + used.system) / 1000);
}
const meanCpuMs = cpuMs.reduce((s, x) => s + x, 0) / cpuMs.length;
const coreShare = (meanCpuMs / MINUTE) * 100;

/** The database's size on disk after a checkpoint (WAL folded in). */
function size(): number {
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  return statSync(file).size;
}
async function day(): Promise<void> {
  for (let h = 0; h < 24; h++) {
    clock.advance(60 * MINUTE);
    await meter.tick();
  }
}
// Day 1 completes the month rows; then hour rows are pruned so the baseline holds day and month rows only.
await day();
await store.ledger.pruneMeter('hour', '9999');
db.exec('VACUUM');
const s0 = size();
await day();
const s1 = size();
await store.ledger.pruneMeter('hour', '9999');
db.exec('VACUUM');
const s2 = size();
const mb = (b: number) => round(b / 2 ** 20, 1);

const figures = [
  figure({
    metric: 'metering CPU, one tick a minute',
    value: round(coreShare, 2),
    unit: '% of one core',
    goal: '<= 5',
    baseline: `${round(meanCpuMs, 0)} ms CPU per tick over ${first.samples} series of ${objects.length - CLUSTERS.length} applications`,
  }),
  figure({
    metric: 'store growth per day, hour roll-ups kept',
    value: mb(s1 - s0),
    unit: 'MB',
    goal: '<= 50',
    baseline: `${first.samples} series × (24 hour + 1 day) rows; month rows updated in place; 58 MB when every row carried its names and text keys (before schema 7)`,
  }),
  figure({
    metric: 'store growth per day, hour roll-ups past their retention pruned (steady state)',
    value: mb(s2 - s0),
    unit: 'MB',
    goal: '<= 50',
    baseline: 'hour rows kept 14 days (a bounded 14 × the figure above), day and month rows for good',
  }),
];
printFigures('metering', figures);
await writeResult({
  benchmark: 'metering',
  command: 'node bench/metering.ts',
  figures,
  parameters: {
    ...params,
    applications: objects.length - CLUSTERS.length,
    departments: tenants.size,
    series: first.samples,
  },
});
await store.close();
rmSync(dir, { recursive: true, force: true });
