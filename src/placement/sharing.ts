/**
 * Fair sharing of the private cloud between departments (pure; docs/sharing.md). A department's share is written
 * as a guarantee (its quota's cpu and memory) and a borrowing limit: how much idle private capacity it may use
 * beyond the guarantee. The decision says, for every component of every application, how many replicas it may hold
 * on private (non-burst) clusters, and why the rest may not:
 *
 * 1. Guaranteed: each department's demand, in priority order (critical, normal, preemptible; then application key),
 *    up to its guarantee. Where the guarantees together exceed the capacity, the tiers are filled by priority and
 *    inside a tier by the lowest share of guarantee used first (water filling), so nobody's guarantee starves
 *    another's entirely.
 * 2. Borrowed, kept: what applications already borrow, by priority tier, the departments borrowing least keeping
 *    theirs first, within the idle capacity the guarantees left. A lender taking its guarantee back is what
 *    shrinks the idle capacity: the borrowers yield, lowest priority first.
 * 3. Borrowed, new: the rest of the idle capacity, by priority tier, lowest dominant share first, up to each
 *    department's borrowing limit.
 *
 * Deterministic: the same input gives the same output whatever order the demands come in.
 */
import { parseBytes, parseCpu } from '../kernel/quantity.ts';
import type { Resources } from '../kernel/resources.ts';

export type Priority = 'critical' | 'normal' | 'preemptible';
export const PRIORITIES: readonly Priority[] = ['critical', 'normal', 'preemptible'];

/** The label an Application carries its priority in (critical, normal, preemptible; default normal). */
export const PRIORITY_LABEL = 'polis.io/priority';

export function priorityOf(labels: Readonly<Record<string, string>> | undefined): Priority {
  const p = labels?.[PRIORITY_LABEL];
  return (PRIORITIES as readonly string[]).includes(p ?? '') ? (p as Priority) : 'normal';
}

