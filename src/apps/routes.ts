import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { codedCause, ConflictError, InputError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Query } from '../kernel/query-params.ts';
import { boolParam, intParam } from '../kernel/query-params.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { zodCauses } from '../resources/validation.ts';
import type { Verb } from '../tenancy/authorization.ts';
import { requestContext } from '../tenancy/request-principal.ts';
import { requireApplicationAccess } from './application-access.ts';
import { APPROVALS_ANNOTATION, parseApprovals } from './approvals.ts';
import type { RevisionSpec } from './revisions.ts';
import { ROLLBACK_ANNOTATION, revisionDiff, revisionName, revisionsOf, rollbackMark } from './revisions.ts';

export interface AppRouteDeps {
  readonly store: Store;
  readonly resources: ResourceService;
}

const BASE = '/apis/core.oam.dev/v1beta1/tenants/:tenant/applications/:name';

const rollbackBody = z.object({ revision: z.number().int().positive() }).strict();
const resumeBody = z.object({ step: z.string().min(1).optional() }).strict();

interface Params {
  tenant: string;
  name: string;
}

/** Revision history, diff, rollback and workflow resume of one application. */
export function registerApplicationRoutes(app: FastifyInstance, deps: AppRouteDeps): void {
  const guard = async (req: FastifyRequest, verb: Verb, action: string, fn: () => Promise<unknown>) => {
    const { tenant, name } = req.params as Params;
    try {
      requireApplicationAccess(req, verb, tenant, name);
      return await fn();
    } catch (e) {
      if (verb !== 'get')
        await deps.resources.recordFailure(requestContext(req), { verb: action, kind: 'Application', tenant, name }, e);
      throw e;
    }
  };
  const history = async (tenant: string, name: string) => {
    const appObj = await deps.resources.get('Application', tenant, name);
    const revisions = await revisionsOf({ listAll: (kinds, t) => listAll(deps.store, kinds[0]!, t) }, tenant, name);
    return {
      appObj,
      revisions: revisions.filter((r) => (r.spec as RevisionSpec).applicationUid === appObj.metadata.uid),
    };
  };

  app.get(
    `${BASE}/revisions`,
    { schema: { tags: ['applications'], summary: "An application's kept revisions, oldest first" } },
    async (req) =>
      guard(req, 'get', 'get', async () => {
        const { tenant, name } = req.params as Params;
        const { appObj, revisions } = await history(tenant, name);
        return {
          kind: 'RevisionHistory',
          application: name,
          current: appObj.metadata.generation,
          items: revisions.map((r) => {
            const s = r.spec as RevisionSpec;
            return {
              revision: s.revision,
              name: r.metadata.name,
              created: r.metadata.creationTimestamp,
              current: s.revision === appObj.metadata.generation,
              ...(s.rollbackOf ? { rollbackOf: s.rollbackOf } : {}),
              ...(s.changeCause ? { changeCause: s.changeCause } : {}),
            };
          }),
        };
      }),
  );

  app.get(
    `${BASE}/diff`,
    {
      schema: {
        tags: ['applications'],
        summary: 'A unified diff between two revisions (default: the previous and the current)',
        querystring: {
          type: 'object',
          properties: { from: { type: 'integer' }, to: { type: 'integer' } },
        },
      },
    },
    async (req) =>
      guard(req, 'get', 'get', async () => {
        const { tenant, name } = req.params as Params;
        const q = req.query as Query;
        const { appObj, revisions } = await history(tenant, name);
        const to = intParam(q, 'to', 1, Number.MAX_SAFE_INTEGER) ?? appObj.metadata.generation;
        const kept = revisions.map((r) => (r.spec as RevisionSpec).revision);
        const from = intParam(q, 'from', 1, Number.MAX_SAFE_INTEGER) ?? [...kept].reverse().find((n) => n < to) ?? to;
        const pick = (n: number, field: string) => {
          const r = revisions.find((x) => (x.spec as RevisionSpec).revision === n);
          if (!r)
            throw new InputError(msg('RevisionNotKept', { revision: n, application: name }), [
              codedCause(`query.${field}`, msg('RevisionsKept', { revisions: kept.join(', ') || 'none' })),
            ]);
          return r;
        };
        const a = pick(from, 'from');
        const b = pick(to, 'to');
        return { kind: 'RevisionDiff', application: name, from, to, diff: revisionDiff(a, b) };
      }),
  );

  app.post(
    `${BASE}/rollback`,
    {
      schema: {
        tags: ['applications'],
        summary: "Roll back: the application takes a kept revision's spec (a new revision records it)",
        body: z.toJSONSchema(rollbackBody) as Record<string, unknown>,
      },
    },
    async (req) =>
      guard(req, 'update', 'rollback', async () => {
        const { tenant, name } = req.params as Params;
        const body = rollbackBody.safeParse(req.body ?? {});
        if (!body.success) throw new InputError('invalid rollback request', zodCauses(body.error), { invalid: true });
        const { appObj, revisions } = await history(tenant, name);
        const target = revisions.find((r) => (r.spec as RevisionSpec).revision === body.data.revision);
        if (!target) {
          throw new InputError(msg('RevisionNotKept', { revision: body.data.revision, application: name }), [
            codedCause(
              'revision',
              msg('RevisionsKept', { revisions: revisions.map((r) => (r.spec as RevisionSpec).revision).join(', ') }),
            ),
          ]);
        }
        const spec = (target.spec as RevisionSpec).application.spec;
        if (JSON.stringify(spec) === JSON.stringify(appObj.spec)) {
          throw new ConflictError(
            msg('AlreadyAtRevision', {
              application: name,
              revision: body.data.revision,
              current: appObj.metadata.generation,
            }),
          );
        }
        const next = {
          apiVersion: appObj.apiVersion,
          kind: appObj.kind,
          metadata: {
            ...appObj.metadata,
            annotations: {
              ...appObj.metadata.annotations,
              [ROLLBACK_ANNOTATION]: rollbackMark(body.data.revision, appObj.metadata.generation + 1),
            },
          },
          spec,
        };
        const updated = await deps.resources.replace(
          requestContext(req),
          next,
          {},
          { dryRun: dryRun(req), auditVerb: 'rollback' },
        );
        return { kind: 'RollbackResult', revision: revisionName(name, updated.metadata.generation), object: updated };
      }),
  );

  app.post(
    `${BASE}/resume`,
    {
      schema: {
        tags: ['applications'],
        summary: 'Approve the workflow suspend step the application waits at (or the named step)',
        body: z.toJSONSchema(resumeBody) as Record<string, unknown>,
      },
    },
    async (req) =>
      guard(req, 'update', 'resume', async () => {
        const { tenant, name } = req.params as Params;
        const body = resumeBody.safeParse(req.body ?? {});
        if (!body.success) throw new InputError('invalid resume request', zodCauses(body.error), { invalid: true });
        const appObj = await deps.resources.get('Application', tenant, name);
        const step = body.data.step ?? waitingStep(appObj);
        const steps = ((appObj.spec as { workflow?: { steps?: { name: string; type: string }[] } }).workflow?.steps ??
          []) as { name: string; type: string }[];
        const all = steps.flatMap((s) => [s, ...((s as { subSteps?: typeof steps }).subSteps ?? [])]);
        const suspends = all.filter((s) => s.type === 'suspend').map((s) => s.name);
        if (!step || !suspends.includes(step)) {
          throw new InputError(step ? `no suspend step "${step}" in ${name}` : `${name} is not waiting at a step`, [
            { path: 'step', message: `suspend steps: ${suspends.join(', ') || 'none'}` },
          ]);
        }
        const approvals = parseApprovals(appObj.metadata.annotations?.[APPROVALS_ANNOTATION]);
        approvals[step] = appObj.metadata.generation;
        const updated = await deps.resources.patch(
          requestContext(req),
          { kind: 'Application', tenant, name },
          {
            metadata: {
              resourceVersion: appObj.metadata.resourceVersion,
              annotations: { [APPROVALS_ANNOTATION]: JSON.stringify(approvals) },
            },
          },
          { dryRun: dryRun(req), auditVerb: 'resume' },
        );
        return { kind: 'ResumeResult', step, generation: updated.metadata.generation, object: updated };
      }),
  );
}

function dryRun(req: FastifyRequest): boolean {
  return boolParam(req.query as Query, 'dryRun');
}

function waitingStep(appObj: StoredObject): string | undefined {
  const steps = (appObj.status as { workflow?: { steps?: { name: string; phase: string }[] } } | undefined)?.workflow
    ?.steps;
  return steps?.find((s) => s.phase === 'suspending')?.name;
}

async function listAll(store: Store, kind: string, tenant: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list({ kind, tenant, limit: 1000, continue: cont });
    out.push(...page.items);
    cont = page.continue;
  } while (cont);
  return out;
}
