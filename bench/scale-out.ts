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
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../src/kernel/clock.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { serverNodeFlags } from '../src/kernel/server-runtime.ts';
import { ownerOf } from '../src/kernel/shard-assignment.ts';
import type { Polis } from '../src/main.ts';
import { startPolis } from '../src/main.ts';
import { startSimServer } from '../src/clusters/drivers/remote-sim/sim-server.ts';
import { SimCloud } from '../src/sim/index.ts';
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
  readonly resyncMs: number;
  /** CPU time (user + system) the replica spent in the resync. */
  readonly resyncCpuS: number;
  readonly reconciled: number;
  /** Of those, reconciles that took their last plan again (DeliveryStats.plansReused). */
  readonly plansReused: number;
  /** Cluster applies in the resync, and those the cloud answered unchanged without the manifests. */
  readonly applies: number;
  readonly appliesUnchanged: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

/** The one simulated cloud's state, counted in its own process. */
interface CloudCount {
  readonly deployments: number;
  readonly pods: number;
  readonly ready: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly cpuS: number;
}

type ToReplica =
  { type: 'settle' } | { type: 'step'; seq: number; now: number } | { type: 'resync' } | { type: 'stop' };
type FromReplica =
  | { type: 'ready'; id: string; owned: number }
  | { type: 'settled'; handled: number; reconciles: number; cpuS: number; byTrigger: Record<string, number> }
  | { type: 'stepped' }
  | { type: 'report'; report: ReplicaReport };
type ToSim = { type: 'advance'; ms: number } | { type: 'count' } | { type: 'stop' };
type FromSim =
  | { type: 'listening'; url: string }
  | { type: 'advanced'; seq: number; now: number }
  | { type: 'counted'; count: CloudCount };

/** Virtual time of the cloud and of every replica (they move together, one step at a time). */
const START = '2026-11-24T00:00:00Z';
const STEP_MS = 2000;

// ── The simulated cloud's process ────────────────────────────────────────────────────────────────────────────────

/** One simulated cloud served on loopback (what `polis sim serve` runs), in virtual time moved by the parent. */
async function cloud(): Promise<void> {
  const clock = new ManualClock(START);
  const sim = new SimCloud({ clock, seed: 42 });
  const server = await startSimServer({ sim });
  const send = (m: FromSim) => process.send!(m);
  send({ type: 'listening', url: server.url });
  process.on('message', (m: ToSim) => {
    if (m.type === 'stop') void server.close().then(() => process.exit(0));
    else if (m.type === 'advance') {
      sim.advance(m.ms);
      send({ type: 'advanced', seq: server.changeSeq(), now: clock.now().getTime() });
    } else {
      global.gc?.();
      let deployments = 0;
      let pods = 0;
      let ready = 0;
      for (const c of sim.clusters()) {
        for (const o of c.list(undefined)) {
          if (o.kind === 'Deployment') deployments++;
          if (o.kind !== 'Namespace') continue;
          for (const p of c.pods(o.metadata.name)) {
            pods++;
            if (p.ready) ready++;
          }
        }
      }
      const mem = process.memoryUsage();
      const cpu = process.cpuUsage();
      send({
        type: 'counted',
        count: {
          deployments,
          pods,
          ready,
          rssMb: mem.rss / 2 ** 20,
          heapUsedMb: mem.heapUsed / 2 ** 20,
          cpuS: (cpu.user + cpu.system) / 1e6,
        },
      });
    }
  });
}

/**
 * BENCH_PROFILE: a replica profiles its phases apart (first delivery, the full resync), each to its own
 * `.cpuprofile`, so that what a resync costs is not lost in the start and first delivery around it.
 */
