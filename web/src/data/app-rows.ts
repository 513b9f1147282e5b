import type { Params } from '../../../src/kernel/messages/index.ts';
import type { Application } from '../api/types.ts';

/** What the list, the overview and the cluster pages keep of an application: a row, not the whole object. */
export interface AppRow {
  readonly key: string;
  readonly tenant: string;
  readonly name: string;
  readonly description?: string;
  readonly phase: string;
  readonly healthy: boolean;
  readonly components: number;
  readonly desired: number;
  readonly ready: number;
  /** Replicas per cluster, summed over components (from status.placement). */
  readonly clusters: Readonly<Record<string, number>>;
  readonly revision?: string;
  readonly generation: number;
  readonly observedGeneration?: number;
  readonly created?: string;
  readonly message?: string;
  /** The message's code and params (the console renders them in the reader's language). */
  readonly code?: string;
  readonly params?: Params;
  readonly failedOver: boolean;
  /** Lower-case text searched by the list's filter box. */
  readonly search: string;
}

export function appRow(a: Application): AppRow {
  const s = a.status;
  const clusters: Record<string, number> = {};
  for (const perCluster of Object.values(s?.placement ?? {}))
    for (const [c, n] of Object.entries(perCluster)) clusters[c] = (clusters[c] ?? 0) + n;
  let desired = 0;
  let ready = 0;
  // Tasks and cron-tasks run to completion: only long-running replicas make the ready figure.
  for (const c of s?.components ?? []) {
    if (c.workload) continue;
    desired += c.desiredReplicas;
    ready += c.readyReplicas;
  }
  const tenant = a.metadata.tenant ?? '';
  const description = a.metadata.annotations?.['polis.io/description'];
  const phase = a.metadata.deletionTimestamp ? 'Deleting' : (s?.phase ?? 'Pending');
  return {
    key: `${tenant}/${a.metadata.name}`,
    tenant,
    name: a.metadata.name,
    ...(description ? { description } : {}),
    phase,
    healthy: s?.healthy === true,
    components: a.spec?.components?.length ?? 0,
    desired,
    ready,
    clusters,
    ...(s?.revision ? { revision: s.revision } : {}),
    generation: a.metadata.generation ?? 0,
    ...(s?.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
    ...(a.metadata.creationTimestamp ? { created: a.metadata.creationTimestamp } : {}),
    ...(s?.message ? { message: s.message } : {}),
    ...(s?.message && s.code ? { code: s.code, ...(s.params ? { params: s.params } : {}) } : {}),
    failedOver: s?.failover !== undefined,
    search: `${tenant}/${a.metadata.name} ${description ?? ''}`.toLowerCase(),
  };
}

/** Health filter values: one phase, or every healthy / every unhealthy application. */
export type HealthFilter = 'healthy' | 'unhealthy' | string;

export interface AppFilters {
  readonly tenant?: string;
  readonly health?: HealthFilter;
  readonly cluster?: string;
  readonly text?: string;
}

/** The rows that pass every filter given (pure; ~1 ms for 10,000 rows). */
export function filterApps(rows: readonly AppRow[], f: AppFilters): AppRow[] {
  const text = f.text?.trim().toLowerCase();
  return rows.filter((r) => {
    if (f.tenant && r.tenant !== f.tenant) return false;
    if (f.health === 'healthy' && !r.healthy) return false;
    if (f.health === 'unhealthy' && r.healthy) return false;
    if (f.health && f.health !== 'healthy' && f.health !== 'unhealthy' && r.phase !== f.health) return false;
    if (f.cluster && !(r.clusters[f.cluster]! > 0)) return false;
    if (text && !r.search.includes(text)) return false;
    return true;
  });
}

/** Rows in a stable order: department, then name (plain comparison: fast for 10,000 rows). */
export function sortRows(rows: Iterable<AppRow>): AppRow[] {
  return [...rows].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Applications per phase, for the overview's health chart. */
export function countByPhase(rows: Iterable<AppRow>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.phase] = (out[r.phase] ?? 0) + 1;
  return out;
}
