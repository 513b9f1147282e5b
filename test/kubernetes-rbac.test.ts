import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Least privilege for real: the fake API server enforces the shipped member-cluster role
 * (deploy/member-cluster/polis-agent-rbac.yaml) and polis delivers through it; a cluster whose role lacks a right
 * polis needs (here, the role as it was shipped before: no watch on services) is shown PermissionDenied, naming
 * the right, and nothing is reported delivered there.
 */
const ROLE = readFileSync(new URL('../deploy/member-cluster/polis-agent-rbac.yaml', import.meta.url), 'utf8');
const NO_WATCH_ON_SERVICES = ROLE.replace(
  /(resources: \[services, [^\]]*\]\n\s+verbs: )\[get, list, watch, create, patch, delete\]/,
  '$1[get, list, create, patch, delete]',
);

let t: TestPolis;
let good: FakeKube;
let lacking: FakeKube;

async function waitFor(what: string, check: () => Promise<boolean>, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await t.polis.clusters.probeAll();
    await t.polis.delivery.idle();
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function register(name: string, fake: FakeKube): Promise<void> {
  const r = await t.request('POST', '/api/v1/clusters', {
    token: t.adminToken,
    body: {
      name,
      kubeconfig: fake.kubeconfig(),
      vendor: 'k3s',
      region: 'city-east',
      zone: 'city-east-edge',
      networkZone: 'e-gov-extranet',
      role: 'primary',
    },
  });
  if (r.statusCode !== 200) throw new Error(`registration: ${r.statusCode} ${r.body}`);
}

async function apply(name: string, cluster: string) {
  return t.request('POST', '/api/v1/apply', {
    token: t.tokens['edu-admin'],
    body: {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name, tenant: 'edu' },
      spec: {
        components: [
          {
            name: 'web',
            type: 'webservice',
            properties: {
              image: 'registry.example.gov.cn/edu/portal:1.0',
              cpu: '100m',
              memory: '64Mi',
              ports: [{ port: 8080, expose: true }],
            },
            traits: [{ type: 'scaler', properties: { replicas: 2 } }],
          },
        ],
        policies: [{ name: 'here', type: 'placement', properties: { clusters: [cluster] } }],
      },
    },
  });
}

async function appStatus(name: string): Promise<AppStatus | undefined> {
  const r = await t.request('GET', `/apis/core.oam.dev/v1beta1/tenants/edu/applications/${name}`, {
    token: t.adminToken,
  });
  return r.statusCode === 200 ? r.json().status : undefined;
}

async function clusterStatus(name: string) {
  return (await t.request('GET', `/apis/polis.io/v1/clusters/${name}`, { token: t.adminToken })).json().status;
}

beforeAll(async () => {
  expect(NO_WATCH_ON_SERVICES).not.toBe(ROLE);
  good = await startFakeKube({ readyAfterMs: 0, rbac: [ROLE] });
  lacking = await startFakeKube({ readyAfterMs: 0, rbac: [NO_WATCH_ON_SERVICES] });
  t = await startTestPolis({ controllers: true, virtualTime: true });
  await register('k8s-good', good);
  await register('k8s-lacking', lacking);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await good?.stop();
  await lacking?.stop();
});

describe('the shipped member-cluster role, enforced', () => {
  it('lets polis deliver and observe without a single refusal', async () => {
    await waitFor('k8s-good Ready', async () => (await clusterStatus('k8s-good'))?.health === 'Ready');
    const r = await apply('rbac-portal', 'k8s-good');
    expect(r.statusCode, r.body).toBe(200);
    await waitFor('Running', async () => (await appStatus('rbac-portal'))?.phase === 'Running');
    const s = (await appStatus('rbac-portal'))!;
    expect(s.conditions.find((c) => c.type === 'Delivered')?.status).toBe('True');
    expect(good.requests.filter((q) => q.status === 403)).toEqual([]);
    expect(good.get('v1', 'Service', 'edu--rbac-portal', 'web')).toBeDefined();
  });

  it('refuses a watch the role does not grant, as the API server does', async () => {
    const res = await fetch(`${lacking.url}/api/v1/services?watch=1`, {
      headers: { Authorization: 'Bearer fake-token' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      code: 403,
      message:
        'services is forbidden: User "system:serviceaccount:polis-system:polis" cannot watch resource "services" in API group "" at the cluster scope',
    });
  });
});

describe('a cluster whose role lacks a right polis needs', () => {
  it('is shown PermissionDenied naming the right, neither Ready nor Unreachable', async () => {
    await waitFor(
      'k8s-lacking PermissionDenied',
      async () => (await clusterStatus('k8s-lacking'))?.health === 'PermissionDenied',
    );
    const s = await clusterStatus('k8s-lacking');
    expect(s.deniedPermissions).toContainEqual({ verb: 'watch', resource: 'services', group: '' });
    expect(s.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PermissionDenied',
      message: expect.stringContaining('watch services'),
    });
  });

  it('never reports an application Delivered there', async () => {
    const r = await apply('rbac-denied', 'k8s-lacking');
    expect(r.statusCode, r.body).toBe(200);
    await waitFor('a status', async () => (await appStatus('rbac-denied')) !== undefined);
    await t.polis.delivery.resyncAll();
    await t.polis.delivery.idle();
    const s = (await appStatus('rbac-denied'))!;
    expect(s.conditions.find((c) => c.type === 'Delivered')?.status).not.toBe('True');
    expect(s.phase).not.toBe('Running');
    expect(s.message ?? '').toMatch(/PermissionDenied|refuses what polis needs/);
    expect(lacking.get('apps/v1', 'Deployment', 'edu--rbac-denied', 'web')).toBeUndefined();
  });
});
