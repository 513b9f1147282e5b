import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../../../test/setup/backends.ts';
import { ManualClock } from '../../kernel/clock.ts';
import type { Store } from '../../resources/store.ts';
import type { SeriesScope } from './history-backend.ts';
import { HistoryWriter } from './history-writer.ts';
import type { Sample } from './signals.ts';
import { StoreHistory } from './store-history.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ALL: SeriesScope = { tenants: 'all', platform: true };
const RPS = 'polis_component_requests_per_second';

function rps(tenant: string, app: string, value: number): Sample {
  return {
    labels: { __name__: RPS, tenant, app, namespace: `${tenant}-${app}`, component: 'web' },
    value,
  };
}

/** The load at `t`: a daily cycle, so each tier's averages can be checked against it. */
const load = (t: number) => 100 + 50 * Math.sin((2 * Math.PI * (t - T0)) / DAY);

forEachBackend('metric history in the store', (backend) => {
  let store: Store;
  let clock: ManualClock;
  beforeEach(async () => {
    store = await backend.open();
    clock = new ManualClock(new Date(T0));
  });
  afterEach(async () => {
    await store.close();
  });

  /** Samples every 15 s for `ms`, flushing every `flushMs` (the sampler: each minute) and pruning each hour. */
  async function fill(
    writer: HistoryWriter,
    ms: number,
    samples: (t: number) => Sample[],
    flushMs = MINUTE,
  ): Promise<void> {
    const end = clock.now().getTime() + ms;
    for (let t = clock.now().getTime(); t < end; t += 15_000) {
      clock.set(new Date(t));
      writer.append(samples(t), t);
      if (t % flushMs === 0) await writer.flush();
      if (t % HOUR === 0) await writer.prune(t);
    }
    clock.set(new Date(end));
    await writer.flush();
  }

  it('answers the last hour at 15 s, a week at 1 min and a month at 1 h, each within the resolution', async () => {
    const writer = new HistoryWriter(store.metricHistory);
    // 9 days of one series, written and read through the store (a new reader: nothing from the writer's memory).
    await fill(writer, 9 * DAY, (t) => [rps('edu', 'portal', load(t))], 6 * HOUR);
    const now = clock.now().getTime();
    const reader = new StoreHistory({ store: store.metricHistory, clock });
    const m = [{ label: '__name__', op: '=' as const, value: RPS }];

    const hour = await reader.range(m, ALL, now - HOUR, now - 15_000, 15_000);
    expect(hour.resolutionMs).toBe(15_000);
    expect(hour.series[0]!.values).toHaveLength(240);
    hour.series[0]!.values.forEach((v, i) => expect(v).toBeCloseTo(load(now - HOUR + i * 15_000), 2));

    const fine = await reader.range(m, ALL, now - 7 * DAY, now - 2 * MINUTE, MINUTE);
    expect(fine.resolutionMs).toBe(MINUTE);
    // At g, the minute before g: the mean of samples at g − 60, −45, −30, −15 s, a slow cycle's value at g − 37.5 s.
    fine.series[0]!.values.forEach((v, i) => {
      const g = now - 7 * DAY + i * MINUTE;
      expect(Math.abs(v - load(g - 37_500))).toBeLessThan(0.01);
    });

    // Past 7 days only the hourly tier answers; its points are hourly averages.
    const month = await reader.range(m, ALL, now - 8 * DAY, now - HOUR, HOUR);
    expect(month.resolutionMs).toBe(HOUR);
    const finite = month.series[0]!.values.filter(Number.isFinite);
    expect(finite.length).toBeGreaterThan(8 * 24 - 30);
  }, 120_000);

  it('keeps each tier only for its retention, and the raw points only 6 hours', async () => {
    const writer = new HistoryWriter(store.metricHistory);
    await fill(writer, 8 * DAY, (t) => [rps('edu', 'portal', load(t))], 6 * HOUR);
    const now = clock.now().getTime();
    await writer.prune(now);
    const stats = await store.metricHistory.historyStats();
    // Raw: the 6-hour retention in 1-hour chunks (the current one and up to 7 before it); minutes: 7 days in
    // 6-hour chunks (29 or so); hours: one or two 10-day chunks.
    expect(stats.series).toBe(1);
    expect(stats.chunks).toBeLessThanOrEqual(8 + 30 + 2);
    const reader = new StoreHistory({ store: store.metricHistory, clock });
    const m = [{ label: '__name__', op: '=' as const, value: RPS }];
    const old = await reader.range(m, ALL, now - 8 * DAY, now - 7 * DAY - 2 * HOUR, 15_000 * 4);
    // Too old for the minute tier: the hourly tier answers (tierFor), so the range still has values.
    expect(old.resolutionMs).toBe(HOUR);
    expect(old.series[0]!.values.some(Number.isFinite)).toBe(true);
  }, 120_000);

  it('keeps the points written before a restart in the chunk a new writer continues', async () => {
    const first = new HistoryWriter(store.metricHistory);
    await fill(first, 10 * MINUTE, (t) => [rps('edu', 'portal', load(t))]);
    const second = new HistoryWriter(store.metricHistory);
    await fill(second, 10 * MINUTE, (t) => [rps('edu', 'portal', load(t))]);
    const now = clock.now().getTime();
    const reader = new StoreHistory({ store: store.metricHistory, clock });
    const r = await reader.range(
      [{ label: '__name__', op: '=', value: RPS }],
      ALL,
      now - 20 * MINUTE,
      now - 15_000,
      15_000,
    );
    expect(r.series[0]!.values.filter(Number.isFinite)).toHaveLength(80);
  });

  it('lets a department read only its own series', async () => {
    const writer = new HistoryWriter(store.metricHistory);
    await fill(writer, 5 * MINUTE, (t) => [
      rps('edu', 'portal', 10),
      rps('tax', 'filing', 20),
      { labels: { __name__: 'polis_cluster_pods', cluster: 'gov-a' }, value: load(t) },
    ]);
    const reader = new StoreHistory({ store: store.metricHistory, clock });
    const now = clock.now().getTime();
    const everything = [{ label: '__name__', op: '=~' as const, value: 'polis_.*' }];
    const edu = await reader.select(everything, { tenants: ['edu'], platform: false }, now - HOUR);
    expect(edu.map((l) => l.tenant)).toEqual(['edu']);
    const none = await reader.select(everything, { tenants: [], platform: false }, now - HOUR);
    expect(none).toEqual([]);
    const all = await reader.select(everything, ALL, now - HOUR);
    expect(all).toHaveLength(3);
  });

  it('refuses new series past its bound and counts them', async () => {
    const writer = new HistoryWriter(store.metricHistory, { maxSeries: 2 });
    writer.append([rps('edu', 'a', 1), rps('edu', 'b', 1), rps('edu', 'c', 1)], T0);
    await writer.flush();
    expect(writer.seriesCount).toBe(2);
    expect(writer.droppedSeries).toBe(1);
    expect((await store.metricHistory.historyStats()).series).toBe(2);
  });
});
