import { describe, expect, it } from 'vitest';
import { deployment, deploymentKey, namespace, newCloud, statefulSet, statusOf } from './sim-fixtures.ts';

type Json = Record<string, unknown>;

function running(replicas: number, strategy?: Record<string, unknown>) {
  const env = newCloud();
  env.cluster.apply(namespace('edu'));
  env.cluster.apply(deployment('web', 'edu', { replicas, ...(strategy ? { strategy } : {}) }));
  env.cloud.advance(10_000);
  expect(statusOf(env.cluster, 'edu', 'web').phase).toBe('Running');
  return env;
}

describe('rolling update', () => {
  it('replaces pods within maxSurge and maxUnavailable (25% each by default) and completes', () => {
    const { cluster, cloud } = running(8);
    cluster.apply(deployment('web', 'edu', { replicas: 8, image: 'registry.gov/app:2.0' }));
    let sawMixed = false;
    for (let t = 0; t < 60_000; t += 100) {
      cloud.advance(100);
      const pods = cluster.pods('edu');
      const ready = pods.filter((p) => p.ready).length;
      expect(pods.length).toBeLessThanOrEqual(8 + 2);
      expect(ready).toBeGreaterThanOrEqual(8 - 2);
      if (new Set(pods.map((p) => p.revision)).size > 1) sawMixed = true;
    }
    expect(sawMixed).toBe(true);
    const s = statusOf(cluster, 'edu', 'web');
    expect(s).toMatchObject({
      phase: 'Running',
      updatedReplicas: 8,
      readyReplicas: 8,
      availableReplicas: 8,
      observed: true,
    });
    expect(new Set(cluster.pods('edu').map((p) => p.revision)).size).toBe(1);
    const status = cluster.get(deploymentKey('web', 'edu'))?.status as Json;
    expect(status.conditions).toEqual([
      expect.objectContaining({ type: 'Available', status: 'True' }),
      expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' }),
    ]);
  });

  it('with maxUnavailable 0 never drops below the desired ready count', () => {
    const { cluster, cloud } = running(4, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    cluster.apply(
      deployment('web', 'edu', {
        replicas: 4,
        image: 'registry.gov/app:2.0',
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      }),
    );
    for (let t = 0; t < 60_000; t += 100) {
      cloud.advance(100);
      const pods = cluster.pods('edu');
      expect(pods.filter((p) => p.ready).length).toBeGreaterThanOrEqual(4);
      expect(pods.length).toBeLessThanOrEqual(5);
    }
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Running', updatedReplicas: 4 });
  });

  it('shows Progressing while the rollout runs', () => {
    const { cluster, cloud } = running(4);
    cluster.apply(deployment('web', 'edu', { replicas: 4, image: 'registry.gov/app:2.0' }));
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Progressing', observed: false });
    cloud.tick();
    const s = statusOf(cluster, 'edu', 'web');
    expect(s.observed).toBe(true);
    expect(s.phase).toBe('Progressing');
    expect(s.updatedReplicas).toBeGreaterThan(0);
    expect(s.updatedReplicas).toBeLessThan(4);
  });

  it('Recreate removes the old pods before it starts new ones', () => {
    const { cluster, cloud } = running(3, { type: 'Recreate' });
    cluster.apply(
      deployment('web', 'edu', { replicas: 3, image: 'registry.gov/app:2.0', strategy: { type: 'Recreate' } }),
    );
    cloud.tick();
    const pods = cluster.pods('edu');
    expect(pods.every((p) => !p.ready)).toBe(true);
    expect(new Set(pods.map((p) => p.revision)).size).toBe(1);
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Running', readyReplicas: 3 });
  });

  it('scales up and down without a rollout', () => {
    const { cluster, cloud } = running(2);
    cluster.apply(deployment('web', 'edu', { replicas: 5 }));
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ readyReplicas: 5, phase: 'Running' });
    cluster.apply(deployment('web', 'edu', { replicas: 1 }));
    cloud.tick();
    expect(cluster.pods('edu')).toHaveLength(1);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ readyReplicas: 1, phase: 'Running' });
  });

  it('reports Degraded when the new revision crash-loops and the old one still serves', () => {
    const { cluster, cloud } = running(4);
    cluster.crashLoop('registry.gov/app:bad');
    cluster.apply(deployment('web', 'edu', { replicas: 4, image: 'registry.gov/app:bad' }));
    cloud.advance(60_000);
    const s = statusOf(cluster, 'edu', 'web');
    expect(s).toMatchObject({ phase: 'Degraded', reason: 'CrashLoopBackOff', readyReplicas: 3 });
    expect(s.message).toContain('registry.gov/app:bad');
  });

  it('updates a StatefulSet from the highest ordinal down, one pod at a time', () => {
    const { cluster, cloud } = newCloud({ timings: { imagePullMs: [1000, 1000], readinessMs: 1000 } });
    cluster.apply(namespace('edu'));
    cluster.apply(statefulSet('db', 'edu', { replicas: 3 }));
    cloud.advance(20_000);
    cluster.apply(statefulSet('db', 'edu', { replicas: 3, image: 'pg:17' }));
    cloud.tick();
    const pods = () => cluster.pods('edu');
    expect(pods().map((p) => p.name)).toEqual(['db-0', 'db-1', 'db-2']);
    expect(
      pods()
        .filter((p) => !p.ready)
        .map((p) => p.name),
    ).toEqual(['db-2']);
    cloud.advance(2000);
    expect(
      pods()
        .filter((p) => !p.ready)
        .map((p) => p.name),
    ).toEqual(['db-1']);
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'db')).toMatchObject({ phase: 'Running', updatedReplicas: 3, readyReplicas: 3 });
  });

  it('reports a rollout that stops making progress past its deadline', () => {
    const { cluster, cloud } = newCloud({ timings: { imagePullMs: [100_000, 100_000] } });
    cluster.apply(namespace('edu'));
    const d = deployment('slow', 'edu', { replicas: 1 });
    (d.spec as Json).progressDeadlineSeconds = 60;
    cluster.apply(d);
    cloud.advance(59_000);
    expect(statusOf(cluster, 'edu', 'slow').phase).toBe('Progressing');
    cloud.advance(2_000);
    expect(statusOf(cluster, 'edu', 'slow')).toMatchObject({ phase: 'Failed', reason: 'ProgressDeadlineExceeded' });
    expect((cluster.get(deploymentKey('slow', 'edu'))?.status as { conditions: Json[] }).conditions).toContainEqual(
      expect.objectContaining({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }),
    );
    cloud.advance(60_000);
    expect(statusOf(cluster, 'edu', 'slow').phase).toBe('Running');
  });

  it('is Running at zero replicas once observed', () => {
    const { cluster, cloud } = running(2);
    cluster.apply(deployment('web', 'edu', { replicas: 0 }));
    cloud.tick();
    expect(cluster.pods('edu')).toEqual([]);
    expect(statusOf(cluster, 'edu', 'web')).toMatchObject({ phase: 'Running', desiredReplicas: 0, readyReplicas: 0 });
  });
});

describe('daemon sets', () => {
  it('run one pod on every ready node, and follow nodes failing and coming back', () => {
    const { cluster, cloud } = newCloud();
    cluster.apply(namespace('edu'));
    cluster.apply({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'edu' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:1' }] } },
      },
    });
    cloud.advance(10_000);
    expect(
      cluster
        .pods('edu')
        .map((p) => p.node)
        .sort(),
    ).toEqual(['c1-n1', 'c1-n2', 'c1-n3']);
    expect(statusOf(cluster, 'edu', 'agent')).toMatchObject({ phase: 'Running', desiredReplicas: 3 });
    cluster.failNode('c1-n2');
    cloud.tick();
    expect(statusOf(cluster, 'edu', 'agent')).toMatchObject({ phase: 'Running', desiredReplicas: 2, readyReplicas: 2 });
    cluster.restoreNode('c1-n2');
    cloud.advance(10_000);
    expect(statusOf(cluster, 'edu', 'agent')).toMatchObject({ phase: 'Running', desiredReplicas: 3, readyReplicas: 3 });
  });
});
