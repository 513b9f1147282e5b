import { describe, expect, it } from 'vitest';
import type { WindowRow } from '../../resources/alert-state.ts';
import { AGGREGATES, RingSignalWindows } from './signal-windows.ts';
import { loadWindowRows, slotsWritten, tenantOfSeries, windowRows } from './window-rows.ts';

const M = 60_000;
const T0 = Date.parse('2026-03-01T00:00:00Z');

/** Upserts rows by (tenant, window, slot), as the store does. */
function keep(table: Map<string, WindowRow>, rows: readonly WindowRow[]): void {
  for (const r of rows) table.set(`${r.tenant}/${r.windowMs}/${r.slot}`, r);
}

describe('window rows', () => {
  it('names the slots written since the last checkpoint, or every slot the first time', () => {
    // 5-minute window, 20 slots: 15-second buckets; a minute later, the 5 buckets from the last one on.
    expect([...slotsWritten(5 * M, 20, T0, T0 + M)].sort((a, b) => a - b)).toHaveLength(5);
    expect(slotsWritten(5 * M, 20, -Infinity, T0).size).toBe(20);
    expect(slotsWritten(5 * M, 20, T0, T0 + 10 * M).size).toBe(20);
    // A 3-day window's buckets are 3.6 hours: one slot (two across a bucket's end).
    expect(slotsWritten(72 * 60 * M, 20, T0, T0 + M).size).toBeLessThanOrEqual(2);
  });

  it('files each series under its department, the clusters’ under the platform', () => {
    expect(tenantOfSeries('errorsPerSecond{app="portal",component="web",tenant="edu"}')).toBe('edu');
    expect(tenantOfSeries('nodesNotReady{cluster="gov-east"}')).toBe('');
  });

  it('restores every aggregate from checkpoints that wrote only the slots written since the last', () => {
    const live = new RingSignalWindows();
    for (const w of [2 * M, 60 * M]) {
      live.want('errorsPerSecond', w);
      live.want('nodesNotReady', w);
    }
    const keys = ['errorsPerSecond{app="portal",component="web",tenant="edu"}', 'nodesNotReady{cluster="gov-east"}'];
    const table = new Map<string, WindowRow>();
    let saved = -Infinity;
    let now = T0;
    for (let i = 0; i < 300; i++, now += 15_000) {
      keys.forEach((k, j) => live.record(k, now, Math.sin(i / 7 + j) * 10 + (i % 11)));
      if (i % 4 === 3) {
        keep(table, windowRows(live, saved, now));
        saved = now;
      }
    }
    now -= 15_000;
    const restored = new RingSignalWindows();
    expect(loadWindowRows(restored, [...table.values()])).toBeGreaterThan(0);
    for (const k of keys)
      for (const w of [2 * M, 60 * M])
        for (const agg of AGGREGATES.filter((a) => a !== 'last'))
          expect([k, w, agg, restored.aggregate(k, w, agg, now)]).toEqual([k, w, agg, live.aggregate(k, w, agg, now)]);
    // Rows of another format or bucket count are left unread.
    expect(loadWindowRows(new RingSignalWindows({ slots: 10 }), [...table.values()])).toBe(0);
  });
});
