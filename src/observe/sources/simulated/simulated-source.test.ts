import { describe, expect, it } from 'vitest';
import type { ComponentRef } from '../../metrics-source.ts';
import { constant } from '../../../sim/load-scenarios.ts';
import { deployment, namespace, newCloud, smallCluster } from '../../../sim/sim-fixtures.ts';
import { SimulatedMetricsSource } from './simulated-source.ts';

const WEB: ComponentRef = { tenant: 'edu', app: 'portal', namespace: 'edu-portal', component: 'web' };

function portal() {
  const world = newCloud({ clusters: [smallCluster('c1'), smallCluster('c2')] });
  for (const c of world.clusters) {
    c.apply(namespace('edu-portal'));
    c.apply(deployment('web', 'edu-portal', { replicas: 2 }));
  }
  world.cloud.setScenario('edu-portal', 'web', constant(40));
  world.cloud.advance(10_000);
  return { ...world, source: new SimulatedMetricsSource({ sim: world.cloud }) };
}

describe('the simulated metrics source', () => {
  it('reads the load model at the sim present', async () => {
    const { cloud, source } = portal();
    const s = (await source.signals(WEB))!;
    const m = cloud.componentMetrics('edu-portal', 'web');
    expect(s).toEqual({
      at: cloud.now(),
      readyPods: 4,
      cpuUtilization: m.total.cpuUtilization,
      requestsPerSecond: 40,
      latencyP99Ms: m.total.latencyP99Ms,
      errorRatio: 0,
      perCluster: {
        c1: { readyPods: 2, cpuUtilization: 0.4, requestsPerSecond: 20, latencyP99Ms: m.clusters.c1!.latencyP99Ms },
        c2: { readyPods: 2, cpuUtilization: 0.4, requestsPerSecond: 20, latencyP99Ms: m.clusters.c2!.latencyP99Ms },
      },
    });
  });

  it('leaves out a cluster that is down, and latency without requests', async () => {
    const { cloud, clusters, source } = portal();
    clusters[1]!.down();
    const s = (await source.signals(WEB))!;
    expect(Object.keys(s.perCluster)).toEqual(['c1']);
    expect(s.readyPods).toBe(2);
    expect(s.requestsPerSecond).toBe(40);
    cloud.setScenario('edu-portal', 'web', constant(0));
    const idle = (await source.signals(WEB))!;
    expect(idle.latencyP99Ms).toBeUndefined();
    expect(idle.cpuUtilization).toBe(0);
  });

  it('has no utilization without ready pods, and nothing for an unknown component', async () => {
    const { cloud, cluster } = newCloud({ clusters: [smallCluster('c1', 1, 1)] });
    cluster.apply(namespace('edu-portal'));
    cluster.apply(deployment('web', 'edu-portal', { replicas: 1, cpu: '2' })); // never fits
    cloud.advance(10_000);
    const source = new SimulatedMetricsSource({ sim: cloud });
    const s = (await source.signals(WEB))!;
    expect(s.readyPods).toBe(0);
    expect(s.cpuUtilization).toBeUndefined();
    expect(await source.signals({ ...WEB, component: 'nobody' })).toBeUndefined();
  });

  it('reports the load a component with no ready pod should take as failing, not a trickle', async () => {
    const { cloud, source } = portal();
    cloud.faults.add({ type: 'crash-loop', target: { namespace: 'edu-portal', component: 'web' } });
    cloud.advance(5_000);
    const s = (await source.signals(WEB))!;
    expect(s).toMatchObject({ readyPods: 0, requestsPerSecond: 40, errorRatio: 1 });
    expect(s.cpuUtilization).toBeUndefined();
  });

  it('keeps a history from record() in virtual time, on the asked grid, NaN before it began', async () => {
    const { cloud, source } = portal();
    source.track(WEB);
    const start = cloud.now();
    for (let minute = 0; minute < 60; minute++) {
      cloud.setScenario('edu-portal', 'web', constant(10 + minute));
      source.record();
      cloud.advance(60_000);
    }
    const rps = await source.history(WEB, 'requestsPerSecond', start - 600_000, start + 59 * 60_000, 600_000);
    expect(rps).toEqual([NaN, 10, 20, 30, 40, 50, 60]);
    // With pastFromScenario, the scenario's load (the one set last: 69 req/s) answers before the first sample.
    const told = new SimulatedMetricsSource({ sim: cloud, pastFromScenario: true });
    told.track(WEB);
    told.record();
    expect(await told.history(WEB, 'requestsPerSecond', start - 600_000, start - 600_000, 1)).toEqual([69]);
    const cpu = await source.history(WEB, 'cpuUtilization', start, start + 120_000, 60_000);
    expect(cpu).toEqual([10, 11, 12].map((r) => (r * 20) / 2000));
    expect(await source.history(WEB, 'cpuUtilization', start, start - 1, 1000)).toEqual([]);
  });

  it('keeps samples apart by minIntervalMs and forgets past the lookback', async () => {
    const { cloud } = portal();
    const source = new SimulatedMetricsSource({ sim: cloud, minIntervalMs: 30_000, lookbackMs: 60_000 });
    source.track(WEB);
    const start = cloud.now();
    for (let s = 0; s < 60; s += 10) {
      cloud.setScenario('edu-portal', 'web', constant(s));
      source.record();
      cloud.advance(10_000);
    }
    expect(await source.history(WEB, 'requestsPerSecond', start, start + 50_000, 10_000)).toEqual([
      0, 0, 0, 30, 30, 30,
    ]);
    expect(await source.history(WEB, 'requestsPerSecond', start + 200_000, start + 200_000, 1)).toEqual([NaN]);
  });

  it('keeps no ring for a component never measured, yet answers its history as if it had NaN samples', async () => {
    const { cloud, cluster } = newCloud({ clusters: [smallCluster('c1')] });
    cloud.setScenario('edu-portal', 'web', constant(25));
    const source = new SimulatedMetricsSource({ sim: cloud, pastFromScenario: true });
    source.track(WEB);
    const start = cloud.now();
    for (let minute = 0; minute < 30; minute++) {
      source.record();
      cloud.advance(60_000);
    }
    expect(source.ringCount).toBe(0);
    // Before the first sample the scenario answers; from it on, nothing was measured: NaN.
    expect(await source.history(WEB, 'requestsPerSecond', start - 60_000, start + 60_000, 60_000)).toEqual([
      25,
      NaN,
      NaN,
    ]);
    cluster.apply(namespace('edu-portal'));
    cluster.apply(deployment('web', 'edu-portal', { replicas: 1 }));
    cloud.advance(10_000);
    source.record();
    expect(source.ringCount).toBe(1);
    const now = cloud.now();
    const [before, at] = await source.history(WEB, 'requestsPerSecond', start + 60_000, now, now - start - 60_000);
    expect(before).toBeNaN();
    expect(at).toBe(25);
  });
});
