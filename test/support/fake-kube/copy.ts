/**
 * A deep copy of a JSON value (objects, arrays, strings, numbers, booleans, null; an undefined property is kept as
 * structuredClone keeps it). Every object the fake stores or hands out is JSON, so this is all the copying it needs,
 * at a fraction of structuredClone's cost (which serialises through V8's value serializer and back): the store
 * copies each object it writes and returns.
 */
export function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in value) out[k] = copyJson((value as Record<string, unknown>)[k]);
  return out as T;
}
