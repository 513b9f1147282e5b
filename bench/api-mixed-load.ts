/**
 * api-mixed-load: 100 departments and 10,000 Applications, then a mixed load from a second process on loopback
 * (80% get, 15% unconditional replace, 5% list of 100), on SQLite and, beside it, PostgreSQL. The ceiling of this
 * machine is measured in the same run: /healthz with the same load settings.
 *
 * Goals (SQLite): >= 3,000 req/s, p99 <= 25 ms, resident memory at 10,000 objects <= 250 MB, no non-2xx.
 *
 * Environment: BENCH_TENANTS (100), BENCH_APPS_PER_TENANT (100), BENCH_DURATION seconds (20), BENCH_WARMUP (3),
 * BENCH_CONNECTIONS (32), BENCH_BACKENDS (sqlite,postgres), BENCH_PROFILE=1 to CPU-profile the server during the
 * mixed load (figures are then perturbed; the profile summary is printed and written beside the result),
 * BENCH_SETTLE_LIMIT seconds (300), BENCH_IDLE (20 seconds of idle CPU measured), BENCH_APPLY_BATCH (200 documents an
 * apply), BENCH_SEED_CLIENTS (4 clients seeding at once; 1 = one batch at a time, the method before 2026-12-07 21:00Z),
 * BENCH_PG_STATEMENTS=1 to count the throwaway PostgreSQL's statements during the mixed load (pg_stat_statements: the
 * top ones are printed and put in the notes; the server is restarted once to load the extension before polis starts).
 *
 * The server delivers the Applications it is given (render, place, apply to the simulated cloud, status and events).
 * The load is measured on a settled estate: after seeding, the bench waits until the delivery queue is empty, no
 * reconcile waits on a timer, and the store revision and reconcile count hold still (read from the server's /metrics),
 * reports how long that took, and the idle CPU of the settled server.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPolis } from '../test/support/child-polis.ts';
import type { ChildPolis } from '../test/support/child-polis.ts';
import { findPostgresBin, startTempPostgres } from '../test/setup/temp-postgres.ts';
import type { TempPostgres } from '../test/setup/temp-postgres.ts';
import { formatProfile, profileToggle, summarizeProfile } from './support/cpu-profile.ts';
import type { LoadResult, LoadSpec } from './support/load-generator.ts';
import { applicationDoc, tenantDoc } from './support/oam-fixtures.ts';
import { processCpuSeconds, residentMemory, serverHeap } from './support/process-memory.ts';
import { QUIET_READS, deliveryState, settleDelivery } from './support/delivery-settle.ts';
import type { Settle } from './support/delivery-settle.ts';
import type { Figure } from './support/results.ts';
import { RESULTS_DIR, envInt, figure, printFigures, round, writeResult } from './support/results.ts';
import { runLoad } from './support/run-load.ts';

const params = {
  tenants: envInt('BENCH_TENANTS', 100),
  appsPerTenant: envInt('BENCH_APPS_PER_TENANT', 100),
  durationSec: envInt('BENCH_DURATION', 20),
  warmupSec: envInt('BENCH_WARMUP', 3),
  connections: envInt('BENCH_CONNECTIONS', 32),
  batch: envInt('BENCH_APPLY_BATCH', 200),
  /** Clients seeding at once (seed()). */
  seedClients: envInt('BENCH_SEED_CLIENTS', 4),
  settleLimitSec: envInt('BENCH_SETTLE_LIMIT', 300),
  idleSec: envInt('BENCH_IDLE', 20),
  backends: (process.env.BENCH_BACKENDS ?? 'sqlite,postgres').split(',').map((s) => s.trim()),
  profile: process.env.BENCH_PROFILE === '1',
  pgStatements: process.env.BENCH_PG_STATEMENTS === '1',
  /** Extra node flags for the server, e.g. "--max-semi-space-size=8", to try runtime settings without code changes. */
  serverNodeArgs: (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
};
const objects = params.tenants * params.appsPerTenant;
/** A run with other sizes, backends or server flags writes api-mixed-load.custom.json, never over the full run's figures. */
const custom = [
  'BENCH_TENANTS',
  'BENCH_APPS_PER_TENANT',
  'BENCH_DURATION',
  'BENCH_WARMUP',
  'BENCH_CONNECTIONS',
  'BENCH_APPLY_BATCH',
  'BENCH_SEED_CLIENTS',
  'BENCH_BACKENDS',
  'BENCH_SETTLE_LIMIT',
  'BENCH_IDLE',
  'BENCH_SERVER_NODE_ARGS',
  'BENCH_PG_STATEMENTS',
].some((k) => (process.env[k] ?? '') !== '');

