/**
 * observe-history: polis's own metric history on the embedded store (SQLite), filled in virtual time.
 * 1. Store growth per 1,000 components per day after downsampling: 1,000 components (8 series each, the signals
 *    the simulated cloud gives) sampled every 15 s through the writer for two virtual days; the growth is the
 *    database file's size (and the chunk bytes) over the second day, when the 6-hour raw tier is already full and
 *    pruned, so it is what each further day adds until the 7-day and 90-day tiers reach their retention.
 * 2. A 7-day range query (one signal, one application of 3 components, ~240 steps, through the history API's
 *    service) against a same-run baseline: the same query over 1 hour.
 *
 * Signals per component follow the simulated cloud's load model: a daily cycle of requests (its own phase and size),
 * CPU from the cost per request, latency p50/p99 from utilization (ρ), errors past capacity, ready pods, restarts.
 *
 * Environment: BENCH_COMPONENTS (50, scaled to 1,000), BENCH_DAYS (2), BENCH_FLUSH_MINUTES (5: the sampler flushes each minute;
 * the bench less often to save time, the bytes written are the same), BENCH_QUERY_RUNS (30).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ManualClock } from '../src/kernel/clock.ts';
import { openSqliteStore } from '../src/resources/sqlite/sqlite-store.ts';
import { HistoryService } from '../src/observe/history/history-service.ts';
import { HistoryWriter } from '../src/observe/history/history-writer.ts';
import type { Sample } from '../src/observe/history/signals.ts';
import { StoreHistory } from '../src/observe/history/store-history.ts';
import { envInt, figure, percentile, printFigures, round, writeResult } from './support/results.ts';

const params = {
  // Series are stored independently (a row per series and chunk): the growth scales linearly, so fewer components
  // than 1,000 are filled and the figure is scaled to 1,000 (filling 1,000 takes about an hour on this machine).
  components: envInt('BENCH_COMPONENTS', 50),
  days: envInt('BENCH_DAYS', 2),
  flushMinutes: envInt('BENCH_FLUSH_MINUTES', 5),
  queryRuns: envInt('BENCH_QUERY_RUNS', 30),
};
const T0 = Date.parse('2026-11-01T00:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Component {
  readonly labels: (name: string) => Record<string, string>;
  readonly base: number;
  readonly phase: number;
  readonly capacity: number;
}

function components(n: number): Component[] {
  return Array.from({ length: n }, (_, i) => {
    const tenant = `dept-${i % 40}`;
    const app = `app-${Math.floor(i / 3)}`;
    const component = ['web', 'api', 'worker'][i % 3]!;
    const fixed = { tenant, app, namespace: `${tenant}-${app}`, component };
    return {
      labels: (name: string) => ({ __name__: name, ...fixed }),
      base: 5 + ((i * 37) % 200),
      phase: ((i * 7919) % 24) * HOUR,
      capacity: 400 + ((i * 13) % 600),
    };
  });
}

/** One component's samples at `t`, shaped as the simulated cloud's load model computes them. */
function samples(c: Component, t: number, restarts: number): Sample[] {
  const rps = c.base * (1 + 0.8 * Math.sin((2 * Math.PI * (t + c.phase)) / DAY));
  const rho = Math.min((rps * 20) / (c.capacity * 10), 0.95);
  const p50 = 50 * (1 + (rho * rho) / (1 - rho));
  const pods = 3;
  return [
    { labels: c.labels('polis_component_requests_per_second'), value: rps },
    { labels: c.labels('polis_component_error_ratio'), value: rho > 0.9 ? (rho - 0.9) * 2 : 0 },
    { labels: c.labels('polis_component_latency_p50_ms'), value: p50 },
    { labels: c.labels('polis_component_latency_p99_ms'), value: p50 * 3 * (1 + rho) },
    { labels: c.labels('polis_component_cpu_used_cores'), value: (rps * 20) / 1000 },
    { labels: c.labels('polis_component_cpu_request_utilization'), value: (rps * 20) / (pods * 500) },
    { labels: c.labels('polis_component_ready_pods'), value: pods },
    { labels: c.labels('polis_component_restarts'), value: restarts },
  ];
}

