import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * status.lastHeartbeat is the cluster's last successful probe (issue 12, point 23): a healthy cluster's age stays
 * within a minute however long nothing else changes, an unreachable one's grows, and the store is written at most
 * once a minute for it, not once per heartbeat.
 */
let t: TestPolis;
const clock = new ManualClock('2026-11-24T10:00:00Z');
const CLUSTER = '/apis/polis.io/v1/clusters';

async function cluster(name: string) {
  return (await t.request('GET', `${CLUSTER}/${name}`, { token: t.adminToken })).json();
}

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
  await t.polis.clusters.probeAll();
});
afterAll(async () => t?.stop());

describe('a cluster heartbeat’s age', () => {
  it('follows the last successful probe, written at most once a minute', async () => {
    const versions = new Set<string>();
    const ages: number[] = [];
    for (let i = 0; i < 90; i++) {
      clock.advance(2000);
      await t.polis.clusters.probeAll();
      const c = await cluster('gov-east');
      versions.add(c.metadata.resourceVersion);
      ages.push(clock.now().getTime() - Date.parse(c.status.lastHeartbeat));
    }
    // 180 s of heartbeats every 2 s: the age never passes a minute (and a heartbeat), with a handful of writes.
    expect(Math.max(...ages)).toBeLessThanOrEqual(62_000);
    expect(versions.size).toBeLessThanOrEqual(5);
  });

  it('stays at the last success while the cluster does not answer', async () => {
    t.polis.sim!.cluster('gov-west')!.down();
    clock.advance(2000);
    await t.polis.clusters.probeAll();
    const lastOk = Date.parse((await cluster('gov-west')).status.lastHeartbeat);
    for (let i = 0; i < 40; i++) {
      clock.advance(2000);
      await t.polis.clusters.probeAll();
    }
    const c = await cluster('gov-west');
    expect(c.status.health).toBe('Unreachable');
    expect(Date.parse(c.status.lastHeartbeat)).toBeLessThanOrEqual(lastOk);
    t.polis.sim!.cluster('gov-west')!.restore();
  });
});
