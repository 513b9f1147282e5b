import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/** Registering a Kubernetes cluster by kubeconfig: kept encrypted, exec plugins refused, nothing half-written. */
let t: TestPolis;

function kubeconfig(user: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'ack', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': 'Y2E=' } }],
    users: [{ name: 'polis', user }],
    contexts: [{ name: 'ack-polis', context: { cluster: 'ack', user: 'polis' } }],
    'current-context': 'ack-polis',
  });
}

const BODY = {
  vendor: 'aliyun',
  region: 'cn-hangzhou',
  zone: 'cn-hangzhou-h',
  networkZone: 'internet',
  role: 'burst',
  prices: { cpuCoreHour: 0.22, memoryGiBHour: 0.03 },
};

beforeAll(async () => {
  t = await startTestPolis();
});
afterAll(async () => {
  await t?.stop();
});

describe('cluster registration', () => {
  it('registers a cluster with a token kubeconfig and keeps the kubeconfig as an encrypted PlatformSecret', async () => {
    const r = await t.request('POST', '/api/v1/clusters', {
      token: t.adminToken,
      body: { ...BODY, name: 'ack-hangzhou', kubeconfig: kubeconfig({ token: 'sa-token-value' }) },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      kind: 'ClusterRegistration',
      secret: 'kubeconfig-ack-hangzhou',
      server: 'https://10.0.0.1:6443',
      auth: 'token',
    });
    expect(r.body).not.toContain('sa-token-value');
    const cluster = await t.request('GET', '/apis/polis.io/v1/clusters/ack-hangzhou', { token: t.adminToken });
    expect(cluster.json().spec).toMatchObject({
      provider: 'kubernetes',
      vendor: 'aliyun',
      role: 'burst',
      kubeconfigSecret: 'kubeconfig-ack-hangzhou',
    });
    const list = await t.request('GET', '/apis/polis.io/v1/platformsecrets', { token: t.adminToken });
    expect(list.body).toContain('kubeconfig-ack-hangzhou');
    expect(list.body).not.toContain('sa-token-value');
    // Only a platform admin reads it in clear.
    const secret = await t.request('GET', '/apis/polis.io/v1/platformsecrets/kubeconfig-ack-hangzhou', {
      token: t.adminToken,
    });
    const text = Buffer.from(secret.json().data.kubeconfig as string, 'base64').toString('utf8');
    expect(text).toContain('sa-token-value');
    const audit = await t.request('GET', '/api/v1/audit?kind=PlatformSecret', { token: t.adminToken });
    expect(audit.body).not.toContain('sa-token-value');
  });

  it('refuses an exec-plugin kubeconfig, saying why and what to use instead, and stores nothing', async () => {
    const r = await t.request('POST', '/api/v1/clusters', {
      token: t.adminToken,
      body: {
        ...BODY,
        name: 'cce-exec',
        kubeconfig: kubeconfig({ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'cce-auth' } }),
      },
    });
    expect(r.statusCode).toBe(422);
    const cause = (r.json().causes as { path: string; message: string }[])[0]!;
    expect(cause.path).toMatch(/^kubeconfig\.users\[0\]\.user\.exec/);
    expect(cause.message).toMatch(/token/i);
    for (const url of [
      '/apis/polis.io/v1/clusters/cce-exec',
      '/apis/polis.io/v1/platformsecrets/kubeconfig-cce-exec',
    ]) {
      expect((await t.request('GET', url, { token: t.adminToken })).statusCode).toBe(404);
    }
  });

  it('names every bad field, and an unknown context lists the known ones', async () => {
    const bad = await t.request('POST', '/api/v1/clusters', {
      token: t.adminToken,
      body: { ...BODY, name: 'Bad Name', role: 'spare', kubeconfig: kubeconfig({ token: 'x' }) },
    });
    expect(bad.statusCode).toBe(422);
    expect((bad.json().causes as { path: string }[]).map((c) => c.path).sort()).toEqual(['name', 'role']);
    const ctx = await t.request('POST', '/api/v1/clusters', {
      token: t.adminToken,
      body: { ...BODY, name: 'ctx-test', context: 'nope', kubeconfig: kubeconfig({ token: 'x' }) },
    });
    expect(ctx.statusCode).toBe(422);
    expect(ctx.body).toContain('ack-polis');
  });

  it('is for platform admins only', async () => {
    const r = await t.request('POST', '/api/v1/clusters', {
      token: t.tokens['edu-admin'],
      body: { ...BODY, name: 'edu-own', kubeconfig: kubeconfig({ token: 'x' }) },
    });
    expect(r.statusCode).toBe(403);
    expect((await t.request('GET', '/apis/polis.io/v1/clusters/edu-own', { token: t.adminToken })).statusCode).toBe(
      404,
    );
  });
});
