import type { FastifyInstance } from 'fastify';
import { requireApplicationAccess } from '../../apps/application-access.ts';
import { NotAllowedError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { Query } from '../../kernel/query-params.ts';
import { stringParam } from '../../kernel/query-params.ts';
import type { ResourceService } from '../../resources/service.ts';
import type { SimCloud } from '../../sim/index.ts';
import { allowedTenants } from '../../tenancy/authorization.ts';
import { principalOf } from '../../tenancy/request-principal.ts';
import { simObservedEdges } from '../sources/simulated/sim-observation.ts';
import { declaredApps } from './declared-apps.ts';
import {
  buildTopology,
  declaredEdges,
  nodesOf,
  viewFor,
  type ObservedEdge,
  type Topology,
  type TopologyView,
} from './topology.ts';

/**
 * `GET /api/v1/topology`: the service graph the caller may see (the data bureau: all of it; a department: its own
 * components, and what they call outside as opaque nodes). `GET …/applications/{app}/topology`: one application's
 * part of it. Edges carry the observed rate, errors and latency where the traffic is measured.
 */
export function registerTopologyRoutes(
  app: FastifyInstance,
  deps: {
    resources: ResourceService;
    sim?: SimCloud;
    /** The calls a simulated cloud another process serves saw last (POLIS_SIM_URL), instead of `sim`'s. */
    observedEdges?: () => Promise<ObservedEdge[]>;
  },
): void {
  const graph = async (): Promise<Topology> => {
    const { apps } = await declaredApps(deps.resources);
    const observed = deps.sim
      ? simObservedEdges(deps.sim, Math.floor(deps.sim.now() / 1000))
      : deps.observedEdges
        ? await deps.observedEdges().catch(() => [])
        : [];
    return buildTopology(nodesOf(apps), declaredEdges(apps), observed);
  };

  app.get(
    '/api/v1/topology',
    {
      schema: {
        tags: ['observe'],
        summary: 'The service graph the caller may see (?tenant=: one department, others opaque)',
        querystring: { type: 'object', properties: { tenant: { type: 'string', description: 'department id' } } },
      },
    },
    async (req) => {
      const p = principalOf(req);
      const may = allowedTenants(p, 'list', 'Application', 'workload');
      if (may !== 'all' && may.length === 0) throw new NotAllowedError('no department whose applications you may list');
      // `?tenant=`: one department's applications across each other, and what they call (shared instances, other
      // departments' services) as opaque nodes: the console's cross-application view.
      const tenant = stringParam(req.query as Query, 'tenant');
      if (tenant !== undefined && may !== 'all' && !may.includes(tenant))
        throw new NotAllowedError(msg('TopologyDepartmentNotAllowed', { user: p.user, tenant }));
      return { kind: 'Topology', ...(tenant ? { tenant } : {}), ...viewFor(await graph(), tenant ? [tenant] : may) };
    },
  );

  app.get(
    '/apis/core.oam.dev/v1beta1/tenants/:tenant/applications/:name/topology',
    { schema: { tags: ['applications'], summary: "An application's service graph: its components, what they call" } },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      requireApplicationAccess(req, 'get', tenant, name);
      await deps.resources.get('Application', tenant, name);
      const view: TopologyView = viewFor(await graph(), [tenant]);
      const mine = new Set(view.nodes.filter((n) => !('opaque' in n) && n.application === name).map((n) => n.id));
      const edges = view.edges.filter((e) => mine.has(e.from) || mine.has(e.to));
      const ids = new Set([...mine, ...edges.flatMap((e) => [e.from, e.to])]);
      return { kind: 'Topology', application: name, nodes: view.nodes.filter((n) => ids.has(n.id)), edges };
    },
  );
}
