import type { FastifyInstance } from 'fastify';
import type { Query } from '../kernel/query-params.ts';
import { intParam } from '../kernel/query-params.ts';
import type { ChangeFeed } from '../resources/change-feed.ts';
import type { Store } from '../resources/store.ts';
import { allowedTenants } from '../tenancy/authorization.ts';
import { HoldingIndex } from '../tenancy/holding-index.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import type { SummaryRow } from './app-summary.ts';
import { summarize, summaryRow } from './app-summary.ts';

/**
 * `GET /api/v1/applications/summary`: applications by health and phase, per cluster and per department, and the
 * unhealthy ones first, over the departments whose applications the caller may list (a department admin sees
 * its own department's figures only). Computed from an index kept from the change feed, so an estate of 10,000
 * applications is summed without reading them from the store; the answer counts every commit made before the call.
 */
export function registerApplicationSummaryRoutes(app: FastifyInstance, deps: { store: Store; feed: ChangeFeed }): void {
  const index = new HoldingIndex<SummaryRow>({ store: deps.store, feed: deps.feed, holding: summaryRow });
  void index.start().catch(() => undefined);
  app.addHook('onClose', async () => index.stop());

  app.get(
    '/api/v1/applications/summary',
    {
      schema: {
        tags: ['applications'],
        summary: 'Applications by health and phase, per cluster and per department, over the departments you may see',
        querystring: {
          type: 'object',
          properties: {
            attention: { type: 'string', description: 'unhealthy applications listed (0-100, default 10)' },
          },
        },
      },
    },
    async (req) => {
      const tenants = allowedTenants(principalOf(req), 'list', 'Application', 'workload');
      const attention = intParam(req.query as Query, 'attention', 0, 100) ?? 10;
      const resourceVersion = String(await deps.store.currentRevision());
      const rows = tenants !== 'all' && tenants.length === 0 ? new Map() : await index.holdings(tenants);
      return { kind: 'ApplicationSummary', metadata: { resourceVersion }, ...summarize(rows, attention) };
    },
  );
}
