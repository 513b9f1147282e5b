import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { departmentUsage, type ClusterPricing } from '../src/tenancy/usage.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

describe('departmentUsage (pure)', () => {
  const clusters = new Map([
    ['gov-east', { role: 'primary', prices: { cpuCoreHour: 0.12, memoryGiBHour: 0.016 } }],
    ['burst-aliyun', { role: 'burst', prices: { cpuCoreHour: 0.22, memoryGiBHour: 0.03 } }],
  ]);

  it('prices placed replicas at each cluster, counts burst replicas, and converts the quota to base units', () => {
    const u = departmentUsage(
      'edu',
      {
        displayName: { zh: '教育局', en: 'Education Bureau' },
        quota: { cpu: '64', memory: '256Gi', applications: 30 },
      },
      [
        {
          requested: { cpu: 1500, memory: 3 * 1024 ** 3, storage: 0, applications: 1 },
          perReplica: { web: { cpuMilli: 500, memoryBytes: 1024 ** 3 } },
          placement: { web: { 'gov-east': 2, 'burst-aliyun': 1, 'gone-cluster': 1 } },
        },
      ],
      clusters,
    );
    expect(u.quota).toEqual({ cpu: 64, memory: 256 * 1024 ** 3, applications: 30 });
    expect(u.requested).toEqual({ cpu: 1.5, memory: 3 * 1024 ** 3, storage: 0, applications: 1 });
    expect(u.placed).toEqual({ cpu: 2, memory: 4 * 1024 ** 3, replicas: 4, burstReplicas: 1 });
    // gov-east: 1 core × 0.12 + 2 GiB × 0.016; burst: 0.5 × 0.22 + 1 × 0.03; the unknown cluster is not priced.
    expect(u.costPerHour).toBe(Math.round((0.12 + 0.032 + 0.11 + 0.03) * 100) / 100);
  });

  it('reports an empty department as zeros with an unlimited quota', () => {
    expect(departmentUsage('x', undefined, [], clusters)).toEqual({
      tenant: 'x',
      quota: {},
      requested: { cpu: 0, memory: 0, storage: 0, applications: 0 },
      placed: { cpu: 0, memory: 0, replicas: 0, burstReplicas: 0 },
      costPerHour: 0,
      unreachable: { cpu: 0, memory: 0, replicas: 0 },
      sharing: {
        guarantee: {},
        borrowingLimit: {},
        privatePlaced: { cpu: 0, memory: 0 },
        borrowed: { cpu: 0, memory: 0 },
        heldBack: { replicas: 0, byReason: {} },
        level: 'ok',
      },
    });
  });

  it('keeps replicas on an unreachable cluster out of the totals and the cost, and shows them apart', () => {
    const withDead = new Map<string, ClusterPricing>([
      ...clusters,
      ['gov-west', { role: 'primary', health: 'Unreachable' }],
    ]);
    const u = departmentUsage(
      'edu',
      undefined,
      [
        {
          requested: { cpu: 1500, memory: 3 * 1024 ** 3, storage: 0, applications: 1 },
          perReplica: { web: { cpuMilli: 500, memoryBytes: 1024 ** 3 } },
          // After a failover: 3 replicas moved to gov-east, the dead cluster's 3 still listed.
          placement: { web: { 'gov-east': 3, 'gov-west': 3 } },
        },
      ],
      withDead,
    );
    expect(u.placed).toEqual({ cpu: 1.5, memory: 3 * 1024 ** 3, replicas: 3, burstReplicas: 0 });
    expect(u.unreachable).toEqual({ cpu: 1.5, memory: 3 * 1024 ** 3, replicas: 3 });
    expect(u.costPerHour).toBe(Math.round((1.5 * 0.12 + 3 * 0.016) * 100) / 100);
  });
});

describe('usage routes', () => {
  let t: TestPolis;
  beforeAll(async () => {
    t = await startTestPolis();
  });
  afterAll(async () => t.stop());

  it('gives the platform every department, and a department only itself', async () => {
    const all = await t.request('GET', '/api/v1/usage', { token: t.adminToken });
    expect(all.statusCode).toBe(200);
    const items = (all.json() as { items: Array<{ tenant: string; requested: { applications: number } }> }).items;
    expect(items.map((i) => i.tenant)).toContain('tax');
    const edu = items.find((i) => i.tenant === 'edu')!;
    expect(edu.requested.applications).toBeGreaterThan(0);

    const own = await t.request('GET', '/api/v1/usage', { token: t.tokens['edu-admin'] });
    expect((own.json() as { items: Array<{ tenant: string }> }).items.map((i) => i.tenant)).toEqual(['edu']);
    const one = await t.request('GET', '/api/v1/tenants/edu/usage', { token: t.tokens['edu-staff'] });
    expect(one.json()).toMatchObject({ kind: 'DepartmentUsage', tenant: 'edu', quota: { cpu: 64 } });
  });

  it('refuses another department’s usage with 403 and names a missing department with 404', async () => {
    const r = await t.request('GET', '/api/v1/tenants/tax/usage', { token: t.tokens['edu-admin'] });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('tax');
    expect((await t.request('GET', '/api/v1/tenants/no-such/usage', { token: t.adminToken })).statusCode).toBe(404);
  });
});

