/**
 * scale-out (the estate half; the leader-kill half is bench/scale-out-chaos.ts): three polis replicas, each its own
 * process with the server's V8 flags, on one throwaway PostgreSQL, the per-application controllers sharded across
 * them by application (docs/deploy.md, Several replicas).
 *
 * For each size in BENCH_SIZES (1000,10000; add 100000 for the full figure) over BENCH_CLUSTERS (300)
 * simulated clusters and 20 departments: the estate is seeded (applications of 3 components, 5 replicas), the three
 * replicas start and deliver their shares (in virtual time: each drives its own simulated cloud, which holds only the
 * pods of the applications it owns), then every replica runs a full resync at the same moment. Reported: the full
 * resync (the slowest replica; goal <= 60 s), resident memory per replica (the largest; goal <= 1 GB), the cost per
 * application (resync ms and MB per application a replica owns) at each size so that growth shows, how evenly the
 * applications were spread, and that the no-op resync wrote nothing. Baseline in the same run: the same estate's
 * resync share of one replica against the whole (the speed-up three replicas give).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../src/kernel/clock.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { serverNodeFlags } from '../src/kernel/server-runtime.ts';
import { ownerOf } from '../src/kernel/shard-assignment.ts';
import type { Polis } from '../src/main.ts';
import { startPolis } from '../src/main.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { findPostgresBin, startTempPostgres } from '../test/setup/temp-postgres.ts';
import { CTX, appDoc, clusterDoc } from './support/estate.ts';
import type { Figure } from './support/results.ts';
import { envInt, figure, printFigures, round, writeResult } from './support/results.ts';

const REPLICAS = 3;
const params = {
  sizes: (process.env.BENCH_SIZES ?? '1000,10000').split(',').map((s) => Number(s.trim())),
  clusters: envInt('BENCH_CLUSTERS', 300),
  nodes: envInt('BENCH_NODES', 4),
  tenants: 20,
};

/** What a replica reports after its full resync. */
interface ReplicaReport {
  readonly id: string;
  readonly owned: number;
  readonly deliverMs: number;
  readonly resyncMs: number;
  readonly reconciled: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

type ToReplica = { type: 'resync' } | { type: 'stop' };
type FromReplica =
  { type: 'delivered'; id: string; owned: number; deliverMs: number } | { type: 'report'; report: ReplicaReport };

// ── The replica process ──────────────────────────────────────────────────────────────────────────────────────────

async function replica(): Promise<void> {
  const clock = new ManualClock('2026-11-24T00:00:00Z');
  const dataDir = mkdtempSync(join(tmpdir(), 'polis-scale-'));
  const config = loadConfig(
    {},
    {
      dataDir,
      databaseUrl: process.env.SCALE_DB!,
      secretKey: process.env.SCALE_KEY!,
      demo: false,
      port: 0,
      logLevel: 'silent',
    },
  );
  const t0 = performance.now();
  const polis = await startPolis(config, { clock, virtualTime: true, controllers: true, sharding: true });
  const send = (m: FromReplica) => process.send!(m);
  const member = polis.member!;
  // Wait for the other replicas, then deliver this replica's share to a quiet state.
  while (member.live.length < REPLICAS) await new Promise((r) => setTimeout(r, 200));
  await member.settled();
  await polis.delivery.resyncAll();
  const keys = (await listKeys(polis)).filter((k) => ownerOf(k, member.live) === member.id);
  for (let round = 0; round < 40; round++) {
    await settleRound(polis, clock);
    if (polis.delivery.handled().length >= keys.length && round >= 3) break;
  }
  send({ type: 'delivered', id: member.id, owned: keys.length, deliverMs: performance.now() - t0 });
  process.on('message', (m: ToReplica) => {
    void (async () => {
      if (m.type === 'stop') {
        await polis.stop();
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      }
      global.gc?.();
      const before = polis.delivery.stats.reconciles;
      const s0 = performance.now();
      await polis.delivery.resyncAll();
      await polis.delivery.idle();
      const resyncMs = performance.now() - s0;
      const mem = process.memoryUsage();
      send({
        type: 'report',
        report: {
          id: member.id,
          owned: keys.length,
          deliverMs: 0,
          resyncMs,
          reconciled: polis.delivery.stats.reconciles - before,
          rssMb: mem.rss / 2 ** 20,
          heapUsedMb: mem.heapUsed / 2 ** 20,
        },
      });
    })();
  });
}

async function listKeys(polis: Polis): Promise<string[]> {
  const keys: string[] = [];
  let cont: string | undefined;
  do {
    const page = await polis.store.list({ kind: 'Application', limit: 1000, continue: cont });
    for (const o of page.items) keys.push(`${o.metadata.tenant}/${o.metadata.name}`);
    cont = page.continue;
  } while (cont);
  return keys;
}

async function settleRound(polis: Polis, clock: ManualClock): Promise<void> {
  await polis.feed.idle();
  await polis.delivery.idle();
  await polis.clusters.probeAll();
  polis.sim!.advance(2000); // moves `clock` too (the simulated cloud runs on it)
  void clock;
  await polis.delivery.idle();
}

// ── The parent ───────────────────────────────────────────────────────────────────────────────────────────────────

async function seed(url: string, key: string, apps: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'polis-scale-seed-'));
  const config = loadConfig(
    {},
    { dataDir, databaseUrl: url, secretKey: key, demo: false, port: 0, logLevel: 'silent' },
  );
  const polis = await startPolis(config, { virtualTime: true, controllers: false });
  try {
    await polis.resources.apply(CTX, [
      ...Array.from({ length: params.clusters }, (_, i) => clusterDoc(i, params.nodes)),
      ...Array.from({ length: params.tenants }, (_, t) => ({
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name: `dept-${t}` },
        spec: { displayName: { zh: `部门 ${t}`, en: `Department ${t}` } },
      })),
    ]);
    for (const name of ['gov-east', 'gov-west', 'dr-north', 'burst-aliyun', 'burst-huawei'])
      await polis.resources.patch(CTX, { kind: 'Cluster', tenant: '', name }, { spec: { cordoned: true } });
    for (let start = 0; start < apps; start += 500) {
      const docs = [];
      for (let a = start; a < Math.min(apps, start + 500); a++) docs.push(appDoc(a % params.tenants, a));
      await polis.resources.apply(CTX, docs);
    }
  } finally {
    await polis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function startReplica(url: string, key: string): ChildProcess {
  return spawn(process.execPath, [...serverNodeFlags(), '--expose-gc', fileURLToPath(import.meta.url), 'replica'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, SCALE_DB: url, SCALE_KEY: key },
  });
}

