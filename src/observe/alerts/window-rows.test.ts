import { describe, expect, it } from 'vitest';
import type { WindowCheckpoint, WindowRow, WindowSeries, WindowSlotRow } from '../../resources/alert-state.ts';
import { AGGREGATES, RingSignalWindows } from './signal-windows.ts';
import { extremesRead, readSlotRow, tenantOfSeries, WindowCheckpoints } from './window-rows.ts';
import { BUILTIN_RULES } from './rules.ts';
import type { CompiledRule } from './rules.ts';

const M = 60_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** The store's side, in memory: the dictionary (ids never reused) and the slot rows, replaced as saveWindows does. */
class Table {
  series: WindowSeries[] = [];
  slots = new Map<string, WindowSlotRow>();
  legacy: WindowRow[] = [];

  save(c: WindowCheckpoints, windows: RingSignalWindows, since: number, now: number): Pick<WindowCheckpoint, 'put'> {
    const drop = new Set(c.dropped(now));
    this.series = this.series.filter((s) => !drop.has(s.id));
    const unnamed = c.unnamed();
    const next = Math.max(0, ...this.series.map((s) => s.id)) + 1;
    const named = unnamed.map((s, i) => ({ ...s, id: next + i }));
    c.name(
      unnamed,
      named.map((s) => s.id),
    );
    this.series.push(...named);
    const put: WindowSlotRow[] = [];
    for (const w of windows.windowSizes()) {
      const rows = c.rows(w, since, now);
      for (const r of rows.replaced)
        for (const [k, row] of this.slots) if (row.windowMs === r.windowMs && row.slot === r.slot) this.slots.delete(k);
      for (const r of rows.put) this.slots.set(`${r.tenant}/${r.windowMs}/${r.slot}`, r);
      put.push(...rows.put);
    }
    return { put };
  }

  restore(now: number, slots = 20): RingSignalWindows {
    const restored = new RingSignalWindows({ slots });
    new WindowCheckpoints(restored).load(
      { series: this.series, slots: [...this.slots.values()], legacy: this.legacy },
      now,
    );
    return restored;
  }
}

const KEYS = ['errorsPerSecond{app="portal",component="web",tenant="edu"}', 'nodesNotReady{cluster="gov-east"}'];

function windowsFor(windowSizes: readonly number[]): RingSignalWindows {
  const live = new RingSignalWindows();
  for (const w of windowSizes) {
    live.want('errorsPerSecond', w);
    live.want('nodesNotReady', w);
  }
  return live;
}

function expectSame(live: RingSignalWindows, restored: RingSignalWindows, windowSizes: readonly number[], now: number) {
  for (const k of KEYS)
    for (const w of windowSizes)
      for (const agg of AGGREGATES.filter((a) => a !== 'last'))
        expect([k, w, agg, restored.aggregate(k, w, agg, now)]).toEqual([k, w, agg, live.aggregate(k, w, agg, now)]);
}