class PhaseProfiler {
  #session?: Session;
  async start(): Promise<void> {
    if (!PROFILE_DIR) return;
    this.#session ??= new Session();
    this.#session.connect();
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.start');
  }
  async stop(phase: string): Promise<void> {
    if (!this.#session) return;
    const { profile } = await this.#session.post('Profiler.stop');
    writeFileSync(join(PROFILE_DIR!, `replica-${process.pid}-${phase}.cpuprofile`), JSON.stringify(profile));
    this.#session.disconnect();
  }
}

// ── The replica process ──────────────────────────────────────────────────────────────────────────────────────────

async function replica(): Promise<void> {
  const clock = new ManualClock(START);
  const dataDir = mkdtempSync(join(tmpdir(), 'polis-scale-'));
  const config = loadConfig(
    {},
    {
      dataDir,
      databaseUrl: process.env.SCALE_DB!,
      secretKey: process.env.SCALE_KEY!,
      simUrl: process.env.SCALE_SIM!,
      demo: false,
      port: 0,
      logLevel: 'silent',
    },
  );
  const polis = await startPolis(config, { clock, virtualTime: true, controllers: true, sharding: true });
  const served = polis.servedSim!;
  const send = (m: FromReplica) => process.send!(m);
  const member = polis.member!;
  // Wait for the other replicas, then take this replica's share.
  while (member.live.length < REPLICAS) await new Promise((r) => setTimeout(r, 200));
  await member.settled();
  // Only what this replica has not reconciled at its current version: a full resync here reconciled every owned
  // application once more, which no deployment does (the rebalance already queued this replica's share).
  await polis.delivery.resyncAll({ scope: 'changed' });
  const keys = (await listKeys(polis)).filter((k) => ownerOf(k, member.live) === member.id);
  const profiler = new PhaseProfiler();
  await profiler.start();
  send({ type: 'ready', id: member.id, owned: keys.length });
  // Progress once a minute, so that a size stopped before it ends still shows how far it got and at what cost.
  const t0 = performance.now();
  const progress = setInterval(() => {
    const cpu = process.cpuUsage();
    console.log(
      `  [${round((performance.now() - t0) / 1000, 0)} s] replica ${member.id}: ${polis.delivery.handled().length}/${keys.length} handled, ` +
        `${polis.delivery.stats.reconciles} reconciles, CPU ${round((cpu.user + cpu.system) / 1e6, 1)} s`,
    );
  }, 60_000);
  progress.unref();
  process.on('message', (m: ToReplica) => {
    void (async () => {
      if (m.type === 'stop') {
        await polis.stop();
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      } else if (m.type === 'settle') {
        await polis.feed.idle();
        await polis.delivery.idle();
        await polis.clusters.probeAll();
        await polis.delivery.idle();
        const cpu = process.cpuUsage();
        send({
          type: 'settled',
          handled: polis.delivery.handled().length,
          reconciles: polis.delivery.stats.reconciles,
          byTrigger: { ...polis.delivery.stats.byTrigger },
          cpuS: (cpu.user + cpu.system) / 1e6,
        });
      } else if (m.type === 'step') {
        // The cloud moved on: this replica's clock follows, and what changed there is queued before idling.
        clock.set(new Date(m.now));
        await served.heard(m.seq);
        await polis.delivery.idle();
        send({ type: 'stepped' });
      } else {
        await profiler.stop('deliver');
        global.gc?.();
        await profiler.start();
        const before = polis.delivery.stats.reconciles;
        const reusedBefore = polis.delivery.stats.plansReused;
        const appliesBefore = polis.delivery.stats.applies;
        const unchangedBefore = polis.delivery.stats.appliesUnchanged;
        const s0 = performance.now();
        const c0 = process.cpuUsage();
        await polis.delivery.resyncAll();
        await polis.delivery.idle();
        const resyncMs = performance.now() - s0;
        const c1 = process.cpuUsage(c0);
        await profiler.stop('resync');
        // What the replica holds, not the resync's garbage.
        global.gc?.();
        const mem = process.memoryUsage();
        if (HEAP_DIR) writeHeapSnapshot(join(HEAP_DIR, `replica-${process.pid}.heapsnapshot`));
        send({
          type: 'report',
          report: {
            id: member.id,
            owned: keys.length,
            resyncMs,
            resyncCpuS: (c1.user + c1.system) / 1e6,
            reconciled: polis.delivery.stats.reconciles - before,
            plansReused: polis.delivery.stats.plansReused - reusedBefore,
            applies: polis.delivery.stats.applies - appliesBefore,
            appliesUnchanged: polis.delivery.stats.appliesUnchanged - unchangedBefore,
            rssMb: mem.rss / 2 ** 20,
            heapUsedMb: mem.heapUsed / 2 ** 20,
          },
        });
      }
    })();
  });
}

async function listKeys(polis: Polis): Promise<string[]> {
  const keys: string[] = [];
  let cont: string | undefined;
  do {
    const page = await polis.store.list({ kind: 'Application', limit: 1000, continue: cont, keysOnly: true });
    for (const o of page.keys ?? []) keys.push(`${o.tenant}/${o.name}`);
    cont = page.continue;
  } while (cont);
  return keys;
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

/** BENCH_HEAP=folder: each replica writes a heap snapshot there after its resync (what its memory holds). */
const HEAP_DIR = process.env.BENCH_HEAP;
/**
 * BENCH_PROFILE=folder: each replica writes a V8 CPU profile of its first delivery and one of its full resync there,
 * the cloud one of its whole life when it exits (the figures are then slower).
 */
const PROFILE_DIR = process.env.BENCH_PROFILE;

function startChild(role: 'replica' | 'cloud', env: Record<string, string>): ChildProcess {
  // Replicas profile their phases apart (PhaseProfiler); the cloud, its whole life.
  const profile = PROFILE_DIR && role === 'cloud' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  // The simulated cloud is not a replica: at 10,000 applications its 50,000 pods outgrow the server's 768 MB heap.
  const heap = role === 'cloud' ? ['--max-old-space-size=4096'] : [];
  return spawn(
    process.execPath,
    [...serverNodeFlags(), ...heap, '--expose-gc', ...profile, fileURLToPath(import.meta.url), role],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...env },
    },
  );
}

