/**
 * watch-fanout: 100 SSE watchers on one department's Applications; about 200 changes (PUT and PATCH one at a time
 * with a small gap, then a burst sent all at once). For every (change, watcher) pair: the time from just before the
 * write is sent to that watcher's receipt of the event with the write's resourceVersion.
 *
 * Goal: p99 <= 50 ms, and every watcher gets every event. Baseline in the same run: the writes' own response times.
 *
 * Environment: BENCH_WATCHERS (100), BENCH_SEQUENTIAL (150), BENCH_BURST (50), BENCH_GAP_MS (20), BENCH_PROFILE=1,
 * BENCH_TIMELINES=<file> (each change's milestones, for a closer look).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChangePhaseMark } from '../src/kernel/change-trace.ts';
import { spawnPolis } from '../test/support/child-polis.ts';
import type { ChildPolis } from '../test/support/child-polis.ts';
import { ChangeMarks, MILESTONES, MILESTONE_MEANING, type Milestone } from './support/change-phases.ts';
import { formatProfile, summarizeProfile } from './support/cpu-profile.ts';
import { processCpuMs } from './support/process-cpu.ts';
import { applicationDoc, tenantDoc, tenantName } from './support/oam-fixtures.ts';
import type { Figure } from './support/results.ts';
import { RESULTS_DIR, envInt, figure, percentile, printFigures, round, writeResult } from './support/results.ts';
import { WatchReceivers, epochNow, parseStream, type ParsedStream } from './support/watch-receivers.ts';

const params = {
  watchers: envInt('BENCH_WATCHERS', 100),
  sequential: envInt('BENCH_SEQUENTIAL', 150),
  burst: envInt('BENCH_BURST', 50),
  gapMs: envInt('BENCH_GAP_MS', 20),
  apps: 5,
  profile: process.env.BENCH_PROFILE === '1',
};
/** A run with other sizes writes watch-fanout.custom.json, never over the full run's figures. */
const custom = ['BENCH_WATCHERS', 'BENCH_SEQUENTIAL', 'BENCH_BURST', 'BENCH_GAP_MS'].some(
  (k) => (process.env[k] ?? '') !== '',
);
const TENANT = 0;
const COLLECTION = `/apis/core.oam.dev/v1beta1/tenants/${tenantName(TENANT)}/applications`;

interface Change {
  readonly phase: 'sequential' | 'burst';
  /** The x-request-id of its write, which the server's marks carry. */
  readonly request: string;
  /** Epoch milliseconds (epochNow), like the receipts and the server's marks. */
  readonly sentAt: number;
  rv?: number;
  respondedAt?: number;
}

/**
 * The writes go through node:http with a keep-alive agent, not fetch: fetch's own work in this process (undici's
 * streams, per request) delayed a burst of 50 by tens of milliseconds before the first byte left, and all of that
 * counted as delivery latency (docs/benchmarks.md, watch-fanout).
 */
const writer = new Agent({ keepAlive: true, maxSockets: 256 });

