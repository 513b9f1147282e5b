/** A JSON object being built or patched. Rendering works on plain mutable objects and freezes nothing. */
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The object at `path` under `root`, created (as `{}`) on the way when `create` is set. */
export function child(root: Obj, path: readonly string[], create = false): Obj | undefined {
  let at: Obj = root;
  for (const key of path) {
    const next = at[key];
    if (isObj(next)) {
      at = next;
    } else if (create) {
      const made: Obj = {};
      at[key] = made;
      at = made;
    } else {
      return undefined;
    }
  }
  return at;
}

/** The array at `key` of `o`, created empty when missing. */
export function list(o: Obj, key: string): Obj[] {
  const v = o[key];
  if (Array.isArray(v)) return v as Obj[];
  const made: Obj[] = [];
  o[key] = made;
  return made;
}

/**
 * Strategic merge of one item into a list keyed by `name` (KubeVela's `+patchKey=name`): an item of the same name
 * takes the new fields, one level deep; otherwise the item is appended.
 */
export function mergeByName(items: Obj[], item: Obj): void {
  const existing = items.find((i) => i.name === item.name);
  if (existing) Object.assign(existing, item);
  else items.push(item);
}

/**
 * A deep copy of parameters as the schemas give them (plain objects, arrays, strings, numbers, booleans): several
 * times cheaper than structuredClone on such small values (every render copies a container's env and probes).
 * Anything else (a Date, a Map, a class instance) is copied by structuredClone, as before.
 */
export function copyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i] as unknown);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const keys = Object.keys(value);
  // An own `__proto__` key (JSON.parse makes one) would set the copy's prototype if assigned.
  if (keys.includes('__proto__')) return structuredClone(value);
  const out: Obj = {};
  for (const k of keys) out[k] = copyJson((value as Obj)[k]);
  return out as T;
}

/** Copies `o` without the keys whose value is undefined, so optional parameters leave no trace. */
export function defined(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

/** Sets `key` only when `value` is a non-empty list or object; KubeVela's empty lists are dropped by Kubernetes. */
export function setIfAny(o: Obj, key: string, value: unknown): void {
  if (Array.isArray(value) ? value.length > 0 : isObj(value) ? Object.keys(value).length > 0 : value !== undefined) {
    o[key] = value;
  }
}

/** The pod spec of a workload: `spec.template.spec`, or `spec.jobTemplate.spec.template.spec` for a CronJob. */
export function podSpecOf(workload: Obj): Obj | undefined {
  if (workload.kind === 'CronJob') return child(workload, ['spec', 'jobTemplate', 'spec', 'template', 'spec']);
  return child(workload, ['spec', 'template', 'spec']);
}
