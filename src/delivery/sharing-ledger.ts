import type { ClusterCandidate, ComponentDemand } from '../placement/types.ts';
import type {
  Priority,
  Share,
  SharingDecision,
  SharingDemand,
  SharingDepartment,
  SharingGrant,
} from '../placement/sharing.ts';
import { grantKey, shareCapacity, sharingDepartment } from '../placement/sharing.ts';
import type { TenantSharingSpec } from '../placement/sharing.ts';
export type { TenantSharingSpec } from '../placement/sharing.ts';
export { priorityOf } from '../placement/sharing.ts';

interface AppEntry {
  readonly tenant: string;
  readonly priority: Priority;
  /** Placement demands, by component, with the replicas wanted. */
  readonly demands: readonly ComponentDemand[];
  /** Replicas per component on private clusters now. */
  privateNow: Map<string, number>;
}

/** What fair sharing allows one application now. */
export interface ApplicationShare {
  /** Private replicas at most, by component. */
  readonly privateCap: Record<string, number>;
  /** The grant per component (guaranteed, borrowed, and why the rest may not run privately). */
  readonly grants: Record<string, SharingGrant>;
}

/**
 * Fair sharing's view of every application, kept by the delivery controller: what each wants (its demands after
 * autoscaling), what it holds on private clusters, the departments' guarantees and borrowing limits, and the
 * healthy private capacity. Rebuilt from the store's Applications before the first reconcile, so a restart neither
 * forgets a department's holdings nor places twice. The decision (src/placement/sharing.ts) is computed again only
 * when a demand, a department, or the capacity changed; an application whose grant fell below what it holds is
 * reported so that it is reconciled at once (it yields).
 */
export class SharingLedger {
  private readonly apps = new Map<string, AppEntry>();
  private readonly departments = new Map<string, SharingDepartment>();
  private capacity: Share = { cpuMilli: 0, memoryBytes: 0 };
  /** Every private cluster has reported its capacity once: until then nothing is capped (a restart holds). */
  private known = false;
  private decision?: SharingDecision;
  private yielding: string[] = [];

  setDepartment(name: string, spec: TenantSharingSpec | undefined): void {
    const next = sharingDepartment(name, spec);
    if (JSON.stringify(this.departments.get(name)) === JSON.stringify(next)) return;
    this.departments.set(name, next);
    this.decision = undefined;
  }

  /**
   * The healthy primary clusters' allocatable cpu and memory: what applications are normally placed on. Disaster-
   * recovery clusters take replicas only when primaries fail, and burst clusters are the public cloud.
   */
  setCapacity(candidates: readonly ClusterCandidate[]): void {
    let cpuMilli = 0;
    let memoryBytes = 0;
    this.known = candidates.every((c) => c.role === 'burst' || c.allocatable !== undefined);
    for (const c of candidates) {
      if (!c.healthy || c.role !== 'primary' || !c.allocatable) continue;
      cpuMilli += c.allocatable.cpuMilli;
      memoryBytes += c.allocatable.memoryBytes;
    }
    if (cpuMilli === this.capacity.cpuMilli && memoryBytes === this.capacity.memoryBytes) return;
    this.capacity = { cpuMilli, memoryBytes };
    this.decision = undefined;
  }

  /** Records what an application wants; the decision is recomputed only when that changed. */
  setDemand(key: string, tenant: string, priority: Priority, demands: readonly ComponentDemand[]): void {
    const was = this.apps.get(key);
    if (
      was &&
      was.tenant === tenant &&
      was.priority === priority &&
      JSON.stringify(was.demands) === JSON.stringify(demands)
    )
      return;
    this.apps.set(key, { tenant, priority, demands, privateNow: was?.privateNow ?? new Map() });
    this.decision = undefined;
  }

  /** Records where an application's replicas are now. Does not change the decision by itself. */
  setPlacement(
    key: string,
    placement: Readonly<Record<string, Readonly<Record<string, number>>>>,
    isPrivate: (cluster: string) => boolean,
  ): void {
    const e = this.apps.get(key);
    if (!e) return;
    e.privateNow = privateCounts(placement, isPrivate);
  }

  remove(key: string): void {
    if (!this.apps.delete(key)) return;
    this.decision = undefined;
  }

  /** What fair sharing allows this application now. */
  shareOf(key: string): ApplicationShare | undefined {
    const e = this.apps.get(key);
    if (!e || !this.known) return undefined;
    const d = this.current();
    const privateCap: Record<string, number> = {};
    const grants: Record<string, SharingGrant> = {};
    for (const c of e.demands) {
      const g = d.grants.get(grantKey(key, c.name));
      if (!g) continue;
      grants[c.name] = g;
      privateCap[c.name] = g.guaranteed + g.borrowed;
    }
    return { privateCap, grants };
  }

  /** Applications whose grant fell below what they hold privately since the last call: they must yield now. */
  takeYielding(): string[] {
    if (!this.known) return [];
    this.current();
    const out = this.yielding;
    this.yielding = [];
    return out;
  }

  /** The capacity divided and the decision as it stands (for /metrics and the guarantees-beyond-capacity warning). */
  view(): { capacity: Share; known: boolean; decision: SharingDecision } {
    return { capacity: this.capacity, known: this.known, decision: this.current() };
  }

  /** The decision as it stands. */
  current(): SharingDecision {
    if (this.decision) return this.decision;
    const demands: SharingDemand[] = [];
    for (const [key, e] of this.apps)
      for (const c of e.demands) {
        const privateNow = e.privateNow.get(c.name) ?? 0;
        demands.push({
          app: key,
          component: c.name,
          department: e.tenant,
          priority: e.priority,
          perReplica: c.perReplica,
          // What runs counts even beyond what is wanted: a component duplicated on every cluster of a topology, or
          // one still scaling down, holds that much until placement shrinks it.
          replicas: Math.max(c.replicas, privateNow),
          privateNow,
        });
      }
    const departments = [...this.departments.values()];
    this.decision = shareCapacity({ capacity: this.capacity, departments, demands });
    const yielding = new Set(this.yielding);
    for (const x of demands) {
      const g = this.decision.grants.get(grantKey(x.app, x.component))!;
      if (x.privateNow > g.guaranteed + g.borrowed) yielding.add(x.app);
    }
    this.yielding = [...yielding];
    return this.decision;
  }
}

function privateCounts(
  placement: Readonly<Record<string, Readonly<Record<string, number>>>>,
  isPrivate: (cluster: string) => boolean,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [component, byCluster] of Object.entries(placement)) {
    let n = 0;
    for (const [cluster, k] of Object.entries(byCluster)) if (isPrivate(cluster)) n += k;
    out.set(component, n);
  }
  return out;
}
