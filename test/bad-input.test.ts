import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** Every kind of bad input gets a 4xx naming the field and what is accepted, and leaves nothing behind. */
let t: TestPolis;
let token: string;

beforeAll(async () => {
  t = await startTestPolis();
  token = t.tokens['edu-admin']!;
});
afterAll(async () => {
  await t?.stop();
});

const app = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: 'edu' },
  spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '100m' } }] },
  ...extra,
});

interface Case {
  readonly title: string;
  readonly body: string;
  readonly contentType?: string;
  readonly url?: string;
  readonly status: number;
  readonly path: string | RegExp;
  readonly message?: RegExp;
}

const CASES: Case[] = [
  {
    title: 'a name that is not DNS-1123',
    body: JSON.stringify(app('Enrolment_Portal')),
    status: 422,
    path: 'metadata.name',
    message: /lower-case/,
  },
  {
    title: 'a name longer than 63 characters',
    body: JSON.stringify(app('a'.repeat(64))),
    status: 422,
    path: 'metadata.name',
    message: /at most 63/,
  },
  {
    title: 'an unknown top-level field',
    body: JSON.stringify(app('x', { specs: {} })),
    status: 422,
    path: 'specs',
    message: /unknown field/,
  },
  {
    title: 'an unknown metadata field',
    // (metadata.namespace is accepted on an Application, as KubeVela's carry it: docs/oam.md)
    body: JSON.stringify({ ...app('x'), metadata: { name: 'x', tenant: 'edu', clusterName: 'edu' } }),
    status: 422,
    path: 'metadata.clusterName',
  },
  {
    title: 'a wrong type deep in the spec',
    body: JSON.stringify({
      ...app('x'),
      spec: {
        components: [
          { name: 'web', type: 'webservice', traits: [{ type: 'scaler', properties: { replicas: 'three' } }] },
        ],
      },
    }),
    status: 422,
    path: 'spec.components[0].traits[0].properties.replicas',
  },
  {
    title: 'a CPU quantity that is not one',
    body: JSON.stringify({
      ...app('x'),
      spec: { components: [{ name: 'web', type: 'webservice', properties: { cpu: 'lots' } }] },
    }),
    status: 422,
    path: 'spec.components[0].properties.cpu',
    message: /500m/,
  },
  {
    title: 'a missing spec',
    body: JSON.stringify({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'x', tenant: 'edu' },
    }),
    status: 422,
    path: 'spec',
    message: /required/,
  },
  {
    title: 'a wrong apiVersion',
    body: JSON.stringify({ ...app('x'), apiVersion: 'core.oam.dev/v1' }),
    status: 422,
    path: 'apiVersion',
    message: /core.oam.dev\/v1beta1/,
  },
  {
    title: 'an unknown kind',
    body: JSON.stringify({ ...app('x'), kind: 'Deployment' }),
    status: 422,
    path: 'kind',
    message: /served kinds/,
  },
  {
    title: 'malformed YAML',
    body: 'apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {name: x\n',
    contentType: 'application/yaml',
    status: 400,
    path: 'documents[0]',
    message: /line \d+/,
  },
  {
    title: 'duplicate keys in YAML',
    body: 'apiVersion: core.oam.dev/v1beta1\nkind: Application\nkind: Application\nmetadata: {name: x}\n',
    contentType: 'application/yaml',
    status: 400,
    path: 'documents[0]',
    message: /unique/,
  },
  {
    title: 'duplicate keys in JSON',
    body: '{"apiVersion":"core.oam.dev/v1beta1","kind":"Application","metadata":{"name":"x","name":"y","tenant":"edu"},"spec":{"components":[]}}',
    status: 400,
    path: 'metadata.name',
    message: /twice/,
  },
  {
    title: 'a YAML alias bomb',
    body: [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n'),
    contentType: 'application/yaml',
    status: 400,
    path: 'documents[0]',
    message: /expand/,
  },
  {
    title: 'a YAML tag that would run code',
    body: 'x: !!js/function "function(){}"\n',
    contentType: 'application/yaml',
    status: 400,
    path: 'documents[0]',
    message: /tag/i,
  },
  {
    title: 'a prototype-polluting key',
    body: '{"__proto__":{"admin":true},"kind":"Application"}',
    status: 400,
    path: '__proto__',
  },
  {
    title: 'JSON that does not parse',
    body: '{"apiVersion": ',
    status: 400,
    path: '(body)',
    message: /not valid JSON/,
  },
  {
    title: 'a body over the limit',
    body: JSON.stringify(app('x', { extra: 'x'.repeat(1024 * 1024 + 10) })),
    status: 413,
    path: '(body)',
    message: /larger than the limit/,
  },
  {
    title: 'an unsupported media type',
    body: '<xml/>',
    contentType: 'application/xml',
    status: 415,
    path: '(content-type)',
  },
  {
    title: 'a department mismatch between body and path',
    url: '/apis/core.oam.dev/v1beta1/tenants/edu/applications',
    body: JSON.stringify({ ...app('x'), metadata: { name: 'x', tenant: 'tax' } }),
    status: 422,
    path: 'metadata.tenant',
  },
  {
    title: 'the same object twice in one apply',
    body: JSON.stringify([app('twin'), app('twin')]),
    status: 422,
    path: 'documents[1].metadata.name',
  },
  {
    title: 'one invalid document among valid ones',
    body: JSON.stringify([app('good-one'), app('Bad Name'), app('good-two')]),
    status: 422,
    path: 'documents[1].metadata.name',
  },
];