interface Memory {
  readonly rssMb: number;
  readonly peakMb: number;
  /** V8 heap in use and reserved, as the server reports it on /metrics. */
  readonly heap?: { heapUsedMb: number; heapTotalMb: number };
}

async function memoryOf(polis: ChildPolis): Promise<Memory> {
  return { ...residentMemory(polis.pid), heap: await serverHeap(polis.url, polis.adminToken) };
}

interface BackendRun {
  readonly backend: 'sqlite' | 'postgres';
  /** The server's memory footprint (POLIS_FOOTPRINT): its V8 flags, see docs/configuration.md. */
  readonly footprint: 'default' | 'small';
  readonly seedSec: number;
  /** Server CPU seconds the seeding cost (its own requests and the controllers' work meanwhile). */
  readonly seedCpuSec: number;
  readonly afterSeed: Memory;
  readonly settle: Settle;
  readonly idle: Idle;
  /** Server CPU seconds over each load run (warm-up included). */
  readonly mixedCpuSec: number;
  readonly healthCpuSec: number;
  readonly afterLoad: Memory;
  readonly health: LoadResult;
  readonly mixed: LoadResult;
  readonly profile?: string;
}

async function post(polis: ChildPolis, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${polis.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${polis.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${text.slice(0, 1000)}`);
  return JSON.parse(text);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Idle {
  readonly sec: number;
  /** Server CPU over the idle window, percent of one core. */
  readonly cpuPercent: number;
  readonly reconciles: number;
  readonly revisions: number;
}

/** The settled server with no requests: what it costs to hold the estate (samplers, ticks, resyncs). */
async function idleCost(polis: ChildPolis): Promise<Idle> {
  const before = await deliveryState(polis);
  const cpu0 = processCpuSeconds(polis.pid);
  const t0 = performance.now();
  await sleep(params.idleSec * 1000);
  const cpu = processCpuSeconds(polis.pid) - cpu0;
  const sec = (performance.now() - t0) / 1000;
  const after = await deliveryState(polis);
  return {
    sec,
    cpuPercent: (100 * cpu) / sec,
    reconciles: after.reconciles - before.reconciles,
    revisions: after.revision - before.revision,
  };
}

/** Runs one load and measures the server CPU it cost. */
async function measuredLoad(polis: ChildPolis, spec: LoadSpec): Promise<{ result: LoadResult; cpuSec: number }> {
  const cpu0 = processCpuSeconds(polis.pid);
  const result = await runLoad(spec);
  return { result, cpuSec: processCpuSeconds(polis.pid) - cpu0 };
}

/**
 * 100 departments in one apply, then the Applications in batches (each batch one transaction), sent by
 * BENCH_SEED_CLIENTS clients at once, each taking the next batch when its last one is answered: several people or
 * scripts running `polis apply -f` (one request, all or nothing, under the 1 MiB body limit) side by side.
 * BENCH_SEED_CLIENTS=1 is the method of the figures before 2026-12-07 21:00Z (one batch at a time).
 */
async function seed(polis: ChildPolis): Promise<void> {
  await post(
    polis,
    '/api/v1/apply',
    Array.from({ length: params.tenants }, (_, t) => tenantDoc(t)),
  );
  const docs: Record<string, unknown>[] = [];
  for (let t = 0; t < params.tenants; t++)
    for (let a = 0; a < params.appsPerTenant; a++) docs.push(applicationDoc(t, a));
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < docs.length) {
      const i = next;
      next += params.batch;
      const result = (await post(polis, '/api/v1/apply', docs.slice(i, i + params.batch))) as {
        items: Array<{ action: string }>;
      };
      const created = result.items.filter((r) => r.action === 'created').length;
      if (created !== Math.min(params.batch, docs.length - i))
        throw new Error(`apply batch at ${i} created ${created} objects`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, params.seedClients) }, client));
}

async function runBackend(
  backend: 'sqlite' | 'postgres',
  databaseUrl?: string,
  footprint: BackendRun['footprint'] = 'default',
  statements?: StatementCounts,
): Promise<BackendRun> {
  const label = footprint === 'small' ? `${backend}, small footprint` : backend;
  const dataDir = mkdtempSync(join(tmpdir(), `polis-bench-${backend}-`));
  const profileFile = params.profile ? join(dataDir, 'server.cpuprofile') : undefined;
  const polis = await spawnPolis({
    dataDir,
    databaseUrl,
    nodeArgs: params.serverNodeArgs,
    env: {
      POLIS_LOG_LEVEL: 'warn',
      POLIS_DEMO: '0',
      POLIS_FOOTPRINT: footprint,
      ...(profileFile ? { POLIS_CPU_PROFILE: profileFile } : {}),
    },
  });
  try {
    console.log(
      `[${label}] polis pid ${polis.pid} at ${polis.url}; seeding ${params.tenants} departments and ${objects} Applications`,
    );
    const t0 = performance.now();
    const seedCpu0 = processCpuSeconds(polis.pid);
    await seed(polis);
    const seedSec = (performance.now() - t0) / 1000;
    const seedCpuSec = processCpuSeconds(polis.pid) - seedCpu0;
    const afterSeed = await memoryOf(polis);
    console.log(
      `[${label}] seeded in ${seedSec.toFixed(1)} s (server CPU ${seedCpuSec.toFixed(1)} s); RSS ${afterSeed.rssMb.toFixed(0)} MB (${heapText(afterSeed)})`,
    );
    const settled = await settleDelivery(polis, params.settleLimitSec);
    console.log(
      `[${label}] delivery ${settled.settled ? 'settled' : 'NOT settled'} after ${settled.sec.toFixed(1)} s (server CPU ${settled.cpuSec.toFixed(1)} s, ${settled.state.reconciles} reconciles, revision ${settled.state.revision}, queue ${settled.state.queued}, timed ${settled.state.scheduled ?? 'not reported'})`,
    );
    const idle = await idleCost(polis);
    console.log(
      `[${label}] idle: ${idle.cpuPercent.toFixed(1)}% of a core over ${idle.sec.toFixed(0)} s, ${idle.reconciles} reconciles, ${idle.revisions} store revisions`,
    );
    const spec: LoadSpec = {
      url: polis.url,
      token: polis.adminToken,
      mode: 'health',
      connections: params.connections,
      durationSec: params.durationSec,
      warmupSec: params.warmupSec,
      tenants: params.tenants,
      appsPerTenant: params.appsPerTenant,
    };
    let measuredMixed: { result: LoadResult; cpuSec: number };
    if (statements) await statements.reset();
    if (profileFile) {
      // The warm-up runs unprofiled; the profile covers the measured part (and a little of the warm-up's tail).
      const loading = measuredLoad(polis, { ...spec, mode: 'mixed' });
      await sleep((params.warmupSec + 1.5) * 1000);
      await profileToggle(polis, profileFile, false);
      measuredMixed = await loading;
      await profileToggle(polis, profileFile, true);
    } else {
      measuredMixed = await measuredLoad(polis, { ...spec, mode: 'mixed' });
    }
    const mixed = measuredMixed.result;
    if (statements) {
      const top = await statements.top(mixed.requests);
      console.log(`[${label}] PostgreSQL statements during the mixed load:\n${top}`);
      notes.push(`[${label}] PostgreSQL statements during the mixed load (pg_stat_statements): ${top}`);
    }
    console.log(
      `[${label}] mixed: ${mixed.rps.toFixed(0)} req/s, p50 ${mixed.p50.toFixed(1)} ms, p99 ${mixed.p99.toFixed(1)} ms, non-2xx ${mixed.non2xx}, errors ${mixed.errors}`,
    );
    // Memory is read after the object workload and before the ceiling phase, whose million trivial requests
    // would otherwise leave their own heap growth in the figure.
    const afterLoad = await memoryOf(polis);
    const { result: health, cpuSec: healthCpuSec } = await measuredLoad(polis, { ...spec, mode: 'health' });
    console.log(`[${label}] /healthz ceiling: ${shown(health.rps, 0)} req/s, p99 ${shown(health.p99, 1)} ms`);
    let profile: string | undefined;
    if (profileFile) {
      const kept = join(tmpdir(), `polis-api-mixed-load-${backend}-${footprint}.cpuprofile`);
      copyFileSync(profileFile, kept);
      console.log(`[${label}] raw profile kept at ${kept} (open it in Chrome DevTools or speedscope)`);
      const summary = summarizeProfile(profileFile, 20);
      profile = formatProfile(summary);
      writeFileSync(
        join(RESULTS_DIR, `api-mixed-load.${backend}${footprint === 'small' ? '-small' : ''}.profile.json`),
        `${JSON.stringify(summary, null, 2)}\n`,
      );
      console.log(`[${label}] server CPU profile during the mixed load:\n${profile}`);
    }
    return {
      backend,
      footprint,
      seedSec,
      seedCpuSec,
      afterSeed,
      settle: settled,
      idle,
      mixedCpuSec: measuredMixed.cpuSec,
      healthCpuSec,
      afterLoad,
      health,
      mixed,
      profile,
    };
  } catch (e) {
    // The server's own words say why (it crashed, ran out of heap, or a request failed).
    const ended = polis.process.exitCode ?? polis.process.signalCode;
    throw new Error(
      `[${label}] ${e instanceof Error ? e.message : String(e)}; server ${ended === null ? 'still running' : `ended (${ended})`}; its stderr: ${polis.stderr().slice(-1500) || 'empty'}`,
      { cause: e },
    );
  } finally {
    await polis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * A measured number for text, or "missing": a run with no responses gives no latency (the load generator's NaN
 * arrives as null through JSON), and the report says so instead of crashing or printing 0.
 */
const measured = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const shown = (v: number | null | undefined, digits: number): string => (measured(v) ? v.toFixed(digits) : 'missing');

const heapText = (m: Memory) =>
  m.heap
    ? `V8 heap used ${Math.round(m.heap.heapUsedMb)} MB of ${Math.round(m.heap.heapTotalMb)} MB reserved`
    : 'V8 heap not reported';

function figuresOf(run: BackendRun): Figure[] {
  // Goals belong to the SQLite runs (the issue's figures); the small footprint is held to the same goals.
  const sqlite = run.backend === 'sqlite';
  const s = `${sqlite ? '' : `_${run.backend}`}${run.footprint === 'small' ? '_small_footprint' : ''}`;
  const goal = (g: string) => (sqlite ? g : undefined);
  const { mixed, health } = run;
  const ceiling = `/healthz ceiling ${shown(health.rps, 0)} req/s (p99 ${shown(health.p99, 1)} ms) in the same run`;
  // Without a ceiling (no /healthz response measured) the ratio is missing: left out, not reported as 0 or Infinity.
  const ratio = measured(health.rps) && health.rps > 0 && measured(health.p99) ? mixed.rps / health.rps : undefined;
  const op = (name: string) => mixed.ops[name];
  // Server CPU per request: CPU over the whole load run (warm-up included) over the requests that run made, the
  // warm-up's counted at the measured rate. Less sensitive to other work on the machine than throughput.
  const loadSec = params.warmupSec + params.durationSec;
  const cpuPerRequest = (cpuSec: number, rps: number) => (rps > 0 ? (1000 * cpuSec) / (rps * loadSec) : Number.NaN);
  const healthCpu = cpuPerRequest(run.healthCpuSec, health.rps);
  const figures: Figure[] = [
    figure({
      metric: `throughput${s}`,
      value: Math.round(mixed.rps),
      unit: 'req/s',
      goal: goal('>= 3000'),
      baseline: `${ceiling}; ratio ${ratio === undefined ? 'missing' : round(ratio, 2)}`,
    }),
    ...(ratio === undefined
      ? []
      : [figure({ metric: `throughput_vs_healthz${s}`, value: round(ratio, 3), unit: 'ratio', baseline: ceiling })]),
    figure({
      metric: `latency_p50${s}`,
      value: round(mixed.p50, 2),
      unit: 'ms',
      baseline: `/healthz p50 ${shown(health.p50, 2)} ms`,
    }),
    figure({
      metric: `latency_p99${s}`,
      value: round(mixed.p99, 2),
      unit: 'ms',
      goal: goal('<= 25'),
      baseline: `/healthz p99 ${shown(health.p99, 2)} ms`,
    }),
    figure({ metric: `latency_max${s}`, value: round(mixed.max, 1), unit: 'ms' }),
    figure({
      metric: `cpu_per_request${s}`,
      value: round(cpuPerRequest(run.mixedCpuSec, mixed.rps), 3),
      unit: 'ms',
      baseline: `server CPU ${round(run.mixedCpuSec)} s over ${loadSec} s of load; /healthz ${shown(healthCpu, 3)} ms of CPU per request`,
    }),
    figure({
      metric: `non_2xx${s}`,
      value: mixed.non2xx + mixed.errors + mixed.timeouts,
      unit: 'responses',
      goal: goal('<= 0'),
      baseline: `${mixed.requests} requests; status codes ${JSON.stringify(mixed.statusCodes)}`,
    }),
    ...(['get', 'replace', 'list'] as const).flatMap((name) => {
      const o = op(name);
      return o
        ? [
            figure({
              metric: `latency_p99_${name}${s}`,
              value: round(o.p99, 2),
              unit: 'ms',
              baseline: `${o.count} requests (${round((100 * o.count) / mixed.requests)}%), p50 ${round(o.p50, 2)} ms`,
            }),
          ]
        : [];
    }),
    figure({
      metric: `rss_after_seed${s}`,
      value: Math.round(run.afterSeed.rssMb),
      unit: 'MB',
      baseline: `${objects} Applications in ${params.tenants} departments; ${heapText(run.afterSeed)}`,
    }),
    figure({
      metric: `rss_after_load${s}`,
      value: Math.round(run.afterLoad.rssMb),
      unit: 'MB',
      goal: goal('<= 250'),
      baseline: `peak (VmHWM) ${Math.round(run.afterLoad.peakMb)} MB; ${heapText(run.afterLoad)}`,
    }),
    ...(run.afterLoad.heap
      ? [
          figure({
            metric: `heap_used_after_load${s}`,
            value: Math.round(run.afterLoad.heap.heapUsedMb),
            unit: 'MB',
            baseline: `V8 heap reserved ${Math.round(run.afterLoad.heap.heapTotalMb)} MB`,
          }),
        ]
      : []),
    figure({
      metric: `healthz_throughput${s}`,
      value: Math.round(health.rps),
      unit: 'req/s',
      baseline: 'the ceiling: same connections and duration, no store work',
    }),
    figure({
      metric: `settle_time${s}`,
      value: round(run.settle.sec),
      unit: 's',
      baseline: `${run.settle.settled ? 'settled' : `NOT settled within ${params.settleLimitSec} s`}: delivery queue empty, no reconcile waiting on a timer, revision and reconciles still for ${QUIET_READS} s; server CPU ${round(run.settle.cpuSec)} s meanwhile, ${run.settle.state.reconciles} reconciles in all`,
    }),
    figure({
      metric: `idle_cpu${s}`,
      value: round(run.idle.cpuPercent, 2),
      unit: '% of a core',
      baseline: `settled server with no requests for ${round(run.idle.sec)} s: ${run.idle.reconciles} reconciles, ${run.idle.revisions} store revisions`,
    }),
    figure({
      metric: `seed_rate${s}`,
      value: Math.round(objects / run.seedSec),
      unit: 'objects/s',
      baseline: `${objects} Applications through /api/v1/apply in batches of ${params.batch} from ${params.seedClients} client${params.seedClients === 1 ? '' : 's'} at once, ${round(run.seedSec)} s; server CPU ${round(run.seedCpuSec)} s (${round((1000 * run.seedCpuSec) / objects, 2)} ms per object)`,
    }),
  ];
  return figures;
}

/** pg_stat_statements on the throwaway server: reset before the mixed load, read after it. */
interface StatementCounts {
  reset(): Promise<void>;
  /** The statements that took the most execution time, per request of the load. */
  top(requests: number): Promise<string>;
  close(): Promise<void>;
}

async function statementCounts(pg: TempPostgres): Promise<StatementCounts> {
  const { default: postgres } = await import('pg');
  const admin = async <T>(fn: (c: InstanceType<typeof postgres.Client>) => Promise<T>): Promise<T> => {
    const c = new postgres.Client({ connectionString: pg.url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  await admin((c) => c.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`));
  pg.halt('fast');
  pg.resume();
  await admin(async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // Known only once the library is loaded.
    await c.query('ALTER SYSTEM SET pg_stat_statements.track_planning = on');
    await c.query('SELECT pg_reload_conf()');
  });
  return {
    reset: () => admin((c) => c.query('SELECT pg_stat_statements_reset()')).then(() => undefined),
    top: (requests) =>
      admin(async (c) => {
        const { rows } = await c.query<{ calls: string; exec: number; plan: number; query: string }>(
          `SELECT calls, total_exec_time AS exec, total_plan_time AS plan, query FROM pg_stat_statements
           WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 12`,
        );
        const all = await c.query<{ calls: string; exec: number; plan: number }>(
          `SELECT sum(calls) AS calls, sum(total_exec_time) AS exec, sum(total_plan_time) AS plan FROM pg_stat_statements
           WHERE query NOT LIKE '%pg_stat_statements%'`,
        );
        const a = all.rows[0]!;
        const per = (n: number) => (requests > 0 ? (n / requests).toFixed(3) : '-');
        return [
          `all: ${a.calls} calls (${per(Number(a.calls))} a request), execution ${Math.round(Number(a.exec))} ms, planning ${Math.round(Number(a.plan))} ms`,
          ...rows.map(
            (r) =>
              `${r.calls} calls (${per(Number(r.calls))}/req), ${Math.round(r.exec)} ms exec, ${Math.round(r.plan)} ms plan: ${r.query.replace(/\s+/g, ' ').slice(0, 160)}`,
          ),
        ].join('\n');
      }),
    close: async () => undefined,
  };
}

