import {
  type Binding,
  type KindCategory,
  type Principal,
  READ_VERBS,
  ROLES,
  ROLE_NAMES,
  type Role,
  type RoleDefinition,
  type Verb,
  bindingProblem,
} from './roles.ts';

/**
 * Who may do what: a pure function of a principal's bindings (`roles.ts`) and the request's attributes.
 * Tenants are isolated by construction: a binding in one tenant never reaches another tenant's objects.
 */
export interface ResourceAttributes {
  readonly verb: Verb;
  readonly kind: string;
  readonly category: KindCategory;
  readonly scope: 'platform' | 'tenant';
  /** Target tenant of a tenant-scoped request; undefined = across all tenants. Ignored at platform scope. */
  readonly tenant?: string;
  readonly name?: string;
  readonly subresource?: 'status';
}

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * Platform kinds every authenticated principal may read, whatever its bindings: the marketplace (catalog) and
 * the cluster list (infrastructure) are visible to every department.
 */
export const EVERYONE_READS: readonly KindCategory[] = ['catalog', 'infrastructure'];

const ALLOW: Decision = Object.freeze({ allowed: true });

export function authorize(p: Principal, a: ResourceAttributes): Decision {
  const bindings = validBindings(p);
  const statusWrite = a.subresource === 'status' && !READ_VERBS.includes(a.verb);
  if (statusWrite) {
    if (bindings.some((b) => ROLES[b.role].writesStatus && grants(b, a))) return ALLOW;
    return deny(p, a, 'platform-admin (status is written by controllers)');
  }
  if (bindings.some((b) => grants(b, a)) || everyoneMay(p, bindings, a)) return ALLOW;
  return deny(p, a, neededRoles(a));
}

/**
 * For listing a tenant-scoped kind across tenants: `'all'`, or the tenants whose objects may be shown (sorted;
 * [] = none). Agrees with `authorize` for every tenant by construction.
 */
export function allowedTenants(p: Principal, verb: Verb, kind: string, category: KindCategory): 'all' | string[] {
  const base = { verb, kind, category, scope: 'tenant' } as const;
  if (authorize(p, base).allowed) return 'all';
  const candidates = new Set(validBindings(p).flatMap((b) => (b.tenant === undefined ? [] : [b.tenant])));
  return [...candidates].filter((tenant) => authorize(p, { ...base, tenant }).allowed).sort();
}

/** Whether `p` may read secret values (not only metadata) in `tenant`. */
export function canReadSecretValues(p: Principal, tenant: string): boolean {
  return validBindings(p).some((b) => ROLES[b.role].secretValues && reaches(b, tenant));
}

/** Tenants whose audit entries `p` may read: `'all'`, or a sorted list ([] = none). */
export function canReadAudit(p: Principal): 'all' | string[] {
  return tenantsWhere(p, (role) => role.audit);
}

/** Whether `p` may verify the audit log's hash chain. */
export function canVerifyAudit(p: Principal): boolean {
  return validBindings(p).some((b) => ROLES[b.role].verifyAudit);
}

function validBindings(p: Principal): Binding[] {
  return p.bindings.filter((b) => bindingProblem(b) === undefined);
}

/** Whether a platform-wide binding, or a binding in `tenant`, covers `tenant` (undefined = all tenants). */
function reaches(b: Binding, tenant: string | undefined): boolean {
  return b.tenant === undefined || (tenant !== undefined && b.tenant === tenant);
}

function grants(b: Binding, a: ResourceAttributes): boolean {
  const role = ROLES[b.role];
  if (a.scope === 'platform') return b.tenant === undefined && has(role.platformObjects[a.category], a.verb);
  return reaches(b, a.tenant) && has(role.tenantObjects[a.category], a.verb);
}

function has(verbs: readonly Verb[] | undefined, verb: Verb): boolean {
  return verbs !== undefined && verbs.includes(verb);
}

/** The reads every authenticated principal has: catalog and clusters, its own tenants' Tenant objects, itself. */
function everyoneMay(p: Principal, bindings: readonly Binding[], a: ResourceAttributes): boolean {
  if (a.scope !== 'platform') return false;
  if (READ_VERBS.includes(a.verb) && EVERYONE_READS.includes(a.category)) return true;
  if (a.verb !== 'get' || a.name === undefined) return false;
  if (a.kind === 'Tenant') return bindings.some((b) => b.tenant === a.name);
  if (a.kind === 'User') return a.name === p.user;
  return false;
}

function tenantsWhere(p: Principal, test: (role: RoleDefinition) => boolean): 'all' | string[] {
  const bindings = validBindings(p).filter((b) => test(ROLES[b.role]));
  if (bindings.some((b) => b.tenant === undefined)) return 'all';
  return [...new Set(bindings.map((b) => b.tenant!))].sort();
}

/**
 * The roles that would allow `a`, as a person would grant them: a tenant binding where one suffices, else a
 * platform-wide one. platform-admin is left out unless it is the only one (it can do everything).
 */
function neededRoles(a: ResourceAttributes): string {
  const options: string[] = [];
  for (const role of ROLE_NAMES) {
    const def = ROLES[role];
    const inTenant = a.scope === 'tenant' && a.tenant !== undefined && def.bindable.tenant;
    if (inTenant && grants({ role, tenant: a.tenant }, a)) options.push(role);
    else if (def.bindable.platform && grants({ role }, a)) {
      options.push(def.bindable.tenant ? `platform-wide ${role}` : role);
    }
  }
  const useful = options.filter((r) => r !== 'platform-admin');
  return joinOr(useful.length > 0 ? useful : options);
}

function deny(p: Principal, a: ResourceAttributes, needs: string): Decision {
  const name = a.name === undefined ? '' : ` ${JSON.stringify(a.name)}`;
  const sub = a.subresource === undefined ? '' : ` ${a.subresource}`;
  const where = a.scope === 'platform' ? '' : a.tenant === undefined ? ' across all tenants' : ` in ${a.tenant}`;
  return {
    allowed: false,
    reason: `user ${JSON.stringify(p.user)} (${describeBindings(p)}) may not ${a.verb} ${a.kind}${name}${sub}${where}: needs ${needs}`,
  };
}

function describeBindings(p: Principal): string {
  if (p.bindings.length === 0) return 'no role bindings';
  return p.bindings
    .map((b) => {
      const role = String((b as { role: unknown }).role);
      const text = b.tenant === undefined ? `platform-wide ${role}` : `${role} in ${b.tenant}`;
      const problem = bindingProblem(b);
      return problem === undefined ? text : `${text}, ignored: ${problem}`;
    })
    .join('; ');
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** The role vocabulary, re-exported so callers of authorization need one import. */
export type { Binding, KindCategory, Principal, Role, Verb };
