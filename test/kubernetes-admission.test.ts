import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { KubeHarness, SHIPPED_ROLE } from './support/kube-harness.ts';

/**
 * What a real API server's admission and namespace lifecycle do to what polis delivers: a ResourceQuota that
 * refuses pods (the workload shows the API server's reason, not Progressing forever), and a namespace that takes
 * time to terminate (deleting an application and applying it again under the same name converges).
 */

let t: TestPolis;
const clock = new ManualClock(new Date());
const kube = new KubeHarness(() => t, { clock });
const fakes: FakeKube[] = [];

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
}, 60_000);

afterAll(async () => {
  await t?.stop();
  for (const f of fakes) await f.stop();
});

async function newFake(): Promise<FakeKube> {
  const f = await startFakeKube({ readyAfterMs: 0, rbac: [SHIPPED_ROLE], namespaceTerminationMs: 1500 });
  fakes.push(f);
  return f;
}

describe('a ResourceQuota that refuses pods', () => {
  it('shows FailedCreate with the API server’s message on the workload, not Progressing forever', async () => {
    const fake = await newFake();
    await kube.register('k8s-quota', fake);
    await kube.waitFor('k8s-quota Ready', async () => (await kube.clusterStatus('k8s-quota'))?.health === 'Ready');
    await kube.applyOk('quota-portal', 'k8s-quota');
    await kube.waitFor('quota-portal delivered', () => kube.delivered('quota-portal'));
    // The cluster's own administrators cap the namespace (2 × 100m run already).
    const quota = await fetch(`${fake.url}/api/v1/namespaces/edu--quota-portal/resourcequotas`, {
      method: 'POST',
      headers: { Authorization: 'Bearer fake-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ metadata: { name: 'compute' }, spec: { hard: { 'requests.cpu': '250m' } } }),
    });
    expect(quota.status).toBe(201);
    await kube.applyOk('quota-portal', 'k8s-quota', 4);
    await kube.waitFor('the refusal shown', async () =>
      JSON.stringify(await kube.appStatus('quota-portal')).includes('FailedCreate'),
    );
    const s = (await kube.appStatus('quota-portal'))!;
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
    await kube.register('k8s-ns', fake);
    await kube.waitFor('k8s-ns Ready', async () => (await kube.clusterStatus('k8s-ns'))?.health === 'Ready');
    await kube.applyOk('again-portal', 'k8s-ns');
    await kube.waitFor('again-portal delivered', () => kube.delivered('again-portal'));
    const del = await t.request('DELETE', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/again-portal', {
      token: t.tokens['edu-admin'],
    });
    expect(del.statusCode, del.body).toBeLessThan(300);
    await kube.waitFor('the namespace Terminating', async () => {
      const ns = fake.get('v1', 'Namespace', undefined, 'edu--again-portal') as
        { status?: { phase?: string } } | undefined;
      return ns?.status?.phase === 'Terminating';
    });
    await kube.applyOk('again-portal', 'k8s-ns');
    await kube.waitFor('again-portal delivered again in a new namespace', async () => {
      const ns = fake.get('v1', 'Namespace', undefined, 'edu--again-portal') as
        { metadata?: { deletionTimestamp?: string } } | undefined;
      return ns !== undefined && !ns.metadata?.deletionTimestamp && (await kube.delivered('again-portal'));
    });
    expect(fake.get('apps/v1', 'Deployment', 'edu--again-portal', 'web')).toBeDefined();
  }, 120_000);
});
