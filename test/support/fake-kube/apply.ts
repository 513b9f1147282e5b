/**
 * Server-side apply and update ownership, after https://kubernetes.io/docs/reference/using-api/server-side-apply/:
 * the applied configuration is the manager's whole intent; fields it applied before and omits now are removed unless
 * another manager owns them; changing a field another manager owns is a conflict unless forced.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  type Collected,
  type Path,
  collect,
  getAt,
  isAtomicField,
  isMap,
  itemKey,
  listTypeAt,
  parsePathKey,
  pathString,
  removeAt,
} from './field-path.ts';
import { type Manager, ownedView, readManagers, sameEntry, writeManagers } from './managed-fields.ts';
import type { ResourceDef } from './resources.ts';
import { KubeError } from './status.ts';
import type { KubeObject } from './types.ts';
import { copyJson } from './copy.ts';

export interface ApplyRequest {
  def: ResourceDef;
  /** The live object, or a skeleton (apiVersion, kind, name, namespace) when the apply creates it. */
  live: KubeObject;
  config: KubeObject;
  manager: string;
  force: boolean;
  subresource?: string;
  now: string;
}

/** The object after applying `config`; throws a 409 Conflict (FieldManagerConflict causes) unless forced. */
export function serverSideApply(req: ApplyRequest): KubeObject {
  const result = copyJson(req.live);
  const managers = readManagers(result);
  const applied = new Map<string, Collected>();
  const view = ownedView(req.config, req.def, req.subresource);
  collect(view, [], applied, false);

  const liveView = ownedView(result, req.def, req.subresource);
  const conflicts: { manager: Manager; key: string }[] = [];
  for (const [key, c] of applied) {
    if (!c.leaf) continue;
    const path = parsePathKey(key);
    const same = isDeepStrictEqual(getAt(liveView, path), c.value);
    if (same) continue;
    for (const m of managers) {
      if (m.manager === req.manager) continue; // a manager never conflicts with itself
      if (m.set.has(key)) conflicts.push({ manager: m, key });
    }
  }
  if (conflicts.length > 0 && !req.force) throw applyConflict(conflicts);
  for (const c of conflicts) c.manager.set.delete(c.key);

  mergeInto(result, view, []);

  let entry = managers.find((m) => sameEntry(m, req.manager, 'Apply', req.subresource));
  const previous = entry ? [...entry.set] : [];
  const appliedKeys = [...applied.keys()];
  const others = managers.filter((m) => m !== entry);
  const ownedElsewhere = (key: string): boolean =>
    others.some((m) => [...m.set].some((k) => k === key || k.startsWith(`${key}\u0000`))) ||
    appliedKeys.some((k) => k === key || k.startsWith(`${key}\u0000`));
  for (const key of previous.sort((a, b) => a.length - b.length)) {
    if (applied.has(key) || ownedElsewhere(key)) continue;
    removeAt(result, parsePathKey(key));
  }

  if (!entry) {
    entry = { manager: req.manager, operation: 'Apply', apiVersion: '', time: req.now, set: new Set() };
    if (req.subresource) entry.subresource = req.subresource;
    managers.push(entry);
  }
  const changed = !isDeepStrictEqual(new Set(appliedKeys), entry.set);
  entry.set = new Set(appliedKeys);
  entry.apiVersion = req.config.apiVersion ?? entry.apiVersion;
  if (changed) entry.time = req.now;
  writeManagers(result, managers);
  return result;
}

function applyConflict(conflicts: { manager: Manager; key: string }[]): KubeError {
  const who = (m: Manager): string => `"${m.manager}" using ${m.apiVersion}`;
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${who(c.manager)}`,
    field: pathString(parsePathKey(c.key)),
  }));
  let detail: string;
  if (conflicts.length === 1) detail = `${causes[0]?.message}: ${causes[0]?.field}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const k = who(c.manager);
      byManager.set(k, [...(byManager.get(k) ?? []), pathString(parsePathKey(c.key))]);
    }
    detail = [...byManager.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([m, fields]) => [`conflicts with ${m}:`, ...fields.map((f) => `- ${f}`)])
      .join('\n');
  }
  const n = conflicts.length;
  return new KubeError(409, 'Conflict', `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${detail}`, {
    causes,
  });
}

/** Merges an applied configuration into an object: maps field by field, keyed lists item by item. */
function mergeInto(target: Record<string, unknown>, config: Record<string, unknown>, path: Path): void {
  for (const [k, v] of Object.entries(config)) {
    const p = [...path, `f:${k}`];
    target[k] = mergeValue(target[k], v, p);
  }
}

function mergeValue(live: unknown, config: unknown, path: Path): unknown {
  if (isMap(config) && isMap(live) && !isAtomicField(path)) {
    const out = copyJson(live);
    mergeInto(out, config, path);
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const lt = listTypeAt(path, config);
    if (lt.type === 'map') {
      const out = copyJson(live);
      for (const item of config) {
        const key = itemKey(item, lt.keys);
        const idx = out.findIndex((x) => itemKey(x, lt.keys) === key);
        if (idx >= 0) out[idx] = mergeValue(out[idx], item, [...path, key]);
        else out.push(copyJson(item));
      }
      return out;
    }
    if (lt.type === 'set') {
      const out = copyJson(live);
      for (const item of config) if (!out.some((x) => isDeepStrictEqual(x, item))) out.push(copyJson(item));
      return out;
    }
  }
  return copyJson(config);
}

export interface UpdateRequest {
  def: ResourceDef;
  /** undefined for a create. */
  old: KubeObject | undefined;
  /** The new object; its managedFields are replaced. */
  next: KubeObject;
  manager: string;
  apiVersion: string;
  subresource?: string;
  now: string;
}

/**
 * Records an update (create, PUT, merge/JSON patch, edit): the manager takes every field it added or changed from
 * the other managers (operation Update, no conflicts), and removed fields leave every manager.
 */
export function recordUpdate(req: UpdateRequest): void {
  const managers = readManagers(req.old);
  const before = new Map<string, Collected>();
  const after = new Map<string, Collected>();
  if (req.old) collect(ownedView(req.old, req.def, req.subresource), [], before, true);
  collect(ownedView(req.next, req.def, req.subresource), [], after, true);
  const changed = new Set<string>();
  for (const [key, c] of after) {
    const b = before.get(key);
    if (!b || (c.leaf && !isDeepStrictEqual(b.value, c.value)) || b.leaf !== c.leaf) changed.add(key);
  }
  const removed = [...before.keys()].filter((k) => !after.has(k));
  let entry = managers.find((m) => sameEntry(m, req.manager, 'Update', req.subresource));
  for (const m of managers) {
    for (const k of removed) m.set.delete(k);
    if (m !== entry) for (const k of changed) m.set.delete(k);
  }
  if (changed.size > 0) {
    if (!entry) {
      entry = { manager: req.manager, operation: 'Update', apiVersion: req.apiVersion, time: req.now, set: new Set() };
      if (req.subresource) entry.subresource = req.subresource;
      managers.push(entry);
    }
    for (const k of changed) entry.set.add(k);
    entry.time = req.now;
    entry.apiVersion = req.apiVersion;
  }
  writeManagers(req.next, managers);
}