/** The next message of `type` from a child (rejects if it exits first). */
function next<M extends { type: string }, T extends M['type']>(
  child: ChildProcess,
  type: T,
): Promise<Extract<M, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: M) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as Extract<M, { type: T }>);
    };
    const onExit = (code: number | null) => reject(new Error(`a child exited (${code}) before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Sends `m` to each replica and waits for each one's answer of `type`. */
function ask<T extends FromReplica['type']>(
  children: readonly ChildProcess[],
  m: ToReplica,
  type: T,
): Promise<Extract<FromReplica, { type: T }>[]> {
  const answers = children.map((c) => next<FromReplica, T>(c, type));
  for (const c of children) c.send(m);
  return Promise.all(answers);
}

function askCloud<T extends FromSim['type']>(cloudProc: ChildProcess, m: ToSim, type: T) {
  const answer = next<FromSim, T>(cloudProc, type);
  cloudProc.send(m);
  return answer;
}

function stopChild(c: ChildProcess, stop: ToReplica | ToSim): Promise<void> {
  return new Promise<void>((resolve) => {
    if (c.exitCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.send(stop);
  });
}

/** Pods each application asks for (appDoc: 2 + 2 + 1 replicas). */
const PODS_PER_APP = 5;
const MAX_ROUNDS = 60;

/** What one size measured, and what the growth between sizes is computed from. */
interface SizeRun {
  readonly apps: number;
  readonly figures: Figure[];
  readonly notes: string[];
  /** The replicas' resident and heap memory and their applications, replica by replica. */
  readonly replicas: readonly { owned: number; rssMb: number; heapUsedMb: number }[];
}

async function runSize(url: string, apps: number): Promise<SizeRun> {
  const key = generateSecretKey();
  const s0 = performance.now();
  await seed(url, key, apps);
  const seedS = (performance.now() - s0) / 1000;
  console.log(`  ${apps} applications over ${params.clusters} clusters seeded in ${round(seedS)} s`);
  const notes: string[] = [];
  const cloudProc = startChild('cloud', {});
  const children: ChildProcess[] = [];
  try {
    const { url: simUrl } = await next<FromSim, 'listening'>(cloudProc, 'listening');
    const d0 = performance.now();
    children.push(
      ...Array.from({ length: REPLICAS }, () =>
        startChild('replica', { SCALE_DB: url, SCALE_KEY: key, SCALE_SIM: simUrl }),
      ),
    );
    const ready = await Promise.all(children.map((c) => next<FromReplica, 'ready'>(c, 'ready')));
    const startS = (performance.now() - d0) / 1000;
    const owned = ready.map((r) => r.owned);
    // First delivery, in rounds of virtual time: the replicas settle, then the one cloud steps and they hear it.
    const expectedPods = apps * PODS_PER_APP;
    let count: CloudCount | undefined;
    let settled: Extract<FromReplica, { type: 'settled' }>[] = [];
    let rounds = 0;
    for (; rounds < MAX_ROUNDS; rounds++) {
      settled = await ask(children, { type: 'settle' }, 'settled');
      count = (await askCloud(cloudProc, { type: 'count' }, 'counted')).count;
      if (settled.every((x, i) => x.handled >= owned[i]!) && count.ready >= expectedPods) break;
      const step = await askCloud(cloudProc, { type: 'advance', ms: STEP_MS }, 'advanced');
      await ask(children, { type: 'step', seq: step.seq, now: step.now }, 'stepped');
    }
    const deliverS = (performance.now() - d0) / 1000;
    if (rounds === MAX_ROUNDS)
      notes.push(`at ${apps}: not every pod was ready after ${MAX_ROUNDS} steps of ${STEP_MS / 1000} s (virtual)`);
    const deliverCpuS = settled.map((x) => x.cpuS);
    const byTrigger = triggersPerApp(settled, apps);
    console.log(`  reconciles per application by trigger: ${byTrigger}`);
    console.log(
      `  started in ${round(startS)} s, delivered in ${round(deliverS)} s (${rounds} virtual steps); ` +
        `cloud: ${count!.deployments} Deployments, ${count!.ready}/${count!.pods} pods ready of ${expectedPods}`,
    );

    const revisionBefore = await revisionOf(url);
    const reports = (await ask(children, { type: 'resync' }, 'report')).map((m) => m.report);
    const writes = (await revisionOf(url)) - revisionBefore;
    const after = (await askCloud(cloudProc, { type: 'count' }, 'counted')).count;
    const slowest = Math.max(...reports.map((r) => r.resyncMs));
    const largest = Math.max(...reports.map((r) => r.rssMb));
    const meanOwned = apps / REPLICAS;
    for (const r of reports)
      console.log(
        `  replica ${r.id}: ${r.owned} applications, resync ${round(r.resyncMs / 1000, 2)} s (${r.plansReused} plans reused, ${r.appliesUnchanged} of ${r.applies} applies answered unchanged), RSS ${round(r.rssMb, 0)} MB`,
      );
    console.log(`  cloud: RSS ${round(after.rssMb, 0)} MB, heap ${round(after.heapUsedMb, 0)} MB`);
    const figures = [
      figure({
        metric: `full resync of ${apps} applications across ${REPLICAS} replicas (slowest replica)`,
        value: round(slowest / 1000, 2),
        unit: 's',
        goal: '<= 60',
        baseline:
          `each replica reconciled ${reports.map((r) => r.reconciled).join(' / ')} applications, taking the last plan again for ${reports.map((r) => r.plansReused).join(' / ')}; ` +
          `cluster applies ${reports.map((r) => r.applies).join(' / ')}, answered unchanged without the manifests ${reports.map((r) => r.appliesUnchanged).join(' / ')}`,
      }),
      figure({
        metric: `resident memory per replica at ${apps} applications (largest)`,
        value: round(largest, 0),
        unit: 'MB',
        goal: '<= 1024',
        baseline: `heap used ${reports.map((r) => round(r.heapUsedMb, 0)).join(' / ')} MB`,
      }),
      figure({
        metric: `resident memory of the one simulated cloud at ${apps} applications`,
        value: round(after.rssMb, 0),
        unit: 'MB',
        baseline: `heap used ${round(after.heapUsedMb, 0)} MB for ${after.pods} pods`,
      }),
      figure({
        metric: `resync cost per application at ${apps}`,
        value: round(slowest / Math.max(...owned), 3),
        unit: 'ms',
      }),
      figure({
        metric: `replica CPU per application in the full resync at ${apps} (largest)`,
        value: round(Math.max(...reports.map((r) => (r.resyncCpuS * 1000) / r.owned)), 2),
        unit: 'ms',
        baseline: `CPU ${reports.map((r) => round(r.resyncCpuS, 1)).join(' / ')} s`,
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
        metric: `pods in the one simulated cloud beyond the ${expectedPods} the ${apps} applications ask for`,
        value: after.pods - expectedPods,
        unit: 'pods',
        goal: '<= 0',
        baseline: `${after.ready} ready, ${after.deployments} Deployments`,
      }),
      figure({
        metric: `start and first delivery of ${apps} applications by ${REPLICAS} replicas (every pod ready)`,
        value: round(deliverS, 1),
        unit: 's',
        baseline: `replicas started in ${round(startS, 1)} s; ${rounds} steps of ${STEP_MS / 1000} s virtual`,
      }),
      figure({
        metric: `reconciles per application at start and first delivery, ${apps}`,
        value: round(settled.reduce((n, x) => n + x.reconciles, 0) / apps, 2),
        unit: 'reconciles',
        baseline: `${settled.map((x) => x.reconciles).join(' / ')} reconciles for ${owned.join(' / ')} applications; per application by trigger: ${byTrigger}`,
      }),
      figure({
        metric: `replica CPU per application at first delivery, ${apps} (largest share)`,
        value: round((Math.max(...deliverCpuS) * 1000) / Math.max(...owned), 1),
        unit: 'ms',
        baseline: `CPU ${deliverCpuS.map((c) => round(c, 1)).join(' / ')} s for ${owned.join(' / ')} applications; the cloud ${round(count!.cpuS, 1)} s`,
      }),
    ];
    return { apps, figures, notes, replicas: reports };
  } finally {
    await Promise.all(children.map((c) => stopChild(c, { type: 'stop' })));
    await stopChild(cloudProc, { type: 'stop' });
  }
}

/** Reconciles per application by what queued them, the three replicas together, most first. */
function triggersPerApp(settled: readonly { byTrigger: Record<string, number> }[], apps: number): string {
  const sum = new Map<string, number>();
  for (const s of settled) for (const [t, n] of Object.entries(s.byTrigger)) sum.set(t, (sum.get(t) ?? 0) + n);
  return [...sum]
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${round(n / apps, 2)}`)
    .join(', ');
}

