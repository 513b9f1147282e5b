import type { FastifyInstance } from 'fastify';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import { applicationUsage } from '../apps/application-usage.ts';
import { componentDemands } from '../apps/render/index.ts';
import type { ClusterSpec, ClusterStatus } from '../clusters/cluster-kind.ts';
import { NotAllowedError, NotFoundError } from '../kernel/errors.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import { allowedTenants } from './authorization.ts';
import { principalOf } from './request-principal.ts';
import type { ApplicationHolding, ClusterPricing, DepartmentUsage } from './usage.ts';
import { departmentUsage } from './usage.ts';

const PAGE = 1000;
/** Rendered per-replica requests by application uid and generation: rendering is the costly part of a report. */
const HOLDING_CACHE_LIMIT = 50_000;

/**
 * `GET /api/v1/usage` (every department the caller may see) and `GET /api/v1/tenants/{t}/usage`: each department's
 * quota against what its applications request, what placement runs and what that costs per hour. Whoever may
 * list a department's applications may read its usage; nobody else learns that it exists.
 */
export function registerUsageRoutes(app: FastifyInstance, deps: { resources: ResourceService }): void {
  const perReplicaCache = new Map<string, ApplicationHolding['perReplica']>();

  const holding = (obj: StoredObject): ApplicationHolding => {
    const key = `${obj.metadata.uid}:${obj.metadata.generation}`;
    let perReplica = perReplicaCache.get(key);
    if (!perReplica) {
      perReplica = Object.fromEntries(
        componentDemands(obj.spec as ApplicationSpec).map((c) => [
          c.name,
          { cpuMilli: c.perReplica.cpuMilli, memoryBytes: c.perReplica.memoryBytes },
        ]),
      );
      if (perReplicaCache.size >= HOLDING_CACHE_LIMIT) perReplicaCache.delete(perReplicaCache.keys().next().value!);
      perReplicaCache.set(key, perReplica);
    }
    const status = obj.status as { placement?: ApplicationHolding['placement'] } | undefined;
    return { requested: applicationUsage(obj), perReplica, placement: status?.placement ?? {} };
  };

  const listAll = async (kind: string, tenants?: readonly string[]): Promise<StoredObject[]> => {
    const out: StoredObject[] = [];
    let cont: string | undefined;
    do {
      const page = await deps.resources.list({ kind, tenants, limit: PAGE, continue: cont });
      out.push(...page.items);
      cont = page.continue;
    } while (cont);
    return out;
  };

  const report = async (tenants: 'all' | readonly string[]): Promise<DepartmentUsage[]> => {
    const scope = tenants === 'all' ? undefined : tenants;
    const [departments, apps, clusters] = await Promise.all([
      listAll('Tenant'),
      scope?.length === 0 ? Promise.resolve([]) : listAll('Application', scope),
      listAll('Cluster'),
    ]);
    const pricing = new Map<string, ClusterPricing>(
      clusters.map((c) => {
        const spec = c.spec as ClusterSpec;
        const health = (c.status as ClusterStatus | undefined)?.health;
        return [c.metadata.name, { role: spec.role, prices: spec.prices, ...(health ? { health } : {}) }];
      }),
    );
    const byTenant = new Map<string, ApplicationHolding[]>();
    for (const a of apps) {
      const t = a.metadata.tenant!;
      if (!byTenant.has(t)) byTenant.set(t, []);
      byTenant.get(t)!.push(holding(a));
    }
    return departments
      .filter((d) => tenants === 'all' || tenants.includes(d.metadata.name))
      .map((d) =>
        departmentUsage(
          d.metadata.name,
          d.spec as Parameters<typeof departmentUsage>[1],
          byTenant.get(d.metadata.name) ?? [],
          pricing,
        ),
      );
  };

  app.get(
    '/api/v1/usage',
    {
      schema: {
        tags: ['departments'],
        summary: 'Quota against requested and placed resources, and cost per hour, per department',
      },
    },
    async (req) => {
      const tenants = allowedTenants(principalOf(req), 'list', 'Application', 'workload');
      return { kind: 'DepartmentUsageList', items: await report(tenants) };
    },
  );

  app.get(
    '/api/v1/tenants/:tenant/usage',
    {
      schema: {
        tags: ['departments'],
        summary: "One department's quota against requested and placed resources, and its cost per hour",
      },
    },
    async (req) => {
      const { tenant } = req.params as { tenant: string };
      const allowed = allowedTenants(principalOf(req), 'list', 'Application', 'workload');
      if (allowed !== 'all' && !allowed.includes(tenant))
        throw new NotAllowedError(`you may not read the usage of department "${tenant}": it needs a role in it`);
      const [usage] = await report([tenant]);
      if (!usage) throw new NotFoundError(`department "${tenant}" does not exist`);
      return { kind: 'DepartmentUsage', ...usage };
    },
  );
}
