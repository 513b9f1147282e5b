import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { codedCause, InputError, NotAllowedError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { applicationRowView } from '../apps/app-summary.ts';
import type { Clock } from '../kernel/clock.ts';
import { dns1123LabelProblem } from '../kernel/names.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { objectMetaInput } from '../resources/envelope.ts';
import type { KindDefinition, ResourceVerb } from '../resources/registry.ts';
import { apiVersionOf } from '../resources/registry.ts';
import { withoutSensitive } from '../resources/sensitive.ts';
import type { ResourceService } from '../resources/service.ts';
import { shownAsStored } from '../resources/service.ts';
import { storedTextOf } from '../resources/stored-text.ts';
import type { Principal } from '../tenancy/authorization.ts';
import { allowedTenants, authorize, canReadSecretValues } from '../tenancy/authorization.ts';
import { principalOf, requestContext } from '../tenancy/request-principal.ts';
import { bodyDocument } from './bodies.ts';
import { joinedJson } from './joined-json.ts';
import type { Query } from '../kernel/query-params.ts';
import { boolParam, intParam, stringParam } from '../kernel/query-params.ts';
import { selectorFromQuery } from '../resources/label-selector.ts';
import type { WatchDeps, WatchFormat } from './watch.ts';
import { serveWatch } from './watch.ts';
import { kubeRawItem, watchProtocol } from './kube/kube-negotiation.ts';
import { fromKubeBody, parseFieldSelector, toKubeObject } from './kube/kube-objects.ts';
import { checkListRevision, listResourceVersion, narrow } from './kube/kube-list.ts';
import type { TableSource } from './kube/kube-table.ts';
import { includeObjectOf, table, tableText, wantsTable } from './kube/kube-table.ts';
import { applyJsonPatch } from './kube/json-patch.ts';
import { fieldManagerOf, patchTypeOf } from './kube/kube-patch.ts';
import { serverSideApply } from './kube/managed-fields.ts';
import { strategicMerge } from './kube/strategic-merge-patch.ts';
import { listRuleOf } from './kube/kube-list-keys.ts';
import type { FieldValidation } from './kube/kube-field-validation.ts';
import { duplicateWarnings, fieldValidationOf, validateFields, warningHeaders } from './kube/kube-field-validation.ts';
import { deleteOptionsOf } from './kube/kube-delete-options.ts';
import { deleteCollection } from './kube/kube-delete-collection.ts';
import type { CoreView } from './kube/kube-core-views.ts';
import { CORE_VIEWS } from './kube/kube-core-views.ts';
import { duplicateFieldsOf } from './bodies.ts';
import { applyMergePatch, isPlainObject } from '../resources/merge-patch.ts';
import { checkDepth } from '../kernel/depth-limit.ts';

interface Params {
  tenant?: string;
  name?: string;
}

export interface ResourceRouteDeps extends WatchDeps {
  readonly resources: ResourceService;
  /** For the AGE column of Tables. */
  readonly clock?: Clock;
}

const MUTATING = new Set<ResourceVerb>(['create', 'update', 'patch', 'delete']);
/** Failures whose audit entry is already written (a deletecollection's, naming the object that failed). */
const RECORDED = new WeakSet<object>();

/**
 * Registers the generic routes of one kind:
 * platform-scoped  /apis/{group}/{version}/{plural}[/{name}[/status]]
 * tenant-scoped    /apis/{group}/{version}/tenants/{tenant}/{plural}[/{name}[/status]]
 *                  /apis/{group}/{version}/namespaces/{tenant}/{plural}[/{name}[/status]] (Kubernetes clients: the
 *                  same handlers, objects shown with metadata.namespace naming the department)
 *                  and GET /apis/{group}/{version}/{plural} across the departments the caller may see.
 * Every GET answers a Table to `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` (kubectl get).
 */
export function registerKindRoutes(app: FastifyInstance, def: KindDefinition, deps: ResourceRouteDeps): void {
  const base = `/apis/${def.group}/${def.version}`;
  if (def.scope === 'tenant') {
    registerCollection(app, def, deps, `${base}/tenants/:tenant/${def.plural}`, { kube: false });
    registerCollection(app, def, deps, `${base}/namespaces/:tenant/${def.plural}`, { kube: true });
  } else registerCollection(app, def, deps, `${base}/${def.plural}`, { kube: false });
  // polis's Secret and Event as core/v1 ones: the same handlers, in the core view (kube/kube-core-views.ts).
  const core = def.group === 'polis.io' && def.scope === 'tenant' ? CORE_VIEWS[def.kind] : undefined;
  if (core) {
    registerCollection(app, def, deps, `/api/v1/namespaces/:tenant/${core.plural}`, {
      kube: true,
      view: core,
      across: `/api/v1/${core.plural}`,
    });
  }
}

/**
 * How a collection path shows its kind: `kube` for a Kubernetes namespaced layout (the Kubernetes view, Warn as the
 * fieldValidation default); `view` for a core-group view of the kind; `across` the path listing every department.
 */
interface Layout {
  readonly kube: boolean;
  readonly view?: CoreView;
  readonly across?: string;
}

/** The routes of one collection path, in its layout. */
function registerCollection(
  app: FastifyInstance,
  def: KindDefinition,
  deps: ResourceRouteDeps,
  collection: string,
  layout: Layout,
): void {
  const { kube, view: core } = layout;
  const base = `/apis/${def.group}/${def.version}`;
  const item = `${collection}/:name`;
  const has = (v: ResourceVerb) => def.verbs.includes(v) && (!core || core.verbs.includes(v));
  /** The object as this path shows it: polis's view, the Kubernetes view, or the core-group view. */
  const viewOf = (o: StoredObject): StoredObject => (core ? core.toCore(o) : kube ? toKubeObject(o) : o);
  const columns = core ?? def;
  const asStored = !core && shownAsStored(def);
  const tags = [def.kind];
  const docSchema = openApiSchema(def);

  const handle =
    (
      verb: ResourceVerb,
      fn: (req: FastifyRequest, reply: FastifyReply, p: Principal) => Promise<unknown>,
      opts: { subresource?: 'status' } = {},
    ) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const params = req.params as Params;
      try {
        checkPathNames(params);
        const principal = principalOf(req);
        const tenant = def.scope === 'tenant' ? params.tenant : undefined;
        // A list across departments is filtered to the ones the caller may see (tenantsFor), not refused.
        const acrossTenants = verb === 'list' && def.scope === 'tenant' && tenant === undefined;
        const decision = acrossTenants
          ? { allowed: true as const }
          : authorize(principal, {
              verb,
              kind: def.kind,
              category: def.category,
              scope: def.scope,
              tenant,
              name: params.name,
              subresource: opts.subresource,
            });
        if (!decision.allowed) throw new NotAllowedError(decision.detail);
        return await fn(req, reply, principal);
      } catch (e) {
        if (MUTATING.has(verb) && !(typeof e === 'object' && e !== null && RECORDED.has(e))) {
          await deps.resources.recordFailure(
            requestContext(req),
            {
              verb: opts.subresource ? `${verb}-status` : verb,
              kind: def.kind,
              tenant: params.tenant,
              name: params.name ?? bodyName(req.body),
            },
            e,
          );
        }
        throw e;
      }
    };

  const expected = (req: FastifyRequest) => {
    const p = req.params as Params;
    return { kind: def.kind, tenant: p.tenant, name: p.name };
  };
  const keyOfReq = (req: FastifyRequest) => {
    const p = req.params as Params;
    return { kind: def.kind, tenant: p.tenant ?? '', name: p.name! };
  };
  // Server-only fields (a Token's secretHash) never leave; other sensitive ones only to who may read values.
  const show = (obj: StoredObject, principal: Principal) =>
    def.sensitiveFields.length > 0 && !canReadSecretValues(principal, obj.metadata.tenant ?? '')
      ? withoutSensitive(obj, def.sensitiveFields)
      : withoutSensitive(obj, def.serverOnlyFields);
  const dryRun = (req: FastifyRequest) => ({ dryRun: boolParam(req.query as Query, 'dryRun') });
  const now = () => deps.clock?.now() ?? new Date();
  /** A body in the Kubernetes view (metadata.namespace) becomes polis's (metadata.tenant) on the namespaced paths. */
  const input = (req: FastifyRequest, body: unknown) =>
    kube ? fromKubeBody(core?.fromCore ? core.fromCore(body) : body, (req.params as Params).tenant) : body;
  /**
   * Kubernetes' fieldValidation on a write's object: Strict refuses unknown fields (400), Warn and Ignore drop them
   * (Warn answering a `Warning` header per field, and per duplicate key the body parser let through). Without the
   * parameter on polis's own paths, the resource service refuses unknown fields (422) as it always has.
   */
  const fieldsMode = (req: FastifyRequest): FieldValidation | undefined => fieldValidationOf(req.query as Query, kube);
  const checkFields = (req: FastifyRequest, reply: FastifyReply, obj: unknown): unknown => {
    const mode = fieldsMode(req);
    if (mode === undefined) return obj;
    const { obj: kept, warnings } = validateFields(def, obj, mode);
    const all = [...warnings, ...duplicateWarnings(duplicateFieldsOf(req), mode)];
    if (all.length > 0) {
      const prior = reply.getHeader('warning');
      const before = Array.isArray(prior) ? prior.map(String) : prior === undefined ? [] : [String(prior)];
      reply.header('warning', [...new Set([...before, ...warningHeaders(all)])]);
    }
    return kept;
  };
  /** One object as the client asked for it: polis's view, the Kubernetes view, or a Table of one row. */
  const out = (req: FastifyRequest, obj: StoredObject, principal: Principal, reply?: FastifyReply): unknown => {
    // A write's answer of a kind shown as stored goes out as the text the store just wrote (stored-text.ts), in
    // polis's or the Kubernetes view: the same bytes as serializing the object again. Tables and core views parse.
    if (reply && asStored && !wantsTable(req.headers.accept)) {
      const text = storedTextOf(obj);
      if (text !== undefined)
        return reply.type('application/json; charset=utf-8').send(kube ? kubeRawItem(text) : text);
    }
    const shown = show(obj, principal);
    const viewed = viewOf(shown);
    if (!wantsTable(req.headers.accept)) return viewed;
    const q = req.query as Query;
    return table(columns, [viewed], {
      include: includeObjectOf(stringParam(q, 'includeObject')),
      now: now(),
      resourceVersion: obj.metadata.resourceVersion,
    });
  };

  if (has('list')) {
    const listHandler = handle('list', async (req, reply, principal) => {
      const q = req.query as Query;
      const pathTenant = (req.params as Params).tenant;
      // A core view answers its own selector terms (an Event's involvedObject, type, reason) on a list.
      const own = core?.fieldSelector?.(stringParam(q, 'fieldSelector'));
      const fields = parseFieldSelector(own ? own.rest : stringParam(q, 'fieldSelector'));
      const keep = own?.match;
      // The Kubernetes view on the namespaced paths, and across departments (where kubectl get -A lists).
      const kubeView = kube || (def.scope === 'tenant' && pathTenant === undefined);
      const asTable = wantsTable(req.headers.accept);
      // ?view=rows: each object as a list row reads it (applications; app-summary.ts), list and watch alike.
      const rows = rowViewOf(q, def);
      if (boolParam(q, 'watch')) {
        if (keep) parseFieldSelector(stringParam(q, 'fieldSelector')); // not on watches: 400 naming the term
        const tenants = narrow(watchScope(principal, def, pathTenant), fields.namespace, def);
        // Checked again while the stream is open: it ends once the caller may no longer watch all it shows.
        const recheck = (p: Principal) => {
          const now = watchScope(p, def, pathTenant);
          if (now === undefined) return;
          const lost = tenants === undefined ? ['every department'] : tenants.filter((t) => !now.includes(t));
          if (lost.length > 0)
            throw new NotAllowedError(
              msg('WatchNoLongerAllowed', { user: p.user, kind: def.kind, tenants: lost.join(', ') }),
            );
        };
        const protocol = watchProtocol(req.headers.accept, kube);
        const include = includeObjectOf(stringParam(q, 'includeObject'));
        const format: WatchFormat = {
          protocol,
          view: withRows(rows, core ? core.toCore : kubeView || protocol === 'ndjson' ? toKubeObject : undefined),
          ...(rows ? { variant: 'rows' } : {}),
          table: asTable
            ? (o, first) =>
                table(columns, [core ? core.toCore(o) : toKubeObject(o)], {
                  include,
                  now: now(),
                  resourceVersion: o.metadata.resourceVersion,
                  withColumns: first,
                })
            : undefined,
        };
        return serveWatch(req, reply, def, tenants, deps, recheck, format);
      }
      const rv = listResourceVersion(q);
      const tenants = narrow(tenantsFor(principal, def, pathTenant), fields.namespace, def);
      const page =
        tenants !== undefined && tenants.length === 0
          ? { items: [], rawItems: [], resourceVersion: String(await deps.store.currentRevision()) }
          : await deps.resources.list({
              kind: def.kind,
              tenants,
              labelSelector: selectorFromQuery(stringParam(q, 'labelSelector')),
              name: fields.name,
              limit: intParam(q, 'limit', 1, 10_000),
              continue: stringParam(q, 'continue'),
              raw: !core && !rows,
            });
      checkListRevision(rv, page.resourceVersion);
      const listed = rows ? page.items.map(rows) : page.items;
      const chosen = keep ? listed.filter((o) => keep(core!.toCore(o))) : listed;
      const listMeta = {
        resourceVersion: page.resourceVersion,
        ...('continue' in page && page.continue ? { continue: page.continue } : {}),
      };
      if (asTable && page.rawItems) {
        const view = (o: TableSource) => (kubeView ? toKubeObject(o) : o);
        const opts = { include: includeObjectOf(stringParam(q, 'includeObject')), now: now(), ...listMeta };
        return reply.type('application/json; charset=utf-8').send(tableText(columns, page.rawItems, view, opts));
      }
      if (asTable) {
        const objects = chosen.map((o) => (core ? core.toCore(o) : kubeView ? toKubeObject(o) : o));
        return table(columns, objects, {
          include: includeObjectOf(stringParam(q, 'includeObject')),
          now: now(),
          ...listMeta,
        });
      }
      const head = { apiVersion: core ? 'v1' : apiVersionOf(def), kind: `${def.kind}List`, metadata: listMeta };
      if (!page.rawItems) {
        const items = core ? chosen.map(core.toCore) : kubeView ? chosen.map(toKubeObject) : chosen;
        return { ...head, items };
      }
      // The stored JSON of each object goes out as it is: no parse and re-serialization of a hundred objects, and
      // encoded once into one Buffer (joined-json.ts), not joined into a string of half a megabyte.
      const raw = kubeView ? page.rawItems.map(kubeRawItem) : page.rawItems;
      const body = joinedJson(`${JSON.stringify(head).slice(0, -1)},"items":[`, raw, ']}');
      return reply.type('application/json; charset=utf-8').send(body);
    });
    const listSchema = { tags, summary: `List or watch ${def.plural}`, querystring: LIST_QUERY };
    app.get(collection, { schema: listSchema }, listHandler);
    const across = layout.across ?? (kube ? undefined : `${base}/${def.plural}`);
    if (def.scope === 'tenant' && across)
      app.get(
        across,
        { schema: { ...listSchema, summary: `List or watch ${def.plural} across the departments you may see` } },
        listHandler,
      );
  }
  if (has('create')) {
    app.post(
      collection,
      { schema: { tags, summary: `Create a ${def.kind}`, body: docSchema, querystring: WRITE_QUERY } },
      handle('create', async (req, reply) => {
        const obj = await deps.resources.create(
          requestContext(req),
          checkFields(req, reply, input(req, bodyDocument(req.body))),
          expected(req),
          dryRun(req),
        );
        return reply.code(201).send(viewOf(obj));
      }),
    );
  }
  if (has('get')) {
    app.get(
      item,
      { schema: { tags, summary: `Read a ${def.kind}` } },
      handle('get', async (req, reply, principal) => {
        const p = req.params as Params;
        // A kind shown as stored (shownAsStored) goes out as its stored JSON, in polis's or the Kubernetes view: no
        // parse and re-serialization of the object. Tables and core views take the parsed path.
        if (!core && !wantsTable(req.headers.accept)) {
          const text = await deps.resources.getText(def.kind, p.tenant ?? '', p.name!);
          if (text !== undefined)
            return reply.type('application/json; charset=utf-8').send(kube ? kubeRawItem(text) : text);
        }
        return out(req, await deps.resources.get(def.kind, p.tenant ?? '', p.name!), principal);
      }),
    );
  }
  if (has('update')) {
    app.put(
      item,
      { schema: { tags, summary: `Replace a ${def.kind}`, body: docSchema, querystring: WRITE_QUERY } },
      handle('update', async (req, reply, principal) =>
        out(
          req,
          await deps.resources.replace(
            requestContext(req),
            checkFields(req, reply, input(req, bodyDocument(req.body))),
            expected(req),
            dryRun(req),
          ),
          principal,
          reply,
        ),
      ),
    );
  }
  /**
   * PATCH in the patch type the Content-Type names: JSON merge patch, JSON patch (RFC 6902, applied to the object as
   * the path shows it) or server-side apply (create-if-absent; `create` rights needed then). One service path.
   */
  const patchObject = (req: FastifyRequest, reply: FastifyReply, principal: Principal, subresource?: 'status') => {
    const q = req.query as Query;
    const type = patchTypeOf(req.headers['content-type']);
    const key = keyOfReq(req);
    const opts = { ...dryRun(req), ...(subresource ? { subresource } : {}) };
    // The status subresource takes the status only: fieldValidation concerns the object's own fields.
    const fields = (obj: unknown) => (subresource ? obj : checkFields(req, reply, obj));
    if (type === 'merge') {
      if (fieldsMode(req) === undefined || subresource || !isPlainObject(req.body))
        return deps.resources.patch(requestContext(req), key, input(req, req.body), opts);
      const patch = input(req, req.body) as Record<string, unknown>;
      checkDepth(patch);
      return deps.resources.patchWith(requestContext(req), key, (c) => fields(applyMergePatch(c!, patch)), opts);
    }
    const view = viewOf;
    if (type === 'strategic') {
      checkDepth(req.body);
      const rules = (path: string) => listRuleOf(def.kind, path);
      return deps.resources.patchWith(
        requestContext(req),
        key,
        (c) => fields(input(req, strategicMerge(view(c!), req.body, rules))),
        opts,
      );
    }
    if (type === 'json')
      return deps.resources.patchWith(
        requestContext(req),
        key,
        (c) => fields(input(req, applyJsonPatch(view(c!), req.body))),
        opts,
      );
    const manager = fieldManagerOf(stringParam(q, 'fieldManager'));
    const applied = fields(bodyDocument(req.body)) as Record<string, unknown>;
    return deps.resources.patchWith(
      requestContext(req),
      key,
      (c) => {
        if (!c) {
          const d = authorize(principal, {
            verb: 'create',
            kind: def.kind,
            category: def.category,
            scope: def.scope,
            tenant: key.tenant || undefined,
            name: key.name,
          });
          if (!d.allowed) throw new NotAllowedError(d.detail);
        }
        const current = c ? (view(c) as unknown as Record<string, unknown>) : undefined;
        return input(
          req,
          serverSideApply({
            current,
            applied,
            manager,
            force: boolParam(q, 'force'),
            now: now().toISOString(),
            rules: (path) => listRuleOf(def.kind, path),
          }),
        );
      },
      { ...opts, createIfAbsent: !subresource, auditVerb: 'apply' },
    );
  };

  if (has('patch')) {
    app.patch(
      item,
      {
        schema: {
          tags,
          summary: `Change a ${def.kind}: JSON merge patch (RFC 7386), JSON patch (RFC 6902) or server-side apply`,
          querystring: PATCH_QUERY,
        },
      },
      handle('patch', async (req, reply, principal) =>
        out(req, await patchObject(req, reply, principal), principal, reply),
      ),
    );
  }
  if (has('delete')) {
    app.delete(
      item,
      {
        schema: { tags, summary: `Delete a ${def.kind} (marked while finalizers remain)`, querystring: DELETE_QUERY },
      },
      handle('delete', async (req, _reply, principal) => {
        const q = req.query as Query;
        const rv = stringParam(q, 'resourceVersion');
        // Kubernetes' DeleteOptions, as a body (kubectl sends one) or as query parameters (docs/api.md).
        const o = deleteOptionsOf(q, req.body);
        return out(
          req,
          await deps.resources.delete(requestContext(req), keyOfReq(req), {
            dryRun: o.dryRun,
            resourceVersion: rv,
            preconditions: o.preconditions,
            orphan: o.propagationPolicy === 'Orphan',
          }),
          principal,
        );
      }),
    );
  }
  if (has('delete') && has('list')) {
    // Kubernetes' deletecollection: each matching object through the single DELETE's path (kube-delete-collection.ts).
    app.delete(
      collection,
      {
        schema: {
          tags,
          summary: `Delete the ${def.plural} that labelSelector and fieldSelector match (deletecollection)`,
          querystring: { type: 'object', properties: { ...DELETE_QUERY.properties, ...SELECTOR_QUERY } },
        },
      },
      handle('delete', async (req, _reply, principal) => {
        const q = req.query as Query;
        const pathTenant = (req.params as Params).tenant;
        const fields = parseFieldSelector(stringParam(q, 'fieldSelector'));
        const labelSelector = selectorFromQuery(stringParam(q, 'labelSelector'));
        const options = deleteOptionsOf(q, req.body);
        const tenants = narrow(pathTenant === undefined ? undefined : [pathTenant], fields.namespace, def);
        const ctx = requestContext(req);
        const { items, resourceVersion } =
          tenants !== undefined && tenants.length === 0
            ? { items: [], resourceVersion: String(await deps.store.currentRevision()) }
            : await deleteCollection(
                def,
                { tenant: pathTenant, labelSelector, name: fields.name },
                {
                  resources: deps.resources,
                  ctx,
                  principal,
                  options,
                  recordFailure: async (name, e) => {
                    await deps.resources.recordFailure(
                      ctx,
                      { verb: 'delete', kind: def.kind, tenant: pathTenant, name },
                      e,
                    );
                    if (typeof e === 'object' && e !== null) RECORDED.add(e);
                  },
                },
              );
        return {
          apiVersion: core ? 'v1' : apiVersionOf(def),
          kind: `${def.kind}List`,
          metadata: { resourceVersion },
          items: items.map((o) => viewOf(show(o, principal))),
        };
      }),
    );
  }
  if (def.hasStatus) {
    const status = `${item}/status`;
    app.get(
      status,
      { schema: { tags, summary: `Read a ${def.kind} with its status` } },
      handle('get', async (req, reply, principal) => {
        const p = req.params as Params;
        // A kind shown as stored (shownAsStored) goes out as its stored JSON, in polis's or the Kubernetes view: no
        // parse and re-serialization of the object. Tables and core views take the parsed path.
        if (!core && !wantsTable(req.headers.accept)) {
          const text = await deps.resources.getText(def.kind, p.tenant ?? '', p.name!);
          if (text !== undefined)
            return reply.type('application/json; charset=utf-8').send(kube ? kubeRawItem(text) : text);
        }
        return out(req, await deps.resources.get(def.kind, p.tenant ?? '', p.name!), principal);
      }),
    );
    app.put(
      status,
      { schema: { tags, summary: `Replace the status of a ${def.kind}`, body: docSchema } },
      handle(
        'update',
        async (req, reply, principal) =>
          out(
            req,
            await deps.resources.replaceStatus(
              requestContext(req),
              input(req, bodyDocument(req.body)),
              expected(req),
              dryRun(req),
            ),
            principal,
            reply,
          ),
        { subresource: 'status' },
      ),
    );
    app.patch(
      status,
      {
        schema: { tags, summary: `Patch the status of a ${def.kind} (merge or JSON patch)`, querystring: PATCH_QUERY },
      },
      handle(
        'patch',
        async (req, reply, principal) => out(req, await patchObject(req, reply, principal, 'status'), principal, reply),
        { subresource: 'status' },
      ),
    );
  }
}