function next<T extends FromReplica['type']>(child: ChildProcess, type: T): Promise<Extract<FromReplica, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromReplica) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as Extract<FromReplica, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`a replica exited (${code}) before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function runSize(url: string, apps: number): Promise<{ figures: Figure[]; reports: ReplicaReport[] }> {
  const key = generateSecretKey();
  const s0 = performance.now();
  await seed(url, key, apps);
  const seedS = (performance.now() - s0) / 1000;
  console.log(`  ${apps} applications over ${params.clusters} clusters seeded in ${round(seedS)} s`);
  const children = Array.from({ length: REPLICAS }, () => startReplica(url, key));
  try {
    const delivered = await Promise.all(children.map((c) => next(c, 'delivered')));
    const revisionBefore = await revisionOf(url);
    const reportsP = children.map((c) => next(c, 'report'));
    for (const c of children) c.send({ type: 'resync' } satisfies ToReplica);
    const reports = (await Promise.all(reportsP)).map((m) => m.report);
    const writes = (await revisionOf(url)) - revisionBefore;
    const slowest = Math.max(...reports.map((r) => r.resyncMs));
    const largest = Math.max(...reports.map((r) => r.rssMb));
    const owned = reports.map((r) => r.owned);
    const meanOwned = apps / REPLICAS;
    for (const r of reports)
      console.log(
        `  replica ${r.id}: ${r.owned} applications, resync ${round(r.resyncMs / 1000, 2)} s, RSS ${round(r.rssMb, 0)} MB`,
      );
    const figures = [
      figure({
        metric: `full resync of ${apps} applications across ${REPLICAS} replicas (slowest replica)`,
        value: round(slowest / 1000, 2),
        unit: 's',
        goal: '<= 60',
        baseline: `each replica reconciled ${reports.map((r) => r.reconciled).join(' / ')} applications`,
      }),
      figure({
        metric: `resident memory per replica at ${apps} applications (largest)`,
        value: round(largest, 0),
        unit: 'MB',
        goal: '<= 1024',
        baseline: `heap used ${reports.map((r) => round(r.heapUsedMb, 0)).join(' / ')} MB`,
      }),
      figure({
        metric: `resync cost per application at ${apps}`,
        value: round(slowest / Math.max(...owned), 3),
        unit: 'ms',
      }),
      figure({
        metric: `memory per application at ${apps} (largest replica's RSS / its applications)`,
        value: round((largest * 1024) / Math.max(...owned), 1),
        unit: 'KB',
      }),
      figure({
        metric: `largest share of ${apps} applications (1.0 = an even third)`,
        value: round(Math.max(...owned) / meanOwned, 3),
        unit: 'ratio',
        goal: '<= 1.25',
      }),
      figure({
        metric: `store writes during the no-op resync at ${apps}`,
        value: writes,
        unit: 'writes',
        goal: '<= 0',
      }),
      figure({
        metric: `start and first delivery of ${apps} applications by ${REPLICAS} replicas (slowest)`,
        value: round(Math.max(...delivered.map((d) => d.deliverMs)) / 1000, 1),
        unit: 's',
      }),
    ];
    return { figures, reports };
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.send({ type: 'stop' } satisfies ToReplica);
          }),
      ),
    );
  }
}

async function revisionOf(url: string): Promise<number> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ revision: string }>('SELECT revision FROM revision_counter WHERE id = 1');
    return Number(r.rows[0]!.revision);
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('scale-out needs PostgreSQL (postgresql package) installed');
  const figures: Figure[] = [];
  const notes: string[] = [];
  for (const apps of params.sizes) {
    const pg = await startTempPostgres(bin);
    try {
      console.log(`[${apps} applications] throwaway PostgreSQL ${pg.version}`);
      figures.push(...(await runSize(pg.url, apps)).figures);
    } finally {
      pg.stop();
    }
  }
  if (!params.sizes.includes(100_000))
    notes.push('100,000 applications not run by default (BENCH_SIZES=1000,10000,100000 runs it)');
  notes.push(
    'each replica drives its own simulated cloud in virtual time (the pods of the applications it owns); the shared simulated cloud the issue names is not built',
  );
  printFigures('scale-out (sharded controllers)', figures);
  const file = await writeResult({
    benchmark: 'scale-out',
    command: 'node bench/scale-out.ts',
    figures,
    parameters: { ...params, replicas: REPLICAS },
    notes,
  });
  console.log(`wrote ${file}`);
}

if (process.argv[2] === 'replica') await replica();
else await main();
