import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { AppStatus } from '../src/delivery/app-status.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Cluster writes are fenced like store writes (docs/deploy.md, Several replicas): once this replica's term is over,
 * delivery applies and prunes nothing more on the clusters, and the refusal is counted in polis_fenced_writes_total.
 * The lease is long (10 min), so the elector does not notice the takeover by itself while the case runs: only the
 * check before each cluster write stands between the deposed leader and the cluster.
 */
let t: TestPolis;
const APP = '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal';

async function status(): Promise<AppStatus | undefined> {
  return ((await t.request('GET', APP, { token: t.adminToken })).json() as { status?: AppStatus }).status;
}

function webReplicas(): number {
  const east = t.polis.sim!.cluster('gov-east')!;
  const web = east
    .list('edu--enrolment-portal', { 'app.oam.dev/name': 'enrolment-portal' })
    .find((m) => m.kind === 'Deployment' && m.metadata.name === 'web');
  return Number((web as { spec?: { replicas?: number } } | undefined)?.spec?.replicas ?? Number.NaN);
}

beforeAll(async () => {
  t = await startTestPolis({
    controllers: true,
    virtualTime: true,
    clock: new ManualClock('2026-11-24T08:00:00Z'),
    config: { leaseMs: 600_000 },
  });
  for (let i = 0; i < 60 && (await status())?.phase !== 'Running'; i++) {
    await t.polis.clusters.probeAll();
    await t.polis.delivery.idle();
    t.polis.sim!.advance(1000);
  }
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('fenced cluster writes', () => {
  it('a leader whose term passed to another applies nothing more to a cluster, and counts the refusal', async () => {
    expect((await status())?.phase).toBe('Running');
    const before = webReplicas();
    expect(before).toBeGreaterThan(0);
    const refusedBefore = t.polis.resources.fencedWriteCounts.refused;

    // Another replica takes the term: the lease is released and won in the next epoch by someone else.
    const term = t.polis.elector.fence();
    await t.polis.store.releaseLease(term.name, term.holder, term.epoch);
    const usurper = await t.polis.store.acquireLease({ name: term.name, holder: 'usurper', epoch: 0, ttlMs: 600_000 });
    expect(usurper).toMatchObject({ held: true, epoch: term.epoch + 1 });

    // A person scales the application (their writes are not fenced); the deposed leader's delivery sees it.
    const current = (await t.request('GET', APP, { token: t.adminToken })).json() as {
      spec: { components: { name: string; traits: { type: string; properties: { replicas?: number } }[] }[] };
    };
    const web = current.spec.components.find((c) => c.name === 'web')!;
    web.traits.find((tr) => tr.type === 'scaler')!.properties.replicas = 9;
    const scaled = await t.request('PUT', APP, { token: t.adminToken, body: current });
    expect(scaled.statusCode).toBe(200);
    await expect
      .poll(() => t.polis.resources.fencedWriteCounts.refused, { timeout: 60_000, interval: 50 })
      .toBeGreaterThan(refusedBefore);
    await t.polis.delivery.idle();
    expect(webReplicas()).toBe(before);
    const metrics = (await t.request('GET', '/metrics', { token: t.adminToken })).body;
    expect(Number(/^polis_fenced_writes_total\{outcome="refused"\} (\d+)/m.exec(metrics)?.[1])).toBeGreaterThan(0);
  });
});
