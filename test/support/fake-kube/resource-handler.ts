/** The verbs on resource paths: get, list (selectors, pagination), create, update, patch, apply, delete. */
import { parse as parseYaml } from 'yaml';
import { type Attributes, forbidden, isForbidden } from './auth.ts';
import { type GarbageCollector, deleteOptions } from './garbage-collector.ts';
import type { Rbac } from './rbac.ts';
import type { Registry, WriteOptions } from './registry.ts';
import { type ResourceDef, apiVersionOf } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { KubeError, badRequest, gone, methodNotAllowed } from './status.ts';
import type { FakeKubeOptions, KubeObject, Verb } from './types.ts';

export interface ResourceRequest {
  method: string;
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  contentType: string | undefined;
  body: string;
  user: string;
  userAgent: string | undefined;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface HandlerDeps {
  registry: Registry;
  gc: GarbageCollector;
  opts: FakeKubeOptions;
  rbac?: Rbac;
}

export function verbOf(method: string, hasName: boolean, query: URLSearchParams): Verb {
  const watch = query.get('watch');
  switch (method) {
    case 'GET':
      if (!hasName && (watch === 'true' || watch === '1')) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return 'get';
  }
}

/** 403 when the `forbid` list denies the request, or the RBAC roles (when given) do not allow it. */
export function authorize(deps: HandlerDeps, user: string, a: Attributes): void {
  if (isForbidden(deps.opts, a)) throw forbidden(user, a);
  if (deps.rbac && !deps.rbac.allows(rbacRequest(a))) throw forbidden(user, a);
}

function rbacRequest(a: Attributes) {
  return {
    verb: a.verb,
    group: a.def.group,
    resource: a.def.resource,
    ...(a.subresource !== undefined ? { subresource: a.subresource } : {}),
    ...(a.namespace !== undefined ? { namespace: a.namespace } : {}),
    ...(a.name !== undefined ? { name: a.name } : {}),
  };
}

/** Whether the RBAC roles allow `a` (always, without them): an apply that creates needs create too. */
export function rbacAllows(deps: HandlerDeps, a: Attributes): boolean {
  return !deps.rbac || deps.rbac.allows(rbacRequest(a));
}

const unsupported = (accepted: string[]): KubeError =>
  new KubeError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

function decode(body: string, contentType: string | undefined, accepted: string[]): unknown {
  const type = (contentType ?? 'application/json').split(';')[0]?.trim() ?? '';
  if (!accepted.includes(type)) throw unsupported(accepted);
  if (body.trim() === '') throw badRequest('the body of the request is empty');
  try {
    return type.endsWith('yaml') ? parseYamlBody(body) : JSON.parse(body);
  } catch (e) {
    throw badRequest(`error decoding ${type.endsWith('yaml') ? 'YAML' : 'JSON'}: ${(e as Error).message}`);
  }
}

/**
 * A YAML body. JSON is YAML, and clients (polis, kubectl) send apply patches as JSON: a body that parses as JSON is
 * taken as such without the YAML parser's cost (the same value: the YAML 1.2 core schema reads a JSON document as
 * JSON does), unless it repeats a key, which JSON.parse would let through and YAML refuses.
 */
function parseYamlBody(body: string): unknown {
  if (body.trimStart().startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return parseYaml(body);
    }
    if (!repeatsKey(body, value)) return value;
  }
  return parseYaml(body);
}

/** Whether the JSON text has more keys than the parsed value (a key repeated in one object). */
function repeatsKey(text: string, value: unknown): boolean {
  let keys = 0;
  const count = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(count);
    else if (typeof v === 'object' && v !== null)
      for (const k in v) {
        keys++;
        count((v as Record<string, unknown>)[k]);
      }
  };
  count(value);
  // Every key in the text is a string followed by a colon (outside strings, a colon follows only a key).
  let inText = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ':') inText++;
  }
  return inText !== keys;
}

const writeOptions = (r: ResourceRequest): WriteOptions => {
  const manager = r.query.get('fieldManager') || (r.userAgent ?? '').split('/')[0] || 'unknown';
  return {
    manager,
    dryRun: r.query.getAll('dryRun').includes('All'),
    ...(r.subresource ? { subresource: r.subresource } : {}),
  };
};

