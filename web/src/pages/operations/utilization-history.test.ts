import { describe, expect, it } from 'vitest';
import type { UtilizationHistory } from './operations-api.ts';
import { historyChart } from './utilization-model.ts';

const GIB = 2 ** 30;
const h: UtilizationHistory = {
  range: '24h',
  step: 'hour',
  intervals: ['2026-12-06T08', '2026-12-06T09'],
  departments: [
    {
      tenant: 'edu',
      requested: { cpu: [2, 4], memory: [GIB, 2 * GIB] },
      used: { cpu: [1, null], memory: [GIB / 2, null] },
      capacity: { cpu: [8, 8], memory: [null, null] },
    },
  ],
  clusters: [
    {
      cluster: 'east',
      requested: { cpu: [2, 4], memory: [GIB, 2 * GIB] },
      used: { cpu: [1, null], memory: [GIB / 2, null] },
      capacity: { cpu: [16, 16], memory: [64 * GIB, 64 * GIB] },
    },
    {
      cluster: 'west',
      requested: { cpu: [1, 1], memory: [GIB, GIB] },
      used: { cpu: [0.5, null], memory: [GIB, null] },
      capacity: { cpu: [8, 8], memory: [32 * GIB, 32 * GIB] },
    },
  ],
};

describe('the utilization over time charts', () => {
  it("draws a department's requested, used and quota, labelled in the city's hours", () => {
    expect(historyChart(h, 'cpu', 'edu')).toEqual({
      labels: ['12-06 08:00', '12-06 09:00'],
      requested: [2, 4],
      used: [1, null],
      capacity: [8, 8],
    });
    // No memory quota: an empty capacity line; memory in GiB.
    expect(historyChart(h, 'memory', 'edu')).toEqual({
      labels: ['12-06 08:00', '12-06 09:00'],
      requested: [1, 2],
      used: [0.5, null],
      capacity: [null, null],
    });
  });

  it('sums the clusters for the city, and has no capacity line where a cluster has none', () => {
    expect(historyChart(h, 'cpu')).toEqual({
      labels: ['12-06 08:00', '12-06 09:00'],
      requested: [3, 5],
      used: [1.5, null],
      capacity: [24, 24],
    });
    const ownShare = { ...h, clusters: h.clusters.map(({ capacity: _, ...c }) => c) };
    expect(historyChart(ownShare, 'cpu').capacity).toBeUndefined();
    expect(historyChart({ ...h, step: 'day', intervals: ['2026-12-05', '2026-12-06'] }, 'cpu').labels).toEqual([
      '2026-12-05',
      '2026-12-06',
    ]);
  });
});
