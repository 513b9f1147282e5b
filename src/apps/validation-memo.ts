import type { ErrorCause } from '../kernel/errors.ts';

/**
 * Remembers the answers of a pure validation by its input's JSON text, most recently used first. Validating an
 * Application renders it (once as written and once per override policy), which costs more than the rest of a write;
 * a PUT or apply that repeats a spec it sent before (a changed label or annotation, a re-applied manifest, a client's
 * retry) then pays one JSON.stringify instead. The answers are frozen: every caller gets the same causes.
 */
export function memoizeCauses<A>(size: number, fn: (input: A) => ErrorCause[]): (input: A) => readonly ErrorCause[] {
  const cache = new Map<string, readonly ErrorCause[]>();
  return (input) => {
    const key = JSON.stringify(input);
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const causes = Object.freeze(fn(input).map((c) => Object.freeze({ ...c })));
    if (cache.size >= size) cache.delete(cache.keys().next().value!);
    cache.set(key, causes);
    return causes;
  };
}
