import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from '../src/kernel/messages/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** Alert rules as objects, the slo policy, the Prometheus export and the alert list, through the API (issue 15 point 4). */
const O = '/apis/observe.polis.io/v1';
let t: TestPolis;

const rule = (tenant: string, name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'observe.polis.io/v1',
  kind: 'AlertRule',
  metadata: { name, tenant },
  spec,
});

beforeAll(async () => {
  t = await startTestPolis();
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('AlertRule objects', () => {
  it('takes a department rule on its own series', async () => {
    const r = await t.request('POST', `${O}/tenants/edu/alertrules`, {
      token: t.tokens['edu-admin'],
      body: rule('edu', 'slow-portal', {
        severity: 'page',
        for: '5m',
        selector: { application: 'portal' },
        threshold: { signal: 'latencyP99Ms', aggregate: 'max', window: '10m', op: '>', value: 800 },
        description: { zh: '门户时延过高', en: 'portal latency too high' },
      }),
    });
    expect(r.statusCode).toBe(201);
  });

  it('refuses a department rule on a cluster’s series or another department’s, naming the field', async () => {
    const cluster = await t.request('POST', `${O}/tenants/edu/alertrules`, {
      token: t.tokens['edu-admin'],
      body: rule('edu', 'nodes', {
        severity: 'page',
        threshold: { signal: 'nodesNotReady', window: '5m', op: '>', value: 0 },
      }),
    });
    expect(cluster.statusCode).toBe(422);
    expect(cluster.body).toContain('spec.threshold.signal');
    expect(cluster.body).toContain('AlertRuleSignalPlatformOnly');
    const other = await t.request('POST', `${O}/tenants/edu/alertrules`, {
      token: t.tokens['edu-admin'],
      body: rule('edu', 'peek', {
        severity: 'page',
        selector: { department: 'tax' },
        threshold: { signal: 'cpuUtilization', window: '5m', op: '>', value: 0.9 },
      }),
    });
    expect(other.statusCode).toBe(422);
    expect(other.body).toContain('spec.selector.department');
    const both = await t.request('POST', `${O}/tenants/edu/alertrules`, {
      token: t.tokens['edu-admin'],
      body: rule('edu', 'bad', { severity: 'page', burnRate: { sli: 'latency', factor: 2, long: '5m', short: '1h' } }),
    });
    expect(both.statusCode).toBe(422);
    expect(both.body).toContain('spec.burnRate.short');
  });

  it('takes a department trend rule (predict_linear) and refuses a wrong one naming the field, the problem and what is accepted', async () => {
    const ok = await t.request('POST', `${O}/tenants/edu/alertrules`, {
      token: t.tokens['edu-admin'],
      body: rule('edu', 'p99-climbing', {
        severity: 'ticket',
        for: '30s',
        selector: { application: 'portal' },
        trend: { signal: 'latencyP99Ms', window: '5m', horizon: '10m', threshold: 1000, floor: 200 },
      }),
    });
    expect(ok.statusCode).toBe(201);
    const rising = await t.request('POST', `${O}/tenants/edu/alertrules`, {
      token: t.tokens['edu-admin'],
      body: rule('edu', 'bad-trend', {
        severity: 'page',
        trend: { signal: 'nodeCpuMax', window: '3m', horizon: '15m', threshold: 1, rising: '3m' },
      }),
    });
    expect(rising.statusCode).toBe(422);
    expect(rising.body).toContain('spec.trend.rising');
    expect(rising.body).toContain('AlertRuleTrendRising');
    expect(rising.body).toContain('spec.trend.signal');
    expect(rising.body).toContain('AlertRuleSignalPlatformOnly');
    const samples = await t.request('POST', `${O}/tenants/edu/alertrules`, {
      token: t.tokens['edu-admin'],
      body: rule('edu', 'bad-samples', {
        severity: 'page',
        trend: { signal: 'memoryOfLimit', window: '3m', horizon: '15m', threshold: 1, minSamples: 50 },
      }),
    });
    expect(samples.statusCode).toBe(422);
    expect(samples.body).toContain('spec.trend.minSamples');
    const zh = await t.request('POST', `${O}/tenants/edu/alertrules`, {
      token: t.tokens['edu-admin'],
      body: rule('edu', 'bad-zh', {
        severity: 'page',
        trend: { signal: 'memoryOfLimit', window: '0s', horizon: '15m', threshold: 1 },
      }),
    });
    expect(zh.statusCode).toBe(422);
    expect(zh.body).toContain('spec.trend.window');
    expect(zh.body).toContain('AlertRuleDurationZero');
    // The cause carries its code and parameters; a console renders it in Chinese from the catalogue.
    const cause = (JSON.parse(zh.body) as { causes: Array<{ code: string; params: Record<string, string> }> })
      .causes[0]!;
    expect(render(cause.code, cause.params, 'zh')).toContain('不是一段时间');
  });

  it('checks an application’s slo policy with paths', async () => {
    const r = await t.request('POST', '/api/v1/apply', {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'slo-check', tenant: 'edu' },
        spec: {
          components: [
            { name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '100m', memory: '64Mi' } },
          ],
          policies: [{ type: 'slo', properties: { availability: 100, components: { api: { availability: 99 } } } }],
        },
      },
    });
    expect(r.statusCode).toBe(422);
    expect(r.body).toContain('spec.policies[0].properties.availability');
    expect(r.body).toContain('spec.policies[0].properties.components.api');
  });
});

