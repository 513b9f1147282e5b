import type { Application, ApplicationSummary, Cluster, DepartmentUsage } from '../../api/types.ts';

/** Pure aggregations behind the big screen (tested apart from the page). */

/** What the big screen keeps of an application: its health and where its replicas run (10,000 of these are small). */
export interface ScreenApp {
  readonly tenant: string;
  readonly phase: string;
  readonly healthy: boolean;
  readonly clusters: Readonly<Record<string, number>>;
}

export function screenApp(a: Application): ScreenApp {
  const clusters: Record<string, number> = {};
  for (const perCluster of Object.values(a.status?.placement ?? {}))
    for (const [c, n] of Object.entries(perCluster)) clusters[c] = (clusters[c] ?? 0) + n;
  return {
    tenant: a.metadata.tenant ?? '',
    phase: a.metadata.deletionTimestamp ? 'Deleting' : (a.status?.phase ?? 'Pending'),
    healthy: a.status?.healthy === true,
    clusters,
  };
}

export type TileHealth = 'healthy' | 'degraded' | 'unreachable';

/** Ready is healthy; Unreachable is unreachable; anything else (Suspect, no permission, unknown) is degraded. */
export function tileHealth(c: Cluster): TileHealth {
  const h = c.status?.health;
  if (h === 'Ready') return 'healthy';
  if (h === 'Unreachable') return 'unreachable';
  return 'degraded';
}

export interface AppTotals {
  readonly total: number;
  readonly healthy: number;
  readonly byPhase: Readonly<Record<string, number>>;
  /** Replicas per cluster over every application. */
  readonly replicas: Readonly<Record<string, number>>;
}

export function appTotals(apps: Iterable<ScreenApp>): AppTotals {
  let total = 0;
  let healthy = 0;
  const byPhase: Record<string, number> = {};
  const replicas: Record<string, number> = {};
  for (const a of apps) {
    total++;
    if (a.healthy) healthy++;
    byPhase[a.phase] = (byPhase[a.phase] ?? 0) + 1;
    for (const [c, n] of Object.entries(a.clusters)) replicas[c] = (replicas[c] ?? 0) + n;
  }
  return { total, healthy, byPhase, replicas };
}

/** The same totals from the server's summary (`/api/v1/applications/summary`); zeros until it arrives. */
export function summaryTotals(s: ApplicationSummary | undefined): AppTotals {
  if (!s) return { total: 0, healthy: 0, byPhase: {}, replicas: {} };
  return {
    total: s.total,
    healthy: s.healthy,
    byPhase: s.byPhase,
    replicas: Object.fromEntries(s.clusters.map((c) => [c.cluster, c.replicas])),
  };
}

export interface TileGroup {
  /** `networkZone/region`. */
  readonly key: string;
  readonly networkZone: string;
  readonly region: string;
  readonly clusters: readonly Cluster[];
}

/**
 * The clusters on screen, by network zone and region, cut into screens of at most `perScreen` tiles (a group that
 * spans a cut continues on the next screen under the same heading). `only` limits them (a department sees the
 * clusters its replicas run on).
 */
export function tileScreens(
  clusters: readonly Cluster[],
  perScreen: number,
  only?: ReadonlySet<string>,
): TileGroup[][] {
  const shown = clusters
    .filter((c) => !only || only.has(c.metadata.name))
    .sort(
      (a, b) =>
        cmp(a.spec.networkZone, b.spec.networkZone) ||
        cmp(a.spec.region, b.spec.region) ||
        cmp(a.metadata.name, b.metadata.name),
    );
  const screens: TileGroup[][] = [];
  for (let i = 0; i < shown.length; i += perScreen) {
    const groups: TileGroup[] = [];
    for (const c of shown.slice(i, i + perScreen)) {
      const key = `${c.spec.networkZone}/${c.spec.region}`;
      const last = groups[groups.length - 1];
      if (last?.key === key) (last.clusters as Cluster[]).push(c);
      else groups.push({ key, networkZone: c.spec.networkZone, region: c.spec.region, clusters: [c] });
    }
    screens.push(groups);
  }
  return screens;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface HealthCounts {
  readonly healthy: number;
  readonly degraded: number;
  readonly unreachable: number;
}

export function healthCounts(clusters: Iterable<Cluster>): HealthCounts {
  const n = { healthy: 0, degraded: 0, unreachable: 0 };
  for (const c of clusters) n[tileHealth(c)]++;
  return n;
}

/** Heartbeat age in seconds (undefined without a heartbeat). */
export function heartbeatAge(c: Cluster, now: number): number | undefined {
  const t = c.status?.lastHeartbeat ? Date.parse(c.status.lastHeartbeat) : NaN;
  return Number.isNaN(t) ? undefined : Math.max(0, Math.round((now - t) / 1000));
}

export interface CostTotals {
  readonly perHour: number;
  /** Departments by cost per hour, highest first, at most `top`. */
  readonly top: readonly {
    readonly tenant: string;
    readonly displayName?: DepartmentUsage['displayName'];
    readonly perHour: number;
  }[];
  /** A department's own view: CPU placed against its quota. */
  readonly placedCpu: number;
  readonly quotaCpu: number;
}

export function costTotals(items: readonly DepartmentUsage[], top: number): CostTotals {
  let perHour = 0;
  let placedCpu = 0;
  let quotaCpu = 0;
  for (const u of items) {
    perHour += u.costPerHour;
    placedCpu += u.placed.cpu;
    quotaCpu += u.quota.cpu ?? 0;
  }
  const ranked = [...items]
    .sort((a, b) => b.costPerHour - a.costPerHour || cmp(a.tenant, b.tenant))
    .slice(0, top)
    .map((u) => ({ tenant: u.tenant, displayName: u.displayName, perHour: u.costPerHour }));
  return { perHour, top: ranked, placedCpu, quotaCpu };
}
