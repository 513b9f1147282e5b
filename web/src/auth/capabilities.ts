import type { WhoAmI } from '../api/types.ts';

/**
 * What the signed-in user may do, derived from `GET /api/v1/whoami` the way the server authorizes
 * (docs/security.md, "Roles"). The server decides every request; the console uses this only to not offer what
 * would be refused (navigation, buttons) and to scope its lists.
 */
export interface Capabilities {
  readonly user: string;
  readonly platformRoles: readonly string[];
  /** Departments the user is bound in, with the roles there. */
  readonly departmentRoles: Readonly<Record<string, readonly string[]>>;
  /** Reads every department (platform-admin, auditor, platform-wide viewer). */
  readonly allDepartments: boolean;
  /** The departments whose applications the user may read: 'all', or the bound ones. */
  readonly readableDepartments: 'all' | readonly string[];
  readonly isPlatformAdmin: boolean;
  readonly canReadApplications: boolean;
  readonly canListTenants: boolean;
  readonly canReadAudit: boolean;
  /** Departments whose audit entries the user reads, when not all. */
  readonly auditDepartments: 'all' | readonly string[];
  readonly canVerifyAudit: boolean;
  /** Fail, partition and restore sandbox clusters. */
  readonly canControlClusters: boolean;
  /** The sandbox page: cluster controls, or load on the user's own applications. */
  readonly canUseSandbox: boolean;
  readonly writableDepartments: 'all' | readonly string[];
  /** 费用, 优化建议, 评估, 利用率: readable by whoever may list a department's applications (as the routes decide). */
  readonly canReadOperations: boolean;
  /** The city-wide view of costs: every department, the city total and the per-cluster reconciliation. */
  readonly canReadCityCosts: boolean;
  /** Monitoring, alerts and incidents of the departments the user reads (their applications' series). */
  readonly canMonitor: boolean;
  /** Clusters', nodes' and every department's history (`GET /api/v1/history`): platform-wide readers only. */
  readonly canReadPlatformHistory: boolean;
  /** The marketplace (docs/console.md, 服务市场): review submitted versions (the data bureau). */
  readonly canReviewMarket: boolean;
  /** Draft and submit catalog versions (a publisher, the data bureau). */
  readonly canPublishMarket: boolean;
}

const WRITERS = new Set(['tenant-admin', 'tenant-member', 'developer']);
const MEMBER_READERS = new Set(['tenant-admin', 'tenant-member']);

export function capabilitiesOf(who: WhoAmI): Capabilities {
  const platformRoles = who.bindings.filter((b) => !b.tenant).map((b) => b.role);
  const departmentRoles: Record<string, string[]> = {};
  for (const b of who.bindings) if (b.tenant) (departmentRoles[b.tenant] ??= []).push(b.role);
  const has = (r: string) => platformRoles.includes(r);
  const isPlatformAdmin = has('platform-admin');
  const allDepartments = isPlatformAdmin || has('auditor') || has('viewer');
  const bound = Object.keys(departmentRoles).sort();
  const writable = bound.filter((t) => departmentRoles[t]!.some((r) => WRITERS.has(r)));
  const auditTenants = bound.filter((t) => departmentRoles[t]!.includes('tenant-admin'));
  const auditAll = isPlatformAdmin || has('auditor');
  const writableDepartments: Capabilities['writableDepartments'] = isPlatformAdmin ? 'all' : writable;
  return {
    user: who.user,
    platformRoles,
    departmentRoles,
    allDepartments,
    readableDepartments: allDepartments ? 'all' : bound,
    isPlatformAdmin,
    canReadApplications: allDepartments || bound.length > 0,
    canListTenants: allDepartments,
    canReadAudit: auditAll || auditTenants.length > 0,
    auditDepartments: auditAll ? 'all' : auditTenants,
    canVerifyAudit: auditAll,
    canControlClusters: isPlatformAdmin,
    canUseSandbox: isPlatformAdmin || writable.length > 0,
    writableDepartments,
    canReadOperations: allDepartments || bound.length > 0,
    canReadCityCosts: allDepartments,
    canMonitor: allDepartments || bound.length > 0,
    canReadPlatformHistory: allDepartments,
    canReviewMarket: isPlatformAdmin,
    canPublishMarket: isPlatformAdmin || has('publisher'),
  };
}

export function canWrite(c: Capabilities, tenant: string): boolean {
  return c.writableDepartments === 'all' || c.writableDepartments.includes(tenant);
}

/** Who has access to a department (its RoleBindings): hidden from developers and viewers, as the server hides it. */
export function canSeeMembers(c: Capabilities, tenant: string): boolean {
  if (c.isPlatformAdmin || c.platformRoles.includes('auditor')) return true;
  return (c.departmentRoles[tenant] ?? []).some((r) => MEMBER_READERS.has(r));
}

export function canReadDepartment(c: Capabilities, tenant: string): boolean {
  return c.readableDepartments === 'all' || c.readableDepartments.includes(tenant);
}

/** Applying a rightsizing recommendation updates the Application: those who may write the department's applications. */
export function canApplyRecommendation(c: Capabilities, tenant: string): boolean {
  return canWrite(c, tenant);
}
