/**
 * The object store: one global resourceVersion counter (like etcd's revision), objects keyed by resource, namespace
 * and name, and a bounded event history for watch resumption and consistent (paginated) lists.
 */
import type { ResourceDef } from './resources.ts';
import { gone } from './status.ts';
import type { KubeObject } from './types.ts';
import { copyJson } from './copy.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  type: EventType;
  def: ResourceDef;
  key: string;
  object: KubeObject;
  /** The object before a MODIFIED or DELETED. */
  prev?: KubeObject;
}

const objectKey = (def: ResourceDef, ns: string | undefined, name: string): string =>
  `${def.group}/${def.resource}/${ns ?? ''}/${name}`;

export class Store {
  private rv = 1;
  /** Resume is possible from any resourceVersion >= floor. */
  private floor = 1;
  private readonly objects = new Map<string, KubeObject>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly historyLimit: number;

  constructor(historyLimit: number) {
    this.historyLimit = historyLimit;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(objectKey(def, def.namespaced ? ns : undefined, name));
    return o && copyJson(o);
  }

  /** Objects of one resource (all namespaces when ns is undefined), sorted by namespace and name like etcd keys. */
  list(def: ResourceDef, ns?: string, where?: (o: Readonly<KubeObject>) => boolean): KubeObject[] {
    const ofDef = this.byDef.get(def);
    if (!ofDef) return [];
    // One namespace is read from its own index; only what is returned is copied: a controller looking for the few
    // objects of one namespace among thousands stays cheap.
    const scope =
      def.namespaced && ns !== undefined ? [ofDef.get(ns) ?? new Map<string, KubeObject>()] : ofDef.values();
    const found: [string, KubeObject][] = [];
    for (const objects of scope) for (const entry of objects) if (!where || where(entry[1])) found.push(entry);
    return found.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => copyJson(o));
  }

  /**
   * The stored objects of one resource as they are, not copied: for read-only scans that must stay cheap (the
   * scheduler sums every pod's requests for each pod it binds). Never change what it yields.
   */
  *scan(def: ResourceDef): Iterable<Readonly<KubeObject>> {
    for (const objects of this.byDef.get(def)?.values() ?? []) yield* objects.values();
  }

  /** Every object of a namespace, of every resource. */
  inNamespace(ns: string): { def: ResourceDef; object: KubeObject }[] {
    return [...this.objectsWithDefs()].filter((e) => e.def.namespaced && e.object.metadata?.namespace === ns);
  }

  /** All stored objects, for the garbage collector. */
  *objectsWithDefs(): Iterable<{ def: ResourceDef; object: KubeObject }> {
    for (const [key, object] of this.objects) yield { def: this.defs.get(key) as ResourceDef, object };
  }

  private readonly defs = new Map<string, ResourceDef>();
  /**
   * The objects of each resource by namespace ('' for cluster-scoped ones), so that listing one resource, or one
   * namespace of it, does not walk every object.
   */
  private readonly byDef = new Map<ResourceDef, Map<string, Map<string, KubeObject>>>();

  private indexOf(def: ResourceDef, ns: string | undefined): Map<string, KubeObject> {
    let ofDef = this.byDef.get(def);
    if (!ofDef) this.byDef.set(def, (ofDef = new Map()));
    const scope = def.namespaced ? (ns ?? '') : '';
    let objects = ofDef.get(scope);
    if (!objects) ofDef.set(scope, (objects = new Map()));
    return objects;
  }

  /** The list as it was at resourceVersion `rv` (410 Expired when history no longer reaches back that far). */
  listAt(def: ResourceDef, ns: string | undefined, rv: number, what: string): KubeObject[] {
    if (rv >= this.rv) return this.list(def, ns);
    if (rv < this.floor) throw gone(what);
    const snapshot = new Map<string, KubeObject>();
    for (const o of this.list(def, undefined))
      snapshot.set(objectKey(def, o.metadata?.namespace, o.metadata?.name ?? ''), o);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const e = this.history[i] as StoreEvent;
      if (e.rv <= rv) break;
      if (e.def !== def) continue;
      if (e.type === 'ADDED') snapshot.delete(e.key);
      else snapshot.set(e.key, copyJson(e.prev as KubeObject));
    }
    const prefix = `${def.group}/${def.resource}/${def.namespaced && ns !== undefined ? `${ns}/` : ''}`;
    return [...snapshot.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => o);
  }

  /** Events after `rv`, or a 410 message when they are no longer kept. */
  eventsSince(rv: number): StoreEvent[] | { expired: string } {
    if (rv < this.floor) return { expired: `too old resource version: ${rv} (${this.floor})` };
    return this.history.filter((e) => e.rv > rv);
  }

  /** Stores a new or changed object, assigning the next resourceVersion. */
  put(def: ResourceDef, object: KubeObject): KubeObject {
    const meta = object.metadata ?? {};
    const key = objectKey(def, def.namespaced ? meta.namespace : undefined, meta.name ?? '');
    const prev = this.objects.get(key);
    this.rv++;
    const stored = copyJson(object);
    (stored.metadata ??= {}).resourceVersion = String(this.rv);
    this.objects.set(key, stored);
    this.defs.set(key, def);
    this.indexOf(def, meta.namespace).set(key, stored);
    this.record({
      rv: this.rv,
      type: prev ? 'MODIFIED' : 'ADDED',
      def,
      key,
      object: stored,
      ...(prev ? { prev } : {}),
    });
    return copyJson(stored);
  }

  remove(def: ResourceDef, ns: string | undefined, name: string): KubeObject | undefined {
    const key = objectKey(def, def.namespaced ? ns : undefined, name);
    const prev = this.objects.get(key);
    if (!prev) return undefined;
    this.objects.delete(key);
    this.defs.delete(key);
    this.indexOf(def, ns).delete(key);
    this.rv++;
    const object = copyJson(prev);
    (object.metadata ??= {}).resourceVersion = String(this.rv);
    this.record({ rv: this.rv, type: 'DELETED', def, key, object, prev });
    return copyJson(object);
  }

  compact(): void {
    this.history = [];
    this.floor = this.rv;
  }

  private record(e: StoreEvent): void {
    this.history.push(e);
    while (this.history.length > this.historyLimit) {
      const dropped = this.history.shift() as StoreEvent;
      this.floor = dropped.rv;
    }
    for (const l of this.listeners) l(e);
  }
}
