import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause, InputError, NotFoundError } from '../kernel/errors.ts';
import { dns1123LabelMessage } from '../kernel/names.ts';
import type { ObjectMeta, ResourceObject } from './envelope.ts';
import { objectMetaInput } from './envelope.ts';
import { metadataMapCauses } from './metadata-limits.ts';
import type { KindDefinition, KindRegistry } from './registry.ts';
import { apiVersionOf } from './registry.ts';
import { isPlainObject } from './merge-patch.ts';
import { formatPath, zodCauses } from './validation.ts';

/** Where an object is expected to live, from the request path; checked against the body. */
export interface Expected {
  readonly kind?: string;
  readonly tenant?: string;
  readonly name?: string;
}

/**
 * Validates a client-sent object of any registered kind and returns it with its definition. Every problem is
 * reported at once, each with its path (prefixed by `pathPrefix`, e.g. `documents[2]`), as one 422 InputError.
 */
export function parseObject(
  registry: KindRegistry,
  input: unknown,
  expected: Expected = {},
  pathPrefix: readonly PropertyKey[] = [],
): { def: KindDefinition; obj: ResourceObject } {
  const at = (p: readonly PropertyKey[]) => formatPath([...pathPrefix, ...p]) || '(root)';
  if (!isPlainObject(input)) {
    throw new InputError('the body must be an object with apiVersion, kind, metadata and spec', [
      {
        path: at([]),
        message: `expected an object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`,
      },
    ]);
  }
  const kind = input.kind;
  if (typeof kind !== 'string' || kind === '') {
    throw new InputError(
      'kind is missing',
      [{ path: at(['kind']), message: `required; one of: ${kindNames(registry)}` }],
      { invalid: true },
    );
  }
  const def = registry.get(kind);
  if (!def) {
    throw new InputError(
      `kind "${kind}" is not served here`,
      [{ path: at(['kind']), message: `unknown kind "${kind}"; served kinds: ${kindNames(registry)}` }],
      { invalid: true },
    );
  }
  if (expected.kind && expected.kind !== kind) {
    throw new InputError(
      `this path serves ${expected.kind}, the body is a ${kind}`,
      [{ path: at(['kind']), message: `must be "${expected.kind}" on this path` }],
      { invalid: true },
    );
  }
  const causes: ErrorCause[] = [];
  if (input.apiVersion !== apiVersionOf(def)) {
    causes.push({ path: at(['apiVersion']), message: `must be "${apiVersionOf(def)}" for kind ${kind}` });
  }
  const metaResult = objectMetaInput.safeParse(input.metadata);
  let metadata: ObjectMeta | undefined;
  if (!metaResult.success) {
    causes.push(...zodCauses(metaResult.error, [...pathPrefix, 'metadata']));
    // Still report name and tenant problems alongside, so one round trip shows everything to fix.
    const raw = input.metadata as Partial<Record<string, unknown>> | undefined;
    if (
      isPlainObject(raw) &&
      typeof raw.name === 'string' &&
      (raw.tenant === undefined || typeof raw.tenant === 'string')
    ) {
      causes.push(...metadataCauses(def, { name: raw.name, tenant: raw.tenant as string | undefined }, expected, at));
    }
  } else {
    metadata = metaResult.data as ObjectMeta;
    causes.push(...metadataCauses(def, metadata, expected, at));
  }
  const prefix = formatPath(pathPrefix);
  causes.push(...metadataMapCauses(input.metadata, prefix === '' ? '' : `${prefix}.`));
  const { metadata: _ignored, ...rest } = input;
  const body = def.schema.safeParse({ ...rest, apiVersion: def.group + '/' + def.version, kind });
  if (!body.success) causes.push(...zodCauses(body.error, pathPrefix));
  if (causes.length === 0 && def.validate) {
    causes.push(...def.validate(input as ResourceObject).map((c) => ({ ...c, path: at(c.path.split('.')) })));
  } else if (def.validate) {
    // Every problem of a document in one answer: the kind's own checks run on a body the schema refused too, as far
    // as they can read it, each reported unless the schema already named that field or one holding it.
    causes.push(...validateAnyway(def, input, causes, at));
  }
  if (causes.length > 0 || !metadata) {
    const name = metadata?.name ? ` "${metadata.name}"` : '';
    throw new InputError(
      `${kind}${name} is invalid: ${causes.map((c) => `${c.path}: ${c.message}`).join('; ')}`,
      causes,
      { invalid: true },
    );
  }
  const tenant = def.scope === 'tenant' ? (metadata.tenant ?? expected.tenant) : undefined;
  const obj = { ...(body.data as Record<string, unknown>), metadata: { ...metadata, tenant } } as ResourceObject;
  return { def, obj: def.defaults ? def.defaults(obj) : obj };
}

