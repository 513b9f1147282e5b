import { describe, expect, it } from 'vitest';
import { ClusterUnreachableError } from '../clusters/driver.ts';
import { constant } from './load-scenarios.ts';
import { deployment, deploymentKey, namespace, newCloud, smallCluster, statusOf } from './sim-fixtures.ts';
import { SimUnreachableError } from './sim-errors.ts';

function twoClusters() {
  const env = newCloud({ clusters: [smallCluster('east'), smallCluster('west')] });
  const [east, west] = env.clusters as [typeof env.cluster, typeof env.cluster];
  for (const c of [east, west]) {
    c.apply(namespace('edu'));
    c.apply(deployment('web', 'edu', { replicas: 3 }));
  }
  env.cloud.advance(10_000);
  env.cloud.setScenario('edu', 'web', constant(60));
  return { ...env, east, west };
}

describe('node failure', () => {
  it('loses the pods on the node and recreates them elsewhere', () => {
    const { cluster, cloud } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu', { replicas: 6 }));
    cloud.advance(10_000);
    const before = cluster
      .pods('edu')
      .filter((p) => p.node === 'c1-n1')
      .map((p) => p.name);
    expect(before.length).toBeGreaterThan(0);
    cluster.failNode('c1-n1');
    expect(cluster.capacity().nodes.find((n) => n.name === 'c1-n1')).toMatchObject({
      ready: false,
      requested: { pods: 0 },
    });
    cloud.tick();
    const after = cluster.pods('edu');
    expect(after).toHaveLength(6);
    expect(after.some((p) => p.node === 'c1-n1')).toBe(false);
    expect(after.filter((p) => before.includes(p.name))).toEqual([]);
    expect(statusOf(cluster, 'edu', 'web').phase).toBe('Progressing');
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Running', readyReplicas: 6 });
    expect(cluster.capacity().allocatable.cpuMilli).toBe(8000);
    cluster.restoreNode('c1-n1');
    expect(cluster.capacity().allocatable.cpuMilli).toBe(12_000);
  });

  it('refuses an unknown node by name', () => {
    const { cluster } = newCloud();
    expect(() => cluster.failNode('nope')).toThrow(/no node nope/);
  });
});

describe('down and partition', () => {
  it('a down cluster is unreachable, serves nothing, and keeps its objects', () => {
    const { cloud, east, west } = twoClusters();
    east.down();
    expect(east.reachable).toBe(false);
    expect(west.reachable).toBe(true);
    for (const call of [
      () => east.apply(deployment('web', 'edu', { replicas: 9 })),
      () => east.get(deploymentKey('web', 'edu')),
      () => east.list('edu'),
      () => east.workloads('edu'),
      () => east.delete(deploymentKey('web', 'edu')),
      () => east.capacity(),
    ]) {
      expect(call).toThrow(SimUnreachableError);
      expect(call).toThrow(ClusterUnreachableError);
    }
    expect(east.health()).toMatchObject({ reachable: false, ready: false });
    const m = cloud.componentMetrics('edu', 'web');
    expect(m.clusters.east).toMatchObject({ serving: false, rps: 0 });
    expect(m.clusters.west?.rps).toBe(60);
    east.restore();
    expect(east.workloads('edu')[0]).toMatchObject({ desiredReplicas: 3, readyReplicas: 3 });
    expect(cloud.componentMetrics('edu', 'web').clusters.east?.rps).toBe(30);
  });

  it('a partitioned cluster is unreachable from polis but goes on serving, and nothing is deleted', () => {
    const { cloud, east } = twoClusters();
    east.partition();
    expect(() => east.workloads('edu')).toThrow(SimUnreachableError);
    cloud.advance(60_000);
    const m = cloud.componentMetrics('edu', 'web');
    expect(m.clusters.east).toMatchObject({ serving: true, rps: 30, readyPods: 3 });
    east.restore();
    expect(east.pods('edu').filter((p) => p.ready)).toHaveLength(3);
  });
});

