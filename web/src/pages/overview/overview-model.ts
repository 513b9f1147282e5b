import type { Cluster, DepartmentUsage } from '../../api/types.ts';

/** Pure aggregations behind the overview (tested apart from the page). */

export interface CapacityTotals {
  readonly allocatableCpu: number;
  readonly requestedCpu: number;
  readonly usedCpu: number;
  readonly allocatableMemory: number;
  readonly requestedMemory: number;
  readonly usedMemory: number;
  /** Nodes of the clusters counted. */
  readonly nodes: number;
  /**
   * The same figures for the Unreachable clusters, kept apart: their last report is stale and, after a failover,
   * their workloads run again elsewhere, so adding them would count that allocation twice.
   */
  readonly unreachable: {
    readonly clusters: number;
    readonly nodes: number;
    readonly allocatableCpu: number;
    readonly requestedCpu: number;
    readonly allocatableMemory: number;
    readonly requestedMemory: number;
  };
}

/** Sums over the clusters that report status (cores and bytes); Unreachable clusters are summed apart. */
export function capacityTotals(clusters: readonly Cluster[]): CapacityTotals {
  const live = {
    allocatableCpu: 0,
    requestedCpu: 0,
    usedCpu: 0,
    allocatableMemory: 0,
    requestedMemory: 0,
    usedMemory: 0,
    nodes: 0,
  };
  const dead = { clusters: 0, nodes: 0, allocatableCpu: 0, requestedCpu: 0, allocatableMemory: 0, requestedMemory: 0 };
  for (const c of clusters) {
    const s = c.status;
    const into = s?.health === 'Unreachable' ? dead : live;
    if (into === dead) dead.clusters++;
    into.nodes += s?.nodes?.total ?? 0;
    into.allocatableCpu += (s?.allocatable?.cpuMilli ?? 0) / 1000;
    into.requestedCpu += (s?.requested?.cpuMilli ?? 0) / 1000;
    into.allocatableMemory += s?.allocatable?.memoryBytes ?? 0;
    into.requestedMemory += s?.requested?.memoryBytes ?? 0;
    if (into === live) {
      live.usedCpu += (s?.used?.cpuMilli ?? 0) / 1000;
      live.usedMemory += s?.used?.memoryBytes ?? 0;
    }
  }
  return { ...live, unreachable: dead };
}

/** Clusters by one dimension with how many of each are healthy. */
export function clustersBy(
  clusters: readonly Cluster[],
  dimension: 'vendor' | 'region' | 'networkZone',
): { value: string; total: number; ready: number }[] {
  const m = new Map<string, { total: number; ready: number }>();
  for (const c of clusters) {
    const v = c.spec[dimension];
    const e = m.get(v) ?? { total: 0, ready: 0 };
    e.total++;
    if (c.status?.health === 'Ready') e.ready++;
    m.set(v, e);
  }
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([value, e]) => ({ value, ...e }));
}

export interface UsageTotals {
  readonly costPerHour: number;
  readonly placedCpu: number;
  readonly replicas: number;
  readonly burstReplicas: number;
  /** Replicas on Unreachable clusters, apart from `replicas`. */
  readonly unreachableReplicas: number;
}

export function usageTotals(items: readonly DepartmentUsage[]): UsageTotals {
  return items.reduce(
    (a, u) => ({
      costPerHour: a.costPerHour + u.costPerHour,
      placedCpu: a.placedCpu + u.placed.cpu,
      replicas: a.replicas + u.placed.replicas,
      burstReplicas: a.burstReplicas + u.placed.burstReplicas,
      unreachableReplicas: a.unreachableReplicas + (u.unreachable?.replicas ?? 0),
    }),
    { costPerHour: 0, placedCpu: 0, replicas: 0, burstReplicas: 0, unreachableReplicas: 0 },
  );
}
