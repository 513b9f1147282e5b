import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * A Kubernetes cluster end to end: registered by kubeconfig through the API, probed Ready, an application placed
 * on it, delivered with server-side apply, observed Running through the driver's watches, its department's
 * namespace guards in place, then deleted and pruned. The cluster is the fake API server of test/support/fake-kube.
 */
let t: TestPolis;
let fake: FakeKube;
const APP = '/apis/core.oam.dev/v1beta1/tenants/edu/applications/k8s-portal';

async function waitFor(what: string, check: () => Promise<boolean>, limitMs = 60_000): Promise<void> {
  for (const end = Date.now() + limitMs; Date.now() < end;) {
    await t.polis.clusters.probeAll();
    await t.polis.delivery.idle();
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function status(): Promise<AppStatus | undefined> {
  const r = await t.request('GET', APP, { token: t.adminToken });
  return r.statusCode === 200 ? r.json().status : undefined;
}

beforeAll(async () => {
  fake = await startFakeKube({ readyAfterMs: 0 });
  t = await startTestPolis({ controllers: true, virtualTime: true });
  const r = await t.request('POST', '/api/v1/clusters', {
    token: t.adminToken,
    body: {
      name: 'k8s-east',
      kubeconfig: fake.kubeconfig(),
      vendor: 'k3s',
      region: 'city-east',
      zone: 'city-east-edge',
      networkZone: 'e-gov-extranet',
      role: 'primary',
    },
  });
  if (r.statusCode !== 200) throw new Error(`registration: ${r.statusCode} ${r.body}`);
}, 60_000);

afterAll(async () => {
  await t?.stop();
  await fake?.stop();
});

describe('delivery to a Kubernetes cluster', () => {
  it('probes the registered cluster Ready and records its version and capacity', async () => {
    await waitFor('the cluster to be Ready', async () => t.polis.clusters.health('k8s-east')?.state === 'Ready');
    await waitFor('its status', async () => {
      const c = await t.request('GET', '/apis/polis.io/v1/clusters/k8s-east', { token: t.adminToken });
      return c.json().status?.allocatable !== undefined;
    });
    const c = (await t.request('GET', '/apis/polis.io/v1/clusters/k8s-east', { token: t.adminToken })).json();
    expect(c.status).toMatchObject({ health: 'Ready', version: expect.stringMatching(/^v1\./) });
    expect(c.status.allocatable.cpuMilli).toBeGreaterThan(0);
  });

  it('delivers an application with server-side apply and reports it Running from the cluster’s own status', async () => {
    const r = await t.request('POST', '/api/v1/apply', {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'k8s-portal', tenant: 'edu' },
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
          policies: [{ name: 'here', type: 'placement', properties: { clusters: ['k8s-east'] } }],
        },
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    await waitFor('Running', async () => (await status())?.phase === 'Running');
    const s = (await status())!;
    expect(s.placement.web).toEqual({ 'k8s-east': 2 });
    const dep = fake.get('apps/v1', 'Deployment', 'edu--k8s-portal', 'web') as {
      metadata: { labels: Record<string, string>; managedFields: { manager: string; operation: string }[] };
      spec: { replicas: number };
    };
    expect(dep.spec.replicas).toBe(2);
    expect(dep.metadata.labels['polis.io/tenant']).toBe('edu');
    expect(dep.metadata.managedFields.some((f) => f.manager === 'polis' && f.operation === 'Apply')).toBe(true);
    // The department's guards in its namespace.
    expect(
      fake.get('networking.k8s.io/v1', 'NetworkPolicy', 'edu--k8s-portal', 'polis-department-isolation'),
    ).toBeDefined();
    expect(fake.get('v1', 'LimitRange', 'edu--k8s-portal', 'polis-defaults')).toBeDefined();
    expect(fake.get('v1', 'ResourceQuota', 'edu--k8s-portal', 'polis-department-quota')).toBeDefined();
  });

  it('sends no write to the cluster when a resync finds nothing to change', async () => {
    fake.resetCounts();
    await t.polis.delivery.resyncAll();
    await t.polis.delivery.idle();
    expect(fake.counts().writes).toBe(0);
  });

  it('undoes an in-cluster edit of a field polis owns', async () => {
    fake.edit('apps/v1', 'Deployment', 'edu--k8s-portal', 'web', (d) => {
      d.spec.template.spec.containers[0].image = 'registry.example.gov.cn/edu/portal:tampered';
    });
    await t.polis.delivery.resyncAll();
    await waitFor('the drift to be repaired', async () => {
      const d = fake.get('apps/v1', 'Deployment', 'edu--k8s-portal', 'web') as {
        spec: { template: { spec: { containers: { image: string }[] } } };
      };
      return d.spec.template.spec.containers[0]!.image === 'registry.example.gov.cn/edu/portal:1.0';
    });
  });

  it('reports a field another tool applied, says how to take it over, and does with the force-conflicts annotation', async () => {
    const answer = await fetch(
      `${fake.url}/apis/apps/v1/namespaces/edu--k8s-portal/deployments/web?fieldManager=other-tool&force=true`,
      {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/apply-patch+yaml', Authorization: 'Bearer fake-token' },
        body: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'web', namespace: 'edu--k8s-portal' },
          spec: { replicas: 5 },
        }),
      },
    );
    expect(answer.status).toBe(200);
    await waitFor('the conflict to be reported', async () => {
      await t.polis.delivery.resyncAll();
      return (await status())?.conditions.find((c) => c.type === 'Delivered')?.status === 'False';
    });
    const delivered = (await status())!.conditions.find((c) => c.type === 'Delivered')!;
    expect(delivered.reason).toBe('ApplyFailed');
    expect(delivered.message).toContain('conflict with field manager other-tool on .spec.replicas');
    expect(delivered.message).toContain('metadata.annotations["polis.io/force-conflicts"]: "true"');
    const app = (await t.request('GET', APP, { token: t.tokens['edu-admin'] })).json();
    const r = await t.request('POST', '/api/v1/apply', {
      token: t.tokens['edu-admin'],
      body: {
        apiVersion: app.apiVersion,
        kind: app.kind,
        metadata: { name: 'k8s-portal', tenant: 'edu', annotations: { 'polis.io/force-conflicts': 'true' } },
        spec: app.spec,
      },
    });
    expect(r.statusCode, r.body).toBe(200);
    await waitFor('polis to take the field over', async () => {
      const d = fake.get('apps/v1', 'Deployment', 'edu--k8s-portal', 'web') as { spec: { replicas: number } };
      return d.spec.replicas === 2;
    });
    await waitFor('Delivered again', async () => {
      return (await status())?.conditions.find((c) => c.type === 'Delivered')?.status === 'True';
    });
  });

  it('removes everything from the cluster when the application is deleted', async () => {
    const del = await t.request('DELETE', APP, { token: t.tokens['edu-admin'] });
    expect(del.statusCode).toBe(200);
    await waitFor('the application to go', async () => (await status()) === undefined);
    await waitFor(
      'the namespace to go',
      async () => fake.get('v1', 'Namespace', undefined, 'edu--k8s-portal') === undefined,
    );
    expect(fake.get('apps/v1', 'Deployment', 'edu--k8s-portal', 'web')).toBeUndefined();
  });
});
