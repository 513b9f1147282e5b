import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  causeDetail,
  codedCause,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { Principal } from '../tenancy/authorization.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import type { CopyRequest } from './copy-plan.ts';
import { planCopy } from './copy-plan.ts';
import { familyOf, planUpgrade } from './copy-family.ts';
import { ADMIN_USER } from './instance-reconciler.ts';
import type { Connection } from './market-kinds.ts';
import { MARKET_API_VERSION } from './market-kinds.ts';
import { INSTANCE_LABEL } from './market-types.ts';

const BASE = `/apis/${MARKET_API_VERSION}`;
const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

async function listAll(store: Store, kind: string, tenant?: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let cont: string | undefined;
  do {
    const page = await store.list({ kind, ...(tenant !== undefined ? { tenant } : {}), limit: 1000, continue: cont });
    out.push(...page.items);
    cont = page.continue;
  } while (cont);
  return out;
}

function must(p: Principal, verb: 'list' | 'create' | 'update', kind: string, department: string): void {
  const d = authorize(p, { verb, kind, category: 'workload', scope: 'tenant', tenant: department });
  if (!d.allowed) throw new NotAllowedError(msg('MarketCopyNotAllowed', { user: p.user, verb, kind, department }));
}

function field(path: string, expected: string): InputError {
  const m = msg('MarketCopyField', { field: path, expected });
  return new InputError(m, [codedCause(path, m)], { invalid: true });
}

/** Reads a copy request's body, naming the first field that is wrong and what it accepts. */
function parseCopyRequest(body: unknown): CopyRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const t = b.target as Record<string, unknown> | undefined;
  if (!t || typeof t !== 'object') throw field('target', 'an object with department (and regions, suffix)');
  if (typeof t.department !== 'string' || !NAME.test(t.department))
    throw field('target.department', 'a department name');
  const strings = (v: unknown, path: string, what: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) throw field(path, what);
    return v as string[];
  };
  const regions = strings(t.regions, 'target.regions', 'a list of region names');
  if (t.suffix !== undefined && (typeof t.suffix !== 'string' || !/^[-a-z0-9]{0,30}$/.test(t.suffix)))
    throw field('target.suffix', 'lower-case letters, digits and "-", at most 30');
  const instances = strings(b.instances, 'instances', 'a list of instance names');
  const overrides = b.overrides;
  if (overrides !== undefined) {
    if (!overrides || typeof overrides !== 'object' || Array.isArray(overrides))
      throw field('overrides', 'an object: instance name → {parameters, version}');
    for (const [k, v] of Object.entries(overrides as Record<string, unknown>)) {
      const o = v as Record<string, unknown> | null;
      if (!o || typeof o !== 'object' || Array.isArray(o))
        throw field(`overrides.${k}`, 'an object {parameters, version}');
      const extra = Object.keys(o).filter((x) => x !== 'parameters' && x !== 'version');
      if (extra.length > 0) throw field(`overrides.${k}.${extra[0]}`, 'absent: only parameters and version');
      if (
        o.parameters !== undefined &&
        (!o.parameters || typeof o.parameters !== 'object' || Array.isArray(o.parameters))
      )
        throw field(`overrides.${k}.parameters`, 'an object of parameter values');
      if (o.version !== undefined && typeof o.version !== 'string') throw field(`overrides.${k}.version`, 'a version');
    }
  }
  return {
    ...(instances ? { instances } : {}),
    target: {
      department: t.department,
      ...(regions ? { regions } : {}),
      ...(typeof t.suffix === 'string' ? { suffix: t.suffix } : {}),
    },
    ...(overrides ? { overrides: overrides as CopyRequest['overrides'] } : {}),
  };
}

/**
 * Copying a department's marketplace solution (its instances and their bindings) to another department or region,
 * in one transaction, and the copies' family: who was copied from what, which copies have an upgrade, upgrading them.
 */
