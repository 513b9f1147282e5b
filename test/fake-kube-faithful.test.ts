import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';

/**
 * fake-kube where it used to let bugs through: the window while a kube-apiserver starts, connection refused,
 * LimitRange defaults and ResourceQuota enforcement at pod creation (and the ReplicaSet/Deployment conditions that
 * report a refusal), namespace deletion that takes time, and server-side apply releasing fields.
 */
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const AUTH = { Authorization: 'Bearer fake-token' };
let fake: FakeKube;

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(fake.url + path, {
    method,
    headers: { ...AUTH, 'Content-Type': contentType },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: Any;
  try {
    json = JSON.parse(text) as Any;
  } catch {
    json = { text };
  }
  return { status: res.status, body: json };
}

const apply = (path: string, body: unknown, manager: string) =>
  call('PATCH', `${path}?fieldManager=${manager}`, body, 'application/apply-patch+yaml');

async function eventually<T>(check: () => T | Promise<T>, limitMs = 60_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const namespace = (name: string) => call('POST', '/api/v1/namespaces', { metadata: { name } });

beforeAll(async () => {
  fake = await startFakeKube({ readyAfterMs: 0, namespaceTerminationMs: 300 });
});
afterAll(async () => {
  await fake?.stop();
});

describe('fake-kube: the window while the API server starts', () => {
  it('answers /readyz 500 naming the post-start hooks, 403 until RBAC is loaded, and lists 500 when asked', async () => {
    await fake.setDown('starting');
    try {
      const ready = await fetch(`${fake.url}/readyz`);
      expect(ready.status).toBe(500);
      const text = await ready.text();
      expect(text).toContain('[-]poststarthook/rbac/bootstrap-roles failed: reason withheld');
      expect(text).toMatch(/readyz check failed\n$/);
      expect((await fetch(`${fake.url}/livez`)).status).toBe(200);
      expect((await call('GET', '/version')).status).toBe(200);
      expect(await call('GET', '/apis')).toMatchObject({
        status: 403,
        body: {
          reason: 'Forbidden',
          message: 'forbidden: User "system:serviceaccount:polis-system:polis" cannot get path "/apis"',
        },
      });
      expect(await call('GET', '/apis/apps/v1/deployments')).toMatchObject({
        status: 403,
        body: {
          message:
            'deployments.apps is forbidden: User "system:serviceaccount:polis-system:polis" cannot list resource "deployments" in API group "apps" at the cluster scope',
        },
      });
      await fake.setDown('starting', { lists: 500 });
      expect(await call('GET', '/api/v1/pods')).toMatchObject({
        status: 500,
        body: { code: 500, message: 'the server is currently unable to handle the request' },
      });
      expect((await call('GET', '/apis')).status).toBe(200);
    } finally {
      await fake.setDown(false);
    }
    expect((await fetch(`${fake.url}/readyz`)).status).toBe(200);
  });
});

describe('fake-kube: connection refused', () => {
  it('closes its port while refused (ECONNREFUSED) and serves again on the same one', async () => {
    await fake.setDown('refused');
    try {
      // A new connection (no kept-alive socket): what a client reconnecting finds.
      const code = await new Promise<string | undefined>((resolve) => {
        const req = request(`${fake.url}/version`, { agent: false }, () => resolve(undefined));
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
        req.end();
      });
      expect(code).toBe('ECONNREFUSED');
    } finally {
      await fake.setDown(false);
    }
    expect((await call('GET', '/version')).status).toBe(200);
  });
});

describe('fake-kube: LimitRange defaults and ResourceQuota enforcement', () => {
  const deployment = (replicas: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'registry.example.gov.cn/web:1' }] },
      },
    },
  });

  beforeAll(async () => {
    await namespace('quota');
    await call('POST', '/api/v1/namespaces/quota/limitranges', {
      metadata: { name: 'defaults' },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: '100m', memory: '64Mi' },
            default: { cpu: '200m', memory: '128Mi' },
          },
        ],
      },
    });
    await call('POST', '/api/v1/namespaces/quota/resourcequotas', {
      metadata: { name: 'compute' },
      spec: { hard: { pods: '10', 'requests.cpu': '250m', 'limits.memory': '1Gi' } },
    });
  });

  it('gives containers without requests or limits the LimitRange defaults, and says so', async () => {
    const r = await call('POST', '/api/v1/namespaces/quota/pods', {
      metadata: { name: 'one' },
      spec: { containers: [{ name: 'app', image: 'registry.example.gov.cn/app:1' }] },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.spec.containers[0].resources).toEqual({
      requests: { cpu: '100m', memory: '64Mi' },
      limits: { cpu: '200m', memory: '128Mi' },
    });
    expect(r.body.metadata.annotations['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app',
    );
    await call('DELETE', '/api/v1/namespaces/quota/pods/one');
  });

  it('refuses a pod past a quota with the plugin’s message, and a ReplicaSet reports it as FailedCreate', async () => {
    expect((await call('POST', '/apis/apps/v1/namespaces/quota/deployments', deployment(3))).status).toBe(201);
    const rs = await eventually(async () => {
      const list = (await call('GET', '/apis/apps/v1/namespaces/quota/replicasets')).body.items as Any[];
      const failure = list[0]?.status?.conditions?.find((c: Any) => c.type === 'ReplicaFailure');
      if (!failure) throw new Error('no ReplicaFailure yet');
      return list[0] as Any;
    });
    const failure = rs.status.conditions.find((c: Any) => c.type === 'ReplicaFailure');
    expect(failure).toMatchObject({
      status: 'True',
      reason: 'FailedCreate',
      message: `pods "${rs.metadata.name}-" is forbidden: exceeded quota: compute, requested: requests.cpu=100m, used: requests.cpu=200m, limited: requests.cpu=250m`,
    });
    expect(rs.status.replicas).toBe(2);
    const d = await eventually(async () => {
      const got = (await call('GET', '/apis/apps/v1/namespaces/quota/deployments/web')).body;
      if (!got.status?.conditions?.some((c: Any) => c.type === 'ReplicaFailure')) throw new Error('not copied yet');
      return got;
    });
    expect(d.status.conditions.find((c: Any) => c.type === 'ReplicaFailure')).toMatchObject({
      status: 'True',
      reason: 'FailedCreate',
      message: failure.message,
    });
    const quota = await eventually(async () => {
      const q = (await call('GET', '/api/v1/namespaces/quota/resourcequotas/compute')).body;
      if (q.status?.used?.['requests.cpu'] !== '200m') throw new Error(`used ${JSON.stringify(q.status)}`);
      return q;
    });
    expect(quota.status).toEqual({
      hard: { pods: '10', 'requests.cpu': '250m', 'limits.memory': '1Gi' },
      used: { pods: '2', 'requests.cpu': '200m', 'limits.memory': '256Mi' },
    });

    // Raised, the quota lets the third pod in and the condition goes.
    fake.edit('v1', 'ResourceQuota', 'quota', 'compute', (q) => (q.spec.hard['requests.cpu'] = '1'));
    await eventually(async () => {
      const got = (await call('GET', '/apis/apps/v1/namespaces/quota/deployments/web')).body;
      if (got.status?.readyReplicas !== 3) throw new Error('not 3 ready');
      expect(got.status.conditions.map((c: Any) => c.type)).not.toContain('ReplicaFailure');
    });
  });

  it('refuses a pod that does not state what a quota limits ("must specify")', async () => {
    await namespace('quota-strict');
    await call('POST', '/api/v1/namespaces/quota-strict/resourcequotas', {
      metadata: { name: 'compute' },
      spec: { hard: { 'requests.cpu': '1', 'limits.memory': '1Gi' } },
    });
    const r = await call('POST', '/api/v1/namespaces/quota-strict/pods', {
      metadata: { name: 'bare' },
      spec: { containers: [{ name: 'app', image: 'registry.example.gov.cn/app:1' }] },
    });
    expect(r).toMatchObject({
      status: 403,
      body: {
        reason: 'Forbidden',
        message:
          'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: app; requests.cpu for: app',
      },
    });
  });
});

