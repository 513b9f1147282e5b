import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../src/api/server.ts';
import type { KindDefinition } from '../src/resources/registry.ts';
import type { Principal, Verb } from '../src/tenancy/authorization.ts';
import { allowedTenants, authorize } from '../src/tenancy/authorization.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';
import { HistoryWriter } from '../src/observe/history/history-writer.ts';
import { DEFAULT_OFFSET_MINUTES, intervalKeys } from '../src/operations/metering/meter-buckets.ts';

/**
 * Tenant isolation over every registered route, found by enumerating the server's route table, so a route added
 * later is covered without editing this test:
 * 1. For every role, and for its own versus another department, a generic kind route answers exactly as the
 *    authorization table decides (403 when denied, 2xx when allowed); mutations run as dry runs.
 * 2. Whatever the route, a principal bound only to some departments never gets a 2xx on another department's
 *    path, and no response it gets names an object or audit entry of a department it is not bound to.
 */
const OWN = 'edu';
const OTHER = 'tax';

interface Actor {
  readonly user: string;
  readonly principal: Principal;
  /** Departments this actor is bound to (empty for platform-wide roles). */
  readonly tenants: readonly string[];
}

const ACTORS: Actor[] = [
  { user: 'admin', principal: { user: 'admin', bindings: [{ role: 'platform-admin' }] }, tenants: [] },
  { user: 'auditor', principal: { user: 'auditor', bindings: [{ role: 'auditor' }] }, tenants: [] },
  { user: 'publisher', principal: { user: 'publisher', bindings: [{ role: 'publisher' }] }, tenants: [] },
  { user: 'plat-viewer', principal: { user: 'plat-viewer', bindings: [{ role: 'viewer' }] }, tenants: [] },
  {
    user: 'edu-admin',
    principal: { user: 'edu-admin', bindings: [{ role: 'tenant-admin', tenant: 'edu' }] },
    tenants: ['edu'],
  },
  {
    user: 'edu-staff',
    principal: { user: 'edu-staff', bindings: [{ role: 'tenant-member', tenant: 'edu' }] },
    tenants: ['edu'],
  },
  {
    user: 'edu-viewer',
    principal: { user: 'edu-viewer', bindings: [{ role: 'viewer', tenant: 'edu' }] },
    tenants: ['edu'],
  },
  {
    user: 'vendor-dev',
    principal: {
      user: 'vendor-dev',
      bindings: [
        { role: 'developer', tenant: 'edu' },
        { role: 'developer', tenant: 'health' },
      ],
    },
    tenants: ['edu', 'health'],
  },
  { user: 'nobody', principal: { user: 'nobody', bindings: [] }, tenants: [] },
];

const METHOD_VERB: Record<string, Verb> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

let t: TestPolis;
const tokens: Record<string, string> = {};
let routes: RouteEntry[];
const fixtureToken: Record<string, string> = {};

function sample(def: KindDefinition, tenant: string, name: string): Record<string, unknown> {
  const meta = def.scope === 'tenant' ? { name, tenant } : { name };
  const base = { apiVersion: `${def.group}/${def.version}`, kind: def.kind, metadata: meta };
  switch (def.kind) {
    case 'Application':
      return {
        ...base,
        spec: {
          components: [
            { name: 'web', type: 'webservice', properties: { image: 'nginx:1.27', cpu: '100m', memory: '64Mi' } },
          ],
        },
      };
    case 'Secret':
    case 'PlatformSecret':
      return { ...base, stringData: { password: 'fixture-password' } };
    case 'RoleBinding':
      return { ...base, spec: { user: 'someone', role: 'viewer' } };
    case 'PlatformRoleBinding':
      return { ...base, spec: { user: 'someone', role: 'viewer' } };
    case 'Tenant':
      return { ...base, spec: { displayName: { zh: name, en: name } } };
    case 'User':
      return { ...base, spec: { displayName: name } };
    case 'Cluster':
      return {
        ...base,
        spec: {
          provider: 'simulated',
          vendor: 'fixture-cloud',
          region: 'fixture-region',
          zone: 'fixture-zone',
          networkZone: 'e-gov-extranet',
          role: 'primary',
        },
      };
    case 'DisplayName':
      return { ...base, spec: { subject: 'vendor', id: name, zh: name, en: name } };
    case 'Event':
      return {
        ...base,
        spec: {
          involvedObject: { kind: 'Application', name: 'fixture' },
          type: 'Normal',
          reason: 'Checked',
          message: 'a fixture event',
          source: { component: 'isolation-test' },
          count: 1,
          firstTimestamp: '2026-01-01T00:00:00Z',
          lastTimestamp: '2026-01-01T00:00:00Z',
        },
      };
    case 'Incident':
      return {
        ...base,
        spec: {
          cause: 'fixture',
          state: 'open',
          at: '2026-01-01T00:00:00Z',
          openedAt: '2026-01-01T00:00:00Z',
          verdictAt: '2026-01-01T00:00:00Z',
          final: true,
          verdictKind: 'undetermined',
          symptoms: [],
          verdict: {},
          candidates: [],
          input: {},
          options: {},
          timeline: [],
        },
      };
    case 'CatalogItem':
      return {
        ...base,
        spec: {
          type: 'middleware',
          displayName: { zh: name, en: name },
          description: { zh: name, en: name },
          categories: ['database'],
          licence: 'Apache-2.0',
          publisher: 'vendor',
          architectures: ['amd64'],
          price: { model: 'free' },
        },
      };
    case 'CatalogItemVersion':
      return {
        ...base,
        spec: {
          item: 'fixture',
          // Each sample its own version (a version is published once).
          version: name === 'fixture' ? '1.0.0' : `1.0.0-${name}`,
          template: {
            components: [
              {
                name: 'db',
                type: 'webservice',
                properties: { image: 'registry.example.gov.cn/pg:16', cpu: '100m', memory: '64Mi' },
              },
            ],
          },
          parameters: { type: 'object', properties: {} },
          connection: { engine: 'postgresql', component: 'db', port: 5432 },
        },
      };
    case 'MarketInstance':
      return { ...base, spec: { item: 'fixture', version: '1.0.0' } };
    case 'ServiceBinding':
      return { ...base, spec: { instance: 'fixture', application: 'fixture' } };
    case 'MarketPolicy':
      return { ...base, spec: { allowedRegistries: ['registry.example.gov.cn'] } };
    case 'SharedAPI':
      return {
        ...base,
        spec: {
          application: 'fixture',
          component: 'web',
          port: 8080,
          displayName: { zh: name, en: name },
          description: { zh: name, en: name },
        },
      };
    case 'APISubscription':
      // Each department subscribes to the other's fixture API.
      return { ...base, spec: { department: tenant === OWN ? OTHER : OWN, api: 'fixture', application: 'fixture' } };
    case 'AssessmentPolicy':
      return { ...base, spec: { mandatoryChecks: [] } };
    case 'AlertRule':
      return {
        ...base,
        spec: { severity: 'page', threshold: { signal: 'cpuUtilization', window: '5m', op: '>', value: 0.9 } },
      };
    case 'NotificationChannel':
      return {
        ...base,
        spec: { type: 'webhook', webhook: { url: 'https://hooks.example.gov.cn/polis' } },
        secrets: { token: 'fixture-token' },
      };
    case 'Silence':
      return {
        ...base,
        spec: { matchers: { application: 'fixture' }, endsAt: '2030-01-01T00:00:00Z', comment: 'fixture' },
      };
    case 'CostPolicy':
      return { ...base, spec: { basis: 'max', idle: 'line' } };
    case 'Budget':
      return { ...base, spec: { amount: 1000 } };
    default:
      throw new Error(`the isolation test has no sample ${def.kind}: add one`);
  }
}

