import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ManualClock } from '../src/kernel/clock.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Copying a department's solution (issue 16, point 5): the set of marketplace instances and their bindings, to
 * another region of the same department or to another department, in one transaction; the refusals that leave
 * nothing behind (rights in both departments, a binding's application missing, quota, an unknown region, names
 * taken); and the family of copies an upgrade is offered to.
 */
let t: TestPolis;
const M = '/apis/market.polis.io/v1';
const dir = join(import.meta.dirname, '..', 'examples', 'market');
const seed = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as unknown));
let reviewer: string;

type Body = Record<string, unknown> & { causes?: Array<{ path: string; code?: string }> };
async function req(method: string, url: string, token: string, body?: unknown) {
  const r = await t.request(method, url, { token, body });
  return { status: r.statusCode, body: r.json() as Body };
}
const names = async (kind: string, tenant: string) =>
  (
    (
      await req(
        'GET',
        `/apis/${kind === 'Application' ? 'core.oam.dev/v1beta1' : kind === 'Secret' ? 'polis.io/v1' : 'market.polis.io/v1'}/tenants/${tenant}/${kind.toLowerCase()}s`,
        t.adminToken,
      )
    ).body.items as Array<{ metadata: { name: string } }>
  )
    .map((o) => o.metadata.name)
    .sort();

