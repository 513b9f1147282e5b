import type { ErrorCause } from '../kernel/errors.ts';
import { InputError } from '../kernel/errors.ts';
import type { Binding, Role } from './roles.ts';

/** One line of the data bureau's mapping: members of `group` hold `role` (in `tenant`, or platform-wide). */
export interface GroupBinding {
  readonly group: string;
  readonly role: Role;
  readonly tenant?: string;
}

const TENANT_ROLES: readonly Role[] = ['tenant-admin', 'tenant-member', 'developer', 'viewer'];
const PLATFORM_ROLES: readonly Role[] = ['platform-admin', 'auditor', 'publisher', 'viewer'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Parses POLIS_OIDC_GROUP_BINDINGS: entries separated by `;` or a newline, each `group=role` (platform-wide) or
 * `group=role@department`, several roles for one group as several entries. For example
 * `city-data-bureau=platform-admin; edu-it=tenant-admin@edu; edu-staff=tenant-member@edu`. Every problem is
 * named with its entry; nothing is accepted half.
 */
export function parseGroupBindings(text: string | undefined, field = 'POLIS_OIDC_GROUP_BINDINGS'): GroupBinding[] {
  if (!text || text.trim() === '') return [];
  const out: GroupBinding[] = [];
  const causes: ErrorCause[] = [];
  const entries = text
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  entries.forEach((entry, i) => {
    const path = `${field}[${i}]`;
    const m = /^([^=]+)=([a-z-]+)(?:@(.+))?$/.exec(entry);
    if (!m) {
      causes.push({
        path,
        code: 'GroupBindingMalformed',
        params: { entry },
        message: `"${entry}" is not group=role or group=role@department`,
      });
      return;
    }
    const group = m[1]!.trim();
    const role = m[2] as Role;
    const tenant = m[3]?.trim();
    const allowed = tenant === undefined ? PLATFORM_ROLES : TENANT_ROLES;
    if (!allowed.includes(role)) {
      causes.push({
        path,
        code: 'GroupBindingRoleNotBindable',
        params: { entry, role },
        message:
          tenant === undefined
            ? `"${role}" is not a platform-wide role: expected one of ${PLATFORM_ROLES.join(', ')}, or role@department for ${TENANT_ROLES.join(', ')}`
            : `"${role}" cannot be bound in a department: expected one of ${TENANT_ROLES.join(', ')}`,
      });
      return;
    }
    if (tenant !== undefined && !DNS_LABEL.test(tenant)) {
      causes.push({
        path,
        code: 'GroupBindingDepartmentInvalid',
        params: { entry, tenant },
        message: `"${tenant}" is not a department name (lower-case letters, digits and "-")`,
      });
      return;
    }
    out.push(tenant === undefined ? { group, role } : { group, role, tenant });
  });
  if (causes.length > 0)
    throw new InputError(`${field} has ${causes.length} invalid entr${causes.length === 1 ? 'y' : 'ies'}`, causes);
  return out;
}

/**
 * The bindings an identity's groups grant under the mapping (pure). `claim` is the groups claim as the provider
 * sent it: an array of names, or one name; Keycloak-style paths (`/city/edu-it`) also match their last segment.
 */
export function bindingsForGroups(mapping: readonly GroupBinding[], claim: unknown): Binding[] {
  const groups = new Set<string>();
  for (const g of Array.isArray(claim) ? claim : [claim]) {
    if (typeof g !== 'string' || g === '') continue;
    groups.add(g);
    if (g.includes('/')) groups.add(g.slice(g.lastIndexOf('/') + 1));
  }
  const out: Binding[] = [];
  for (const m of mapping) {
    if (!groups.has(m.group)) continue;
    if (out.some((b) => b.role === m.role && b.tenant === m.tenant)) continue;
    out.push(m.tenant === undefined ? { role: m.role } : { role: m.role, tenant: m.tenant });
  }
  return out;
}