function validateAnyway(
  def: KindDefinition,
  input: Record<string, unknown>,
  reported: readonly ErrorCause[],
  at: (p: readonly PropertyKey[]) => string,
): ErrorCause[] {
  const covered = (path: string) =>
    reported.some((r) => path === r.path || path.startsWith(`${r.path}.`) || path.startsWith(`${r.path}[`));
  try {
    const obj = {
      ...input,
      metadata: isPlainObject(input.metadata) ? input.metadata : {},
    } as unknown as ResourceObject;
    return def.validate!(obj)
      .map((c) => ({ ...c, path: at(c.path.split('.')) }))
      .filter((c) => !covered(c.path));
  } catch {
    return []; // the body is too far from its shape for the kind's checks to read; the schema's causes stand
  }
}

function metadataCauses(
  def: KindDefinition,
  meta: ObjectMeta,
  expected: Expected,
  at: (p: readonly PropertyKey[]) => string,
): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const nameProblem = dns1123LabelMessage(meta.name);
  if (nameProblem) causes.push(codedCause(at(['metadata', 'name']), nameProblem));
  if (expected.name !== undefined && meta.name !== expected.name) {
    causes.push({ path: at(['metadata', 'name']), message: `must be "${expected.name}" to match the request path` });
  }
  if (meta.namespace !== undefined && !def.metadataNamespace) {
    causes.push({
      path: at(['metadata', 'namespace']),
      code: 'NamespaceNotTaken',
      params: { kind: def.kind },
      message: `${def.kind} takes no namespace: polis places it by its department (metadata.tenant); remove metadata.namespace`,
    });
  }
  if (def.scope === 'platform' && meta.tenant !== undefined) {
    causes.push({
      path: at(['metadata', 'tenant']),
      message: `${def.kind} is platform-scoped and belongs to no department; remove metadata.tenant`,
    });
  }
  if (def.scope === 'tenant') {
    const tenant = meta.tenant ?? expected.tenant;
    if (tenant === undefined) {
      causes.push({
        path: at(['metadata', 'tenant']),
        message: `${def.kind} belongs to a department: set metadata.tenant or use the path /tenants/{tenant}/...`,
      });
    } else if (expected.tenant !== undefined && tenant !== expected.tenant) {
      causes.push({
        path: at(['metadata', 'tenant']),
        message: `must be "${expected.tenant}" to match the request path`,
      });
    } else {
      const p = dns1123LabelMessage(tenant);
      if (p) causes.push(codedCause(at(['metadata', 'tenant']), p));
    }
  }
  return causes;
}

function kindNames(registry: KindRegistry): string {
  return registry
    .all()
    .map((d) => d.kind)
    .join(', ');
}

/** The definition of `kind`, or a 404 naming the served kinds. */
export function requireKind(registry: KindRegistry, kind: string): KindDefinition {
  const def = registry.get(kind);
  if (!def) throw new NotFoundError(`kind "${kind}" is not served here; served kinds: ${kindNames(registry)}`);
  return def;
}
