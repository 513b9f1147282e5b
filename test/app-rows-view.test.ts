import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSse } from './support/sse.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Issue 13: what the console's list pages read. `?view=rows` on the application list and watch answers each
 * application as a list row reads it (no per-cluster detail of each component); `/api/v1/applications/summary`
 * answers the sums the overview, the departments page and the big screen show, per department the caller may see.
 */
const OAM = '/apis/core.oam.dev/v1beta1';
const CTX = { actor: 'test', requestId: 'rows-view' };

/** An application as the tests read it (whole or a row). */
interface AppLike {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: unknown;
  status: { phase: string; components: { clusters?: unknown[] }[] };
}

let t: TestPolis;
let base: string;

/** A status as the delivery controller writes it: per component, each cluster and the reasons it was left out. */
function status(healthy: boolean, phase: string) {
  const excluded = Array.from({ length: 6 }, (_, i) => ({
    cluster: `c${i}`,
    placed: 0,
    reasons: [{ code: 'ClusterOutsideResidency', params: { cluster: `c${i}` }, message: `outside residency ${i}` }],
  }));
  return {
    phase,
    healthy,
    revision: 'r1',
    observedGeneration: 1,
    placement: { web: { 'gov-east': 2, 'gov-west': 1 } },
    components: [{ name: 'web', desiredReplicas: 3, readyReplicas: healthy ? 3 : 1, clusters: excluded }],
  };
}

async function app(tenant: string, name: string, healthy: boolean, phase: string): Promise<void> {
  await t.polis.resources.apply(CTX, [
    {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name, tenant, annotations: { 'polis.io/description': `row ${name}`, bulky: 'x'.repeat(200) } },
      spec: {
        components: [
          { name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '10m', memory: '16Mi' } },
        ],
      },
    },
  ]);
  const current = await t.polis.resources.get('Application', tenant, name);
  await t.polis.resources.replaceStatus(CTX, { ...current, status: status(healthy, phase) });
}

beforeAll(async () => {
  t = await startTestPolis({ listen: true });
  base = t.polis.url!;
  await app('edu', 'rows-a', true, 'Running');
  await app('edu', 'rows-b', false, 'Degraded');
  await app('tax', 'rows-c', false, 'Failed');
}, 120_000);
afterAll(async () => t?.stop());

describe('the row view of applications', () => {
  it('lists each application without the per-cluster detail, in far fewer bytes, with the same paging', async () => {
    const whole = await t.request('GET', `${OAM}/tenants/edu/applications`, { token: t.adminToken });
    const rows = await t.request('GET', `${OAM}/tenants/edu/applications?view=rows`, { token: t.adminToken });
    expect(rows.statusCode).toBe(200);
    const item = (rows.json() as { items: AppLike[] }).items.find((i) => i.metadata.name === 'rows-b')!;
    expect(item.metadata.annotations).toEqual({ 'polis.io/description': 'row rows-b' });
    expect(item.spec).toEqual({ components: [{ name: 'web', type: 'webservice' }] });
    expect(item.status).toMatchObject({ phase: 'Degraded', healthy: false, placement: { web: { 'gov-east': 2 } } });
    expect(item.status.components).toEqual([{ name: 'web', desiredReplicas: 3, readyReplicas: 1 }]);
    expect(rows.body.length).toBeLessThan(whole.body.length / 2);
    // Paging and the resourceVersion a watch starts from are those of the list.
    const page = (await t.request('GET', `${OAM}/applications?view=rows&limit=1`, { token: t.adminToken })).json() as {
      metadata: { continue?: string; resourceVersion: string };
      items: unknown[];
    };
    expect(page.items).toHaveLength(1);
    expect(page.metadata.continue).toBeTruthy();
  });

  it('refuses a view it does not know, naming the parameter and what is accepted', async () => {
    const bad = await t.request('GET', `${OAM}/applications?view=table`, { token: t.adminToken });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('query.view');
    expect(bad.body).toContain('QueryValueInvalid');
    const clusters = await t.request('GET', '/apis/polis.io/v1/clusters?view=rows', { token: t.adminToken });
    expect(clusters.statusCode).toBe(400);
  });

  it('streams rows to a row watcher while a whole-object watcher of the same changes still gets whole objects', async () => {
    const rows = openSse(`${base}${OAM}/tenants/edu/applications?watch=true&view=rows`, t.tokens['edu-admin']!);
    const whole = openSse(`${base}${OAM}/tenants/edu/applications?watch=true`, t.tokens['edu-admin']!);
    try {
      expect((await rows.status).code).toBe(200);
      expect((await whole.status).code).toBe(200);
      const current = await t.polis.resources.get('Application', 'edu', 'rows-a');
      await t.polis.resources.replaceStatus(CTX, { ...current, status: status(false, 'Degraded') });
      const modified = (s: typeof rows) =>
        s.events.find((e) => e.event === 'MODIFIED' && (e.data.object.metadata as { name: string }).name === 'rows-a');
      await rows.until(() => modified(rows) !== undefined);
      await whole.until(() => modified(whole) !== undefined);
      const row = modified(rows)!.data.object as unknown as AppLike;
      expect(row.status.phase).toBe('Degraded');
      expect(row.status.components[0]).not.toHaveProperty('clusters');
      expect(row.metadata.annotations).not.toHaveProperty('bulky');
      const full = modified(whole)!.data.object as unknown as AppLike;
      expect(full.status.components[0]!.clusters).toHaveLength(6);
      // The initial ADDED events of a watch without resourceVersion are rows too.
      const added = rows.events.find(
        (e) => e.event === 'ADDED' && (e.data.object.metadata as { name: string }).name === 'rows-b',
      )!.data.object as unknown as AppLike;
      expect(added.status.components[0]).not.toHaveProperty('clusters');
    } finally {
      rows.close();
      whole.close();
    }
  });
});

