import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { CliRun } from './support/cli-users.ts';
import { cliUsers } from './support/cli-users.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Cordon and drain, Kubernetes' meanings, end to end in virtual time through the CLI: cordon places nothing new on
 * gov-west and keeps what runs there; drain moves everything off, make-before-break (gov-west's pods go only once
 * gov-east has all replicas ready); uncordon does not bring anything back.
 */
let t: TestPolis;
let cli: Awaited<ReturnType<typeof cliUsers>>;
const APP = '/apis/core.oam.dev/v1beta1/tenants/edu/applications/drain-probe';
const NS = 'edu--drain-probe';

const app = (replicas: number) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name: 'drain-probe', tenant: 'edu' },
  spec: {
    components: [
      {
        name: 'web',
        type: 'webservice',
        properties: { image: 'registry.example.gov.cn/edu/probe:1.0', cpu: '250m', memory: '256Mi' },
        traits: [{ type: 'scaler', properties: { replicas } }],
      },
    ],
    policies: [{ name: 'two', type: 'placement', properties: { clusters: ['gov-east', 'gov-west'] } }],
  },
});

async function second(): Promise<void> {
  await t.polis.clusters.probeAll();
  await t.polis.delivery.resyncAll();
  await t.polis.feed.idle();
  await t.polis.delivery.idle();
  t.polis.sim!.advance(1000);
}

async function status(): Promise<AppStatus> {
  return (await t.request('GET', APP, { token: t.adminToken })).json().status;
}

function pods(cluster: string) {
  return t.polis.sim!.cluster(cluster)!.pods(NS);
}

async function until(what: string, ok: (s: AppStatus) => boolean, seconds = 120): Promise<AppStatus> {
  for (let i = 0; i < seconds; i++) {
    const s = await status();
    if (s && ok(s)) return s;
    await second();
  }
  throw new Error(`not reached in ${seconds} simulated seconds: ${what}`);
}

function ok(r: CliRun): CliRun {
  expect(r.code, r.stderr).toBe(0);
  return r;
}

beforeAll(async () => {
  t = await startTestPolis({
    listen: true,
    controllers: true,
    virtualTime: true,
    clock: new ManualClock('2026-12-01T10:00:00Z'),
  });
  cli = await cliUsers(t, ['admin'], 'polis-drain-');
  const r = await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/edu/applications', {
    token: t.tokens['edu-admin'],
    body: app(4),
  });
  expect(r.statusCode, r.body).toBe(201);
  await until(
    'Running on both clusters',
    (s) => s.phase === 'Running' && Object.keys(s.placement.web ?? {}).length === 2,
  );
}, 120_000);
afterAll(async () => {
  cli?.remove();
  await t?.stop();
});

describe('cordon and drain', () => {
  it('cordon keeps the replicas on the cluster and sends a scale-up elsewhere', async () => {
    const before = (await status()).placement.web!;
    const west = before['gov-west']!;
    expect(west).toBeGreaterThan(0);
    expect(ok(await cli.polis('admin', ['cluster', 'cordon', 'gov-west'])).stdout).toContain(
      'cluster/gov-west cordoned',
    );
    for (let i = 0; i < 10; i++) await second();
    expect((await status()).placement.web).toEqual(before);
    expect(pods('gov-west').filter((p) => p.ready)).toHaveLength(west);

    const r = await t.request('PATCH', APP, {
      token: t.tokens['edu-admin'],
      contentType: 'application/merge-patch+json',
      body: app(10),
    });
    expect(r.statusCode, r.body).toBe(200);
    const s = await until('scaled to 10', (x) => x.phase === 'Running' && x.components[0]!.readyReplicas === 10);
    expect(s.placement.web!['gov-west']).toBe(west);
    expect(s.placement.web!['gov-east']).toBe(10 - west);
  });

  it('drain moves everything off, removing the old replicas only once the new ones are ready', async () => {
    ok(await cli.polis('admin', ['cluster', 'drain', 'gov-west']));
    const cluster = (await t.request('GET', '/apis/polis.io/v1/clusters/gov-west', { token: t.adminToken })).json();
    expect(cluster.spec).toMatchObject({ cordoned: true, draining: true });
    let sawPending = false;
    for (let i = 0; i < 120; i++) {
      await second();
      const s = await status();
      const westPods = pods('gov-west').length;
      const eastReady = pods('gov-east').filter((p) => p.ready).length;
      // Make-before-break: whenever gov-west's replicas are gone, gov-east runs all ten ready.
      if (westPods === 0) expect(eastReady).toBeGreaterThanOrEqual(10);
      if (s.pendingRemoval?.includes('gov-west')) sawPending = true;
      if (westPods === 0 && !s.pendingRemoval) break;
    }
    const s = await status();
    expect(sawPending, 'gov-west waited for the replacements').toBe(true);
    expect(pods('gov-west')).toHaveLength(0);
    expect(s.placement.web).toEqual({ 'gov-east': 10 });
    expect(s.failover, 'a drain is not a failover').toBeUndefined();
    const web = s.components.find((c) => c.name === 'web')!;
    expect(web.excluded.find((e) => e.cluster === 'gov-west')).toMatchObject({ code: 'ClusterDraining' });
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/edu/events', { token: t.tokens['edu-admin'] });
    expect(events.body).toContain('DrainingFrom');
    expect(events.body).not.toContain('"FailedOver"');
  });

  it('uncordon ends the drain and brings nothing back', async () => {
    expect(ok(await cli.polis('admin', ['cluster', 'uncordon', 'gov-west'])).stdout).toContain('uncordoned');
    const cluster = (await t.request('GET', '/apis/polis.io/v1/clusters/gov-west', { token: t.adminToken })).json();
    expect(cluster.spec.cordoned).toBeUndefined();
    expect(cluster.spec.draining).toBeUndefined();
    for (let i = 0; i < 90; i++) await second();
    expect((await status()).placement.web).toEqual({ 'gov-east': 10 });
  });

  it('refuses a department admin', async () => {
    const r = await t.request('PATCH', '/apis/polis.io/v1/clusters/gov-west', {
      token: t.tokens['edu-admin'],
      contentType: 'application/merge-patch+json',
      body: { spec: { draining: true } },
    });
    expect(r.statusCode).toBe(403);
  });
});
