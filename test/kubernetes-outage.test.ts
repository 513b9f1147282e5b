import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The ways a real API server goes away and comes back, against the shipped least-privilege role: the window while
 * it (re)starts (403 for everything until its RBAC roles are loaded, /readyz 500 naming the post-start hooks), and
 * a process that is gone (connection refused). Neither is a missing permission, neither deletes anything, and
 * polis delivers again once the server is back.
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

async function apply(name: string, cluster: string): Promise<void> {
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
            traits: [{ type: 'scaler', properties: { replicas: 2 } }],
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

/** Everything polis shows about a cluster and an application that would call a refusal a missing right. */
async function permissionDeniedShown(cluster: string, app: string): Promise<string[]> {
  const out: string[] = [];
  const c = await clusterStatus(cluster);
  if (c?.health === 'PermissionDenied') out.push(`cluster ${cluster} PermissionDenied: ${c.conditions?.[0]?.message}`);
  const s = await appStatus(app);
  for (const cond of s?.conditions ?? [])
    if (cond.reason === 'PermissionDenied') out.push(`${app} ${cond.type}: ${cond.message}`);
  return out;
}

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  for (const f of fakes) await f.stop();
});

async function newFake(): Promise<FakeKube> {
  const f = await startFakeKube({ readyAfterMs: 0, rbac: [ROLE] });
  fakes.push(f);
  return f;
}

describe('an API server restarting (the 403/500 window while it starts)', () => {
  it('is not a missing permission: polis holds, deletes nothing, and delivers again once it is ready', async () => {
    const fake = await newFake();
    await register('k8s-restarts', fake);
    await waitFor('k8s-restarts Ready', async () => (await clusterStatus('k8s-restarts'))?.health === 'Ready');
    await apply('restart-portal', 'k8s-restarts');
    await waitFor('restart-portal delivered', () => delivered('restart-portal'));

    const mark = fake.requests.length;
    await fake.setDown('starting');
    const shown: string[] = [];
    // The watches are cut; reopened, they are refused (403) as RBAC is not loaded yet. Probes and reconciles run
    // through the window.
    const refusedWatch = () =>
      fake.requests.slice(mark).some((r) => r.verb === 'watch' && r.status === 403 && r.resource === 'deployments');
    for (let i = 0; i < 300 && !refusedWatch(); i++) await new Promise((r) => setTimeout(r, 20));
    expect(refusedWatch()).toBe(true);
    for (let i = 0; i < 5; i++) {
      await t.polis.clusters.probeAll();
      await t.polis.delivery.resyncAll();
      await t.polis.delivery.idle();
      shown.push(...(await permissionDeniedShown('k8s-restarts', 'restart-portal')));
    }
    const during = await clusterStatus('k8s-restarts');
    expect(during.health).not.toBe('Ready');
    expect(during.conditions[0].message).toContain('poststarthook/rbac/bootstrap-roles failed');

    await fake.setDown(false);
    await waitFor('restart-portal delivered again', async () => {
      shown.push(...(await permissionDeniedShown('k8s-restarts', 'restart-portal')));
      return (await clusterStatus('k8s-restarts'))?.health === 'Ready' && (await delivered('restart-portal'));
    });
    shown.push(...(await permissionDeniedShown('k8s-restarts', 'restart-portal')));
    expect(shown).toEqual([]);
    expect(fake.requests.slice(mark).filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(fake.get('apps/v1', 'Deployment', 'edu--restart-portal', 'web')).toBeDefined();
  }, 120_000);

  it('is not a missing permission for a cluster registered while its API server starts', async () => {
    const fake = await newFake();
    await fake.setDown('starting');
    await register('k8s-starting', fake);
    await apply('starting-portal', 'k8s-starting');
    const shown: string[] = [];
    for (let i = 0; i < 5; i++) {
      await t.polis.clusters.probeAll();
      await t.polis.delivery.resyncAll();
      await t.polis.delivery.idle();
      shown.push(...(await permissionDeniedShown('k8s-starting', 'starting-portal')));
    }
    // Discovery itself is refused until the roles are loaded.
    expect(fake.requests.some((r) => (r.path === '/api' || r.path === '/apis') && r.status === 403)).toBe(true);
    await fake.setDown(false);
    await waitFor('starting-portal delivered', async () => {
      shown.push(...(await permissionDeniedShown('k8s-starting', 'starting-portal')));
      return delivered('starting-portal');
    });
    expect(shown).toEqual([]);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  }, 120_000);

  it('retries lists answered 500 (the server cannot handle the request yet) instead of giving the kind up', async () => {
    const fake = await newFake();
    await fake.setDown('starting', { lists: 500 });
    await register('k8s-lists-500', fake);
    await apply('lists-portal', 'k8s-lists-500');
    for (let i = 0; i < 5; i++) {
      await t.polis.clusters.probeAll();
      await t.polis.delivery.resyncAll();
      await t.polis.delivery.idle();
    }
    expect(fake.requests.some((r) => r.verb === 'list' && r.status === 500)).toBe(true);
    await fake.setDown(false);
    const mark = fake.requests.length;
    await waitFor('lists-portal delivered', () => delivered('lists-portal'));
    // Every kind is listed and watched again, so the steady state reads nothing by request.
    fake.resetCounts();
    await t.polis.delivery.resyncAll();
    await t.polis.delivery.idle();
    expect(fake.counts().byVerb.get ?? 0).toBe(0);
    expect(fake.requests.slice(mark).filter((r) => r.method === 'DELETE')).toEqual([]);
  }, 120_000);
});

describe('an API server whose process is gone (connection refused)', () => {
  it('makes the cluster Suspect then Unreachable, deletes nothing, and recovers on the same port', async () => {
    const fake = await newFake();
    await register('k8s-refused', fake);
    await waitFor('k8s-refused Ready', async () => (await clusterStatus('k8s-refused'))?.health === 'Ready');
    await apply('refused-portal', 'k8s-refused');
    await waitFor('refused-portal delivered', () => delivered('refused-portal'));
    const mark = fake.requests.length;

    await fake.setDown('refused');
    const states: string[] = [];
    await waitFor('k8s-refused Unreachable', async () => {
      const s = await clusterStatus('k8s-refused');
      states.push(s?.health);
      await t.polis.delivery.resyncAll();
      return s?.health === 'Unreachable';
    });
    expect(states).toContain('Suspect');
    expect((await clusterStatus('k8s-refused')).conditions[0].message).toMatch(/ECONNREFUSED/);
    const during = await appStatus('refused-portal');
    expect(during?.placement).toBeDefined();

    await fake.setDown(false);
    await waitFor('refused-portal delivered again', async () => {
      return (await clusterStatus('k8s-refused'))?.health === 'Ready' && (await delivered('refused-portal'));
    });
    expect(fake.requests.slice(mark).filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(fake.get('v1', 'Namespace', undefined, 'edu--refused-portal')?.metadata).toBeDefined();
    expect(fake.get('apps/v1', 'Deployment', 'edu--refused-portal', 'web')).toBeDefined();
  }, 120_000);
});
