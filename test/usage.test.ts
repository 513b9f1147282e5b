import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
