import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { AppStatus } from '../src/delivery/app-status.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** The sandbox's controls, in virtual time: fail and restore a cluster and watch an application move; load. */
let t: TestPolis;
const APPS = '/apis/core.oam.dev/v1beta1/tenants';

async function settle(rounds: number, until?: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await t.polis.clusters.probeAll();
    // Virtual time: no periodic resync runs (timed rechecks come due by the clock, at delivery.idle()): one each round.
    await t.polis.delivery.resyncAll();
    await t.polis.delivery.idle();
    t.polis.sim!.advance(1000);
    await t.polis.delivery.idle();
    if (until && (await until())) return;
  }
}

async function status(tenant: string, name: string): Promise<AppStatus> {
  return (await t.request('GET', `${APPS}/${tenant}/applications/${name}`, { token: t.adminToken })).json().status;
}

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: new ManualClock('2026-11-24T08:00:00Z') });
  await settle(40, async () => (await status('tax', 'e-invoice'))?.phase === 'Running');
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe('sandbox controls', () => {
  it('fails a cluster: polis notices, moves the replicas to the other eligible cluster, and deletes nothing there', async () => {
    expect((await status('tax', 'e-invoice')).placement.gateway).toEqual({ 'gov-east': 4, 'gov-west': 2 });
    const r = await t.request('POST', '/api/v1/sandbox/clusters/gov-west/fail', { token: t.adminToken });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ kind: 'SandboxCluster', name: 'gov-west', state: 'down' });
    await settle(10, async () => (await status('tax', 'e-invoice')).placement.gateway?.['gov-west'] === undefined);
    const s = await status('tax', 'e-invoice');
    expect(s.placement.gateway).toEqual({ 'gov-east': 6 });
    expect(s.pendingRemoval).toEqual(['gov-west']);
    // Nothing was deleted on the failed cluster: it may come back with its pods.
    expect(t.polis.sim!.cluster('gov-west')!.runtime.store.select('tax--e-invoice', {}).length).toBeGreaterThan(0);
    const audit = await t.request('GET', '/api/v1/audit?kind=Cluster&verb=fail', { token: t.adminToken });
    expect(audit.json().items[0]).toMatchObject({ actor: 'admin', name: 'gov-west', outcome: 'success' });
  });

  it('restores it: the leftovers there go once it is healthy, and after the stabilization period the application fails back without ever running short', async () => {
    const r = await t.request('POST', '/api/v1/sandbox/clusters/gov-west/restore', { token: t.adminToken });
    expect(r.statusCode).toBe(200);
    await settle(10, async () => (await status('tax', 'e-invoice')).pendingRemoval === undefined);
    let s = await status('tax', 'e-invoice');
    expect(s.phase).toBe('Running');
    expect(s.failover).toMatchObject({ origins: ['gov-west'], phase: 'failed-over' });
    // e-invoice's failover policy: failback auto after 120 s of health. Ready gateways never drop below 6.
    let lowest = Number.POSITIVE_INFINITY;
    await settle(200, async () => {
      const x = await status('tax', 'e-invoice');
      lowest = Math.min(lowest, x.components.find((c) => c.name === 'gateway')!.readyReplicas);
      return x.failover === undefined && x.phase === 'Running';
    });
    s = await status('tax', 'e-invoice');
    expect(s.failover).toBeUndefined();
    expect(s.placement.gateway).toEqual({ 'gov-east': 4, 'gov-west': 2 });
    expect(lowest).toBeGreaterThanOrEqual(6);
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/tax/events', { token: t.adminToken });
    expect(events.body).toContain('FailedBack');
  });

  it('multiplies an application’s load for its department, and refuses other departments', async () => {
    const r = await t.request('POST', `/api/v1/sandbox/tenants/edu/applications/enrolment-portal/load`, {
      token: t.tokens['edu-staff'],
      body: { factor: 30, forSeconds: 600, component: 'web' },
    });
    expect(r.statusCode, r.body).toBe(200);
    const offered = r.json().components[0].offeredRps as number;
    expect(offered).toBeGreaterThan(0);
    expect(t.polis.sim!.offeredRps('edu--enrolment-portal', 'web')).toBeCloseTo(offered, 0);
    const other = await t.request('POST', `/api/v1/sandbox/tenants/edu/applications/enrolment-portal/load`, {
      token: t.tokens['tax-admin'],
      body: { factor: 30 },
    });
    expect(other.statusCode).toBe(403);
    const cluster = await t.request('POST', '/api/v1/sandbox/clusters/gov-east/fail', { token: t.tokens['edu-admin'] });
    expect(cluster.statusCode).toBe(403);
  });

  it('shows the load in the application’s golden signals, to its department only', async () => {
    t.polis.sim!.advance(1000);
    const r = await t.request('GET', `${APPS}/edu/applications/enrolment-portal/metrics`, {
      token: t.tokens['edu-staff'],
    });
    expect(r.statusCode, r.body).toBe(200);
    const web = (r.json().components as { component: string; signals: { requestsPerSecond: number } }[]).find(
      (c) => c.component === 'web',
    )!;
    expect(web.signals.requestsPerSecond).toBeGreaterThan(0);
    const other = await t.request('GET', `${APPS}/edu/applications/enrolment-portal/metrics`, {
      token: t.tokens['tax-admin'],
    });
    expect(other.statusCode).toBe(403);
  });

  it('serves the simulated cloud in Prometheus format to platform readers, not to departments', async () => {
    const r = await t.request('GET', '/api/v1/sandbox/metrics', { token: t.adminToken });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('container_cpu_usage_seconds_total');
    expect(r.body).toContain('namespace="edu--enrolment-portal"');
    const dept = await t.request('GET', '/api/v1/sandbox/metrics', { token: t.tokens['edu-admin'] });
    expect(dept.statusCode).toBe(403);
  });

  it('refuses bad input naming the field, and an unknown cluster naming the sandbox’s', async () => {
    const bad = await t.request('POST', `/api/v1/sandbox/tenants/edu/applications/enrolment-portal/load`, {
      token: t.tokens['edu-admin'],
      body: { factor: -1, for: '10m' },
    });
    expect(bad.statusCode).toBe(422);
    expect((bad.json().causes as { path: string }[]).map((c) => c.path).sort()).toEqual(['factor', 'for']);
    const none = await t.request('POST', '/api/v1/sandbox/clusters/nowhere/fail', { token: t.adminToken });
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toContain('gov-east');
  });
});
