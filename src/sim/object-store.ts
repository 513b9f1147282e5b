import type { KindInfo } from './api-kinds.ts';
import { labelsMatch } from './label-match.ts';

type Json = Record<string, unknown>;

/** One object as the simulated API server holds it. */
export interface StoredObject {
  readonly key: string;
  readonly info: KindInfo;
  /** '' for cluster-scoped objects. */
  readonly namespace: string;
  readonly name: string;
  /** The live object without status; replaced, never changed in place, on every write. */
  obj: Json;
  status: Json | undefined;
  /** Hash of the last applied manifest; cleared by any other write, so a repeated apply can be answered at once. */
  lastAppliedHash: string | undefined;
  /** `status` as JSON, kept to tell a status write that changes nothing without comparing objects. */
  statusText?: string;
}

export function labelsOf(obj: Json): Readonly<Record<string, string>> {
  return ((obj.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
}

const ALL = '\u0001';

/**
 * Objects by key, with indexes by namespace and by label, so that listing an application's objects reads only
 * the objects that carry its labels, never the whole cluster.
 */
export class ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private readonly byLabel = new Map<string, Set<string>>();
  private readonly byKind = new Map<string, Set<string>>();

  get size(): number {
    return this.objects.size;
  }

  get(key: string): StoredObject | undefined {
    return this.objects.get(key);
  }

  add(stored: StoredObject): void {
    this.objects.set(stored.key, stored);
    addTo(this.byNamespace, stored.namespace, stored.key);
    addTo(this.byKind, kindKey(stored.namespace, stored.info.kind), stored.key);
    this.index(stored.namespace, stored.key, labelsOf(stored.obj), true);
  }

  /** Stores a new version of the live object and keeps the label index in step. */
  replace(stored: StoredObject, obj: Json): void {
    const before = labelsOf(stored.obj);
    const after = labelsOf(obj);
    if (before !== after) {
      this.index(stored.namespace, stored.key, before, false);
      this.index(stored.namespace, stored.key, after, true);
    }
    stored.obj = obj;
  }

  remove(key: string): StoredObject | undefined {
    const stored = this.objects.get(key);
    if (stored === undefined) return undefined;
    this.objects.delete(key);
    removeFrom(this.byNamespace, stored.namespace, key);
    removeFrom(this.byKind, kindKey(stored.namespace, stored.info.kind), key);
    this.index(stored.namespace, key, labelsOf(stored.obj), false);
    return stored;
  }

  /** Keys of every object in a namespace ('' for cluster-scoped ones). */
  namespaceKeys(namespace: string): string[] {
    return [...(this.byNamespace.get(namespace) ?? [])];
  }

  /** Objects of one kind in one namespace ('' for cluster-scoped ones), in no particular order. */
  ofKind(namespace: string, kind: string): StoredObject[] {
    return [...(this.byKind.get(kindKey(namespace, kind)) ?? [])].map((k) => this.objects.get(k)!);
  }

  /** Objects carrying every given label, in one namespace or all (undefined), sorted by key. */
  select(namespace: string | undefined, labels: Readonly<Record<string, string>>): StoredObject[] {
    let candidates: ReadonlySet<string> | undefined;
    for (const k in labels) {
      const set = this.byLabel.get(labelKey(ALL, k, labels[k]!));
      if (set === undefined) return [];
      if (candidates === undefined || set.size < candidates.size) candidates = set;
    }
    if (candidates === undefined) {
      candidates =
        namespace === undefined ? new Set(this.objects.keys()) : (this.byNamespace.get(namespace) ?? new Set());
    }
    const out: StoredObject[] = [];
    const inNamespace = namespace === undefined ? undefined : this.byNamespace.get(namespace);
    if (namespace !== undefined && inNamespace === undefined) return [];
    // Start from whichever is smaller: the rarest label's objects, or the namespace's.
    if (inNamespace && inNamespace.size < candidates.size) candidates = inNamespace;
    for (const key of candidates) {
      const s = this.objects.get(key)!;
      if (namespace !== undefined && s.namespace !== namespace) continue;
      if (labelsMatch(labelsOf(s.obj), labels)) out.push(s);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * Labels are indexed once, cluster-wide (a namespace's own objects are few and filtered by scan): an index per
   * namespace as well doubled the entries and made a small Set per namespace and label, most of the sim's memory.
   */
  private index(_namespace: string, key: string, labels: Readonly<Record<string, string>>, add: boolean): void {
    for (const k in labels) {
      const v = labels[k]!;
      if (add) addTo(this.byLabel, labelKey(ALL, k, v), key);
      else removeFrom(this.byLabel, labelKey(ALL, k, v), key);
    }
  }
}

function kindKey(namespace: string, kind: string): string {
  return `${namespace}\u0000${kind}`;
}

function labelKey(scope: string, k: string, v: string): string {
  return `${scope}\u0000${k}\u0000${v}`;
}

function addTo(map: Map<string, Set<string>>, at: string, key: string): void {
  let set = map.get(at);
  if (set === undefined) map.set(at, (set = new Set()));
  set.add(key);
}

function removeFrom(map: Map<string, Set<string>>, at: string, key: string): void {
  const set = map.get(at);
  if (set === undefined) return;
  set.delete(key);
  if (set.size === 0) map.delete(at);
}
