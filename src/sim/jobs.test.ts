import { describe, expect, it } from 'vitest';
import type { Manifest } from '../kernel/manifest.ts';
import { job, namespace, newCloud, statusOf } from './sim-fixtures.ts';

type Json = Record<string, unknown>;

function setup(timings = {}) {
  const env = newCloud({ timings: { imagePullMs: [1000, 1000], ...timings } });
  env.cluster.apply(namespace('edu'));
  return env;
}

function cronJob(name: string, schedule: string, extra: Json = {}, runSeconds = 30): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'edu', labels: { 'app.oam.dev/component': name } },
    spec: {
      schedule,
      ...extra,
      jobTemplate: {
        metadata: { labels: { 'app.oam.dev/component': name } },
        spec: {
          template: {
            metadata: { annotations: { 'sim.polis.io/run-seconds': String(runSeconds) } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'registry.gov/report:1' }] },
          },
        },
      },
    },
  };
}

describe('jobs', () => {
  it('run their pod for the modelled duration and then succeed', () => {
    const { cluster, cloud } = setup();
    cluster.apply(job('import', 'edu', { runSeconds: 20 }));
    cloud.advance(5_000);
    expect(statusOf(cluster, 'edu', 'import')).toMatchObject({ phase: 'Running', readyReplicas: 1 });
    cloud.advance(20_000);
    expect(statusOf(cluster, 'edu', 'import')).toMatchObject({ phase: 'Succeeded', availableReplicas: 1 });
    const status = cluster.get('batch/v1/Job/edu/import')?.status as Json;
    expect(status).toMatchObject({
      active: 0,
      succeeded: 1,
      failed: 0,
      startTime: '2026-03-02T00:00:00Z',
      completionTime: '2026-03-02T00:00:21Z',
    });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'Complete', status: 'True' })]);
    expect(cluster.capacity().requested.pods).toBe(0);
  });

  it('run pods one after another until the completions are reached', () => {
    const { cluster, cloud } = setup();
    cluster.apply(job('batch', 'edu', { runSeconds: 10, completions: 3 }));
    cloud.advance(15_000);
    expect((cluster.get('batch/v1/Job/edu/batch')?.status as Json).succeeded).toBe(1);
    cloud.advance(30_000);
    expect(statusOf(cluster, 'edu', 'batch')).toMatchObject({
      phase: 'Succeeded',
      availableReplicas: 3,
      desiredReplicas: 3,
    });
  });

  it('fail once more pods than backoffLimit failed, with the back-off between them', () => {
    const { cluster, cloud } = setup();
    cluster.crashLoop('registry.gov/app:1.0');
    cluster.apply(job('broken', 'edu', { backoffLimit: 2 }));
    cloud.advance(5_000);
    expect((cluster.get('batch/v1/Job/edu/broken')?.status as Json).failed).toBe(1);
    // Back-offs of 10 s and 20 s before the second and third pods.
    cloud.advance(60_000);
    const s = statusOf(cluster, 'edu', 'broken');
    expect(s).toMatchObject({ phase: 'Failed', reason: 'BackoffLimitExceeded' });
    expect((cluster.get('batch/v1/Job/edu/broken')?.status as Json).failed).toBe(3);
  });

  it('are deleted ttlSecondsAfterFinished after they finish', () => {
    const { cluster, cloud } = setup();
    const j = job('once', 'edu', { runSeconds: 5 });
    (j.spec as Json).ttlSecondsAfterFinished = 60;
    cluster.apply(j);
    cloud.advance(60_000);
    expect(statusOf(cluster, 'edu', 'once').phase).toBe('Succeeded');
    cloud.advance(10_000);
    expect(cluster.get('batch/v1/Job/edu/once')).toBeUndefined();
  });

  it('refuse a change to the pod template, as Kubernetes does', () => {
    const { cluster } = setup();
    cluster.apply(job('import', 'edu'));
    expect(() => cluster.apply(job('import', 'edu', { image: 'other:2' }))).toThrow(
      /spec.template: field is immutable/,
    );
  });
});

