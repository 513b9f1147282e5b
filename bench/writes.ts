/**
 * writes: durable writes per second with 1, 8 and 32 concurrent writers, on SQLite and on PostgreSQL (a throwaway
 * server with its durable defaults: fsync and synchronous_commit on). Each writer replaces its own Application
 * through the HTTP API (PUT, unconditional, a changed annotation so every write is a real one) one after another;
 * a write counts when its 200 arrives, that is after the commit holding it is durable. The server's own counters
 * (/metrics: polis_store_commits_total, polis_store_committed_transactions_total) give the writes each commit carried.
 *
 * Goal (SQLite): >= 2,000 writes/s at 32 writers with p99 <= 25 ms. Baseline in the same run: 1 writer.
 *
 * Environment: BENCH_WRITERS (1,8,32), BENCH_DURATION seconds per level (10), BENCH_WARMUP (2),
 * BENCH_BACKENDS (sqlite,postgres), BENCH_PROFILE=1 to CPU-profile the server during the last level (figures are then
 * perturbed; the summary is printed and written to bench/results/writes.<backend>.profile.json).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as perfConstants } from 'node:perf_hooks';
import { spawnPolis } from '../test/support/child-polis.ts';
import type { ChildPolis } from '../test/support/child-polis.ts';
import type { BatchPhaseMark } from '../src/kernel/change-trace.ts';
import { findPostgresBin, startTempPostgres } from '../test/setup/temp-postgres.ts';
import { processCpuMs } from './support/process-cpu.ts';
import { formatProfile, profileToggle, summarizeProfile } from './support/cpu-profile.ts';
import { applicationDoc, applicationName, tenantDoc, tenantName } from './support/oam-fixtures.ts';
import type { Figure } from './support/results.ts';
import { envInt, figure, percentile, printFigures, round, writeResult } from './support/results.ts';

const params = {
  writers: (process.env.BENCH_WRITERS ?? '1,8,32').split(',').map((s) => Number(s.trim())),
  durationSec: envInt('BENCH_DURATION', 10),
  warmupSec: envInt('BENCH_WARMUP', 2),
  backends: (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',').map((s) => s.trim()),
  profile: process.env.BENCH_PROFILE === '1',
};
const RESULTS_DIR = new URL('./results/', import.meta.url);
const custom = ['BENCH_WRITERS', 'BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_BACKENDS', 'BENCH_PROFILE'].some(
  (k) => (process.env[k] ?? '') !== '',
);
const MAX_WRITERS = Math.max(...params.writers);
const IDLE_MS = 3000;
const TENANT = 0;
/** Room for every writer's application many times over: admission checks it on every write, refusing none. */
const QUOTA = { cpu: '1000', memory: '4Ti', storage: '100Ti', applications: 1000 };

