import { listRuleOf } from './kube-list-keys.ts';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { objectMetaInput } from '../../resources/envelope.ts';
import type { KindDefinition } from '../../resources/registry.ts';

/**
 * OpenAPI v3 documents per group version, as Kubernetes serves them under /openapi/v3 (pure): each kind's schema comes
 * from its zod schema, with `x-kubernetes-group-version-kind` so `kubectl explain` and client-side validation find it.
 */

/** `core.oam.dev` + `v1beta1` + `Application` → `dev.oam.core.v1beta1.Application`, Kubernetes' schema naming. */
export function schemaName(group: string, version: string, kind: string): string {
  const reversed = group === '' ? 'io.k8s.api.core' : group.split('.').reverse().join('.');
  return `${reversed}.${version}.${kind}`;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' }) as Record<
      string,
      unknown
    >;
  } catch {
    return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/** Moves a schema's `$defs` into components under `prefix.` and points its references there. */
function hoist(
  schema: Record<string, unknown>,
  prefix: string,
  into: Record<string, unknown>,
): Record<string, unknown> {
  const { $defs, $schema: _s, ...rest } = schema as { $defs?: Record<string, unknown>; $schema?: unknown };
  const rewrite = (v: unknown) =>
    JSON.parse(JSON.stringify(v).replaceAll('"#/$defs/', `"#/components/schemas/${prefix}.`)) as Record<
      string,
      unknown
    >;
  for (const [k, v] of Object.entries($defs ?? {})) into[`${prefix}.${k}`] = rewrite(v);
  return rewrite(rest);
}

function objectMetaSchema(): Record<string, unknown> {
  const meta = hoist(jsonSchema(objectMetaInput), OBJECT_META, {});
  const props = (meta.properties ?? {}) as Record<string, Record<string, unknown>>;
  const describe: Record<string, string> = {
    name: 'Name of the object, unique in its namespace (department) and kind: a DNS-1123 label.',
    namespace: 'The department (polis tenant) the object belongs to; the same as tenant.',
    tenant: 'The department the object belongs to (polis name of the namespace).',
    labels: 'Labels for selecting objects.',
    annotations: 'Annotations: arbitrary non-identifying metadata.',
    resourceVersion: 'The store revision of the last write, for optimistic concurrency and watches.',
    generation: 'Moves each time the spec changes.',
  };
  for (const [k, d] of Object.entries(describe)) if (props[k]) props[k] = { ...props[k], description: d };
  return { ...meta, description: 'Standard object metadata.' };
}

type Schema = Record<string, unknown>;

/**
 * Marks every list of a kind's schema as Kubernetes does (kube-list-keys.ts): `x-kubernetes-list-type` map (with its
 * keys and the strategic merge patch key), set, or atomic, so clients know how patches and server-side apply merge
 * them. References into the components are followed (a definition shared by two paths carries the first one's mark).
 */
export function markListTypes(kind: string, schema: Schema, components: Schema, path = '', depth = 0): void {
  if (depth > 24) return;
  const ref = typeof schema.$ref === 'string' ? schema.$ref.replace('#/components/schemas/', '') : undefined;
  if (ref && components[ref]) markListTypes(kind, components[ref] as Schema, components, path, depth + 1);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const)
    if (Array.isArray(schema[key]))
      for (const s of schema[key] as Schema[]) markListTypes(kind, s, components, path, depth + 1);
  if (schema.type === 'array') {
    const rule = listRuleOf(kind, path);
    schema['x-kubernetes-list-type'] = rule?.type ?? 'atomic';
    if (rule?.type === 'map') {
      schema['x-kubernetes-list-map-keys'] = [rule.key];
      schema['x-kubernetes-patch-merge-key'] = rule.key;
    }
    if (rule) schema['x-kubernetes-patch-strategy'] = 'merge';
    if (schema.items && typeof schema.items === 'object')
      markListTypes(kind, schema.items as Schema, components, `${path}[]`, depth + 1);
  }
  const props = schema.properties as Record<string, Schema> | undefined;
  if (props && typeof props === 'object')
    for (const [k, child] of Object.entries(props))
      if (k !== 'metadata' && child && typeof child === 'object')
        markListTypes(kind, child, components, path ? `${path}.${k}` : k, depth + 1);
}

/** The components of one kind: its schema, named as Kubernetes names it. */
function kindSchema(def: KindDefinition, components: Record<string, unknown>): void {
  const name = schemaName(def.group, def.version, def.kind);
  const body = hoist(jsonSchema(def.schema), name, components);
  const props = { ...((body.properties as Record<string, unknown>) ?? {}) };
  props.apiVersion = {
    type: 'string',
    description: 'APIVersion defines the versioned schema of this representation of an object.',
  };
  props.kind = { type: 'string', description: 'Kind is a string value representing the REST resource.' };
  props.metadata = {
    allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }],
    description: 'Standard object metadata.',
  };
  components[name] = {
    ...body,
    description: def.description,
    properties: props,
    required: [
      'apiVersion',
      'kind',
      'metadata',
      ...((body.required as string[] | undefined) ?? []).filter((r) => r !== 'apiVersion' && r !== 'kind'),
    ],
    'x-kubernetes-group-version-kind': [{ group: def.group, version: def.version, kind: def.kind }],
  };
  markListTypes(def.kind, components[name] as Schema, components);
}

const NAMESPACE_SCHEMA = {
  type: 'object',
  description: 'A department of polis, read-only as a Namespace.',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }] },
    spec: { type: 'object', properties: { finalizers: { type: 'array', items: { type: 'string' } } } },
    status: { type: 'object', properties: { phase: { type: 'string', description: 'Active or Terminating.' } } },
  },
  'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Namespace' }],
};

