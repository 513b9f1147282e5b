import { assessmentSettings } from '../operations/assessment/assessment-policy.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, InputError, NotAllowedError, NotFoundError, codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { itemStateOf, phaseOf } from './market-admission.ts';
import type { CatalogItemSpec, CatalogItemVersionSpec, ItemState, MarketPolicySpec } from './market-kinds.ts';
import { ITEM_STATES, MARKET_API_VERSION, MARKET_POLICY_NAME } from './market-kinds.ts';
import { automaticChecks } from './review.ts';
import { registerRevealRoute } from './reveal-route.ts';
import { compareVersions } from './semver.ts';
import { registerCopyRoutes } from './copy-routes.ts';
import type { CallSource } from './sharing-calls.ts';
import { registerSharingCallRoutes } from './sharing-calls.ts';
import { registerSharingRoutes } from './sharing-routes.ts';
import { registerUsageRoute } from './usage-route.ts';

const BASE = `/apis/${MARKET_API_VERSION}`;

interface VersionStatus {
  readonly phase?: string;
  readonly submittedBy?: string;
}

/**
 * The marketplace's own routes: review (submit, approve, reject), an item's lifecycle (deprecate, suspend), and the
 * released catalog every signed-in user may read. Instances and bindings are plain kinds (generic routes).
 */
