import { describe, expect, it, vi } from 'vitest';
import { ManualClock, systemClock } from '../kernel/clock.ts';
import { constant } from './load-scenarios.ts';
import { DEFAULT_SANDBOX, createSandbox } from './sandbox.ts';
import { SimCloud } from './sim-cloud.ts';
import { START, deployment, deploymentKey, job, namespace, newCloud, smallCluster, statusOf } from './sim-fixtures.ts';

/** A run through start-up, a rollout, a node failure and a crash loop, reduced to what it left behind. */
function run(seed: number) {
  const clock = new ManualClock(START);
  const cloud = createSandbox(clock, seed);
  for (const c of cloud.clusters()) {
    c.apply(namespace('edu'));
    c.apply(deployment('web', 'edu', { replicas: 5 }));
    c.apply(deployment('api', 'edu', { replicas: 3, image: 'registry.gov/api:1' }));
  }
  cloud.setScenario('edu', 'web', constant(120));
  cloud.advance(5_000);
  const east = cloud.cluster('gov-east')!;
  east.apply(deployment('web', 'edu', { replicas: 5, image: 'registry.gov/app:2.0' }));
  east.failNode('gov-east-node-01');
  cloud.cluster('burst-aliyun')!.crashLoop('registry.gov/api:1');
  cloud.advance(60_000);
  return {
    pods: cloud
      .clusters()
      .map((c) => c.pods('edu').map((p) => `${c.name}/${p.name}@${p.node}:${p.phase}:${p.restarts}`)),
    objects: cloud.clusters().map((c) => c.list('edu').map((o) => JSON.stringify(o))),
    metrics: cloud.componentMetrics('edu', 'web'),
  };
}

describe('determinism', () => {
  it('the same seed gives the same run, another seed another', () => {
    const a = run(11);
    const b = run(11);
    expect(b).toEqual(a);
    const c = run(12);
    expect(c.pods).not.toEqual(a.pods);
  });

  it('does not depend on how time is stepped', () => {
    const outcome = (steps: number) => {
      const { cloud, cluster } = newCloud({ seed: 5 });
      cluster.apply(namespace('edu'));
      cluster.apply(deployment('web', 'edu', { replicas: 6 }));
      cluster.crashLoop('registry.gov/app:bad');
      cloud.advance(4_000);
      cluster.apply(deployment('web', 'edu', { replicas: 6, image: 'registry.gov/app:bad' }));
      for (let i = 0; i < steps; i++) cloud.advance(120_000 / steps);
      return cluster.pods('edu').map((p) => `${p.name}@${p.node}:${p.phase}:${p.restarts}`);
    };
    expect(outcome(1)).toEqual(outcome(1200));
  });
});

describe('change notifications', () => {
  it('come once per namespace and instant, not once per pod', () => {
    const { cloud, cluster } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.apply(namespace('tax'));
    const heard: string[] = [];
    const off = cloud.onChange((c, ns) => heard.push(`${cloud.now()}|${c}|${ns}`));
    cluster.apply(deployment('web', 'edu', { replicas: 20, cpu: '100m' }));
    cluster.apply(deployment('web', 'tax', { replicas: 20, cpu: '100m' }));
    cloud.tick();
    expect(heard).toEqual([`${cloud.now()}|c1|edu`, `${cloud.now()}|c1|tax`]);
    cloud.advance(30_000);
    expect(new Set(heard).size).toBe(heard.length);
    expect(heard.length).toBeLessThan(40 * 3);
    // Nothing changes once everything is running: nothing is heard.
    const settled = heard.length;
    cloud.advance(60_000);
    expect(heard.length).toBe(settled);
    off();
    cluster.failNode('c1-n1');
    cloud.advance(10_000);
    expect(heard.length).toBe(settled);
  });

  it('tell of a finished job, a lost pod and a deletion', () => {
    const { cloud, cluster } = newCloud({ timings: { imagePullMs: [1000, 1000], cachedImageMs: [1000, 1000] } });
    cluster.apply(namespace('edu'));
    cluster.apply(namespace('tax'));
    cluster.apply(deployment('web', 'edu', { replicas: 3 }));
    cloud.advance(30_000);
    const heard: string[] = [];
    cloud.onChange((_c, ns) => heard.push(`${ns}@${cloud.now() - new Date(START).getTime()}`));
    cluster.apply(job('once', 'tax', { runSeconds: 5 }));
    cloud.advance(30_000);
    expect(heard.at(-1)).toBe('tax@36000');
    heard.length = 0;
    cluster.failNode('c1-n1');
    cloud.tick();
    expect(heard).toEqual(['edu@60000']);
    cluster.delete(deploymentKey('web', 'edu'));
    cloud.tick();
    expect(heard).toEqual(['edu@60000', 'edu@60000']);
  });
});

