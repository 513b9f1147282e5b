import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { KubeHarness, SHIPPED_ROLE } from './support/kube-harness.ts';

/**
 * The ways a real API server goes away and comes back, against the shipped least-privilege role: the window while
 * it (re)starts (403 for everything until its RBAC roles are loaded, /readyz 500 naming the post-start hooks), and
 * a process that is gone (connection refused). Neither is a missing permission, neither deletes anything, and
 * polis delivers again once the server is back.
 */

let t: TestPolis;
const clock = new ManualClock(new Date());
const kube = new KubeHarness(() => t, { clock });
const fakes: FakeKube[] = [];

/** Everything polis shows about a cluster and an application that would call a refusal a missing right. */
async function permissionDeniedShown(cluster: string, app: string): Promise<string[]> {
  const out: string[] = [];
  const c = await kube.clusterStatus(cluster);
  if (c?.health === 'PermissionDenied') out.push(`cluster ${cluster} PermissionDenied: ${c.conditions?.[0]?.message}`);
  const s = await kube.appStatus(app);
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
  const f = await startFakeKube({ readyAfterMs: 0, rbac: [SHIPPED_ROLE] });
  fakes.push(f);
  return f;
}

describe('an API server restarting (the 403/500 window while it starts)', () => {
  it('is not a missing permission: polis holds, deletes nothing, and delivers again once it is ready', async () => {
    const fake = await newFake();
    await kube.register('k8s-restarts', fake);
    await kube.waitFor(
      'k8s-restarts Ready',
      async () => (await kube.clusterStatus('k8s-restarts'))?.health === 'Ready',
    );
    await kube.applyOk('restart-portal', 'k8s-restarts');
    await kube.waitFor('restart-portal delivered', () => kube.delivered('restart-portal'));

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
    const during = await kube.clusterStatus('k8s-restarts');
    expect(during.health).not.toBe('Ready');
    expect(during.conditions[0].message).toContain('poststarthook/rbac/bootstrap-roles failed');

    await fake.setDown(false);
    await kube.waitFor('restart-portal delivered again', async () => {
      shown.push(...(await permissionDeniedShown('k8s-restarts', 'restart-portal')));
      return (await kube.clusterStatus('k8s-restarts'))?.health === 'Ready' && (await kube.delivered('restart-portal'));
    });
    shown.push(...(await permissionDeniedShown('k8s-restarts', 'restart-portal')));
    expect(shown).toEqual([]);
    expect(fake.requests.slice(mark).filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(fake.get('apps/v1', 'Deployment', 'edu--restart-portal', 'web')).toBeDefined();
  }, 120_000);

  it('is not a missing permission for a cluster registered while its API server starts', async () => {
    const fake = await newFake();
    await fake.setDown('starting');
    await kube.register('k8s-starting', fake);
    await kube.applyOk('starting-portal', 'k8s-starting');
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
    await kube.waitFor('starting-portal delivered', async () => {
      shown.push(...(await permissionDeniedShown('k8s-starting', 'starting-portal')));
      return kube.delivered('starting-portal');
    });
    expect(shown).toEqual([]);
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  }, 120_000);

  it('retries lists answered 500 (the server cannot handle the request yet) instead of giving the kind up', async () => {
    const fake = await newFake();
    await fake.setDown('starting', { lists: 500 });
    await kube.register('k8s-lists-500', fake);
    await kube.applyOk('lists-portal', 'k8s-lists-500');
    for (let i = 0; i < 5; i++) {
      await t.polis.clusters.probeAll();
      await t.polis.delivery.resyncAll();
      await t.polis.delivery.idle();
    }
    expect(fake.requests.some((r) => r.verb === 'list' && r.status === 500)).toBe(true);
    await fake.setDown(false);
    const mark = fake.requests.length;
    await kube.waitFor('lists-portal delivered', () => kube.delivered('lists-portal'));
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
    await kube.register('k8s-refused', fake);
    await kube.waitFor('k8s-refused Ready', async () => (await kube.clusterStatus('k8s-refused'))?.health === 'Ready');
    await kube.applyOk('refused-portal', 'k8s-refused');
    await kube.waitFor('refused-portal delivered', () => kube.delivered('refused-portal'));
    const mark = fake.requests.length;

    await fake.setDown('refused');
    const states: string[] = [];
    await kube.waitFor('k8s-refused Unreachable', async () => {
      const s = await kube.clusterStatus('k8s-refused');
      states.push(s?.health);
      await t.polis.delivery.resyncAll();
      return s?.health === 'Unreachable';
    });
    expect(states).toContain('Suspect');
    expect((await kube.clusterStatus('k8s-refused')).conditions[0].message).toMatch(/ECONNREFUSED/);
    const during = await kube.appStatus('refused-portal');
    expect(during?.placement).toBeDefined();

    await fake.setDown(false);
    await kube.waitFor('refused-portal delivered again', async () => {
      return (await kube.clusterStatus('k8s-refused'))?.health === 'Ready' && (await kube.delivered('refused-portal'));
    });
    expect(fake.requests.slice(mark).filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(fake.get('v1', 'Namespace', undefined, 'edu--refused-portal')?.metadata).toBeDefined();
    expect(fake.get('apps/v1', 'Deployment', 'edu--refused-portal', 'web')).toBeDefined();
  }, 120_000);
});
