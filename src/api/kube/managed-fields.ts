import { codedCause, ConflictError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import { isPlainObject, jsonEqual } from '../../resources/merge-patch.ts';
import type { ListRule } from './kube-list-keys.ts';

/**
 * Server-side apply (pure): field ownership per manager and the merge of an applied configuration into the current
 * object. Simplified from Kubernetes (docs/api.md, "Server-side apply"): objects are merged key by key; a list the
 * kind keys (`x-kubernetes-list-type: map`, kube-list-keys.ts) merges item by item, each item owned as
 * `k:{"name":"web"}` and its fields apart; a `set` list value by value (`v:"x"`); every other list is atomic (owned
 * and replaced whole); only `Apply` operations record ownership. `metadata.managedFields` has Kubernetes' shape: `{manager, operation, apiVersion, time, fieldsType:
 * "FieldsV1", fieldsV1: {"f:spec": {"f:replicas": {}}}}`.
 */
export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly time: string;
  readonly fieldsType: 'FieldsV1';
  readonly fieldsV1: Record<string, unknown>;
}

type Path = readonly string[];
type Doc = Record<string, unknown>;

/** How the list at a dotted path merges (`[]` for each item of a list); undefined: atomic. */
export type ListRules = (path: string) => ListRule | undefined;

const isItem = (seg: string | undefined) => seg !== undefined && (seg.startsWith('k:{') || seg.startsWith('v:'));

/** The segment naming a keyed list's item, as Kubernetes' FieldsV1 does: `k:{"name":"web"}`. */
const itemSegment = (key: string, value: unknown) => `k:${JSON.stringify({ [key]: value })}`;

function matches(item: unknown, seg: string): boolean {
  if (seg.startsWith('v:')) return jsonEqual(item, JSON.parse(seg.slice(2)));
  const keys = JSON.parse(seg.slice(2)) as Doc;
  return isPlainObject(item) && Object.entries(keys).every(([k, v]) => jsonEqual(item[k], v));
}

/**
 * The fields a configuration sets: leaves of its objects (atomic lists and scalars are leaves; a keyed list's item is
 * a field of its own, `k:{…}`, beside its fields; a set list's value `v:…`); not status or identity.
 */
export function fieldPaths(config: Doc, rules: ListRules = () => undefined): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: string[], dotted: string) => {
    const rule = Array.isArray(v) ? rules(dotted) : undefined;
    if (rule && Array.isArray(v)) {
      for (const item of v) {
        if (rule.type === 'set') out.push([...path, `v:${JSON.stringify(item)}`]);
        else if (isPlainObject(item) && item[rule.key] !== undefined) {
          const seg = itemSegment(rule.key, item[rule.key]);
          out.push([...path, seg]);
          for (const [k, child] of Object.entries(item))
            if (k !== rule.key) walk(child, [...path, seg, k], `${dotted}[].${k}`);
        }
      }
    } else if (isPlainObject(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k], `${dotted}.${k}`);
    } else out.push(path);
  };
  for (const [k, v] of Object.entries(config)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    if (k === 'metadata') {
      if (!isPlainObject(v)) continue;
      for (const m of ['labels', 'annotations'] as const)
        if (isPlainObject(v[m])) for (const key of Object.keys(v[m])) out.push(['metadata', m, key]);
      if (v.finalizers !== undefined) out.push(['metadata', 'finalizers']);
      continue;
    }
    walk(v, [k], k);
  }
  return out;
}

export function toFieldsV1(paths: readonly Path[]): Record<string, unknown> {
  const root: Doc = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) node = (node[isItem(seg) ? seg : `f:${seg}`] ??= {}) as Doc;
    if (p[p.length - 1]?.startsWith('k:{')) node['.'] = {};
  }
  return root;
}

