import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ManualClock } from '../src/kernel/clock.ts';
import type { BindingStatus, InstanceStatus } from '../src/market/market-controller.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The marketplace end to end in the sandbox: the seed catalog through review (separation of duties, automatic
 * checks, immutability), what a department sees, instances (upgrade and back, suspension), and bindings on the
 * simulated middleware (credentials, Secret on every cluster, network path, unbind, provisioner errors, restart).
 */
let t: TestPolis;
const M = '/apis/market.polis.io/v1';
const dir = join(import.meta.dirname, '..', 'examples', 'market');
const seed = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as unknown));

async function req(method: string, url: string, token: string, body?: unknown) {
  const r = await t.request(method, url, {
    token,
    body,
    ...(method === 'PATCH' ? { contentType: 'application/merge-patch+json' } : {}),
  });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> & { code?: string; details?: unknown } };
}

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

async function binding(tenant: string, name: string) {
  const r = await req('GET', `${M}/tenants/${tenant}/servicebindings/${name}`, t.adminToken);
  return r.status === 404 ? undefined : (r.body as { status?: BindingStatus; metadata: { uid: string } });
}

async function instance(tenant: string, name: string) {
  return (await req('GET', `${M}/tenants/${tenant}/marketinstances/${name}`, t.adminToken)).body as {
    status?: InstanceStatus;
  };
}

/** Objects of `kind` named `name` in the simulated clusters' namespace `ns`, by cluster. */
function onClusters(kind: string, ns: string, name: string): string[] {
  const sim = t.polis.sim!;
  const api = kind === 'NetworkPolicy' ? 'networking.k8s.io/v1' : 'v1';
  return sim
    .clusters()
    .filter((c) => c.get(`${api}/${kind}/${ns}/${name}`) !== undefined)
    .map((c) => c.name)
    .sort();
}

let reviewer: string;