describe('cron jobs', () => {
  it('create a Job at each fire time, named after the scheduled minute', () => {
    const { cluster, cloud } = setup();
    cluster.apply(cronJob('nightly', '*/10 * * * *'));
    cloud.advance(9 * 60_000);
    expect(cluster.keys('edu', { 'app.oam.dev/component': 'nightly' })).toEqual(['batch/v1/CronJob/edu/nightly']);
    cloud.advance(60_000);
    const minute = Math.floor(new Date('2026-03-02T00:10:00Z').getTime() / 60_000);
    expect(cluster.keys('edu', { 'app.oam.dev/component': 'nightly' })).toContain(`batch/v1/Job/edu/nightly-${minute}`);
    expect(statusOf(cluster, 'edu', 'nightly')).toMatchObject({ kind: 'CronJob', phase: 'Running', readyReplicas: 1 });
    expect(cluster.get('batch/v1/CronJob/edu/nightly')?.status).toMatchObject({
      lastScheduleTime: '2026-03-02T00:10:00Z',
    });
    cloud.advance(60_000);
    expect(cluster.get(`batch/v1/Job/edu/nightly-${minute}`)?.metadata).toMatchObject({
      ownerReferences: [expect.objectContaining({ kind: 'CronJob', name: 'nightly' })],
    });
    expect(statusOf(cluster, 'edu', `nightly-${minute}`).phase).toBe('Succeeded');
  });

  it('keep the newest three successful Jobs and the newest failed one', () => {
    const { cluster, cloud } = setup();
    cluster.apply(cronJob('tick', '* * * * *', {}, 10));
    cloud.advance(10 * 60_000 + 30_000);
    const jobs = () => cluster.keys('edu', {}).filter((k) => k.includes('/Job/'));
    expect(jobs()).toHaveLength(3);
    expect(cluster.get('batch/v1/CronJob/edu/tick')?.status).toMatchObject({
      lastSuccessfulTime: expect.stringMatching(/^2026-03-02T00:10:1\dZ$/),
    });
    const failing = structuredClone(cronJob('tick', '* * * * *', {}, 10)) as unknown as {
      spec: { jobTemplate: { spec: Json } };
    };
    failing.spec.jobTemplate.spec.backoffLimit = 0;
    cluster.apply(failing as unknown as Manifest);
    cluster.crashLoop('registry.gov/report:1');
    cloud.advance(3 * 60_000);
    const failed = jobs().filter((k) => statusOf(cluster, 'edu', k.split('/').pop()!).phase === 'Failed');
    expect(failed).toHaveLength(1);
    expect(jobs()).toHaveLength(4);
    expect(statusOf(cluster, 'edu', 'tick')).toMatchObject({ phase: 'Degraded', reason: 'JobFailed' });
  });

  it('skip a run while one is active under concurrencyPolicy Forbid', () => {
    const { cluster, cloud } = setup();
    cluster.apply(cronJob('slow', '* * * * *', { concurrencyPolicy: 'Forbid' }, 150));
    cloud.advance(4 * 60_000);
    // Fired at 1, 2, 3 and 4 minutes; the first runs 150 s, so 2 and 3 are skipped and 4 starts.
    const jobs = cluster.keys('edu', {}).filter((k) => k.includes('/Job/'));
    expect(jobs).toHaveLength(2);
  });

  it('stop creating Jobs when suspended and when deleted, and take their Jobs with them', () => {
    const { cluster, cloud } = setup();
    cluster.apply(cronJob('rep', '* * * * *', {}, 5));
    cloud.advance(2 * 60_000);
    cluster.apply(cronJob('rep', '* * * * *', { suspend: true }, 5));
    const before = cluster.keys('edu', {}).length;
    cloud.advance(5 * 60_000);
    expect(cluster.keys('edu', {}).length).toBe(before);
    cluster.delete('batch/v1/CronJob/edu/rep');
    expect(cluster.keys('edu', {}).filter((k) => k.includes('Job'))).toEqual([]);
    cloud.advance(5 * 60_000);
    expect(cluster.keys('edu', {}).filter((k) => k.includes('Job'))).toEqual([]);
  });
});
