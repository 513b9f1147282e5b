import { parseBytes, parseCpu } from '../../../kernel/quantity.ts';

type Json = Record<string, unknown>;

/**
 * Whether the live object already has every field the manifest sets: the test that lets a reconcile that finds
 * nothing to change send nothing. Fields under a create-only path are not compared (as in the simulated cloud).
 * Unlike the simulated cloud, a real API server fills in defaults and canonical forms, so the comparison is
 * one-sided: extra fields in the live object (a defaulted `protocol: TCP`, an assigned clusterIP) and in list items
 * do not count; lists must have the same length; quantities compare by value (`1000m` is `1`); a zero value the
 * server leaves out (`false`, `0`, `{}`, `[]`, null) equals its absence; a Secret's stringData is compared with
 * its data, which is how the server keeps it.
 */
export function liveSatisfies(live: Json, desired: Json, createOnly: ReadonlySet<string>): boolean {
  const want = live.kind === 'Secret' || desired.kind === 'Secret' ? secretAsStored(desired) : desired;
  return objectSatisfies(live, want, createOnly, '');
}

function objectSatisfies(have: Json, want: Json, createOnly: ReadonlySet<string>, prefix: string): boolean {
  for (const [k, w] of Object.entries(want)) {
    if (w === undefined) continue;
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (createOnly.has(path)) continue;
    if (!valueSatisfies(have[k], w, createOnly, path)) return false;
  }
  return true;
}

function valueSatisfies(have: unknown, want: unknown, createOnly: ReadonlySet<string>, path: string): boolean {
  if (have === undefined || have === null) return isZero(want);
  if (isObject(want)) return isObject(have) && objectSatisfies(have, want, createOnly, path);
  if (Array.isArray(want)) {
    if (!Array.isArray(have) || have.length !== want.length) return false;
    return want.every((w, i) => valueSatisfies(have[i], w, createOnly, path));
  }
  if (have === want) return true;
  if ((typeof want === 'string' || typeof want === 'number') && (typeof have === 'string' || typeof have === 'number'))
    return QUANTITY_PATH.test(path) && sameQuantity(String(want), String(have));
  return false;
}

/** Where quantities live: resources.requests/limits, ResourceQuota hard, LimitRange limits, PVC storage. */
const QUANTITY_PATH = /(^|\.)(requests|limits|hard|capacity|default|defaultRequest|max|min|maxLimitRequestRatio)\./;

function sameQuantity(a: string, b: string): boolean {
  if (a === b) return true;
  for (const parse of [parseCpu, parseBytes]) {
    try {
      if (parse(a) === parse(b)) return true;
    } catch {
      // not this kind of quantity
    }
  }
  return false;
}

function isZero(v: unknown): boolean {
  if (v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.values(v).every((x) => x === undefined || isZero(x));
  return false;
}

/** A Secret as the server keeps it: stringData folded into data, base64-encoded. */
function secretAsStored(desired: Json): Json {
  if (!isObject(desired.stringData)) return desired;
  const data: Json = { ...(isObject(desired.data) ? desired.data : {}) };
  for (const [k, v] of Object.entries(desired.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  const { stringData: _stringData, ...rest } = desired;
  return { ...rest, data };
}

/**
 * The apply body for an object that exists: the desired fields, with each create-only path set to its live value
 * (or left out where the live object has none). Leaving a create-only field out of the body would not do: a
 * field polis set at creation and still manages would be removed by server-side apply.
 */
export function withLiveValues(desired: Json, live: Json, createOnly: readonly string[]): Json {
  if (createOnly.length === 0) return desired;
  const out = structuredClone(desired);
  for (const path of createOnly) {
    const keys = path.split('.');
    const value = getPath(live, keys);
    setPath(out, keys, value);
  }
  return out;
}

function getPath(obj: Json, keys: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (!isObject(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function setPath(obj: Json, keys: readonly string[], value: unknown): void {
  let cur: Json = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) {
      if (value === undefined) return;
      cur[k] = {};
    }
    cur = cur[k] as Json;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete cur[last];
  else cur[last] = structuredClone(value);
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
