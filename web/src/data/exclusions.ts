import type { ComponentStatus, Exclusion } from '../api/types.ts';

/**
 * Every cluster a component is not on, with the reason, by cluster name: its `excluded` notes and its `unused`
 * groups (eligible clusters given no replica, which the status keeps as one entry per reason) as one note each.
 */
export function exclusionsOf(c: Pick<ComponentStatus, 'excluded' | 'unused'>): Exclusion[] {
  const all: Exclusion[] = [...(c.excluded ?? [])];
  for (const g of c.unused ?? [])
    for (const cluster of g.clusters) all.push({ cluster, reason: g.reason, code: g.code });
  return all.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
}