function call(
  polis: ChildPolis,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
  requestId?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${polis.url}${path}`,
      {
        method,
        agent: writer,
        headers: {
          authorization: `Bearer ${polis.adminToken}`,
          ...(requestId !== undefined ? { 'x-request-id': requestId } : {}),
          ...(payload !== undefined
            ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(new Error(`${method} ${path}: ${status} ${text.slice(0, 500)}`));
          else resolve({ status, body: JSON.parse(text) as Record<string, unknown> });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Server-side counters from /metrics: what the changes cost the server, less sensitive to a busy machine. */
interface ServerCounters {
  readonly transactions: number;
  readonly commits: number;
  /** The server's CPU time so far (user + system, every thread, from /proc), ms. */
  readonly cpuMs: number;
  /** Of it, what answering these probes took (/metrics lists objects for its gauges): left out of the figure. */
  readonly probeCpuMs: number;
  readonly reconciles: number;
  /** CPU the change feed spent passing the changes to subscribers, watch streams' encoding and writes included. */
  readonly feedCpuSeconds: number;
}

let probeCpuMs = 0;

async function serverCounters(polis: ChildPolis): Promise<ServerCounters> {
  const before = processCpuMs(polis.pid);
  const res = await fetch(`${polis.url}/metrics`, { headers: { authorization: `Bearer ${polis.adminToken}` } });
  const text = await res.text();
  const cpuMs = processCpuMs(polis.pid);
  probeCpuMs += cpuMs - before;
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    transactions: value('polis_store_committed_transactions_total'),
    commits: value('polis_store_commits_total'),
    cpuMs,
    probeCpuMs,
    reconciles: value('polis_delivery_reconciles_total'),
    feedCpuSeconds: value('polis_change_feed_delivery_cpu_seconds_total'),
  };
}

/** Counters once the server has finished what the changes set off (controllers included): two reads alike. */
async function settledCounters(polis: ChildPolis): Promise<ServerCounters> {
  let last = await serverCounters(polis);
  for (let i = 0; i < 40; i++) {
    await sleep(300);
    const next = await serverCounters(polis);
    if (next.transactions === last.transactions && next.reconciles === last.reconciles) return next;
    last = next;
  }
  return last;
}

/** Change number i: PUT (whole document, new annotation) on even i, merge PATCH of the annotation on odd i. */
async function change(polis: ChildPolis, i: number, phase: Change['phase']): Promise<Change> {
  const a = i % params.apps;
  const name = `app-000-${String(a).padStart(3, '0')}`;
  const note = `${phase}-${i}`;
  const c: Change = { phase, request: `watch-fanout-${i}`, sentAt: epochNow() };
  const res =
    i % 2 === 0
      ? await call(polis, 'PUT', `${COLLECTION}/${name}`, applicationDoc(TENANT, a, note), undefined, c.request)
      : await call(
          polis,
          'PATCH',
          `${COLLECTION}/${name}`,
          { metadata: { annotations: { 'bench.polis.io/note': note } } },
          'application/merge-patch+json',
          c.request,
        );
  c.respondedAt = epochNow();
  c.rv = Number((res.body.metadata as { resourceVersion: string }).resourceVersion);
  return c;
}

/** Waits (a minute at most) until every seeded application is Running. */
async function seedRunning(polis: ChildPolis): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const { body } = await call(polis, 'GET', COLLECTION);
    const items = body.items as { status?: { phase?: string } }[];
    if (items.length >= params.apps && items.every((a) => a.status?.phase === 'Running')) return;
    await sleep(500);
  }
  console.warn('the seeded applications did not all reach Running within a minute; measuring anyway');
}

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > until) return false;
    await sleep(20);
  }
  return true;
}

const dataDir = mkdtempSync(join(tmpdir(), 'polis-bench-watch-'));
const profileFile = params.profile ? join(dataDir, 'server.cpuprofile') : undefined;
const traceFile = join(dataDir, 'change-trace.json');
const polis = await spawnPolis({
  dataDir,
  env: {
    POLIS_LOG_LEVEL: 'warn',
    POLIS_TRACE_FILE: traceFile,
    ...(profileFile ? { POLIS_CPU_PROFILE: profileFile } : {}),
  },
});
let receivers: WatchReceivers | undefined;
let streams: ParsedStream[] = [];
let marks: ChangePhaseMark[] = [];
const changes: Change[] = [];
let profileText: string | undefined;
let countersBefore: ServerCounters | undefined;
let countersAfter: ServerCounters | undefined;
const burstTiming = { issueMs: NaN, cpuMs: NaN };
const load = loadavg()[0]!;
try {
  await call(polis, 'POST', '/api/v1/apply', [
    tenantDoc(TENANT),
    ...Array.from({ length: params.apps }, (_, a) => applicationDoc(TENANT, a)),
  ]);
  // Delivery rolls the seeded applications out first (placement, then their status from Progressing to Running):
  // measured before that settles, the changes would share the server with that work and the watchers would get its
  // status events among theirs (bench/writes waits alike).
  await seedRunning(polis);
  const list = await call(polis, 'GET', `${COLLECTION}?limit=1`);
  const fromRv = (list.body.metadata as { resourceVersion: string }).resourceVersion;
  const url = new URL(polis.url);
  receivers = await WatchReceivers.open({
    host: url.hostname,
    port: Number(url.port),
    path: `${COLLECTION}?watch=true&resourceVersion=${fromRv}&allowWatchBookmarks=false`,
    token: polis.adminToken,
    streams: params.watchers,
  });

  // A primer write, unmeasured: once every watcher has it, every subscription is live.
  const primer = await change(polis, 0, 'sequential');
  if (!(await waitFor(() => receivers!.seen(primer.rv!), 10_000)))
    throw new Error('not every watcher received the primer event');
  console.log(
    `${params.watchers} watchers live (pid ${polis.pid}); ${params.sequential} changes ${params.gapMs} ms apart, then a burst of ${params.burst}`,
  );
  // The burst's writers hold open connections, as API clients with keep-alive do: without them the 50 writes queued
  // behind connection set-up in this process and the server (accepting 49 sockets), and some went out one after
  // another on a reused socket, each behind the previous answer.
  await Promise.all(Array.from({ length: params.burst }, () => call(polis, 'GET', '/healthz')));
  if (profileFile) polis.process.kill('SIGUSR2');
  await sleep(200);
  countersBefore = await settledCounters(polis);

  for (let i = 1; i <= params.sequential; i++) {
    changes.push(await change(polis, i, 'sequential'));
    await sleep(params.gapMs);
  }
  await sleep(200);
  const burstCpuBefore = processCpuMs(polis.pid);
  const burstStart = epochNow();
  const burst = Array.from({ length: params.burst }, (_, j) => change(polis, params.sequential + 1 + j, 'burst'));
  // The benchmark's own work of sending the burst (each request's synchronous part) until the last was on its way.
  burstTiming.issueMs = epochNow() - burstStart;
  changes.push(...(await Promise.all(burst)));

  const lastRv = Math.max(...changes.map((c) => c.rv!));
  const complete = await waitFor(() => receivers!.seen(lastRv), 15_000);
  if (!complete) console.warn('not every watcher received the last change within 15 s');
  // What the burst cost the server: its 50 writes, their answers and their events to every watcher.
  burstTiming.cpuMs = processCpuMs(polis.pid) - burstCpuBefore;
  countersAfter = await settledCounters(polis);
  if (profileFile) {
    polis.process.kill('SIGUSR2');
    await waitFor(
      () =>
        existsSync(profileFile) &&
        (() => {
          try {
            JSON.parse(readFileSync(profileFile, 'utf8'));
            return true;
          } catch {
            return false;
          }
        })(),
      30_000,
    );
    const kept = join(tmpdir(), 'polis-watch-fanout.cpuprofile');
    copyFileSync(profileFile, kept);
    console.log(`raw profile kept at ${kept}`);
    const summary = summarizeProfile(profileFile, 20);
    profileText = formatProfile(summary);
    writeFileSync(join(RESULTS_DIR, 'watch-fanout.profile.json'), `${JSON.stringify(summary, null, 2)}\n`);
    console.log(`server CPU profile during the changes:\n${profileText}`);
  }
} finally {
  // Parsed only now, off the clock.
  streams = ((await receivers?.collect()) ?? []).map(parseStream);
  writer.destroy();
  await polis.stop();
  if (existsSync(traceFile)) marks = JSON.parse(readFileSync(traceFile, 'utf8')) as ChangePhaseMark[];
  rmSync(dataDir, { recursive: true, force: true });
}

const delivery = { all: [] as number[], sequential: [] as number[], burst: [] as number[] };
/** Receipt after the write's own response (negative: the event beat the response), and after the first watcher's. */
const afterAck: number[] = [];
const spread: number[] = [];
// A stream that never opened missed every change.
let missed = (params.watchers - streams.length) * changes.length;
for (const c of changes) {
  const times: number[] = [];
  for (const w of streams) {
    const t = w.received.get(c.rv!);
    if (t === undefined) {
      missed++;
      continue;
    }
    times.push(t);
    delivery.all.push(t - c.sentAt);
    delivery[c.phase].push(t - c.sentAt);
    afterAck.push(t - c.respondedAt!);
  }
  const first = Math.min(...times);
  for (const t of times) spread.push(t - first);
}
const disorder = streams.reduce((n, w) => n + w.disorder, 0);
const writeLatency = changes.map((c) => c.respondedAt! - c.sentAt);
const seqWrites = changes.filter((c) => c.phase === 'sequential').map((c) => c.respondedAt! - c.sentAt);
const burstWrites = changes.filter((c) => c.phase === 'burst').map((c) => c.respondedAt! - c.sentAt);
const p = (xs: number[], q: number) => round(percentile(xs, q), 2);
const writeP99 = p(writeLatency, 99);

// Where each change's time went: its milestones, from the server's marks and the watchers' receipts.
const changeMarks = new ChangeMarks(marks);
const timelines = changes.map((c) => ({
  phase: c.phase,
  at: changeMarks.milestones({
    request: c.request,
    revision: c.rv!,
    sentAt: c.sentAt,
    respondedAt: c.respondedAt!,
    receipts: streams.flatMap((w) => w.received.get(c.rv!) ?? []),
  }),
}));
if (process.env.BENCH_TIMELINES) writeFileSync(process.env.BENCH_TIMELINES, JSON.stringify(timelines, null, 1));
const milestone = (m: Milestone, phase: Change['phase']) =>
  timelines.filter((t) => t.phase === phase).flatMap((t) => t.at[m] ?? []);
const phaseFigures: Figure[] =
  marks.length === 0
    ? []
    : MILESTONES.map((m) =>
        figure({
          metric: `burst_${m.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_p99`,
          value: p(milestone(m, 'burst'), 99),
          unit: 'ms',
          baseline: `after the write was sent, until ${MILESTONE_MEANING[m]}; burst p50 ${p(milestone(m, 'burst'), 50)} ms; changes ${params.gapMs} ms apart p50 ${p(milestone(m, 'sequential'), 50)}, p99 ${p(milestone(m, 'sequential'), 99)} ms`,
        }),
      );
const socketWrites = changes.map((c) => changeMarks.writes.get(c.rv!) ?? 0);
/** Socket writes of change events per watch stream over the whole run (each is a system call). */
const writesPerStream = round(marks.filter((m) => m.phase === 'written').length / params.watchers, 1);

const figures: Figure[] = [
  figure({
    metric: 'delivery_latency_p99',
    value: p(delivery.all, 99),
    unit: 'ms',
    goal: '<= 50',
    baseline: `write response p99 ${writeP99} ms in the same run; ${delivery.all.length} (change, watcher) pairs`,
  }),
  figure({
    metric: 'delivery_latency_p50',
    value: p(delivery.all, 50),
    unit: 'ms',
    baseline: `write response p50 ${p(writeLatency, 50)} ms`,
  }),
  figure({ metric: 'delivery_latency_max', value: round(Math.max(...delivery.all), 1), unit: 'ms' }),
  figure({
    metric: 'delivery_latency_p99_sequential',
    value: p(delivery.sequential, 99),
    unit: 'ms',
    baseline: `write response p99 ${p(seqWrites, 99)} ms (${seqWrites.length} writes ${params.gapMs} ms apart)`,
  }),
  figure({
    metric: 'delivery_latency_p99_burst',
    value: p(delivery.burst, 99),
    unit: 'ms',
    baseline: `write response p99 ${p(burstWrites, 99)} ms (${burstWrites.length} writes sent at once)`,
  }),
  figure({
    metric: 'delivery_after_write_response_p99',
    value: p(afterAck, 99),
    unit: 'ms',
    baseline: `p50 ${p(afterAck, 50)} ms: what the watch path adds once the write is acknowledged`,
  }),
  figure({
    metric: 'delivery_spread_p99',
    value: p(spread, 99),
    unit: 'ms',
    baseline: 'from the first watcher to receive a change to each of the others',
  }),
  figure({
    metric: 'delivery_p99_over_write_p99',
    value: round(percentile(delivery.all, 99) / percentile(writeLatency, 99), 2),
    unit: 'ratio',
    baseline: 'delivery to the slowest watchers against the write itself',
  }),
  figure({
    metric: 'events_missed',
    value: missed,
    unit: 'events',
    goal: '<= 0',
    baseline: `${changes.length} changes x ${streams.length} watchers = ${changes.length * streams.length} expected`,
  }),
  figure({
    metric: 'events_out_of_order',
    value: disorder,
    unit: 'events',
    goal: '<= 0',
    baseline: 'duplicate, out-of-order, or id not the object resourceVersion',
  }),
  ...(countersBefore && countersAfter
    ? (() => {
        const d = (k: keyof ServerCounters) => countersAfter![k] - countersBefore![k];
        return [
          figure({
            metric: 'store_transactions_per_change',
            value: round(d('transactions') / changes.length, 2),
            unit: 'transactions',
            baseline: `${d('transactions')} transactions in ${d('commits')} commits for ${changes.length} changes, controllers' writes and checks included (${d('reconciles')} reconciles)`,
          }),
          figure({
            metric: 'feed_delivery_cpu_per_change',
            value: round((d('feedCpuSeconds') * 1e6) / changes.length, 1),
            unit: 'µs',
            baseline: `the server's main-thread CPU passing each change to its subscribers (controllers, indexes, ${params.watchers} watch streams encoding and writing it), from polis_change_feed_delivery_cpu_seconds_total; a CPU time, not distorted by a busy machine`,
          }),
          figure({
            metric: 'server_cpu_per_change',
            value: round((d('cpuMs') - d('probeCpuMs')) / changes.length, 2),
            unit: 'ms',
            baseline: `server process CPU (user + system, /proc) over the changes and what they set off, ${params.watchers} watchers; the benchmark's own /metrics reads (${d('probeCpuMs')} ms) left out`,
          }),
        ];
      })()
    : []),
  figure({
    metric: 'burst_server_cpu_per_change',
    value: round(burstTiming.cpuMs / params.burst, 2),
    unit: 'ms',
    baseline: `server process CPU (user + system, /proc, 10 ms ticks) from just before the burst until every watcher had its last change: ${burstTiming.cpuMs} ms for ${params.burst} writes sent at once`,
  }),
  ...phaseFigures,
  figure({
    metric: 'write_latency_p99',
    value: writeP99,
    unit: 'ms',
    baseline: 'PUT/PATCH response time, the baseline',
  }),
];
const notes: string[] = [
  `load average (1 min) at the start: ${load.toFixed(2)} on ${availableParallelism()} cores`,
  `the benchmark's own calls took ${round(burstTiming.issueMs, 1)} ms to send the burst's ${params.burst} writes (the last write's delivery includes them)`,
];
if (marks.length > 0)
  notes.push(
    `burst_* figures: milestones of each burst change from the server's change-phase marks (POLIS_TRACE_FILE); socket writes per change ${Math.min(...socketWrites)}-${Math.max(...socketWrites)} (one per watch stream); ${writesPerStream} socket writes of events per stream`,
  );
for (const f of figures)
  if (f.met === false) notes.push(`goal missed: ${f.metric} = ${f.value} ${f.unit}, goal ${f.goal}`);
if (profileText)
  notes.push(
    'BENCH_PROFILE=1: the server was CPU-profiled during the changes; see bench/results/watch-fanout.profile.json',
  );
printFigures(`watch-fanout (${params.watchers} watchers, ${changes.length} changes)`, figures);
for (const n of notes) console.log(`NOTE: ${n}`);
const file = await writeResult(
  {
    benchmark: 'watch-fanout',
    command: 'npm run bench:watch',
    figures,
    parameters: { ...params, backend: 'sqlite', changes: changes.length, loadAverage: round(load, 2) },
    notes,
  },
  params.profile ? 'profiled' : custom ? 'custom' : undefined,
);
console.log(`wrote ${file}`);
