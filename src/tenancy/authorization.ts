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
import type { Message, ParamValue } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';

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

/** A refusal's `reason` is its English; `detail` the same coded (docs/messages.md): throw `NotAllowedError(detail)`. */
export type Decision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string; readonly detail: Message };

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
    return deny(p, a, msg('NeedsStatusWriter'));
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
function neededRoles(a: ResourceAttributes): ParamValue {
  const options: ParamValue[] = [];
  for (const role of ROLE_NAMES) {
    const def = ROLES[role];
    const inTenant = a.scope === 'tenant' && a.tenant !== undefined && def.bindable.tenant;
    if (inTenant && grants({ role, tenant: a.tenant }, a)) options.push(role);
    else if (def.bindable.platform && grants({ role }, a)) {
      options.push(def.bindable.tenant ? msg('BindingPlatformWide', { role }) : role);
    }
  }
  const useful = options.filter((r) => r !== 'platform-admin');
  return joinOr(useful.length > 0 ? useful : options);
}

function deny(p: Principal, a: ResourceAttributes, needs: ParamValue): Decision {
  const name = a.name === undefined ? '' : ` ${JSON.stringify(a.name)}`;
  const sub = a.subresource === undefined ? '' : ` ${a.subresource}`;
  // The kind, name and subresource are the API's own words: the same in every language.
  const target = `${a.kind}${name}${sub}`;
  const said = { user: JSON.stringify(p.user), bindings: describeBindings(p), verb: a.verb, target, needs };
  const detail =
    a.scope === 'platform'
      ? msg('AccessDenied', said)
      : a.tenant === undefined
        ? msg('AccessDeniedAcross', said)
        : msg('AccessDeniedIn', { ...said, department: a.tenant });
  return { allowed: false, reason: detail.message, detail };
}

function describeBindings(p: Principal): Message {
  if (p.bindings.length === 0) return msg('BindingsNone');
  const items = p.bindings.map((b) => {
    const role = String((b as { role: unknown }).role);
    const binding =
      b.tenant === undefined
        ? msg('BindingPlatformWide', { role })
        : msg('BindingInTenant', { role, department: b.tenant });
    const problem = bindingProblem(b);
    // The problem of a malformed binding is the store's English (a binding that validation should have refused).
    return problem === undefined
      ? binding
      : msg('BindingIgnored', { binding, problem: msg('External', { text: problem }) });
  });
  return items.length === 1 ? items[0]! : msg('MessageList', { items });
}

/** "a, b or c". */
function joinOr(items: readonly ParamValue[]): ParamValue {
  if (items.length <= 1) return items[0] ?? '';
  return msg('ListOr', { first: joinComma(items.slice(0, -1)), second: items.at(-1)! });
}

function joinComma(items: readonly ParamValue[]): ParamValue {
  if (items.length === 1) return items[0]!;
  return msg('ListComma', { first: items[0]!, rest: joinComma(items.slice(1)) });
}

/** The role vocabulary, re-exported so callers of authorization need one import. */
export type { Binding, KindCategory, Principal, Role, Verb };
