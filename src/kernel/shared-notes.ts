import type { StoredObject } from '../resources/envelope.ts';

/**
 * Application bodies read back from the store (change events of every replica's writes) hold, per component, one
 * note per cluster it does not run on (`status.components[].excluded`: cluster, reason, code, params): with 300
 * clusters, about 900 small objects per application, nearly all alike across applications ("eligible, 0 replicas
 * requested" on each cluster). Parsed, each is an object and strings of its own; the change feed's buffer and its
 * watchers hold thousands of such bodies. Interned here, equal notes are one frozen object shared by every body,
 * so a body costs one pointer per note. The text of the notes (what the API answers) is unchanged.
 */

/** Distinct notes kept for sharing; beyond it the table starts again (notes already shared stay shared). */
const MAX_NOTES = 50_000;
const notes = new Map<string, unknown>();

/** The shared copy of one exclusion note equal to `note` (itself, frozen, when it is the first such). */
export function sharedNote(note: unknown): unknown {
  if (note === null || typeof note !== 'object' || Array.isArray(note)) return note;
  const n = note as { cluster?: unknown; reason?: unknown; code?: unknown; params?: unknown };
  if (typeof n.cluster !== 'string' || typeof n.reason !== 'string') return note;
  let key = `${n.cluster}\u0000${String(n.code)}\u0000${n.reason}`;
  const fields = Object.keys(n).length;
  if (n.params !== undefined) key += `\u0000${JSON.stringify(n.params)}`;
  // Only the four known fields: a note with anything else is kept as it is.
  if (fields !== (n.code === undefined ? 2 : 3) + (n.params === undefined ? 0 : 1)) return note;
  const seen = notes.get(key);
  if (seen !== undefined) return seen;
  if (notes.size >= MAX_NOTES) notes.clear();
  notes.set(key, deepFreeze(note));
  return note;
}

/** `obj` with the exclusion notes of its status shared (changed in place; other kinds untouched). */
export function shareExclusionNotes(obj: StoredObject): StoredObject {
  if (obj.kind !== 'Application') return obj;
  const components = (obj.status as { components?: unknown } | undefined)?.components;
  if (!Array.isArray(components)) return obj;
  for (const c of components) {
    const excluded = (c as { excluded?: unknown } | null)?.excluded;
    if (!Array.isArray(excluded) || Object.isFrozen(excluded)) continue;
    for (let i = 0; i < excluded.length; i++) excluded[i] = sharedNote(excluded[i]);
  }
  return obj;
}

function deepFreeze<T>(o: T): T {
  if (o !== null && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
