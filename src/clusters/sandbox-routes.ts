import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { requireApplicationAccess } from '../apps/application-access.ts';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import { componentDemands } from '../apps/render/index.ts';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../kernel/errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { zodCauses } from '../resources/validation.ts';
import type { LoadControl, SimCloud } from '../sim/index.ts';
import { DEFAULT_LOAD_PROFILE, simLoadControl } from '../sim/index.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { namespaceOf } from '../delivery/namespace.ts';

export interface SandboxRouteDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly clock: Clock;
  readonly sim?: SimCloud;
  /**
   * A served simulated cloud's cluster faults (POLIS_SIM_URL), when there is no embedded one: the cluster's state
   * after the fault, or the names of the clusters it has when it has no such one.
   */
  readonly clusterFault?: (name: string, fault: Fault) => Promise<{ state: string } | { missing: readonly string[] }>;
  /** A served simulated cloud's load (POLIS_SIM_URL), when there is no embedded one. */
  readonly load?: LoadControl;
}

const FAULTS = ['fail', 'partition', 'restore'] as const;
export type Fault = (typeof FAULTS)[number];

const loadBody = z
  .object({
    /** Multiplies the component's offered load; 1 is normal, 30 a citizen peak. */
    factor: z.number().min(0).max(1000),
    /** For how long; absent: until changed again. */
    forSeconds: z
      .number()
      .int()
      .positive()
      .max(7 * 86_400)
      .optional(),
    /** Only this component; absent: every component of the application. */
    component: z.string().min(1).optional(),
  })
  .strict();

/** Share of its CPU request a replica uses under the base load a component gets when none was set. */
const BASE_UTILIZATION = 0.3;

/**
 * The sandbox's controls, when the simulated cloud runs: fail (down: unreachable and not serving), partition
 * (unreachable, still serving) and restore a simulated cluster; multiply an application's load. Every action is
 * audited like a write.
 */
export function registerSandboxRoutes(app: FastifyInstance, deps: SandboxRouteDeps): void {
  const audit = async (
    req: FastifyRequest,
    target: { kind: string; tenant?: string; name: string; apiVersion: string },
    verb: string,
    message: string,
  ) =>
    deps.store.transaction((tx) =>
      tx.appendAudit({
        time: deps.clock.now().toISOString(),
        actor: requestContext(req).actor,
        verb,
        apiVersion: target.apiVersion,
        kind: target.kind,
        tenant: target.tenant ?? '',
        name: target.name,
        outcome: 'success',
        code: 200,
        message,
        requestId: requestContext(req).requestId,
        changes: null,
      }),
    );
  const sim = (): SimCloud => {
    if (!deps.sim)
      throw new ConflictError('the simulated cloud is off (POLIS_SANDBOX=off): there is no sandbox to act on');
    return deps.sim;
  };

  for (const fault of FAULTS) {
    app.post(
      `/api/v1/sandbox/clusters/:name/${fault}`,
      {
        schema: {
          tags: ['sandbox'],
          summary:
            fault === 'fail'
              ? 'Fail a simulated cluster: unreachable, and its pods stop serving'
              : fault === 'partition'
                ? 'Partition a simulated cluster: unreachable from polis, its pods keep serving'
                : 'Restore a failed or partitioned simulated cluster',
        },
      },
      async (req) => {
        const { name } = req.params as { name: string };
        try {
          const d = authorize(principalOf(req), {
            verb: 'update',
            kind: 'Cluster',
            category: 'infrastructure',
            scope: 'platform',
            name,
          });
          if (!d.allowed) throw new NotAllowedError(d.detail);
          if (!deps.sim && deps.clusterFault) {
            const done = await deps.clusterFault(name, fault);
            if ('missing' in done)
              throw new NotFoundError(`no simulated cluster ${name}; the sandbox has ${done.missing.join(', ')}`);
            await audit(req, { kind: 'Cluster', name, apiVersion: 'polis.io/v1' }, fault, `sandbox: ${fault}`);
            return { kind: 'SandboxCluster', name, state: done.state };
          }
          const cluster = sim().cluster(name);
          if (!cluster) {
            const names = sim()
              .clusters()
              .map((c) => c.name);
            throw new NotFoundError(`no simulated cluster ${name}; the sandbox has ${names.join(', ')}`);
          }
          applyFault(cluster, fault);
          await audit(req, { kind: 'Cluster', name, apiVersion: 'polis.io/v1' }, fault, `sandbox: ${fault}`);
          return { kind: 'SandboxCluster', name, state: cluster.state };
        } catch (e) {
          await deps.resources.recordFailure(requestContext(req), { verb: fault, kind: 'Cluster', name }, e);
          throw e;
        }
      },
    );
  }

  app.post(
    '/api/v1/sandbox/tenants/:tenant/applications/:name/load',
    {
      schema: {
        tags: ['sandbox'],
        summary: "Multiply a simulated application's load (e.g. factor 30 for a citizen peak), for a while",
        body: z.toJSONSchema(loadBody) as Record<string, unknown>,
      },
    },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      try {
        requireApplicationAccess(req, 'update', tenant, name);
        const load = !deps.sim && deps.load ? deps.load : simLoadControl(sim());
        const parsed = loadBody.safeParse(req.body ?? {});
        if (!parsed.success) throw new InputError('invalid load request', zodCauses(parsed.error), { invalid: true });
        const body = parsed.data;
        const appObj = await deps.resources.get('Application', tenant, name);
        const demands = componentDemands(appObj.spec as ApplicationSpec).filter((c) => c.replicas > 0);
        const chosen = body.component ? demands.filter((c) => c.name === body.component) : demands;
        if (body.component && chosen.length === 0) {
          throw new InputError(`no component ${body.component} with pods in ${name}`, [
            { path: 'component', message: `components: ${demands.map((c) => c.name).join(', ')}` },
          ]);
        }
        const namespace = namespaceOf(tenant, name, appObj.status);
        const until = body.forSeconds ? deps.clock.now().getTime() + body.forSeconds * 1000 : undefined;
        // A component nobody gave a load yet gets a steady base: its replicas at 30% of their CPU request.
        const components = await load.setLoad(
          namespace,
          chosen.map((c) => ({
            component: c.name,
            baseRps: (BASE_UTILIZATION * c.replicas * c.perReplica.cpuMilli) / DEFAULT_LOAD_PROFILE.cpuMilliPerRequest,
          })),
          body.factor,
          until,
        );
        await audit(
          req,
          { kind: 'Application', tenant, name, apiVersion: 'core.oam.dev/v1beta1' },
          'load',
          `sandbox: load ×${body.factor}${body.forSeconds ? ` for ${body.forSeconds}s` : ''}`,
        );
        return {
          kind: 'SandboxLoad',
          application: name,
          factor: body.factor,
          ...(until ? { until: new Date(until).toISOString() } : {}),
          components,
        };
      } catch (e) {
        await deps.resources.recordFailure(requestContext(req), { verb: 'load', kind: 'Application', tenant, name }, e);
        throw e;
      }
    },
  );
}

function applyFault(cluster: { down(): void; partition(): void; restore(): void }, fault: Fault): void {
  if (fault === 'fail') cluster.down();
  else if (fault === 'partition') cluster.partition();
  else cluster.restore();
}
