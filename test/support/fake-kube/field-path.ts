/**
 * Field paths as structured-merge-diff names them: `f:spec`, `k:{"name":"web"}` (an item of a list with merge keys),
 * `v:"x"` (an item of a set). The fake has no OpenAPI schema: which lists are keyed, which are sets and which fields
 * are atomic is decided here by field name, as the built-in types declare them (simplified; see docs/fake-kube.md).
 */

export type Path = readonly string[];

export type ListType = { type: 'map'; keys: string[] } | { type: 'set' } | { type: 'atomic' };

const NAME_KEYED = new Set([
  'containers',
  'initContainers',
  'ephemeralContainers',
  'env',
  'volumes',
  'imagePullSecrets',
  'resourceClaims',
]);

/** The list type of the list at `path` (whose last element is `f:<field>`). */
export function listTypeAt(path: Path, items: readonly unknown[]): ListType {
  const field = (path[path.length - 1] ?? '').slice(2);
  if (NAME_KEYED.has(field)) return { type: 'map', keys: ['name'] };
  if (field === 'volumeMounts') return { type: 'map', keys: ['mountPath'] };
  if (field === 'volumeDevices') return { type: 'map', keys: ['devicePath'] };
  if (field === 'conditions') return { type: 'map', keys: ['type'] };
  if (field === 'hostAliases') return { type: 'map', keys: ['ip'] };
  if (field === 'ownerReferences') return { type: 'map', keys: ['uid'] };
  if (field === 'topologySpreadConstraints') return { type: 'map', keys: ['topologyKey', 'whenUnsatisfiable'] };
  if (field === 'finalizers') return { type: 'set' };
  if (field === 'ports') {
    if (path.length === 2 && path[0] === 'f:spec') return { type: 'map', keys: ['port', 'protocol'] }; // Service
    if (items.some((i) => isMap(i) && 'containerPort' in i))
      return { type: 'map', keys: ['containerPort', 'protocol'] };
  }
  return { type: 'atomic' };
}

/** Fields whose value is replaced as a whole (LabelSelector and Service selectors are atomic in the real schema). */
export function isAtomicField(path: Path): boolean {
  const field = (path[path.length - 1] ?? '').slice(2);
  return field === 'selector' || field === 'podSelector' || field === 'namespaceSelector';
}

export const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key element of an item of a keyed list; a missing `protocol` counts as its default, TCP. */
export function itemKey(item: unknown, keys: string[]): string {
  const m = isMap(item) ? item : {};
  const key: Record<string, unknown> = {};
  for (const k of keys) {
    const v = m[k] ?? (k === 'protocol' ? 'TCP' : undefined);
    if (v !== undefined) key[k] = v;
  }
  return `k:${JSON.stringify(key)}`;
}

export const setKey = (item: unknown): string => `v:${JSON.stringify(item)}`;

export const pathKey = (p: Path): string => p.join('\u0000');
export const parsePathKey = (k: string): Path => (k === '' ? [] : k.split('\u0000'));

/** `.spec.template.spec.containers[name="web"].image`: how conflicts name a field. */
export function pathString(p: Path): string {
  return p
    .map((pe) => {
      if (pe.startsWith('f:')) return `.${pe.slice(2)}`;
      if (pe.startsWith('v:')) return `[=${pe.slice(2)}]`;
      const key = JSON.parse(pe.slice(2)) as Record<string, unknown>;
      return `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/** The value at a path, or `undefined` when absent. */
export function getAt(root: unknown, p: Path): unknown {
  let cur: unknown = root;
  for (let i = 0; i < p.length; i++) {
    const pe = p[i] ?? '';
    if (pe.startsWith('f:')) {
      if (!isMap(cur)) return undefined;
      cur = cur[pe.slice(2)];
    } else if (Array.isArray(cur)) {
      cur = findItem(cur, p.slice(0, i), pe);
    } else return undefined;
  }
  return cur;
}

function findItem(list: unknown[], listPath: Path, pe: string): unknown {
  if (pe.startsWith('v:')) return list.find((x) => setKey(x) === pe);
  const lt = listTypeAt(listPath, list);
  if (lt.type !== 'map') return undefined;
  return list.find((x) => itemKey(x, lt.keys) === pe);
}

/** Removes the value at a path; then removes the maps and lists left empty by it (except the root). */
export function removeAt(root: Record<string, unknown>, p: Path): void {
  const chain: { container: Record<string, unknown> | unknown[]; at: string | number }[] = [];
  let cur: unknown = root;
  for (let i = 0; i < p.length; i++) {
    const pe = p[i] ?? '';
    if (pe.startsWith('f:') && isMap(cur)) {
      chain.push({ container: cur, at: pe.slice(2) });
      cur = cur[pe.slice(2)];
    } else if (Array.isArray(cur)) {
      const idx = cur.indexOf(findItem(cur, p.slice(0, i), pe));
      if (idx < 0) return;
      chain.push({ container: cur, at: idx });
      cur = cur[idx];
    } else return;
    if (cur === undefined) return;
  }
  for (let i = chain.length - 1; i >= 0; i--) {
    const { container, at } = chain[i] as (typeof chain)[number];
    if (Array.isArray(container)) container.splice(at as number, 1);
    else delete container[at as string];
    const empty = Array.isArray(container) ? container.length === 0 : Object.keys(container).length === 0;
    if (!empty || i === 0) return;
  }
}

export interface Collected {
  value: unknown;
  /** A leaf (scalar, atomic list or struct, empty map); otherwise a map or a list item, owned with its children. */
  leaf: boolean;
}

/**
 * Every field path of a value. `containers` true also lists non-empty maps (for update ownership, where a new map is
 * owned as `.`); apply field sets list only leaves and list items, as structured-merge-diff does.
 */
export function collect(value: unknown, path: Path, out: Map<string, Collected>, containers: boolean): void {
  if (isMap(value) && !(path.length > 0 && isAtomicField(path))) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) {
      if (path.length > 0) out.set(pathKey(path), { value, leaf: true });
      return;
    }
    if (containers && path.length > 0 && !isItem(path) && !STRUCTS.has(path[path.length - 1] as string))
      out.set(pathKey(path), { value, leaf: false });
    for (const k of keys) collect(value[k], [...path, `f:${k}`], out, containers);
    return;
  }
  if (Array.isArray(value)) {
    const lt = listTypeAt(path, value);
    if (lt.type === 'set') {
      for (const item of value) out.set(pathKey([...path, setKey(item)]), { value: item, leaf: true });
      return;
    }
    if (lt.type === 'map') {
      for (const item of value) {
        const ip = [...path, itemKey(item, lt.keys)];
        out.set(pathKey(ip), { value: item, leaf: false });
        if (isMap(item)) for (const k of Object.keys(item)) collect(item[k], [...ip, `f:${k}`], out, containers);
      }
      return;
    }
  }
  if (value === null || value === undefined) return;
  out.set(pathKey(path), { value, leaf: true });
}

/**
 * Fields that are non-pointer structs in the Go types: always present, so an update never "adds" them and
 * managedFields has no `.` entry for them (maps, pointer structs and lists an update creates do get one).
 */
const STRUCTS = new Set([
  'f:metadata',
  'f:spec',
  'f:status',
  'f:template',
  'f:strategy',
  'f:resources',
  'f:updateStrategy',
  'f:jobTemplate',
]);

const isItem = (p: Path): boolean => {
  const last = p[p.length - 1] ?? '';
  return last.startsWith('k:') || last.startsWith('v:');
};
