import { createHash } from 'node:crypto';
import type { ErrorCause } from '../kernel/errors.ts';

/**
 * Remembers the answers of a pure validation by a digest of its input's JSON text, most recently used last. Validating an
 * Application renders it (once as written and once per override policy), which costs more than the rest of a write;
 * a PUT or apply that repeats a spec it sent before (a changed label or annotation, a re-applied manifest, a client's
 * retry) then pays one JSON.stringify and digest instead. The answers are frozen: every caller gets the same causes.
 */
export function memoizeCauses<A>(size: number, fn: (input: A) => ErrorCause[]): (input: A) => readonly ErrorCause[] {
  const cache = new Map<string, readonly ErrorCause[]>();
  return (input) => {
    // Keyed by a digest of the text, not the text itself: an estate's worth of specs stays a few MB.
    const key = createHash('sha256').update(JSON.stringify(input)).digest('base64');
    const hit = cache.get(key);
    if (hit !== undefined) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const found = fn(input);
    const causes = found.length === 0 ? NONE : Object.freeze(found.map((c) => Object.freeze({ ...c })));
    if (cache.size >= size) cache.delete(cache.keys().next().value!);
    cache.set(key, causes);
    return causes;
  };
}

/** The answer of most inputs, shared. */
const NONE: readonly ErrorCause[] = Object.freeze([]);