/** CPU and memory, the dimensions a share is written in. */
export interface Share {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

export interface SharingDepartment {
  readonly name: string;
  /** Guaranteed private capacity; `undefined` in a dimension: no guarantee (and no limit) in it. */
  readonly guarantee: Partial<Share>;
  /** Idle private capacity it may borrow beyond the guarantee; `undefined` in a dimension: unlimited. */
  readonly borrowingLimit: Partial<Share>;
}

export interface SharingDemand {
  /** `tenant/app` */
  readonly app: string;
  readonly component: string;
  readonly department: string;
  readonly priority: Priority;
  /** Requests of one replica (never zero: see DEFAULT_REQUEST). */
  readonly perReplica: Pick<Resources, 'cpuMilli' | 'memoryBytes'>;
  /** Replicas wanted now, wherever they run. */
  readonly replicas: number;
  /** Replicas on private clusters now. */
  readonly privateNow: number;
}

export interface SharingInput {
  /** Allocatable cpu and memory of the healthy private clusters together. */
  readonly capacity: Share;
  readonly departments: readonly SharingDepartment[];
  readonly demands: readonly SharingDemand[];
}

export type YieldReason = 'QuotaLimited' | 'CapacityLimited';

export interface SharingGrant {
  /** Private replicas within the department's guarantee. */
  readonly guaranteed: number;
  /** Private replicas on idle capacity borrowed beyond it. */
  readonly borrowed: number;
  /**
   * Why the rest of `replicas` may not run on private clusters: `QuotaLimited` the department's guarantee and
   * borrowing limit are used up; `CapacityLimited` the private cloud has no idle capacity left to lend (the other
   * departments' guarantees use it). A function of the input alone, never of history: the same after a restart.
   * (Borrowed replicas given back are an event, `Reclaimed`, recorded by delivery when `borrowed` falls.)
   */
  readonly reason?: YieldReason;
}

export interface DepartmentShare {
  readonly guaranteed: Share;
  readonly borrowed: Share;
  /** Demand (cpu and memory) that may not run on private clusters. */
  readonly limited: Share;
}

export interface SharingDecision {
  /** By `app/component`. */
  readonly grants: ReadonlyMap<string, SharingGrant>;
  readonly departments: ReadonlyMap<string, DepartmentShare>;
  /** The guarantees add up to more than the healthy private capacity (cpu or memory). */
  readonly overcommitted: boolean;
  readonly guaranteeTotal: Share;
}

/** Whether a department may take `cpu` and `mem` more (in the phase the function belongs to). */
type Fits = (r: Row, cpu: number, mem: number) => boolean;

const guaranteedFits: Fits = (r, cpu, mem) =>
  hasGuarantee(r.dept.spec) &&
  fitsWithin(r.dept.gCpu + cpu, r.dept.spec.guarantee.cpuMilli) &&
  fitsWithin(r.dept.gMem + mem, r.dept.spec.guarantee.memoryBytes);

const borrowFits: Fits = (r, cpu, mem) =>
  fitsWithin(r.dept.bCpu + cpu, r.dept.spec.borrowingLimit.cpuMilli) &&
  fitsWithin(r.dept.bMem + mem, r.dept.spec.borrowingLimit.memoryBytes);

const RANK: Record<Priority, number> = { critical: 0, normal: 1, preemptible: 2 };

interface Row {
  readonly d: SharingDemand;
  readonly dept: DeptState;
  want: number;
  guaranteed: number;
  borrowed: number;
}

interface DeptState {
  readonly spec: SharingDepartment;
  gCpu: number;
  gMem: number;
  bCpu: number;
  bMem: number;
}

export function grantKey(app: string, component: string): string {
  return `${app}/${component}`;
}

/** The fair-sharing decision. */
export function shareCapacity(input: SharingInput): SharingDecision {
  const depts = new Map<string, DeptState>();
  for (const spec of [...input.departments].sort((a, b) => cmp(a.name, b.name)))
    depts.set(spec.name, { spec, gCpu: 0, gMem: 0, bCpu: 0, bMem: 0 });
  const deptOf = (name: string): DeptState => {
    let s = depts.get(name);
    if (!s) {
      s = { spec: { name, guarantee: {}, borrowingLimit: {} }, gCpu: 0, gMem: 0, bCpu: 0, bMem: 0 };
      depts.set(name, s);
    }
    return s;
  };
  const rows: Row[] = input.demands
    .map((d) => ({ d, dept: deptOf(d.department), want: whole(d.replicas), guaranteed: 0, borrowed: 0 }))
    .sort(
      (a, b) => RANK[a.d.priority] - RANK[b.d.priority] || cmp(a.d.app, b.d.app) || cmp(a.d.component, b.d.component),
    );
  const left = { cpu: input.capacity.cpuMilli, mem: input.capacity.memoryBytes };

  // 1. Guaranteed, tier by tier.
  for (const tier of tiers(rows)) {
    fill(
      tier,
      left,
      (r) => r.want - r.guaranteed,
      guaranteedFits,
      guaranteeShare,
      (r, n) => {
        r.guaranteed += n;
        r.dept.gCpu += n * r.d.perReplica.cpuMilli;
        r.dept.gMem += n * r.d.perReplica.memoryBytes;
      },
    );
  }
  const borrow = (r: Row, n: number) => {
    r.borrowed += n;
    r.dept.bCpu += n * r.d.perReplica.cpuMilli;
    r.dept.bMem += n * r.d.perReplica.memoryBytes;
  };
  // 2. What is already borrowed stays, as far as the idle capacity and priorities allow.
  for (const tier of tiers(rows))
    fill(
      tier,
      left,
      (r) => Math.min(r.want, r.d.privateNow) - r.guaranteed - r.borrowed,
      borrowFits,
      borrowedShare,
      borrow,
    );
  // 3. New borrowing.
  for (const tier of tiers(rows))
    fill(tier, left, (r) => r.want - r.guaranteed - r.borrowed, borrowFits, borrowedShare, borrow);

  const grants = new Map<string, SharingGrant>();
  const limited = new Map<DeptState, { cpu: number; mem: number }>();
  for (const r of rows) {
    const rest = r.want - r.guaranteed - r.borrowed;
    let reason: YieldReason | undefined;
    if (rest > 0) {
      const l = limited.get(r.dept) ?? { cpu: 0, mem: 0 };
      l.cpu += rest * r.d.perReplica.cpuMilli;
      l.mem += rest * r.d.perReplica.memoryBytes;
      limited.set(r.dept, l);
      reason = borrowFits(r, r.d.perReplica.cpuMilli, r.d.perReplica.memoryBytes) ? 'CapacityLimited' : 'QuotaLimited';
    }
    grants.set(grantKey(r.d.app, r.d.component), {
      guaranteed: r.guaranteed,
      borrowed: r.borrowed,
      ...(reason ? { reason } : {}),
    });
  }
  const departments = new Map<string, DepartmentShare>();
  let gCpu = 0;
  let gMem = 0;
  for (const [name, s] of depts) {
    gCpu += s.spec.guarantee.cpuMilli ?? 0;
    gMem += s.spec.guarantee.memoryBytes ?? 0;
    const l = limited.get(s) ?? { cpu: 0, mem: 0 };
    departments.set(name, {
      guaranteed: { cpuMilli: s.gCpu, memoryBytes: s.gMem },
      borrowed: { cpuMilli: s.bCpu, memoryBytes: s.bMem },
      limited: { cpuMilli: l.cpu, memoryBytes: l.mem },
    });
  }
  return {
    grants,
    departments,
    overcommitted: gCpu > input.capacity.cpuMilli || gMem > input.capacity.memoryBytes,
    guaranteeTotal: { cpuMilli: gCpu, memoryBytes: gMem },
  };
}

/**
 * One department's decision as if the capacity were unlimited: its own demands split into guaranteed (in priority
 * order, up to its guarantee) and borrowed (up to its borrowing limit). When everything wanted fits the capacity and
 * every department its guarantee + borrowing limit, the whole decision is exactly these, department by department.
 */
export function departmentShare(department: SharingDepartment, demands: readonly SharingDemand[]): SharingDecision {
  return shareCapacity({
    capacity: { cpuMilli: Infinity, memoryBytes: Infinity },
    departments: [department],
    demands: demands.filter((d) => d.department === department.name),
  });
}

/** A department with a guarantee in at least one dimension; one without any has everything it runs borrowed. */
function hasGuarantee(d: SharingDepartment): boolean {
  return d.guarantee.cpuMilli !== undefined || d.guarantee.memoryBytes !== undefined;
}

/** Within a limit; an absent limit holds everything. A rounding hair is forgiven. */
function fitsWithin(total: number, limit: number | undefined): boolean {
  return limit === undefined || total <= limit + 1e-6;
}

function guaranteeShare(d: DeptState): number {
  return Math.max(ratio(d.gCpu, d.spec.guarantee.cpuMilli), ratio(d.gMem, d.spec.guarantee.memoryBytes));
}

function borrowedShare(d: DeptState): number {
  const base = d.spec.guarantee;
  return Math.max(ratio(d.gCpu + d.bCpu, base.cpuMilli), ratio(d.gMem + d.bMem, base.memoryBytes));
}

function ratio(used: number, of: number | undefined): number {
  return of && of > 0 ? used / of : used;
}

function tiers(rows: readonly Row[]): Row[][] {
  const out: Row[][] = [[], [], []];
  for (const r of rows) out[RANK[r.d.priority]]!.push(r);
  return out;
}

/**
 * Hands out replicas to the rows of one tier within the capacity left. When all the tier wants fits, every row gets
 * it in one step (the common, uncontended case). Otherwise it is water filling: one replica at a time to the
 * department with the lowest share (then name order), its earliest row that still fits, so contention is shared,
 * not won by name order. The steps are bounded by the capacity over the smallest replica, never by the replicas
 * wanted, and each looks at the departments, not the rows.
 */
function fill(
  tier: readonly Row[],
  left: { cpu: number; mem: number },
  need: (r: Row) => number,
  fits: Fits,
  share: (d: DeptState) => number,
  give: (r: Row, n: number) => void,
): void {
  // Each row's most within its department's limit, taken in row order inside a department.
  const most = new Map<Row, number>();
  const pending = new Map<DeptState, { cpu: number; mem: number }>();
  let cpu = 0;
  let mem = 0;
  for (const r of tier) {
    const n = need(r);
    if (n <= 0) continue;
    const p = pending.get(r.dept) ?? { cpu: 0, mem: 0 };
    const per = r.d.perReplica;
    const k = largestFitting(n, (k) => fits(r, p.cpu + k * per.cpuMilli, p.mem + k * per.memoryBytes));
    if (k <= 0) continue;
    most.set(r, k);
    p.cpu += k * per.cpuMilli;
    p.mem += k * per.memoryBytes;
    pending.set(r.dept, p);
    cpu += k * per.cpuMilli;
    mem += k * per.memoryBytes;
  }
  if (cpu <= left.cpu + 1e-6 && mem <= left.mem + 1e-6) {
    for (const [r, k] of most) give(r, k);
    left.cpu -= cpu;
    left.mem -= mem;
    return;
  }
  // Contended: one replica at a time, lowest department share first.
  const byDept = new Map<DeptState, Row[]>();
  for (const r of most.keys()) byDept.set(r.dept, [...(byDept.get(r.dept) ?? []), r]);
  const remaining = new Map(most);
  const canTake = (r: Row) =>
    remaining.get(r)! > 0 &&
    r.d.perReplica.cpuMilli <= left.cpu + 1e-6 &&
    r.d.perReplica.memoryBytes <= left.mem + 1e-6 &&
    fits(r, r.d.perReplica.cpuMilli, r.d.perReplica.memoryBytes);
  for (;;) {
    let best: Row | undefined;
    let bestShare = Infinity;
    for (const [dept, rs] of byDept) {
      const s = share(dept);
      if (s >= bestShare) continue;
      const r = rs.find(canTake);
      if (!r) continue;
      best = r;
      bestShare = s;
    }
    if (!best) return;
    give(best, 1);
    remaining.set(best, remaining.get(best)! - 1);
    left.cpu -= best.d.perReplica.cpuMilli;
    left.mem -= best.d.perReplica.memoryBytes;
  }
}

/** The largest k in [0, n] with ok(k), for a monotone ok (binary search). */
function largestFitting(n: number, ok: (k: number) => boolean): number {
  if (ok(n)) return n;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function whole(n: number): number {
  return n > 0 && Number.isFinite(n) ? Math.floor(n) : 0;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The part of Tenant.spec fair sharing reads. */
export interface TenantSharingSpec {
  readonly quota?: { readonly cpu?: string | number; readonly memory?: string | number };
  readonly sharing?: {
    readonly borrowingLimit?: { readonly cpu?: string | number; readonly memory?: string | number };
  };
}

/** A department as fair sharing sees it: its quota's cpu and memory are its guarantee. */
export function sharingDepartment(name: string, spec: TenantSharingSpec | undefined): SharingDepartment {
  const share = (q: { cpu?: string | number; memory?: string | number } | undefined): Partial<Share> => ({
    ...(q?.cpu !== undefined ? { cpuMilli: parseCpu(q.cpu) } : {}),
    ...(q?.memory !== undefined ? { memoryBytes: parseBytes(q.memory) } : {}),
  });
  // Without a borrowing limit a department with a guarantee borrows nothing; one without a quota is unlimited.
  const hasQuota = spec?.quota?.cpu !== undefined || spec?.quota?.memory !== undefined;
  const limit = spec?.sharing?.borrowingLimit;
  return {
    name,
    guarantee: share(spec?.quota),
    borrowingLimit: limit ? share(limit) : hasQuota ? { cpuMilli: 0, memoryBytes: 0 } : {},
  };
}
