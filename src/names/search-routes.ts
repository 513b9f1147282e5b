import type { FastifyInstance } from 'fastify';
import { InputError } from '../kernel/errors.ts';
import { intParam, stringParam, type Query } from '../kernel/query-params.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ListQuery } from '../resources/store.ts';
import type { ResourceService } from '../resources/service.ts';
import { allowedTenants, authorize } from '../tenancy/authorization.ts';
import type { Principal } from '../tenancy/roles.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import { search, type Searchable } from './search-match.ts';

const MAX_QUERY = 100;
const PAGE = 1000;

async function listAll(resources: ResourceService, query: ListQuery): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let cont: string | undefined;
  do {
    const page = await resources.list({ ...query, limit: PAGE, ...(cont ? { continue: cont } : {}) });
    out.push(...page.items);
    cont = page.continue;
  } while (cont);
  return out;
}

type Names = { zh?: string; en?: string } | undefined;

/** The departments `p` may see by name: every one for a platform-wide reader, else those it holds a role in. */
function visibleTenants(p: Principal, workloadTenants: 'all' | string[]): 'all' | string[] {
  const all = authorize(p, { verb: 'list', kind: 'Tenant', category: 'tenancy', scope: 'platform' }).allowed;
  return all ? 'all' : workloadTenants === 'all' ? [] : workloadTenants;
}

/**
 * `GET /api/v1/search?q=…&limit=…`: applications, departments and clusters whose id, Chinese or English name, or
 * the Chinese name's pinyin initials match `q` (docs/console.md). Only what the caller may read is searched: a
 * department admin never learns another department's names or applications through it.
 */
export function registerSearchRoutes(app: FastifyInstance, deps: { resources: ResourceService }): void {
  app.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['console'],
        summary: 'Find applications, departments and clusters by id, Chinese or English name, or pinyin initials',
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query as Query;
      const text = stringParam(q, 'q') ?? '';
      if ([...text].length > MAX_QUERY)
        throw new InputError(`query parameter q is longer than ${MAX_QUERY} characters`, [
          {
            path: 'query.q',
            code: 'AuditFilterInvalid',
            params: { param: 'q', value: text.slice(0, 20) + '…', accepted: `at most ${MAX_QUERY} characters` },
            message: `expected at most ${MAX_QUERY} characters`,
          },
        ]);
      const limit = intParam(q, 'limit', 1, 100) ?? 20;
      if (text.trim() === '') return { kind: 'SearchResult', items: [] };
      const appTenants = allowedTenants(p, 'list', 'Application', 'workload');
      const deptTenants = visibleTenants(p, appTenants);
      const seeClusters = authorize(p, {
        verb: 'list',
        kind: 'Cluster',
        category: 'infrastructure',
        scope: 'platform',
      }).allowed;
      const none = Promise.resolve([] as StoredObject[]);
      const [apps, tenants, clusters] = await Promise.all([
        appTenants === 'all' || appTenants.length > 0
          ? listAll(deps.resources, { kind: 'Application', ...(appTenants === 'all' ? {} : { tenants: appTenants }) })
          : none,
        deptTenants === 'all' || deptTenants.length > 0 ? listAll(deps.resources, { kind: 'Tenant' }) : none,
        seeClusters ? listAll(deps.resources, { kind: 'Cluster' }) : none,
      ]);
      const items: Searchable[] = [
        ...tenants
          .filter((t) => deptTenants === 'all' || deptTenants.includes(t.metadata.name))
          .map((t) => {
            const dn = (t.spec as { displayName?: Names } | undefined)?.displayName;
            return { kind: 'Tenant' as const, id: t.metadata.name, zh: dn?.zh, en: dn?.en };
          }),
        ...apps.map((a) => ({
          kind: 'Application' as const,
          id: a.metadata.name,
          tenant: a.metadata.tenant ?? '',
          zh: a.metadata.annotations?.['polis.io/description'],
          en: a.metadata.annotations?.['polis.io/description-en'],
        })),
        ...clusters.map((c) => {
          const dn = (c.spec as { displayName?: Names } | undefined)?.displayName;
          return { kind: 'Cluster' as const, id: c.metadata.name, zh: dn?.zh, en: dn?.en };
        }),
      ];
      const hits = search(items, text, limit).map(({ kind, id, tenant, zh, en, matched }) => ({
        kind,
        id,
        ...(tenant ? { tenant } : {}),
        ...(zh ? { zh } : {}),
        ...(en ? { en } : {}),
        matched,
      }));
      return { kind: 'SearchResult', items: hits };
    },
  );
}
