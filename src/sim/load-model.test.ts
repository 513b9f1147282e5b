import { describe, expect, it } from 'vitest';
import { citizenPeak, constant, daily, loadCraneSeries, rateAt, series } from './load-scenarios.ts';
import { deployment, namespace, newCloud, smallCluster } from './sim-fixtures.ts';

const CRANE = '/work/shared/data/crane/series0.csv.gz';
const t = (iso: string) => new Date(iso).getTime();

function serving(replicas: Record<string, number>, opts: { cpuLimit?: string } = {}) {
  const names = Object.keys(replicas);
  const env = newCloud({ clusters: names.map((n) => smallCluster(n, 3, 8)) });
  for (const c of env.clusters) {
    c.apply(namespace('edu'));
    c.apply(deployment('web', 'edu', { replicas: replicas[c.name]!, cpu: '500m', ...opts }));
  }
  env.cloud.advance(10_000);
  return env;
}

describe('traffic split', () => {
  it('divides a component’s load across clusters in proportion to ready pods', () => {
    const { cloud } = serving({ east: 3, west: 1 });
    cloud.setScenario('edu', 'web', constant(40));
    const m = cloud.componentMetrics('edu', 'web');
    expect(m.offeredRps).toBe(40);
    expect(m.clusters.east).toMatchObject({ rps: 30, readyPods: 3, serving: true });
    expect(m.clusters.west).toMatchObject({ rps: 10, readyPods: 1 });
    expect(m.total).toMatchObject({ rps: 40, readyPods: 4, errorRate: 0 });
    expect(Object.keys(m.clusters)).toEqual(['east', 'west']);
  });

  it('offers nothing to a component without a scenario, and fails everything when no pod serves', () => {
    const { cloud, clusters } = serving({ east: 1 });
    expect(cloud.componentMetrics('edu', 'web').total.rps).toBe(0);
    cloud.setScenario('edu', 'web', constant(10));
    clusters[0]!.down();
    expect(cloud.componentMetrics('edu', 'web').total).toMatchObject({ rps: 10, errorRate: 1, readyPods: 0 });
  });
});

describe('saturation', () => {
  it('derives utilization and latency from demand over capacity', () => {
    const { cloud } = serving({ east: 2 });
    // 2 pods × 500m; 25 rps × 20 millicore-seconds = 500m of demand: ρ = 0.5.
    cloud.setScenario('edu', 'web', constant(25), { cpuMilliPerRequest: 20, baseLatencyMs: 50 });
    const m = cloud.componentMetrics('edu', 'web').clusters.east!;
    expect(m.cpuUtilization).toBeCloseTo(0.5);
    expect(m.latencyP50Ms).toBeCloseTo(75);
    expect(m.latencyP99Ms).toBeCloseTo(337.5);
    expect(m.errorRate).toBe(0);
  });

  it('latency rises with load, and past capacity the excess fails', () => {
    const { cloud } = serving({ east: 2 });
    const at = (rps: number) => {
      cloud.setScenario('edu', 'web', constant(rps));
      return cloud.componentMetrics('edu', 'web').clusters.east!;
    };
    const latencies = [10, 25, 40, 48].map((r) => at(r).latencyP50Ms);
    expect([...latencies].sort((a, b) => a - b)).toEqual(latencies);
    const over = at(100);
    expect(over.errorRate).toBeCloseTo(0.5);
    expect(over.cpuUtilization).toBeCloseTo(1);
    expect(over.latencyP50Ms).toBeCloseTo(952.5);
  });

  it('lets pods burst to their CPU limit, so utilization of requests can pass 100%', () => {
    const { cloud } = serving({ east: 2 }, { cpuLimit: '1' });
    cloud.setScenario('edu', 'web', constant(75));
    const m = cloud.componentMetrics('edu', 'web').clusters.east!;
    expect(m.cpuUtilization).toBeCloseTo(1.5);
    expect(m.errorRate).toBe(0);
  });

  it('reports CPU use in the cluster capacity', () => {
    const { cloud, clusters } = serving({ east: 2 });
    cloud.setScenario('edu', 'web', constant(25));
    expect(clusters[0]!.capacity().used?.cpuMilli).toBe(500);
  });
});

describe('scenarios', () => {
  it('a daily curve peaks at the peak hours and rests at base', () => {
    const s = daily({ base: 10, peak: 100, peakHours: [10] });
    expect(rateAt(s, t('2026-03-02T10:00:00Z'), 0)).toBeCloseTo(100);
    expect(rateAt(s, t('2026-03-02T11:30:00Z'), 0)).toBeCloseTo(55);
    expect(rateAt(s, t('2026-03-02T22:00:00Z'), 0)).toBeCloseTo(10);
    const beijing = daily({ base: 10, peak: 100, peakHours: [10], utcOffsetHours: 8 });
    expect(rateAt(beijing, t('2026-03-02T02:00:00Z'), 0)).toBeCloseTo(100);
  });

  it('a citizens’ peak ramps up, holds and falls back', () => {
    const s = citizenPeak({
      base: 10,
      factor: 50,
      start: '2026-03-02T09:00:00Z',
      durationMs: 1_800_000,
      rampMs: 60_000,
    });
    expect(rateAt(s, t('2026-03-02T08:59:59Z'), 0)).toBe(10);
    expect(rateAt(s, t('2026-03-02T09:00:30Z'), 0)).toBeCloseTo(255);
    expect(rateAt(s, t('2026-03-02T09:10:00Z'), 0)).toBe(500);
    expect(rateAt(s, t('2026-03-02T09:31:00Z'), 0)).toBe(10);
  });

  it('a load factor multiplies the load until its end', () => {
    const { cloud } = serving({ east: 2 });
    cloud.setScenario('edu', 'web', constant(10));
    cloud.setLoadFactor('edu', 'web', 20, cloud.now() + 60_000);
    expect(cloud.offeredRps('edu', 'web')).toBe(200);
    cloud.advance(60_000);
    expect(cloud.offeredRps('edu', 'web')).toBe(10);
  });

  it('replays a Crane production series in virtual time', () => {
    const crane = loadCraneSeries(CRANE);
    expect(crane.stepMs).toBe(60_000);
    expect(crane.points).toHaveLength(8 * 1440);
    expect(crane.startMs).toBe(1_628_640_000_000);
    const { cloud } = serving({ east: 4 });
    const scenario = series(crane.points, crane.stepMs, { peakRps: 200 });
    cloud.setScenario('edu', 'web', scenario);
    const scale = 200 / Math.max(...crane.points);
    expect(cloud.offeredRps('edu', 'web')).toBeCloseTo(crane.points[0]! * scale);
    cloud.advance(3_600_000);
    expect(cloud.offeredRps('edu', 'web')).toBeCloseTo(crane.points[60]! * scale);
    cloud.advance(30_000);
    expect(cloud.offeredRps('edu', 'web')).toBeCloseTo(((crane.points[60]! + crane.points[61]!) / 2) * scale);
    // A day of replay, minute by minute, never exceeds the peak and is served by the cluster.
    let highest = 0;
    for (let i = 0; i < 1440; i++) {
      cloud.advance(60_000);
      highest = Math.max(highest, cloud.componentMetrics('edu', 'web').total.rps);
    }
    expect(highest).toBeGreaterThan(0);
    expect(highest).toBeLessThanOrEqual(200 + 1e-9);
  });
});
