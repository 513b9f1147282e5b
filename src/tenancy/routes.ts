import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError, NotAllowedError } from '../kernel/errors.ts';
import type { Query } from '../kernel/query-params.ts';
import { stringParam } from '../kernel/query-params.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { zodCauses } from '../resources/validation.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { authorize } from './authorization.ts';
import type { Principal } from './roles.ts';
import { bindingProblem } from './roles.ts';
import { tokenKind } from './kinds.ts';
import { principalOf, requestContext } from './request-principal.ts';
import type { TokenService } from './token-service.ts';
import { TOKEN_USER_LABEL, tokenUserLabel } from './token-service.ts';

export interface TenancyRouteDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly tokens: TokenService;
}

const issueBody = z
  .object({
    user: z.string().min(1).optional(),
    description: z.string().max(200).optional(),
    ttlSeconds: z
      .number()
      .int()
      .positive()
      .max(10 * 365 * 86_400)
      .optional(),
  })
  .strict();

/** Tokens and the caller's identity (the audit log's routes are in audit/routes.ts). */
export function registerTenancyRoutes(app: FastifyInstance, deps: TenancyRouteDeps): void {
  const tokenAttrs = (verb: 'create' | 'list' | 'delete', name?: string) => ({
    verb,
    kind: 'Token',
    category: tokenKind.category,
    scope: 'platform' as const,
    name,
  });

  /**
   * The users a department admin manages tokens for: everyone bound (by a RoleBinding) in a department where the
   * caller is tenant-admin. Empty for everyone else.
   */
  const membersManagedBy = async (p: Principal): Promise<Set<string>> => {
    const tenants = [
      ...new Set(
        p.bindings.flatMap((b) =>
          b.role === 'tenant-admin' && b.tenant && bindingProblem(b) === undefined ? [b.tenant] : [],
        ),
      ),
    ];
    if (tenants.length === 0) return new Set();
    const page = await deps.store.list({ kind: 'RoleBinding', tenants });
    return new Set(page.items.map((b) => (b.spec as { user: string }).user));
  };
  const notMember = (user: string) =>
    new NotAllowedError(msg('TokenUserNotMember', { user }), [codedCause('user', msg('TokenUserNotMember', { user }))]);

  app.get(
    '/api/v1/whoami',
    { schema: { tags: ['access'], summary: 'The caller: user name, how it logged in, its role bindings' } },
    async (req) => {
      const p = principalOf(req);
      return { kind: 'WhoAmI', user: p.user, via: req.identity?.via, bindings: p.bindings };
    },
  );

  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['access'],
        summary: 'Issue an API token (the secret is returned once)',
        body: z.toJSONSchema(issueBody) as Record<string, unknown>,
      },
    },
    async (req: FastifyRequest, reply) => {
      const ctx = requestContext(req);
      try {
        const p = principalOf(req);
        const parsed = issueBody.safeParse(req.body ?? {});
        if (!parsed.success) throw new InputError('invalid token request', zodCauses(parsed.error), { invalid: true });
        const user = parsed.data.user ?? p.user;
        // Others' tokens: a platform-admin for anyone, a department admin for its departments' members.
        if (user !== p.user && !authorize(p, tokenAttrs('create')).allowed) {
          if (!(await membersManagedBy(p)).has(user)) throw notMember(user);
        }
        const issued = await deps.tokens.issue(ctx, {
          user,
          description: parsed.data.description,
          ttlSeconds: parsed.data.ttlSeconds,
        });
        const spec = issued.object.spec as { user: string; expiresAt?: string; description?: string };
        return reply.code(201).send({
          kind: 'IssuedToken',
          id: issued.object.metadata.name,
          user: spec.user,
          expiresAt: spec.expiresAt ?? null,
          description: spec.description ?? null,
          token: issued.token,
          note: 'store this token now: it is shown only once',
        });
      } catch (e) {
        await deps.resources.recordFailure(ctx, { verb: 'create', kind: 'Token' }, e);
        throw e;
      }
    },
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['access'],
        summary:
          "Your tokens (platform admins and auditors: ?user=NAME or everyone; department admins: also their members')",
      },
    },
    async (req) => {
      const p = principalOf(req);
      const q = req.query as Query;
      const seesAll = authorize(p, tokenAttrs('list')).allowed;
      const asked = stringParam(q, 'user');
      if (!seesAll) {
        const members = await membersManagedBy(p);
        if (asked !== undefined && asked !== p.user && !members.has(asked)) throw notMember(asked);
        if (asked === undefined && members.size > 0) {
          const page = await deps.resources.list({ kind: 'Token' });
          const items = page.items.filter((t) => {
            const u = (t.spec as { user: string }).user;
            return u === p.user || members.has(u);
          });
          return { kind: 'TokenList', items };
        }
      }
      const user = seesAll ? asked : (asked ?? p.user);
      // The label narrows the read to the user's tokens; the exact spec.user check follows (the label is lossy).
      // resources.list already leaves out each Token's secretHash.
      const page = await deps.resources.list({
        kind: 'Token',
        labelSelector:
          user === undefined ? undefined : [{ op: 'eq', key: TOKEN_USER_LABEL, value: tokenUserLabel(user) }],
      });
      const items = page.items.filter((t) => user === undefined || (t.spec as { user: string }).user === user);
      return { kind: 'TokenList', items };
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['access'],
        summary: "Revoke a token (yours, your department's members' as its admin, or any as platform admin)",
      },
    },
    async (req) => {
      const ctx = requestContext(req);
      const { id } = req.params as { id: string };
      try {
        const p = principalOf(req);
        if (!authorize(p, tokenAttrs('delete', id)).allowed) {
          const t = await deps.store.get({ kind: 'Token', tenant: '', name: id });
          // Not revealing whether someone else's token exists: the same answer as for a missing one.
          const owner = t ? (t.spec as { user: string }).user : undefined;
          if (!owner || (owner !== p.user && !(await membersManagedBy(p)).has(owner)))
            throw new NotAllowedError(msg('TokenNotYours', { user: p.user, id }));
        }
        const last = await deps.tokens.revoke(ctx, id);
        return { kind: 'RevokedToken', id, user: (last.spec as { user: string }).user };
      } catch (e) {
        await deps.resources.recordFailure(ctx, { verb: 'delete', kind: 'Token', name: id }, e);
        throw e;
      }
    },
  );
}