/** Which tenants' objects a list or watch may return; undefined = all (or a platform-scoped kind). */
function tenantsFor(
  principal: Principal,
  def: KindDefinition,
  pathTenant: string | undefined,
): readonly string[] | undefined {
  if (def.scope === 'platform') return undefined;
  if (pathTenant !== undefined) return [pathTenant];
  const allowed = allowedTenants(principal, 'list', def.kind, def.category);
  if (allowed === 'all') return undefined;
  if (allowed.length === 0) {
    throw new NotAllowedError(msg('ListNotAllowedAnywhere', { user: principal.user, kind: def.kind }));
  }
  return allowed;
}

/**
 * What a watch may stream, by the same rules on every route: list and watch on the path's department (or the
 * platform kind), or across departments those where the caller may both list and watch. Throws 403 otherwise.
 */
function watchScope(
  principal: Principal,
  def: KindDefinition,
  pathTenant: string | undefined,
): readonly string[] | undefined {
  if (def.scope === 'tenant' && pathTenant === undefined)
    return watchableTenants(principal, def, tenantsFor(principal, def, undefined));
  for (const verb of ['list', 'watch'] as const) {
    const decision = authorize(principal, {
      verb,
      kind: def.kind,
      category: def.category,
      scope: def.scope,
      tenant: pathTenant,
    });
    if (!decision.allowed) throw new NotAllowedError(decision.detail);
  }
  return tenantsFor(principal, def, pathTenant);
}

