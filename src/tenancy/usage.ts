import type { ResourceUsage } from './quota.ts';
import { ZERO_USAGE, addUsage } from './quota.ts';
import { parseBytes, parseCpu } from '../kernel/quantity.ts';
import { replicaCost } from '../placement/planner.ts';

/** What one application of a department holds, as the usage report needs it (pure input). */
export interface ApplicationHolding {
  /** What it asks of the department's quota (src/apps/application-usage.ts). */
  readonly requested: ResourceUsage;
  /** Per component: the requests of one replica. */
  readonly perReplica: Readonly<Record<string, { readonly cpuMilli: number; readonly memoryBytes: number }>>;
  /** status.placement: replicas per component per cluster. */
  readonly placement: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** The clusters' facts the report prices with. */
export interface ClusterPricing {
  readonly role: string;
  /** The cluster's health (status.health); an `Unreachable` cluster's replicas are reported apart. */
  readonly health?: string;
  readonly prices?: { readonly cpuCoreHour: number; readonly memoryGiBHour: number };
}

/** A department's quota against what its applications request and what placement actually runs. */
export interface DepartmentUsage {
  readonly tenant: string;
  readonly displayName?: { readonly zh: string; readonly en: string };
  /** Limits in base units: cores, bytes, bytes, applications; an absent one is unlimited. */
  readonly quota: { cpu?: number; memory?: number; storage?: number; applications?: number };
  /** Declared in the applications' specs (what quota admission counts): cores, bytes, bytes, applications. */
  readonly requested: { cpu: number; memory: number; storage: number; applications: number };
  /** Placed on clusters now (autoscaled replica counts included): cores, bytes, replicas, of which on burst clusters. */
  readonly placed: { cpu: number; memory: number; replicas: number; burstReplicas: number };
  /** The placed requests at each cluster's prices, in yuan per hour (unreachable clusters not counted). */
  readonly costPerHour: number;
  /**
   * Replicas placement still lists on clusters that are Unreachable: their pods may run or be gone, and after a
   * failover their replacements are counted in `placed`, so they are shown apart and never added to the totals.
   */
  readonly unreachable: { cpu: number; memory: number; replicas: number };
}

function quotaInBaseUnits(quota: Record<string, unknown> | undefined): DepartmentUsage['quota'] {
  const out: { cpu?: number; memory?: number; storage?: number; applications?: number } = {};
  if (!quota) return out;
  if (quota.cpu !== undefined) out.cpu = parseCpu(quota.cpu as string | number) / 1000;
  if (quota.memory !== undefined) out.memory = parseBytes(quota.memory as string | number);
  if (quota.storage !== undefined) out.storage = parseBytes(quota.storage as string | number);
  if (typeof quota.applications === 'number') out.applications = quota.applications;
  return out;
}

/** Rounds money to the fen and figures to three decimals, so that reports compare as equal across runs. */
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/**
 * The usage report of one department (pure). Replicas on a cluster polis does not know are counted but not priced;
 * replicas on an Unreachable cluster are counted apart, in `unreachable`, not in `placed` or the cost.
 */
export function departmentUsage(
  tenant: string,
  tenantSpec: { displayName?: { zh: string; en: string }; quota?: Record<string, unknown> } | undefined,
  apps: readonly ApplicationHolding[],
  clusters: ReadonlyMap<string, ClusterPricing>,
): DepartmentUsage {
  let requested = ZERO_USAGE;
  let cpuMilli = 0;
  let memory = 0;
  let replicas = 0;
  let burstReplicas = 0;
  let cost = 0;
  const lost = { cpuMilli: 0, memory: 0, replicas: 0 };
  for (const app of apps) {
    requested = addUsage(requested, app.requested);
    for (const [component, perCluster] of Object.entries(app.placement)) {
      const per = app.perReplica[component] ?? { cpuMilli: 0, memoryBytes: 0 };
      for (const [cluster, n] of Object.entries(perCluster)) {
        if (n <= 0) continue;
        const c = clusters.get(cluster);
        if (c?.health === 'Unreachable') {
          lost.replicas += n;
          lost.cpuMilli += n * per.cpuMilli;
          lost.memory += n * per.memoryBytes;
          continue;
        }
        replicas += n;
        if (c?.role === 'burst') burstReplicas += n;
        cpuMilli += n * per.cpuMilli;
        memory += n * per.memoryBytes;
        if (c) cost += n * replicaCost(c, per);
      }
    }
  }
  return {
    tenant,
    ...(tenantSpec?.displayName ? { displayName: tenantSpec.displayName } : {}),
    quota: quotaInBaseUnits(tenantSpec?.quota),
    requested: {
      cpu: round(requested.cpu / 1000, 3),
      memory: requested.memory,
      storage: requested.storage,
      applications: requested.applications,
    },
    placed: { cpu: round(cpuMilli / 1000, 3), memory, replicas, burstReplicas },
    costPerHour: round(cost, 2),
    unreachable: { cpu: round(lost.cpuMilli / 1000, 3), memory: lost.memory, replicas: lost.replicas },
  };
}
