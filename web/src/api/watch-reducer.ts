/** The envelope fields the console relies on (docs/api.md, "Objects"). */
export interface ObjectMeta {
  readonly name: string;
  readonly tenant?: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly creationTimestamp?: string;
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly finalizers?: readonly string[];
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  readonly type: WatchEventType;
  readonly object: T;
}

/** A collection as the console holds it: items by key (`tenant/name`), and the newest resourceVersion seen. */
export interface CollectionState<R> {
  readonly items: ReadonlyMap<string, R>;
  /** resourceVersion of each item (and of each deletion seen), to drop an event older than what is held. */
  readonly versions: ReadonlyMap<string, number>;
  readonly resourceVersion: string;
}

export function objectKey(meta: Pick<ObjectMeta, 'name' | 'tenant'>): string {
  return `${meta.tenant ?? ''}/${meta.name}`;
}

export function emptyCollection<R>(): CollectionState<R> {
  return { items: new Map(), versions: new Map(), resourceVersion: '0' };
}

function rv(meta: ObjectMeta): number {
  const n = Number(meta.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

/**
 * Applies watch events (and list pages, as ADDED) to a collection, pure: a new state when anything changed, the
 * same state otherwise. An event older than the held object (a list page read after the event) is ignored, so a
 * list and a watch may overlap in either order; DELETED removes whatever version is held. `project` turns an
 * object into what the collection keeps (a table row), or undefined to leave it out.
 */
export function applyWatchEvents<T extends KubeObject, R>(
  state: CollectionState<R>,
  events: readonly WatchEvent<T>[],
  project: (o: T) => R | undefined,
): CollectionState<R> {
  if (events.length === 0) return state;
  let items: Map<string, R> | undefined;
  let versions: Map<string, number> | undefined;
  let newest = Number(state.resourceVersion) || 0;
  for (const e of events) {
    const key = objectKey(e.object.metadata);
    const version = rv(e.object.metadata);
    newest = Math.max(newest, version);
    const held = (versions ?? state.versions).get(key);
    if (e.type === 'DELETED') {
      if (held !== undefined && held > version) continue;
      items ??= new Map(state.items);
      versions ??= new Map(state.versions);
      items.delete(key);
      // A tombstone: a list page read before the delete and handled after it must not bring the object back.
      versions.set(key, version);
      continue;
    }
    if (held !== undefined && held >= version) continue;
    const row = project(e.object);
    items ??= new Map(state.items);
    versions ??= new Map(state.versions);
    if (row === undefined) {
      items.delete(key);
      versions.set(key, version);
    } else {
      items.set(key, row);
      versions.set(key, version);
    }
  }
  const resourceVersion = String(newest);
  if (!items && resourceVersion === state.resourceVersion) return state;
  return { items: items ?? state.items, versions: versions ?? state.versions, resourceVersion };
}

/** The collection with only the keys of a full relist kept (objects deleted while the watch was away go). */
export function retainKeys<R>(state: CollectionState<R>, keys: ReadonlySet<string>): CollectionState<R> {
  const items = new Map<string, R>();
  const versions = new Map<string, number>();
  for (const [k, v] of state.items) {
    if (!keys.has(k)) continue;
    items.set(k, v);
    versions.set(k, state.versions.get(k) ?? 0);
  }
  // Tombstones go too: the relist is the whole truth at its resourceVersion.
  return { ...state, items, versions };
}
