/** Small pieces of object metadata handling: generated names and the API server's key order. */
import type { KubeObject } from './types.ts';

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters from the alphabet Kubernetes uses for generated names. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return s;
}

const TOP_ORDER = ['apiVersion', 'kind', 'metadata', 'spec'];
const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

function reorder(o: Record<string, unknown>, order: string[]): void {
  const entries = Object.entries(o);
  for (const k of Object.keys(o)) delete o[k];
  const rank = (k: string): number => order.indexOf(k) + 1 || order.length + 1;
  for (const [k, v] of entries.sort(([a], [b]) => rank(a) - rank(b))) o[k] = v;
}

/** Keys in the order the API server serializes them (the Go struct order). */
export function orderKeys(o: KubeObject): void {
  reorder(o, TOP_ORDER);
  if (o.metadata) reorder(o.metadata, META_ORDER);
}
