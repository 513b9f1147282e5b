import { codedCause, ConflictError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import { isPlainObject, jsonEqual } from '../../resources/merge-patch.ts';

/**
 * Server-side apply (pure): field ownership per manager and the merge of an applied configuration into the current
 * object. Simplified from Kubernetes (docs/api.md, "Server-side apply"): objects are merged key by key; lists are
 * atomic (owned and replaced whole, as Kubernetes treats lists without merge keys); only `Apply` operations record
 * ownership. `metadata.managedFields` has Kubernetes' shape: `{manager, operation, apiVersion, time, fieldsType:
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

/** The fields a configuration sets: leaves of its objects (lists and scalars are leaves); not status or identity. */
export function fieldPaths(config: Doc): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (isPlainObject(v) && Object.keys(v).length > 0) {
      for (const [k, child] of Object.entries(v)) walk(child, [...path, k]);
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
    walk(v, [k]);
  }
  return out;
}

export function toFieldsV1(paths: readonly Path[]): Record<string, unknown> {
  const root: Doc = {};
  for (const p of paths) {
    let node = root;
    for (const seg of p) node = (node[`f:${seg}`] ??= {}) as Doc;
  }
  return root;
}

export function fromFieldsV1(fields: unknown): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, path: string[]) => {
    const keys = isPlainObject(node) ? Object.keys(node).filter((k) => k.startsWith('f:')) : [];
    if (keys.length === 0) {
      if (path.length > 0) out.push(path);
      return;
    }
    for (const k of keys) walk((node as Doc)[k], [...path, k.slice(2)]);
  };
  walk(fields, []);
  return out;
}

/** A path as Kubernetes prints it in a conflict: `.spec.components`. */
export function fieldPathText(p: Path): string {
  return p.map((s) => (/^[A-Za-z0-9_]+$/.test(s) ? `.${s}` : `[${JSON.stringify(s)}]`)).join('');
}

const overlaps = (a: Path, b: Path) => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
};
const same = (a: Path, b: Path) => a.length === b.length && overlaps(a, b);

function valueAt(doc: unknown, p: Path): unknown {
  let node = doc;
  for (const seg of p) {
    if (!isPlainObject(node) || !Object.hasOwn(node, seg)) return undefined;
    node = node[seg];
  }
  return node;
}

function setAt(doc: Doc, p: Path, value: unknown): void {
  let node = doc;
  for (const seg of p.slice(0, -1)) {
    if (!isPlainObject(node[seg])) node[seg] = {};
    node = node[seg] as Doc;
  }
  node[p[p.length - 1]!] = structuredClone(value);
}

function deleteAt(doc: Doc, p: Path): void {
  const parents: Doc[] = [];
  let node: unknown = doc;
  for (const seg of p.slice(0, -1)) {
    if (!isPlainObject(node)) return;
    parents.push(node);
    node = node[seg];
  }
  if (!isPlainObject(node)) return;
  delete node[p[p.length - 1]!];
  // Objects the removal emptied go too (as Kubernetes prunes them), but never spec or metadata themselves.
  for (let i = parents.length - 1; i >= 1; i--) {
    const seg = p[i]!;
    const child = parents[i]![seg];
    if (isPlainObject(child) && Object.keys(child).length === 0) delete parents[i]![seg];
  }
}

export interface ApplyInput {
  /** The object now (Kubernetes view), or undefined: the apply creates it. */
  readonly current: Doc | undefined;
  readonly applied: Doc;
  readonly manager: string;
  readonly force: boolean;
  readonly now: string;
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
  const paths = fieldPaths(applied);
  const conflicts: { field: Path; manager: string }[] = [];
  for (const e of entries) {
    if (mine(e)) continue;
    const kept = e.paths.filter((q) => {
      const clash = paths.find((p) => overlaps(p, q) && !jsonEqual(valueAt(current, p), valueAt(applied, p)));
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
    if (paths.some((q) => overlaps(p, q)) || others.some((q) => same(p, q))) continue;
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
