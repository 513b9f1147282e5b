import type { StoredObject } from './envelope.ts';
import { isPlainObject } from './merge-patch.ts';

export const MASK = '***';

/** The object without its sensitive top-level fields (for lists, watches and readers without rights). */
export function withoutSensitive<T extends StoredObject>(obj: T, fields: readonly string[]): T {
  if (fields.length === 0) return obj;
  const out: Record<string, unknown> = { ...obj };
  for (const f of fields) delete out[f];
  return out as T;
}

/** A value with every leaf under the sensitive top-level fields replaced by a mask; keys stay visible. */
export function maskSensitive(value: unknown, fields: readonly string[]): unknown {
  if (fields.length === 0 || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const f of fields) if (f in out && out[f] !== null) out[f] = maskLeaves(out[f]);
  return out;
}

function maskLeaves(v: unknown): unknown {
  if (isPlainObject(v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? null : maskLeaves(x)]));
  return MASK;
}
