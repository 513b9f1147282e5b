import { describe, expect, it } from 'vitest';
import {
  KIND_CATEGORIES,
  type Verb,
  ROLES,
  ROLE_NAMES,
  VERBS,
  bindingProblem,
  isRole,
  platformRoles,
  tenantRoles,
} from './roles.ts';

describe('the role table', () => {
  it('defines the seven roles of polis', () => {
    expect([...ROLE_NAMES].sort()).toEqual(
      ['auditor', 'developer', 'platform-admin', 'publisher', 'tenant-admin', 'tenant-member', 'viewer'].sort(),
    );
  });

  it('says which roles are bound platform-wide and which per tenant', () => {
    expect([...platformRoles].sort()).toEqual(['auditor', 'platform-admin', 'publisher', 'viewer']);
    expect([...tenantRoles].sort()).toEqual(['developer', 'tenant-admin', 'tenant-member', 'viewer']);
  });

  it('only names known verbs and categories', () => {
    for (const role of ROLE_NAMES) {
      for (const grants of [ROLES[role].tenantObjects, ROLES[role].platformObjects]) {
        for (const [category, verbs] of Object.entries(grants)) {
          expect(KIND_CATEGORIES).toContain(category);
          for (const verb of verbs) expect(VERBS).toContain(verb);
        }
      }
    }
  });

  it('gives platform-scoped rights only to roles that can be bound platform-wide', () => {
    for (const role of tenantRoles.filter((r) => !platformRoles.includes(r))) {
      expect(ROLES[role].platformObjects).toEqual({});
    }
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(ROLES)).toBe(true);
    expect(Object.isFrozen(ROLES.viewer.tenantObjects)).toBe(true);
    expect(Object.isFrozen(ROLES['tenant-admin'].tenantObjects.access)).toBe(true);
    expect(() => (ROLES['tenant-admin'].tenantObjects.access as Verb[]).push('get')).toThrow(TypeError);
    expect(() => {
      (ROLES as Record<string, unknown>)['root'] = ROLES['platform-admin'];
    }).toThrow(TypeError);
  });
});

describe('isRole', () => {
  it('accepts role names and nothing else', () => {
    for (const role of ROLE_NAMES) expect(isRole(role)).toBe(true);
    for (const x of ['admin', '', 'toString', '__proto__', 1, null, undefined]) expect(isRole(x)).toBe(false);
  });
});

describe('bindingProblem', () => {
  it('accepts each role where it may be bound', () => {
    for (const role of platformRoles) expect(bindingProblem({ role })).toBeUndefined();
    for (const role of tenantRoles) expect(bindingProblem({ role, tenant: 'edu' })).toBeUndefined();
  });

  it('explains an unknown role by listing the roles', () => {
    expect(bindingProblem({ role: 'root' })).toBe(
      'unknown role "root"; roles are platform-admin, tenant-admin, tenant-member, developer, publisher, auditor, viewer',
    );
  });

  it('refuses a tenant role without a tenant and a platform role with one', () => {
    expect(bindingProblem({ role: 'tenant-admin' })).toBe('tenant-admin must be bound in a tenant');
    expect(bindingProblem({ role: 'auditor', tenant: 'edu' })).toBe(
      'auditor is bound platform-wide only, not in a tenant',
    );
    expect(bindingProblem({ role: 'platform-admin', tenant: 'edu' })).toContain('platform-wide only');
  });

  it('refuses an empty or non-string tenant', () => {
    expect(bindingProblem({ role: 'viewer', tenant: '' })).toBe('tenant must be a non-empty name');
    expect(bindingProblem({ role: 'viewer', tenant: 7 })).toBe('tenant must be a non-empty name');
  });
});
