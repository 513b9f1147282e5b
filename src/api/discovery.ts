import type { FastifyInstance } from 'fastify';
import type { KindRegistry } from '../resources/registry.ts';
import { apiVersionOf } from '../resources/registry.ts';
import { apiGroupList } from './kube/kube-discovery.ts';
import { aggregatedContentType, aggregatedGroups, aggregatedVersionOf } from './kube/kube-aggregated-discovery.ts';

/**
 * GET /apis: one body for two readers. Kubernetes clients read it as an APIGroupList (`kind`, `apiVersion`,
 * `groups`); the polis CLI and console read `resources`: every served kind with its paths, scope, verbs and table
 * columns. Both send `Accept: application/json`, so one body serves both (JSON readers ignore the other's fields).
 * Kubernetes clients that ask for aggregated discovery (apidiscovery.k8s.io) get every group's resources at once.
 */
export function registerDiscovery(app: FastifyInstance, registry: KindRegistry, version: string): void {
  app.get('/apis', { schema: { tags: ['discovery'], summary: 'The kinds this server serves' } }, async (req, reply) => {
    reply.header('vary', 'Accept');
    const aggregated = aggregatedVersionOf(req.headers.accept);
    if (aggregated)
      return reply.type(aggregatedContentType(aggregated)).send(aggregatedGroups(registry.all(), aggregated));
    return {
      ...apiGroupList(registry.all()),
      serverVersion: version,
      resources: registry.all().map((d) => ({
        apiVersion: apiVersionOf(d),
        group: d.group,
        version: d.version,
        kind: d.kind,
        plural: d.plural,
        singular: d.singular,
        shortNames: d.shortNames,
        scope: d.scope,
        category: d.category,
        description: d.description,
        verbs: d.verbs,
        hasStatus: d.hasStatus,
        printColumns: d.printColumns,
        path:
          d.scope === 'tenant'
            ? `/apis/${d.group}/${d.version}/tenants/{tenant}/${d.plural}`
            : `/apis/${d.group}/${d.version}/${d.plural}`,
      })),
    };
  });
}