describe('listener errors', () => {
  it('are rethrown once the run is done, after every listener has heard', () => {
    const { cloud, cluster } = newCloud();
    cluster.apply(namespace('edu'));
    const heard: string[] = [];
    cloud.onChange(() => {
      throw new Error('listener broke');
    });
    cloud.onChange((_c, ns) => heard.push(ns));
    cluster.apply(deployment('web', 'edu'));
    expect(() => cloud.advance(10_000)).toThrow('listener broke');
    expect(heard.length).toBeGreaterThan(0);
    expect(statusOf(cluster, 'edu', 'web').phase).toBe('Running');
  });
});

describe('time', () => {
  it('advance runs each event at its own time', () => {
    const { cloud, cluster, clock } = newCloud({ timings: { imagePullMs: [1500, 1500], readinessMs: 1000 } });
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu', { replicas: 1 }));
    const seen: number[] = [];
    cloud.onChange(() => seen.push(cloud.now() - new Date(START).getTime()));
    cloud.advance(10_000);
    expect(seen).toEqual([0, 2500]);
    expect(clock.now().getTime() - new Date(START).getTime()).toBe(10_000);
  });

  it('advance needs a clock it can set', () => {
    const cloud = new SimCloud({ clock: systemClock });
    expect(() => cloud.advance(1000)).toThrow(TypeError);
  });

  it('start follows the clock on a timer until stop', async () => {
    const clock = new ManualClock(START);
    const cloud = new SimCloud({ clock, timings: { imagePullMs: [1000, 1000], readinessMs: 1000 } });
    const cluster = cloud.addCluster(smallCluster());
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu', { replicas: 1 }));
    cloud.start(5);
    try {
      clock.advance(5_000);
      await vi.waitFor(() => expect(cluster.pods('edu')[0]?.phase).toBe('Ready'), { timeout: 30_000, interval: 20 });
    } finally {
      cloud.stop();
    }
    clock.advance(5_000);
    cluster.apply(deployment('web', 'edu', { replicas: 2 }));
    await new Promise((r) => setTimeout(r, 30));
    expect(cluster.pods('edu')).toHaveLength(1);
  });

  it('a removed cluster stops and answers as unreachable', () => {
    const { cloud, cluster } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu'));
    cloud.removeCluster('c1');
    expect(cloud.cluster('c1')).toBeUndefined();
    expect(() => cluster.workloads('edu')).toThrow(/unreachable/);
    cloud.advance(10_000);
    expect(cloud.clusters()).toEqual([]);
  });
});

describe('default sandbox', () => {
  it('holds the private government cloud, two burst clusters and a disaster-recovery site', () => {
    const cloud = createSandbox(new ManualClock(START));
    expect(cloud.clusters().map((c) => `${c.name}:${c.spec.role}:${c.spec.networkZone}`)).toEqual([
      'burst-aliyun:burst:internet',
      'burst-huawei:burst:internet',
      'dr-north:disaster-recovery:e-gov-extranet',
      'gov-east:primary:e-gov-extranet',
      'gov-west:primary:e-gov-extranet',
    ]);
    expect(cloud.cluster('gov-east')!.capacity().allocatable).toEqual({
      cpuMilli: 48_000,
      memoryBytes: 192 * 1024 ** 3,
      pods: 330,
    });
    expect(cloud.cluster('burst-aliyun')!.spec.labels).toMatchObject({
      'topology.kubernetes.io/region': 'cn-hangzhou',
      'polis.io/vendor': 'aliyun',
    });
    const priv = DEFAULT_SANDBOX.filter((s) => s.networkZone === 'e-gov-extranet');
    const pub = DEFAULT_SANDBOX.filter((s) => s.networkZone === 'internet');
    for (const p of priv) for (const q of pub) expect(p.prices.cpuCoreHour).toBeLessThan(q.prices.cpuCoreHour);
    expect(cloud.cluster('gov-west')!.health()).toMatchObject({ reachable: true, ready: true });
  });
});
