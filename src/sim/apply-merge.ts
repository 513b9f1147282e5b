/**
 * Server-side apply from a single field manager, reduced to what the simulated cloud needs: the manifest's fields
 * are the desired fields; objects merge key by key, lists and scalars are replaced whole (Kubernetes would merge
 * some lists by key, such as containers by name; replacing them gives the same outcome for one manager).
 */

type Json = Record<string, unknown>;

/** Create-only paths as a set, with `*` meaning the whole object. */
export function createOnlySet(paths: readonly string[] | undefined): ReadonlySet<string> {
  return new Set(paths ?? []);
}

/**
 * Whether every field `desired` sets equals the live value. Fields under a create-only path are not compared;
 * fields the manifest leaves out are not compared either.
 */
export function satisfies(live: Json, desired: Json, createOnly: ReadonlySet<string>, prefix = ''): boolean {
  for (const [k, want] of Object.entries(desired)) {
    if (want === undefined) continue;
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (createOnly.has(path)) continue;
    const have = live[k];
    if (isObject(want) && isObject(have)) {
      if (!satisfies(have, want, createOnly, path)) return false;
    } else if (!deepEqual(have, want)) return false;
  }
  return true;
}

/**
 * A copy of `live` with `desired` merged in: objects merge key by key, everything else is replaced; create-only
 * paths keep their live value. `live` itself is not changed.
 */
export function merged(live: Json, desired: Json, createOnly: ReadonlySet<string>, prefix = ''): Json {
  const out: Json = { ...live };
  for (const [k, want] of Object.entries(desired)) {
    if (want === undefined) continue;
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (createOnly.has(path) && k in live) continue;
    const have = live[k];
    if (isObject(want) && isObject(have)) out[k] = merged(have, want, createOnly, path);
    else out[k] = clone(want);
  }
  return out;
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Json)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Json)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual((a as Json)[k], (b as Json)[k])) return false;
  return true;
}

/** A deep copy of plain JSON data (manifests hold nothing else). */
export function clone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clone(x);
  return out as T;
}

/** JSON with keys sorted at every level: the same data gives the same text whatever order it was built in. */
export function stableStringify(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const keys = Object.keys(v)
    .filter((k) => (v as Json)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify((v as Json)[k])}`).join(',')}}`;
}