/** The departments a watch across departments may stream: where the caller may list and watch; 403 if none. */
function watchableTenants(
  principal: Principal,
  def: KindDefinition,
  listable: readonly string[] | undefined,
): readonly string[] | undefined {
  const watchable = allowedTenants(principal, 'watch', def.kind, def.category);
  if (watchable === 'all') return listable;
  const both = listable === undefined ? watchable : watchable.filter((t) => listable.includes(t));
  if (both.length === 0) {
    const decision = authorize(principal, {
      verb: 'watch',
      kind: def.kind,
      category: def.category,
      scope: def.scope,
    });
    throw new NotAllowedError(
      decision.allowed ? msg('WatchNotAllowed', { user: principal.user, kind: def.kind }) : decision.detail,
    );
  }
  return both;
}

function checkPathNames(p: Params): void {
  for (const [field, value] of [
    ['tenant', p.tenant],
    ['name', p.name],
  ] as const) {
    if (value === undefined) continue;
    const problem = dns1123LabelProblem(value);
    if (problem)
      throw new InputError(`the ${field} in the path is not a valid name`, [
        { path: `path.${field}`, message: `"${value}" ${problem}` },
      ]);
  }
}

function bodyName(body: unknown): string | undefined {
  const name = (body as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
  return typeof name === 'string' ? name.slice(0, 253) : undefined;
}

/** The `view` query parameter of a list or watch: `rows` (applications only) or absent (whole objects). */
function rowViewOf(q: Query, def: KindDefinition): ((o: StoredObject) => StoredObject) | undefined {
  const value = stringParam(q, 'view');
  if (value === undefined) return undefined;
  if (value === 'rows' && def.kind === 'Application') return applicationRowView;
  const m = msg('QueryValueInvalid', {
    param: 'view',
    value,
    accepted: def.kind === 'Application' ? 'rows' : `nothing: ${def.plural} are listed whole`,
  });
  throw new InputError(m, [codedCause('query.view', m)]);
}

function withRows(
  rows: ((o: StoredObject) => StoredObject) | undefined,
  view: ((o: StoredObject) => unknown) | undefined,
): ((o: StoredObject) => unknown) | undefined {
  if (!rows) return view;
  return view ? (o) => view(rows(o)) : rows;
}

const SELECTOR_QUERY = {
  labelSelector: { type: 'string', description: 'e.g. app=portal,tier in (web,api)' },
  fieldSelector: { type: 'string', description: 'metadata.name=NAME, metadata.namespace=DEPARTMENT' },
};
const LIST_QUERY = {
  type: 'object',
  properties: {
    ...SELECTOR_QUERY,
    limit: { type: 'integer', minimum: 1, maximum: 10000 },
    continue: { type: 'string' },
    view: {
      type: 'string',
      description:
        'applications: rows (each object as a list row reads it, without per-cluster detail); list and watch',
    },
    watch: {
      type: 'boolean',
      description:
        'stream changes: server-sent events with Accept: text/event-stream, else Kubernetes watch events (one JSON per line)',
    },
    resourceVersion: { type: 'string', description: 'watch: resume after this revision; list: not older than it' },
    resourceVersionMatch: { type: 'string', enum: ['NotOlderThan', 'Exact'] },
    allowWatchBookmarks: { type: 'boolean' },
    sendInitialEvents: { type: 'boolean' },
    includeObject: {
      type: 'string',
      enum: ['None', 'Metadata', 'Object'],
      description: 'Tables: what each row carries',
    },
    timeoutSeconds: { type: 'integer' },
  },
};
const DRYRUN_QUERY = { type: 'object', properties: { dryRun: { type: 'string', enum: ['All', 'true'] } } };
const WRITE_QUERY = {
  type: 'object',
  properties: {
    ...DRYRUN_QUERY.properties,
    fieldValidation: {
      type: 'string',
      description:
        'Strict (refuse unknown or duplicate fields), Warn (drop them, one Warning header each; the default on the namespaces/ paths) or Ignore (drop them)',
    },
    fieldManager: { type: 'string' },
  },
};
const DELETE_QUERY = {
  type: 'object',
  properties: {
    ...DRYRUN_QUERY.properties,
    resourceVersion: { type: 'string', description: 'refuse (409) unless the object is at this revision' },
    propagationPolicy: { type: 'string', description: 'Foreground, Background or Orphan (docs/api.md)' },
    gracePeriodSeconds: { type: 'string', description: 'accepted; polis objects are deleted without a grace period' },
    orphanDependents: { type: 'string', description: 'deprecated: true is propagationPolicy=Orphan' },
  },
};
const PATCH_QUERY = {
  type: 'object',
  properties: {
    ...WRITE_QUERY.properties,
    fieldManager: { type: 'string', description: 'server-side apply: who applies (required there)' },
    force: { type: 'string', description: 'server-side apply (true): take the fields other managers own' },
  },
};

/** The JSON Schema of a kind for the OpenAPI document (documentation only; the resource service validates). */
function openApiSchema(def: KindDefinition): Record<string, unknown> {
  try {
    const body = z.toJSONSchema(def.schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
    const meta = z.toJSONSchema(objectMetaInput, { unrepresentable: 'any', io: 'input' });
    const props = { ...((body.properties as Record<string, unknown>) ?? {}), metadata: meta };
    const { $schema: _s, ...rest } = body;
    return { ...rest, properties: props, required: ['apiVersion', 'kind', 'metadata'] };
  } catch {
    return { type: 'object' };
  }
}
