import { describe, expect, it } from 'vitest';
import { deployment, deploymentKey, namespace, newCloud, smallCluster, statusOf } from './sim-fixtures.ts';

function setup(nodeCount = 3, cores = 4) {
  const env = newCloud({ clusters: [smallCluster('c1', nodeCount, cores)] });
  env.cluster.apply(namespace('edu'));
  return env;
}

describe('scheduling', () => {
  it('spreads pods by least allocation, deterministically', () => {
    const { cluster, cloud } = setup();
    cluster.apply(deployment('web', 'edu', { replicas: 6, cpu: '500m' }));
    cloud.tick();
    const perNode = cluster.capacity().nodes.map((n) => n.requested.pods);
    expect(perNode).toEqual([2, 2, 2]);
  });

  it('counts requests against allocatable capacity', () => {
    const { cluster, cloud } = setup();
    cluster.apply(deployment('web', 'edu', { replicas: 4, cpu: '1500m', memory: '1Gi' }));
    cloud.tick();
    const cap = cluster.capacity();
    expect(cap.allocatable).toEqual({ cpuMilli: 12_000, memoryBytes: 3 * 16 * 1024 ** 3, pods: 330 });
    expect(cap.requested).toEqual({ cpuMilli: 6000, memoryBytes: 4 * 1024 ** 3, pods: 4 });
  });

  it('leaves pods that fit nowhere Pending as Unschedulable, and schedules them when capacity frees', () => {
    const { cluster, cloud } = setup();
    cluster.apply(deployment('big', 'edu', { replicas: 3, cpu: '3' }));
    cluster.apply(deployment('late', 'edu', { replicas: 2, cpu: '2' }));
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'big').phase).toBe('Running');
    const late = statusOf(cluster, 'edu', 'late');
    expect(late.phase).toBe('Pending');
    expect(late.reason).toBe('Unschedulable');
    expect(late.message).toContain('0/3 nodes are available: 3 Insufficient cpu.');
    expect(cluster.pods('edu').filter((p) => p.phase === 'Pending')).toHaveLength(2);
    cluster.delete(deploymentKey('big', 'edu'));
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'late').phase).toBe('Running');
  });

  it('reports Failed once pods stayed unschedulable past the grace period', () => {
    const { cluster, cloud } = setup();
    cluster.apply(deployment('huge', 'edu', { replicas: 1, cpu: '64' }));
    cloud.advance(5_000);
    expect(statusOf(cluster, 'edu', 'huge').phase).toBe('Pending');
    cloud.advance(30_000);
    expect(statusOf(cluster, 'edu', 'huge')).toMatchObject({ phase: 'Failed', reason: 'Unschedulable' });
  });

  it('schedules pending pods onto a node added later', () => {
    const { cluster, cloud } = setup(1, 2);
    cluster.apply(deployment('web', 'edu', { replicas: 3, cpu: '1' }));
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Progressing', readyReplicas: 2 });
    cloud.advance(30_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({
      phase: 'Degraded',
      readyReplicas: 2,
      reason: 'Unschedulable',
    });
    cluster.addNode({ name: 'c1-n9', cpuMilli: 4000, memoryBytes: 16 * 1024 ** 3, pods: 110 });
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Running', readyReplicas: 3 });
  });

  it('respects the pod limit of a node', () => {
    const env = newCloud({
      clusters: [
        { ...smallCluster('c1', 1), nodes: [{ name: 'n', cpuMilli: 64_000, memoryBytes: 64 * 1024 ** 3, pods: 5 }] },
      ],
    });
    env.cluster.apply(namespace('edu'));
    env.cluster.apply(deployment('web', 'edu', { replicas: 7, cpu: '10m' }));
    env.cloud.tick();
    expect(env.cluster.pods('edu').filter((p) => p.node !== undefined)).toHaveLength(5);
    expect(env.cluster.pods('edu').find((p) => p.phase === 'Pending')?.message).toContain('Too many pods');
  });

  it('takes missing requests from a LimitRange default', () => {
    const { cluster, cloud } = setup();
    cluster.apply({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'defaults', namespace: 'edu' },
      spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '250m', memory: '128Mi' } }] },
    });
    const d = deployment('web', 'edu', { replicas: 2 });
    const container = (d.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec
      .containers[0]!;
    delete container.resources;
    cluster.apply(d);
    cloud.tick();
    expect(cluster.capacity().requested).toMatchObject({ cpuMilli: 500, memoryBytes: 256 * 1024 ** 2 });
  });
});

describe('pod start-up', () => {
  it('pulls within the configured range, then becomes ready after the default readiness delay', () => {
    const { cluster, cloud } = newCloud({ timings: { imagePullMs: [2000, 3000], readinessMs: 1000 } });
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu', { replicas: 1 }));
    cloud.advance(1999);
    expect(cluster.pods('edu')[0]?.phase).toBe('ContainerCreating');
    cloud.advance(1001); // pull done by 3 s
    expect(cluster.pods('edu')[0]?.phase).toMatch(/Running|Ready/);
    cloud.advance(1000); // ready by 4 s
    expect(cluster.pods('edu')[0]?.phase).toBe('Ready');
  });

  it('waits for the readiness probe initial delay', () => {
    const { cluster, cloud } = newCloud({ timings: { imagePullMs: [1000, 1000] } });
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('web', 'edu', { replicas: 1, readinessDelaySeconds: 20 }));
    cloud.advance(20_999);
    expect(cluster.pods('edu')[0]?.phase).toBe('Running');
    cloud.advance(1);
    expect(cluster.pods('edu')[0]?.phase).toBe('Ready');
  });

  it('starts faster on a node that already has the image', () => {
    const { cluster, cloud } = newCloud({
      clusters: [smallCluster('c1', 1)],
      timings: { imagePullMs: [3000, 3000], cachedImageMs: [200, 200], readinessMs: 500 },
    });
    cluster.apply(namespace('edu'));
    cluster.apply(deployment('a', 'edu', { replicas: 1 }));
    cloud.advance(3500);
    expect(statusOf(cluster, 'edu', 'a').readyReplicas).toBe(1);
    cluster.apply(deployment('b', 'edu', { replicas: 1 }));
    cloud.advance(700);
    expect(statusOf(cluster, 'edu', 'b').readyReplicas).toBe(1);
  });

  it('starts StatefulSet pods in order, each once the one before is ready', () => {
    const { cluster, cloud } = newCloud({ timings: { imagePullMs: [1000, 1000], readinessMs: 1000 } });
    cluster.apply(namespace('edu'));
    cluster.apply({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'edu' },
      spec: {
        replicas: 3,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'pg:16' }] } },
      },
    });
    const names = () => cluster.pods('edu').map((p) => `${p.name}:${p.phase}`);
    cloud.tick();
    expect(names()).toEqual(['db-0:ContainerCreating']);
    cloud.advance(2000);
    expect(names()).toEqual(['db-0:Ready', 'db-1:ContainerCreating']);
    cloud.advance(4000);
    expect(names()).toEqual(['db-0:Ready', 'db-1:Ready', 'db-2:Ready']);
    expect(statusOf(cluster, 'edu', 'db')).toMatchObject({ phase: 'Running', readyReplicas: 3 });
  });
});
