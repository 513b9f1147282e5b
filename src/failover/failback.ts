/** Replicas per component per cluster. */
export type Placement = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** What delivery remembers of a failover, in `Application.status.failover`. */
export interface FailoverRecord {
  /** Clusters the application was moved off because they became unhealthy. */
  readonly origins: readonly string[];
  /** The placement before the move: what failback returns to. */
  readonly before: Placement;
  /** When the move happened (ISO). */
  readonly at: string;
  /** `failing-back` while replacement replicas start on the origins (make-before-break). */
  readonly phase: 'failed-over' | 'failing-back';
  /** The application's generation then: a new spec places afresh and ends the failover. */
  readonly generation: number;
}

export interface FailbackSettings {
  readonly mode: 'auto' | 'manual';
  readonly stabilizationMs: number;
}

export const DEFAULT_FAILBACK: FailbackSettings = { mode: 'auto', stabilizationMs: 60_000 };

/** The failover policy's failback settings, with defaults. */
export function failbackSettings(properties: Record<string, unknown> | undefined): FailbackSettings {
  const mode = properties?.failback === 'manual' ? 'manual' : 'auto';
  const s = properties?.stabilizationSeconds;
  return { mode, stabilizationMs: typeof s === 'number' && s >= 0 ? s * 1000 : DEFAULT_FAILBACK.stabilizationMs };
}

/**
 * Records a failover (pure): clusters the application ran on that placement dropped because they are unhealthy.
 * An existing record keeps its `before` (the placement to return to) and gains the new origins.
 */
export function noteFailover(
  record: FailoverRecord | undefined,
  previous: Placement,
  dropped: readonly string[],
  now: string,
  generation: number,
): FailoverRecord | undefined {
  if (dropped.length === 0) return record;
  if (record) {
    const origins = [...new Set([...record.origins, ...dropped])].sort();
    return { ...record, origins, phase: 'failed-over' };
  }
  return { origins: [...dropped].sort(), before: previous, at: now, phase: 'failed-over', generation };
}

/**
 * The placement while failing back (pure): every cluster keeps what it has and the origins get their replicas
 * back as well (a surge), so ready replicas never drop below what is desired. Once the origins' replicas are
 * ready, the target placement alone takes over. Components in `single` (cron-tasks and tasks: they run in one
 * cluster at a time) are not copied but moved: they take the target's placement at once, so a CronJob never
 * exists in two clusters and its schedule never fires twice.
 */
export function surgePlacement(
  current: Placement,
  target: Placement,
  single: ReadonlySet<string> = new Set(),
): Placement {
  const out: Record<string, Record<string, number>> = {};
  for (const component of new Set([...Object.keys(current), ...Object.keys(target)])) {
    if (single.has(component)) {
      out[component] = { ...(target[component] ?? current[component] ?? {}) };
      continue;
    }
    const m: Record<string, number> = {};
    for (const [cluster, n] of Object.entries(current[component] ?? {})) m[cluster] = n;
    for (const [cluster, n] of Object.entries(target[component] ?? {})) m[cluster] = Math.max(m[cluster] ?? 0, n);
    out[component] = m;
  }
  return out;
}

/**
 * Whether every replica the target puts on the origins is ready there. Only long-running components count:
 * those in `runToCompletion` (tasks, cron-tasks) have no ready replicas to wait for, and wait for nothing.
 */
export function originsReady(
  target: Placement,
  origins: readonly string[],
  ready: (component: string, cluster: string) => number,
  runToCompletion: ReadonlySet<string> = new Set(),
): boolean {
  for (const [component, byCluster] of Object.entries(target)) {
    if (runToCompletion.has(component)) continue;
    for (const cluster of origins) {
      const want = byCluster[cluster] ?? 0;
      if (want > 0 && ready(component, cluster) < want) return false;
    }
  }
  return true;
}