beforeAll(async () => {
  t = await startTestPolis();
  const admin = t.adminToken;
  const setup = async (method: string, url: string, body?: unknown, token = admin) => {
    const r = await t.request(method, url, { token, body });
    if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
    return r.json() as Record<string, unknown>;
  };
  await setup('POST', '/api/v1/apply', [
    { apiVersion: 'polis.io/v1', kind: 'User', metadata: { name: 'plat-viewer' }, spec: { displayName: 'viewer' } },
    { apiVersion: 'polis.io/v1', kind: 'User', metadata: { name: 'edu-viewer' }, spec: { displayName: 'viewer' } },
    { apiVersion: 'polis.io/v1', kind: 'User', metadata: { name: 'nobody' }, spec: { displayName: 'no rights' } },
    {
      apiVersion: 'polis.io/v1',
      kind: 'PlatformRoleBinding',
      metadata: { name: 'plat-viewer' },
      spec: { user: 'plat-viewer', role: 'viewer' },
    },
    {
      apiVersion: 'polis.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'edu-viewer', tenant: 'edu' },
      spec: { user: 'edu-viewer', role: 'viewer' },
    },
  ]);
  for (const a of ACTORS) {
    tokens[a.user] =
      a.user === 'admin' ? admin : ((await setup('POST', '/api/v1/tokens', { user: a.user })).token as string);
  }
  // A fixture of every kind in both departments (and on the platform), so item routes have something to find.
  const registry = t.polis.resources.registry;
  // Marketplace instances and bindings need the fixture version released (by review) first: made after the rest.
  const later = ['MarketInstance', 'ServiceBinding', 'APISubscription'];
  const defs = [...registry.all().filter((d) => !later.includes(d.kind)), ...later.map((k) => registry.get(k)!)];
  for (const def of defs) {
    // Tokens are issued below; revisions are written by the server when the Application fixture is created.
    if (def.kind === 'Token' || def.kind === 'ApplicationRevision') continue;
    if (def.kind === 'MarketInstance') {
      await setup('POST', '/api/v1/apply', sample(registry.get('MarketPolicy')!, '', 'default'));
      await setup('POST', '/apis/market.polis.io/v1/catalogitemversions/fixture/submit', undefined, tokens.publisher);
      await setup('POST', '/apis/market.polis.io/v1/catalogitemversions/fixture/approve', {});
    }
    for (const tenant of def.scope === 'tenant' ? [OWN, OTHER] : ['']) {
      if (def.kind === 'Tenant' || def.kind === 'User') continue;
      // Incidents are written by their controller only (no create route): the fixture goes in through the service.
      if (def.kind === 'Incident')
        await t.polis.resources.create(
          { actor: 'system:incidents', requestId: 'fixture' },
          sample(def, tenant, 'fixture'),
        );
      else await setup('POST', '/api/v1/apply', sample(def, tenant, 'fixture'));
    }
  }
  fixtureToken.id = (await setup('POST', '/api/v1/tokens', { user: 'edu-staff', description: 'fixture' })).id as string;
  // Costs of both departments (a closed day), so the bill routes have something to withhold.
  const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
  const day = `${month}-01`;
  const line = (tenant: string, fen: number) => ({
    day,
    cluster: 'fixture',
    vendor: 'fixture-cloud',
    tenant,
    app: 'fixture',
    component: 'web',
    item: 'cpu',
    fen,
  });
  await t.polis.store.ledger.closeCostDay(
    day,
    [{ day, cluster: 'fixture', totalFen: 300 }],
    [line(OWN, 100), line(OTHER, 200)],
  );
  // Metered use of both departments on one cluster now, so the utilization routes have another's share to withhold.
  const now = Date.now();
  const keys = intervalKeys(now, DEFAULT_OFFSET_MINUTES);
  const use = (tenant: string, cpu: number) => ({
    tenant,
    app: 'fixture',
    component: 'web',
    cluster: 'fixture',
    replicas: 1,
    cpuRequest: cpu,
    cpuLimit: 0,
    cpuUsage: cpu / 2,
    cpuMax: cpu,
    memRequest: 64,
    memLimit: 0,
    memUsage: 32,
    memMax: 64,
    storage: 0,
  });
  for (let attempt = 0; attempt < 5; attempt++) {
    const since = await t.polis.store.ledger.lastMeterTick();
    const recorded = await t.polis.store.ledger.recordMeterTick({
      at: Math.max(now, (since ?? 0) + 60_000),
      since,
      buckets: [
        { period: 'hour', start: keys.hour, minutes: 1 },
        { period: 'day', start: keys.day, minutes: 1 },
        { period: 'month', start: keys.month, minutes: 1 },
      ],
      samples: [use(OWN, 1000), use(OTHER, 3000)],
      capacity: [{ cluster: 'fixture', cpu: 8000, mem: 8192 }],
    });
    if (recorded) break; // else the meter itself recorded a tick in between: again after it
  }
  routes = t.polis.app.polisRoutes.filter((r) => !r.public && !r.url.startsWith('/docs'));
});

