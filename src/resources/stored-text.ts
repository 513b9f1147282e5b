import type { StoredObject } from './envelope.ts';

/**
 * The JSON text a store wrote for an object, by the object itself: a write's answer is the object it stored, and the
 * API sends that text as it is (for a kind shown as stored) instead of serializing the same object again. Kept only
 * as long as the object is (a WeakMap); an object changed after it was written must not be remembered, and is not:
 * the stores write the object they are given and the service returns that same one unchanged.
 */
const texts = new WeakMap<StoredObject, string>();

export function rememberStoredText(obj: StoredObject, text: string): void {
  texts.set(obj, text);
}

/** The text `obj` was stored as, or undefined when it was not written by a store in this process. */
export function storedTextOf(obj: StoredObject): string | undefined {
  return texts.get(obj);
}
