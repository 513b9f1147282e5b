import type { StoredObject } from '../resources/envelope.ts';

/**
 * What a list row and the console's summaries read of an Application, and nothing more (issue 13: a list of 10,000
 * whole applications is ~41 MB, most of it `status.components[].clusters` with each excluded cluster's reasons).
 */

interface ComponentStatusLike {
  readonly name?: string;
  readonly desiredReplicas?: number;
  readonly readyReplicas?: number;
  readonly workload?: unknown;
}

interface AppStatusLike {
  readonly phase?: string;
  readonly healthy?: boolean;
  readonly revision?: string;
  readonly observedGeneration?: number;
  readonly message?: string;
  readonly code?: string;
  readonly params?: unknown;
  readonly failover?: unknown;
  readonly placement?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly components?: readonly ComponentStatusLike[];
}

const DESCRIPTION = 'polis.io/description';

/**
 * The row view of an Application (`?view=rows` on the application list and watch): the same object, its metadata
 * without labels, managed fields and annotations other than the description, its components by name and type, and
 * its status without the per-cluster detail of each component (replicas per cluster stay, in `status.placement`).
 * A client reading rows reads this as it reads the whole object; it fetches the whole object when one is opened.
 */
export function applicationRowView(obj: StoredObject): StoredObject {
  const m = obj.metadata;
  const description = m.annotations?.[DESCRIPTION];
  const spec = obj.spec as { components?: readonly { name?: string; type?: string }[] } | undefined;
  const s = obj.status as AppStatusLike | undefined;
  const status = s && {
    ...pick(s, ['phase', 'healthy', 'revision', 'observedGeneration', 'message', 'code', 'params', 'placement']),
    ...(s.failover !== undefined ? { failover: s.failover } : {}),
    ...(s.components
      ? {
          components: s.components.map((c) => ({
            name: c.name,
            desiredReplicas: c.desiredReplicas ?? 0,
            readyReplicas: c.readyReplicas ?? 0,
            ...(c.workload !== undefined ? { workload: c.workload } : {}),
          })),
        }
      : {}),
  };
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: m.name,
      ...(m.tenant !== undefined ? { tenant: m.tenant } : {}),
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      generation: m.generation,
      creationTimestamp: m.creationTimestamp,
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
      ...(description !== undefined ? { annotations: { [DESCRIPTION]: description } } : {}),
    },
    spec: { components: (spec?.components ?? []).map((c) => ({ name: c.name, type: c.type })) },
    ...(status ? { status } : {}),
  } as StoredObject;
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** One application as the summary counts it. */
export interface SummaryRow {
  readonly tenant: string;
  readonly name: string;
  readonly phase: string;
  readonly healthy: boolean;
  /** Replicas per cluster, over its components. */
  readonly clusters: Readonly<Record<string, number>>;
  readonly desired: number;
  readonly ready: number;
  readonly code?: string;
  readonly params?: unknown;
  readonly message?: string;
}

export function summaryRow(obj: StoredObject): SummaryRow {
  const s = obj.status as AppStatusLike | undefined;
  const clusters: Record<string, number> = {};
  for (const perCluster of Object.values(s?.placement ?? {}))
    for (const [c, n] of Object.entries(perCluster)) clusters[c] = (clusters[c] ?? 0) + n;
  let desired = 0;
  let ready = 0;
  // Tasks and cron-tasks run to completion: only long-running replicas make the ready figure (as the console counts).
  for (const c of s?.components ?? []) {
    if (c.workload) continue;
    desired += c.desiredReplicas ?? 0;
    ready += c.readyReplicas ?? 0;
  }
  return {
    tenant: obj.metadata.tenant ?? '',
    name: obj.metadata.name,
    phase: obj.metadata.deletionTimestamp ? 'Deleting' : (s?.phase ?? 'Pending'),
    healthy: s?.healthy === true,
    clusters,
    desired,
    ready,
    ...(s?.message ? { message: s.message } : {}),
    ...(s?.message && s.code ? { code: s.code, ...(s.params ? { params: s.params } : {}) } : {}),
  };
}

/** `GET /api/v1/applications/summary`: the figures the overview, the departments page and the big screen show. */
export interface ApplicationSummary {
  readonly total: number;
  readonly healthy: number;
  /** Applications per phase. */
  readonly byPhase: Readonly<Record<string, number>>;
  /** Per cluster: applications with a replica there, and replicas. */
  readonly clusters: readonly { readonly cluster: string; readonly applications: number; readonly replicas: number }[];
  /** Per department (only those the reader may see): applications, healthy ones, replicas. */
  readonly departments: readonly {
    readonly tenant: string;
    readonly applications: number;
    readonly healthy: number;
    readonly replicas: number;
  }[];
  /** Unhealthy applications, worst phase first, at most `attention` of them. */
  readonly attention: readonly SummaryRow[];
}

const PHASE_RANK: Readonly<Record<string, number>> = {
  Failed: 0,
  Degraded: 1,
  Suspended: 2,
  Pending: 3,
  Progressing: 4,
  Deleting: 5,
};

/** Sums over the rows of each department given (pure; deterministic order: by name). */
export function summarize(byTenant: ReadonlyMap<string, readonly SummaryRow[]>, attention: number): ApplicationSummary {
  let total = 0;
  let healthy = 0;
  const byPhase: Record<string, number> = {};
  const clusters = new Map<string, { applications: number; replicas: number }>();
  const departments: { tenant: string; applications: number; healthy: number; replicas: number }[] = [];
  const unhealthy: SummaryRow[] = [];
  for (const [tenant, rows] of byTenant) {
    const d = { tenant, applications: 0, healthy: 0, replicas: 0 };
    for (const r of rows) {
      total++;
      d.applications++;
      if (r.healthy) {
        healthy++;
        d.healthy++;
      } else unhealthy.push(r);
      byPhase[r.phase] = (byPhase[r.phase] ?? 0) + 1;
      for (const [c, n] of Object.entries(r.clusters)) {
        if (!(n > 0)) continue;
        const e = clusters.get(c) ?? { applications: 0, replicas: 0 };
        e.applications++;
        e.replicas += n;
        clusters.set(c, e);
        d.replicas += n;
      }
    }
    departments.push(d);
  }
  const key = (r: SummaryRow) => `${r.tenant}/${r.name}`;
  unhealthy.sort((a, b) => (PHASE_RANK[a.phase] ?? 9) - (PHASE_RANK[b.phase] ?? 9) || (key(a) < key(b) ? -1 : 1));
  return {
    total,
    healthy,
    byPhase: Object.fromEntries(Object.entries(byPhase).sort(([a], [b]) => (a < b ? -1 : 1))),
    clusters: [...clusters.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([cluster, e]) => ({ cluster, ...e })),
    departments: departments.sort((a, b) => (a.tenant < b.tenant ? -1 : 1)),
    attention: unhealthy.slice(0, attention),
  };
}
