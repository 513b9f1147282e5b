import type { FastifyRequest } from 'fastify';
import { AuthenticationError } from '../kernel/errors.ts';
import type { RequestContext } from '../resources/audit-records.ts';
import type { Principal } from './authorization.ts';
import type { Identity } from './identity.ts';
import { msg } from '../kernel/messages/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authentication hook on every route that is not public. */
    principal?: Principal;
    identity?: Identity;
  }
}

/** The authenticated principal of a request (routes behind the authentication hook always have one). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AuthenticationError(msg('RouteNeedsToken'));
  return request.principal;
}

/** Audit and admission context of a request, with the scope where the caller holds roles. */
export function requestContext(request: FastifyRequest): RequestContext {
  const bindings = request.principal?.bindings ?? [];
  const dryRun = (request.query as Record<string, unknown> | undefined)?.dryRun;
  return {
    actor: request.principal?.user ?? 'anonymous',
    requestId: String(request.id),
    ...(dryRun === 'All' || dryRun === 'true' || dryRun === '1' ? { dryRun: true } : {}),
    scope: {
      platform: bindings.some((b) => b.tenant === undefined),
      tenants: [...new Set(bindings.flatMap((b) => (b.tenant === undefined ? [] : [b.tenant])))].sort(),
    },
  };
}