export function registerCopyRoutes(app: FastifyInstance, deps: { store: Store; resources: ResourceService }): void {
  const { store, resources } = deps;
  const guarded = async <T>(req: FastifyRequest, verb: string, name: string, fn: () => Promise<T>) => {
    try {
      return await fn();
    } catch (e) {
      await resources.recordFailure(requestContext(req), { verb, kind: 'MarketInstance', name }, e);
      throw e;
    }
  };

  app.post(
    `${BASE}/tenants/:tenant/copy`,
    {
      schema: {
        tags: ['market'],
        summary: "Copy this department's marketplace instances and bindings to another department or region",
      },
    },
    async (req, reply) => {
      const { tenant } = req.params as { tenant: string };
      return guarded(req, 'copy', tenant, async () => {
        const p = principalOf(req);
        // Rights in both departments before anything is read: a department admin never copies into another's.
        must(p, 'list', 'MarketInstance', tenant);
        must(p, 'list', 'ServiceBinding', tenant);
        const body = parseCopyRequest(req.body);
        const target = body.target.department;
        for (const kind of ['MarketInstance', 'ServiceBinding', 'Application', 'Secret'])
          must(p, 'create', kind, target);
        if (!(await store.get({ kind: 'Tenant', tenant: '', name: target })))
          throw new NotFoundError(msg('MarketCopyTargetMissing', { department: target }));
        const taken: Record<string, Set<string>> = {};
        for (const kind of ['MarketInstance', 'ServiceBinding', 'Application', 'Secret'])
          taken[kind] = new Set((await listAll(store, kind, target)).map((o) => o.metadata.name));
        const plan = planCopy(body, {
          source: tenant,
          instances: await listAll(store, 'MarketInstance', tenant),
          bindings: await listAll(store, 'ServiceBinding', tenant),
          versions: await listAll(store, 'CatalogItemVersion', ''),
          items: await listAll(store, 'CatalogItem', ''),
          taken,
          regions: [
            ...new Set((await listAll(store, 'Cluster', '')).map((c) => (c.spec as { region?: string }).region ?? '')),
          ].filter(Boolean),
        });
        if (!plan.ok) {
          const m = causeDetail(plan.causes[0]!);
          if (plan.conflict) throw new ConflictError(m, plan.causes);
          throw new InputError(m, plan.causes, { invalid: true });
        }
        // The administrator Secrets go in with the instances, so the Applications that read them never wait.
        const secrets = plan.adminSecrets.map((s) => ({
          apiVersion: 'polis.io/v1',
          kind: 'Secret',
          metadata: { name: s.name, tenant: target, labels: { [INSTANCE_LABEL]: s.instance } },
          stringData: {
            username: ADMIN_USER[s.engine as Connection['engine']],
            password: randomBytes(24).toString('base64url'),
          },
        }));
        const ctx = requestContext(req);
        // One transaction: quota and every admission rule are checked on all of it, and a refusal leaves nothing.
        await resources.apply(ctx, [...secrets, ...plan.objects], { auditVerb: 'copy', dryRun: ctx.dryRun });
        reply.code(ctx.dryRun ? 200 : 201);
        return {
          kind: 'MarketCopy',
          source: tenant,
          target: body.target,
          dryRun: ctx.dryRun === true,
          instances: plan.instances,
          bindings: plan.bindings,
        };
      });
    },
  );

  /** The families of copies the caller may see: each instance with its origin, version and the latest release. */
  const families = async (p: Principal) => {
    const instances = (await listAll(store, 'MarketInstance')).filter(
      (i) =>
        authorize(p, {
          verb: 'list',
          kind: 'MarketInstance',
          category: 'workload',
          scope: 'tenant',
          tenant: i.metadata.tenant ?? '',
        }).allowed,
    );
    return familyOf(instances, await listAll(store, 'CatalogItemVersion', ''));
  };

  app.get(
    `${BASE}/copies`,
    {
      schema: {
        tags: ['market'],
        summary: 'Copied instances and their originals you may see, with the latest released version of each',
        querystring: {
          type: 'object',
          properties: { origin: { type: 'string' }, upgradable: { type: 'string', enum: ['true', 'false'] } },
        },
      },
    },
    async (req) => {
      const q = req.query as { origin?: string; upgradable?: string };
      let rows = await families(principalOf(req));
      if (q.origin) rows = rows.filter((r) => `${r.origin.department}/${r.origin.instance}` === q.origin);
      if (q.upgradable === 'true') rows = rows.filter((r) => r.upgradeAvailable);
      return { kind: 'MarketCopyList', items: rows.map(({ object: _object, ...row }) => row) };
    },
  );

  app.post(
    `${BASE}/copies/upgrade`,
    {
      schema: {
        tags: ['market'],
        summary: 'Upgrade an original and its copies (those you may update) to a released version, in one transaction',
      },
    },
    async (req) => {
      const b = (req.body ?? {}) as { origin?: unknown; version?: unknown; departments?: unknown };
      const origin = typeof b.origin === 'string' ? b.origin : '';
      return guarded(req, 'upgrade', origin, async () => {
        const p = principalOf(req);
        const [department, instance] = origin.split('/');
        if (!department || !instance || !NAME.test(department) || !NAME.test(instance))
          throw field('origin', 'DEPARTMENT/INSTANCE, the instance the copies were made from');
        if (b.version !== undefined && typeof b.version !== 'string') throw field('version', 'a released version');
        if (
          b.departments !== undefined &&
          (!Array.isArray(b.departments) || b.departments.some((d) => typeof d !== 'string'))
        )
          throw field('departments', 'a list of department names');
        const only = b.departments as string[] | undefined;
        for (const d of only ?? []) must(p, 'update', 'MarketInstance', d);
        const members = (await families(p)).filter(
          (r) =>
            r.origin.department === department &&
            r.origin.instance === instance &&
            (only ? only.includes(r.department) : true) &&
            authorize(p, {
              verb: 'update',
              kind: 'MarketInstance',
              category: 'workload',
              scope: 'tenant',
              tenant: r.department,
            }).allowed,
        );
        if (members.length === 0) throw new NotFoundError(msg('MarketUpgradeNoFamily', { department, instance }));
        const objects = members.map((m) => m.object);
        const apps = new Map<string, StoredObject>();
        for (const m of members) {
          const a = await store.get({ kind: 'Application', tenant: m.department, name: m.application });
          if (a) apps.set(`${m.department}/${m.application}`, a);
        }
        const plan = planUpgrade(objects, apps, await listAll(store, 'CatalogItemVersion', ''), {
          ...(typeof b.version === 'string' ? { version: b.version } : {}),
          items: await listAll(store, 'CatalogItem', ''),
        });
        if (!plan.ok) {
          throw new InputError(causeDetail(plan.causes[0]!), plan.causes, { invalid: true });
        }
        const ctx = requestContext(req);
        if (plan.objects.length > 0)
          await resources.apply(ctx, plan.objects, { auditVerb: 'upgrade', dryRun: ctx.dryRun });
        return { kind: 'MarketCopyUpgrade', origin, version: plan.version, upgraded: plan.upgraded };
      });
    },
  );
}
