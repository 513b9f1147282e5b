import type { FastifyInstance } from 'fastify';
import { NotAllowedError, NotFoundError } from '../kernel/errors.ts';
import type { ResourceService } from '../resources/service.ts';
import { allowedTenants } from './authorization.ts';
import { principalOf } from './request-principal.ts';
import type { UsageReport } from './usage-report.ts';
import { createUsageReport } from './usage-report.ts';
import { msg } from '../kernel/messages/index.ts';

/**
 * `GET /api/v1/usage` (every department the caller may see) and `GET /api/v1/tenants/{t}/usage`: each department's
 * quota against what its applications request, what placement runs and what that costs per hour, and its share
 * of the private cloud (guarantee, borrowed, held back; docs/api.md). Whoever may
 * list a department's applications may read its usage; nobody else learns that it exists.
 */
export function registerUsageRoutes(
  app: FastifyInstance,
  deps: { resources: ResourceService; usage?: UsageReport },
): void {
  const usage = deps.usage ?? createUsageReport(deps);

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
      // The guarantees of all departments together are a platform figure: only a platform-wide reader sees it.
      const [items, warnings] = await Promise.all([
        usage.departments(tenants),
        tenants === 'all' ? usage.platformWarnings() : Promise.resolve([]),
      ]);
      return { kind: 'DepartmentUsageList', items, ...(warnings.length > 0 ? { warnings } : {}) };
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
        throw new NotAllowedError(msg('UsageNotAllowed', { department: tenant }));
      const [one] = await usage.departments([tenant]);
      if (!one) throw new NotFoundError(msg('DepartmentNotFound', { department: tenant }));
      return { kind: 'DepartmentUsage', ...one };
    },
  );
}