describe('crash loops and pull failures', () => {
  it('crash-looping pods never become ready, and the workload fails after the grace period', () => {
    const { cluster, cloud } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.crashLoop('registry.gov/app:1.0');
    cluster.apply(deployment('web', 'edu', { replicas: 2 }));
    cloud.advance(10_000);
    expect(cluster.pods('edu').map((p) => p.phase)).toEqual(['CrashLoopBackOff', 'CrashLoopBackOff']);
    expect(statusOf(cluster, 'edu', 'web').phase).toBe('Progressing');
    cloud.advance(40_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({
      phase: 'Failed',
      reason: 'CrashLoopBackOff',
      readyReplicas: 0,
    });
    expect(cluster.pods('edu')[0]!.restarts).toBeGreaterThan(1);
  });

  it('running pods of the image crash at once, and recover at their next restart once cleared', () => {
    const { cluster, cloud } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu', { replicas: 2 }));
    cluster.apply(deployment('api', 'edu', { replicas: 1, image: 'registry.gov/api:1.0' }));
    cloud.advance(10_000);
    cluster.crashLoop('registry.gov/app:1.0');
    expect(
      cluster
        .pods('edu')
        .filter((p) => p.ready)
        .map((p) => p.owner),
    ).toEqual([deploymentKey('api', 'edu')]);
    cloud.advance(5_000);
    expect(statusOf(cluster, 'edu', 'web').readyReplicas).toBe(0);
    cluster.clearCrashLoop('registry.gov/app:1.0');
    cloud.advance(20_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Running', readyReplicas: 2 });
  });

  it('a crash loop in one cluster leaves the same image in another alone', () => {
    const { cloud, east, west } = twoClusters();
    east.crashLoop('registry.gov/app:1.0');
    cloud.advance(60_000);
    expect(statusOf(east, 'edu', 'web').phase).toBe('Failed');
    expect(statusOf(west, 'edu', 'web').phase).toBe('Running');
    expect(cloud.componentMetrics('edu', 'web').clusters.west?.rps).toBe(60);
  });

  it('a crash-loop fault reaches a cluster whose pods are all being replaced: its new pods crash too', () => {
    const { cluster, cloud } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu', { replicas: 0 }));
    cloud.advance(10_000);
    expect(cluster.pods('edu')).toEqual([]);
    cloud.faults.add({ type: 'crash-loop', target: { namespace: 'edu', component: 'web' } });
    cluster.apply(deployment('web', 'edu', { replicas: 2 }));
    cloud.advance(60_000);
    expect(cluster.pods('edu').map((p) => p.phase)).toEqual(['CrashLoopBackOff', 'CrashLoopBackOff']);
  });

  it('resets the back-off of a container that ran 10 minutes without a problem, as the kubelet does', () => {
    const { cluster, cloud } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu', { replicas: 1 }));
    cloud.advance(10_000);
    // Six crashes: the back-off is at its 5-minute cap (10 s doubling).
    cluster.crashLoop('registry.gov/app:1.0');
    cloud.advance(16 * 60_000);
    cluster.clearCrashLoop('registry.gov/app:1.0');
    cloud.advance(6 * 60_000);
    expect(cluster.pods('edu')[0]).toMatchObject({ ready: true });
    expect(cluster.pods('edu')[0]!.restarts).toBeGreaterThanOrEqual(6);
    // An hour of running well, then it crashes again: back within 10 s of the fault clearing, not 5 minutes.
    cloud.advance(60 * 60_000);
    cluster.crashLoop('registry.gov/app:1.0');
    cloud.advance(5_000);
    cluster.clearCrashLoop('registry.gov/app:1.0');
    cloud.advance(15_000);
    expect(cluster.pods('edu')[0]).toMatchObject({ ready: true });
  });

  it('an image that cannot be pulled leaves pods in ImagePullBackOff', () => {
    const { cluster, cloud } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.failImagePull('registry.gov/app:1.0');
    cluster.apply(deployment('web', 'edu', { replicas: 1 }));
    cloud.advance(60_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Failed', reason: 'ImagePullBackOff' });
    cluster.clearImagePullFailure('registry.gov/app:1.0');
    cloud.advance(120_000);
    expect(statusOf(cluster, 'edu', 'web').phase).toBe('Running');
  });
});
