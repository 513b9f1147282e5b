import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Informer } from '../src/clusters/drivers/kubernetes/informer.ts';
import { KubeHttp } from '../src/clusters/drivers/kubernetes/kube-http.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';

/**
 * A watch of a resource type nothing happens to gets no bookmark from a real API server (they go only to types that
 * had events). The driver's informer must take that silence as quiet, not as a fault: it opens the watch again from
 * the last resourceVersion, without a relist, and never reports the cluster lost.
 */
let fake: FakeKube;
beforeAll(async () => {
  fake = await startFakeKube();
});
afterAll(async () => {
  await fake?.stop();
});

describe('a quiet watch', () => {
  it('is reopened from its last version, without a relist, and without the cluster counting as lost', async () => {
    let lost = 0;
    const http = await KubeHttp.create('quiet', fake.kubeconfig(), 5000, {
      heard: () => undefined,
      lost: () => lost++,
    });
    const informer = new Informer<Record<string, unknown>>({
      http,
      resource: {
        group: 'batch',
        version: 'v1',
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        plural: 'cronjobs',
        namespaced: true,
      },
      reduce: (o) => o,
      idleMs: 150,
    });
    try {
      const mark = fake.requests.length;
      await informer.ensure();
      const watches = () => fake.requests.slice(mark).filter((r) => r.resource === 'cronjobs' && r.verb === 'watch');
      // Several idle periods of silence: the watch is opened again each time.
      for (let i = 0; i < 200 && watches().length < 4; i++) await new Promise((r) => setTimeout(r, 50));
      expect(watches().length).toBeGreaterThanOrEqual(4);
      const mine = fake.requests.slice(mark).filter((r) => r.resource === 'cronjobs');
      expect(mine.filter((r) => r.verb === 'list')).toHaveLength(1);
      expect(watches().every((w) => /^\d+$/.test(w.query.resourceVersion ?? ''))).toBe(true);
      expect(lost).toBe(0);
      expect(informer.state).toBe('synced');
    } finally {
      informer.stop();
      http.close();
    }
  });
});