export function registerMarketRoutes(
  app: FastifyInstance,
  deps: { store: Store; resources: ResourceService; clock: Clock; calls?: CallSource },
): void {
  const { resources } = deps;
  registerSharingRoutes(app, deps);
  registerRevealRoute(app, deps);
  registerUsageRoute(app, deps);
  registerSharingCallRoutes(app, deps);
  registerCopyRoutes(app, deps);

  /** Runs a review action; a refusal is written to the audit log as the generic routes do. */
  const guarded = async <T>(req: FastifyRequest, verb: string, kind: string, name: string, fn: () => Promise<T>) => {
    try {
      return await fn();
    } catch (e) {
      await resources.recordFailure(requestContext(req), { verb, kind, name }, e);
      throw e;
    }
  };

  const platformGet = async (kind: string, name: string): Promise<StoredObject> => resources.get(kind, '', name);

  app.post(
    `${BASE}/catalogitemversions/:name/submit`,
    { schema: { tags: ['market'], summary: 'Submit a draft version for review (runs the automatic checks)' } },
    async (req) => {
      const { name } = req.params as { name: string };
      return guarded(req, 'submit', 'CatalogItemVersion', name, async () => {
        const p = principalOf(req);
        const d = authorize(p, {
          verb: 'update',
          kind: 'CatalogItemVersion',
          category: 'publishing',
          scope: 'platform',
          name,
        });
        if (!d.allowed) throw new NotAllowedError(d.detail);
        const version = await platformGet('CatalogItemVersion', name);
        const phase = phaseOf(version);
        if (phase !== 'Draft' && phase !== 'Rejected')
          throw new ConflictError(msg('MarketSubmitNotDraft', { version: name, phase }));
        const vspec = version.spec as CatalogItemVersionSpec;
        const item = await platformGet('CatalogItem', vspec.item);
        const policy = await deps.store.get({ kind: 'MarketPolicy', tenant: '', name: MARKET_POLICY_NAME });
        const allowed = (policy?.spec as MarketPolicySpec | undefined)?.allowedRegistries ?? [];
        const { mandatory } = await assessmentSettings((k) => deps.store.get(k));
        const checks = automaticChecks(
          { name: item.metadata.name, spec: item.spec as CatalogItemSpec },
          vspec,
          allowed,
          mandatory,
        );
        const failed = checks.filter((c) => !c.ok);
        const now = deps.clock.now().toISOString();
        const ctx = requestContext(req);
        if (failed.length > 0) {
          await resources.replaceStatus(ctx, {
            ...version,
            status: { ...(version.status ?? {}), phase, checks, checkedAt: now },
          });
          const problems = failed.flatMap((c) => c.problems);
          throw new InputError(
            msg('MarketChecksFailed', { problems }),
            problems.map((m) => codedCause(`checks`, m)),
            { invalid: true },
          );
        }
        return resources.replaceStatus(ctx, {
          ...version,
          status: { phase: 'Submitted', checks, checkedAt: now, submittedBy: p.user, submittedAt: now },
        });
      });
    },
  );

  for (const action of ['approve', 'reject'] as const)
    app.post(
      `${BASE}/catalogitemversions/:name/${action}`,
      {
        schema: {
          tags: ['market'],
          summary: action === 'approve' ? 'Approve and release a submitted version' : 'Reject a submitted version',
          body: { type: 'object', properties: { comment: { type: 'string', maxLength: 2000 } } },
        },
      },
      async (req) => {
        const { name } = req.params as { name: string };
        return guarded(req, action, 'CatalogItemVersion', name, async () => {
          const p = principalOf(req);
          // The data bureau reviews: only a role that writes status on platform objects (platform-admin).
          const d = authorize(p, {
            verb: 'update',
            kind: 'CatalogItemVersion',
            category: 'publishing',
            scope: 'platform',
            name,
            subresource: 'status',
          });
          if (!d.allowed) throw new NotAllowedError(msg('MarketReviewerRole', { user: p.user }));
          const body = (req.body ?? {}) as { comment?: unknown };
          const comment = typeof body.comment === 'string' ? body.comment.trim() : '';
          if (action === 'reject' && comment === '')
            throw new InputError(msg('MarketRejectNeedsComment'), [
              codedCause('comment', msg('MarketRejectNeedsComment')),
            ]);
          const version = await platformGet('CatalogItemVersion', name);
          const status = (version.status ?? {}) as VersionStatus;
          const phase = phaseOf(version);
          if (phase !== 'Submitted') throw new ConflictError(msg('MarketReviewNotSubmitted', { version: name, phase }));
          const vspec = version.spec as CatalogItemVersionSpec;
          const item = await platformGet('CatalogItem', vspec.item);
          const maintainers = (item.spec as CatalogItemSpec).maintainers ?? [];
          // Separation of duties: whoever submitted or maintains the item never reviews it.
          if (status.submittedBy === p.user || maintainers.includes(p.user))
            throw new NotAllowedError(msg('MarketReviewOwnItem', { user: p.user, item: vspec.item }));
          const now = deps.clock.now().toISOString();
          const ctx = requestContext(req);
          const result = await resources.replaceStatus(ctx, {
            ...version,
            status: {
              ...status,
              phase: action === 'approve' ? 'Released' : 'Rejected',
              reviewedBy: p.user,
              reviewedAt: now,
              ...(comment ? { comment } : {}),
              ...(action === 'approve' ? { releasedAt: now } : {}),
            },
          });
          if (action === 'approve') {
            const fresh = await platformGet('CatalogItem', vspec.item);
            await resources.replaceStatus(ctx, {
              ...fresh,
              status: { ...(fresh.status ?? {}), state: itemStateOf(fresh), latest: vspec.version },
            });
          }
          return result;
        });
      },
    );

  app.post(
    `${BASE}/catalogitems/:name/state`,
    {
      schema: {
        tags: ['market'],
        summary: 'Set an item active, deprecated or suspended (no new instances; existing ones keep running)',
        body: {
          type: 'object',
          required: ['state'],
          properties: { state: { type: 'string', enum: [...ITEM_STATES] }, comment: { type: 'string' } },
        },
      },
    },
    async (req) => {
      const { name } = req.params as { name: string };
      return guarded(req, 'state', 'CatalogItem', name, async () => {
        const p = principalOf(req);
        const d = authorize(p, {
          verb: 'update',
          kind: 'CatalogItem',
          category: 'publishing',
          scope: 'platform',
          name,
          subresource: 'status',
        });
        if (!d.allowed) throw new NotAllowedError(msg('MarketLifecycleOnlyBureau', { user: p.user }));
        const body = (req.body ?? {}) as { state?: unknown; comment?: unknown };
        const state = body.state as ItemState;
        if (!(ITEM_STATES as readonly unknown[]).includes(state))
          throw new InputError(
            msg('MarketLifecycleUnknown', { state: String(body.state), states: ITEM_STATES.join(', ') }),
            [
              codedCause(
                'state',
                msg('MarketLifecycleUnknown', { state: String(body.state), states: ITEM_STATES.join(', ') }),
              ),
            ],
          );
        const item = await platformGet('CatalogItem', name);
        return resources.replaceStatus(requestContext(req), {
          ...item,
          status: {
            ...(item.status ?? {}),
            state,
            stateChangedBy: p.user,
            ...(typeof body.comment === 'string' ? { stateComment: body.comment } : {}),
          },
        });
      });
    },
  );

  /** What a department sees of the marketplace: items with a released version, and only released versions. */
  const released = async (only?: string) => {
    const items = (await deps.store.list({ kind: 'CatalogItem', tenant: '', ...(only ? { name: only } : {}) })).items;
    const versions = (await deps.store.list({ kind: 'CatalogItemVersion', tenant: '' })).items.filter(
      (v) => phaseOf(v) === 'Released',
    );
    return items
      .map((item) => {
        const own = versions
          .filter((v) => (v.spec as CatalogItemVersionSpec).item === item.metadata.name)
          .map((v) => {
            const s = v.spec as CatalogItemVersionSpec;
            const st = v.status as { releasedAt?: string } | undefined;
            return {
              name: v.metadata.name,
              version: s.version,
              parameters: s.parameters,
              ...(s.connection ? { connection: s.connection } : {}),
              ...(s.releaseNotes ? { releaseNotes: s.releaseNotes } : {}),
              ...(st?.releasedAt ? { releasedAt: st.releasedAt } : {}),
            };
          })
          .sort((a, b) => compareVersions(b.version, a.version));
        return { name: item.metadata.name, ...(item.spec as CatalogItemSpec), state: itemStateOf(item), versions: own };
      })
      .filter((i) => i.versions.length > 0);
  };

  app.get(
    `${BASE}/catalog`,
    { schema: { tags: ['market'], summary: 'The released catalog: items with their released versions' } },
    async () => ({ kind: 'Catalog', items: await released() }),
  );
  app.get(
    `${BASE}/catalog/:item`,
    { schema: { tags: ['market'], summary: 'One released item with its released versions' } },
    async (req) => {
      const { item } = req.params as { item: string };
      const found = await released(item);
      if (found.length === 0) throw new NotFoundError(msg('MarketNoSuchItem', { item }));
      return found[0];
    },
  );
}

export { compareVersions };
