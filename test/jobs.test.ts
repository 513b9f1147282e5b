import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Jobs are not services, end to end in virtual time: ready counts hold long-running components only (a cron-task
 * is not 0/1, an hpa minimum is divided among clusters, not applied in each), and an application with a cron-task
 * fails over and back completely while its cron runs once per schedule, in one cluster at a time.
 */
let t: TestPolis;
const APPS = '/apis/core.oam.dev/v1beta1/tenants';
const CLUSTERS = ['gov-east', 'gov-west'];
/** Per Job a CronJob created (named after its scheduled minute): the clusters it was seen in. */
const runs = new Map<string, Set<string>>();

async function status(tenant: string, name: string): Promise<AppStatus> {
  return (await t.request('GET', `${APPS}/${tenant}/applications/${name}`, { token: t.adminToken })).json().status;
}

/** One virtual second; every Job of the cron in any cluster (reachable or not) is noted. */
async function second(): Promise<void> {
  await t.polis.clusters.probeAll();
  await t.polis.delivery.resyncAll();
  await t.polis.feed.idle();
  await t.polis.delivery.idle();
  t.polis.sim!.advance(1000);
  for (const c of CLUSTERS)
    for (const o of t.polis.sim!.cluster(c)!.runtime.store.select('edu--school-sync', {}))
      if (o.info.kind === 'Job') runs.set(o.name, (runs.get(o.name) ?? new Set()).add(c));
}

async function until(rounds: number, done: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < rounds; i++) {
    if (await done()) return true;
    await second();
  }
  return done();
}

const SCHOOL_SYNC = {
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name: 'school-sync', tenant: 'edu' },
  spec: {
    components: [
      {
        name: 'web',
        type: 'webservice',
        properties: { image: 'registry.example.gov.cn/edu/school-sync:1.0', cpu: '100m', memory: '128Mi' },
        traits: [{ type: 'scaler', properties: { replicas: 2 } }],
      },
      {
        name: 'sync',
        type: 'cron-task',
        properties: {
          image: 'registry.example.gov.cn/edu/school-sync-job:1.0',
          schedule: '*/2 * * * *',
          cpu: '100m',
          memory: '64Mi',
        },
      },
    ],
    policies: [
      { name: 'private', type: 'placement', properties: { clusters: CLUSTERS, spreadBy: 'region' } },
      { name: 'come-back', type: 'failover', properties: { stabilizationSeconds: 30 } },
    ],
  },
};

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: new ManualClock('2026-11-24T08:00:00Z') });
  const r = await t.request('POST', `${APPS}/edu/applications`, { token: t.adminToken, body: SCHOOL_SYNC });
  expect(r.statusCode, r.body).toBe(201);
  await until(300, async () => {
    const [a, b] = [await status('health', 'appointment'), await status('edu', 'school-sync')];
    return (
      a?.phase === 'Running' &&
      b?.phase === 'Running' &&
      b.components.find((c) => c.name === 'sync')?.runs?.lastResult !== undefined
    );
  });
}, 180_000);
afterAll(async () => t?.stop());

