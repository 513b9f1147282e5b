import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireApplicationAccess } from '../apps/application-access.ts';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import { revisionName } from '../apps/revisions.ts';
import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import { bodyDocument } from '../kernel/body-documents.ts';
import { InputError } from '../kernel/errors.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { parseObject } from '../resources/object-input.ts';
import type { ResourceService } from '../resources/service.ts';
import type { AppStatus } from './app-status.ts';
import { planDelivery } from './desired-state.ts';
import type { NamespaceQuota } from './namespace.ts';
import { ownerOf } from './namespace.ts';
import { deploySteps } from './workflow.ts';

export interface DeliveryRouteDeps {
  readonly resources: ResourceService;
  readonly clusters: ClusterDirectory;
}

/**
 * `POST /api/v1/tenants/{tenant}/render`: what an application would become, per cluster, without applying it.
 * `GET …/applications/{name}/manifests`: the plain Kubernetes manifests of a stored application (export).
 */
export function registerDeliveryRoutes(app: FastifyInstance, deps: DeliveryRouteDeps): void {
  const allow = (req: FastifyRequest, tenant: string, name?: string) =>
    requireApplicationAccess(req, 'get', tenant, name);
  const plan = async (
    tenant: string,
    name: string,
    spec: ApplicationSpec,
    generation: number,
    current: AppStatus | undefined,
    declaredNamespace: string | undefined,
  ) => {
    const department = await deps.resources.get('Tenant', '', tenant).catch(() => undefined);
    const result = planDelivery({
      quota: (department?.spec as { quota?: NamespaceQuota } | undefined)?.quota,
      owner: ownerOf(tenant, name, current),
      spec,
      revision: revisionName(name, generation),
      candidates: deps.clusters.candidates(),
      current: current?.placement ?? {},
      steps: deploySteps(spec),
      ...(declaredNamespace !== undefined ? { declaredNamespace } : {}),
    });
    if (!result.ok) throw new InputError(`${name} cannot be rendered`, [...result.errors], { invalid: true });
    return {
      placement: result.placement,
      clusters: result.clusters.map((c) => ({ cluster: c.cluster, manifests: c.manifests })),
    };
  };

  app.post(
    '/api/v1/tenants/:tenant/render',
    {
      schema: {
        tags: ['applications'],
        summary: 'Place and render an application without applying it: manifests per cluster',
        body: { description: 'one Application as YAML or JSON' },
      },
    },
    async (req) => {
      const { tenant } = req.params as { tenant: string };
      allow(req, tenant);
      const { obj } = parseObject(deps.resources.registry, bodyDocument(req.body), {
        kind: 'Application',
        tenant,
      });
      const name = obj.metadata.name;
      let existing: StoredObject | undefined;
      try {
        existing = await deps.resources.get('Application', tenant, name);
      } catch {
        existing = undefined;
      }
      const generation = existing ? existing.metadata.generation + 1 : 1;
      return {
        kind: 'RenderResult',
        application: name,
        ...(await plan(
          tenant,
          name,
          obj.spec as ApplicationSpec,
          generation,
          existing?.status as AppStatus | undefined,
          obj.metadata.namespace,
        )),
      };
    },
  );

  app.get(
    '/apis/core.oam.dev/v1beta1/tenants/:tenant/applications/:name/manifests',
    {
      schema: {
        tags: ['applications'],
        summary: "The application's plain Kubernetes manifests per cluster (export: no lock-in)",
      },
    },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      allow(req, tenant, name);
      const obj = await deps.resources.get('Application', tenant, name);
      return {
        kind: 'ExportResult',
        application: name,
        revision: revisionName(name, obj.metadata.generation),
        ...(await plan(
          tenant,
          name,
          obj.spec as ApplicationSpec,
          obj.metadata.generation,
          obj.status as AppStatus,
          obj.metadata.namespace,
        )),
      };
    },
  );
}
