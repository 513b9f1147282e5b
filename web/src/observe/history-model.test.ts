import { describe, expect, it } from 'vitest';
import { chartLines, formatSignalValue, hasData, historyOption, isRange, latestValue } from './history-model.ts';
import type { HistoryView } from './types.ts';

const view = (series: [string, (number | null)[]][], total: (number | null)[]): HistoryView => ({
  kind: 'MetricHistory',
  signal: 'polis_component_requests_per_second',
  unit: 'req/s',
  from: '2026-12-01T08:00:00Z',
  to: '2026-12-01T08:01:00Z',
  stepSeconds: 15,
  resolutionSeconds: 15,
  series: series.map(([app, vs]) => ({ labels: { app }, values: vs.map((v, i) => [1000 + i * 15, v] as const) })),
  total: total.map((v, i) => [1000 + i * 15, v] as const),
});

describe('history series shaped for a chart', () => {
  it('gives a line per series named by its group, sorted, with the total when there are several', () => {
    const lines = chartLines(
      view(
        [
          ['portal', [1, 2]],
          ['enrol', [3, null]],
        ],
        [4, 2],
      ),
      {
        groupBy: 'app',
        total: '合计',
      },
    );
    expect(lines.map((l) => l.name)).toEqual(['enrol', 'portal', '合计']);
    // Seconds become milliseconds for the time axis; a gap stays a gap, never a zero.
    expect(lines[0]!.data).toEqual([
      [1_000_000, 3],
      [1_015_000, null],
    ]);
  });

  it('draws no total for a single series, and only the total when asked (a department’s sum)', () => {
    expect(chartLines(view([['portal', [1]]], [1]), { groupBy: 'app', total: 'T' }).map((l) => l.name)).toEqual([
      'portal',
    ]);
    const sum = chartLines(
      view(
        [
          ['a', [1]],
          ['b', [2]],
        ],
        [3],
      ),
      { groupBy: 'app', totalOnly: '教育局' },
    );
    expect(sum).toEqual([{ name: '教育局', data: [[1_000_000, 3]] }]);
    expect(chartLines(view([], []), { groupBy: 'app', totalOnly: 'x' })).toEqual([]);
  });

  it('names series through a label function (a department’s display name)', () => {
    const lines = chartLines(
      { ...view([['x', [1]]], [1]), series: [{ labels: { tenant: 'edu' }, values: [[1, 1]] }] },
      { groupBy: 'tenant', label: (d) => (d === 'edu' ? '教育局' : d) },
    );
    expect(lines[0]!.name).toBe('教育局');
  });

  it('tells an empty answer from one with values, and finds the latest value of the total', () => {
    expect(hasData(undefined)).toBe(false);
    expect(hasData(view([['a', [null, null]]], [null, null]))).toBe(false);
    expect(hasData(view([['a', [null, 2]]], [null, 2]))).toBe(true);
    expect(latestValue(view([['a', [5, 7, null]]], [5, 7, null]))).toBe(7);
    expect(latestValue(view([['a', [null]]], [null]))).toBeUndefined();
  });

  it('formats values in their unit', () => {
    expect(formatSignalValue(0.0123, 'ratio', 'en')).toBe('1.2%');
    expect(formatSignalValue(1500, 'ms', 'en')).toBe('1.5 s');
    expect(formatSignalValue(38.4, 'ms', 'en')).toBe('38 ms');
    expect(formatSignalValue(3 * 1024 ** 3, 'bytes', 'en')).toBe('3 GiB');
    expect(formatSignalValue(null, 'cores', 'en')).toBe('—');
  });

  it('builds a time-axis option with one line series per line, gaps not connected', () => {
    const o = historyOption(chartLines(view([['a', [1, null]]], [1, null]), { groupBy: 'app' }), 'req/s', 'en') as {
      xAxis: { type: string };
      series: { type: string; connectNulls: boolean; name: string }[];
    };
    expect(o.xAxis.type).toBe('time');
    expect((o as unknown as { legend: { show: boolean } }).legend.show).toBe(false);
    const counts = historyOption([], 'restarts', 'en') as { yAxis: { minInterval?: number } };
    expect(counts.yAxis.minInterval).toBe(1);
    expect(o.series).toHaveLength(1);
    expect(o.series[0]).toMatchObject({ type: 'line', connectNulls: false, name: 'a' });
  });

  it('accepts only the offered ranges', () => {
    expect(['1h', '6h', '24h', '7d', '30d'].every(isRange)).toBe(true);
    expect(isRange('90d')).toBe(false);
    expect(isRange(undefined)).toBe(false);
  });
});
