import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InputError, NotAllowedError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Query } from '../kernel/query-params.ts';
import { boolParam } from '../kernel/query-params.ts';
import type { ResourceService } from '../resources/service.ts';
import { zodCauses } from '../resources/validation.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { clusterSpecSchema, plainName } from './cluster-kind.ts';
import { parseKubeconfig } from './drivers/kubernetes/kubeconfig.ts';

/** What registration takes: the Cluster's placement fields (as the kind checks them), the name and the kubeconfig. */
export const registrationBody = clusterSpecSchema
  .pick({ vendor: true, region: true, zone: true, networkZone: true, role: true, prices: true, displayName: true })
  .extend({
    name: plainName,
    /** The kubeconfig file's text. */
    kubeconfig: z
      .string()
      .min(1)
      .max(256 * 1024),
    context: z.string().min(1).optional(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export type Registration = z.infer<typeof registrationBody>;

/** The PlatformSecret that holds a cluster's kubeconfig. */
export function kubeconfigSecretName(cluster: string): string {
  return `kubeconfig-${cluster}`;
}

/**
 * `POST /api/v1/clusters`: register a Kubernetes cluster by kubeconfig. The kubeconfig (reduced to the chosen
 * context) is kept as an encrypted PlatformSecret and the Cluster points at it; both are written in one
 * transaction, or neither.
 */
export function registerClusterRoutes(app: FastifyInstance, deps: { resources: ResourceService }): void {
  app.post(
    '/api/v1/clusters',
    {
      schema: {
        tags: ['clusters'],
        summary: 'Register a Kubernetes cluster by kubeconfig (token, client certificate or basic credentials)',
        body: z.toJSONSchema(registrationBody) as Record<string, unknown>,
        querystring: { type: 'object', properties: { dryRun: { type: 'string', enum: ['All', 'true'] } } },
      },
    },
    async (req: FastifyRequest) => {
      const ctx = requestContext(req);
      const name = (req.body as { name?: unknown } | undefined)?.name;
      try {
        const principal = principalOf(req);
        for (const [kind, category] of [
          ['Cluster', 'infrastructure'],
          ['PlatformSecret', 'secret'],
        ] as const) {
          const d = authorize(principal, { verb: 'create', kind, category, scope: 'platform' });
          if (!d.allowed) throw new NotAllowedError(d.detail);
        }
        const parsed = registrationBody.safeParse(req.body ?? {});
        if (!parsed.success)
          throw new InputError('invalid cluster registration', zodCauses(parsed.error), { invalid: true });
        const r = parsed.data;
        const kc = parseKubeconfig(r.kubeconfig, r.context);
        if (!kc.ok) {
          const first = kc.errors[0]!;
          throw new InputError(
            msg('KubeconfigUnusable', {
              detail: first.code
                ? { code: first.code, message: first.message, ...(first.params ? { params: first.params } : {}) }
                : first.message,
            }),
            kc.errors.map((e) => ({ ...e, path: `kubeconfig${e.path ? `.${e.path}` : ''}` })),
            { invalid: true },
          );
        }
        const secret = kubeconfigSecretName(r.name);
        const results = await deps.resources.apply(
          ctx,
          [
            {
              apiVersion: 'polis.io/v1',
              kind: 'PlatformSecret',
              metadata: { name: secret, labels: { 'polis.io/cluster': r.name } },
              type: 'polis.io/kubeconfig',
              stringData: { kubeconfig: kc.kubeconfig },
            },
            {
              apiVersion: 'polis.io/v1',
              kind: 'Cluster',
              metadata: { name: r.name, labels: r.labels ?? {} },
              spec: {
                provider: 'kubernetes',
                vendor: r.vendor,
                region: r.region,
                zone: r.zone,
                networkZone: r.networkZone,
                role: r.role,
                kubeconfigSecret: secret,
                ...(r.prices ? { prices: r.prices } : {}),
                ...(r.displayName ? { displayName: r.displayName } : {}),
              },
            },
          ],
          { dryRun: boolParam(req.query as Query, 'dryRun') },
        );
        return {
          kind: 'ClusterRegistration',
          cluster: results[1]!.object,
          secret,
          server: kc.server,
          context: kc.context,
          auth: kc.auth,
        };
      } catch (e) {
        await deps.resources.recordFailure(
          ctx,
          { verb: 'register', kind: 'Cluster', name: typeof name === 'string' ? name : undefined },
          e,
        );
        throw e;
      }
    },
  );
}