const runs: BackendRun[] = [];
const notes: string[] = [];
/** One backend's run: a failure is reported in the output and notes, and the other runs' figures are still written. */
async function attempt(run: () => Promise<BackendRun>): Promise<void> {
  try {
    runs.push(await run());
  } catch (e) {
    const text = `a run FAILED: ${e instanceof Error ? e.message : String(e)}`;
    console.error(text);
    notes.push(text);
  }
}
if (params.backends.includes('sqlite')) await attempt(() => runBackend('sqlite'));
// The same SQLite run in the small footprint (POLIS_FOOTPRINT=small), unless flags were given by hand.
if (params.backends.includes('sqlite') && params.serverNodeArgs.length === 0) {
  await attempt(() => runBackend('sqlite', undefined, 'small'));
}
if (params.backends.includes('postgres')) {
  const bin = findPostgresBin();
  if (bin === undefined) {
    const notice = 'PostgreSQL binaries not found under /usr/lib/postgresql: the PostgreSQL run was SKIPPED';
    console.warn(notice);
    notes.push(notice);
  } else {
    let pg: TempPostgres | undefined;
    try {
      pg = await startTempPostgres(bin);
      console.log(
        `[postgres] throwaway PostgreSQL ${pg.version} at ${pg.url.replace(/\/\/[^@]*@/, '//')} (fsync off, as in the tests)`,
      );
      const url = pg.url;
      const statements = params.pgStatements ? await statementCounts(pg) : undefined;
      try {
        await attempt(() => runBackend('postgres', url, 'default', statements));
      } finally {
        await statements?.close();
      }
    } finally {
      pg?.stop();
    }
  }
}