const PATCH_TYPES: Record<string, 'json' | 'merge' | 'strategic' | 'apply'> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function handleResource(deps: HandlerDeps, r: ResourceRequest, verb: Verb): Answer {
  const { registry } = deps;
  const { def, namespace: ns, name } = r;
  switch (verb) {
    case 'get':
      return { status: 200, body: registry.get(def, ns, name as string) };
    case 'list':
      return { status: 200, body: list(deps, r) };
    case 'create': {
      if (def.kind === 'SelfSubjectAccessReview') return accessReview(deps, r);
      const body = decode(r.body, r.contentType, ['application/json', 'application/yaml']) as KubeObject;
      return { status: 201, body: registry.create(def, ns, body, writeOptions(r)) };
    }
    case 'update': {
      const body = decode(r.body, r.contentType, ['application/json', 'application/yaml']) as KubeObject;
      return { status: 200, body: registry.update(def, ns, name as string, body, writeOptions(r)) };
    }
    case 'patch': {
      const type = (r.contentType ?? '').split(';')[0]?.trim() ?? '';
      const kind = PATCH_TYPES[type];
      if (!kind) throw unsupported(Object.keys(PATCH_TYPES).filter((t) => !t.includes('strategic')));
      const patch = decode(r.body, type, [type]);
      const force = r.query.get('force');
      if (kind !== 'apply') {
        if (force !== null)
          throw patchOptionsInvalid(
            'force',
            'FieldValueForbidden',
            'Forbidden: may not be specified for non-apply patch',
          );
        return { status: 200, body: registry.patch(def, ns, name as string, kind, patch, writeOptions(r)) };
      }
      if (!r.query.get('fieldManager'))
        throw patchOptionsInvalid('fieldManager', 'FieldValueRequired', 'Required value: is required for apply patch');
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
        throw badRequest('error decoding YAML: the apply patch is not an object');
      const { object, created } = registry.apply(def, ns, name as string, patch as KubeObject, {
        ...writeOptions(r),
        force: force === 'true',
      });
      return { status: created ? 201 : 200, body: object };
    }
    case 'delete': {
      const body =
        r.body.trim() === '' ? undefined : decode(r.body, r.contentType, ['application/json', 'application/yaml']);
      const result = deps.gc.delete(def, ns, name as string, deleteOptions(r.query, body));
      return {
        status: 200,
        body: result.body,
        ...(result.warning ? { headers: { Warning: `299 - "${result.warning}"` } } : {}),
      };
    }
    case 'deletecollection': {
      const body =
        r.body.trim() === '' ? undefined : decode(r.body, r.contentType, ['application/json', 'application/yaml']);
      const options = deleteOptions(r.query, body);
      for (const o of selected(deps, r)) deps.gc.delete(def, o.metadata?.namespace, o.metadata?.name ?? '', options);
      return { status: 200, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };
    }
    default:
      throw methodNotAllowed();
  }
}

const patchOptionsInvalid = (field: string, reason: string, message: string): KubeError =>
  new KubeError(422, 'Invalid', `PatchOptions.meta.k8s.io "" is invalid: ${field}: ${message}`, {
    group: 'meta.k8s.io',
    kind: 'PatchOptions',
    causes: [{ reason, message, field }],
  });

function selected(deps: HandlerDeps, r: ResourceRequest): KubeObject[] {
  const label = parseLabelSelector(r.query.get('labelSelector') ?? undefined);
  const field = parseFieldSelector(r.query.get('fieldSelector') ?? undefined, r.def.kind);
  return deps.registry.store.list(r.def, r.namespace).filter((o) => label(o) && field(o));
}

interface ContinueToken {
  rv: number;
  start: string;
}

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function list(deps: HandlerDeps, r: ResourceRequest): Record<string, unknown> {
  const store = deps.registry.store;
  const label = parseLabelSelector(r.query.get('labelSelector') ?? undefined);
  const field = parseFieldSelector(r.query.get('fieldSelector') ?? undefined, r.def.kind);
  let listRv = store.resourceVersion;
  let start = '';
  let items: KubeObject[];
  const cont = r.query.get('continue');
  if (cont) {
    let token: ContinueToken;
    try {
      token = JSON.parse(Buffer.from(cont, 'base64url').toString()) as ContinueToken;
      if (typeof token.rv !== 'number' || typeof token.start !== 'string') throw new Error('bad token');
    } catch {
      throw badRequest(`continue key is not valid: ${cont}`);
    }
    listRv = token.rv;
    start = token.start;
    items = store.listAt(r.def, r.namespace, listRv, CONTINUE_EXPIRED);
  } else if (r.query.get('resourceVersionMatch') === 'Exact') {
    const rv = Number(r.query.get('resourceVersion'));
    if (!Number.isInteger(rv) || rv <= 0)
      throw badRequest('resourceVersionMatch "Exact" requires a resourceVersion other than "0"');
    const since = store.eventsSince(rv);
    if ('expired' in since) throw gone(since.expired);
    listRv = rv;
    items = store.listAt(r.def, r.namespace, rv, '');
  } else items = store.list(r.def, r.namespace);

  const keyOf = (o: KubeObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  items = items.filter((o) => keyOf(o) > start && label(o) && field(o));
  const limit = Number(r.query.get('limit') ?? 0);
  let next: string | undefined;
  let remaining: number | undefined;
  if (limit > 0 && items.length > limit) {
    remaining = items.length - limit;
    items = items.slice(0, limit);
    next = Buffer.from(JSON.stringify({ rv: listRv, start: keyOf(items[items.length - 1] as KubeObject) })).toString(
      'base64url',
    );
  }
  const selectors = r.query.get('labelSelector') || r.query.get('fieldSelector');
  return {
    kind: `${r.def.kind}List`,
    apiVersion: apiVersionOf(r.def),
    metadata: {
      resourceVersion: String(listRv),
      ...(next ? { continue: next } : {}),
      ...(remaining !== undefined && !selectors ? { remainingItemCount: remaining } : {}),
    },
    // Items of a list come without apiVersion and kind, as from a real API server.
    items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
  };
}

function accessReview(deps: HandlerDeps, r: ResourceRequest): Answer {
  const review = decode(r.body, r.contentType, ['application/json', 'application/yaml']) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const attrs = review?.spec?.resourceAttributes ?? {};
  const denied = (deps.opts.forbid ?? []).some(
    (f) =>
      f.verb === attrs.verb &&
      f.resource === attrs.resource &&
      (f.group === undefined || f.group === (attrs.group ?? '')),
  );
  return {
    status: 201,
    body: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: review?.spec ?? {},
      status: denied
        ? { allowed: false, denied: true }
        : { allowed: true, reason: 'allowed by the fake-kube forbid list' },
    },
  };
}
