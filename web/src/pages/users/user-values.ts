import type { RoleBinding } from '../../api/types.ts';

export const PLATFORM_ROLES = ['platform-admin', 'auditor', 'publisher', 'viewer'] as const;
export const DEPARTMENT_ROLES = ['tenant-admin', 'tenant-member', 'developer', 'viewer'] as const;

/** One role a user holds: platform-wide (no tenant) or in a department. */
export interface HeldRole {
  readonly role: string;
  readonly tenant?: string;
  /** The binding's name, to revoke it. */
  readonly binding: string;
}

/** Every role per user, platform-wide ones first, then by department and role (pure). */
export function rolesByUser(
  platform: readonly RoleBinding[],
  departments: readonly (RoleBinding & { metadata: { tenant?: string } })[],
): Map<string, HeldRole[]> {
  const out = new Map<string, HeldRole[]>();
  const add = (user: string, r: HeldRole) => out.set(user, [...(out.get(user) ?? []), r]);
  for (const b of platform) add(b.spec.user, { role: b.spec.role, binding: b.metadata.name });
  for (const b of departments)
    if (b.metadata.tenant) add(b.spec.user, { role: b.spec.role, tenant: b.metadata.tenant, binding: b.metadata.name });
  for (const list of out.values())
    list.sort((a, b) =>
      (a.tenant ?? '') !== (b.tenant ?? '') ? ((a.tenant ?? '') < (b.tenant ?? '') ? -1 : 1) : a.role < b.role ? -1 : 1,
    );
  return out;
}

/** The form field a cause of creating a User belongs to (`metadata.name` → name, `spec.email` → email). */
export function userFieldOf(path: string): 'name' | 'displayName' | 'email' | 'organization' | undefined {
  if (path === 'metadata.name') return 'name';
  const m = /^spec\.(displayName|email|organization)$/.exec(path);
  return m ? (m[1] as 'displayName' | 'email' | 'organization') : undefined;
}
