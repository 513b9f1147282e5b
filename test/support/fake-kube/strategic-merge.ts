/**
 * Strategic merge patch, simplified: maps merge, `null` deletes, lists with merge keys (containers by name, ports,
 * env, volumes …; see field-path.ts) merge item by item with `$patch: delete` removing an item, finalizers merge
 * as a set, and every other list is replaced. `$setElementOrder`, `$retainKeys` and `$deleteFromPrimitiveList` are
 * ignored.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Path, isAtomicField, isMap, itemKey, listTypeAt } from './field-path.ts';
import { copyJson } from './copy.ts';

export function strategicMergePatch(target: unknown, patch: unknown, path: Path = []): unknown {
  if (!isMap(patch)) return copyJson(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _replace, ...rest } = patch;
    return copyJson(rest);
  }
  if (path.length > 0 && isAtomicField(path)) return copyJson(patch);
  const out: Record<string, unknown> = isMap(target) ? copyJson(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    const p = [...path, `f:${k}`];
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(out[k], v, p);
    else out[k] = strategicMergePatch(out[k], v, p);
  }
  return out;
}

function mergeList(target: unknown, patch: unknown[], path: Path): unknown[] {
  const lt = listTypeAt(path, patch);
  const live = Array.isArray(target) ? copyJson(target) : [];
  if (lt.type === 'set') {
    for (const item of patch) if (!live.some((x) => isDeepStrictEqual(x, item))) live.push(copyJson(item));
    return live;
  }
  if (lt.type !== 'map') return copyJson(patch);
  for (const item of patch) {
    const key = itemKey(item, lt.keys);
    const idx = live.findIndex((x) => itemKey(x, lt.keys) === key);
    if (isMap(item) && item.$patch === 'delete') {
      if (idx >= 0) live.splice(idx, 1);
    } else if (idx >= 0) live[idx] = strategicMergePatch(live[idx], item, [...path, key]);
    else live.push(strategicMergePatch(undefined, item, [...path, key]));
  }
  return live;
}