interface Level {
  readonly writers: number;
  readonly writes: number;
  readonly perSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** Transactions per durable commit during the measured part (from the server's counters). */
  readonly perCommit: number;
  /**
   * Server CPU time (user + system, all threads) per acknowledged write during the measured part, the controllers'
   * and the simulated cloud's included (the idle server's rate is measured before the first level). Not less that
   * rate: on a starved machine the server gets less than it would burn idle, and the difference means nothing.
   */
  readonly cpuMsPerWrite: number;
  /** The idle server's CPU ms per second, measured before the first level. */
  readonly idleCpuPerSec: number;
  /** Store transactions committed per acknowledged PUT (above 1: the controllers' own writes in reaction). */
  readonly transactionsPerWrite: number;
  /** The measured part, in ms since the epoch (the server's batch trace is cut to it). */
  readonly window: readonly [number, number];
}

/**
 * Where a write's time went during the measured part of a level, from the server's own marks
 * (POLIS_BATCH_TRACE_FILE, src/kernel/change-trace.ts): queued before its batch ran it, the batch's run and COMMIT
 * (on SQLite both hold the event loop), the wait from the commit to the acknowledgement (the durable flush), and
 * the GC pauses.
 */
interface Phases {
  readonly batches: number;
  readonly queuedP50: number;
  readonly queuedP99: number;
  readonly runP99: number;
  readonly commitP99: number;
  readonly commitMax: number;
  readonly flushP50: number;
  readonly flushP99: number;
  /**
   * Until the event loop saw the batch's own durable flush end (SQLite: its fdatasync), from its commit; the rest of
   * `flush` is the wait for earlier batches. Undefined where the commit itself is durable (PostgreSQL).
   */
  readonly syncP50: number | undefined;
  readonly syncP99: number | undefined;
  readonly gcMsPerSec: number;
  readonly gcMaxMs: number;
  /** Young-generation collections (scavenges): how many, and the longest. */
  readonly scavenges: number;
  readonly scavengeMaxMs: number;
  /** Old-generation pauses (mark-compact, incremental marking steps, weak callbacks): how many, and the longest. */
  readonly majors: number;
  readonly majorMaxMs: number;
}

/** PerformanceEntry detail.kind of a scavenge. */
const GC_MINOR = perfConstants.NODE_PERFORMANCE_GC_MINOR;

function phasesOf(file: string, [from, to]: readonly [number, number]): Phases | undefined {
  if (!existsSync(file)) return undefined;
  const trace = JSON.parse(readFileSync(file, 'utf8')) as {
    batches: BatchPhaseMark[];
    gc: { at: number; ms: number; kind?: number }[];
  };
  const batches = trace.batches.filter((b) => b.at >= from && b.at <= to);
  const pauses = trace.gc.filter((g) => g.at >= from && g.at <= to);
  const gc = pauses.map((g) => g.ms);
  const minor = pauses.filter((g) => g.kind === GC_MINOR).map((g) => g.ms);
  const major = pauses.filter((g) => g.kind !== GC_MINOR).map((g) => g.ms);
  const queued = batches.flatMap((b) => b.queuedMs);
  const synced = batches.flatMap((b) => (b.syncMs === undefined ? [] : [b.syncMs]));
  return {
    batches: batches.length,
    queuedP50: percentile(queued, 50),
    queuedP99: percentile(queued, 99),
    runP99: percentile(
      batches.map((b) => b.runMs),
      99,
    ),
    commitP99: percentile(
      batches.map((b) => b.commitMs),
      99,
    ),
    commitMax: Math.max(0, ...batches.map((b) => b.commitMs)),
    flushP50: percentile(
      batches.map((b) => b.flushMs),
      50,
    ),
    flushP99: percentile(
      batches.map((b) => b.flushMs),
      99,
    ),
    syncP50: synced.length > 0 ? percentile(synced, 50) : undefined,
    syncP99: synced.length > 0 ? percentile(synced, 99) : undefined,
    gcMsPerSec: gc.reduce((a, b) => a + b, 0) / ((to - from) / 1000),
    gcMaxMs: Math.max(0, ...gc),
    scavenges: minor.length,
    scavengeMaxMs: Math.max(0, ...minor),
    majors: major.length,
    majorMaxMs: Math.max(0, ...major),
  };
}

const epochNow = (): number => performance.timeOrigin + performance.now();

async function send(polis: ChildPolis, method: string, path: string, body: unknown): Promise<number> {
  const res = await fetch(`${polis.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${polis.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

async function commitCounters(polis: ChildPolis): Promise<{ commits: number; transactions: number }> {
  const res = await fetch(`${polis.url}/metrics`, { headers: { authorization: `Bearer ${polis.adminToken}` } });
  const text = await res.text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    commits: read('polis_store_commits_total'),
    transactions: read('polis_store_committed_transactions_total'),
  };
}

/** Waits (up to a minute) until every seeded application runs, as its delivered status says. */
async function seedDelivered(polis: ChildPolis): Promise<void> {
  const list = `/apis/core.oam.dev/v1beta1/tenants/${tenantName(TENANT)}/applications`;
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`${polis.url}${list}`, { headers: { authorization: `Bearer ${polis.adminToken}` } });
    const { items } = (await res.json()) as { items: { status?: { phase?: string } }[] };
    if (items.length >= MAX_WRITERS && items.every((a) => a.status?.phase === 'Running')) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log('the seeded applications did not all reach Running within a minute; measuring idle anyway');
}

async function level(polis: ChildPolis, writers: number, idleCpuPerSec: number, profileFile?: string): Promise<Level> {
  const path = (w: number) =>
    `/apis/core.oam.dev/v1beta1/tenants/${tenantName(TENANT)}/applications/${applicationName(TENANT, w)}`;
  let measuring = false;
  let stopping = false;
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const loop = async (w: number): Promise<void> => {
    while (!stopping) {
      const doc = applicationDoc(TENANT, w, `write ${counter++}`);
      const t0 = performance.now();
      const status = await send(polis, 'PUT', path(w), doc);
      const ms = performance.now() - t0;
      if (!measuring) continue;
      if (status === 200) latencies.push(ms);
      else errors++;
    }
  };
  const loops = Array.from({ length: writers }, (_, w) => loop(w));
  await new Promise((r) => setTimeout(r, params.warmupSec * 1000));
  const before = await commitCounters(polis);
  if (profileFile) await profileToggle(polis, profileFile, false);
  const cpuBefore = processCpuMs(polis.pid);
  measuring = true;
  const t0 = performance.now();
  const windowStart = epochNow();
  await new Promise((r) => setTimeout(r, params.durationSec * 1000));
  measuring = false;
  const windowEnd = epochNow();
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = processCpuMs(polis.pid) - cpuBefore;
  if (profileFile) await profileToggle(polis, profileFile, true);
  const after = await commitCounters(polis);
  stopping = true;
  await Promise.all(loops);
  return {
    writers,
    writes: latencies.length,
    perSec: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    perCommit: (after.transactions - before.transactions) / Math.max(1, after.commits - before.commits),
    cpuMsPerWrite: cpuMs / Math.max(1, latencies.length),
    idleCpuPerSec,
    transactionsPerWrite: (after.transactions - before.transactions) / Math.max(1, latencies.length),
    window: [windowStart, windowEnd],
  };
}

async function runBackend(
  backend: 'sqlite' | 'postgres',
  databaseUrl?: string,
): Promise<{ levels: Level[]; phases: Phases | undefined }> {
  const dataDir = mkdtempSync(join(tmpdir(), `polis-bench-writes-${backend}-`));
  const profileFile = params.profile ? join(dataDir, 'server.cpuprofile') : undefined;
  // Outside the data folder, which is removed when the server has stopped (and written this file).
  const batchTrace = join(tmpdir(), `polis-writes-${backend}-${process.pid}-batches.json`);
  const polis = await spawnPolis({
    dataDir,
    databaseUrl,
    env: {
      POLIS_LOG_LEVEL: 'warn',
      POLIS_DEMO: '0',
      POLIS_BATCH_TRACE_FILE: batchTrace,
      ...(profileFile ? { POLIS_CPU_PROFILE: profileFile } : {}),
    },
  });
  const levels: Level[] = [];
  try {
    // A department has a quota, as every one in a government cloud does: quota admission is on the write path.
    const tenant = tenantDoc(TENANT);
    const withQuota = { ...tenant, spec: { ...(tenant.spec as object), quota: QUOTA } };
    if ((await send(polis, 'POST', '/api/v1/apply', [withQuota])) !== 200) throw new Error('seed failed');
    const docs = Array.from({ length: MAX_WRITERS }, (_, w) => applicationDoc(TENANT, w));
    if ((await send(polis, 'POST', '/api/v1/apply', docs)) !== 200) throw new Error('seed failed');
    // The controllers deliver what was seeded first: measured before that settles, the idle rate was their work.
    await seedDelivered(polis);
    // What the server burns with nobody writing (controllers, the simulated cloud), to tell from the writes' own CPU.
    const idleStart = processCpuMs(polis.pid);
    const idleT0 = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idleCpuPerSec = (processCpuMs(polis.pid) - idleStart) / ((performance.now() - idleT0) / 1000);
    console.log(`[${backend}] idle server: ${idleCpuPerSec.toFixed(0)} ms CPU per second`);
    for (const [i, writers] of params.writers.entries()) {
      const last = i === params.writers.length - 1;
      const l = await level(polis, writers, idleCpuPerSec, last ? profileFile : undefined);
      console.log(
        `[${backend}] ${writers} writers: ${l.perSec.toFixed(0)} writes/s, p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, ${l.perCommit.toFixed(1)} writes per commit, ${l.cpuMsPerWrite.toFixed(2)} ms server CPU per write, ${l.transactionsPerWrite.toFixed(2)} store transactions per write, errors ${l.errors}`,
      );
      levels.push(l);
    }
    if (profileFile) {
      const kept = join(tmpdir(), `polis-writes-${backend}.cpuprofile`);
      copyFileSync(profileFile, kept);
      console.log(`[${backend}] raw profile kept at ${kept} (open it in Chrome DevTools or speedscope)`);
      const summary = summarizeProfile(profileFile, 25);
      writeFileSync(new URL(`writes.${backend}.profile.json`, RESULTS_DIR), JSON.stringify(summary, null, 2) + '\n');
      console.log(`[${backend}] server CPU profile during the last level:\n${formatProfile(summary)}`);
    }
  } finally {
    await polis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The phases of the last (largest) level; with BENCH_PROFILE the profiler perturbs them.
  const last = levels[levels.length - 1];
  const phases = last ? phasesOf(batchTrace, last.window) : undefined;
  rmSync(batchTrace, { force: true });
  if (phases && last)
    console.log(
      `[${backend}] ${last.writers} writers, per batch (${phases.batches}): queued p50 ${phases.queuedP50.toFixed(1)} / p99 ${phases.queuedP99.toFixed(1)} ms, run p99 ${phases.runP99.toFixed(1)} ms, commit p99 ${phases.commitP99.toFixed(1)} / max ${phases.commitMax.toFixed(1)} ms, flush p50 ${phases.flushP50.toFixed(1)} / p99 ${phases.flushP99.toFixed(1)} ms${phases.syncP50 !== undefined && phases.syncP99 !== undefined ? ` (its own flush seen ended p50 ${phases.syncP50.toFixed(1)} / p99 ${phases.syncP99.toFixed(1)} ms)` : ''}; GC ${phases.gcMsPerSec.toFixed(0)} ms/s, longest pause ${phases.gcMaxMs.toFixed(1)} ms (${phases.scavenges} scavenges, longest ${phases.scavengeMaxMs.toFixed(1)} ms; ${phases.majors} old-generation pauses, longest ${phases.majorMaxMs.toFixed(1)} ms)`,
    );
  return { levels, phases };
}

function phaseFigures(s: string, writers: number, p: Phases): Figure[] {
  const ms = (metric: string, value: number, baseline?: string): Figure =>
    figure({ metric: `${metric}_${writers}${s}`, value: round(value, 2), unit: 'ms', baseline });
  return [
    ms('phase_queued_p99', p.queuedP99, `a write queued before its batch ran it; p50 ${round(p.queuedP50, 2)} ms`),
    ms('phase_batch_run_p99', p.runP99, `a batch's writes one after another, ${p.batches} batches`),
    ms('phase_commit_p99', p.commitP99, `the COMMIT; longest ${round(p.commitMax, 2)} ms (SQLite: on the event loop)`),
    ms('phase_flush_p99', p.flushP99, `commit to acknowledgement (the durable flush); p50 ${round(p.flushP50, 2)} ms`),
    ...(p.syncP50 !== undefined && p.syncP99 !== undefined
      ? [
          ms(
            'phase_sync_p99',
            p.syncP99,
            `commit until the event loop saw the batch's own flush (its fdatasync) end, earlier batches not waited for; p50 ${round(p.syncP50, 2)} ms`,
          ),
        ]
      : []),
    ms(
      'gc_pause_max',
      p.gcMaxMs,
      `GC pauses took ${round(p.gcMsPerSec)} ms per second; ${p.scavenges} scavenges (longest ${round(p.scavengeMaxMs, 2)} ms), ${p.majors} old-generation pauses (longest ${round(p.majorMaxMs, 2)} ms)`,
    ),
  ];
}

function figuresOf(
  backend: 'sqlite' | 'postgres',
  { levels, phases }: { levels: readonly Level[]; phases: Phases | undefined },
): Figure[] {
  const s = backend === 'sqlite' ? '' : `_${backend}`;
  const one = levels.find((l) => l.writers === 1);
  const last = levels[levels.length - 1];
  return levels.flatMap((l) => {
    const goals = backend === 'sqlite' && l.writers === 32;
    const vsOne = one && l !== one ? `; ${round(l.perSec / one.perSec, 2)}x the 1-writer rate of the same run` : '';
    return [
      figure({
        metric: `writes_per_s_${l.writers}${s}`,
        value: Math.round(l.perSec),
        unit: 'writes/s',
        goal: goals ? '>= 2000' : undefined,
        baseline: `${l.writes} durable PUTs from ${l.writers} writers, ${round(l.perCommit)} writes per commit${vsOne}`,
      }),
      figure({ metric: `latency_p50_${l.writers}${s}`, value: round(l.p50, 2), unit: 'ms' }),
      figure({
        metric: `latency_p99_${l.writers}${s}`,
        value: round(l.p99, 2),
        unit: 'ms',
        goal: goals ? '<= 25' : undefined,
        baseline: one ? `1 writer p99 ${round(one.p99, 2)} ms` : undefined,
      }),
      figure({ metric: `writes_per_commit_${l.writers}${s}`, value: round(l.perCommit, 1), unit: 'writes' }),
      figure({
        metric: `server_cpu_per_write_${l.writers}${s}`,
        value: round(l.cpuMsPerWrite, 3),
        unit: 'ms',
        baseline: `user + system CPU of the server process over the measured part, per acknowledged write (idle server: ${Math.round(l.idleCpuPerSec)} ms CPU per second)`,
      }),
      figure({
        metric: `errors_${l.writers}${s}`,
        value: l.errors,
        unit: 'responses',
        goal: '<= 0',
      }),
      ...(l === last && phases ? phaseFigures(s, l.writers, phases) : []),
    ];
  });
}

const figures: Figure[] = [];
const notes: string[] = [
  'the machine is shared with other engineers (2 cores): figures are noisy; compare with the 1-writer rate of the same run',
  `load average at the start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')}`,
];
if (params.backends.includes('sqlite')) figures.push(...figuresOf('sqlite', await runBackend('sqlite')));
if (params.backends.includes('postgres')) {
  const bin = findPostgresBin();
  if (bin === undefined) notes.push('PostgreSQL binaries not found: the PostgreSQL run was SKIPPED');
  else {
    const pg = await startTempPostgres(bin, { durable: true });
    try {
      console.log(`[postgres] throwaway PostgreSQL ${pg.version}, fsync and synchronous_commit on`);
      figures.push(...figuresOf('postgres', await runBackend('postgres', pg.url)));
    } finally {
      pg.stop();
    }
  }
}
notes.splice(
  2,
  0,
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')}`,
);
for (const f of figures)
  if (f.met === false) notes.push(`goal missed: ${f.metric} = ${f.value} ${f.unit}, goal ${f.goal}`);
printFigures(`writes (${params.writers.join(', ')} writers, ${params.durationSec} s each)`, figures);
for (const n of notes) console.log(`NOTE: ${n}`);
const file = await writeResult(
  { benchmark: 'writes', command: 'npm run bench:writes', figures, parameters: params, notes },
  custom ? 'custom' : undefined,
);
console.log(`wrote ${file}`);
