import type { ResourceUsage } from './quota.ts';
import { ZERO_USAGE, addUsage } from './quota.ts';
import { parseBytes, parseCpu } from '../kernel/quantity.ts';
import { replicaCost } from '../placement/planner.ts';
import type { SharingStatus } from '../delivery/app-status.ts';
import type { TenantSharingSpec } from '../placement/sharing.ts';
import { sharingDepartment } from '../placement/sharing.ts';

/** What one application of a department holds, as the usage report needs it (pure input). */
export interface ApplicationHolding {
  /** What it asks of the department's quota (src/apps/application-usage.ts). */
  readonly requested: ResourceUsage;
  /** Per component: the requests of one replica. */
  readonly perReplica: Readonly<Record<string, { readonly cpuMilli: number; readonly memoryBytes: number }>>;
  /** status.placement: replicas per component per cluster. */
  readonly placement: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** status.sharing: replicas held back by the department's share, and why. */
  readonly sharing?: Pick<SharingStatus, 'components'>;
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
  /** Its share of the private cloud (docs/sharing.md): guarantee, what it borrows, what is held back. */
  readonly sharing: DepartmentSharing;
}

export type HeldBackReason = 'QuotaLimited' | 'CapacityLimited';

/**
 * A department's fair share of the private (non-burst) clusters. Cores and bytes; a dimension absent from
 * `guarantee` has no guarantee, one absent from `borrowingLimit` may borrow without limit.
 */
export interface DepartmentSharing {
  /** The quota's cpu and memory. */
  readonly guarantee: { cpu?: number; memory?: number };
  /** Idle private capacity it may use beyond the guarantee (spec.sharing.borrowingLimit; 0 by default with a quota). */
  readonly borrowingLimit: { cpu?: number; memory?: number };
  /** The requests of its replicas placed on private clusters now. */
  readonly privatePlaced: { cpu: number; memory: number };
  /** Private placed beyond the guarantee, per dimension (0 when within it or without a guarantee). */
  readonly borrowed: { cpu: number; memory: number };
  /** Private placed as a percentage of the guarantee, the larger of cpu and memory (one decimal); absent without one. */
  readonly percent?: number;
  /** Replicas its applications want that run nowhere because of its share, in all and by reason. */
  readonly heldBack: { readonly replicas: number; readonly byReason: Partial<Record<HeldBackReason, number>> };
  /** `over`: beyond the guarantee (borrowing); `near`: at 90% of it or more; `ok` otherwise. */
  readonly level: 'ok' | 'near' | 'over';
}

/** At or above this percentage of its guarantee a department is shown as near its share. */
export const NEAR_SHARE_PERCENT = 90;

/** A department's share figures from its spec, what it holds privately and what its share holds back (pure). */
export function departmentSharing(
  tenantSpec: TenantSharingSpec | undefined,
  privatePlaced: { cpuMilli: number; memoryBytes: number },
  heldBack: DepartmentSharing['heldBack'],
): DepartmentSharing {
  const d = sharingDepartment('', tenantSpec);
  const g = d.guarantee;
  const l = d.borrowingLimit;
  const over = (placed: number, guarantee: number | undefined) =>
    guarantee === undefined ? 0 : Math.max(0, placed - guarantee);
  const borrowed = {
    cpu: round(over(privatePlaced.cpuMilli, g.cpuMilli) / 1000, 3),
    memory: over(privatePlaced.memoryBytes, g.memoryBytes),
  };
  // A zero guarantee has no percentage: anything placed on it is borrowed, shown as `over`.
  const ratios = [
    g.cpuMilli ? privatePlaced.cpuMilli / g.cpuMilli : undefined,
    g.memoryBytes ? privatePlaced.memoryBytes / g.memoryBytes : undefined,
  ].filter((r): r is number => r !== undefined);
  const percent = ratios.length > 0 ? round(Math.max(...ratios) * 100, 1) : undefined;
  const level =
    borrowed.cpu > 0 || borrowed.memory > 0
      ? 'over'
      : percent !== undefined && percent >= NEAR_SHARE_PERCENT
        ? 'near'
        : 'ok';
  return {
    guarantee: {
      ...(g.cpuMilli !== undefined ? { cpu: round(g.cpuMilli / 1000, 3) } : {}),
      ...(g.memoryBytes !== undefined ? { memory: g.memoryBytes } : {}),
    },
    borrowingLimit: {
      ...(l.cpuMilli !== undefined ? { cpu: round(l.cpuMilli / 1000, 3) } : {}),
      ...(l.memoryBytes !== undefined ? { memory: l.memoryBytes } : {}),
    },
    privatePlaced: { cpu: round(privatePlaced.cpuMilli / 1000, 3), memory: privatePlaced.memoryBytes },
    borrowed,
    ...(percent !== undefined ? { percent } : {}),
    heldBack,
    level,
  };
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
  tenantSpec:
    ({ displayName?: { zh: string; en: string }; quota?: Record<string, unknown> } & TenantSharingSpec) | undefined,
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
  let privateCpuMilli = 0;
  let privateMemory = 0;
  let heldBack = 0;
  const byReason: Partial<Record<HeldBackReason, number>> = {};
  for (const app of apps) {
    requested = addUsage(requested, app.requested);
    for (const c of Object.values(app.sharing?.components ?? {})) {
      if (!c.limited) continue;
      heldBack += c.limited;
      if (c.reason) byReason[c.reason] = (byReason[c.reason] ?? 0) + c.limited;
    }
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
        cpuMilli += n * per.cpuMilli;
        memory += n * per.memoryBytes;
        // A cluster polis does not know counts as private, as in the delivery controller's sharing ledger.
        if (c?.role === 'burst') burstReplicas += n;
        else {
          privateCpuMilli += n * per.cpuMilli;
          privateMemory += n * per.memoryBytes;
        }
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
    sharing: departmentSharing(
      tenantSpec,
      { cpuMilli: privateCpuMilli, memoryBytes: privateMemory },
      { replicas: heldBack, byReason },
    ),
  };
}
