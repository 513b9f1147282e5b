import { createHash } from 'node:crypto';
import type { ApplyAction } from '../clusters/driver.ts';
import { InputError, NotFoundError } from '../kernel/errors.ts';
import { manifestKey, type Manifest } from '../kernel/manifest.ts';
import type { KindInfo } from './api-kinds.ts';
import { desiredFields } from '../kernel/manifest.ts';
import { clone, createOnlySet, deepEqual, isObject, merged, satisfies } from './apply-merge.ts';
import { isoSeconds } from './controller-support.ts';
import { validateManifest, validateUpdate } from './manifest-validation.ts';
import type { ObjectStore, StoredObject } from './object-store.ts';
import type { Rng } from './random.ts';

type Json = Record<string, unknown>;

/** What object writes need from their cluster. */
export interface ObjectHost {
  readonly store: ObjectStore;
  readonly rng: Rng;
  now(): number;
  nextResourceVersion(): string;
  objectCreated(stored: StoredObject): void;
  objectUpdated(stored: StoredObject): void;
  objectDeleted(stored: StoredObject): void;
}

/**
 * Server-side apply of one manifest from polis as the only field manager. A repeat of the last applied manifest is
 * answered from a stored hash without reading the object; otherwise the manifest is validated and compared field
 * by field. Create-only paths (`spec.replicas`, or `*` for the whole object) are set at creation and left alone
 * afterwards. Nothing is written when the answer is `unchanged`.
 */
export function applyManifest(host: ObjectHost, m: Manifest, createOnlyPaths: readonly string[] = []): ApplyAction {
  const existing = isObject(m) && isObject(m.metadata) ? host.store.get(manifestKey(m)) : undefined;
  const hash = applyHash(m, createOnlyPaths);
  if (existing !== undefined && existing.lastAppliedHash === hash) return 'unchanged';
  const info = validateManifest(m);
  const desired = desiredFields(m as unknown as Json);
  if (existing === undefined) {
    const stored = create(host, info, desired);
    stored.lastAppliedHash = hash;
    return 'created';
  }
  const createOnly = createOnlySet(createOnlyPaths);
  if (createOnly.has('*') || satisfies(existing.obj, desired, createOnly)) {
    existing.lastAppliedHash = hash;
    return 'unchanged';
  }
  const next = merged(existing.obj, desired, createOnly);
  validateUpdate(info, existing.obj, next);
  writeLive(host, existing, next);
  existing.lastAppliedHash = hash;
  return 'configured';
}

/** Creates an object the way a controller does (no apply bookkeeping); an existing one is returned as it is. */
export function createObject(host: ObjectHost, m: Manifest): StoredObject {
  const existing = host.store.get(manifestKey(m));
  if (existing !== undefined) return existing;
  const info = validateManifest(m);
  return create(host, info, desiredFields(m as unknown as Json));
}

/**
 * Deletes an object with background propagation: a Namespace takes everything in it, a workload its pods (and a
 * CronJob its Jobs). Returns false when there was nothing to delete.
 */
export function deleteObject(host: ObjectHost, key: string): boolean {
  const stored = host.store.get(key);
  if (stored === undefined) return false;
  if (stored.info.kind === 'Namespace') {
    for (const k of host.store.namespaceKeys(stored.name)) deleteObject(host, k);
  }
  host.store.remove(key);
  host.objectDeleted(stored);
  return true;
}

/**
 * An operator's in-cluster edit (`kubectl edit`): the change runs on a copy, which must still be a valid object of
 * the same identity; generation moves when anything outside metadata changed.
 */
export function mutateObject(host: ObjectHost, key: string, change: (obj: Json) => void): void {
  const stored = host.store.get(key);
  if (stored === undefined) throw new NotFoundError(`${key} not found`);
  const copy = clone(stored.obj);
  change(copy);
  validateManifest(copy);
  if (manifestKey(copy as unknown as Manifest) !== key) {
    throw new InputError(`an edit may not change an object's identity (${key})`, [
      { path: 'metadata', message: 'apiVersion, kind, namespace and name are fixed' },
    ]);
  }
  const meta = copy.metadata as Json;
  const was = stored.obj.metadata as Json;
  for (const field of ['uid', 'creationTimestamp', 'generation', 'resourceVersion']) meta[field] = was[field];
  if (deepEqual(copy, stored.obj)) return;
  validateUpdate(stored.info, stored.obj, copy);
  writeLive(host, stored, copy);
}

/** Stores a new live object: resourceVersion moves, generation too when anything but metadata changed. */
export function writeLive(host: ObjectHost, stored: StoredObject, next: Json): void {
  const before = stored.obj;
  let specChanged = false;
  for (const k of new Set([...Object.keys(before), ...Object.keys(next)])) {
    if (k !== 'metadata' && k !== 'status' && !deepEqual(before[k], next[k])) specChanged = true;
  }
  const meta = next.metadata as Json;
  const generation = ((before.metadata as Json).generation as number) + (specChanged ? 1 : 0);
  host.store.replace(stored, {
    ...next,
    metadata: { ...meta, generation, resourceVersion: host.nextResourceVersion() },
  });
  stored.lastAppliedHash = undefined;
  host.objectUpdated(stored);
}

function create(host: ObjectHost, info: KindInfo, desired: Json): StoredObject {
  const meta = desired.metadata as Json;
  const namespace = info.namespaced ? String(meta.namespace) : '';
  if (info.namespaced && host.store.get(`v1/Namespace//${namespace}`) === undefined) {
    throw new NotFoundError(`namespaces "${namespace}" not found`, [
      { path: 'metadata.namespace', message: `namespace ${namespace} does not exist: apply the Namespace first` },
    ]);
  }
  const { apiVersion, kind, metadata: _metadata, ...rest } = clone(desired);
  const obj: Json = {
    apiVersion,
    kind,
    metadata: {
      ...clone(meta),
      uid: host.rng.uuid(),
      resourceVersion: host.nextResourceVersion(),
      generation: 1,
      creationTimestamp: isoSeconds(host.now()),
    },
    ...rest,
  };
  const stored: StoredObject = {
    key: manifestKey(obj as unknown as Manifest),
    info,
    namespace,
    name: String(meta.name),
    obj,
    status: undefined,
    lastAppliedHash: undefined,
  };
  host.store.add(stored);
  host.objectCreated(stored);
  return stored;
}

/** The hash of a manifest as applied (with its create-only paths): JSON text as given, so it costs one pass. */
function applyHash(m: unknown, createOnlyPaths: readonly string[]): string {
  return createHash('sha1')
    .update(JSON.stringify(m))
    .update('\u0000')
    .update(createOnlyPaths.join(','))
    .digest('base64');
}
