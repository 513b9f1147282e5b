import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { deployment, namespace, newCloud, smallCluster, statusOf } from './sim-fixtures.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapMiB(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 ** 2;
}

describe('scale', () => {
  it(
    'holds 10,000 Deployments × 3 replicas in little memory, and a repeated apply is cheap',
    { timeout: 120_000 },
    () => {
      const before = heapMiB();
      const { cloud, cluster } = newCloud({ clusters: [smallCluster('big', 300, 64)] });
      const namespaces = 100;
      for (let n = 0; n < namespaces; n++) cluster.apply(namespace(`dept-${n}`));
      const manifests = Array.from({ length: 10_000 }, (_, i) =>
        deployment(`app-${i}`, `dept-${i % namespaces}`, {
          replicas: 3,
          cpu: '100m',
          memory: '128Mi',
          app: `app-${i}`,
        }),
      );
      for (const m of manifests) expect(cluster.apply(m)).toBe('created');
      cloud.advance(60_000);
      const running = cluster.capacity().requested.pods;
      expect(running).toBe(30_000);
      expect(statusOf(cluster, 'dept-7', 'app-7')).toMatchObject({ phase: 'Running', readyReplicas: 3 });
      const after = heapMiB();
      let unchanged = 0;
      for (const m of manifests) if (cluster.apply(m) === 'unchanged') unchanged++;
      expect(unchanged).toBe(10_000);
      expect(cluster.keys('dept-3', { 'app.oam.dev/name': 'app-103' })).toEqual(['apps/v1/Deployment/dept-3/app-103']);
      const used = after - before;
      console.log(
        `scale: 10,000 Deployments, ${running} pods: heap ${used.toFixed(1)} MiB (${((used * 1024 ** 2) / running).toFixed(0)} bytes per pod, objects included)`,
      );
      expect(used).toBeLessThan(300);
    },
  );

  it('holds 100,000 pods across a cloud of five clusters well under 300 MB', { timeout: 300_000 }, () => {
    const before = heapMiB();
    const { cloud, clusters } = newCloud({ clusters: ['a', 'b', 'c', 'd', 'e'].map((n) => smallCluster(n, 200, 64)) });
    for (const c of clusters) {
      c.apply(namespace('dept'));
      for (let i = 0; i < 2000; i++)
        c.apply(deployment(`app-${i}`, 'dept', { replicas: 10, cpu: '50m', memory: '64Mi', app: `app-${i}` }));
    }
    cloud.advance(60_000);
    const pods = clusters.reduce((n, c) => n + c.capacity().requested.pods, 0);
    expect(pods).toBe(100_000);
    const used = heapMiB() - before;
    console.log(`scale: 10,000 Deployments, ${pods} pods in 5 clusters: heap ${used.toFixed(1)} MiB`);
    expect(used).toBeLessThan(300);
  });
});