export function fromFieldsV1(fields: unknown): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, path: string[]) => {
    const keys = isPlainObject(node) ? Object.keys(node).filter((k) => k.startsWith('f:') || isItem(k)) : [];
    if (keys.length === 0 || (isPlainObject(node) && '.' in node)) {
      if (path.length > 0) out.push(path);
    }
    for (const k of keys) walk((node as Doc)[k], [...path, isItem(k) ? k : k.slice(2)]);
  };
  walk(fields, []);
  return out;
}

/** A path as Kubernetes prints it in a conflict: `.spec.components`. */
export function fieldPathText(p: Path): string {
  return p
    .map((s) => {
      if (s.startsWith('k:{'))
        return `[${Object.entries(JSON.parse(s.slice(2)) as Doc)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(',')}]`;
      if (s.startsWith('v:')) return `[=${s.slice(2)}]`;
      return /^[A-Za-z0-9_]+$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`;
    })
    .join('');
}

const overlaps = (a: Path, b: Path) => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};
const same = (a: Path, b: Path) => a.length === b.length && overlaps(a, b);
/** Two owned fields clash unless one is a list item and the other a field inside it (the item owned apart). */
const clashes = (a: Path, b: Path) => {
  if (!overlaps(a, b)) return false;
  const shorter = a.length <= b.length ? a : b;
  return a.length === b.length || !isItem(shorter[shorter.length - 1]);
};

/** The child of a node by segment: a field of an object, or the item of a list a `k:`/`v:` segment names. */
function child(node: unknown, seg: string): unknown {
  if (isItem(seg)) return Array.isArray(node) ? node.find((i) => matches(i, seg)) : undefined;
  return isPlainObject(node) && Object.hasOwn(node, seg) ? node[seg] : undefined;
}

function valueAt(doc: unknown, p: Path): unknown {
  let node = doc;
  for (const seg of p) {
    node = child(node, seg);
    if (node === undefined) return undefined;
  }
  return node;
}

/** What a field compares by: a list item by its presence (its fields are fields of their own). */
const compared = (doc: unknown, p: Path) => {
  const v = valueAt(doc, p);
  return isItem(p[p.length - 1]) && v !== undefined ? true : v;
};

/** The item a segment names, made if absent (a keyed item with its key, a set's value). */
function itemIn(list: unknown[], seg: string): unknown {
  const found = list.find((i) => matches(i, seg));
  if (found !== undefined) return found;
  const made = seg.startsWith('v:') ? JSON.parse(seg.slice(2)) : { ...(JSON.parse(seg.slice(2)) as Doc) };
  list.push(made);
  return made;
}

function setAt(doc: Doc, p: Path, value: unknown): void {
  let node: unknown = doc;
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    const last = i === p.length - 1;
    if (isItem(seg)) {
      node = itemIn(node as unknown[], seg);
      continue;
    }
    const obj = node as Doc;
    if (last) obj[seg] = structuredClone(value);
    else {
      const nextItem = isItem(p[i + 1]);
      if (nextItem ? !Array.isArray(obj[seg]) : !isPlainObject(obj[seg])) obj[seg] = nextItem ? [] : {};
      node = obj[seg];
    }
  }
}

function deleteAt(doc: Doc, p: Path): void {
  const parents: unknown[] = [];
  let node: unknown = doc;
  for (const seg of p.slice(0, -1)) {
    parents.push(node);
    node = child(node, seg);
    if (node === undefined) return;
  }
  const last = p[p.length - 1]!;
  if (isItem(last)) {
    if (Array.isArray(node)) {
      const at = node.findIndex((i) => matches(i, last));
      if (at >= 0) node.splice(at, 1);
    }
    return;
  }
  if (!isPlainObject(node)) return;
  delete node[last];
  // Objects the removal emptied go too (as Kubernetes prunes them), but never spec or metadata themselves.
  for (let i = parents.length - 1; i >= 1; i--) {
    const parent = parents[i];
    const seg = p[i]!;
    if (!isPlainObject(parent)) continue;
    const c = parent[seg];
    if (isPlainObject(c) && Object.keys(c).length === 0) delete parent[seg];
  }
}

export interface ApplyInput {
  /** The object now (Kubernetes view), or undefined: the apply creates it. */
  readonly current: Doc | undefined;
  readonly applied: Doc;
  readonly manager: string;
  readonly force: boolean;
  readonly now: string;
  /** How the kind's lists merge (kube-list-keys.ts); without it every list is atomic. */
  readonly rules?: ListRules;
}

/**
 * The object after `manager` applies `applied`: its fields set, the fields it applied before and no longer names
 * removed (unless another manager owns them too), ownership recorded. A field another manager owns with a different
 * value is a conflict: 409 naming each field and its manager, unless `force` (the applier takes the field).
 */
export function serverSideApply(input: ApplyInput): Doc {
  const { applied, manager, force, now } = input;
  const current = input.current ?? {};
  const meta = (isPlainObject(current.metadata) ? current.metadata : {}) as Doc;
  const entries = ((meta.managedFields as ManagedFieldsEntry[] | undefined) ?? []).map((e) => ({
    ...e,
    paths: fromFieldsV1(e.fieldsV1),
  }));
  const mine = (e: { manager: string; operation: string }) => e.manager === manager && e.operation === 'Apply';
  const paths = fieldPaths(applied, input.rules);
  const conflicts: { field: Path; manager: string }[] = [];
  for (const e of entries) {
    if (mine(e)) continue;
    const kept = e.paths.filter((q) => {
      const clash = paths.find((p) => clashes(p, q) && !jsonEqual(compared(current, p), compared(applied, p)));
      if (!clash) return true;
      if (!force) conflicts.push({ field: q.length < clash.length ? q : clash, manager: e.manager });
      return false;
    });
    e.paths = kept;
  }
  if (conflicts.length > 0) {
    const each = conflicts.map((c) =>
      msg('FieldManagerConflict', { manager: c.manager, field: fieldPathText(c.field) }),
    );
    throw new ConflictError(
      msg('ApplyConflicts', { count: conflicts.length, conflicts: each }),
      conflicts.map((c, i) => codedCause(fieldPathText(c.field), each[i]!)),
    );
  }
  const next = structuredClone(current);
  const before = entries.find(mine)?.paths ?? [];
  const others = entries.filter((e) => !mine(e)).flatMap((e) => e.paths);
  for (const p of before) {
    if (paths.some((q) => clashes(p, q)) || others.some((q) => (isItem(p[p.length - 1]) ? overlaps(p, q) : same(p, q))))
      continue;
    deleteAt(next, p);
  }
  for (const p of paths) setAt(next, p, valueAt(applied, p));
  next.apiVersion = applied.apiVersion ?? next.apiVersion;
  next.kind = applied.kind ?? next.kind;
  const appliedMeta = (isPlainObject(applied.metadata) ? applied.metadata : {}) as Doc;
  const nextMeta = (isPlainObject(next.metadata) ? next.metadata : {}) as Doc;
  for (const k of ['name', 'namespace', 'tenant'] as const)
    if (appliedMeta[k] !== undefined) nextMeta[k] = appliedMeta[k];
  const managed: ManagedFieldsEntry[] = [];
  let placed = false;
  for (const e of entries) {
    const { paths: owned, ...entry } = e;
    if (mine(e)) {
      placed = true;
      managed.push({ ...entry, apiVersion: String(next.apiVersion), time: now, fieldsV1: toFieldsV1(paths) });
    } else if (owned.length > 0) managed.push({ ...entry, fieldsV1: toFieldsV1(owned) });
  }
  if (!placed && paths.length > 0)
    managed.push({
      manager,
      operation: 'Apply',
      apiVersion: String(next.apiVersion),
      time: now,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(paths),
    });
  nextMeta.managedFields = managed;
  next.metadata = nextMeta;
  return next;
}
