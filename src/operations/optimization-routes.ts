import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireApplicationAccess } from '../apps/application-access.ts';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import { componentDemands } from '../apps/render/index.ts';
import { namespaceOf } from '../delivery/namespace.ts';
import { InputError, NotAllowedError } from '../kernel/errors.ts';
import { msg, type MessageCode } from '../kernel/messages/index.ts';
import type { Query } from '../kernel/query-params.ts';
import { boolParam, intParam, stringParam } from '../kernel/query-params.ts';
import type { MetricsSource } from '../observe/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { LedgerStore } from '../resources/ledger-store.ts';
import type { ResourceService } from '../resources/service.ts';
import { allowedTenants } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { assessmentSettings } from './assessment/assessment-policy.ts';
import { maturityLevel } from './assessment/maturity.ts';
import { assess, type Scorecard } from './assessment/scorecard.ts';
import type { Prices } from './rightsizing/recommendation.ts';
import { DEFAULT_PRICES, HISTORY_STEP_MS, RecommendationService } from './rightsizing/recommendation-service.ts';

const PAGE = 500;

/** Prices from the query (cpuCoreHour, memoryGiBHour), defaulting to DEFAULT_PRICES; a bad one is a 400 naming it. */
function pricesOf(req: FastifyRequest): Prices {
  const q = req.query as Query;
  const one = (name: 'cpuCoreHour' | 'memoryGiBHour') => {
    const v = stringParam(q, name);
    if (v === undefined) return DEFAULT_PRICES[name];
    const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    if (!(n >= 0 && n <= 1000))
      throw new InputError(
        msg('QueryValueInvalid', { param: name, value: v, accepted: 'yuan, a number from 0 to 1000' }),
        [{ path: `query.${name}`, message: 'expected yuan, a number from 0 to 1000' }],
      );
    return n;
  };
  return { cpuCoreHour: one('cpuCoreHour'), memoryGiBHour: one('memoryGiBHour') };
}

/** The departments the caller may read applications of, or a 403 naming `tenant` when it is not one of them. */
function readable(req: FastifyRequest, tenant: string | undefined, code: MessageCode): 'all' | string[] {
  const allowed = allowedTenants(principalOf(req), 'list', 'Application', 'workload');
  if (tenant !== undefined && allowed !== 'all' && !allowed.includes(tenant))
    throw new NotAllowedError(msg(code as 'RecommendationNotAllowed', { tenant }));
  return allowed;
}

/**
 * Routes of rightsizing, utilization and the maturity assessment (issue 17 points 4–6; docs/operations.md):
 * recommendations per application, per department and city-wide by saving, applying one (a new revision through
 * the normal write path); requested, used and capacity per cluster and department; scorecards per application and
 * department, and the platform's maturity level. A department-bound reader sees only its departments.
 */
