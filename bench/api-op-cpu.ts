/**
 * api-op-cpu: the server's CPU per request of each kind the mixed load sends (GET an Application, PUT it back with a
 * changed annotation, GET a list of 100), one kind at a time, on SQLite. On a shared machine throughput and latency
 * move with the other work on it; the CPU a request costs the server moves much less, so two trees can be compared
 * run after run (docs/benchmarks.md, api-op-cpu).
 *
 * The server is seeded (BENCH_TENANTS departments of BENCH_APPS_PER_TENANT Applications, through /api/v1/apply),
 * waited on until it has delivered them (delivery queue empty, store revision and reconciles still for 3 s, as
 * api-mixed-load waits; at most BENCH_SETTLE_LIMIT seconds), and its idle CPU measured over 5 s; then each kind runs
 * BENCH_REQUESTS requests (lists a fifth of that) from BENCH_CONNECTIONS concurrent clients in this process, and the
 * server's CPU over that run (from /proc, every thread), less its idle rate, is divided by the requests.
 *
 * BENCH_BACKEND=postgres runs the same on a throwaway PostgreSQL (fsync off, as in the tests) and writes
 * api-op-cpu.postgres.json: the figures are polis's CPU only, PostgreSQL's own processes are not counted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnPolis } from '../test/support/child-polis.ts';
import { findPostgresBin, startTempPostgres } from '../test/setup/temp-postgres.ts';
import { applicationDoc, applicationName, tenantDoc, tenantName } from './support/oam-fixtures.ts';
import { processCpuSeconds } from './support/process-memory.ts';
import { settleDelivery } from './support/delivery-settle.ts';
import type { Figure } from './support/results.ts';
import { envInt, figure, printFigures, round, writeResult } from './support/results.ts';

const params = {
  tenants: envInt('BENCH_TENANTS', 10),
  appsPerTenant: envInt('BENCH_APPS_PER_TENANT', 100),
  requests: envInt('BENCH_REQUESTS', 3000),
  connections: envInt('BENCH_CONNECTIONS', 16),
  settleLimitSec: envInt('BENCH_SETTLE_LIMIT', 300),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backend = process.env.BENCH_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
const pgBin = backend === 'postgres' ? findPostgresBin() : undefined;
if (backend === 'postgres' && pgBin === undefined)
  throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
const pg = pgBin === undefined ? undefined : await startTempPostgres(pgBin);
const dataDir = mkdtempSync(join(tmpdir(), 'polis-bench-op-cpu-'));
const polis = await spawnPolis({ dataDir, databaseUrl: pg?.url, env: { POLIS_LOG_LEVEL: 'warn', POLIS_DEMO: '0' } });
const auth = `Bearer ${polis.adminToken}`;

async function call(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${polis.url}${path}`, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
}

const base = (t: number) => `/apis/core.oam.dev/v1beta1/tenants/${tenantName(t)}/applications`;
const pick = () => [Math.floor(Math.random() * params.tenants), Math.floor(Math.random() * params.appsPerTenant)];
let edits = 0;
const kinds: Array<{ name: string; share: number; op: () => Promise<void> }> = [
  {
    name: 'get',
    share: 1,
    op: () => {
      const [t, a] = pick() as [number, number];
      return call('GET', `${base(t)}/${applicationName(t, a)}`);
    },
  },
  {
    name: 'replace',
    share: 1,
    op: () => {
      const [t, a] = pick() as [number, number];
      return call('PUT', `${base(t)}/${applicationName(t, a)}`, applicationDoc(t, a, `edit-${++edits}`));
    },
  },
  {
    name: 'list',
    share: 0.2,
    op: () => call('GET', `${base(Math.floor(Math.random() * params.tenants))}?limit=100`),
  },
];

const figures: Figure[] = [];
try {
  await call(
    'POST',
    '/api/v1/apply',
    Array.from({ length: params.tenants }, (_, t) => tenantDoc(t)),
  );
  const docs: unknown[] = [];
  for (let t = 0; t < params.tenants; t++)
    for (let a = 0; a < params.appsPerTenant; a++) docs.push(applicationDoc(t, a));
  for (let i = 0; i < docs.length; i += 200) await call('POST', '/api/v1/apply', docs.slice(i, i + 200));
  const settled = await settleDelivery(polis, params.settleLimitSec);
  if (!settled.settled) throw new Error(`delivery did not settle within ${params.settleLimitSec} s`);
  console.log(
    `delivery settled ${settled.sec.toFixed(1)} s after seeding (${settled.state.reconciles} reconciles, server CPU ${settled.cpuSec.toFixed(1)} s)`,
  );
  const idleCpu0 = processCpuSeconds(polis.pid);
  const idleT0 = performance.now();
  await sleep(5000);
  const idleRate = (processCpuSeconds(polis.pid) - idleCpu0) / ((performance.now() - idleT0) / 1000);
  console.log(`server idle once settled: ${round(100 * idleRate, 1)}% of a core`);
  for (const k of kinds) {
    const n = Math.round(params.requests * k.share);
    const cpu0 = processCpuSeconds(polis.pid);
    const t0 = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: params.connections }, async () => {
        while (sent < n) {
          sent++;
          await k.op();
        }
      }),
    );
    const sec = (performance.now() - t0) / 1000;
    const cpuMs = (1000 * (processCpuSeconds(polis.pid) - cpu0 - idleRate * sec)) / n;
    figures.push(
      figure({
        metric: `cpu_per_${k.name}${backend === 'postgres' ? '_postgres' : ''}`,
        value: round(cpuMs, 3),
        unit: 'ms',
        baseline: `${n} requests in ${round(sec)} s (${Math.round(n / sec)}/s), ${params.connections} connections; idle ${round(100 * idleRate, 1)}% of a core subtracted`,
      }),
    );
  }
} finally {
  await polis.stop();
  rmSync(dataDir, { recursive: true, force: true });
  pg?.stop();
}

printFigures(`api-op-cpu (${params.tenants * params.appsPerTenant} Applications, ${backend})`, figures);
const file = await writeResult(
  {
    benchmark: 'api-op-cpu',
    command: backend === 'postgres' ? 'BENCH_BACKEND=postgres npm run bench:api-cpu' : 'npm run bench:api-cpu',
    figures,
    parameters: params,
    notes: [
      `load average at the end (1, 5, 15 min): ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')}`,
    ],
  },
  backend === 'postgres' ? 'postgres' : undefined,
);
console.log(`wrote ${file}`);
