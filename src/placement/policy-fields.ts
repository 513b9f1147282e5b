import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';

/**
 * Readers for policy properties. Each one returns the value when it is acceptable, or pushes a cause naming the full
 * path and what is accepted and returns undefined, so one pass reports every problem in a policy. Each cause is
 * coded (src/kernel/messages/validation.ts), so the console and the CLI word it in the reader's language.
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
      errors.push(
        codedCause(`${at}.${key}`, msg('PropertyUnknown', { key, accepted: [...accepted].sort().join(', ') })),
      );
  }
}

/** A list of non-empty strings without duplicates. */
export function stringList(v: unknown, at: string, what: string, errors: ErrorCause[]): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    errors.push(codedCause(at, msg('MustBeStringList', { what })));
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  v.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') {
      errors.push(codedCause(`${at}[${i}]`, msg('MustBeNonEmptyItem', { what: what.replace(/s$/, '') })));
      ok = false;
    } else if (out.includes(item)) {
      errors.push(codedCause(`${at}[${i}]`, msg('ListedTwice', { item })));
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
  errors.push(codedCause(at, msg('MustBeOneOf', { accepted: accepted.join(', '), got: got(v) })));
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
    errors.push(codedCause(at, msg('MustBeListOf', { accepted: accepted.join(', ') })));
    return undefined;
  }
  const out: T[] = [];
  let ok = true;
  v.forEach((item, i) => {
    const one = oneOf(item, accepted, `${at}[${i}]`, errors);
    if (one === undefined) ok = false;
    else if (out.includes(one)) {
      errors.push(codedCause(`${at}[${i}]`, msg('ListedTwice', { item: one })));
      ok = false;
    } else out.push(one);
  });
  return ok ? out : undefined;
}

/** A whole number ≥ `min`. */
export function wholeNumber(v: unknown, min: number, at: string, errors: ErrorCause[]): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return v;
  errors.push(codedCause(at, msg('MustBeWholeNumber', { min, got: got(v) })));
  return undefined;
}

export function bool(v: unknown, at: string, errors: ErrorCause[]): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  errors.push(codedCause(at, msg('MustBeBoolean', { got: got(v) })));
  return undefined;
}

export function text(v: unknown, at: string, errors: ErrorCause[]): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v !== '') return v;
  errors.push(codedCause(at, msg('MustBeNonEmptyString', { got: got(v) })));
  return undefined;
}

/** A map of label names to string values, such as `{env: prod}`. */
export function labelMap(v: unknown, at: string, errors: ErrorCause[]): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    errors.push(codedCause(at, msg('MustBeLabelMap', { example: '{"env": "prod"}' })));
    return undefined;
  }
  const out: Record<string, string> = {};
  let ok = true;
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') {
      errors.push(codedCause(`${at}.${k}`, msg('LabelValueNotString', { got: got(value) })));
      ok = false;
    } else out[k] = value;
  }
  return ok ? out : undefined;
}

/** The value given, as JSON (a parameter: the same in every language). */
function got(v: unknown): string {
  return String(JSON.stringify(v));
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