describe('the share of the private cloud in /usage and /metrics', () => {
  let t: TestPolis;
  const GI = 1024 ** 3;
  const patch = (url: string, body: unknown) =>
    t.request('PATCH', url, { token: t.adminToken, contentType: 'application/merge-patch+json', body });
  beforeAll(async () => {
    t = await startTestPolis();
    // A private cluster of 100 cores, 400 GiB, probed and Ready; every other cluster is a burst one or gone.
    for (const c of (await t.request('GET', '/apis/polis.io/v1/clusters', { token: t.adminToken })).json().items)
      await t.request('DELETE', `/apis/polis.io/v1/clusters/${c.metadata.name}`, { token: t.adminToken });
    const created = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'Cluster',
        metadata: { name: 'share-east' },
        spec: {
          provider: 'simulated',
          simulation: { nodes: 10, nodeCpu: '10', nodeMemory: '40Gi' },
          vendor: 'huawei',
          region: 'city',
          zone: 'east',
          networkZone: 'e-gov-extranet',
          role: 'primary',
        },
      },
    });
    expect(created.statusCode, created.body).toBeLessThan(300);
    const st = await patch('/apis/polis.io/v1/clusters/share-east/status', {
      status: { health: 'Ready', allocatable: { cpuMilli: 100_000, memoryBytes: 400 * GI, pods: 1000 } },
    });
    expect(st.statusCode, st.body).toBe(200);
    // edu (guarantee 64 cores) runs 60 api replicas of 1 core and 30 web of 0.5 core there: 75 cores, 117.2%.
    // Application status is the delivery controller's: written here through the store, as it would.
    await t.polis.resources.patch(
      { actor: 'test', requestId: 'usage-test' },
      { kind: 'Application', tenant: 'edu', name: 'enrolment-portal' },
      {
        status: {
          placement: { api: { 'share-east': 60 }, web: { 'share-east': 30 } },
          sharing: {
            priority: 'normal',
            components: {
              api: { guaranteed: 54, borrowed: 6, limited: 5, reason: 'Reclaimed' },
              web: { guaranteed: 30, borrowed: 0 },
            },
          },
        },
      },
      { subresource: 'status' },
    );
  });
  afterAll(async () => t.stop());

  it('shows a department over its guarantee with the percentage, what it borrows and what is held back', async () => {
    const r = await t.request('GET', '/api/v1/tenants/edu/usage', { token: t.tokens['edu-staff'] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().sharing).toMatchObject({
      guarantee: { cpu: 64, memory: 256 * GI },
      borrowingLimit: { cpu: 0, memory: 0 },
      privatePlaced: { cpu: 75, memory: 75 * GI },
      borrowed: { cpu: 11, memory: 0 },
      percent: 117.2,
      level: 'over',
      heldBack: { replicas: 5, byReason: { Reclaimed: 5 } },
    });
  });

  it('warns the platform, and only the platform, that the guarantees exceed the healthy private capacity', async () => {
    const all = (await t.request('GET', '/api/v1/usage', { token: t.adminToken })).json();
    expect(all.warnings).toEqual([
      expect.objectContaining({
        reason: 'GuaranteesOvercommitted',
        params: expect.objectContaining({ capacityCpu: 100, capacityMemory: 400 * GI, clusters: 1 }),
      }),
    ]);
    expect(all.warnings[0].params.guaranteeCpu).toBeGreaterThan(100);
    const own = (await t.request('GET', '/api/v1/usage', { token: t.tokens['edu-admin'] })).json();
    expect(own.warnings).toBeUndefined();
    expect(own.items.map((i: { tenant: string }) => i.tenant)).toEqual(['edu']);
  });

  it('exports the share, the borrowed cores and the held-back replicas as gauges', async () => {
    const m = (await t.request('GET', '/metrics', { token: t.adminToken })).body;
    expect(m).toMatch(/polis_department_private_share_ratio\{tenant="edu"\} 1\.172/);
    expect(m).toMatch(/polis_department_borrowed_cpu_cores\{tenant="edu"\} 11/);
    expect(m).toMatch(/polis_department_held_back_replicas\{tenant="edu",reason="Reclaimed"\} 5/);
  });
});

describe('the usage report over the holding index (issue 13: departments and the big screen at 10,000 applications)', () => {
  let t: TestPolis;
  const ctx = { actor: 'test', requestId: 'usage-index' };
  const edu = async () =>
    (await t.request('GET', '/api/v1/tenants/edu/usage', { token: t.adminToken })).json() as {
      requested: { applications: number; cpu: number };
      placed: { replicas: number };
    };
  beforeAll(async () => {
    t = await startTestPolis();
  });
  afterAll(async () => t.stop());

  it('counts a write at once, status and deletion included, without listing applications from the store', async () => {
    const before = await edu();
    const list = vi.spyOn(t.polis.store, 'list');
    try {
      await t.polis.resources.apply(ctx, [
        {
          apiVersion: 'core.oam.dev/v1beta1',
          kind: 'Application',
          metadata: { name: 'index-probe', tenant: 'edu' },
          spec: { components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx', cpu: '500m' } }] },
        },
      ]);
      const created = await edu();
      expect(created.requested.applications).toBe(before.requested.applications + 1);
      expect(created.requested.cpu).toBeCloseTo(before.requested.cpu + 0.5, 3);

      await t.polis.resources.patch(
        ctx,
        { kind: 'Application', tenant: 'edu', name: 'index-probe' },
        { status: { placement: { web: { 'gov-east': 3 } } } },
        { subresource: 'status' },
      );
      expect((await edu()).placed.replicas).toBe(before.placed.replicas + 3);

      await t.polis.resources.delete(ctx, { kind: 'Application', tenant: 'edu', name: 'index-probe' });
      await vi.waitFor(async () => expect((await edu()).requested.applications).toBe(before.requested.applications), {
        timeout: 30_000,
      });
      expect(list.mock.calls.filter(([q]) => q.kind === 'Application')).toEqual([]);
    } finally {
      list.mockRestore();
    }
  });
});
