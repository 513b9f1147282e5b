import { codedCause, InputError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import { isPlainObject, jsonEqual } from '../../resources/merge-patch.ts';
import type { ListRule } from './kube-list-keys.ts';

/**
 * Strategic merge patch (application/strategic-merge-patch+json) as kubectl sends it (pure). Maps merge as in a JSON
 * merge patch (null removes a key); a list keyed by a field (kube-list-keys.ts) merges item by item, a set list as
 * a set, any other list is replaced. Directives: `$patch: replace | delete | merge` on a map or a list item,
 * `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` (what kubectl apply sends).
 */
export type ListRules = (path: string) => ListRule | undefined;

type Doc = Record<string, unknown>;

function invalid(path: string, m: ReturnType<typeof msg>): InputError {
  return new InputError(m, [codedCause(path ? `body.${path}` : 'body', m)]);
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** A value put in whole: its directives (which only mean something against a current value) dropped. */
function clean(v: unknown): unknown {
  if (Array.isArray(v))
    return v.filter((i) => !(isPlainObject(i) && i.$patch !== undefined && size(i) === 1)).map(clean);
  if (!isPlainObject(v)) return v;
  const out: Doc = {};
  for (const [k, child] of Object.entries(v)) if (!k.startsWith('$') && child !== null) out[k] = clean(child);
  return out;
}
const size = (o: Doc) => Object.keys(o).length;

function directive(patch: Doc, path: string): 'replace' | 'delete' | 'merge' | undefined {
  const d = patch.$patch;
  if (d === undefined) return undefined;
  if (d === 'replace' || d === 'delete' || d === 'merge') return d;
  throw invalid(join(path, '$patch'), msg('StrategicMergeDirectiveInvalid', { value: JSON.stringify(d) }));
}

/** The object `current` becomes under `patch`; `rules` says how the list at each path merges. */
export function strategicMerge(current: unknown, patch: unknown, rules: ListRules): Doc {
  if (!isPlainObject(patch)) throw invalid('', msg('StrategicMergeNotObject'));
  return mergeMap(isPlainObject(current) ? current : undefined, patch, '', rules) ?? {};
}

function mergeMap(current: Doc | undefined, patch: Doc, path: string, rules: ListRules): Doc | undefined {
  const d = directive(patch, path);
  if (d === 'delete') return undefined;
  if (d === 'replace') return clean(patch) as Doc;
  const out: Doc = current ? { ...current } : {};
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain) || retain.some((k) => typeof k !== 'string'))
      throw invalid(join(path, '$retainKeys'), msg('StrategicMergeRetainKeysInvalid'));
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  const orders: [string, unknown][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v))
        out[field] = (out[field] as unknown[]).filter((x) => !v.some((y) => jsonEqual(x, y)));
      continue;
    }
    const p = join(path, k);
    if (v === null) delete out[k];
    else if (isPlainObject(v)) {
      const merged = mergeMap(isPlainObject(out[k]) ? out[k] : undefined, v, p, rules);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else if (Array.isArray(v)) out[k] = mergeList(out[k], v, p, rules);
    else out[k] = v;
  }
  for (const [field, order] of orders)
    if (Array.isArray(out[field]) && Array.isArray(order))
      out[field] = reorder(out[field] as unknown[], order, rules(join(path, field)));
  return out;
}

function mergeList(current: unknown, patch: unknown[], path: string, rules: ListRules): unknown[] {
  const rule = rules(path);
  const replace = patch.some((i) => isPlainObject(i) && i.$patch === 'replace' && size(i) === 1);
  const cur = Array.isArray(current) && !replace ? current : [];
  if (!rule || replace) return clean(patch) as unknown[];
  if (rule.type === 'set') {
    const out = [...cur];
    for (const v of patch) if (!out.some((x) => jsonEqual(x, v))) out.push(v);
    return out;
  }
  const out = [...cur];
  const itemPath = `${path}[]`;
  patch.forEach((item, i) => {
    if (!isPlainObject(item) || item[rule.key] === undefined)
      throw invalid(`${path}[${i}]`, msg('StrategicMergeKeyMissing', { path, key: rule.key }));
    const at = out.findIndex((c) => isPlainObject(c) && jsonEqual(c[rule.key], item[rule.key]));
    if (directive(item, `${path}[${i}]`) === 'delete') {
      if (at >= 0) out.splice(at, 1);
      return;
    }
    const merged = mergeMap(at >= 0 ? (out[at] as Doc) : undefined, item, itemPath, rules)!;
    if (at >= 0) out[at] = merged;
    else out.push(merged);
  });
  return out;
}

/** `$setElementOrder`: the items it names in its order, then the others as they were. */
function reorder(items: unknown[], order: unknown[], rule: ListRule | undefined): unknown[] {
  const keyOf = (v: unknown) => (rule?.type === 'map' && isPlainObject(v) ? v[rule.key] : v);
  const rank = (v: unknown) => {
    const at = order.findIndex((o) => jsonEqual(keyOf(o), keyOf(v)));
    return at < 0 ? order.length : at;
  };
  return items
    .map((v, i) => ({ v, i, r: rank(v) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.v);
}
