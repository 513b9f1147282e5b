import type { FastifyInstance } from 'fastify';
import { requireApplicationAccess } from '../apps/application-access.ts';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import { componentDemands } from '../apps/render/index.ts';
import { namespaceOf } from '../delivery/namespace.ts';
import { ConflictError, NotAllowedError } from '../kernel/errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { SimCloud } from '../sim/index.ts';
import { SIM_METRICS_CONTENT_TYPE, simMetricsText } from '../sim/index.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import type { MetricsSource } from './metrics-source.ts';

/**
 * `GET …/applications/{app}/metrics`: the golden signals of each component (CPU utilization, requests per second,
 * p99 latency, ready pods, per cluster), read from the metrics source decisions use. `GET /api/v1/sandbox/metrics`:
 * the simulated cloud in Prometheus exposition format, for a Prometheus to scrape (platform readers only: it names
 * every department's pods).
 */
export function registerObserveRoutes(
  app: FastifyInstance,
  deps: {
    resources: ResourceService;
    metrics?: MetricsSource;
    sim?: SimCloud;
    /** The exposition of a simulated cloud another process serves (POLIS_SIM_URL), instead of `sim`'s. */
    simMetricsText?: () => Promise<string>;
  },
): void {
  app.get(
    '/apis/core.oam.dev/v1beta1/tenants/:tenant/applications/:name/metrics',
    { schema: { tags: ['applications'], summary: "An application's golden signals per component and cluster" } },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      requireApplicationAccess(req, 'get', tenant, name);
      const obj = await deps.resources.get('Application', tenant, name);
      if (!deps.metrics) throw new ConflictError('no metrics source: run the sandbox or set POLIS_PROMETHEUS_URL');
      const namespace = namespaceOf(tenant, name, obj.status);
      const components = await Promise.all(
        componentDemands(obj.spec as ApplicationSpec)
          .filter((c) => c.replicas > 0)
          .map(async (c) => ({
            component: c.name,
            signals: (await deps.metrics!.signals({ tenant, app: name, namespace, component: c.name })) ?? null,
          })),
      );
      return { kind: 'ApplicationMetrics', application: name, source: deps.metrics.name, components };
    },
  );

  app.get(
    '/api/v1/sandbox/metrics',
    {
      schema: {
        tags: ['sandbox'],
        summary: 'The simulated cloud in Prometheus exposition format (cAdvisor, kube-state-metrics names)',
      },
    },
    async (req, reply) => {
      const d = authorize(principalOf(req), {
        verb: 'list',
        kind: 'Cluster',
        category: 'infrastructure',
        scope: 'platform',
      });
      // Every department's pods are named in it: platform-wide readers only, not department members.
      if (!d.allowed || principalOf(req).bindings.every((b) => b.tenant !== undefined))
        throw new NotAllowedError('the sandbox metrics name every department’s pods: platform-wide roles only');
      if (deps.sim) return reply.type(SIM_METRICS_CONTENT_TYPE).send(simMetricsText(deps.sim));
      if (deps.simMetricsText) return reply.type(SIM_METRICS_CONTENT_TYPE).send(await deps.simMetricsText());
      throw new ConflictError('the simulated cloud is off (POLIS_SANDBOX=off)');
    },
  );
}