describe('the application summary', () => {
  interface Summary {
    total: number;
    healthy: number;
    byPhase: Record<string, number>;
    clusters: { cluster: string; applications: number; replicas: number }[];
    departments: { tenant: string; applications: number; healthy: number }[];
    attention: { tenant: string; name: string; phase: string }[];
  }
  const summary = async (token: string) => {
    const r = await t.request('GET', '/api/v1/applications/summary', { token });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as Summary;
  };

  it('sums applications by health, phase, cluster and department, unhealthy ones worst first', async () => {
    const all = await summary(t.adminToken);
    const edu = all.departments.find((d) => d.tenant === 'edu')!;
    const tax = all.departments.find((d) => d.tenant === 'tax')!;
    expect(edu.applications).toBeGreaterThanOrEqual(2);
    expect(tax.applications).toBeGreaterThanOrEqual(1);
    expect(all.total).toBe(all.departments.reduce((a, d) => a + d.applications, 0));
    expect(all.healthy).toBe(all.departments.reduce((a, d) => a + d.healthy, 0));
    expect(Object.values(all.byPhase).reduce((a, n) => a + n, 0)).toBe(all.total);
    expect(all.clusters.find((c) => c.cluster === 'gov-east')?.replicas).toBeGreaterThanOrEqual(4);
    const failed = all.attention.findIndex((a) => a.name === 'rows-c');
    const degraded = all.attention.findIndex((a) => a.name === 'rows-b');
    expect(failed).toBeGreaterThanOrEqual(0);
    expect(failed).toBeLessThan(degraded);
  });

  it('counts a write made just before the call', async () => {
    const before = await summary(t.adminToken);
    await app('tax', 'rows-d', true, 'Running');
    const after = await summary(t.adminToken);
    expect(after.total).toBe(before.total + 1);
    expect(after.departments.find((d) => d.tenant === 'tax')!.applications).toBe(
      before.departments.find((d) => d.tenant === 'tax')!.applications + 1,
    );
  });

  it("shows a department admin its own department's figures only", async () => {
    const own = await summary(t.tokens['edu-admin']!);
    expect(own.departments.map((d) => d.tenant)).toEqual(['edu']);
    expect(own.attention.every((a) => a.tenant === 'edu')).toBe(true);
    expect(own.attention.map((a) => a.name)).not.toContain('rows-c');
    const all = await summary(t.adminToken);
    expect(own.total).toBe(all.departments.find((d) => d.tenant === 'edu')!.applications);
  });
});