function fileBytes(path: string): number {
  // The WAL checkpointed into the main file, so its size is the store's.
  const db = new DatabaseSync(path);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const row = db
    .prepare(
      'SELECT page_count * page_size AS bytes, freelist_count * page_size AS free FROM pragma_page_count(), pragma_page_size(), pragma_freelist_count()',
    )
    .get() as { bytes: number; free: number };
  db.close();
  return row.bytes - row.free;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-history-bench-'));
  const file = join(dir, 'polis.db');
  const store = await openSqliteStore(file);
  const clock = new ManualClock(new Date(T0));
  const writer = new HistoryWriter(store.metricHistory);
  const list = components(params.components);
  const started = performance.now();
  const marks: { at: number; file: number; data: number }[] = [];
  const end = T0 + params.days * DAY;
  for (let t = T0; t < end; t += 15_000) {
    clock.set(new Date(t));
    const restarts = Math.floor((t - T0) / (6 * HOUR));
    const batch: Sample[] = [];
    for (const c of list) for (const s of samples(c, t, restarts)) batch.push(s);
    writer.append(batch, t);
    if (t % (params.flushMinutes * MINUTE) === 0) await writer.flush();
    if (t % HOUR === 0) await writer.prune(t);
    if ((t - T0) % DAY === 0 && t > T0) {
      await writer.flush();
      marks.push({ at: t, file: fileBytes(file), data: (await store.metricHistory.historyStats()).dataBytes });
      console.log(
        `day ${(t - T0) / DAY}: ${round(marks.at(-1)!.file / 2 ** 20)} MiB (${round((performance.now() - started) / 1000)} s)`,
      );
    }
  }
  clock.set(new Date(end));
  await writer.flush();
  await writer.prune(end);
  marks.push({ at: end, file: fileBytes(file), data: (await store.metricHistory.historyStats()).dataBytes });
  const fillSeconds = (performance.now() - started) / 1000;
  const last = marks.at(-1)!;
  const before = marks.at(-2) ?? { at: T0, file: 0, data: 0 };
  const scale = 1000 / params.components;
  const growthFile = ((last.file - before.file) * scale) / 2 ** 20;
  const growthData = ((last.data - before.data) * scale) / 2 ** 20;

  // One application with 7+ days of history: its 3 components' series, filled for 8 days on top.
  const app = components(3).map((c, i) => ({
    ...c,
    labels: (name: string) => ({
      ...c.labels(name),
      tenant: 'edu',
      app: 'portal',
      namespace: 'edu-portal',
      component: ['web', 'api', 'worker'][i]!,
    }),
  }));
  const appWriter = new HistoryWriter(store.metricHistory);
  const appStart = end;
  const appEnd = appStart + 8 * DAY;
  for (let t = appStart; t < appEnd; t += 15_000) {
    const batch: Sample[] = [];
    for (const c of app) for (const s of samples(c, t, 0)) batch.push(s);
    appWriter.append(batch, t);
    if (t % HOUR === 0) await appWriter.flush();
  }
  clock.set(new Date(appEnd));
  await appWriter.flush();
  const service = new HistoryService(new StoreHistory({ store: store.metricHistory, clock }), clock);
  const scope = { tenants: ['edu'], platform: false } as const;
  const m = [
    { label: 'tenant', op: '=' as const, value: 'edu' },
    { label: 'app', op: '=' as const, value: 'portal' },
  ];
  const time = async (rangeMs: number): Promise<number[]> => {
    const out: number[] = [];
    const step = Math.max(15_000, Math.ceil(rangeMs / 240 / 15_000) * 15_000);
    for (let i = 0; i < params.queryRuns + 3; i++) {
      const t0 = performance.now();
      const v = await service.view(
        'polis_component_requests_per_second',
        m,
        'component',
        scope,
        appEnd - rangeMs,
        appEnd,
        step,
      );
      if (v.series.length !== 3) throw new Error(`expected 3 series, got ${v.series.length}`);
      if (i >= 3) out.push(performance.now() - t0);
    }
    return out;
  };
  // Interleaved, so both see the same machine.
  const hour: number[] = [];
  const week: number[] = [];
  for (let r = 0; r < 3; r++) {
    hour.push(...(await time(HOUR)));
    week.push(...(await time(7 * DAY)));
  }
  const hourP50 = percentile(hour, 50);
  const weekP50 = percentile(week, 50);
  const weekP95 = percentile(week, 95);
  await store.close();
  rmSync(dir, { recursive: true, force: true });

  const figures = [
    figure({
      metric: 'store growth per 1,000 components per day (database file)',
      value: round(growthFile, 2),
      unit: 'MB',
      goal: '<= 20',
      baseline: `chunk data alone ${round(growthData, 2)} MB; ${params.components} components × 8 series filled, scaled ×${round(scale, 1)}; second day of ${params.days}`,
    }),
    figure({
      metric: '7-day range query, one application (p50)',
      value: round(weekP50, 2),
      unit: 'ms',
      goal: '<= 100',
      baseline: `1-hour query of the same application, same run: p50 ${round(hourP50, 2)} ms (×${round(weekP50 / hourP50, 1)}); 7-day p95 ${round(weekP95, 2)} ms`,
    }),
    figure({ metric: 'virtual fill time', value: round(fillSeconds, 1), unit: 's' }),
  ];
  printFigures('observe-history', figures);
  await writeResult({
    benchmark: 'observe-history',
    command: 'node bench/observe-history.ts',
    figures,
    parameters: { ...params, seriesPerComponent: 8, tiers: '15 s × 6 h, 1 min × 7 d, 1 h × 90 d', store: 'sqlite' },
  });
}

await main();
