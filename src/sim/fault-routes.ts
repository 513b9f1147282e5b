import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Store } from '../resources/store.ts';
import { zodCauses } from '../resources/validation.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { FaultTargetError } from './fault-injector.ts';
import {
  FaultScenarioSchema,
  FaultSpecSchema,
  type ActiveFault,
  type FaultScenario,
  type FaultSpec,
} from './fault-spec.ts';
import type { SimCloud } from './sim-cloud.ts';

/**
 * The data bureau's fault controls in the sandbox: `GET|POST|DELETE /api/v1/sandbox/faults`,
 * `DELETE /api/v1/sandbox/faults/{id}`, `POST /api/v1/sandbox/faults/scenario`. Platform-wide roles only (faults
 * name every department's components); every change is audited.
 */
/** The sandbox's faults: the embedded cloud's (SimFaults), or a served cloud's over HTTP (POLIS_SIM_URL). */
export interface FaultControl {
  list(): readonly ActiveFault[] | Promise<readonly ActiveFault[]>;
  /** Throws FaultTargetError when the spec names what the cloud does not have. */
  add(spec: FaultSpec): ActiveFault | Promise<ActiveFault>;
  play(scenario: FaultScenario): number[] | Promise<number[]>;
  clearAll(): number | Promise<number>;
  clear(id: string): boolean | Promise<boolean>;
}

export function registerFaultRoutes(
  app: FastifyInstance,
  deps: { store: Store; clock: Clock; sim?: SimCloud; faults?: FaultControl },
): void {
  const guard = (req: FastifyRequest, verb: 'list' | 'update'): FaultControl => {
    const p = principalOf(req);
    const d = authorize(p, { verb, kind: 'Cluster', category: 'infrastructure', scope: 'platform' });
    if (!d.allowed || p.bindings.every((b) => b.tenant !== undefined))
      throw new NotAllowedError('the sandbox’s faults name every department’s components: platform-wide roles only');
    const control = deps.faults ?? deps.sim?.faults;
    if (!control)
      throw new ConflictError('the simulated cloud is off (POLIS_SANDBOX=off): there is no sandbox to act on');
    return control;
  };
  const audit = (req: FastifyRequest, verb: string, name: string, message: string) =>
    deps.store.transaction((tx) =>
      tx.appendAudit({
        time: deps.clock.now().toISOString(),
        actor: requestContext(req).actor,
        verb,
        apiVersion: 'sim.polis.io/v1',
        kind: 'Fault',
        tenant: '',
        name,
        outcome: 'success',
        code: 200,
        message,
        requestId: requestContext(req).requestId,
        changes: null,
      }),
    );
  const view = (f: ActiveFault) => ({
    id: f.id,
    ...f.spec,
    startedAt: new Date(f.startedAt).toISOString(),
    ...(f.endsAt !== undefined ? { endsAt: new Date(f.endsAt).toISOString() } : {}),
    ...(f.revision !== undefined ? { revision: f.revision } : {}),
  });
  const targetError = (e: unknown, prefix = ''): unknown =>
    e instanceof FaultTargetError
      ? new InputError(msg('SimFaultTargetMissing', { detail: e.message }), [
          { path: `${prefix}${e.path}`, message: e.message },
        ])
      : e;

  app.get(
    '/api/v1/sandbox/faults',
    { schema: { tags: ['sandbox'], summary: 'Faults in force in the sandbox' } },
    async (req) => {
      const sim = guard(req, 'list');
      return { kind: 'FaultList', items: (await sim.list()).map(view) };
    },
  );

  app.post(
    '/api/v1/sandbox/faults',
    {
      schema: {
        tags: ['sandbox'],
        summary: 'Inject a fault: node-down, cluster-partition, crash-loop, latency, errors, cpu-hog, memory-leak, …',
        body: z_json(FaultSpecSchema),
      },
    },
    async (req, reply) => {
      const sim = guard(req, 'update');
      const parsed = FaultSpecSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new InputError('invalid fault', zodCauses(parsed.error), { invalid: true });
      let f: ActiveFault;
      try {
        f = await sim.add(parsed.data);
      } catch (e) {
        throw targetError(e);
      }
      await audit(req, 'create', f.id, `sandbox: fault ${parsed.data.type}`);
      return reply.code(201).send(view(f));
    },
  );

  app.post(
    '/api/v1/sandbox/faults/scenario',
    { schema: { tags: ['sandbox'], summary: 'Play a fault scenario: faults at offsets from now, replayed exactly' } },
    async (req, reply) => {
      const sim = guard(req, 'update');
      const parsed = FaultScenarioSchema.safeParse(req.body ?? {});
      if (!parsed.success) throw new InputError('invalid fault scenario', zodCauses(parsed.error), { invalid: true });
      let starts: number[];
      try {
        starts = await sim.play(parsed.data);
      } catch (e) {
        throw targetError(e);
      }
      await audit(req, 'create', 'scenario', `sandbox: scenario of ${starts.length} fault(s)`);
      return reply
        .code(202)
        .send({ kind: 'FaultScenarioScheduled', starts: starts.map((t) => new Date(t).toISOString()) });
    },
  );

  app.delete('/api/v1/sandbox/faults', { schema: { tags: ['sandbox'], summary: 'Clear every fault' } }, async (req) => {
    const sim = guard(req, 'update');
    const cleared = await sim.clearAll();
    await audit(req, 'delete', 'all', `sandbox: ${cleared} fault(s) cleared`);
    return { kind: 'FaultsCleared', cleared };
  });

  app.delete(
    '/api/v1/sandbox/faults/:id',
    { schema: { tags: ['sandbox'], summary: 'Clear one fault' } },
    async (req) => {
      const { id } = req.params as { id: string };
      const sim = guard(req, 'update');
      if (!(await sim.clear(id))) throw new NotFoundError(msg('SimFaultNotFound', { id }));
      await audit(req, 'delete', id, 'sandbox: fault cleared');
      return { kind: 'FaultsCleared', cleared: 1 };
    },
  );
}

/** The body's JSON Schema for the OpenAPI document (validation is the zod schema's, with paths in errors). */
function z_json(schema: typeof FaultSpecSchema): Record<string, unknown> {
  return { type: 'object', description: `one of: ${schema.options.map((o) => o.shape.type.value).join(', ')}` };
}
