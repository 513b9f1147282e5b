import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricsSource } from '../src/observe/index.ts';
import { RecommendationService } from '../src/operations/rightsizing/recommendation-service.ts';
import { startTestPolis, type TestPolis } from './support/test-polis.ts';

/** Rightsizing applied through the normal path, scorecards, mandatory checks and the maturity level, over HTTP. */
let t: TestPolis;
const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';

function application(name: string, annotations: Record<string, string> = {}) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, annotations },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'registry.example.gov.cn/edu/web:1.0.0', cpu: '2', memory: '1Gi' },
        },
      ],
    },
  };
}

beforeAll(async () => {
  t = await startTestPolis();
  const r = await t.request('POST', APPS, { token: t.tokens['edu-admin'], body: application('sizing') });
  expect(r.statusCode).toBe(201);
});

afterAll(async () => {
  await t?.stop();
});

describe('rightsizing through the API', () => {
  it('answers per application, keeping the requests while there is no history, and says why', async () => {
    const r = await t.request('GET', '/api/v1/tenants/edu/applications/sizing/recommendations', {
      token: t.tokens['edu-admin'],
    });
    expect(r.statusCode).toBe(200);
    const body = r.json() as {
      components: { component: string; notes: { code: string }[]; savingYuanPerMonth: number }[];
    };
    const web = body.components.find((c) => c.component === 'web')!;
    expect(web.savingYuanPerMonth).toBe(0);
    expect(web.notes.map((n) => n.code)).toContain('RightsizingNoHistory');
  });

  it('refuses a bad price naming the parameter', async () => {
    const r = await t.request('GET', '/api/v1/tenants/edu/recommendations?cpuCoreHour=cheap', {
      token: t.tokens['edu-admin'],
    });
    expect(r.statusCode).toBe(400);
    expect(r.body).toContain('query.cpuCoreHour');
  });

  it('applies a recommendation as a new revision, audited as rightsize, and rollback restores the owner’s sizing', async () => {
    // A week of recorded use at 5-minute steps: 10% of the 2-core request (0.2 core), 1% of the time 0.6 core.
    const now = Date.now();
    const recorded: MetricsSource = {
      name: 'recorded',
      signals: async () => undefined,
      history: async (_ref, _signal, from, to, step) =>
        Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => (i % 100 === 0 ? 0.3 : 0.1)),
    };
    const service = new RecommendationService({ resources: t.polis.resources, metrics: recorded, now: () => now });
    const before = await t.polis.resources.get('Application', 'edu', 'sizing');
    const applied = await service.apply({ actor: 'edu-admin', requestId: 'test' } as never, 'edu', 'sizing', 'web', {
      cpuCoreHour: 0.12,
      memoryGiBHour: 0.016,
    });
    const rec = applied.recommendation;
    expect(rec.recommended.profile).not.toBe('current');
    expect(rec.recommended.risk.share).toBeLessThanOrEqual(0.01);
    expect(rec.savingYuanPerMonth).toBeGreaterThan(0);
    expect(applied.object.metadata.generation).toBe(before.metadata.generation + 1);
    const props = (applied.object.spec as { components: { properties: Record<string, string> }[] }).components[0]!
      .properties;
    expect(props.cpu).toBe(`${rec.recommended.cpuMilli}m`);
    expect(props.memory).toBe('1Gi'); // no memory history: kept

    const audit = await t.request('GET', '/api/v1/audit?kind=Application&name=sizing&verb=rightsize', {
      token: t.adminToken,
    });
    expect(audit.body).toContain('"verb":"rightsize"');
    const revisions = await t.request('GET', `${APPS}/sizing/revisions`, { token: t.tokens['edu-admin'] });
    expect(revisions.body).toContain('sizing-v2');
    const back = await t.request('POST', `${APPS}/sizing/rollback`, {
      token: t.tokens['edu-admin'],
      body: { revision: 1 },
    });
    expect(back.statusCode).toBe(200);
    const restored = await t.polis.resources.get('Application', 'edu', 'sizing');
    expect(
      (restored.spec as { components: { properties: Record<string, string> }[] }).components[0]!.properties.cpu,
    ).toBe('2');
  });
});

