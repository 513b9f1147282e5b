import type { ErrorCause } from '../kernel/errors.ts';

/**
 * Readers for policy properties. Each one returns the value when it is acceptable, or pushes a cause naming the full
 * path and what is accepted and returns undefined, so one pass reports every problem in a policy.
 */

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every key of `props` outside `accepted` is an error that lists the accepted names. */
export function unknownKeys(
  props: Record<string, unknown>,
  accepted: readonly string[],
  at: string,
  errors: ErrorCause[],
): void {
  for (const key of Object.keys(props)) {
    if (!accepted.includes(key))
      errors.push({
        path: `${at}.${key}`,
        message: `unknown property "${key}"; accepted: ${[...accepted].sort().join(', ')}`,
      });
  }
}

/** A list of non-empty strings without duplicates. */
export function stringList(v: unknown, at: string, what: string, errors: ErrorCause[]): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    errors.push({ path: at, message: `must be a list of ${what} (strings)` });
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  v.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') {
      errors.push({ path: `${at}[${i}]`, message: `must be a non-empty string (a ${what.replace(/s$/, '')})` });
      ok = false;
    } else if (out.includes(item)) {
      errors.push({ path: `${at}[${i}]`, message: `"${item}" appears twice; list each once` });
      ok = false;
    } else out.push(item);
  });
  return ok ? out : undefined;
}

/** One of `accepted`. */
export function oneOf<T extends string>(
  v: unknown,
  accepted: readonly T[],
  at: string,
  errors: ErrorCause[],
): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (accepted as readonly string[]).includes(v)) return v as T;
  errors.push({ path: at, message: `must be one of ${accepted.join(', ')} (got ${JSON.stringify(v)})` });
  return undefined;
}

/** A list of values from `accepted`, without duplicates. */
export function listOf<T extends string>(
  v: unknown,
  accepted: readonly T[],
  at: string,
  errors: ErrorCause[],
): T[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    errors.push({ path: at, message: `must be a list of: ${accepted.join(', ')}` });
    return undefined;
  }
  const out: T[] = [];
  let ok = true;
  v.forEach((item, i) => {
    const one = oneOf(item, accepted, `${at}[${i}]`, errors);
    if (one === undefined) ok = false;
    else if (out.includes(one)) {
      errors.push({ path: `${at}[${i}]`, message: `"${one}" appears twice; list each once` });
      ok = false;
    } else out.push(one);
  });
  return ok ? out : undefined;
}

/** A whole number ≥ `min`. */
export function wholeNumber(v: unknown, min: number, at: string, errors: ErrorCause[]): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return v;
  errors.push({ path: at, message: `must be a whole number ≥ ${min} (got ${JSON.stringify(v)})` });
  return undefined;
}

export function bool(v: unknown, at: string, errors: ErrorCause[]): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  errors.push({ path: at, message: `must be true or false (got ${JSON.stringify(v)})` });
  return undefined;
}

export function text(v: unknown, at: string, errors: ErrorCause[]): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v !== '') return v;
  errors.push({ path: at, message: `must be a non-empty string (got ${JSON.stringify(v)})` });
  return undefined;
}

/** A map of label names to string values, such as `{env: prod}`. */
export function labelMap(v: unknown, at: string, errors: ErrorCause[]): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    errors.push({ path: at, message: 'must be a map of label names to string values, e.g. {"env": "prod"}' });
    return undefined;
  }
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') {
      errors.push({ path: `${at}.${k}`, message: `label values are strings (got ${JSON.stringify(value)})` });
      ok = false;
    } else out[k] = value;
  }
  return ok ? out : undefined;
}

/** "[a, b]": how lists appear in messages and reasons. */
export function listText(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/** "{env=prod, tier=gold}": how label maps appear in messages and reasons, keys sorted. */
export function labelsText(labels: Readonly<Record<string, string>>): string {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(', ')}}`;
}