describe('the Prometheus rule file', () => {
  it('gives a department its SLO alerts and its rules, scoped to its namespaces', async () => {
    const r = await t.request('GET', `${O}/tenants/edu/prometheusrules`, { token: t.tokens['edu-admin'] });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('yaml');
    const doc = parse(r.body) as {
      groups: Array<{
        name: string;
        rules: Array<{ alert: string; expr: string; for?: string; labels: Record<string, string> }>;
      }>;
    };
    const rules = doc.groups.flatMap((g) => g.rules);
    const page = rules.find((x) => x.alert === 'slo-availability-burn-14-4x')!;
    expect(page.labels.severity).toBe('page');
    expect(page.expr).toMatch(/\[1h\]\)+ > 0\.0144 and .*\[5m\]\)+ > 0\.0144/);
    const own = rules.find((x) => x.alert === 'slow-portal')!;
    expect(own).toMatchObject({ for: '5m', labels: { severity: 'page' } });
    expect(own.expr).toContain('max_over_time(');
    const trend = rules.find((x) => x.alert === 'p99-climbing')!;
    expect(trend).toMatchObject({ for: '30s', labels: { severity: 'ticket', polis_rule: 'edu/p99-climbing' } });
    expect(trend.expr).toMatch(/^predict_linear\(/);
    expect(r.body).not.toMatch(/namespace=~?"[^"]*tax/);
    expect(rules.some((x) => x.alert === 'cluster-unreachable')).toBe(false);
  });

  it('gives the data bureau the platform rules as well, and refuses another department', async () => {
    const all = await t.request('GET', `${O}/prometheusrules?format=prometheus`, { token: t.adminToken });
    expect(all.body).toContain('alert: cluster-unreachable');
    expect(
      (await t.request('GET', `${O}/tenants/edu/prometheusrules`, { token: t.tokens['tax-admin'] })).statusCode,
    ).toBe(403);
    // A department's trend rule is its own: another department's export does not carry it.
    const tax = await t.request('GET', `${O}/tenants/tax/prometheusrules`, { token: t.tokens['tax-admin'] });
    expect(tax.statusCode).toBe(200);
    expect(tax.body).not.toContain('p99-climbing');
    const bad = await t.request('GET', `${O}/prometheusrules?format=xml`, { token: t.adminToken });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('query.format');
  });
});

describe('the alert list', () => {
  it('lists a department’s alerts to it alone, the clusters’ to platform readers', async () => {
    await t.polis.alerts.tick();
    const edu = await t.request('GET', `${O}/tenants/edu/alerts`, { token: t.tokens['edu-admin'] });
    expect(edu.statusCode).toBe(200);
    expect((await t.request('GET', `${O}/tenants/edu/alerts`, { token: t.tokens['tax-admin'] })).statusCode).toBe(403);
    const mine = (await t.request('GET', `${O}/alerts`, { token: t.tokens['tax-admin'] })).json() as {
      items: Array<{ tenant?: string }>;
    };
    expect(mine.items.every((a) => a.tenant === 'tax')).toBe(true);
  });
});

describe('a silenced alert', () => {
  it('stays listed, marked with the silence that holds its notices back', async () => {
    // The platform space: a department of its own, where platform-wide rules and silences live.
    const dept = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name: 'platform' },
        spec: { displayName: { zh: '政数局平台', en: 'Platform' } },
      },
    });
    expect(dept.statusCode, dept.body).toBeLessThan(300);
    const always = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: rule('platform', 'quota-counted', {
        severity: 'ticket',
        threshold: { signal: 'quotaCpuUsed', aggregate: 'last', window: '1m', op: '>=', value: 0 },
      }),
    });
    expect(always.statusCode, always.body).toBeLessThan(300);
    type Listed = { items: Array<{ rule: string; state: string; silencedBy?: string }> };
    const mine = async () =>
      ((await t.request('GET', `${O}/alerts`, { token: t.adminToken })).json() as Listed).items.filter(
        (a) => a.rule === 'quota-counted',
      );
    await expect
      .poll(
        async () => {
          await t.polis.alerts.tick();
          return (await mine()).some((a) => a.state === 'firing');
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    expect((await mine()).every((a) => a.silencedBy === undefined)).toBe(true);
    const silence = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: {
        apiVersion: 'observe.polis.io/v1',
        kind: 'Silence',
        metadata: { name: 'quiet', tenant: 'platform' },
        spec: { matchers: { rule: 'quota-counted' }, endsAt: '2099-01-01T00:00:00Z', comment: '维护' },
      },
    });
    expect(silence.statusCode, silence.body).toBeLessThan(300);
    const silenced = await mine();
    expect(silenced.length).toBeGreaterThan(0);
    expect(silenced.filter((a) => a.state !== 'resolved').every((a) => a.silencedBy === 'platform/quiet')).toBe(true);
  });
});
