import type { ClusterCandidate, ComponentDemand } from '../placement/types.ts';
import type {
  Priority,
  Share,
  SharingDecision,
  SharingDemand,
  SharingDepartment,
  SharingGrant,
} from '../placement/sharing.ts';
import { departmentShare, grantKey, shareCapacity, sharingDepartment } from '../placement/sharing.ts';
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

/**
 * How often a contended estate's whole decision may be recomputed. Each recomputation is linear in the demands
 * (about 5 µs per component at 10,000 applications), and every reconcile of a changed application asked for one: at
 * 10,000 applications under an autoscaler that was most of a core, and quadratic in the estate. Paced, changes that
 * arrive within the interval share one recomputation; the applications that changed wait for it (the controller
 * requeues them), those that did not keep their grant meanwhile.
 */
export interface SharingPace {
  /** Milliseconds of the injected clock. */
  readonly now: () => number;
  /** The least interval between two recomputations, given the demands (rows) of the last one. */
  readonly minIntervalMs?: (rows: number) => number;
}

/**
 * Small estates are never paced (a decision costs well under a millisecond); from 2,000 components on, one decision
 * per (rows / 10) ms, at most 5 s: 1 s at 10,000, which holds fair sharing to a few percent of a core.
 */
export function defaultSharingInterval(rows: number): number {
  return rows < 2000 ? 0 : Math.min(5000, rows / 10);
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
 * healthy private capacity. Rebuilt from the store before the first reconcile, so a restart neither forgets a
 * department's holdings nor places twice.
 *
 * Uncontended (everything wanted fits the capacity, and every department its guarantee + borrowing limit, which
 * running totals tell at once) the decision is everyone's full demand, split into guaranteed and borrowed inside
 * each department alone (`departmentShare`; the same as the whole decision then, property-tested). Only contention
 * computes the whole decision (src/placement/sharing.ts), and only again when a demand, a department or the
 * capacity changed; an application whose grant fell below what it holds is reported so that it yields at once. So
 * placing thousands of applications costs nothing per application beyond its own department.
 */
export class SharingLedger {
  private readonly pace?: SharingPace;

  constructor(pace?: SharingPace) {
    this.pace = pace;
  }

  private readonly apps = new Map<string, AppEntry>();
  /** The applications of each department. */
  private readonly members = new Map<string, Set<string>>();
  private readonly departments = new Map<string, SharingDepartment>();
  private capacity: Share = { cpuMilli: 0, memoryBytes: 0 };
  /** Every private cluster has reported its capacity once: until then nothing is capped (a restart holds). */
  private known = false;
  /** Effective demand (cpu, memory) per department and in all, kept as applications change. */
  private readonly totals = new Map<string, { cpu: number; mem: number }>();
  private total = { cpu: 0, mem: 0 };
  private decision?: SharingDecision;
  /** Something changed since `decision` was computed. */
  private stale = true;
  private computedAt = -Infinity;
  /** Applications and departments changed since `decision` (their grants in it are out of date). */
  private readonly dirtyApps = new Set<string>();
  private readonly dirtyDepartments = new Set<string>();
  /** Per department, its own split when uncontended; dropped when one of its demands or its spec changes. */
  private readonly byDepartment = new Map<string, SharingDecision>();
  private yielding: string[] = [];

  setDepartment(name: string, spec: TenantSharingSpec | undefined): void {
    const next = sharingDepartment(name, spec);
    if (JSON.stringify(this.departments.get(name)) === JSON.stringify(next)) return;
    this.departments.set(name, next);
    this.dirtyDepartments.add(name);
    this.changed(name);
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
      // A cordoned cluster takes nothing new: its room is no one's guarantee.
      if (!c.healthy || c.cordoned || c.role !== 'primary' || !c.allocatable) continue;
      cpuMilli += c.allocatable.cpuMilli;
      memoryBytes += c.allocatable.memoryBytes;
    }
    if (cpuMilli === this.capacity.cpuMilli && memoryBytes === this.capacity.memoryBytes) return;
    this.capacity = { cpuMilli, memoryBytes };
    this.stale = true;
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
    if (was) this.count(was, -1);
    const e = { tenant, priority, demands, privateNow: was?.privateNow ?? new Map<string, number>() };
    if (was) this.members.get(was.tenant)?.delete(key);
    this.apps.set(key, e);
    this.members.set(tenant, (this.members.get(tenant) ?? new Set()).add(key));
    this.count(e, 1);
    if (was && was.tenant !== tenant) this.changed(was.tenant);
    this.changed(tenant, key);
  }

  /**
   * Records where an application's replicas are now. It changes the decision only where what runs exceeds what is
   * wanted (that counts as demand until placement shrinks it).
   */
  setPlacement(
    key: string,
    placement: Readonly<Record<string, Readonly<Record<string, number>>>>,
    isPrivate: (cluster: string) => boolean,
  ): void {
    const e = this.apps.get(key);
    if (!e) return;
    const next = privateCounts(placement, isPrivate);
    const effective = (m: Map<string, number>) => e.demands.map((c) => Math.max(c.replicas, m.get(c.name) ?? 0));
    const same = JSON.stringify(effective(e.privateNow)) === JSON.stringify(effective(next));
    if (same) {
      e.privateNow = next;
      return;
    }
    this.count(e, -1);
    e.privateNow = next;
    this.count(e, 1);
    this.changed(e.tenant, key);
  }

  remove(key: string): void {
    const e = this.apps.get(key);
    if (!e) return;
    this.count(e, -1);
    this.apps.delete(key);
    this.members.get(e.tenant)?.delete(key);
    this.changed(e.tenant, key);
  }

  /**
   * Milliseconds until this application's grant can be decided, when it changed since the last decision of a
   * contended estate and the pace does not allow another one yet; undefined when shareOf answers now.
   */
  deferredFor(key: string): number | undefined {
    if (!this.pace || !this.decision || !this.stale || !this.known || this.uncontended()) return undefined;
    const e = this.apps.get(key);
    if (!e || (!this.dirtyApps.has(key) && !this.dirtyDepartments.has(e.tenant))) return undefined;
    const wait = this.computedAt + this.interval() - this.pace.now();
    return wait > 0 ? wait : undefined;
  }

  /** What fair sharing allows this application now. */
  shareOf(key: string): ApplicationShare | undefined {
    const e = this.apps.get(key);
    if (!e || !this.known) return undefined;
    const privateCap: Record<string, number> = {};
    const grants: Record<string, SharingGrant> = {};
    const whole = this.uncontended() ? this.wholeDepartment(e.tenant) : undefined;
    const d = whole ? undefined : this.uncontended() ? this.departmentDecision(e.tenant) : this.current();
    for (const c of e.demands) {
      const n = Math.max(c.replicas, e.privateNow.get(c.name) ?? 0);
      const g = whole
        ? { guaranteed: whole === 'guaranteed' ? n : 0, borrowed: whole === 'borrowed' ? n : 0 }
        : d!.grants.get(grantKey(key, c.name));
      if (!g) continue;
      grants[c.name] = g;
      privateCap[c.name] = g.guaranteed + g.borrowed;
    }
    return { privateCap, grants };
  }

  /** Applications whose grant fell below what they hold privately since the last call: they must yield now. */
  takeYielding(): string[] {
    if (!this.known) return [];
    // Uncontended, everyone's grant is all it wants, which is at least what it holds: nobody yields.
    if (!this.uncontended()) this.current();
    const out = this.yielding;
    this.yielding = [];
    return out;
  }

  /** The capacity divided and the decision as it stands (for diagnosis and tests). */
  view(): { capacity: Share; known: boolean; decision: SharingDecision } {
    return { capacity: this.capacity, known: this.known, decision: this.current() };
  }

  /**
   * The whole decision as it stands: recomputed when something changed, unless the pace holds the last one a little
   * longer (then the applications that changed are deferred by deferredFor, and the others keep their grants).
   */
  current(): SharingDecision {
    if (this.decision && (!this.stale || this.paced())) return this.decision;
    const demands = this.demandsOf();
    this.decision = shareCapacity({ capacity: this.capacity, departments: [...this.departments.values()], demands });
    this.stale = false;
    this.computedAt = this.pace?.now() ?? 0;
    this.dirtyApps.clear();
    this.dirtyDepartments.clear();
    const yielding = new Set(this.yielding);
    for (const x of demands) {
      const g = this.decision.grants.get(grantKey(x.app, x.component))!;
      if (x.privateNow > g.guaranteed + g.borrowed) yielding.add(x.app);
    }
    this.yielding = [...yielding];
    return this.decision;
  }

  /** Everything wanted fits the capacity, and each department its guarantee + borrowing limit. */
  private uncontended(): boolean {
    if (this.total.cpu > this.capacity.cpuMilli + 1e-6 || this.total.mem > this.capacity.memoryBytes + 1e-6)
      return false;
    for (const [name, t] of this.totals) {
      const d = this.departments.get(name);
      if (!d) continue;
      // No limit: anything; a limit without a guarantee: the limit alone.
      const within = (used: number, g: number | undefined, l: number | undefined) =>
        l === undefined || used <= (g ?? 0) + l + 1e-6;
      if (!within(t.cpu, d.guarantee.cpuMilli, d.borrowingLimit.cpuMilli)) return false;
      if (!within(t.mem, d.guarantee.memoryBytes, d.borrowingLimit.memoryBytes)) return false;
    }
    return true;
  }

  /**
   * Uncontended, a department whose whole demand is within its guarantee has all of it guaranteed, and one without
   * a guarantee has all of it borrowed: no split to compute. Otherwise undefined.
   */
  private wholeDepartment(name: string): 'guaranteed' | 'borrowed' | undefined {
    const d = this.departments.get(name);
    const g = d?.guarantee ?? {};
    if (g.cpuMilli === undefined && g.memoryBytes === undefined) return 'borrowed';
    const t = this.totals.get(name) ?? { cpu: 0, mem: 0 };
    const within = (used: number, limit: number | undefined) => limit === undefined || used <= limit + 1e-6;
    return within(t.cpu, g.cpuMilli) && within(t.mem, g.memoryBytes) ? 'guaranteed' : undefined;
  }

  private departmentDecision(name: string): SharingDecision {
    let d = this.byDepartment.get(name);
    if (!d) {
      const spec = this.departments.get(name) ?? { name, guarantee: {}, borrowingLimit: {} };
      d = departmentShare(spec, this.demandsOf(this.members.get(name) ?? new Set()));
      this.byDepartment.set(name, d);
    }
    return d;
  }

  private demandsOf(keys: Iterable<string> = this.apps.keys()): SharingDemand[] {
    const demands: SharingDemand[] = [];
    for (const key of keys) {
      const e = this.apps.get(key)!;
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
    }
    return demands;
  }

  /** Adds (sign 1) or takes away (-1) an application's effective demand from the running totals. */
  private count(e: AppEntry, sign: 1 | -1): void {
    let cpu = 0;
    let mem = 0;
    for (const c of e.demands) {
      const n = Math.max(c.replicas, e.privateNow.get(c.name) ?? 0);
      cpu += n * c.perReplica.cpuMilli;
      mem += n * c.perReplica.memoryBytes;
    }
    const t = this.totals.get(e.tenant) ?? { cpu: 0, mem: 0 };
    t.cpu += sign * cpu;
    t.mem += sign * mem;
    this.totals.set(e.tenant, t);
    this.total = { cpu: this.total.cpu + sign * cpu, mem: this.total.mem + sign * mem };
  }

  private changed(department: string, app?: string): void {
    this.stale = true;
    if (app !== undefined) this.dirtyApps.add(app);
    this.byDepartment.delete(department);
  }

  /** The last decision may still serve: paced, and its interval not yet over. */
  private paced(): boolean {
    return this.pace !== undefined && this.pace.now() < this.computedAt + this.interval();
  }

  private interval(): number {
    const rows = this.decision?.grants.size ?? 0;
    return (this.pace?.minIntervalMs ?? defaultSharingInterval)(rows);
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
