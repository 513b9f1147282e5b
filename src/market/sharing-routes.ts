import type { FastifyInstance } from 'fastify';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, InputError, NotAllowedError, NotFoundError, codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { MARKET_API_VERSION } from './market-kinds.ts';
import type { APISubscriptionSpec, Decision, SharedAPISpec, Verdict } from './sharing-kinds.ts';
import { VERDICT_PHASE, VERDICTS_FROM } from './sharing-kinds.ts';

const BASE = `/apis/${MARKET_API_VERSION}`;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Data sharing's routes: the owner's decision on a subscription (approve, refuse, revoke), made under the owner's
 * department and authorized as an update of its SharedAPI; and the directory of published APIs, which shows every
 * signed-in user only what a publisher chose to publish (department, name, display name, description).
 */
export function registerSharingRoutes(
  app: FastifyInstance,
  deps: { store: Store; resources: ResourceService; clock: Clock },
): void {
  const { resources } = deps;
  for (const verdict of ['approve', 'refuse', 'revoke'] as const satisfies readonly Verdict[])
    app.post(
      `${BASE}/tenants/:tenant/sharedapis/:name/${verdict}`,
      {
        schema: {
          tags: ['market'],
          summary: `${verdict[0]!.toUpperCase()}${verdict.slice(1)} a department's subscription to this API`,
          body: {
            type: 'object',
            properties: {
              department: { type: 'string' },
              subscription: { type: 'string' },
              comment: { type: 'string', maxLength: 2000 },
            },
          },
        },
      },
      async (req) => {
        const { tenant, name } = req.params as { tenant: string; name: string };
        const ctx = requestContext(req);
        try {
          const p = principalOf(req);
          const d = authorize(p, {
            verb: 'update',
            kind: 'SharedAPI',
            category: 'workload',
            scope: 'tenant',
            tenant,
            name,
          });
          if (!d.allowed) throw new NotAllowedError(d.detail);
          const body = (req.body ?? {}) as { department?: unknown; subscription?: unknown; comment?: unknown };
          for (const field of ['department', 'subscription'] as const)
            if (typeof body[field] !== 'string' || !NAME.test(body[field]))
              throw new InputError(msg('SharingDecisionField', { field }), [
                codedCause(field, msg('SharingDecisionField', { field })),
              ]);
          const department = body.department as string;
          const subscription = body.subscription as string;
          const api = await deps.store.get({ kind: 'SharedAPI', tenant, name });
          if (!api) throw new NotFoundError(msg('SharingNoSuchAPI', { department: tenant, api: name }));
          for (let attempt = 1; ; attempt++) {
            // The subscription must name this API: the owner acts on requests made to it, nothing else.
            const s = await deps.store.get({ kind: 'APISubscription', tenant: department, name: subscription });
            const sspec = s?.spec as APISubscriptionSpec | undefined;
            if (!s || s.metadata.deletionTimestamp || sspec?.department !== tenant || sspec.api !== name)
              throw new NotFoundError(msg('SharingNoSuchSubscription', { subscription, department, api: name }));
            const status = (s.status ?? {}) as { decision?: Decision };
            const from = VERDICTS_FROM[verdict];
            // The phase the last decision leads to (the controller may not have written it yet).
            const phase = status.decision ? VERDICT_PHASE[status.decision.verdict] : undefined;
            if (!from.includes(phase))
              throw new ConflictError(
                msg('SharingDecisionNotAllowed', {
                  phase: phase ?? 'Requested',
                  verdict,
                  from: from.map((f) => f ?? 'Requested').join(', '),
                }),
              );
            const comment = typeof body.comment === 'string' && body.comment.trim() ? body.comment.trim() : undefined;
            const decision: Decision = {
              verdict,
              by: p.user,
              at: deps.clock.now().toISOString(),
              ...(comment ? { comment } : {}),
            };
            try {
              await resources.replaceStatus(ctx, { ...s, status: { ...status, decision } });
            } catch (e) {
              // The controller wrote the subscription meanwhile (its finalizer, its phase): judge again on the new one.
              if (e instanceof ConflictError && attempt < 5) continue;
              throw e;
            }
            return { kind: 'SubscriptionDecision', api: name, department, subscription, decision };
          }
        } catch (e) {
          await resources.recordFailure(ctx, { verb: verdict, kind: 'SharedAPI', name }, e);
          throw e;
        }
      },
    );

  app.get(
    `${BASE}/shared-api-directory`,
    { schema: { tags: ['market'], summary: 'Published inter-department APIs: department, name and description only' } },
    async () => {
      const items: Array<Record<string, unknown>> = [];
      let cont: string | undefined;
      do {
        const page = await deps.store.list({ kind: 'SharedAPI', limit: 1000, continue: cont });
        for (const a of page.items) {
          if (a.metadata.deletionTimestamp) continue;
          const spec = a.spec as SharedAPISpec;
          items.push({
            department: a.metadata.tenant,
            name: a.metadata.name,
            displayName: spec.displayName,
            description: spec.description,
          });
        }
        cont = page.continue;
      } while (cont);
      return { kind: 'SharedAPIDirectory', items };
    },
  );
}
