import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * One namespace per department and application, end to end in virtual time: departments whose names are hyphen
 * prefixes of each other (health, health-cdc), and the pairs the old `<tenant>-<app>` join sent to one namespace
 * (a-b/c and a/b-c), each get their own namespace and run their own image; a namespace another application owns
 * is refused with NamespaceOwnedByOther in status and events, never taken over.
 */
let t: TestPolis;
const APPS = '/apis/core.oam.dev/v1beta1/tenants';
const CLUSTERS = ['gov-east', 'gov-west'];

const PAIRS: [string, string][] = [
  ['health', 'cdc-portal'],
  ['health-cdc', 'portal'],
  ['a-b', 'c'],
  ['a', 'b-c'],
];

function application(tenant: string, name: string) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, tenant },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: `registry.example.gov.cn/${tenant}/${name}:1.0`, cpu: '100m', memory: '64Mi' },
          traits: [{ type: 'scaler', properties: { replicas: 1 } }],
        },
      ],
      policies: [{ name: 'private', type: 'placement', properties: { clusters: CLUSTERS } }],
    },
  };
}

function department(name: string) {
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Tenant',
    metadata: { name },
    spec: { displayName: { zh: name, en: name }, quota: { cpu: '8', memory: '16Gi', applications: 10 } },
  };
}

async function status(tenant: string, name: string): Promise<AppStatus | undefined> {
  return (await t.request('GET', `${APPS}/${tenant}/applications/${name}`, { token: t.adminToken })).json().status;
}

async function settle(until: () => Promise<boolean>, rounds = 60): Promise<void> {
  for (let i = 0; i < rounds && !(await until()); i++) {
    await t.polis.clusters.probeAll();
    await t.polis.delivery.resyncAll();
    await t.polis.feed.idle();
    await t.polis.delivery.idle();
    t.polis.sim!.advance(1000);
  }
}

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock: new ManualClock('2026-11-24T08:00:00Z') });
  for (const d of ['health-cdc', 'a-b', 'a']) {
    const r = await t.request('POST', '/apis/polis.io/v1/tenants', { token: t.adminToken, body: department(d) });
    expect(r.statusCode, r.body).toBe(201);
  }
  // A namespace left by someone else where a/b-d would go, labelled as another department's application.
  for (const c of CLUSTERS)
    t.polis.sim!.cluster(c)!.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'a--b-d',
        labels: { 'polis.io/tenant': 'x', 'app.oam.dev/name': 'y', 'app.kubernetes.io/managed-by': 'polis' },
      },
    });
  for (const [tenant, name] of [...PAIRS, ['a', 'b-d'] as [string, string]]) {
    const r = await t.request('POST', `${APPS}/${tenant}/applications`, {
      token: t.adminToken,
      body: application(tenant, name),
    });
    expect(r.statusCode, r.body).toBe(201);
  }
  await settle(async () => {
    for (const [tenant, name] of PAIRS) if ((await status(tenant, name))?.phase !== 'Running') return false;
    return (await status('a', 'b-d'))?.conditions.some((c) => c.reason === 'NamespaceOwnedByOther') === true;
  });
}, 120_000);
afterAll(async () => t?.stop());

describe('namespaces', () => {
  it('gives hyphen-prefix departments and the pairs that used to collide a namespace each, each running its own image', async () => {
    const namespaces = new Set<string>();
    for (const [tenant, name] of PAIRS) {
      const s = (await status(tenant, name))!;
      expect({ tenant, name, phase: s.phase, message: s.message }).toMatchObject({ phase: 'Running' });
      expect(s.namespace).toBe(`${tenant}--${name}`);
      namespaces.add(s.namespace!);
      for (const cluster of Object.keys(s.placement.web!)) {
        const deployments = t.polis.sim!.cluster(cluster)!.list(s.namespace!, { 'app.oam.dev/name': name });
        const web = deployments.find((d) => d.kind === 'Deployment')!;
        expect(web.metadata.labels?.['polis.io/tenant']).toBe(tenant);
        const image = (web.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
          .containers[0]!.image;
        expect(image).toBe(`registry.example.gov.cn/${tenant}/${name}:1.0`);
      }
    }
    expect(namespaces.size).toBe(PAIRS.length);
  });

  it('refuses a namespace another application owns, with the reason and the owner in status and events', async () => {
    const s = (await status('a', 'b-d'))!;
    const delivered = s.conditions.find((c) => c.type === 'Delivered')!;
    expect(delivered).toMatchObject({ status: 'False', reason: 'NamespaceOwnedByOther' });
    expect(delivered.message).toContain('belongs to application y of department x');
    const web = s.components.find((c) => c.name === 'web')!;
    expect(web.clusters[0]).toMatchObject({ reason: 'NamespaceOwnedByOther', readyReplicas: 0 });
    // Nothing was written there: the namespace keeps its owner's labels and holds none of a/b-d's objects.
    for (const c of CLUSTERS) {
      const sim = t.polis.sim!.cluster(c)!;
      expect(sim.get('v1/Namespace//a--b-d')?.metadata.labels?.['polis.io/tenant']).toBe('x');
      expect(sim.list('a--b-d', { 'app.oam.dev/name': 'b-d' })).toEqual([]);
    }
    await t.polis.delivery.idle();
    const events = await t.request('GET', '/apis/polis.io/v1/tenants/a/events', { token: t.adminToken });
    const reasons = (events.json().items as { spec: { reason: string; message: string } }[]).filter(
      (e) => e.spec.reason === 'NamespaceOwnedByOther',
    );
    expect(reasons.length).toBeGreaterThan(0);
    expect(reasons[0]!.spec.message).toContain('department x');
  });

  it("refuses a department name with '--', naming the field and what is accepted", async () => {
    const r = await t.request('POST', '/apis/polis.io/v1/tenants', {
      token: t.adminToken,
      body: department('cdc--lab'),
    });
    expect(r.statusCode).toBe(422);
    expect(r.json().causes).toEqual([
      { path: 'metadata.name', message: expect.stringContaining("must not contain '--'") },
    ]);
    expect(r.json().causes[0].message).toContain("'cdc-lab'");
  });
});
