import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { AppStatus } from '../src/delivery/app-status.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Failback after a partition heals, in virtual time, driven as bench/first-alert.ts drives polis: each step probes
 * the clusters, waits for delivery and advances the cloud; no resync stands in for the controller's timed rechecks.
 * examples/apps/40-hrss-social-security.yaml: deploy-east (500m) on gov-east, deploy-west (west-small, 250m) on gov-west.
 */
let t: TestPolis;
const clock = new ManualClock('2026-11-24T08:00:00Z');
const APP = '/apis/core.oam.dev/v1beta1/tenants/hrss/applications/social-security-query';

async function step(ms = 15_000): Promise<void> {
  await t.polis.clusters.probeAll();
  await t.polis.delivery.idle();
  t.polis.sim!.advance(ms);
  await t.polis.delivery.idle();
}

async function status(): Promise<AppStatus> {
  return (await t.request('GET', APP, { token: t.adminToken })).json().status;
}

/** The query Deployment's CPU request in a cluster, as the cluster has it. */
function queryCpu(cluster: string): string | undefined {
  const d = t.polis
    .sim!.cluster(cluster)!
    .list('hrss--social-security-query', {})
    .find((o) => o.kind === 'Deployment' && o.metadata.name === 'query') as
    { spec: { template: { spec: { containers: { resources?: { requests?: { cpu?: string } } }[] } } } } | undefined;
  return d?.spec.template.spec.containers[0]?.resources?.requests?.cpu;
}

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
  await t.polis.delivery.resyncAll();
  for (let i = 0; i < 40 && (await status())?.phase !== 'Running'; i++) await step(1000);
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('failback after a partition heals, in virtual time', () => {
  it('fails social-security-query back to gov-west within the stabilization period and a few steps, gov-east at 500m throughout', async () => {
    expect((await status()).placement.query).toEqual({ 'gov-east': 2, 'gov-west': 2 });
    expect(queryCpu('gov-east')).toBe('500m');
    const west = t.polis.sim!.cluster('gov-west')!;
    west.partition();
    for (let i = 0; i < 8; i++) await step();
    let s = await status();
    expect(s.placement.query).toEqual({ 'gov-east': 2 });
    expect(s.failover).toMatchObject({ origins: ['gov-west'] });

    west.restore();
    const healed = clock.now().getTime();
    let back: number | undefined;
    const cpuEast = new Set<string | undefined>();
    for (let i = 0; i < 60 && back === undefined; i++) {
      await step();
      cpuEast.add(queryCpu('gov-east'));
      s = await status();
      if (s.failover === undefined && s.placement.query?.['gov-west'] === 2) back = clock.now().getTime() - healed;
    }
    // Unreachable -> Ready takes two good probes, then 60 s of stabilization, the surge, and the replicas' start:
    // 105 s in 15 s steps. Before, the rechecks ran on the wall clock (never, in virtual time) and a surge was looked
    // at again only when something else queued the application: the bench saw no failback in 15 min.
    expect(back, 'failed back within 15 min of the heal').toBeDefined();
    expect(back!).toBeLessThanOrEqual(180_000);
    expect([...cpuEast]).toEqual(['500m']);
    expect(queryCpu('gov-west')).toBe('250m');
  });
});