async function settle(until: () => Promise<boolean>, rounds = 200): Promise<void> {
  const p = t.polis;
  for (let i = 0; i < rounds; i++) {
    await p.clusters.probeAll();
    await p.market.idle();
    await p.delivery.idle();
    p.sim!.advance(1000);
    if (await until()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

async function release(version: string): Promise<void> {
  expect((await req('POST', `${M}/catalogitemversions/${version}/submit`, t.tokens.publisher!)).status).toBe(200);
  expect((await req('POST', `${M}/catalogitemversions/${version}/approve`, reviewer)).status).toBe(200);
}

const causes = (b: Body) => (b.causes ?? []).map((c) => `${c.path} ${c.code}`);

beforeAll(async () => {
  t = await startTestPolis({
    controllers: true,
    virtualTime: true,
    clock: new ManualClock('2026-12-01T08:00:00Z'),
    market: { maxAttempts: 4, retryBaseMs: 20 },
  });
  expect((await req('POST', '/api/v1/apply', t.adminToken, seed)).status).toBe(200);
  await req('POST', '/api/v1/apply', t.adminToken, [
    { apiVersion: 'polis.io/v1', kind: 'User', metadata: { name: 'reviewer' }, spec: { displayName: '审核员' } },
    {
      apiVersion: 'polis.io/v1',
      kind: 'PlatformRoleBinding',
      metadata: { name: 'reviewer' },
      spec: { user: 'reviewer', role: 'platform-admin' },
    },
  ]);
  reviewer = (await req('POST', '/api/v1/tokens', t.adminToken, { user: 'reviewer' })).body.token as string;
  for (const v of ['redis-7-2-0', 'one-stop-portal-2-3-0']) await release(v);
  // edu's solution: the portal, a Redis, its own application enrol bound to the Redis, and the portal bound to it.
  const edu = t.tokens['edu-admin']!;
  const r = await req('POST', '/api/v1/apply', edu, [
    {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'enrol', tenant: 'edu' },
      spec: {
        components: [
          { name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '100m', memory: '64Mi' } },
        ],
      },
    },
    {
      apiVersion: 'market.polis.io/v1',
      kind: 'MarketInstance',
      metadata: { name: 'portal', tenant: 'edu' },
      spec: { item: 'one-stop-portal', version: '2.3.0', parameters: { title: '教育一网通办' } },
    },
    {
      apiVersion: 'market.polis.io/v1',
      kind: 'MarketInstance',
      metadata: { name: 'cache', tenant: 'edu' },
      spec: { item: 'redis', version: '7.2.0' },
    },
    {
      apiVersion: 'market.polis.io/v1',
      kind: 'ServiceBinding',
      metadata: { name: 'enrol-cache', tenant: 'edu' },
      spec: { instance: 'cache', application: 'enrol' },
    },
    {
      apiVersion: 'market.polis.io/v1',
      kind: 'ServiceBinding',
      metadata: { name: 'portal-cache', tenant: 'edu' },
      spec: { instance: 'cache', application: 'portal' },
    },
  ]);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  await settle(async () => (await names('Application', 'edu')).includes('portal'));
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('copying a solution', () => {
  it('copies the set to another region of the same department, placed only on that region, linked to its source', async () => {
    const r = await req('POST', `${M}/tenants/edu/copy`, t.tokens['edu-admin']!, {
      target: { department: 'edu', regions: ['city-west'], suffix: '-west' },
      overrides: { portal: { parameters: { webReplicas: 1 } } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.instances).toEqual([
      { from: 'cache', to: 'cache-west', application: 'cache-west', item: 'redis', version: '7.2.0' },
      { from: 'portal', to: 'portal-west', application: 'portal-west', item: 'one-stop-portal', version: '2.3.0' },
    ]);
    // enrol's binding follows the Redis copy; the portal's binding follows the portal copy.
    expect(r.body.bindings).toEqual([
      { from: 'enrol-cache', to: 'enrol-cache-west', application: 'enrol' },
      { from: 'portal-cache', to: 'portal-cache-west', application: 'portal-west' },
    ]);
    const copy = (await req('GET', `${M}/tenants/edu/marketinstances/portal-west`, t.adminToken)).body as {
      spec: Record<string, unknown>;
      metadata: { labels: Record<string, string> };
    };
    expect(copy.spec.copyOf).toEqual({ department: 'edu', instance: 'portal' });
    expect(copy.spec.parameters).toEqual({ title: '教育一网通办', webReplicas: 1 });
    expect(copy.metadata.labels['market.polis.io/copy-of']).toBe('edu.portal');
    const b = (await req('GET', `${M}/tenants/edu/servicebindings/portal-cache-west`, t.adminToken)).body as {
      spec: Record<string, unknown>;
    };
    expect(b.spec).toEqual({ instance: 'cache-west', application: 'portal-west' });
    // Placed on the western region's cluster only, and the copied binding becomes Ready there.
    await settle(async () => {
      const app = (await req('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/portal-west', t.adminToken))
        .body as { status?: { placement?: Record<string, Record<string, number>> } };
      const sb = (await req('GET', `${M}/tenants/edu/servicebindings/portal-cache-west`, t.adminToken)).body as {
        status?: { phase?: string };
      };
      const clusters = new Set(Object.values(app.status?.placement ?? {}).flatMap((c) => Object.keys(c)));
      return clusters.size > 0 && sb.status?.phase === 'Ready';
    });
    const app = (await req('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/portal-west', t.adminToken))
      .body as { status: { placement: Record<string, Record<string, number>> } };
    expect([...new Set(Object.values(app.status.placement).flatMap((c) => Object.keys(c)))]).toEqual(['gov-west']);
  });

  it('refuses a department admin copying into a department they do not administer, and writes nothing', async () => {
    const before = await names('MarketInstance', 'tax');
    const r = await req('POST', `${M}/tenants/edu/copy`, t.tokens['edu-admin']!, { target: { department: 'tax' } });
    expect(r.status).toBe(403);
    expect(JSON.stringify(r.body)).toContain('MarketCopyNotAllowed');
    // Nor from a department they cannot read.
    expect(
      (await req('POST', `${M}/tenants/tax/copy`, t.tokens['edu-admin']!, { target: { department: 'edu' } })).status,
    ).toBe(403);
    expect(await names('MarketInstance', 'tax')).toEqual(before);
  });

  it('refuses a copy whose binding names an application the target lacks, an unknown region, a taken name: nothing half-made', async () => {
    const before = { mi: await names('MarketInstance', 'tax'), app: await names('Application', 'tax') };
    const r = await req('POST', `${M}/tenants/edu/copy`, t.adminToken, {
      target: { department: 'tax', regions: ['mars-1'] },
    });
    expect(r.status).toBe(422);
    expect(causes(r.body)).toEqual([
      'target.regions[0] MarketCopyUnknownRegion',
      // edu's own binding and the one its western copy made (the whole department is the set).
      'bindings.enrol-cache.application MarketCopyApplicationMissing',
      'bindings.enrol-cache-west.application MarketCopyApplicationMissing',
    ]);
    const same = await req('POST', `${M}/tenants/edu/copy`, t.adminToken, { target: { department: 'edu' } });
    expect(same.status).toBe(409);
    expect(causes(same.body)).toContain('instances[0] MarketCopyNameTaken');
    const bad = await req('POST', `${M}/tenants/edu/copy`, t.adminToken, {
      target: { department: 'tax' },
      instances: ['portal'],
      overrides: { portal: { parameters: { webReplicas: 99 } }, nothing: {} },
    });
    expect(bad.status).toBe(422);
    expect(causes(bad.body)).toEqual([
      'overrides.nothing MarketCopyOverrideUnknown',
      'overrides.portal.parameters MarketParametersInvalid',
    ]);
    expect((await req('POST', `${M}/tenants/edu/copy`, t.adminToken, { target: {} })).status).toBe(422);
    expect({ mi: await names('MarketInstance', 'tax'), app: await names('Application', 'tax') }).toEqual(before);
  });

  it('refuses a copy the target department has no quota for, in one transaction: no instance, application or Secret left', async () => {
    const patch = await t.request('PATCH', '/apis/polis.io/v1/tenants/samr', {
      token: t.adminToken,
      body: { spec: { quota: { cpu: '2', memory: '8Gi', storage: '1Ti', applications: 10 } } },
      contentType: 'application/merge-patch+json',
    });
    expect(patch.statusCode, patch.body).toBe(200);
    const before = ['MarketInstance', 'Application', 'Secret', 'ServiceBinding'];
    const was = await Promise.all(before.map((k) => names(k, 'samr')));
    const r = await req('POST', `${M}/tenants/edu/copy`, t.adminToken, {
      target: { department: 'samr' },
      instances: ['portal'],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(JSON.stringify(r.body)).toContain('quota');
    expect(await Promise.all(before.map((k) => names(k, 'samr')))).toEqual(was);
  });

  it('copies to the same-function department of another city with overrides, and offers an upgrade to every copy', async () => {
    const r = await req('POST', `${M}/tenants/edu/copy`, t.adminToken, {
      target: { department: 'tax' },
      instances: ['portal'],
      overrides: { portal: { parameters: { title: '税务一网通办' } } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    // A copy of a copy names the original.
    const again = await req('POST', `${M}/tenants/edu/copy`, t.adminToken, {
      target: { department: 'health', suffix: '-2' },
      instances: ['portal-west'],
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    const h = (await req('GET', `${M}/tenants/health/marketinstances/portal-west-2`, t.adminToken)).body as {
      spec: { copyOf: unknown };
    };
    expect(h.spec.copyOf).toEqual({ department: 'edu', instance: 'portal' });

    // A newer release of the portal: every member of the family is offered it.
    const v = structuredClone(
      seed.find((d) => (d as { metadata: { name: string } }).metadata.name === 'one-stop-portal-2-3-0'),
    ) as { metadata: { name: string }; spec: { version: string } };
    v.metadata.name = 'one-stop-portal-2-4-0';
    v.spec.version = '2.4.0';
    expect((await req('POST', `${M}/catalogitemversions`, t.tokens.publisher!, v)).status).toBe(201);
    await release('one-stop-portal-2-4-0');
    const list = async (token: string) =>
      (
        (await req('GET', `${M}/copies?upgradable=true&origin=edu/portal`, token)).body.items as Array<{
          department: string;
          name: string;
          version: string;
          latest: string;
        }>
      ).map((x) => `${x.department}/${x.name} ${x.version}→${x.latest}`);
    expect(await list(t.adminToken)).toEqual([
      'edu/portal 2.3.0→2.4.0',
      'edu/portal-west 2.3.0→2.4.0',
      'health/portal-west-2 2.3.0→2.4.0',
      'tax/portal 2.3.0→2.4.0',
    ]);
    // A department sees its own copies only.
    expect(await list(t.tokens['tax-admin']!)).toEqual(['tax/portal 2.3.0→2.4.0']);

    // edu's admin upgrades what edu holds; tax's copy is tax's to upgrade.
    const up = await req('POST', `${M}/copies/upgrade`, t.tokens['edu-admin']!, { origin: 'edu/portal' });
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    expect(up.body.upgraded).toEqual([
      { department: 'edu', name: 'portal', from: '2.3.0', to: '2.4.0' },
      { department: 'edu', name: 'portal-west', from: '2.3.0', to: '2.4.0' },
    ]);
    expect(
      (await req('POST', `${M}/copies/upgrade`, t.tokens['edu-admin']!, { origin: 'edu/portal', departments: ['tax'] }))
        .status,
    ).toBe(403);
    const all = await req('POST', `${M}/copies/upgrade`, t.adminToken, { origin: 'edu/portal' });
    expect((all.body.upgraded as Array<{ department: string }>).map((u) => u.department)).toEqual(['health', 'tax']);
    expect(await list(t.adminToken)).toEqual([]);
    const app = (await req('GET', '/apis/core.oam.dev/v1beta1/tenants/tax/applications/portal', t.adminToken)).body as {
      metadata: { annotations: Record<string, string> };
      spec: { components: unknown[] };
    };
    expect(app.metadata.annotations['market.polis.io/version']).toBe('2.4.0');
    expect(JSON.stringify(app.spec)).toContain('税务一网通办');
  });
});
