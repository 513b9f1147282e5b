import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotAllowedError, NotFoundError } from '../../kernel/errors.ts';
import type { Query } from '../../kernel/query-params.ts';
import { stringParam } from '../../kernel/query-params.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { KindRegistry } from '../../resources/registry.ts';
import type { ResourceService } from '../../resources/service.ts';
import type { Principal } from '../../tenancy/authorization.ts';
import { authorize } from '../../tenancy/authorization.ts';
import { principalOf } from '../../tenancy/request-principal.ts';
import { apiGroup, apiResourceList, apiVersions, coreResourceList } from './kube-discovery.ts';
import { aggregatedContentType, aggregatedCore, aggregatedVersionOf } from './kube-aggregated-discovery.ts';
import { namespaceOf } from './kube-objects.ts';
import { groupVersionDocument, openApiIndex } from './kube-openapi.ts';
import type { TableSource } from './kube-table.ts';
import { includeObjectOf, table, wantsTable } from './kube-table.ts';

export interface KubeRouteDeps {
  readonly registry: KindRegistry;
  readonly resources: ResourceService;
  readonly clock: Clock;
  readonly version: string;
}

const NAMESPACE_COLUMNS = [{ name: 'STATUS', path: 'status.phase' }];

/**
 * The Kubernetes API's own paths that polis serves beside its kinds' routes (docs/api.md, "Kubernetes API"): discovery
 * (/api, /api/v1, /apis/{group}, /apis/{group}/{version}), OpenAPI v3 (/openapi/v3…) and the departments as read-only
 * namespaces (/api/v1/namespaces). Every one needs a token, as the kinds' routes do.
 */
export function registerKubeRoutes(app: FastifyInstance, deps: KubeRouteDeps): void {
  const tags = ['kubernetes'];
  const defs = () => deps.registry.all();
  app.get('/api', { schema: { tags, summary: 'Kubernetes core API versions' } }, async (req, reply) => {
    reply.header('vary', 'Accept');
    const aggregated = aggregatedVersionOf(req.headers.accept);
    if (aggregated) return reply.type(aggregatedContentType(aggregated)).send(aggregatedCore(defs(), aggregated));
    return apiVersions(req.headers.host ?? '127.0.0.1');
  });
  app.get(
    '/api/v1',
    { schema: { tags, summary: 'Kubernetes core v1 resources: departments as namespaces, their Secrets and Events' } },
    async () => coreResourceList(defs()),
  );
  app.get('/apis/:group', { schema: { tags, summary: 'A Kubernetes API group' } }, async (req) => {
    const { group } = req.params as { group: string };
    const doc = apiGroup(defs(), group);
    if (!doc) throw new NotFoundError(`the server does not serve the API group "${group}"`);
    return doc;
  });
  app.get(
    '/apis/:group/:version',
    { schema: { tags, summary: 'The resources of a Kubernetes group version' } },
    async (req) => {
      const { group, version } = req.params as { group: string; version: string };
      const doc = apiResourceList(defs(), group, version);
      if (!doc) throw new NotFoundError(`the server does not serve ${group}/${version}`);
      return doc;
    },
  );

  // The documents do not change while the server runs: built once, on first use.
  let index: Record<string, unknown> | undefined;
  const docs = new Map<string, Record<string, unknown> | undefined>();
  const document = (group: string, version: string) => {
    const key = `${group}/${version}`;
    if (!docs.has(key)) docs.set(key, groupVersionDocument(defs(), group, version, deps.version));
    const doc = docs.get(key);
    if (!doc) throw new NotFoundError(`the server has no OpenAPI document for ${group ? `${group}/` : ''}${version}`);
    return doc;
  };
  app.get('/openapi/v3', { schema: { tags, summary: 'OpenAPI v3 documents per group version' } }, async () => {
    index ??= openApiIndex(defs(), deps.version);
    return index;
  });
  app.get('/openapi/v3/api/v1', { schema: { tags, summary: 'OpenAPI v3 of the core group' } }, async () =>
    document('', 'v1'),
  );
  app.get(
    '/openapi/v3/apis/:group/:version',
    { schema: { tags, summary: 'OpenAPI v3 of a group version (kubectl explain)' } },
    async (req) => {
      const { group, version } = req.params as { group: string; version: string };
      return document(group, version);
    },
  );

  const now = () => deps.clock.now();
  const tenantDef = () => deps.registry.get('Tenant')!;
  const mayGet = (p: Principal, name: string) =>
    authorize(p, { verb: 'get', kind: 'Tenant', category: tenantDef().category, scope: 'platform', name });
  const answer = (req: FastifyRequest, items: Record<string, unknown>[], resourceVersion: string, one: boolean) => {
    if (wantsTable(req.headers.accept))
      return table({ printColumns: NAMESPACE_COLUMNS }, items as unknown as TableSource[], {
        include: includeObjectOf(stringParam(req.query as Query, 'includeObject')),
        now: now(),
        resourceVersion,
      });
    return one ? items[0] : { apiVersion: 'v1', kind: 'NamespaceList', metadata: { resourceVersion }, items };
  };
  app.get(
    '/api/v1/namespaces',
    { schema: { tags, summary: 'The departments you may see, as namespaces (read-only)' } },
    async (req) => {
      const p = principalOf(req);
      const page = await deps.resources.list({ kind: 'Tenant' });
      const visible = page.items.filter((t: StoredObject) => mayGet(p, t.metadata.name).allowed);
      return answer(req, visible.map(namespaceOf), page.resourceVersion, false);
    },
  );
  app.get(
    '/api/v1/namespaces/:name',
    { schema: { tags, summary: 'A department as a namespace (read-only)' } },
    async (req) => {
      const { name } = req.params as { name: string };
      const decision = mayGet(principalOf(req), name);
      if (!decision.allowed) throw new NotAllowedError(decision.detail);
      const tenant = await deps.resources.get('Tenant', '', name);
      return answer(req, [namespaceOf(tenant)], tenant.metadata.resourceVersion, true);
    },
  );
}
