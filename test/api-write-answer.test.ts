import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * A write's answer for a kind shown as stored is the text the store wrote (src/resources/stored-text.ts): the same
 * bytes a read of the object answers next, in polis's view and the Kubernetes one; kinds with hidden fields are not.
 */
const APPS = '/apis/core.oam.dev/v1beta1/tenants/edu/applications';
const KUBE_APPS = '/apis/core.oam.dev/v1beta1/namespaces/edu/applications';
const app = (name: string, replicas: number, note = 'a') => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, annotations: { note } },
  spec: {
    components: [
      {
        name: 'web',
        type: 'webservice',
        properties: { image: 'nginx:1.27' },
        traits: [{ type: 'scaler', properties: { replicas } }],
      },
    ],
  },
});

let t: TestPolis;
beforeAll(async () => {
  t = await startTestPolis();
});
afterAll(async () => {
  await t?.stop();
});

describe('write answers as stored', () => {
  it('answers a replace, a merge patch and a status write with the bytes a read then answers', async () => {
    const staff = { token: t.tokens['edu-staff'] };
    const created = await t.request('POST', APPS, { ...staff, body: app('answer-text', 1) });
    expect(created.statusCode).toBe(201);
    expect(created.body).toBe((await t.request('GET', `${APPS}/answer-text`, staff)).body);
    const replaced = await t.request('PUT', `${APPS}/answer-text`, { ...staff, body: app('answer-text', 2, 'b') });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.headers['content-type']).toBe('application/json; charset=utf-8');
    const read = await t.request('GET', `${APPS}/answer-text`, staff);
    expect(replaced.body).toBe(read.body);
    expect(replaced.json()).toMatchObject({
      metadata: { name: 'answer-text', tenant: 'edu', annotations: { note: 'b' } },
    });
    const patched = await t.request('PATCH', `${APPS}/answer-text`, {
      ...staff,
      body: { metadata: { annotations: { note: 'c' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.body).toBe((await t.request('GET', `${APPS}/answer-text`, staff)).body);
    // A dry run answers what would have been stored, and stores nothing.
    const dry = await t.request('PUT', `${APPS}/answer-text?dryRun=All`, {
      ...staff,
      body: app('answer-text', 3, 'd'),
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ metadata: { annotations: { note: 'd' } } });
    expect((await t.request('GET', `${APPS}/answer-text`, staff)).json()).toMatchObject({
      metadata: { annotations: { note: 'c' } },
    });
  });

  it('answers in the Kubernetes view on the namespaced path, and a Table when asked', async () => {
    const staff = { token: t.tokens['edu-staff'] };
    expect((await t.request('POST', APPS, { ...staff, body: app('answer-kube', 1) })).statusCode).toBe(201);
    const put = await t.request('PUT', `${KUBE_APPS}/answer-kube`, {
      ...staff,
      body: { ...app('answer-kube', 2), metadata: { name: 'answer-kube', namespace: 'edu' } },
    });
    expect(put.statusCode).toBe(200);
    expect(put.body).toBe((await t.request('GET', `${KUBE_APPS}/answer-kube`, staff)).body);
    expect(put.json()).toMatchObject({ metadata: { name: 'answer-kube', namespace: 'edu' } });
    const table = await t.request('PUT', `${APPS}/answer-kube`, {
      ...staff,
      body: app('answer-kube', 3),
      headers: { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
    });
    expect(table.json()).toMatchObject({ kind: 'Table' });
  });

  it('answers a Secret write (encoded when stored) as a read answers it, never as stored', async () => {
    const admin = { token: t.tokens['edu-admin'] };
    const path = '/apis/polis.io/v1/tenants/edu/secrets';
    const secret = (password: string) => ({
      apiVersion: 'polis.io/v1',
      kind: 'Secret',
      metadata: { name: 'answer-secret' },
      stringData: { password },
    });
    const created = await t.request('POST', path, { ...admin, body: secret('hunter2') });
    expect(created.statusCode).toBe(201);
    const replaced = await t.request('PUT', `${path}/answer-secret`, { ...admin, body: secret('hunter3') });
    expect(replaced.statusCode).toBe(200);
    const read = await t.request('GET', `${path}/answer-secret`, admin);
    expect(replaced.json()).toEqual(read.json());
    const { data } = replaced.json() as { data: Record<string, string> };
    expect(Buffer.from(data.password!, 'base64').toString()).toBe('hunter3');
  });
});
