import type { FastifyRequest } from 'fastify';
import { NotAllowedError } from '../kernel/errors.ts';
import type { Verb } from '../tenancy/authorization.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import { applicationKind } from './application-kind.ts';

/**
 * For routes about a department's applications beyond the generic kind routes (revisions, render, metrics, sandbox
 * load …): throws NotAllowedError, with the roles that would allow it, unless the caller may `verb` the
 * application `name` of `tenant` (or the department's applications, without a name).
 */
export function requireApplicationAccess(req: FastifyRequest, verb: Verb, tenant: string, name?: string): void {
  const d = authorize(principalOf(req), {
    verb,
    kind: 'Application',
    category: applicationKind.category,
    scope: 'tenant',
    tenant,
    name,
  });
  if (!d.allowed) throw new NotAllowedError(d.detail);
}
