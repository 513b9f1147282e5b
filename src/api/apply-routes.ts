import type { FastifyInstance, FastifyRequest } from 'fastify';
import { codedCause, NotAllowedError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { ResourceObject } from '../resources/envelope.ts';
import { keyOf } from '../resources/envelope.ts';
import type { KindDefinition } from '../resources/registry.ts';
import { withoutSensitive } from '../resources/sensitive.ts';
import type { ResourceService } from '../resources/service.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { bodyDocuments } from './bodies.ts';
import type { Query } from '../kernel/query-params.ts';
import { boolParam } from '../kernel/query-params.ts';

/**
 * POST /api/v1/apply and /api/v1/tenants/{tenant}/apply: create or update every document of a YAML or JSON body
 * in one transaction (all or nothing). The caller needs create and update rights on every object it names.
 */
export function registerApplyRoutes(app: FastifyInstance, deps: { resources: ResourceService }): void {
  const schema = {
    tags: ['apply'],
    summary: 'Create or update many objects from YAML or JSON, all or nothing',
    querystring: { type: 'object', properties: { dryRun: { type: 'string', enum: ['All', 'true'] } } },
    body: { description: 'multi-document YAML, a JSON object, a JSON array, or a List with items' },
  };
  const handler = async (req: FastifyRequest) => {
    const tenant = (req.params as { tenant?: string }).tenant;
    const ctx = requestContext(req);
    let names: string[] = [];
    try {
      const principal = principalOf(req);
      // Every object is authorized, after the service has parsed it and before anything is written.
      const check = (def: KindDefinition, obj: ResourceObject, i: number): void => {
        const key = keyOf(obj);
        names.push(`${def.kind}/${key.tenant ? `${key.tenant}/` : ''}${key.name}`);
        for (const verb of ['create', 'update'] as const) {
          const d = authorize(principal, {
            verb,
            kind: def.kind,
            category: def.category,
            scope: def.scope,
            tenant: def.scope === 'tenant' ? key.tenant : undefined,
            name: key.name,
          });
          if (!d.allowed)
            throw new NotAllowedError(msg('AccessDocument', { index: i, detail: d.detail }), [
              codedCause(`documents[${i}]`, d.detail),
            ]);
        }
        if (!def.verbs.includes('create') || !def.verbs.includes('update')) {
          throw new NotAllowedError(`documents[${i}]: ${def.kind} cannot be applied; use its own API`, [
            { path: `documents[${i}].kind`, message: `${def.kind} is created through its own route` },
          ]);
        }
      };
      const results = await deps.resources.apply(ctx, bodyDocuments(req.body), {
        tenant,
        dryRun: boolParam(req.query as Query, 'dryRun'),
        check,
      });
      return {
        kind: 'ApplyResult',
        dryRun: boolParam(req.query as Query, 'dryRun'),
        items: results.map((r) => {
          const def = deps.resources.registry.get(r.object.kind)!;
          return { action: r.action, object: withoutSensitive(r.object, def.sensitiveFields) };
        }),
      };
    } catch (e) {
      // Refused before every document was checked: name what the documents say they are, as far as they read.
      if (names.length === 0) names = namedIn(req.body, tenant);
      if (names.length === 0) names = ['(unparsed)'];
      await deps.resources.recordFailure(
        ctx,
        { verb: 'apply', kind: 'List', tenant, name: names.join(',').slice(0, 500), apiVersion: 'v1' },
        e,
      );
      throw e;
    }
  };
  app.post('/api/v1/apply', { schema }, handler);
  app.post('/api/v1/tenants/:tenant/apply', { schema }, handler);
}

/** `Kind/tenant/name` of each document that names its kind, read leniently (the body may be invalid). */
function namedIn(body: unknown, tenant: string | undefined): string[] {
  let docs: unknown[];
  try {
    docs = bodyDocuments(body);
  } catch {
    return [];
  }
  return docs.flatMap((d) => {
    const doc = d as { kind?: unknown; metadata?: { name?: unknown; tenant?: unknown } } | null;
    if (typeof doc?.kind !== 'string' || doc.kind === '') return [];
    const name = typeof doc.metadata?.name === 'string' ? doc.metadata.name : '';
    const t = typeof doc.metadata?.tenant === 'string' ? doc.metadata.tenant : (tenant ?? '');
    return [`${doc.kind}/${t ? `${t}/` : ''}${name}`.slice(0, 200)];
  });
}
