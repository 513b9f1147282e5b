import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * What a real API server's admission and namespace lifecycle do to what polis delivers: a ResourceQuota that
 * refuses pods (the workload shows the API server's reason, not Progressing forever), and a namespace that takes
 * time to terminate (deleting an application and applying it again under the same name converges).
 */
const ROLE = readFileSync(new URL('../deploy/member-cluster/polis-agent-rbac.yaml', import.meta.url), 'utf8');

let t: TestPolis;
const clock = new ManualClock(new Date());
const fakes: FakeKube[] = [];

async function waitFor(what: string, check: () => Promise<boolean>, rounds = 300): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    // Time moves on (virtual time): failback waits for the cluster to stay Ready for its stabilization period.
    clock.advance(5_000);
    await t.polis.clusters.probeAll();
    await t.polis.delivery.resyncAll();
    await t.polis.delivery.idle();
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  type Listed = { metadata: { name: string }; status?: { health?: string; conditions?: { message?: string }[] } };
  const clusters = (await t.request('GET', '/apis/polis.io/v1/clusters', { token: t.adminToken })).json() as {
    items?: Listed[];
  };
  const shown = clusters.items?.map((c) => [c.metadata.name, c.status?.health, c.status?.conditions?.[0]?.message]);
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(shown)}`);
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

async function apply(name: string, cluster: string, replicas = 2): Promise<void> {
  const r = await t.request('POST', '/api/v1/apply', {
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
            traits: [{ type: 'scaler', properties: { replicas } }],
          },
        ],
        policies: [{ name: 'here', type: 'placement', properties: { clusters: [cluster] } }],
      },
    },
  });
  if (r.statusCode !== 200) throw new Error(`apply: ${r.statusCode} ${r.body}`);
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

const delivered = async (app: string): Promise<boolean> => {
  const s = await appStatus(app);
  return s?.phase === 'Running' && s.conditions.find((c) => c.type === 'Delivered')?.status === 'True';
};

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  for (const f of fakes) await f.stop();
});

async function newFake(): Promise<FakeKube> {
  const f = await startFakeKube({ readyAfterMs: 0, rbac: [ROLE], namespaceTerminationMs: 1500 });
  fakes.push(f);
  return f;
}

describe('a ResourceQuota that refuses pods', () => {
  it('shows FailedCreate with the API server’s message on the workload, not Progressing forever', async () => {
    const fake = await newFake();
    await register('k8s-quota', fake);
    await waitFor('k8s-quota Ready', async () => (await clusterStatus('k8s-quota'))?.health === 'Ready');
    await apply('quota-portal', 'k8s-quota');
    await waitFor('quota-portal delivered', () => delivered('quota-portal'));
    // The cluster's own administrators cap the namespace (2 × 100m run already).
    const quota = await fetch(`${fake.url}/api/v1/namespaces/edu--quota-portal/resourcequotas`, {
      method: 'POST',
      headers: { Authorization: 'Bearer fake-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'compute' }, spec: { hard: { 'requests.cpu': '250m' } } }),
    });
    expect(quota.status).toBe(201);
    await apply('quota-portal', 'k8s-quota', 4);
    await waitFor('the refusal shown', async () =>
      JSON.stringify(await appStatus('quota-portal')).includes('FailedCreate'),
    );
    const s = (await appStatus('quota-portal'))!;
    const text = JSON.stringify(s);
    expect(text).toContain(
      'exceeded quota: compute, requested: requests.cpu=100m, used: requests.cpu=200m, limited: requests.cpu=250m',
    );
    expect(s.phase).not.toBe('Running');
    expect(s.phase).not.toBe('Progressing');
  }, 120_000);
});

describe('a namespace that takes time to terminate', () => {
  it('lets an application deleted and applied again under the same name converge, observing throughout', async () => {
    const fake = await newFake();
    await register('k8s-ns', fake);
    await waitFor('k8s-ns Ready', async () => (await clusterStatus('k8s-ns'))?.health === 'Ready');
    await apply('again-portal', 'k8s-ns');
    await waitFor('again-portal delivered', () => delivered('again-portal'));
    const del = await t.request('DELETE', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/again-portal', {
      token: t.tokens['edu-admin'],
    });
    expect(del.statusCode, del.body).toBeLessThan(300);
    await waitFor('the namespace Terminating', async () => {
      const ns = fake.get('v1', 'Namespace', undefined, 'edu--again-portal') as
        { status?: { phase?: string } } | undefined;
      return ns?.status?.phase === 'Terminating';
    });
    await apply('again-portal', 'k8s-ns');
    await waitFor('again-portal delivered again in a new namespace', async () => {
      const ns = fake.get('v1', 'Namespace', undefined, 'edu--again-portal') as
        { metadata?: { deletionTimestamp?: string } } | undefined;
      return ns !== undefined && !ns.metadata?.deletionTimestamp && (await delivered('again-portal'));
    });
    expect(fake.get('apps/v1', 'Deployment', 'edu--again-portal', 'web')).toBeDefined();
  }, 120_000);
});
