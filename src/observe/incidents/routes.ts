import type { FastifyInstance } from 'fastify';
import { ConflictError, NotAllowedError } from '../../kernel/errors.ts';
import { authorize } from '../../tenancy/authorization.ts';
import { principalOf, requestContext } from '../../tenancy/request-principal.ts';
import type { IncidentController } from './incident-controller.ts';

/**
 * `POST /apis/polis.io/v1/tenants/{tenant}/incidents/{name}/acknowledge|resolve`: a person takes an incident on, or
 * closes it; the timeline records who. Reading incidents goes through the Incident kind's own routes.
 */
export function registerIncidentRoutes(app: FastifyInstance, deps: { incidents?: IncidentController }): void {
  for (const [verb, action] of [
    ['acknowledge', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const) {
    app.post(
      `/apis/polis.io/v1/tenants/:tenant/incidents/:name/${verb}`,
      {
        schema: {
          tags: ['Incident'],
          summary: verb === 'acknowledge' ? 'Acknowledge an incident' : 'Resolve an incident',
        },
      },
      async (req) => {
        const { tenant, name } = req.params as { tenant: string; name: string };
        const d = authorize(principalOf(req), {
          verb: 'update',
          kind: 'Incident',
          category: 'events',
          scope: 'tenant',
          tenant,
          name,
        });
        if (!d.allowed) throw new NotAllowedError(d.reason);
        if (!deps.incidents) throw new ConflictError('incidents are not evaluated by this server (no signal source)');
        return deps.incidents.act(requestContext(req), tenant, name, action);
      },
    );
  }
}