export function registerOptimizationRoutes(
  app: FastifyInstance,
  deps: { resources: ResourceService; metrics?: MetricsSource; ledger?: LedgerStore; now: () => number },
): void {
  const recs = new RecommendationService(deps);
  const listAll = async (kind: string, tenants?: readonly string[]): Promise<StoredObject[]> => {
    if (tenants?.length === 0) return [];
    const out: StoredObject[] = [];
    let cont: string | undefined;
    do {
      const page = await deps.resources.list({ kind, tenants, limit: PAGE, continue: cont });
      out.push(...page.items);
      cont = page.continue;
    } while (cont);
    return out;
  };
  const scope = (allowed: 'all' | string[]) => (allowed === 'all' ? undefined : allowed);

  // ── Rightsizing ──
  app.get(
    '/api/v1/tenants/:tenant/applications/:name/recommendations',
    {
      schema: { tags: ['operations'], summary: 'Rightsizing recommendations of an application, with saving and risk' },
    },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      requireApplicationAccess(req, 'get', tenant, name);
      const obj = await deps.resources.get('Application', tenant, name);
      return { kind: 'ApplicationRecommendations', ...(await recs.forApplication(obj, pricesOf(req))) };
    },
  );

  app.get(
    '/api/v1/tenants/:tenant/recommendations',
    { schema: { tags: ['operations'], summary: "A department's rightsizing recommendations, largest saving first" } },
    async (req) => {
      const { tenant } = req.params as { tenant: string };
      readable(req, tenant, 'RecommendationNotAllowed');
      const items = await recs.forDepartments([tenant], pricesOf(req));
      return { kind: 'RecommendationList', tenant, savingYuanPerMonth: total(items), items };
    },
  );

  app.get(
    '/api/v1/recommendations',
    { schema: { tags: ['operations'], summary: 'The largest savings across the departments the caller may see' } },
    async (req) => {
      const limit = intParam(req.query as Query, 'limit', 1, 1000) ?? 20;
      const items = await recs.forDepartments(
        scope(readable(req, undefined, 'RecommendationNotAllowed')),
        pricesOf(req),
      );
      return { kind: 'RecommendationList', savingYuanPerMonth: total(items), items: items.slice(0, limit) };
    },
  );

  app.post(
    '/api/v1/tenants/:tenant/applications/:name/recommendations/:component/apply',
    {
      schema: {
        tags: ['operations'],
        summary: "Apply a component's recommended requests (a new, revertible revision)",
      },
    },
    async (req) => {
      const { tenant, name, component } = req.params as { tenant: string; name: string; component: string };
      requireApplicationAccess(req, 'update', tenant, name);
      const dryRun = boolParam(req.query as Query, 'dryRun');
      const r = await recs.apply(requestContext(req), tenant, name, component, pricesOf(req), { dryRun });
      return {
        kind: 'RecommendationApplied',
        application: name,
        component,
        generation: r.object.metadata.generation,
        recommendation: r.recommendation,
        message: msg('RecommendationApplied', {
          component,
          cpu: `${r.recommendation.recommended.cpuMilli}m`,
          memory: `${Math.round(r.recommendation.recommended.memoryBytes / 2 ** 20)}Mi`,
          profile: r.recommendation.recommended.profile,
        }),
        object: r.object,
      };
    },
  );

  // ── Utilization ──
  const utilization = async (req: FastifyRequest, tenants: 'all' | string[]) => {
    const q = req.query as Query;
    const hours = intParam(q, 'hours', 1, 24 * 8) ?? 24;
    const to = deps.now();
    const from = to - hours * 3_600_000;
    const step = Math.max(HISTORY_STEP_MS, Math.ceil((hours * 3_600_000) / 288 / 60_000) * 60_000);
    const points = Math.floor((to - from) / step) + 1;
    const apps = await listAll('Application', scope(tenants));
    const byTenant = new Map<string, { cpu: number; memory: number; used: number[]; measured: boolean[] }>();
    const perCluster = new Map<string, { cpu: number; memory: number }>();
    for (const obj of apps) {
      const tenant = obj.metadata.tenant ?? '';
      let t = byTenant.get(tenant);
      if (!t)
        byTenant.set(
          tenant,
          (t = { cpu: 0, memory: 0, used: new Array(points).fill(0), measured: new Array(points).fill(false) }),
        );
      const placement =
        (obj.status as { placement?: Record<string, Record<string, number>> } | undefined)?.placement ?? {};
      const namespace = namespaceOf(tenant, obj.metadata.name, obj.status);
      for (const d of componentDemands(obj.spec as ApplicationSpec)) {
        const placed = Object.entries(placement[d.name] ?? {});
        const replicas = placed.reduce((s, [, n]) => s + n, 0);
        t.cpu += (replicas * d.perReplica.cpuMilli) / 1000;
        t.memory += replicas * d.perReplica.memoryBytes;
        for (const [cluster, n] of placed) {
          const c = perCluster.get(cluster) ?? { cpu: 0, memory: 0 };
          c.cpu += (n * d.perReplica.cpuMilli) / 1000;
          c.memory += n * d.perReplica.memoryBytes;
          perCluster.set(cluster, c);
        }
        if (!deps.metrics || replicas === 0) continue;
        const util = await deps.metrics.history(
          { tenant, app: obj.metadata.name, namespace, component: d.name },
          'cpuUtilization',
          from,
          to,
          step,
        );
        util.forEach((u, i) => {
          if (!Number.isFinite(u) || i >= points) return;
          t.used[i]! += (u * replicas * d.perReplica.cpuMilli) / 1000;
          t.measured[i] = true;
        });
      }
    }
    const departments = [...byTenant]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([tenant, t]) => ({
        tenant,
        requested: { cpu: round3(t.cpu), memory: t.memory },
        used: { cpu: t.used.map((v, i) => (t.measured[i] ? round3(v) : null)) },
      }));
    // Clusters' capacity and everything placed on them name every department's load: platform-wide readers only.
    const clusters =
      tenants === 'all'
        ? (await listAll('Cluster')).map((c) => {
            const s = (c.status ?? {}) as {
              allocatable?: { cpuMilli: number; memoryBytes: number };
              requested?: { cpuMilli: number; memoryBytes: number };
            };
            const placed = perCluster.get(c.metadata.name) ?? { cpu: 0, memory: 0 };
            return {
              cluster: c.metadata.name,
              capacity: s.allocatable
                ? { cpu: s.allocatable.cpuMilli / 1000, memory: s.allocatable.memoryBytes }
                : null,
              requested: { cpu: round3(placed.cpu), memory: placed.memory },
            };
          })
        : undefined;
    return {
      kind: 'Utilization',
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      stepMs: step,
      departments,
      ...(clusters ? { clusters } : {}),
    };
  };

  app.get(
    '/api/v1/utilization',
    { schema: { tags: ['operations'], summary: 'Requested, used and capacity over time, per cluster and department' } },
    async (req) => utilization(req, readable(req, undefined, 'UtilizationNotAllowed')),
  );

  app.get(
    '/api/v1/tenants/:tenant/utilization',
    { schema: { tags: ['operations'], summary: "A department's requested and used resources over time" } },
    async (req) => {
      const { tenant } = req.params as { tenant: string };
      readable(req, tenant, 'UtilizationNotAllowed');
      return utilization(req, [tenant]);
    },
  );

  // ── Assessment ──
  const scorecard = async (obj: StoredObject): Promise<Scorecard> => {
    const settings = await assessmentSettings((k) =>
      deps.resources.get(k.kind, k.tenant, k.name).catch(() => undefined),
    );
    const r = await recs.forApplication(obj, DEFAULT_PRICES);
    const recommendations = Object.fromEntries(
      r.components.filter((c) => c.recommended.profile !== 'current').map((c) => [c.component, c.recommended]),
    );
    return assess(
      {
        spec: obj.spec as ApplicationSpec,
        labels: obj.metadata.labels ?? {},
        annotations: obj.metadata.annotations ?? {},
        allowedRegistries: settings.allowedRegistries,
        recommendations,
      },
      settings.mandatory,
    );
  };
  const departmentCards = async (tenants: readonly string[] | undefined) => {
    const apps = await listAll('Application', tenants);
    const cards = await Promise.all(apps.map(async (a) => ({ obj: a, card: await scorecard(a) })));
    const byTenant = new Map<string, { application: string; score: number; inStandard: boolean; failed: number }[]>();
    for (const { obj, card } of cards) {
      const t = obj.metadata.tenant ?? '';
      const list = byTenant.get(t) ?? [];
      list.push({
        application: obj.metadata.name,
        score: card.score,
        inStandard: card.inStandard,
        failed: card.failed,
      });
      byTenant.set(t, list);
    }
    const departments = [...byTenant]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([tenant, list]) => ({
        tenant,
        score: Math.round(list.reduce((s, x) => s + x.score, 0) / list.length),
        inStandard: list.filter((x) => x.inStandard).length,
        applications: list.sort((a, b) => a.score - b.score || a.application.localeCompare(b.application)),
      }));
    return { cards, departments };
  };

  app.get(
    '/api/v1/tenants/:tenant/applications/:name/assessment',
    {
      schema: {
        tags: ['operations'],
        summary: "An application's maturity scorecard: every check with its reason and fix",
      },
    },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      requireApplicationAccess(req, 'get', tenant, name);
      const obj = await deps.resources.get('Application', tenant, name);
      return { kind: 'Scorecard', tenant, application: name, ...(await scorecard(obj)) };
    },
  );

  app.get(
    '/api/v1/tenants/:tenant/assessment',
    { schema: { tags: ['operations'], summary: "A department's maturity scores per application" } },
    async (req) => {
      const { tenant } = req.params as { tenant: string };
      readable(req, tenant, 'AssessmentNotAllowed');
      const { departments } = await departmentCards([tenant]);
      const one = departments[0];
      if (!one) return { kind: 'DepartmentAssessment', tenant, score: null, inStandard: 0, applications: [] };
      return { kind: 'DepartmentAssessment', ...one };
    },
  );

  app.get(
    '/api/v1/assessment',
    {
      schema: {
        tags: ['operations'],
        summary: "Scores per department and, for platform-wide readers, the platform's maturity level",
      },
    },
    async (req) => {
      const allowed = readable(req, undefined, 'AssessmentNotAllowed');
      const { cards, departments } = await departmentCards(scope(allowed));
      if (allowed !== 'all') return { kind: 'Assessment', departments };
      // The level is a platform figure from every department's applications.
      let services = 0;
      let autoscaled = 0;
      let requested = 0;
      for (const { card } of cards) {
        for (const r of card.results) {
          if (r.check !== 'autoscaling-policy') continue;
          services++;
          if (r.passed) autoscaled++;
        }
      }
      const usage = await utilization(req, 'all');
      for (const d of usage.departments) requested += d.requested.cpu;
      const lastUsed = usage.departments.reduce(
        (s, d) => {
          const v = [...d.used.cpu].reverse().find((x) => x !== null);
          return v === undefined || v === null ? s : (s ?? 0) + v;
        },
        undefined as number | undefined,
      );
      const capacity = (usage.clusters ?? []).reduce((s, c) => s + (c.capacity?.cpu ?? 0), 0);
      const level = maturityLevel({
        applications: cards.length,
        inStandard: cards.filter((c) => c.card.inStandard).length,
        services,
        autoscaledServices: autoscaled,
        withFailover: cards.filter((c) => c.card.results.some((r) => r.check === 'failover-policy' && r.passed)).length,
        withSlo: cards.filter((c) => c.card.results.some((r) => r.check === 'slo-declared' && r.passed)).length,
        cpuRequestedCores: requested,
        ...(lastUsed !== undefined ? { cpuUsedCores: lastUsed } : {}),
        ...(capacity > 0 ? { allocatedShare: requested / capacity } : {}),
      });
      return { kind: 'Assessment', departments, level };
    },
  );
}

function total(items: readonly { savingYuanPerMonth: number }[]): number {
  return Math.round(items.reduce((s, x) => s + x.savingYuanPerMonth, 0) * 100) / 100;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
