import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { KubeHarness, SHIPPED_ROLE } from './support/kube-harness.ts';

/**
 * Least privilege for real: the fake API server enforces the shipped member-cluster role
 * (deploy/member-cluster/polis-agent-rbac.yaml) and polis delivers through it; a cluster whose role lacks a right
 * polis needs (here, the role as it was shipped before: no watch on services) is shown PermissionDenied, naming
 * the right, and nothing is reported delivered there.
 */

const NO_WATCH_ON_SERVICES = SHIPPED_ROLE.replace(
  /(resources: \[services, [^\]]*\]\n\s+verbs: )\[get, list, watch, create, patch, delete\]/,
  '$1[get, list, create, patch, delete]',
);

let t: TestPolis;
const kube = new KubeHarness(() => t);
let good: FakeKube;
let lacking: FakeKube;

beforeAll(async () => {
  expect(NO_WATCH_ON_SERVICES).not.toBe(SHIPPED_ROLE);
  good = await startFakeKube({ readyAfterMs: 0, rbac: [SHIPPED_ROLE] });
  lacking = await startFakeKube({ readyAfterMs: 0, rbac: [NO_WATCH_ON_SERVICES] });
  t = await startTestPolis({ controllers: true, virtualTime: true });
  await kube.register('k8s-good', good);
  await kube.register('k8s-lacking', lacking);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await good?.stop();
  await lacking?.stop();
});

describe('the shipped member-cluster role, enforced', () => {
  it('lets polis deliver and observe without a single refusal', async () => {
    await kube.waitFor('k8s-good Ready', async () => (await kube.clusterStatus('k8s-good'))?.health === 'Ready');
    const r = await kube.apply('rbac-portal', 'k8s-good');
    expect(r.statusCode, r.body).toBe(200);
    await kube.waitFor('Running', async () => (await kube.appStatus('rbac-portal'))?.phase === 'Running');
    const s = (await kube.appStatus('rbac-portal'))!;
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
    await kube.waitFor(
      'k8s-lacking PermissionDenied',
      async () => (await kube.clusterStatus('k8s-lacking'))?.health === 'PermissionDenied',
    );
    const s = await kube.clusterStatus('k8s-lacking');
    expect(s.deniedPermissions).toContainEqual({ verb: 'watch', resource: 'services', group: '' });
    expect(s.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PermissionDenied',
      message: expect.stringContaining('watch services'),
    });
  });

  it('never reports an application Delivered there', async () => {
    const r = await kube.apply('rbac-denied', 'k8s-lacking');
    expect(r.statusCode, r.body).toBe(200);
    await kube.waitFor('a status', async () => (await kube.appStatus('rbac-denied')) !== undefined);
    await t.polis.delivery.resyncAll();
    await t.polis.delivery.idle();
    const s = (await kube.appStatus('rbac-denied'))!;
    expect(s.conditions.find((c) => c.type === 'Delivered')?.status).not.toBe('True');
    expect(s.phase).not.toBe('Running');
    expect(s.message ?? '').toMatch(/PermissionDenied|refuses what polis needs/);
    expect(lacking.get('apps/v1', 'Deployment', 'edu--rbac-denied', 'web')).toBeUndefined();
  });
});
