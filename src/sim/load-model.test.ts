import { describe, expect, it } from 'vitest';
import { citizenPeak, constant, daily, loadCraneSeries, rateAt, series } from './load-scenarios.ts';
import { throttledShare } from './load-model.ts';
import { simMetricsText } from './metrics-exposition.ts';
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

describe('one cloud: the golden signals carry the call mesh', () => {
  /** web → api, two pods each of 500m, 10 req/s from the citizens at web (ρ = 0.2 at each). */
  function meshed() {
    const { cloud, clusters } = serving({ east: 2 });
    clusters[0]!.apply(deployment('api', 'edu', { replicas: 2, cpu: '500m' }));
    cloud.advance(10_000);
    cloud.setScenario('edu', 'web', constant(10));
    cloud.mesh.declare({ namespace: 'edu', component: 'web', calls: [{ to: { namespace: 'edu', component: 'api' } }] });
    const web = () => cloud.componentMetrics('edu', 'web').total;
    const api = () => cloud.componentMetrics('edu', 'api').total;
    return { cloud, web, api };
  }
  const api = { namespace: 'edu', component: 'api' };
  const web = { namespace: 'edu', component: 'web' };

  it('gives a callee its callers’ calls, and a caller its callee’s latency', () => {
    const m = meshed();
    expect(m.api().rps).toBeCloseTo(10);
    expect(m.cloud.componentMetrics('edu', 'api').offeredRps).toBeCloseTo(10);
    expect(m.web().latencyP50Ms).toBeCloseTo(2 * m.api().latencyP50Ms);
    expect(m.web().errorRate).toBe(0);
  });

  it('adds injected latency to the component and to its callers, and a slow callee makes its caller slow', () => {
    const m = meshed();
    const before = { web: m.web().latencyP99Ms, api: m.api().latencyP99Ms };
    m.cloud.faults.add({ type: 'latency', target: api, ms: 1500 });
    expect(m.api().latencyP99Ms).toBeCloseTo(before.api + 1500);
    expect(m.web().latencyP99Ms).toBeCloseTo(before.web + 1500);
    // The alerts' metrics source reads it: p99 over the default 1 s threshold.
    expect(m.cloud.componentMetrics('edu', 'web').total.latencyP99Ms).toBeGreaterThan(1000);
  });

  it('fails the injected share at the component, and its callers with it; a network loss drops calls', () => {
    const m = meshed();
    m.cloud.faults.add({ type: 'errors', target: api, rate: 0.3 });
    expect(m.api().errorRate).toBeCloseTo(0.3);
    expect(m.web().errorRate).toBeCloseTo(0.3);
    const lossy = meshed();
    lossy.cloud.faults.add({ type: 'network-loss', from: web, to: api, loss: 0.2 });
    expect(lossy.web().errorRate).toBeCloseTo(0.2);
    expect(lossy.api().rps).toBeCloseTo(8);
    expect(lossy.web().latencyP99Ms).toBeGreaterThan(1000);
  });

  it('spends a CPU hog’s cores in the pods: utilization rises and the requests get what is left', () => {
    const m = meshed();
    m.cloud.faults.add({ type: 'cpu-hog', target: api, cores: 0.45 });
    const a = m.cloud.componentMetrics('edu', 'api').clusters.east!;
    // 2 × 450m of hog + 200m of requests over 1000m requested; ρ = 200 / 100: half the requests fail.
    expect(a.cpuUtilization).toBeCloseTo(1);
    expect(a.errorRate).toBeCloseTo(0.5);
    // The HPA reads the same.
    expect(m.cloud.componentMetrics('edu', 'api').total.cpuUsedMilli).toBeCloseTo(1000);
  });

  it('fails a caller’s requests when its callee has no ready pod', () => {
    const m = meshed();
    m.cloud.faults.add({ type: 'crash-loop', target: api });
    m.cloud.advance(5_000);
    expect(m.api()).toMatchObject({ readyPods: 0, errorRate: 1, rps: 10 });
    expect(m.web().errorRate).toBe(1);
  });
});

describe('CPU throttling (cAdvisor’s CFS counters)', () => {
  it('throttledShare: a hog at the limit in every period; requests alone only in bursts near the limit', () => {
    // A hog that wants the whole limit (or more): every period.
    expect(throttledShare(250, 250, 0, 20)).toBe(1);
    // 2 cores with a 0.9-core hog and a few requests: room for 5 requests a period, almost never throttled.
    expect(throttledShare(2000, 900, 5, 20)).toBeLessThan(1e-4);
    // 250m (one 20 ms request a period): at 50 % of its limit (6.25 req/s) bursts throttle ~13 % of periods,
    // at 90 % ~31 %, past the limit most.
    expect(throttledShare(250, 0, 6.25, 20)).toBeCloseTo(0.13, 2);
    expect(throttledShare(250, 0, 11.25, 20)).toBeCloseTo(0.31, 2);
    expect(throttledShare(250, 0, 30, 20)).toBeGreaterThan(0.8);
    expect(throttledShare(0, 0, 10, 20)).toBe(0);
    // Large rates (the normal approximation): 80 % of a 100-core limit, rarely; at the limit, every period.
    expect(throttledShare(100_000, 0, 4000, 20)).toBeLessThan(1e-3);
    expect(throttledShare(100_000, 0, 5000, 20)).toBe(1);
    // Overloaded (requests past the limit on average): the backlog never clears, every period.
    expect(throttledShare(250, 0, 12.5, 20)).toBe(1);
  });

  it('reports the share for pods under a CPU limit only, and exposes the counters', () => {
    const limited = serving({ east: 2 }, { cpuLimit: '500m' });
    limited.cloud.setScenario('edu', 'web', constant(5));
    expect(limited.cloud.componentMetrics('edu', 'web').total.cpuThrottled).toBeLessThan(0.01);
    limited.cloud.faults.add({ type: 'cpu-hog', target: { namespace: 'edu', component: 'web' }, cores: 0.6 });
    expect(limited.cloud.componentMetrics('edu', 'web').total.cpuThrottled).toBe(1);
    simMetricsText(limited.cloud);
    limited.cloud.advance(10_000);
    const text = simMetricsText(limited.cloud);
    expect(text).toMatch(/container_cpu_cfs_periods_total\{[^}]*container="main"[^}]*\} 100\b/);
    expect(text).toMatch(/container_cpu_cfs_throttled_periods_total\{[^}]*\} 100\b/);
    // Without a limit there is no CFS quota: never throttled, no counters.
    const unlimited = serving({ east: 2 });
    unlimited.cloud.faults.add({ type: 'cpu-hog', target: { namespace: 'edu', component: 'web' }, cores: 0.6 });
    expect(unlimited.cloud.componentMetrics('edu', 'web').total.cpuThrottled).toBeUndefined();
    expect(simMetricsText(unlimited.cloud)).not.toContain('container_cpu_cfs_periods_total{');
  });
});