const stringMap = (description: string) => ({
  type: 'object',
  description,
  additionalProperties: { type: 'string' },
});

/** core/v1 Secret as polis serves it (a department's Secret, sealed at rest). */
const SECRET_SCHEMA = {
  type: 'object',
  description:
    "A department's credentials and keys, encrypted at rest; values are never listed or watched, only read one by one by who may read secret values.",
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }] },
    type: { type: 'string', description: 'Used to facilitate programmatic handling of secret data (default Opaque).' },
    data: stringMap('The values, base64-encoded; keys are letters, digits, "-", "_" and ".".'),
    stringData: stringMap('Values in plain text, for writing only: stored base64-encoded in data.'),
  },
  'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Secret' }],
};

/** core/v1 Event as polis serves its own (read-only). */
const EVENT_SCHEMA = {
  type: 'object',
  description: 'What a polis controller did and why, about one object (read-only).',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { allOf: [{ $ref: `#/components/schemas/${OBJECT_META}` }] },
    involvedObject: {
      type: 'object',
      description: 'The object this event is about.',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
      },
    },
    type: { type: 'string', description: 'Normal or Warning.' },
    reason: { type: 'string', description: 'A short CamelCase reason code (docs/messages.md).' },
    message: {
      type: 'string',
      description: 'The English message; annotations polis.io/code and polis.io/params carry its code.',
    },
    source: {
      type: 'object',
      properties: { component: { type: 'string' }, host: { type: 'string', description: 'the cluster, if any' } },
    },
    reportingComponent: { type: 'string' },
    reportingInstance: { type: 'string' },
    count: { type: 'integer', description: 'How many times it happened.' },
    firstTimestamp: { type: 'string', format: 'date-time' },
    lastTimestamp: { type: 'string', format: 'date-time' },
  },
  'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'Event' }],
};

const query = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string' } });

/**
 * The PATCH of one object's path: kubectl looks here for `fieldValidation` (and `dryRun`) to know the server
 * validates fields itself; without it, kubectl apply validates on the client from OpenAPI v2, which polis does not serve.
 */
function patchOperation(group: string, version: string, kind: string): Record<string, unknown> {
  return {
    description: `partially update the specified ${kind}`,
    operationId: `patch${kind}`,
    parameters: [
      query('dryRun', 'All: run every check, store nothing'),
      query('fieldManager', 'who makes the change (required for server-side apply)'),
      query('fieldValidation', 'Strict, Warn or Ignore: what to do with fields the kind does not define'),
      query('force', 'server-side apply: take fields other managers own'),
    ],
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group, version, kind },
  };
}

/** The read operation of one object's path, marked with its kind. */
function readPath(group: string, version: string, kind: string, writable = false): Record<string, unknown> {
  return {
    ...(writable ? { patch: patchOperation(group, version, kind) } : {}),
    get: {
      description: `read the specified ${kind}`,
      operationId: `read${kind}`,
      responses: {
        '200': {
          description: 'OK',
          content: {
            'application/json': { schema: { $ref: `#/components/schemas/${schemaName(group, version, kind)}` } },
          },
        },
      },
      'x-kubernetes-action': 'get',
      'x-kubernetes-group-version-kind': { group, version, kind },
    },
  };
}

/** The OpenAPI v3 document of one group version (`''` + `v1` for the core group), or undefined when not served. */
export function groupVersionDocument(
  defs: readonly KindDefinition[],
  group: string,
  version: string,
  serverVersion: string,
): Record<string, unknown> | undefined {
  const components: Record<string, unknown> = { [OBJECT_META]: objectMetaSchema() };
  const paths: Record<string, unknown> = {};
  if (group === '' && version === 'v1') {
    components[schemaName('', 'v1', 'Namespace')] = NAMESPACE_SCHEMA;
    paths['/api/v1/namespaces/{name}'] = readPath('', 'v1', 'Namespace');
    const served = (kind: string) => defs.some((d) => d.kind === kind && d.group === 'polis.io');
    if (served('Secret')) {
      components[schemaName('', 'v1', 'Secret')] = SECRET_SCHEMA;
      paths['/api/v1/namespaces/{namespace}/secrets/{name}'] = readPath('', 'v1', 'Secret', true);
    }
    if (served('Event')) {
      components[schemaName('', 'v1', 'Event')] = EVENT_SCHEMA;
      paths['/api/v1/namespaces/{namespace}/events/{name}'] = readPath('', 'v1', 'Event');
    }
  } else {
    const served = defs.filter((d) => d.group === group && d.version === version);
    if (served.length === 0) return undefined;
    for (const d of served) {
      kindSchema(d, components);
      // kubectl explain finds a resource's kind from the GET of its path.
      const at = d.scope === 'tenant' ? `namespaces/{namespace}/${d.plural}` : d.plural;
      paths[`/apis/${group}/${version}/${at}/{name}`] = readPath(group, version, d.kind, d.verbs.includes('patch'));
    }
  }
  return {
    openapi: '3.0.0',
    info: { title: 'polis', version: serverVersion },
    paths,
    components: { schemas: components },
  };
}

/** `/openapi/v3`: the path of every group version's document, with a hash of its content (clients cache by it). */
export function openApiIndex(defs: readonly KindDefinition[], serverVersion: string): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const gvs: Array<[string, string]> = [['', 'v1']];
  for (const d of defs) if (!gvs.some(([g, v]) => g === d.group && v === d.version)) gvs.push([d.group, d.version]);
  for (const [g, v] of gvs) {
    const path = g === '' ? `api/${v}` : `apis/${g}/${v}`;
    const doc = groupVersionDocument(defs, g, v, serverVersion);
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 32).toUpperCase();
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}