afterAll(async () => {
  await t?.stop();
});

/** The core-group views of polis kinds (/api/v1/namespaces/{dept}/secrets|events): plural → kind. */
const CORE_KINDS: Record<string, string> = { secrets: 'Secret', events: 'Event' };

/** The kind a generic route serves, from its URL. */
function routeKind(url: string): { def: KindDefinition; item: boolean; status: boolean } | undefined {
  // The core-group view of a polis kind: the same handlers as its polis.io/v1 paths.
  const core = /^\/api\/v1\/(?:namespaces\/:tenant\/)?([a-z]+)(\/:name)?$/.exec(url);
  if (core && CORE_KINDS[core[1]!]) {
    const def = t.polis.resources.registry.get(CORE_KINDS[core[1]!]!)!;
    return { def, item: core[2] !== undefined, status: false };
  }
  // polis's own paths (tenants/) and the Kubernetes ones (namespaces/) of the same handlers.
  const m = /^\/apis\/([^/]+)\/([^/]+)\/(?:(?:tenants|namespaces)\/:tenant\/)?([a-z]+)(\/:name)?(\/status)?$/.exec(url);
  if (!m) return undefined;
  const def = t.polis.resources.registry.byResource(m[1]!, m[3]!);
  return def ? { def, item: m[4] !== undefined, status: m[5] !== undefined } : undefined;
}

function itemName(def: KindDefinition, actor: Actor, tenant: string): string {
  if (def.kind === 'Tenant') return tenant;
  if (def.kind === 'User') return tenant === OWN ? actor.user : 'tax-admin';
  if (def.kind === 'Token') return fixtureToken.id!;
  if (def.kind === 'ApplicationRevision') return 'fixture-v1';
  return 'fixture';
}

/** A status a kind accepts (Cluster's is strict). */
function statusSample(def: KindDefinition): Record<string, unknown> {
  if (def.kind === 'Budget') return { month: '2026-01' };
  return def.kind === 'Cluster' ? { health: 'Ready' } : { phase: 'Checked' };
}

async function call(actor: Actor, route: RouteEntry, tenant: string) {
  const rk = routeKind(route.url);
  const name = rk ? itemName(rk.def, actor, tenant) : 'fixture';
  let url = route.url.replace(':tenant', tenant).replace(':name', name).replace(':id', fixtureToken.id!);
  if (route.method !== 'GET') url += '?dryRun=All';
  let body: unknown;
  if (rk && (route.method === 'POST' || route.method === 'PUT')) {
    body = sample(rk.def, tenant, route.method === 'POST' ? `fresh-${actor.user}` : name);
    if (rk.status) body = { ...(body as object), status: statusSample(rk.def) };
    if (route.url.startsWith('/api/v1/')) body = { ...(body as object), apiVersion: 'v1' }; // the core view
  } else if (rk && route.method === 'PATCH') {
    body = rk.status ? { status: statusSample(rk.def) } : { metadata: { labels: { checked: 'yes' } } };
  } else if (route.url.endsWith('/apply')) {
    body = sample(t.polis.resources.registry.get('Application')!, tenant, `applied-${actor.user}`);
  } else if (route.method === 'POST') {
    body = {};
  }
  const contentType = route.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  return t.request(route.method, url, { token: tokens[actor.user], body, contentType });
}

