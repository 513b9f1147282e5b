import { ConflictError } from '../kernel/errors.ts';
import type { ObjectMeta, ResourceObject, StoredObject } from './envelope.ts';
import { describeKey, keyOf } from './envelope.ts';
import { isPlainObject, jsonEqual } from './merge-patch.ts';
import type { KindDefinition } from './registry.ts';
import { apiVersionOf } from './registry.ts';

// The normal form of stored objects and the checks every write makes: pure functions the resource service uses.

/**
 * A document that carries none of a kind's sensitive fields (a Secret read from a list, where values are never
 * shown, and applied back) keeps the stored values instead of erasing them. Sending the field, even empty, replaces.
 */
export function keepSensitive(def: KindDefinition, current: StoredObject, obj: ResourceObject): ResourceObject {
  if (def.sensitiveFields.length === 0 || def.sensitiveFields.some((f) => obj[f] !== undefined)) return obj;
  const kept = Object.fromEntries(
    def.sensitiveFields.filter((f) => current[f] !== undefined).map((f) => [f, current[f]]),
  );
  return { ...obj, ...kept };
}

/** The object as callers see it (a Secret's values in clear). */
export function decode(def: KindDefinition, obj: StoredObject): StoredObject {
  return def.codec ? def.codec.decode(obj) : obj;
}

/** The object as the store keeps it (a Secret's values sealed). */
export function encode(def: KindDefinition, obj: StoredObject): StoredObject {
  return def.codec ? (def.codec.encode(obj) as StoredObject) : obj;
}

/** Everything but metadata and status counts as the spec for generation (Secret data included). */
export function specChanged(current: StoredObject, next: ResourceObject): boolean {
  const strip = (o: ResourceObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return !jsonEqual(strip(current), strip(next));
}

export function checkPreconditions(current: StoredObject, meta: Partial<ObjectMeta>): void {
  const rv = meta.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
    throw new ConflictError(
      `${describeKey(keyOf(current))} was changed since you read it (your resourceVersion ${rv}, now ${current.metadata.resourceVersion}): read it again and re-apply your change`,
      [
        {
          path: 'metadata.resourceVersion',
          message: `stale; the current value is ${current.metadata.resourceVersion}`,
        },
      ],
    );
  }
}

export function stripServerFields(obj: ResourceObject): ResourceObject {
  const {
    resourceVersion: _rv,
    generation: _g,
    creationTimestamp: _c,
    deletionTimestamp: _d,
    uid: _u,
    ...meta
  } = obj.metadata;
  return { ...obj, metadata: meta };
}

export function mergeMaps(
  a?: Readonly<Record<string, string>>,
  b?: Readonly<Record<string, string>>,
): Record<string, string> | undefined {
  if (!a && !b) return undefined;
  return { ...a, ...b };
}

const META_ORDER = [
  'name',
  'tenant',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'labels',
  'annotations',
  'finalizers',
  'managedFields',
] as const;

/** Stable field order (apiVersion, kind, metadata, spec, extras, status) and no undefined or empty metadata fields. */
export function normalize(def: KindDefinition, obj: ResourceObject): StoredObject {
  const meta: Record<string, unknown> = {};
  const m = obj.metadata as unknown as Record<string, unknown>;
  for (const k of META_ORDER) {
    const v = m[k];
    if (v === undefined) continue;
    if ((k === 'labels' || k === 'annotations') && isPlainObject(v) && Object.keys(v).length === 0) continue;
    if ((k === 'finalizers' || k === 'managedFields') && Array.isArray(v) && v.length === 0) continue;
    meta[k] = v;
  }
  const out: Record<string, unknown> = { apiVersion: apiVersionOf(def), kind: def.kind, metadata: meta };
  if (obj.spec !== undefined) out.spec = obj.spec;
  for (const [k, v] of Object.entries(obj)) {
    if (['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k) || v === undefined) continue;
    out[k] = v;
  }
  if (obj.status !== undefined) out.status = obj.status;
  return out as StoredObject;
}