describe('fake-kube: namespace deletion takes time', () => {
  it('is Terminating while its objects go, refuses new ones with the real 403, then disappears', async () => {
    await namespace('going');
    await call('POST', '/api/v1/namespaces/going/configmaps', { metadata: { name: 'settings' }, data: { a: '1' } });
    const del = await call('DELETE', '/api/v1/namespaces/going');
    expect(del.status).toBe(200);
    expect(del.body.status.phase).toBe('Terminating');
    expect(del.body.metadata.deletionTimestamp).toEqual(expect.any(String));
    const refused = await call('POST', '/api/v1/namespaces/going/configmaps', { metadata: { name: 'late' } });
    expect(refused).toMatchObject({
      status: 403,
      body: {
        reason: 'Forbidden',
        message:
          'configmaps is forbidden: unable to create new content in namespace going because it is being terminated',
      },
    });
    // The objects inside go first; the namespace is still there, Terminating.
    await eventually(async () => {
      expect((await call('GET', '/api/v1/namespaces/going/configmaps/settings')).status).toBe(404);
    });
    expect(fake.get('v1', 'Namespace', undefined, 'going')).toMatchObject({ status: { phase: 'Terminating' } });
    await eventually(async () => {
      expect((await call('GET', '/api/v1/namespaces/going')).status).toBe(404);
    });
    expect((await namespace('going')).status).toBe(201);
  });
});

describe('fake-kube: server-side apply releases fields', () => {
  const cm = (data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'shared' },
    data,
  });
  const path = '/api/v1/namespaces/ssa/configmaps/shared';

  it('removes a field its only owner stops applying, and keeps one another manager applied too', async () => {
    await namespace('ssa');
    expect((await apply(path, cm({ mine: '1', both: '2' }), 'tool-a')).status).toBe(201);
    expect((await apply(path, cm({ both: '2' }), 'polis')).status).toBe(200);
    // tool-a applies without the data field at all: it releases both keys.
    const { data: _none, ...withoutData } = cm({});
    const after = await apply(path, withoutData, 'tool-a');
    expect(after.status).toBe(200);
    expect(after.body.data).toEqual({ both: '2' });
    const owners = (after.body.metadata.managedFields as Any[]).map((f) => [
      f.manager,
      Object.keys(f.fieldsV1['f:data'] ?? {}),
    ]);
    expect(owners).toEqual([['polis', ['f:both']]]);
  });

  it('removes a keyed list item (a container env var) its owner releases, not one the other manager owns', async () => {
    const d = (env: { name: string; value: string }[]) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'env' },
      spec: {
        selector: { matchLabels: { app: 'env' } },
        template: {
          metadata: { labels: { app: 'env' } },
          spec: { containers: [{ name: 'app', image: 'registry.example.gov.cn/app:1', env }] },
        },
      },
    });
    const dpath = '/apis/apps/v1/namespaces/ssa/deployments/env';
    const both = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ];
    expect((await apply(dpath, d(both), 'tool-a')).status).toBe(201);
    expect((await apply(dpath, d([{ name: 'B', value: '2' }]), 'polis')).status).toBe(200);
    const after = await apply(dpath, d([]), 'tool-a');
    expect(after.body.spec.template.spec.containers[0].env).toEqual([{ name: 'B', value: '2' }]);
  });
});
