import { randomUUID } from 'node:crypto';

/** A new object uid. Not used in decisions (those stay deterministic); only when an object is first stored. */
export function newUid(): string {
  return randomUUID();
}