describe('jobs are not services', () => {
  it('counts only long-running replicas as ready, and divides an hpa minimum among the clusters', async () => {
    const s = await status('health', 'appointment');
    expect(s.phase).toBe('Running');
    const web = s.components.find((c) => c.name === 'web')!;
    const reminders = s.components.find((c) => c.name === 'reminders')!;
    // hpa min 4 spread over two regions: 2 + 2, and each cluster's HPA keeps its 2 (not 4 each: 8/4).
    expect(Object.values(s.placement.web!).reduce((a, n) => a + n, 0)).toBe(4);
    expect({ ready: web.readyReplicas, desired: web.desiredReplicas }).toEqual({ ready: 4, desired: 4 });
    expect(reminders).toMatchObject({ workload: 'CronJob', desiredReplicas: 0, readyReplicas: 0, phase: 'Running' });
    expect(reminders.runs?.nextScheduleTime).toBe('2026-11-24T18:00:00Z');
    const ready = s.components.reduce((a, c) => a + c.readyReplicas, 0);
    const desired = s.components.reduce((a, c) => a + c.desiredReplicas, 0);
    expect(`${ready}/${desired}`).toBe('4/4');
  });

  it('reports a cron-task by its runs: the last succeeded, and the next is due', async () => {
    const sync = (await status('edu', 'school-sync')).components.find((c) => c.name === 'sync')!;
    expect(sync.workload).toBe('CronJob');
    expect(sync.runs).toMatchObject({ lastResult: 'Succeeded', clusters: [expect.any(String)] });
    expect(Date.parse(sync.runs!.nextScheduleTime!)).toBeGreaterThan(Date.parse(sync.runs!.lastScheduleTime!));
  });

  it('fails an application with a cron-task over and back completely, the cron running once per schedule', async () => {
    const before = await status('edu', 'school-sync');
    const [home] = Object.keys(before.placement.sync!);
    const other = CLUSTERS.find((c) => c !== home)!;
    t.polis.sim!.cluster(home!)!.down();
    expect(
      await until(120, async () => {
        const s = await status('edu', 'school-sync');
        return s.phase === 'Running' && s.failover !== undefined && s.placement.sync?.[other] === 1;
      }),
      'failed over',
    ).toBe(true);
    // Runs go on in the other cluster while the home cluster is down.
    await until(150, async () => false);
    t.polis.sim!.cluster(home!)!.restore();
    // What was left on the home cluster goes as soon as it is healthy again (before the stabilization ends).
    expect(
      await until(60, async () => {
        const s = await status('edu', 'school-sync');
        return s.pendingRemoval === undefined && s.failover?.phase === 'failed-over';
      }),
      'leftovers removed',
    ).toBe(true);
    let copies = cronJobsIn();
    let surged = false;
    const back = await until(400, async () => {
      const s = await status('edu', 'school-sync');
      copies = Math.max(copies, cronJobsIn());
      surged ||= s.failover?.phase === 'failing-back';
      return s.failover === undefined && s.phase === 'Running' && s.placement.sync?.[home!] === 1;
    });
    expect(back, `failback finished: ${JSON.stringify((await status('edu', 'school-sync')).failover)}`).toBe(true);
    expect(surged, 'failed back make-before-break').toBe(true);
    expect(copies, 'the CronJob is moved by the surge, never copied').toBe(1);
    // Two more schedules after failback.
    await until(250, async () => false);
    const s = await status('edu', 'school-sync');
    expect(s.phase).toBe('Running');
    expect(cronJobsIn()).toBe(1);
    // Every scheduled run happened in exactly one cluster, and none was missed while failing over and back.
    const minutes = [...runs.keys()].map((n) => Number(n.slice(n.lastIndexOf('-') + 1))).sort((a, b) => a - b);
    for (const [name, where] of runs)
      expect({ name, clusters: [...where] }).toEqual({ name, clusters: [expect.any(String)] });
    const clustersUsed = new Set([...runs.values()].flatMap((w) => [...w]));
    expect([...clustersUsed].sort()).toEqual([...CLUSTERS].sort());
    // One run every two minutes from the first to the last schedule passed: none twice, none missed.
    const lastDue = Math.floor(t.polis.sim!.now() / 120_000) * 2;
    expect(minutes.at(-1)).toBe(lastDue);
    expect(minutes).toEqual(Array.from({ length: minutes.length }, (_, i) => minutes[0]! + 2 * i));
    expect(minutes.length).toBeGreaterThanOrEqual(4);
    // A thousand virtual steps: on a busy machine they take minutes of real time.
  }, 300_000);
});

/** How many clusters hold the CronJob now (reachable ones, as polis leaves them). */
function cronJobsIn(): number {
  let n = 0;
  for (const c of CLUSTERS) {
    const objects = t.polis.sim!.cluster(c)!.runtime.store.select('edu--school-sync', {});
    if (objects.some((o) => o.info.kind === 'CronJob')) n++;
  }
  return n;
}
