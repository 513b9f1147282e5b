import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Bodies built to exhaust the server (issue 12, points 11 and 12): deep nesting and oversized metadata get a 4xx
 * naming the path and the limit, and leave nothing behind.
 */
let t: TestPolis;
let token: string;
const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';
const SECRETS = '/apis/polis.io/v1/tenants/edu/secrets';

beforeAll(async () => {
  t = await startTestPolis();
  token = t.tokens['edu-admin']!;
});
afterAll(async () => {
  await t?.stop();
});

const nested = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

const k8sObjectsApp = (name: string, objects: string) =>
  `{"apiVersion":"core.oam.dev/v1beta1","kind":"Application","metadata":{"name":"${name}","tenant":"edu"},` +
  `"spec":{"components":[{"name":"raw","type":"k8s-objects","properties":{"objects":[${objects}]}}]}}`;

const app = (name: string, metadata: Record<string, unknown> = {}) => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: 'edu', ...metadata },
  spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '100m' } }] },
});

async function absent(name: string): Promise<void> {
  expect((await t.request('GET', `${APPS}/${name}`, { token })).statusCode).toBe(404);
}

describe('nesting depth', () => {
  it('refuses 5,000 levels inside k8s-objects with a 400 naming the path and the limit, in JSON and YAML', async () => {
    const json = await t.request('POST', APPS, { token, body: k8sObjectsApp('deep', nested(5000)) });
    expect(json.statusCode).toBe(400);
    expect(json.json().causes[0]).toMatchObject({
      path: expect.stringMatching(/^spec\.components\[0\]\.properties\.objects\[0\](\.a)+$/),
      code: 'MaxDepthExceeded',
      params: { limit: 100 },
    });
    const yaml = [
      'apiVersion: core.oam.dev/v1beta1',
      'kind: Application',
      'metadata: {name: deep, tenant: edu}',
      `spec: {components: [{name: raw, type: k8s-objects, properties: {objects: [${'{a: '.repeat(5000)}1${'}'.repeat(5000)}]}}]}`,
    ].join('\n');
    const viaApply = await t.request('POST', '/api/v1/apply', { token, body: yaml, contentType: 'application/yaml' });
    expect(viaApply.statusCode).toBe(400);
    expect(viaApply.json().causes[0]).toMatchObject({
      path: expect.stringMatching(/^documents\[0\]\.spec\.components\[0\]\.properties\.objects\[0\](\.a)+$/),
      code: 'MaxDepthExceeded',
    });
    await absent('deep');
  });

  it('refuses a merge patch nested 5,000 levels deep, and the object is unchanged', async () => {
    expect((await t.request('POST', APPS, { token, body: app('patched') })).statusCode).toBe(201);
    const before = (await t.request('GET', `${APPS}/patched`, { token })).json();
    const res = await t.request('PATCH', `${APPS}/patched`, {
      token,
      body: `{"metadata":{"annotations":{"x":"y"}},"spec":${nested(5000)}}`,
      contentType: 'application/merge-patch+json',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().causes[0]).toMatchObject({
      path: expect.stringMatching(/^spec(\.a)+$/),
      code: 'MaxDepthExceeded',
    });
    const after = (await t.request('GET', `${APPS}/patched`, { token })).json();
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});

describe('labels and annotations, as Kubernetes bounds them', () => {
  it('refuses 20,000 labels, naming the limit', async () => {
    const labels = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`l${i}`, 'v']));
    const res = await t.request('POST', APPS, { token, body: app('many-labels', { labels }) });
    expect(res.statusCode).toBe(422);
    expect(res.json().causes).toContainEqual(
      expect.objectContaining({
        path: 'metadata.labels',
        code: 'TooManyLabels',
        params: { count: 20_000, limit: 256 },
      }),
    );
    await absent('many-labels');
  });

  it('refuses a 900 KB annotation (all annotations together may hold 256 KiB), on any kind', async () => {
    const big = 'x'.repeat(900_000);
    const res = await t.request('POST', APPS, { token, body: app('big-note', { annotations: { note: big } }) });
    expect(res.statusCode).toBe(422);
    expect(res.json().causes).toContainEqual(
      expect.objectContaining({ path: 'metadata.annotations', code: 'AnnotationsTooLarge' }),
    );
    await absent('big-note');
    // Many annotations that only together pass the limit, on another kind.
    const annotations = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`n${i}`, 'y'.repeat(60_000)]));
    const secret = await t.request('POST', SECRETS, {
      token,
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'Secret',
        metadata: { name: 'notes', annotations },
        stringData: { k: 'v' },
      },
    });
    expect(secret.statusCode).toBe(422);
    expect(secret.json().causes).toContainEqual(expect.objectContaining({ code: 'AnnotationsTooLarge' }));
  });

  it('accepts annotations up to 256 KiB and labels at the edge of every rule', async () => {
    const labels = {
      [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}/${'n'.repeat(63)}`]: 'v'.repeat(63),
      'app.kubernetes.io/name': 'Web_Portal-1.2',
      empty: '',
    };
    const annotations = { note: 'x'.repeat(256 * 1024 - 4) };
    const res = await t.request('POST', APPS, { token, body: app('at-the-edge', { labels, annotations }) });
    expect(res.statusCode).toBe(201);
  });

  it.each([
    [
      'a label value of 64 characters',
      { labels: { tier: 'v'.repeat(64) } },
      'metadata.labels["tier"]',
      'InvalidLabelValue',
    ],
    ['a label value ending in a dash', { labels: { tier: 'web-' } }, 'metadata.labels["tier"]', 'InvalidLabelValue'],
    [
      'a label key name of 64 characters',
      { labels: { ['k'.repeat(64)]: 'v' } },
      `metadata.labels["${'k'.repeat(64)}"]`,
      'InvalidLabelKey',
    ],
    [
      'a label key prefix of 254 characters',
      { labels: { [`${'p'.repeat(254)}/k`]: 'v' } },
      `metadata.labels["${'p'.repeat(254)}/k"]`,
      'InvalidLabelKey',
    ],
    [
      'a label key prefix that is not a DNS subdomain',
      { labels: { 'Polis.IO/k': 'v' } },
      'metadata.labels["Polis.IO/k"]',
      'InvalidLabelKey',
    ],
    [
      'an annotation key with a space',
      { annotations: { 'my note': 'v' } },
      'metadata.annotations["my note"]',
      'InvalidAnnotationKey',
    ],
    ['an empty annotation key', { annotations: { '': 'v' } }, 'metadata.annotations[""]', 'InvalidAnnotationKey'],
  ])('refuses %s, naming the key in the path', async (_title, metadata, path, code) => {
    const res = await t.request('POST', APPS, { token, body: app('bad-meta', metadata) });
    expect(res.statusCode).toBe(422);
    expect(res.json().causes).toContainEqual(expect.objectContaining({ path, code }));
    await absent('bad-meta');
  });
});