beforeAll(async () => {
  t = await startTestPolis({
    controllers: true,
    virtualTime: true,
    clock: new ManualClock('2026-12-01T08:00:00Z'),
    market: { maxAttempts: 4, retryBaseMs: 20 },
  });
  const r = await req('POST', '/api/v1/apply', t.adminToken, seed);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  // A second reviewer at the data bureau (the admin who submits may not approve their own).
  const setup = await req('POST', '/api/v1/apply', t.adminToken, [
    { apiVersion: 'polis.io/v1', kind: 'User', metadata: { name: 'reviewer' }, spec: { displayName: '审核员' } },
    {
      apiVersion: 'polis.io/v1',
      kind: 'PlatformRoleBinding',
      metadata: { name: 'reviewer' },
      spec: { user: 'reviewer', role: 'platform-admin' },
    },
  ]);
  expect(setup.status).toBe(200);
  reviewer = (await req('POST', '/api/v1/tokens', t.adminToken, { user: 'reviewer' })).body.token as string;
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

describe('review', () => {
  it('runs the automatic checks on submit and refuses an image from a registry the data bureau does not allow', async () => {
    const bad = structuredClone(
      seed.find((d) => (d as { metadata: { name: string } }).metadata.name === 'redis-7-2-0'),
    ) as {
      metadata: { name: string };
      spec: { version: string; template: { components: Array<{ properties: { image: string } }> } };
    };
    bad.metadata.name = 'redis-7-2-1';
    bad.spec.version = '7.2.1';
    bad.spec.template.components[0]!.properties.image = 'docker.io/library/redis:7.2';
    expect((await req('POST', `${M}/catalogitemversions`, t.tokens.publisher!, bad)).status).toBe(201);
    const r = await req('POST', `${M}/catalogitemversions/redis-7-2-1/submit`, t.tokens.publisher!);
    expect(r.status).toBe(422);
    expect(JSON.stringify(r.body)).toContain('MarketImageNotAllowed');
    const v = await req('GET', `${M}/catalogitemversions/redis-7-2-1`, t.tokens.publisher!);
    expect((v.body.status as { phase: string }).phase).toBe('Draft');
  });

  it('enforces separation of duties: a reviewer never approves what they submitted or maintain', async () => {
    // The publisher submits; the publisher may not approve (not the data bureau); a department may not submit.
    expect(
      (await req('POST', `${M}/catalogitemversions/postgresql-16-4-0/submit`, t.tokens['edu-admin']!)).status,
    ).toBe(403);
    expect((await req('POST', `${M}/catalogitemversions/postgresql-16-4-0/submit`, t.tokens.publisher!)).status).toBe(
      200,
    );
    const own = await req('POST', `${M}/catalogitemversions/postgresql-16-4-0/approve`, t.tokens.publisher!);
    expect(own.status).toBe(403);
    expect(JSON.stringify(own.body)).toContain('MarketReviewerRole');
    // The admin submits another version and may not approve it; the second reviewer may.
    expect((await req('POST', `${M}/catalogitemversions/redis-7-2-0/submit`, t.adminToken)).status).toBe(200);
    const self = await req('POST', `${M}/catalogitemversions/redis-7-2-0/approve`, t.adminToken);
    expect(self.status).toBe(403);
    expect(JSON.stringify(self.body)).toContain('MarketReviewOwnItem');
    expect((await req('POST', `${M}/catalogitemversions/redis-7-2-0/approve`, reviewer)).status).toBe(200);
    expect((await req('POST', `${M}/catalogitemversions/postgresql-16-4-0/approve`, t.adminToken)).status).toBe(200);
    // A rejection needs a comment; the refusal and the approval are in the audit log.
    const one = await req('POST', `${M}/catalogitemversions/one-stop-portal-2-3-0/submit`, t.tokens.publisher!);
    expect(one.status).toBe(200);
    expect((await req('POST', `${M}/catalogitemversions/one-stop-portal-2-3-0/reject`, reviewer, {})).status).toBe(400);
    expect(
      (
        await req('POST', `${M}/catalogitemversions/one-stop-portal-2-3-0/reject`, reviewer, {
          comment: '请补充健康检查',
        })
      ).status,
    ).toBe(200);
    const audit = await req('GET', '/api/v1/audit?limit=1000', t.adminToken);
    const entries = (audit.body.items as Array<{ actor: string; verb: string; name: string; outcome: string }>).filter(
      (e) => e.name === 'redis-7-2-0',
    );
    expect(entries.some((e) => e.actor === 'admin' && e.verb === 'approve' && e.outcome !== 'success')).toBe(true);
    expect(entries.some((e) => e.actor === 'reviewer' && e.outcome === 'success')).toBe(true);
  });

  it('keeps released versions immutable and undeletable', async () => {
    const v = (await req('GET', `${M}/catalogitemversions/postgresql-16-4-0`, t.adminToken)).body;
    const changed = { ...v, spec: { ...(v.spec as object), releaseNotes: { zh: '改', en: 'changed' } } };
    const put = await req('PUT', `${M}/catalogitemversions/postgresql-16-4-0`, t.tokens.publisher!, changed);
    expect(put.status).toBe(409);
    expect(JSON.stringify(put.body)).toContain('MarketVersionImmutable');
    expect((await req('DELETE', `${M}/catalogitemversions/postgresql-16-4-0`, t.adminToken)).status).toBe(409);
  });

  it('shows a department only released items and versions, and no drafts', async () => {
    const r = await req('GET', `${M}/catalog`, t.tokens['edu-staff']!);
    expect(r.status).toBe(200);
    const items = r.body.items as Array<{ name: string; versions: Array<{ version: string }> }>;
    expect(items.map((i) => i.name).sort()).toEqual(['postgresql', 'redis']);
    expect(items.find((i) => i.name === 'redis')!.versions.map((v) => v.version)).toEqual(['7.2.0']);
    expect((await req('GET', `${M}/catalogitemversions`, t.tokens['edu-staff']!)).status).toBe(403);
    expect((await req('GET', `${M}/catalogitems/mysql`, t.tokens['edu-staff']!)).status).toBe(403);
    expect((await req('GET', `${M}/catalog/mysql`, t.tokens['edu-staff']!)).status).toBe(404);
  });
});

describe('instances', () => {
  it('refuses an unreleased version, and a shared instance outside the platform space', async () => {
    const mk = (name: string, spec: object) => ({
      apiVersion: 'market.polis.io/v1',
      kind: 'MarketInstance',
      metadata: { name },
      spec,
    });
    const draft = await req(
      'POST',
      `${M}/tenants/edu/marketinstances`,
      t.tokens['edu-admin']!,
      mk('db', { item: 'mysql', version: '10.11.0' }),
    );
    expect(draft.status).toBe(409);
    expect(JSON.stringify(draft.body)).toContain('MarketVersionNotReleased');
    const shared = await req(
      'POST',
      `${M}/tenants/edu/marketinstances`,
      t.tokens['edu-admin']!,
      mk('db', { item: 'postgresql', version: '16.4.0', shared: true }),
    );
    expect(shared.status).toBe(400);
    // A department may not make polis connect to an address of its choosing.
    const direct = await req(
      'POST',
      `${M}/tenants/edu/marketinstances`,
      t.tokens['edu-admin']!,
      mk('db', { item: 'postgresql', version: '16.4.0', endpoint: { host: '10.0.0.1', port: 5432 } }),
    );
    expect(direct.status).toBe(400);
    expect(JSON.stringify(direct.body)).toContain('MarketEndpointOnlyPlatform');
  });

  it('renders an Application in the department, delivers it, and upgrades to a newer version and back', async () => {
    const r = await req('POST', `${M}/tenants/edu/marketinstances`, t.tokens['edu-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'MarketInstance',
      metadata: { name: 'cache' },
      spec: { item: 'redis', version: '7.2.0', parameters: { replicas: 2 } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    await settle(async () => (await instance('edu', 'cache')).status?.phase === 'Ready');
    const app = await req('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/cache', t.adminToken);
    expect(app.status).toBe(200);
    const spec = app.body.spec as {
      components: Array<{ properties: { cpu: string }; traits: Array<{ properties: { replicas: number } }> }>;
    };
    expect(spec.components[0]!.traits[0]!.properties.replicas).toBe(2);
    expect(spec.components[0]!.properties.cpu).toBe('500m');
    // A newer version, released by review, then back: each is a revision of the Application.
    const v2 = structuredClone((await req('GET', `${M}/catalogitemversions/redis-7-2-0`, t.adminToken)).body) as {
      metadata: Record<string, unknown>;
      spec: { version: string; template: { components: Array<{ properties: { image: string } }> } };
      status?: unknown;
    };
    v2.metadata = { name: 'redis-7-4-0' };
    v2.spec.version = '7.4.0';
    v2.spec.template.components[0]!.properties.image = 'registry.example.gov.cn/library/redis:7.4';
    delete v2.status;
    expect((await req('POST', `${M}/catalogitemversions`, t.tokens.publisher!, v2)).status).toBe(201);
    expect((await req('POST', `${M}/catalogitemversions/redis-7-4-0/submit`, t.tokens.publisher!)).status).toBe(200);
    expect((await req('POST', `${M}/catalogitemversions/redis-7-4-0/approve`, reviewer)).status).toBe(200);
    const image = async () =>
      (
        (await req('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/cache', t.adminToken)).body.spec as {
          components: Array<{ properties: { image: string } }>;
        }
      ).components[0]!.properties.image;
    for (const [version, tag] of [
      ['7.4.0', 'redis:7.4'],
      ['7.2.0', 'redis:7.2'],
    ] as const) {
      const p = await req('PATCH', `${M}/tenants/edu/marketinstances/cache`, t.tokens['edu-admin']!, {
        spec: { version },
      });
      expect(p.status).toBe(200);
      await settle(async () => (await image()).endsWith(tag));
    }
    const revisions = await req('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applicationrevisions', t.adminToken);
    const mine = (revisions.body.items as Array<{ metadata: { name: string } }>).filter((x) =>
      x.metadata.name.startsWith('cache-v'),
    );
    expect(mine.length).toBeGreaterThanOrEqual(3);
  });

  it('takes no new instances of a suspended item; existing ones keep running', async () => {
    expect(
      (await req('POST', `${M}/catalogitems/redis/state`, t.tokens.publisher!, { state: 'suspended' })).status,
    ).toBe(403);
    expect((await req('POST', `${M}/catalogitems/redis/state`, t.adminToken, { state: 'suspended' })).status).toBe(200);
    const r = await req('POST', `${M}/tenants/tax/marketinstances`, t.tokens['tax-admin']!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'MarketInstance',
      metadata: { name: 'cache' },
      spec: { item: 'redis', version: '7.2.0' },
    });
    expect(r.status).toBe(409);
    expect(JSON.stringify(r.body)).toContain('MarketItemNotAvailable');
    expect((await req('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/cache', t.adminToken)).status).toBe(
      200,
    );
    expect((await instance('edu', 'cache')).status?.phase).toBe('Ready');
    expect((await req('POST', `${M}/catalogitems/redis/state`, t.adminToken, { state: 'active' })).status).toBe(200);
  });
});

describe('bindings on a shared instance', () => {
  beforeAll(async () => {
    const r = await req('POST', '/api/v1/apply', t.adminToken, {
      apiVersion: 'market.polis.io/v1',
      kind: 'MarketInstance',
      metadata: { name: 'shared-pg', tenant: 'platform' },
      spec: { item: 'postgresql', version: '16.4.0', shared: true, parameters: { replicas: 2 } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await settle(async () => (await instance('platform', 'shared-pg')).status?.phase === 'Ready');
  }, 120_000);

  const bind = (tenant: string, name: string, app: string) =>
    req('POST', `${M}/tenants/${tenant}/servicebindings`, t.tokens[`${tenant}-admin`]!, {
      apiVersion: 'market.polis.io/v1',
      kind: 'ServiceBinding',
      metadata: { name },
      spec: { instance: 'shared-pg', shared: true, application: app },
    });

  it('gives each department credentials to its own database only, on every cluster its application runs on', async () => {
    expect((await bind('edu', 'portal-db', 'enrolment-portal')).status).toBe(201);
    expect((await bind('tax', 'invoice-db', 'e-invoice')).status).toBe(201);
    await settle(
      async () =>
        (await binding('edu', 'portal-db'))?.status?.phase === 'Ready' &&
        (await binding('tax', 'invoice-db'))?.status?.phase === 'Ready',
    );
    const edu = (await binding('edu', 'portal-db'))!.status!;
    const tax = (await binding('tax', 'invoice-db'))!.status!;
    // The Secret in the store: the department reads its own values, not the other's.
    const own = await req('GET', '/apis/polis.io/v1/tenants/edu/secrets/binding-portal-db', t.tokens['edu-admin']!);
    expect(own.status).toBe(200);
    const data = own.body.data as Record<string, string>;
    const v = (k: string) => Buffer.from(data[k]!, 'base64').toString('utf8');
    expect(v('PORTAL_DB_DATABASE')).toBe(edu.database);
    expect(v('PORTAL_DB_URI')).toContain(`@${edu.endpoint!.host}:5432/${edu.database}`);
    expect(
      (await req('GET', '/apis/polis.io/v1/tenants/tax/secrets/binding-invoice-db', t.tokens['edu-admin']!)).status,
    ).toBe(403);
    const mw = t.polis.middleware!;
    const at = edu.endpoint!;
    expect(mw.reach(at, edu.username!, v('PORTAL_DB_PASSWORD'), edu.database!)).toBe(true);
    expect(mw.reach(at, edu.username!, v('PORTAL_DB_PASSWORD'), tax.database!)).toBe(false);
    expect(mw.reach(at, tax.username!, v('PORTAL_DB_PASSWORD'), tax.database!)).toBe(false);
    // Delivered to every cluster the application runs on, as env of its containers.
    const appR = await req('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal', t.adminToken);
    const st = appR.body.status as { clusters: string[]; namespace: string };
    await settle(
      async () => onClusters('Secret', st.namespace, 'binding-portal-db').join() === [...st.clusters].sort().join(),
    );
    const sim = t.polis.sim!;
    const deploy = sim
      .cluster(st.clusters[0]!)!
      .list(st.namespace)
      .find((d) => d.kind === 'Deployment')!;
    const containers = (
      deploy as unknown as { spec: { template: { spec: { containers: Array<{ envFrom?: unknown[] }> } } } }
    ).spec.template.spec.containers;
    expect(containers[0]!.envFrom).toContainEqual({ secretRef: { name: 'binding-portal-db' } });
    // The network path: a policy in the instance's namespace admitting that application only.
    const inst = await req('GET', '/apis/core.oam.dev/v1beta1/tenants/platform/applications/shared-pg', t.adminToken);
    const ist = inst.body.status as { clusters: string[]; namespace: string };
    const policies = sim
      .cluster(ist.clusters[0]!)!
      .list(ist.namespace)
      .filter((p) => p.kind === 'NetworkPolicy' && p.metadata.name.startsWith('polis-bind-'));
    expect(policies).toHaveLength(2);
    expect(JSON.stringify(policies)).toContain(`"kubernetes.io/metadata.name":"${st.namespace}"`);
  });

  it('revokes everything on unbind: login refused, Secret gone from the store and every cluster, path closed', async () => {
    const before = (await binding('edu', 'portal-db'))!.status!;
    const secret = await req('GET', '/apis/polis.io/v1/tenants/edu/secrets/binding-portal-db', t.adminToken);
    const password = Buffer.from((secret.body.data as Record<string, string>).PORTAL_DB_PASSWORD!, 'base64').toString();
    expect((await req('DELETE', `${M}/tenants/edu/servicebindings/portal-db`, t.tokens['edu-admin']!)).status).toBe(
      200,
    );
    await settle(async () => (await binding('edu', 'portal-db')) === undefined);
    expect(t.polis.middleware!.reach(before.endpoint!, before.username!, password, before.database!)).toBe(false);
    expect((await req('GET', '/apis/polis.io/v1/tenants/edu/secrets/binding-portal-db', t.adminToken)).status).toBe(
      404,
    );
    const st = (await req('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal', t.adminToken))
      .body.status as { namespace: string };
    await settle(async () => onClusters('Secret', st.namespace, 'binding-portal-db').length === 0);
    const ist = (await req('GET', '/apis/core.oam.dev/v1beta1/tenants/platform/applications/shared-pg', t.adminToken))
      .body.status as { clusters: string[]; namespace: string };
    await settle(
      async () =>
        t.polis
          .sim!.cluster(ist.clusters[0]!)!
          .list(ist.namespace)
          .filter((p) => p.kind === 'NetworkPolicy' && p.metadata.name.startsWith('polis-bind-')).length === 1,
    );
  });

  it('retries a failing provisioner and ends Ready; rolls back after the last attempt and leaves nothing', async () => {
    const mw = t.polis.middleware!;
    mw.failNext(2);
    expect((await bind('hrss', 'ss-db', 'social-security-query')).status).toBe(201);
    await settle(async () => (await binding('hrss', 'ss-db'))?.status?.phase === 'Ready');
    expect((await binding('hrss', 'ss-db'))!.status!.attempts).toBe(3);
    mw.failNext(100);
    expect((await bind('health', 'appt-db', 'appointment')).status).toBe(201);
    await settle(async () => (await binding('health', 'appt-db'))?.status?.phase === 'Failed');
    mw.failNext(0);
    const failed = (await binding('health', 'appt-db'))!;
    expect(failed.status!.reason).toBe('RolledBack');
    // Rollback's revoke failed too (injected) and was retried until it succeeded: nothing is left.
    expect((await req('GET', '/apis/polis.io/v1/tenants/health/secrets/binding-appt-db', t.adminToken)).status).toBe(
      404,
    );
    const users = mw.users();
    expect(users).not.toContain(failed.status!.username ?? 'none');
    // Exactly the live bindings' users exist: tax and hrss.
    expect(users).toEqual(
      [
        (await binding('tax', 'invoice-db'))!.status!.username!,
        (await binding('hrss', 'ss-db'))!.status!.username!,
      ].sort(),
    );
    expect((await req('DELETE', `${M}/tenants/health/servicebindings/appt-db`, t.adminToken)).status).toBe(200);
    await settle(async () => (await binding('health', 'appt-db')) === undefined);
  });

  it('ends a binding interrupted by a restart complete, with no orphaned credentials', async () => {
    const mw = t.polis.middleware!;
    mw.failNext(1);
    expect((await bind('samr', 'license-db', 'business-license')).status).toBe(201);
    // Wait until the first attempt has failed (made the user, then failed), then restart polis.
    await settle(async () => ((await binding('samr', 'license-db'))?.status?.attempts ?? 0) >= 1);
    await t.restart();
    await settle(async () => (await binding('samr', 'license-db'))?.status?.phase === 'Ready');
    const b = (await binding('samr', 'license-db'))!.status!;
    const secret = await req('GET', '/apis/polis.io/v1/tenants/samr/secrets/binding-license-db', t.adminToken);
    const password = Buffer.from(
      (secret.body.data as Record<string, string>).LICENSE_DB_PASSWORD!,
      'base64',
    ).toString();
    expect(t.polis.middleware!.reach(b.endpoint!, b.username!, password, b.database!)).toBe(true);
    expect(t.polis.middleware!.users()).toHaveLength(3);
  });

  it('keeps an instance with bindings from being deleted', async () => {
    const r = await req('DELETE', `${M}/tenants/platform/marketinstances/shared-pg`, t.adminToken);
    expect(r.status).toBe(409);
    expect(JSON.stringify(r.body)).toContain('MarketInstanceInUse');
  });
});
