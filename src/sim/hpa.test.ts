import { describe, expect, it } from 'vitest';
import { constant } from './load-scenarios.ts';
import { deployment, deploymentKey, hpa, namespace, newCloud, smallCluster, statusOf } from './sim-fixtures.ts';

type Json = Record<string, unknown>;

/** A 2-replica web behind an HPA (CPU target 50%); metrics-server off (the present load) unless a resolution is given. */
function setup(rps: number, o: { min?: number; max?: number; cpuLimit?: string; metricsResolutionMs?: number } = {}) {
  const env = newCloud({
    clusters: [smallCluster('c1', 4, 16)],
    timings: { metricsResolutionMs: o.metricsResolutionMs ?? 0 },
  });
  const { cluster, cloud } = env;
  cluster.apply(namespace('edu'));
  const limit = o.cpuLimit !== undefined ? { cpuLimit: o.cpuLimit } : {};
  cluster.apply(deployment('web', 'edu', { replicas: 2, cpu: '500m', ...limit }), {
    createOnlyPaths: ['spec.replicas'],
  });
  cluster.apply(hpa('web', 'edu', 'web', { min: o.min ?? 2, max: o.max ?? 10, cpu: 50 }));
  cloud.setScenario('edu', 'web', constant(rps));
  return env;
}

const replicas = (env: ReturnType<typeof setup>) =>
  (env.cluster.get(deploymentKey('web', 'edu'))?.spec as Json).replicas;

describe('horizontal pod autoscaler', () => {
  it('scales up to bring CPU utilization to its target', () => {
    const env = setup(50); // 1000m of demand on 2 × 500m: 100% against a 50% target
    env.cloud.advance(14_000);
    expect(replicas(env)).toBe(2);
    env.cloud.advance(1_000);
    expect(replicas(env)).toBe(4);
    env.cloud.advance(60_000);
    expect(replicas(env)).toBe(4);
    expect(statusOf(env.cluster, 'edu', 'web')).toMatchObject({ phase: 'Running', readyReplicas: 4 });
    const m = env.cloud.componentMetrics('edu', 'web').clusters.c1!;
    expect(m.cpuUtilization).toBeCloseTo(0.5);
    const status = env.cluster.get('autoscaling/v2/HorizontalPodAutoscaler/edu/web')?.status as Json;
    expect(status).toMatchObject({
      currentReplicas: 4,
      desiredReplicas: 4,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50 } } }],
    });
  });

  it('waits out the scale-down stabilization window, then shrinks to minReplicas', () => {
    const env = setup(50);
    env.cloud.advance(90_000);
    expect(replicas(env)).toBe(4);
    env.cloud.setScenario('edu', 'web', constant(5));
    env.cloud.advance(240_000);
    expect(replicas(env)).toBe(4);
    env.cloud.advance(120_000);
    expect(replicas(env)).toBe(2);
  });

  it('stays within maxReplicas and doubles at most per run', () => {
    // With a 2-core limit a pod can burst to 400% of its request, so the HPA asks for 16 at once.
    const env = setup(1000, { max: 10, cpuLimit: '2' });
    env.cloud.advance(15_000);
    expect(replicas(env)).toBe(6); // max(2 × 2, 2 + 4)
    env.cloud.advance(120_000);
    expect(replicas(env)).toBe(10);
    const status = env.cluster.get('autoscaling/v2/HorizontalPodAutoscaler/edu/web')?.status as { conditions: Json[] };
    expect(status.conditions).toContainEqual(
      expect.objectContaining({ type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas' }),
    );
  });

  it('keeps its replicas through a re-apply that marks spec.replicas create-only', () => {
    const env = setup(50);
    env.cloud.advance(60_000);
    expect(
      env.cluster.apply(deployment('web', 'edu', { replicas: 2, cpu: '500m' }), { createOnlyPaths: ['spec.replicas'] }),
    ).toBe('unchanged');
    expect(replicas(env)).toBe(4);
  });

  it('does nothing while its cluster is down', () => {
    const env = setup(50);
    env.cluster.down();
    env.cloud.advance(60_000);
    env.cluster.restore();
    expect(replicas(env)).toBe(2);
  });

  describe('through metrics-server (15 s resolution, the Kubernetes default)', () => {
    const at = (env: ReturnType<typeof setup>, seconds: number) =>
      env.cloud.advance(Date.parse('2026-03-02T00:00:00Z') + seconds * 1000 - env.cloud.now());

    it('sees a load step only from the scrape after it, averaged over the 15 s window', () => {
      // Syncs at 15, 30, 45 … s; scrapes at the same instants, just after the sync.
      const env = setup(5, { max: 10, cpuLimit: '2', metricsResolutionMs: 15_000 }); // 100m on 2 × 500m: 10%
      at(env, 61);
      expect(replicas(env)).toBe(2);
      env.cloud.setScenario('edu', 'web', constant(100)); // 2000m: 200% against a 50% target
      at(env, 76);
      expect(replicas(env)).toBe(2); // the sync at 75 s still reads the scrapes of 45 and 60 s
      at(env, 91);
      // The window (60, 75] s, sampled each second: 10% at 61 s, 200% from 62 s: 187.3% → 8, at most 2 + 4 per run.
      expect(replicas(env)).toBe(6);
      const status = env.cluster.get('autoscaling/v2/HorizontalPodAutoscaler/edu/web')?.status as Json;
      expect(status).toMatchObject({
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 187 } } }],
      });
    });

    it('counts ready pods without a sample at 0% on a scale-up', () => {
      const env = setup(5, { max: 10, cpuLimit: '2', metricsResolutionMs: 15_000 });
      at(env, 61);
      env.cloud.setScenario('edu', 'web', constant(100));
      at(env, 91);
      expect(replicas(env)).toBe(6);
      // At 105 s the 4 new pods are ready but have no sample: 200% on 2 pods, 0% on 4 → 66.7% → ceil(6 × 1.33).
      at(env, 106);
      expect(replicas(env)).toBe(8);
      at(env, 300);
      expect(replicas(env)).toBe(8);
    });
  });
});