const figures = runs.flatMap(figuresOf);
for (const r of runs)
  if (!measured(r.health.p99) || !(r.health.rps > 0))
    notes.push(
      `${r.backend}${r.footprint === 'small' ? ' (small footprint)' : ''}: the /healthz ceiling run measured no latency (${r.health.requests} requests, ${r.health.errors} errors, ${r.health.timeouts} timeouts): its p50/p99 and the throughput_vs_healthz ratio are missing`,
    );
for (const r of runs)
  if (!r.settle.settled)
    notes.push(
      `${r.backend}${r.footprint === 'small' ? ' (small footprint)' : ''}: delivery did not settle within ${params.settleLimitSec} s (queue ${r.settle.state.queued}): the load was measured while the server was still delivering`,
    );
for (const f of figures)
  if (f.met === false) notes.push(`goal missed: ${f.metric} = ${f.value} ${f.unit}, goal ${f.goal}`);
if (params.profile)
  notes.push(
    'BENCH_PROFILE=1: the server was CPU-profiled during the mixed load, so these figures are lower than an unprofiled run',
  );
for (const r of runs)
  if (r.profile)
    notes.push(`server CPU profile (${r.backend}), see bench/results/api-mixed-load.${r.backend}.profile.json`);
printFigures(
  `api-mixed-load (${objects} Applications, ${params.connections} connections, ${params.durationSec} s)`,
  figures,
);
for (const n of notes) console.log(`NOTE: ${n}`);
const file = await writeResult(
  {
    benchmark: 'api-mixed-load',
    command: 'npm run bench:api',
    figures,
    parameters: {
      ...params,
      objects,
      mix: '80% GET Application, 15% PUT Application (unconditional), 5% GET list limit=100',
    },
    notes,
  },
  params.profile ? 'profiled' : custom ? 'custom' : undefined,
);
console.log(`wrote ${file}`);