/**
 * Memory each further application costs a replica, between consecutive sizes of this run: a replica's memory at one
 * size is mostly what it holds with none (code, caches, connections), so RSS over applications overstates the
 * cost per application at small sizes. Per replica (RSS and heap against the applications it owns), the mean.
 */
function growth(runs: readonly SizeRun[]): Figure[] {
  const out: Figure[] = [];
  for (let i = 1; i < runs.length; i++) {
    const [a, b] = [runs[i - 1]!, runs[i]!];
    const mean = (xs: readonly { owned: number; rssMb: number; heapUsedMb: number }[], f: 'rssMb' | 'heapUsedMb') =>
      xs.reduce((n, x) => n + x[f], 0) / xs.length;
    const owned = (xs: readonly { owned: number }[]) => xs.reduce((n, x) => n + x.owned, 0) / xs.length;
    const perApp = (f: 'rssMb' | 'heapUsedMb') =>
      ((mean(b.replicas, f) - mean(a.replicas, f)) * 1024) / (owned(b.replicas) - owned(a.replicas));
    out.push(
      figure({
        metric: `memory per further application from ${a.apps} to ${b.apps} (a replica's RSS growth / its added applications)`,
        value: round(perApp('rssMb'), 1),
        unit: 'KB',
        baseline: `heap growth ${round(perApp('heapUsedMb'), 1)} KB per application`,
      }),
    );
  }
  return out;
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
  const runs: SizeRun[] = [];
  for (const apps of params.sizes) {
    const pg = await startTempPostgres(bin);
    try {
      console.log(`[${apps} applications] throwaway PostgreSQL ${pg.version}`);
      const r = await runSize(pg.url, apps);
      // Printed as each size ends: a run stopped during a larger size keeps what the smaller ones measured.
      if (params.sizes.length > 1) printFigures(`scale-out at ${apps} applications`, r.figures);
      figures.push(...r.figures);
      notes.push(...r.notes);
      runs.push(r);
    } finally {
      pg.stop();
    }
  }
  figures.push(...growth(runs));
  if (!params.sizes.includes(100_000))
    notes.push('100,000 applications not run by default (BENCH_SIZES=1000,10000,100000 runs it)');
  notes.push(
    'the three replicas drive one simulated cloud served by a process of its own (POLIS_SIM_URL, as `polis sim serve`), in virtual time stepped by the benchmark',
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
else if (process.argv[2] === 'cloud') await cloud();
else await main();
