import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appNamespace } from '../src/delivery/namespace.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import { constant } from '../src/sim/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Metric history end to end in virtual time: the sampler records the demo city's simulated cloud every 15 s into
 * the store; the history API and the Prometheus-compatible endpoint answer from it, each department seeing only
 * its own series.
 */
let t: TestPolis;
let clock: ManualClock;
const RPS = 'polis_component_requests_per_second';

async function status(tenant: string, app: string): Promise<string | undefined> {
  const r = await t.request('GET', `/apis/core.oam.dev/v1beta1/tenants/${tenant}/applications/${app}`, {
    token: t.adminToken,
  });
  return r.json().status?.phase;
}

beforeAll(async () => {
  clock = new ManualClock('2026-12-01T08:00:00Z');
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
  for (let i = 0; i < 60; i++) {
    if ((await status('edu', 'enrolment-portal')) === 'Running' && (await status('tax', 'e-invoice')) === 'Running')
      break;
    await t.polis.clusters.probeAll();
    t.polis.sim!.advance(1000);
    await t.polis.feed.idle();
    await t.polis.delivery.idle();
  }
  const sim = t.polis.sim!;
  sim.setScenario(appNamespace('edu', 'enrolment-portal'), 'web', constant(40));
  sim.setScenario(appNamespace('tax', 'e-invoice'), 'gateway', constant(25));
  // 30 minutes of samples, 15 s apart.
  for (let i = 0; i < 120; i++) {
    sim.advance(15_000);
    await t.polis.history.sampler!.tick();
  }
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('the history API', () => {
  it("gives a department its applications' series and their total over the last hour", async () => {
    const r = await t.request('GET', `/api/v1/tenants/edu/history?signal=${RPS}&range=1h`, {
      token: t.tokens['edu-admin'],
    });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ kind: 'MetricHistory', source: 'polis', signal: RPS, stepSeconds: 15 });
    const portal = body.series.find((s: { labels: { app: string } }) => s.labels.app === 'enrolment-portal');
    expect(portal).toBeDefined();
    const recent = (body.total as [number, number | null][]).slice(-20).map(([, v]) => v);
    expect(recent.every((v) => v !== null && Math.abs(v - 40) < 1)).toBe(true);
    // Before the sampler started there is nothing: gaps, not zeros.
    expect(body.total[0][1]).toBeNull();
  });

  it('gives one component of one application', async () => {
    const r = await t.request(
      'GET',
      `/api/v1/tenants/edu/history?signal=polis_component_ready_pods&app=enrolment-portal&component=web&range=30m&step=1m`,
      { token: t.tokens['edu-staff'] },
    );
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().series).toHaveLength(1);
    expect(r.json().series[0].labels.component).toBe('web');
    expect(r.json().total.at(-1)[1]).toBeGreaterThan(0);
  });

  it("refuses another department's history, and names a bad parameter", async () => {
    const other = await t.request('GET', `/api/v1/tenants/tax/history?signal=${RPS}`, { token: t.tokens['edu-admin'] });
    expect(other.statusCode).toBe(403);
    const bad = await t.request('GET', `/api/v1/tenants/edu/history?signal=nope`, { token: t.tokens['edu-admin'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.causes[0]).toMatchObject({ field: 'query.signal', reason: 'QueryValueInvalid' });
    const long = await t.request('GET', `/api/v1/tenants/edu/history?signal=${RPS}&range=91d`, {
      token: t.tokens['edu-admin'],
    });
    expect(long.statusCode).toBe(400);
  });

  it('gives platform-wide readers clusters and nodes, and no department member', async () => {
    const url = '/api/v1/history?signal=polis_node_pods&range=1h';
    const admin = await t.request('GET', url, { token: t.adminToken });
    expect(admin.statusCode, admin.body).toBe(200);
    expect(admin.json().series.length).toBeGreaterThan(1);
    expect((await t.request('GET', url, { token: t.tokens['auditor'] })).statusCode).toBe(200);
    expect((await t.request('GET', url, { token: t.tokens['edu-admin'] })).statusCode).toBe(403);
  });
});

describe('the Prometheus-compatible endpoint', () => {
  const range = () => {
    const end = clock.now().getTime() / 1000;
    return `start=${end - 1800}&end=${end}&step=60`;
  };

  it("answers a department's range query with its own series only", async () => {
    const q = encodeURIComponent(`sum by (tenant, app) (${RPS})`);
    const edu = await t.request('GET', `/prometheus/api/v1/query_range?query=${q}&${range()}`, {
      token: t.tokens['edu-admin'],
    });
    expect(edu.statusCode, edu.body).toBe(200);
    const result = edu.json().data.result as { metric: Record<string, string>; values: [number, string][] }[];
    expect(edu.json().data.resultType).toBe('matrix');
    expect(result.map((s) => s.metric.tenant)).toEqual(result.map(() => 'edu'));
    expect(Number(result.find((s) => s.metric.app === 'enrolment-portal')!.values.at(-1)![1])).toBeCloseTo(40, 0);
    const admin = await t.request('GET', `/prometheus/api/v1/query_range?query=${q}&${range()}`, {
      token: t.adminToken,
    });
    const tenants = new Set(admin.json().data.result.map((s: { metric: { tenant: string } }) => s.metric.tenant));
    expect(tenants.has('edu') && tenants.has('tax')).toBe(true);
  });

  it('takes POSTed forms, as Grafana sends them, and instant queries', async () => {
    const end = clock.now().getTime() / 1000;
    const r = await t.request('POST', '/prometheus/api/v1/query_range', {
      token: t.tokens['tax-admin'],
      contentType: 'application/x-www-form-urlencoded',
      body: `query=${encodeURIComponent(RPS)}&start=${end - 600}&end=${end}&step=15s`,
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data.result.every((s: { metric: { tenant: string } }) => s.metric.tenant === 'tax')).toBe(true);
    expect(r.json().data.result.length).toBeGreaterThan(0);
    const i = await t.request('GET', `/prometheus/api/v1/query?query=${encodeURIComponent(`sum(${RPS})`)}`, {
      token: t.tokens['tax-admin'],
    });
    expect(i.statusCode, i.body).toBe(200);
    expect(Number(i.json().data.result[0].value[1])).toBeCloseTo(25, 0);
  });

  it('lists series, labels and label values within the caller’s departments', async () => {
    const series = await t.request(
      'GET',
      `/prometheus/api/v1/series?match[]=${encodeURIComponent('{__name__=~".+"}')}`,
      {
        token: t.tokens['edu-admin'],
      },
    );
    expect(series.statusCode, series.body).toBe(200);
    const labels = series.json().data as Record<string, string>[];
    expect(labels.length).toBeGreaterThan(0);
    expect(labels.every((l) => l.tenant === 'edu')).toBe(true);
    const values = await t.request('GET', '/prometheus/api/v1/label/tenant/values', { token: t.tokens['edu-admin'] });
    expect(values.json().data).toEqual(['edu']);
    const names = await t.request('GET', '/prometheus/api/v1/labels', { token: t.tokens['edu-admin'] });
    expect(names.json().data).toEqual(expect.arrayContaining(['__name__', 'app', 'component', 'tenant']));
    expect(names.json().data).not.toContain('node');
    const none = await t.request('GET', '/prometheus/api/v1/label/tenant/values', { token: t.tokens['publisher'] });
    expect(none.json().data).toEqual([]);
  });

  it('refuses what it does not evaluate in the shape Prometheus clients read', async () => {
    const r = await t.request(
      'GET',
      `/prometheus/api/v1/query_range?query=${encodeURIComponent(`rate(${RPS}[5m])`)}&${range()}`,
      { token: t.tokens['edu-admin'] },
    );
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(r.json().error).toMatch(/query/);
    const fine = await t.request('GET', `/prometheus/api/v1/query_range?query=${RPS}&start=0&end=86400&step=1`, {
      token: t.tokens['edu-admin'],
    });
    expect(fine.statusCode).toBe(400);
  });
});
