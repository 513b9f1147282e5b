import { describe, expect, it } from 'vitest';
import { InputError } from '../../kernel/errors.ts';
import type { CapacityRow, MeterTotalRow } from '../../resources/ledger-store.ts';
import { intervalsOf, parseUtilizationRange, utilizationHistory } from './utilization-series.ts';

function refused(range: string | undefined, step: string | undefined): { status: number; path: string } {
  try {
    parseUtilizationRange(range, step);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { status: e.status, path: e.causes[0]!.path };
  }
  throw new Error('accepted');
}

const total = (start: string, tenant: string, cluster: string, cpu: number, used: number): MeterTotalRow => ({
  period: 'hour',
  start,
  tenant,
  cluster,
  replicaMinutes: 60,
  cpuRequest: cpu * 60,
  cpuUsage: used * 60,
  memRequest: 1024 * 60,
  memUsage: 512 * 60,
});
const cap = (start: string, cluster: string, minutes: number): CapacityRow => ({
  period: 'hour',
  start,
  cluster,
  minutes,
  cpu: 16_000 * minutes,
  mem: 65_536 * minutes,
});

describe('utilization over time', () => {
  it('chooses the roll-up from the range and refuses a bad range or step with a 422 naming the field', () => {
    expect(parseUtilizationRange(undefined, undefined)).toEqual({ range: '24h', hours: 24, step: 'hour' });
    expect(parseUtilizationRange('7d', undefined).step).toBe('day');
    expect(parseUtilizationRange('90d', 'month')).toEqual({ range: '90d', hours: 2160, step: 'month' });
    expect(parseUtilizationRange('7d', 'hour').step).toBe('hour');
    for (const r of ['0h', '91d', '2w', '1.5h', '-1h', 'h'])
      expect(refused(r, undefined)).toEqual({ status: 422, path: 'query.range' });
    expect(refused('24h', 'minute')).toEqual({ status: 422, path: 'query.step' });
    // Hour roll-ups past their retention are gone: refused, not drawn empty.
    expect(refused('30d', 'hour')).toEqual({ status: 422, path: 'query.step' });
  });

  it('lists the local intervals a range touches, ending with the current one', () => {
    const now = Date.parse('2026-12-01T02:30:00Z'); // 10:30 in UTC+8
    expect(intervalsOf(now, 3, 'hour', 480)).toEqual([
      '2026-12-01T07',
      '2026-12-01T08',
      '2026-12-01T09',
      '2026-12-01T10',
    ]);
    expect(intervalsOf(now, 72, 'day', 480)).toEqual(['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01']);
    expect(intervalsOf(now, 90 * 24, 'month', 480)).toEqual(['2026-09', '2026-10', '2026-11', '2026-12']);
  });

  it('averages over the metered minutes, with capacity and ratios, and nulls where nothing was metered', () => {
    const intervals = ['2026-12-01T08', '2026-12-01T09', '2026-12-01T10'];
    const h = utilizationHistory({
      intervals,
      totals: [
        total('2026-12-01T08', 'edu', 'east', 2000, 1000),
        total('2026-12-01T08', 'tax', 'east', 6000, 6000),
        total('2026-12-01T09', 'edu', 'east', 2000, 500),
      ],
      capacity: [cap('2026-12-01T08', 'east', 60), cap('2026-12-01T09', 'east', 30)],
      departments: new Map([
        ['edu', { cpuMilli: 4000 }],
        ['tax', {}],
      ]),
      platform: true,
    });
    const edu = h.departments.find((d) => d.tenant === 'edu')!;
    // Hour 9 was metered for 30 minutes: 2000 millicores × 60 minutes over 30 metered is 4 cores.
    expect(edu.requested.cpu).toEqual([2, 4, null]);
    expect(edu.used.cpu).toEqual([1, 1, null]);
    expect(edu.requested.memory).toEqual([2 ** 30, 2 * 2 ** 30, null]);
    expect(edu.capacity?.cpu).toEqual([4, 4, null]);
    expect(edu.capacity?.memory).toEqual([null, null, null]);
    expect(edu.ratios.used?.cpu).toEqual([0.25, 0.25, null]);
    expect(edu.ratios.usedOfRequested.cpu).toEqual([0.5, 0.25, null]);
    expect(h.departments.find((d) => d.tenant === 'tax')!.capacity).toBeUndefined();
    const east = h.clusters[0]!;
    expect(east.cluster).toBe('east');
    expect(east.requested.cpu).toEqual([8, 4, null]);
    expect(east.capacity?.cpu).toEqual([16, 16, null]);
    expect(east.ratios.requested?.cpu).toEqual([0.5, 0.25, null]);
  });

  it("shows a department's view of a cluster with its own rows only, and no capacity", () => {
    const h = utilizationHistory({
      intervals: ['2026-12-01T08'],
      totals: [total('2026-12-01T08', 'edu', 'east', 2000, 1000)],
      capacity: [cap('2026-12-01T08', 'east', 60), cap('2026-12-01T08', 'west', 60)],
      departments: new Map([['edu', {}]]),
      platform: false,
    });
    expect(h.clusters).toEqual([
      {
        cluster: 'east',
        requested: { cpu: [2], memory: [2 ** 30] },
        used: { cpu: [1], memory: [2 ** 29] },
        ratios: { usedOfRequested: { cpu: [0.5], memory: [0.5] } },
      },
    ]);
  });
});
