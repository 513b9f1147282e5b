import { InputError } from '../../kernel/errors.ts';
import type { StoredObject } from '../../resources/envelope.ts';

/**
 * Translation between polis objects and their Kubernetes view (pure). A department is a namespace: the view carries
 * `metadata.namespace` naming the department, beside `metadata.tenant` (kept for polis's own clients). A body sent to
 * a namespaced path names its department in `metadata.namespace` (or `metadata.tenant`, or neither: the path decides).
 */

/** The object as Kubernetes clients see it: `metadata.namespace` = its department, right after the name. */
export function toKubeObject<T extends { metadata: { name: string; tenant?: string } }>(obj: T): T {
  const tenant = obj.metadata.tenant;
  if (tenant === undefined) return obj;
  const {
    name,
    tenant: _t,
    namespace: _n,
    ...rest
  } = obj.metadata as { name: string; tenant?: string; namespace?: string };
  return { ...obj, metadata: { name, tenant, namespace: tenant, ...rest } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A body sent to a Kubernetes path, turned into what the resource service takes: the department from the path
 * (`namespace`, undefined on a cluster-scoped path) and `metadata.namespace` moved to `metadata.tenant`. A body whose
 * namespace or tenant names another department than the path is refused, as Kubernetes refuses it.
 */
export function fromKubeBody(body: unknown, namespace: string | undefined): unknown {
  if (!isRecord(body) || !isRecord(body.metadata)) return body;
  const { namespace: given, ...meta } = body.metadata;
  if (namespace === undefined) return { ...body, metadata: meta };
  for (const [field, value] of [
    ['namespace', given],
    ['tenant', meta.tenant],
  ] as const) {
    if (value !== undefined && value !== namespace) {
      throw new InputError('the namespace of the provided object does not match the namespace sent on the request', [
        {
          path: `metadata.${field}`,
          code: 'NamespaceMismatch',
          params: { given: String(value), path: namespace },
          message: `"${String(value)}" differs from the namespace in the path ("${namespace}"); leave it out or name "${namespace}"`,
        },
      ]);
    }
  }
  return { ...body, metadata: { ...meta, tenant: namespace } };
}

/** A department as a read-only core/v1 Namespace. */
export function namespaceOf(tenant: StoredObject): Record<string, unknown> {
  const m = tenant.metadata;
  const display = (tenant.spec as { displayName?: { zh?: string; en?: string } } | undefined)?.displayName;
  const annotations = {
    ...(m.annotations ?? {}),
    ...(display?.zh ? { 'polis.io/display-name.zh': display.zh } : {}),
    ...(display?.en ? { 'polis.io/display-name.en': display.en } : {}),
  };
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: m.name,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
      labels: { ...(m.labels ?? {}), 'kubernetes.io/metadata.name': m.name },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: m.deletionTimestamp ? 'Terminating' : 'Active' },
  };
}

/** What a Kubernetes field selector names: `metadata.name` and `metadata.namespace` (`=`, `==`; `,` joins). */
export interface FieldSelector {
  readonly name?: string;
  readonly namespace?: string;
}

const FIELD_TERM = /^(metadata\.name|metadata\.namespace)(==|=)([a-z0-9.-]*)$/;

export function parseFieldSelector(text: string | undefined): FieldSelector {
  if (!text) return {};
  const out: { name?: string; namespace?: string } = {};
  for (const term of text.split(',')) {
    const m = FIELD_TERM.exec(term.trim());
    if (!m) {
      throw new InputError(`fieldSelector "${text}" is not supported`, [
        {
          path: 'query.fieldSelector',
          code: 'FieldSelectorUnsupported',
          params: { term },
          message: `"${term}" is not supported: only metadata.name=NAME and metadata.namespace=NAMESPACE (joined by ","); use labelSelector for the rest`,
        },
      ]);
    }
    const field = m[1] === 'metadata.name' ? 'name' : 'namespace';
    if (out[field] !== undefined && out[field] !== m[3])
      out[field] = '\0'; // two values: nothing matches
    else out[field] = m[3];
  }
  return out;
}