describe('the maturity assessment through the API', () => {
  it('gives an application its scorecard with reasons and fixes, and a department its scores', async () => {
    const r = await t.request('GET', '/api/v1/tenants/edu/applications/sizing/assessment', {
      token: t.tokens['edu-admin'],
    });
    expect(r.statusCode).toBe(200);
    const card = r.json() as {
      results: { check: string; passed: boolean; reason?: { code: string } }[];
      score: number;
    };
    expect(card.results.find((x) => x.check === 'maintainer-named')).toMatchObject({
      passed: false,
      reason: { code: 'AssessNoMaintainer' },
    });
    const dept = (
      await t.request('GET', '/api/v1/tenants/edu/assessment', { token: t.tokens['edu-admin'] })
    ).json() as {
      applications: { application: string }[];
    };
    expect(dept.applications.map((a) => a.application)).toContain('sizing');
  });

  it('shows the platform level with its evidence to the data bureau, and only own departments to a department', async () => {
    const admin = (await t.request('GET', '/api/v1/assessment', { token: t.adminToken })).json() as {
      level: { level: number; criteria: { id: string; evidence: Record<string, number> }[] };
      departments: { tenant: string }[];
    };
    expect(admin.level.level).toBeGreaterThanOrEqual(1);
    expect(admin.level.criteria.find((c) => c.id === 'standard')?.evidence).toHaveProperty('applications');
    const edu = (await t.request('GET', '/api/v1/assessment', { token: t.tokens['edu-admin'] })).json() as Record<
      string,
      unknown
    > & { departments: { tenant: string }[] };
    expect(edu).not.toHaveProperty('level');
    expect(edu.departments.map((d) => d.tenant)).toEqual(['edu']);
  });

  it('refuses at apply an application failing a check the data bureau made mandatory, with the reason code', async () => {
    const policy = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'AssessmentPolicy',
        metadata: { name: 'default' },
        spec: { mandatoryChecks: ['maintainer-named', 'cpu-request'] },
      },
    });
    expect(policy.statusCode).toBeLessThan(300);
    const refused = await t.request('POST', APPS, { token: t.tokens['edu-admin'], body: application('unowned') });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('AssessMandatoryChecksFailed');
    expect(refused.body).toContain('AssessNoMaintainer');
    const accepted = await t.request('POST', APPS, {
      token: t.tokens['edu-admin'],
      body: application('owned', { 'polis.io/maintainer': 'edu-ops@example.gov.cn' }),
    });
    expect(accepted.statusCode).toBe(201);
    const unknown = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'AssessmentPolicy',
        metadata: { name: 'default' },
        spec: { mandatoryChecks: ['be-nice'] },
      },
    });
    expect(unknown.statusCode).toBeGreaterThanOrEqual(400);
    expect(unknown.body).toContain('mandatoryChecks');
  });
});

describe('utilization through the API', () => {
  it('gives the data bureau clusters and departments, and a department only its own rows', async () => {
    const admin = (await t.request('GET', '/api/v1/utilization?hours=2', { token: t.adminToken })).json() as {
      clusters?: unknown[];
      departments: { tenant: string }[];
    };
    expect(Array.isArray(admin.clusters)).toBe(true);
    const edu = (await t.request('GET', '/api/v1/utilization', { token: t.tokens['edu-admin'] })).json() as {
      clusters?: unknown[];
      departments: { tenant: string }[];
    };
    expect(edu.clusters).toBeUndefined();
    expect(edu.departments.every((d) => d.tenant === 'edu')).toBe(true);
    const other = await t.request('GET', '/api/v1/tenants/tax/utilization', { token: t.tokens['edu-admin'] });
    expect(other.statusCode).toBe(403);
  });
});