describe('window rows', () => {
  it('names the slots a sample was written to since the last checkpoint, or every slot the first time', () => {
    const w = windowsFor([5 * M, 72 * 60 * M]);
    for (let at = T0; at <= T0 + 2 * M; at += 15_000) w.record(KEYS[0]!, at, 1);
    // 5-minute window, 20 slots: 15-second buckets; in the minute after T0 + 1m, the four buckets from T0 + 75 s on
    // (the bucket of T0 + 1m holds only the sample taken before that checkpoint).
    expect(w.slotsWrittenSince(5 * M, T0 + M)).toEqual([5, 6, 7, 8]);
    expect(w.slotsWrittenSince(5 * M, -Infinity)).toHaveLength(20);
    expect(w.slotsWrittenSince(5 * M, T0 + 2 * M)).toEqual([]);
    // A 3-day window's buckets are 3.6 hours: one slot.
    expect(w.slotsWrittenSince(72 * 60 * M, T0 + M)).toHaveLength(1);
  });

  it('files each series under its department, the clusters’ under the platform', () => {
    expect(tenantOfSeries('errorsPerSecond{app="portal",component="web",tenant="edu"}')).toBe('edu');
    expect(tenantOfSeries('nodesNotReady{cluster="gov-east"}')).toBe('');
  });

  it('restores every aggregate from checkpoints that wrote only the slots written since the last', () => {
    const sizes = [2 * M, 60 * M];
    const live = windowsFor(sizes);
    const table = new Table();
    const c = new WindowCheckpoints(live);
    let saved = -Infinity;
    let now = T0;
    for (let i = 0; i < 300; i++, now += 15_000) {
      KEYS.forEach((k, j) => live.record(k, now, Math.sin(i / 7 + j) * 10 + (i % 11)));
      if (i % 4 === 3) {
        table.save(c, live, saved, now);
        saved = now;
      }
    }
    now -= 15_000;
    expectSame(live, table.restore(now), sizes, now);
    // Each key is stored once, in the dictionary; rows name it by id.
    expect(table.series.map((s) => [s.key, s.tenant])).toEqual([
      [KEYS[0], 'edu'],
      [KEYS[1], ''],
    ]);
    const text = new TextDecoder('latin1');
    for (const row of table.slots.values()) expect(text.decode(row.data)).not.toContain('portal');
    // Rows of another bucket count are left unread.
    expect(table.restore(now, 10).size).toBe(0);
  });

  it('stores each value as small as it goes, and reads back exactly what it wrote', () => {
    const live = new RingSignalWindows();
    live.want('v', 5 * M);
    const values = [0, -0, 1, 7, 2 ** 40, -3, 0.1, 1e-300, Number.MAX_VALUE, -2.5];
    // One series per value, created in an order that makes ids step backwards too.
    const keys = values.map((_, i) => `v{tenant="t",n="${String(values.length - i).padStart(2, '0')}"}`);
    keys.forEach((k, i) => live.record(k, T0, values[i]!));
    keys.forEach((k, i) => live.record(k, T0 + 1000, values[(i + 3) % values.length]!));
    const c = new WindowCheckpoints(live);
    const unnamed = c.unnamed();
    c.name(
      unnamed,
      unnamed.map((_, i) => [5, 900, 3, 70_000, 2, 1, 400, 8, 2 ** 31 + 1, 6][i]!),
    );
    const { put } = c.rows(5 * M, -Infinity, T0 + 1000);
    expect(put).toHaveLength(1);
    const got: number[][] = [];
    readSlotRow(put[0]!.data, 20, (id, b, sum, count, max, min) => got.push([id, b, sum, count, max, min]));
    const b = Math.floor(T0 / 15_000);
    const want = keys.map((_, i) => {
      const [x, y] = [values[i]!, values[(i + 3) % values.length]!];
      return [[5, 900, 3, 70_000, 2, 1, 400, 8, 2 ** 31 + 1, 6][i]!, b, x + y, 2, Math.max(x, y), Math.min(x, y)];
    });
    expect(got).toEqual(want);
    for (const [i, v] of got.entries()) expect(Object.is(v[2], want[i]![2])).toBe(true);
    // A one-sample bucket of a float is its one value: about 11 bytes; of zeros, 3.
    const single = new RingSignalWindows();
    single.want('v', 5 * M);
    for (let i = 0; i < 100; i++) single.record(`v{tenant="t",n="${i}"}`, T0, i % 2 === 0 ? 0 : 0.1 * i);
    const s = new WindowCheckpoints(single);
    const u = s.unnamed();
    s.name(
      u,
      u.map((_, i) => i + 1),
    );
    expect(s.rows(5 * M, -Infinity, T0).put[0]!.data.length).toBeLessThanOrEqual(8 + 50 * 3 + 50 * 11);
  });

  it('drops the series idle past every window, and skips what the store still holds of them', () => {
    const sizes = [2 * M];
    const live = windowsFor(sizes);
    const table = new Table();
    const c = new WindowCheckpoints(live);
    live.record(KEYS[0]!, T0, 5);
    live.record(KEYS[1]!, T0, 1);
    table.save(c, live, -Infinity, T0);
    expect(table.series).toHaveLength(2);
    // The cluster's series goes on, the application's stops: an hour later it is dropped, memory and dictionary.
    let now = T0;
    for (; now <= T0 + 61 * M; now += 15_000) live.record(KEYS[1]!, now, 1);
    table.save(c, live, T0, now);
    expect(live.has(KEYS[0]!)).toBe(false);
    expect(table.series.map((s) => s.key)).toEqual([KEYS[1]]);
    expect(table.restore(now).has(KEYS[0]!)).toBe(false);
    expectSame(live, table.restore(now), sizes, now);
    // A series new since takes up the dropped one's ring afresh: nothing of the old buckets shows.
    const next = 'errorsPerSecond{app="other",component="web",tenant="edu"}';
    live.record(next, now, 3);
    expect(AGGREGATES.map((a) => live.aggregate(next, 2 * M, a, now))).toEqual([3, 3, 3, 3, 3, 1]);
  });

  it('reads the rows of the format before schema step 11 (an older replica’s), a later write winning', () => {
    const b = Math.floor(T0 / 6000);
    const legacy = (at: number, sum: number): WindowRow => ({
      tenant: 'edu',
      windowMs: 2 * M,
      slot: ((b % 20) + 20) % 20,
      data: JSON.stringify({ v: 1, slots: 20, buckets: [[KEYS[0], b, sum, 1, sum, sum]] }),
      updatedAt: at,
    });
    const table = new Table();
    table.legacy = [legacy(T0, 4)];
    expect(table.restore(T0).aggregate(KEYS[0]!, 2 * M, 'sum', T0)).toBe(4);
    // A new-format row of the same slot, written later, wins; an older legacy row written after it wins over it.
    const live = windowsFor([2 * M]);
    live.record(KEYS[0]!, T0, 9);
    table.save(new WindowCheckpoints(live), live, -Infinity, T0 + 1);
    expect(table.restore(T0).aggregate(KEYS[0]!, 2 * M, 'sum', T0)).toBe(9);
    table.legacy = [legacy(T0 + 2, 6)];
    expect(table.restore(T0).aggregate(KEYS[0]!, 2 * M, 'sum', T0)).toBe(6);
    // A legacy row of another format is left unread.
    table.slots.clear();
    table.legacy = [
      { ...legacy(T0, 4), data: '{"v":9}' },
      { ...legacy(T0, 4), data: 'not json' },
    ];
    expect(table.restore(T0).size).toBe(0);
  });

  it('keeps no window as short as the checkpoint interval: its buckets are gone by the time a restart reads them', () => {
    const live = windowsFor([M, 2 * M, 5 * M]);
    live.record(KEYS[0]!, T0, 1);
    const c = new WindowCheckpoints(live);
    expect(c.windowsKept(M)).toEqual([2 * M, 5 * M]);
    expect(c.windowsKept(30_000)).toEqual([M, 2 * M, 5 * M]);
  });

  it('stores the max and min only of the windows a rule reads them of; a restore reads sums, counts and averages of all', () => {
    const sizes = [2 * M, 60 * M];
    const live = windowsFor(sizes);
    const table = new Table();
    const c = new WindowCheckpoints(live);
    // A rule reads the max of nodesNotReady over 2 minutes: only that window's extremes are stored.
    c.keepExtremes([['nodesNotReady', 2 * M]]);
    let now = T0;
    for (let i = 0; i < 40; i++, now += 15_000) KEYS.forEach((k, j) => live.record(k, now, (i % 7) + j * 0.25));
    now -= 15_000;
    table.save(c, live, -Infinity, now);
    const restored = table.restore(now);
    for (const k of KEYS)
      for (const w of sizes) {
        for (const agg of ['avg', 'sum', 'count'] as const)
          expect(restored.aggregate(k, w, agg, now)).toBe(live.aggregate(k, w, agg, now));
        const kept = k.startsWith('nodesNotReady') && w === 2 * M;
        for (const agg of ['max', 'min'] as const)
          // Not stored: read as nothing (as an empty window), never as a wrong number.
          expect(restored.aggregate(k, w, agg, now)).toBe(kept ? live.aggregate(k, w, agg, now) : undefined);
        expect(restored.bucketAverages(k, w, now)).toEqual(live.bucketAverages(k, w, now));
      }
    // Samples after the restore count for the extremes again.
    restored.record(KEYS[0]!, now + 15_000, 3);
    expect(restored.aggregate(KEYS[0]!, 60 * M, 'max', now + 15_000)).toBe(3);
    // The same buckets with every extreme: more bytes.
    const all = new Table();
    all.save(new WindowCheckpoints(live), live, -Infinity, now);
    const bytes = (t: Table) => [...t.slots.values()].reduce((n, r) => n + r.data.length, 0);
    expect(bytes(table)).toBeLessThan(bytes(all));
    // A row of the format before (2: every extreme stored) reads as it did.
    for (const r of all.slots.values()) r.data[0] = 2;
    expectSame(live, all.restore(now), sizes, now);
  });

  it('knows which windows the rules read an extreme of, and keeps every window of an expression it does not know', () => {
    const pairs = extremesRead(BUILTIN_RULES).map(([s, w]) => `${s}/${w / M}m`);
    // memory-near-limit's max over 5 minutes, the baselines' minimum over their minute (cpu-above-normal's and
    // node-cpu-above-normal's too), cpu-throttled's minimum over its minute, the burst budget's max, and
    // memory-growing's normal peak (the maxima of its 6-hour window's buckets).
    expect(new Set(pairs)).toEqual(
      new Set([
        'memoryOfLimit/5m',
        'memoryOfLimit/360m',
        'nodeCpu/1m',
        'latencyP99Ms/1m',
        'errorRatio/1m',
        'cpuUtilization/1m',
        'cpuThrottled/1m',
        'burstBudgetUsed/5m',
      ]),
    );
    const odd = { ...BUILTIN_RULES[0]!, expr: { kind: 'other', signal: 'x', windowMs: M } } as unknown as CompiledRule;
    expect(() => extremesRead([odd])).not.toThrow();
  });

  it('loads a dictionary whose ids are sparse (a store’s ids can be large)', () => {
    const live = windowsFor([2 * M]);
    live.record(KEYS[0]!, T0, 4);
    live.record(KEYS[1]!, T0, 1);
    const c = new WindowCheckpoints(live);
    const unnamed = c.unnamed();
    const ids = [2 ** 40 + 3, 7];
    c.name(unnamed, ids);
    const { put } = c.rows(2 * M, -Infinity, T0);
    const restored = new RingSignalWindows();
    const taken = new WindowCheckpoints(restored).load(
      { series: unnamed.map((s, i) => ({ ...s, id: ids[i]! })), slots: put, legacy: [] },
      T0,
    );
    expect(taken).toBe(2);
    expectSame(live, restored, [2 * M], T0);
  });
});