describe('tenant isolation on every registered route', () => {
  it('enumerates the routes of every served kind', () => {
    const kinds = new Set(routes.map((r) => routeKind(r.url)?.def.kind).filter(Boolean));
    expect([...kinds].sort()).toEqual(
      t.polis.resources.registry
        .all()
        .map((d) => d.kind)
        .sort(),
    );
    expect(routes.length).toBeGreaterThan(40);
  });

  it('answers every generic kind route exactly as the authorization table decides, for every role, own and other department', async () => {
    const mismatches: string[] = [];
    for (const route of routes) {
      const rk = routeKind(route.url);
      if (!rk) continue;
      const { def } = rk;
      const acrossTenants = def.scope === 'tenant' && !route.url.includes(':tenant');
      for (const actor of ACTORS) {
        for (const tenant of def.scope === 'tenant' && !acrossTenants
          ? [OWN, OTHER]
          : def.kind === 'Tenant' || def.kind === 'User'
            ? [OWN, OTHER]
            : [OWN]) {
          const verb: Verb = route.method === 'GET' ? (rk.item ? 'get' : 'list') : METHOD_VERB[route.method]!;
          const name = itemName(def, actor, tenant);
          let allowed: boolean;
          if (acrossTenants) {
            const at = allowedTenants(actor.principal, 'list', def.kind, def.category);
            allowed = at === 'all' || at.length > 0;
          } else {
            allowed = authorize(actor.principal, {
              verb,
              kind: def.kind,
              category: def.category,
              scope: def.scope,
              tenant: def.scope === 'tenant' ? tenant : undefined,
              name: rk.item ? name : undefined,
              subresource: rk.status ? 'status' : undefined,
            }).allowed;
          }
          const r = await call(actor, route, tenant);
          // Allowed: 2xx, or 409 where a rule after authorization refuses (a department that still holds objects).
          const ok = allowed
            ? (r.statusCode >= 200 && r.statusCode < 300) || r.statusCode === 409
            : r.statusCode === 403;
          if (!ok)
            mismatches.push(
              `${actor.user} ${route.method} ${route.url} [${tenant}] expected ${allowed ? '2xx' : '403'}, got ${r.statusCode} ${r.body.slice(0, 160)}`,
            );
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 180_000); // every route × every role × two departments, on a shared machine

  it('never lets a department-bound principal act on, or see, another department, on any route', async () => {
    const leaks: string[] = [];
    const bound = ACTORS.filter((a) => a.tenants.length > 0);
    for (const route of routes) {
      for (const actor of bound) {
        if (route.url.includes(':tenant')) {
          const r = await call(actor, route, OTHER);
          if (r.statusCode !== 403)
            leaks.push(`${actor.user} ${route.method} ${route.url} on ${OTHER}: ${r.statusCode}`);
          continue;
        }
        const r = await call(actor, route, OWN);
        // A department is named as tenant, or as namespace in the Kubernetes view.
        const foreign = [...r.body.matchAll(/"(?:tenant|namespace)":"([a-z0-9-]*)"/g)]
          .map((m) => m[1])
          .filter((x) => x !== '' && !actor.tenants.includes(x!));
        if (foreign.length > 0)
          leaks.push(
            `${actor.user} ${route.method} ${route.url} shows department(s) ${[...new Set(foreign)].join(', ')}`,
          );
      }
    }
    expect(leaks).toEqual([]);
  }, 180_000); // every route × bound role, on a shared machine

  it('shows other departments only the name and description of an API they publish, never its subscriptions', async () => {
    for (const actor of ACTORS.filter((a) => a.tenants.length > 0)) {
      const r = await t.request('GET', '/apis/market.polis.io/v1/shared-api-directory', { token: tokens[actor.user] });
      expect(r.statusCode).toBe(200);
      for (const item of (r.json() as { items: Record<string, unknown>[] }).items)
        expect(Object.keys(item).sort()).toEqual(['department', 'description', 'displayName', 'name']);
      // The owner's decision route is the owner's: another department's API is refused before anything is read.
      const d = await t.request('POST', `/apis/market.polis.io/v1/tenants/${OTHER}/sharedapis/fixture/approve`, {
        token: tokens[actor.user],
        body: { department: OWN, subscription: 'fixture' },
      });
      expect(d.statusCode, actor.user).toBe(403);
    }
    const sub = await t.request('GET', `/apis/market.polis.io/v1/tenants/${OWN}/apisubscriptions/fixture`, {
      token: t.adminToken,
    });
    expect((sub.json() as { status?: { decision?: unknown } }).status?.decision).toBeUndefined();
  });

  it("reveals a binding's credentials only in the caller's own department, and usage counts to no department", async () => {
    for (const actor of ACTORS.filter((a) => a.tenants.length > 0)) {
      const other = await t.request(
        'POST',
        `/apis/market.polis.io/v1/tenants/${OTHER}/servicebindings/fixture/reveal`,
        {
          token: tokens[actor.user],
        },
      );
      expect(other.statusCode, actor.user).toBe(403);
      const usage = await t.request('GET', '/apis/market.polis.io/v1/catalog-usage', { token: tokens[actor.user] });
      expect(usage.statusCode, actor.user).toBe(403);
    }
    // Roles that never read secret values are refused even in their own department (viewer, developer).
    for (const user of ['edu-viewer', 'vendor-dev', 'auditor']) {
      const r = await t.request('POST', `/apis/market.polis.io/v1/tenants/${OWN}/servicebindings/fixture/reveal`, {
        token: tokens[user],
      });
      expect(r.statusCode, user).toBe(403);
    }
  });

  it('lets a copy of a marketplace solution cross departments only for a caller with rights in both', async () => {
    for (const actor of ACTORS.filter((a) => a.tenants.length > 0)) {
      for (const [from, to] of [
        [OWN, OTHER],
        [OTHER, OWN],
      ]) {
        const r = await t.request('POST', `/apis/market.polis.io/v1/tenants/${from}/copy?dryRun=All`, {
          token: tokens[actor.user],
          body: { target: { department: to, suffix: '-copy' } },
        });
        expect(r.statusCode, `${actor.user} ${from} → ${to}`).toBe(403);
      }
      const copies = await t.request('GET', '/apis/market.polis.io/v1/copies', { token: tokens[actor.user] });
      for (const row of (copies.json() as { items: { department: string }[] }).items)
        expect(actor.tenants).toContain(row.department);
      const up = await t.request('POST', '/apis/market.polis.io/v1/copies/upgrade', {
        token: tokens[actor.user],
        body: { origin: `${OTHER}/fixture`, departments: [OTHER] },
      });
      expect(up.statusCode, actor.user).toBe(403);
    }
    // The data bureau may (a dry run: nothing is written).
    const ok = await t.request('POST', `/apis/market.polis.io/v1/tenants/${OWN}/copy?dryRun=All`, {
      token: t.adminToken,
      body: { target: { department: OTHER, suffix: '-copy' } },
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it("never shows a principal another department's metric series, through the history API or the Prometheus endpoint", async () => {
    // Series of both departments and of the platform, as the sampler would have written them.
    const writer = new HistoryWriter(t.polis.store.metricHistory);
    const now = Date.now();
    for (const tenant of [OWN, OTHER])
      writer.append(
        [
          {
            labels: {
              __name__: 'polis_component_requests_per_second',
              tenant,
              app: 'fixture',
              namespace: tenant,
              component: 'web',
            },
            value: 1,
          },
        ],
        now - 60_000,
      );
    writer.append([{ labels: { __name__: 'polis_cluster_pods', cluster: 'fixture' }, value: 3 }], now - 60_000);
    await writer.flush();
    const leaks: string[] = [];
    const all = encodeURIComponent('{__name__=~".+"}');
    const end = now / 1000;
    for (const actor of ACTORS) {
      const mayAll = allowedTenants(actor.principal, 'list', 'Application', 'workload') === 'all';
      for (const url of [
        `/prometheus/api/v1/series?match[]=${all}`,
        `/prometheus/api/v1/query_range?query=${all}&start=${end - 600}&end=${end}&step=60`,
        `/prometheus/api/v1/query?query=${all}`,
      ]) {
        const r = await t.request('GET', url, { token: tokens[actor.user] });
        expect(r.statusCode, `${actor.user} ${url}`).toBe(200);
        const data = r.json().data as unknown[] | { result: { metric: Record<string, string> }[] };
        const labels = Array.isArray(data) ? (data as Record<string, string>[]) : data.result.map((x) => x.metric);
        for (const l of labels) {
          const tenant = l.tenant ?? '';
          const visible =
            tenant === '' ? mayAll && actor.tenants.length === 0 : mayAll || actor.tenants.includes(tenant);
          if (!visible) leaks.push(`${actor.user} ${url.split('?')[0]} shows ${JSON.stringify(l)}`);
        }
        if (mayAll && actor.tenants.length === 0) expect(labels.length, `${actor.user} ${url}`).toBeGreaterThan(2);
      }
      const history = await t.request(
        'GET',
        `/api/v1/tenants/${OTHER}/history?signal=polis_component_requests_per_second`,
        { token: tokens[actor.user] },
      );
      if (!mayAll && history.statusCode < 300) leaks.push(`${actor.user} reads ${OTHER}'s history`);
    }
    expect(leaks).toEqual([]);
  });

  it('shows a department only its own bills and metering, and every department to the data bureau', async () => {
    const bills = async (user: string) =>
      (
        JSON.parse((await t.request('GET', '/api/v1/bills', { token: tokens[user] })).body) as {
          items: { tenant: string }[];
        }
      ).items
        .map((i) => i.tenant)
        .sort();
    expect(await bills('edu-admin')).toEqual([OWN]);
    expect(await bills('edu-viewer')).toEqual([OWN]);
    expect(await bills('admin')).toEqual([OWN, OTHER].sort());
    expect(await bills('nobody')).toEqual([]);
    const own = await t.request('GET', `/api/v1/tenants/${OWN}/bill`, { token: tokens['edu-admin'] });
    expect(own.statusCode).toBe(200);
    expect((own.json() as { totalFen: number }).totalFen).toBe(100);
    expect(own.body).not.toContain(`"${OTHER}"`);
    for (const path of [
      `/api/v1/tenants/${OTHER}/bill`,
      `/api/v1/tenants/${OTHER}/bill?format=xlsx`,
      `/api/v1/tenants/${OTHER}/metering`,
    ])
      expect((await t.request('GET', path, { token: tokens['edu-admin'] })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/cost-reconciliation', { token: tokens['edu-admin'] })).statusCode).toBe(
      403,
    );
    const rec = await t.request('GET', '/api/v1/cost-reconciliation', { token: tokens.admin });
    expect((rec.json() as { balanced: boolean }).balanced).toBe(true);
  });

  it("shows a department its own utilization and its own share of a cluster, never another's or the capacity", async () => {
    type History = {
      departments: { tenant: string; requested: { cpu: (number | null)[] } }[];
      clusters: { cluster: string; requested: { cpu: (number | null)[] }; capacity?: unknown }[];
    };
    const get = async (user: string, path: string) => {
      const r = await t.request('GET', path, { token: tokens[user] });
      return { status: r.statusCode, body: r.body, json: r.json() as History };
    };
    const last = (xs: (number | null)[]) => xs.at(-1);
    for (const path of ['/api/v1/utilization/history', `/api/v1/tenants/${OWN}/utilization/history?range=7d`]) {
      const own = await get('edu-admin', path);
      expect(own.status).toBe(200);
      expect(own.json.departments.map((d) => d.tenant)).toEqual([OWN]);
      const cluster = own.json.clusters.find((c) => c.cluster === 'fixture')!;
      // Only edu's 1 core on the shared cluster, not tax's 3, and not the cluster's capacity.
      expect(last(cluster.requested.cpu)).toBe(1);
      expect(cluster.capacity).toBeUndefined();
      expect(own.body).not.toContain(`"${OTHER}"`);
    }
    expect((await get('edu-admin', `/api/v1/tenants/${OTHER}/utilization/history`)).status).toBe(403);
    const all = await get('admin', '/api/v1/utilization/history');
    expect(all.json.departments.map((d) => d.tenant)).toEqual(expect.arrayContaining([OWN, OTHER]));
    const fixture = all.json.clusters.find((c) => c.cluster === 'fixture')!;
    expect(last(fixture.requested.cpu)).toBe(4);
    expect(fixture.capacity).toBeDefined();
    const bad = await t.request('GET', '/api/v1/utilization/history?range=100d', { token: tokens.admin });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('query.range');
  });

  it("never gives a principal another department's pods, pod logs or application events", async () => {
    const urls = ['/pods', '/pods/:cluster/:pod/log', '/events'].map(
      (u) => `/apis/core.oam.dev/v1beta1/tenants/:tenant/applications/:name${u}`,
    );
    for (const u of urls)
      expect(
        routes.some((r) => r.method === 'GET' && r.url === u),
        u,
      ).toBe(true);
    const leaks: string[] = [];
    for (const actor of ACTORS) {
      const mayAll = allowedTenants(actor.principal, 'get', 'Application', 'workload') === 'all';
      for (const u of urls) {
        const url = u
          .replace(':tenant', OTHER)
          .replace(':name', 'fixture')
          .replace(':cluster', 'c1')
          .replace(':pod', 'p');
        const r = await t.request('GET', url, { token: tokens[actor.user] });
        if (!mayAll && r.statusCode !== 403) leaks.push(`${actor.user} ${url}: ${r.statusCode}`);
        if (mayAll && r.statusCode === 403) leaks.push(`${actor.user} refused ${url}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("sums only the caller's own departments in the application summary, and lists only their rows", async () => {
    const leaks: string[] = [];
    for (const actor of ACTORS.filter((a) => a.tenants.length > 0)) {
      const r = await t.request('GET', '/api/v1/applications/summary', { token: tokens[actor.user] });
      if (r.statusCode !== 200) continue; // a role that may not list applications is refused, which leaks nothing
      const s = r.json() as { departments: { tenant: string }[]; attention: { tenant: string }[] };
      for (const d of [...s.departments, ...s.attention])
        if (!actor.tenants.includes(d.tenant)) leaks.push(`${actor.user} summary: ${d.tenant}`);
      const rows = await t.request('GET', '/apis/core.oam.dev/v1beta1/applications?view=rows', {
        token: tokens[actor.user],
      });
      if (rows.statusCode !== 200) continue;
      for (const item of (rows.json() as { items: { metadata: { tenant: string } }[] }).items)
        if (!actor.tenants.includes(item.metadata.tenant)) leaks.push(`${actor.user} rows: ${item.metadata.tenant}`);
    }
    const other = await t.request('GET', `/apis/core.oam.dev/v1beta1/tenants/${OTHER}/applications?view=rows`, {
      token: tokens['edu-admin'],
    });
    expect(other.statusCode).toBe(403);
    expect(leaks).toEqual([]);
  });

  it('never shows a department-bound principal another department, or its applications, in search', async () => {
    const leaks: string[] = [];
    for (const actor of ACTORS.filter((a) => a.tenants.length > 0))
      for (const q of ['局', 'bureau', OTHER, 'swj', 'e', 'a', 'fixture']) {
        const r = await t.request('GET', `/api/v1/search?q=${encodeURIComponent(q)}&limit=100`, {
          token: tokens[actor.user],
        });
        expect(r.statusCode).toBe(200);
        for (const hit of (r.json() as { items: { kind: string; id: string; tenant?: string }[] }).items) {
          const dept = hit.kind === 'Tenant' ? hit.id : hit.tenant;
          if (dept !== undefined && !actor.tenants.includes(dept))
            leaks.push(`${actor.user} q=${q}: ${hit.kind} ${hit.id}`);
        }
      }
    expect(leaks).toEqual([]);
  });

  it('answers every watch, per department and across departments, as list and watch together decide, for every kind', async () => {
    const checks: Array<Promise<string | undefined>> = [];
    for (const def of t.polis.resources.registry.all()) {
      if (!def.verbs.includes('list')) continue;
      const base = `/apis/${def.group}/${def.version}`;
      const targets: Array<{ url: string; tenant?: string }> =
        def.scope === 'platform'
          ? [{ url: `${base}/${def.plural}` }]
          : [
              { url: `${base}/${def.plural}` },
              { url: `${base}/tenants/${OWN}/${def.plural}`, tenant: OWN },
              { url: `${base}/tenants/${OTHER}/${def.plural}`, tenant: OTHER },
              { url: `${base}/namespaces/${OWN}/${def.plural}`, tenant: OWN },
              { url: `${base}/namespaces/${OTHER}/${def.plural}`, tenant: OTHER },
              // The core-group view of polis's Secrets and Events.
              ...(def.group === 'polis.io' && Object.values(CORE_KINDS).includes(def.kind)
                ? [
                    { url: `/api/v1/${def.plural}` },
                    { url: `/api/v1/namespaces/${OWN}/${def.plural}`, tenant: OWN },
                    { url: `/api/v1/namespaces/${OTHER}/${def.plural}`, tenant: OTHER },
                  ]
                : []),
            ];
      for (const actor of ACTORS) {
        for (const target of targets) {
          // Which departments the stream may show: undefined = all (or a platform kind), [] = refused.
          let may: 'all' | string[];
          if (def.scope === 'tenant' && target.tenant === undefined) {
            const list = allowedTenants(actor.principal, 'list', def.kind, def.category);
            const watch = allowedTenants(actor.principal, 'watch', def.kind, def.category);
            may =
              list === 'all' && watch === 'all'
                ? 'all'
                : list === 'all'
                  ? (watch as string[])
                  : watch === 'all'
                    ? list
                    : list.filter((x) => watch.includes(x));
          } else {
            const attrs = { kind: def.kind, category: def.category, scope: def.scope, tenant: target.tenant };
            const ok =
              authorize(actor.principal, { ...attrs, verb: 'list' }).allowed &&
              authorize(actor.principal, { ...attrs, verb: 'watch' }).allowed;
            may = ok ? (target.tenant === undefined ? 'all' : [target.tenant]) : [];
          }
          checks.push(
            t.request('GET', `${target.url}?watch=true&timeoutSeconds=1`, { token: tokens[actor.user] }).then((r) => {
              const where = `${actor.user} watch ${target.url}`;
              if (may !== 'all' && may.length === 0)
                return r.statusCode === 403 ? undefined : `${where}: expected 403, got ${r.statusCode}`;
              if (r.statusCode !== 200) return `${where}: expected 200, got ${r.statusCode} ${r.body.slice(0, 160)}`;
              const shown = [...r.body.matchAll(/"(?:tenant|namespace)":"([a-z0-9-]*)"/g)].map((m) => m[1]!);
              const foreign = may === 'all' ? [] : shown.filter((x) => x !== '' && !may.includes(x));
              return foreign.length > 0 ? `${where}: shows ${[...new Set(foreign)].join(', ')}` : undefined;
            }),
          );
        }
      }
    }
    expect((await Promise.all(checks)).filter(Boolean)).toEqual([]);
    // The case that differs between list and watch: secrets by metadata only (viewer) may be listed, not watched.
    const viewer = await t.request('GET', '/apis/polis.io/v1/secrets?watch=true&timeoutSeconds=1', {
      token: tokens['edu-viewer'],
    });
    expect(viewer.statusCode).toBe(403);
  });

  it('covers the core-group Secret and Event paths, and keeps another department out of them', async () => {
    const core = routes.filter((r) => r.url.startsWith('/api/v1/') && routeKind(r.url));
    expect(core.map((r) => `${r.method} ${r.url}`).sort()).toEqual(
      [
        'DELETE /api/v1/namespaces/:tenant/secrets',
        'DELETE /api/v1/namespaces/:tenant/secrets/:name',
        'GET /api/v1/events',
        'GET /api/v1/namespaces/:tenant/events',
        'GET /api/v1/namespaces/:tenant/events/:name',
        'GET /api/v1/namespaces/:tenant/secrets',
        'GET /api/v1/namespaces/:tenant/secrets/:name',
        'GET /api/v1/secrets',
        'PATCH /api/v1/namespaces/:tenant/secrets/:name',
        'POST /api/v1/namespaces/:tenant/secrets',
        'PUT /api/v1/namespaces/:tenant/secrets/:name',
      ].sort(),
    );
    for (const actor of ACTORS.filter((a) => a.tenants.length > 0)) {
      for (const path of ['secrets', 'secrets/fixture', 'events', 'events/fixture']) {
        const r = await t.request('GET', `/api/v1/namespaces/${OTHER}/${path}`, { token: tokens[actor.user] });
        expect(r.statusCode, `${actor.user} ${path}`).toBe(403);
      }
      for (const plural of ['secrets', 'events']) {
        const all = await t.request('GET', `/api/v1/${plural}`, { token: tokens[actor.user] });
        const shown = (all.json() as { items?: Array<{ metadata: { namespace: string } }> }).items ?? [];
        expect(
          shown.filter((i) => !actor.tenants.includes(i.metadata.namespace)),
          actor.user,
        ).toEqual([]);
      }
    }
  });

  it('shows a department-bound principal only its own departments as Kubernetes namespaces', async () => {
    for (const actor of ACTORS.filter((a) => a.tenants.length > 0)) {
      const list = await t.request('GET', '/api/v1/namespaces', { token: tokens[actor.user] });
      expect(list.statusCode).toBe(200);
      const names = (list.json() as { items: Array<{ metadata: { name: string } }> }).items.map((n) => n.metadata.name);
      expect(names.sort(), actor.user).toEqual([...actor.tenants].sort());
      const other = await t.request('GET', `/api/v1/namespaces/${OTHER}`, { token: tokens[actor.user] });
      expect(other.statusCode, actor.user).toBe(403);
      const own = await t.request('GET', `/api/v1/namespaces/${OWN}`, { token: tokens[actor.user] });
      expect(own.statusCode, actor.user).toBe(200);
      // kubectl get -A: the cross-department list with a namespace field selector stays within the caller's rights.
      const selected = await t.request(
        'GET',
        `/apis/core.oam.dev/v1beta1/applications?fieldSelector=metadata.namespace%3D${OTHER}`,
        { token: tokens[actor.user] },
      );
      expect((selected.json() as { items: unknown[] }).items, actor.user).toEqual([]);
    }
  });

  it('lists across departments only what the caller may see', async () => {
    const r = await t.request('GET', '/apis/core.oam.dev/v1beta1/applications', { token: tokens['vendor-dev'] });
    expect(r.statusCode).toBe(200);
    const tenants = new Set(
      (r.json() as { items: Array<{ metadata: { tenant: string } }> }).items.map((i) => i.metadata.tenant),
    );
    expect([...tenants].sort()).toEqual(['edu', 'health']);
    const all = await t.request('GET', '/apis/core.oam.dev/v1beta1/applications', { token: tokens.auditor });
    expect(
      new Set((all.json() as { items: Array<{ metadata: { tenant: string } }> }).items.map((i) => i.metadata.tenant))
        .size,
    ).toBeGreaterThan(2);
  });

  it('shows audit entries only of the departments a tenant admin administers', async () => {
    const own = await t.request('GET', '/api/v1/audit?limit=1000', { token: tokens['edu-admin'] });
    expect(own.statusCode).toBe(200);
    const entries = (own.json() as { items: Array<{ tenant: string }> }).items;
    expect(entries.length).toBeGreaterThan(0);
    expect(new Set(entries.map((e) => e.tenant))).toEqual(new Set(['edu']));
    expect((await t.request('GET', '/api/v1/audit?tenant=tax', { token: tokens['edu-admin'] })).statusCode).toBe(403);
    // The export is a file, not JSON, so the route walk's tenant scan cannot read it: its department column is
    // checked here (every filter, system entries included), and another department's is refused.
    const exported = await t.request('GET', '/api/v1/audit/export?format=csv&system=true', {
      token: tokens['edu-admin'],
    });
    expect(exported.statusCode).toBe(200);
    const rows = exported.body
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => (l.match(/"(?:[^"]|"")*"/g) ?? []).map((c) => c.slice(1, -1)));
    const col = rows[0]!.indexOf('tenant');
    expect(rows.length).toBeGreaterThan(1);
    expect(new Set(rows.slice(1).map((r) => r[col]))).toEqual(new Set(['edu']));
    for (const url of ['/api/v1/audit/export?tenant=tax', '/api/v1/audit/export?format=xlsx&tenant=tax'])
      expect((await t.request('GET', url, { token: tokens['edu-admin'] })).statusCode, url).toBe(403);
    expect((await t.request('GET', '/api/v1/audit', { token: tokens['edu-staff'] })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/audit/verify', { token: tokens['edu-admin'] })).statusCode).toBe(403);
    expect((await t.request('GET', '/api/v1/audit/verify', { token: tokens.auditor })).json()).toMatchObject({
      ok: true,
    });
  });

  it('gives the whole-store backup (every department, sealed secrets) to a platform-admin only', async () => {
    for (const actor of ACTORS) {
      const r = await t.request('GET', '/api/v1/backup', { token: tokens[actor.user] });
      expect(r.statusCode, actor.user).toBe(actor.user === 'admin' ? 200 : 403);
    }
  });

  it("lets users manage only their own tokens, and a department admin its own members' tokens too", async () => {
    const issue = async (user: string) =>
      (await t.request('POST', '/api/v1/tokens', { token: t.adminToken, body: { user } })).json() as { id: string };
    // Another department's user (plat-viewer is bound in no department edu-admin runs): refused, as if missing.
    const outsider = await issue('plat-viewer');
    expect(
      (await t.request('DELETE', `/api/v1/tokens/${outsider.id}`, { token: tokens['edu-admin'] })).statusCode,
    ).toBe(403);
    expect(
      (await t.request('DELETE', `/api/v1/tokens/${outsider.id}`, { token: tokens['edu-staff'] })).statusCode,
    ).toBe(403);
    expect((await t.request('GET', '/api/v1/tokens?user=plat-viewer', { token: tokens['edu-admin'] })).statusCode).toBe(
      403,
    );
    const refused = await t.request('POST', '/api/v1/tokens', {
      token: tokens['edu-admin'],
      body: { user: 'tax-admin' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ details: { code: 'TokenUserNotMember' } });
    // A member's tokens: a member sees its own only; its department's admin issues, lists and revokes them.
    const mine = await t.request('GET', '/api/v1/tokens', { token: tokens['edu-staff'] });
    const users = new Set((mine.json() as { items: Array<{ spec: { user: string } }> }).items.map((i) => i.spec.user));
    expect([...users]).toEqual(['edu-staff']);
    expect(mine.body).not.toContain('secretHash');
    const memberToken = await t.request('POST', '/api/v1/tokens', {
      token: tokens['edu-admin'],
      body: { user: 'edu-staff', ttlSeconds: 3600 },
    });
    expect(memberToken.statusCode).toBe(201);
    const listed = await t.request('GET', '/api/v1/tokens', { token: tokens['edu-admin'] });
    const seen = new Set((listed.json() as { items: Array<{ spec: { user: string } }> }).items.map((i) => i.spec.user));
    expect(seen.has('edu-staff')).toBe(true);
    expect(seen.has('plat-viewer')).toBe(false);
    expect(listed.body).not.toContain('secretHash');
    const id = (memberToken.json() as { id: string }).id;
    expect((await t.request('DELETE', `/api/v1/tokens/${id}`, { token: tokens['edu-admin'] })).statusCode).toBe(200);
  });

  it('refuses every request without a valid token', async () => {
    for (const route of routes) {
      const r = await t.request(
        route.method,
        route.url.replace(':tenant', OWN).replace(':name', 'fixture').replace(':id', 'x'),
        {},
      );
      expect(r.statusCode, `${route.method} ${route.url}`).toBe(401);
      const bad = await t.request(
        route.method,
        route.url.replace(':tenant', OWN).replace(':name', 'fixture').replace(':id', 'x'),
        { token: 'polis_aaaaaaaaaaaa_bogus' },
      );
      expect(bad.statusCode, `${route.method} ${route.url}`).toBe(401);
    }
  });
});
