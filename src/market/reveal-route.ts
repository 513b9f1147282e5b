import type { FastifyInstance } from 'fastify';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, NotAllowedError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { authorize, canReadSecretValues } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { bindingSecretName } from './binding-secret.ts';
import { MARKET_API_VERSION } from './market-kinds.ts';
import { secretValue, secretData } from './market-writes.ts';

const BASE = `/apis/${MARKET_API_VERSION}`;

/**
 * Reveals a binding's credentials (the values of its Secret `binding-<name>`), for a person who must hand them to
 * someone or check them by hand. Only who may read the binding and secret values in its department
 * (tenant-admin, tenant-member, developer; the data bureau), and every reveal is in the audit log (verb `reveal`,
 * the keys shown, never the values); a refusal is recorded as refused. The same rights as reading the Secret, but
 * the console asks here so that reading a credential is never silent.
 */
export function registerRevealRoute(
  app: FastifyInstance,
  deps: { store: Store; resources: ResourceService; clock: Clock },
): void {
  app.post(
    `${BASE}/tenants/:tenant/servicebindings/:name/reveal`,
    {
      schema: {
        tags: ['market'],
        summary: "Reveal a binding's credentials (audited)",
      },
    },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      const ctx = requestContext(req);
      try {
        const p = principalOf(req);
        const d = authorize(p, {
          verb: 'get',
          kind: 'ServiceBinding',
          category: 'workload',
          scope: 'tenant',
          tenant,
          name,
        });
        if (!d.allowed || !canReadSecretValues(p, tenant))
          throw new NotAllowedError(msg('MarketRevealNotAllowed', { user: p.user, department: tenant }));
        const binding = await deps.resources.get('ServiceBinding', tenant, name);
        const phase = (binding.status as { phase?: string } | undefined)?.phase ?? 'Pending';
        const secretName = bindingSecretName(name);
        const secret =
          phase === 'Ready' ? await deps.store.get({ kind: 'Secret', tenant, name: secretName }) : undefined;
        if (!secret) throw new ConflictError(msg('MarketRevealNotReady', { binding: name, phase }));
        const decoded = await deps.resources.get('Secret', tenant, secretName);
        const keys = Object.keys(secretData(decoded)).sort();
        const values = Object.fromEntries(keys.map((k) => [k, secretValue(decoded, k) ?? '']));
        await deps.store.transaction((tx) =>
          tx.appendAudit({
            time: deps.clock.now().toISOString(),
            actor: ctx.actor,
            verb: 'reveal',
            apiVersion: MARKET_API_VERSION,
            kind: 'ServiceBinding',
            tenant,
            name,
            outcome: 'success',
            code: 200,
            message: `revealed the credentials of binding ${name} (secret ${secretName}: ${keys.join(', ')})`,
            requestId: ctx.requestId,
            changes: { reveal: { secret: secretName, keys } },
          }),
        );
        return { kind: 'BindingCredentials', binding: name, secret: secretName, values };
      } catch (e) {
        await deps.resources.recordFailure(ctx, { verb: 'reveal', kind: 'ServiceBinding', tenant, name }, e);
        throw e;
      }
    },
  );
}
