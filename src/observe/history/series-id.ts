import { createHash } from 'node:crypto';
import type { Labels } from './signals.ts';

/** Labels as canonical JSON: keys sorted, so equal label sets give equal text. */
export function labelsText(labels: Labels): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** A series' stable id: a hash of its canonical labels. */
export function seriesId(labels: Labels): string {
  return createHash('sha256').update(labelsText(labels)).digest('hex').slice(0, 24);
}