describe('bad input', () => {
  for (const c of CASES) {
    it(`refuses ${c.title} with ${c.status}, naming ${c.path}, and stores nothing`, async () => {
      const before = await t.polis.store.currentRevision();
      const r = await t.request('POST', c.url ?? '/api/v1/apply', {
        token,
        body: c.body,
        contentType: c.contentType ?? 'application/json',
      });
      expect(r.statusCode, r.body).toBe(c.status);
      const body = r.json() as { kind: string; message: string; causes: Array<{ path: string; message: string }> };
      expect(body.kind).toBe('Status');
      const cause = body.causes.find((x) => (typeof c.path === 'string' ? x.path === c.path : c.path.test(x.path)));
      expect(cause, JSON.stringify(body.causes)).toBeDefined();
      if (c.message) expect(`${body.message} ${cause!.message}`).toMatch(c.message);
      expect(await t.polis.store.currentRevision()).toBe(before);
    });
  }

  it('refuses invalid query parameters naming them and what is accepted', async () => {
    const cases: Array<[string, string]> = [
      ['/apis/core.oam.dev/v1beta1/tenants/edu/applications?limit=0', 'query.limit'],
      ['/apis/core.oam.dev/v1beta1/tenants/edu/applications?limit=abc', 'query.limit'],
      ['/apis/core.oam.dev/v1beta1/tenants/edu/applications?labelSelector=a%20in%20()', 'query.labelSelector'],
      ['/apis/core.oam.dev/v1beta1/tenants/edu/applications?continue=garbage', 'continue'],
      ['/apis/core.oam.dev/v1beta1/tenants/edu/applications?watch=maybe', 'query.watch'],
      ['/apis/core.oam.dev/v1beta1/tenants/Edu/applications', 'path.tenant'],
      ['/api/v1/audit?since=yesterday', 'query.since'],
    ];
    for (const [url, path] of cases) {
      const r = await t.request('GET', url, { token });
      expect(r.statusCode, url).toBe(400);
      expect(
        (r.json() as { causes: Array<{ path: string }> }).causes.map((c) => c.path),
        url,
      ).toContain(path);
    }
  });

  it('refuses a patch type polis does not speak, saying which it does', async () => {
    const r = await t.request('PATCH', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal', {
      token,
      body: 'spec: {}',
      contentType: 'text/plain',
    });
    expect(r.statusCode).toBe(415);
    for (const accepted of ['merge-patch+json', 'json-patch+json', 'strategic-merge-patch+json', 'apply-patch+yaml'])
      expect(r.body).toContain(accepted);
  });

  it('refuses a JSON patch that leaves the spec invalid, naming the field, and stores nothing', async () => {
    const path = '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal';
    const before = (await t.request('GET', path, { token })).json() as { metadata: { resourceVersion: string } };
    const r = await t.request('PATCH', path, {
      token,
      body: '[{"op":"replace","path":"/spec","value":{}}]',
      contentType: 'application/json-patch+json',
    });
    expect(r.statusCode).toBe(422);
    expect(JSON.stringify(r.json())).toContain('spec');
    const after = (await t.request('GET', path, { token })).json() as { metadata: { resourceVersion: string } };
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });

  it('records refused writes in the audit log with their outcome', async () => {
    await t.request('POST', '/api/v1/apply', { token, body: JSON.stringify(app('Bad Name')) });
    const r = await t.request('GET', '/api/v1/audit?outcome=invalid&tenant=edu', { token: t.adminToken });
    expect((r.json() as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });
});
