import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ResourceAttributes,
  allowedTenants,
  authorize,
  canReadAudit,
  canReadSecretValues,
  canVerifyAudit,
} from './authorization.ts';
import type { Binding, KindCategory, Principal, Role, Verb } from './roles.ts';
import { renderMessage } from '../kernel/messages/index.ts';

// Written from the specification, independently of roles.ts: the table test compares the two.
const ROLE_LIST: Role[] = [
  'platform-admin',
  'tenant-admin',
  'tenant-member',
  'developer',
  'publisher',
  'auditor',
  'viewer',
];
const VERB_LIST: Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const CATEGORY_LIST: KindCategory[] = [
  'tenancy',
  'access',
  'secret',
  'workload',
  'config',
  'catalog',
  'infrastructure',
  'events',
];
const OWN = 'edu';
const OTHER = 'health';

type Target = 'own tenant' | 'other tenant' | 'across tenants' | 'platform scope';
const TARGETS: Target[] = ['own tenant', 'other tenant', 'across tenants', 'platform scope'];

function attributes(verb: Verb, category: KindCategory, target: Target): ResourceAttributes {
  const kind = `Some${category[0]!.toUpperCase()}${category.slice(1)}Kind`; // never Tenant or User
  if (target === 'platform scope') return { verb, kind, category, scope: 'platform' };
  const tenant = target === 'own tenant' ? OWN : target === 'other tenant' ? OTHER : undefined;
  return { verb, kind, category, scope: 'tenant', tenant };
}

/** The expected decision, following the prose of the role table line by line. */
function expected(role: Role, bound: 'platform-wide' | 'in own tenant', verb: Verb, cat: KindCategory, t: Target) {
  const read = verb === 'get' || verb === 'list' || verb === 'watch';
  // Every authenticated principal may read the catalog and the cluster list at platform scope.
  if (t === 'platform scope' && read && (cat === 'catalog' || cat === 'infrastructure')) return true;
  const platformOnly = role === 'platform-admin' || role === 'auditor' || role === 'publisher';
  const tenantOnly = role === 'tenant-admin' || role === 'tenant-member' || role === 'developer';
  if (platformOnly && bound !== 'platform-wide') return false; // a platform role bound in a tenant grants nothing
  if (tenantOnly && bound !== 'in own tenant') return false; // a tenant role bound without a tenant grants nothing
  // A tenant binding reaches only its own tenant's objects.
  if (bound === 'in own tenant' && t !== 'own tenant') return false;
  switch (role) {
    case 'platform-admin':
      return true;
    case 'auditor':
      return read;
    case 'viewer':
      if (cat === 'access') return false;
      if (cat === 'secret') return verb === 'get' || verb === 'list';
      return read;
    case 'publisher':
      if (cat !== 'catalog') return false;
      return read || t === 'platform scope';
    case 'tenant-admin':
      return t !== 'platform scope';
    case 'tenant-member':
      if (t === 'platform scope') return false;
      return read || ['workload', 'config', 'secret', 'events'].includes(cat);
    case 'developer':
      if (t === 'platform scope' || cat === 'access') return false;
      if (cat === 'secret') return verb !== 'watch';
      return read || ['workload', 'config', 'events'].includes(cat);
  }
}

function principal(...bindings: Binding[]): Principal {
  return { user: 'li.wei', bindings };
}

function reasonOf(p: Principal, a: ResourceAttributes): string {
  const d = authorize(p, a);
  if (d.allowed) throw new Error(`expected a denial for ${JSON.stringify(a)}`);
  return d.reason;
}

describe('authorize, over every role × verb × category × target', () => {
  for (const role of ROLE_LIST) {
    for (const bound of ['platform-wide', 'in own tenant'] as const) {
      it(`decides as the table says for ${role} bound ${bound}`, () => {
        const p = principal(bound === 'platform-wide' ? { role } : { role, tenant: OWN });
        const mismatches: string[] = [];
        let checked = 0;
        for (const verb of VERB_LIST) {
          for (const category of CATEGORY_LIST) {
            for (const target of TARGETS) {
              const want = expected(role, bound, verb, category, target);
              const got = authorize(p, attributes(verb, category, target));
              checked++;
              if (got.allowed !== want) mismatches.push(`${verb} ${category} (${target}): want ${want}`);
              if (!got.allowed) expect(got.reason).toMatch(/^user "li\.wei" \(.+\) may not .+: needs .+$/);
            }
          }
        }
        expect(checked).toBe(VERB_LIST.length * CATEGORY_LIST.length * TARGETS.length);
        expect(mismatches).toEqual([]);
      });
    }
  }
});

describe('status subresource', () => {
  const writes: Verb[] = ['create', 'update', 'patch', 'delete'];

  it('lets only platform-admin write status, in any tenant or at platform scope', () => {
    for (const role of ROLE_LIST) {
      for (const b of [{ role }, { role, tenant: OWN }]) {
        for (const verb of writes) {
          for (const target of TARGETS) {
            const a = {
              ...attributes(verb, 'workload', target),
              subresource: 'status' as const,
            };
            const want = role === 'platform-admin' && b.tenant === undefined;
            expect(authorize(principal(b), a).allowed, `${role} ${b.tenant ?? ''} ${verb} ${target}`).toBe(want);
          }
        }
      }
    }
  });

  it('refuses a tenant-admin status update and says controllers write status', () => {
    const p = principal({ role: 'tenant-admin', tenant: OWN });
    const a: ResourceAttributes = {
      verb: 'update',
      kind: 'Application',
      category: 'workload',
      scope: 'tenant',
      tenant: OWN,
      name: 'portal',
      subresource: 'status',
    };
    expect(reasonOf(p, a)).toBe(
      'user "li.wei" (tenant-admin in edu) may not update Application "portal" status in edu: ' +
        'needs platform-admin (status is written by controllers)',
    );
    const d = authorize(p, a);
    if (d.allowed) throw new Error('expected a denial');
    expect(d.detail).toMatchObject({ code: 'AccessDeniedIn', message: d.reason });
    expect(renderMessage(d.detail, 'zh')).toBe(
      '用户 "li.wei"（edu 中的 tenant-admin）无权在 edu 中 update Application "portal" status：' +
        '需要 platform-admin（状态由控制器写入）',
    );
  });

  it('codes every refusal: the English is the rendering of its code and parameters', () => {
    const p = principal({ role: 'viewer', tenant: OWN }, { role: 'auditor' });
    const d = authorize(p, { verb: 'delete', kind: 'Secret', category: 'secret', scope: 'tenant', tenant: OTHER });
    if (d.allowed) throw new Error('expected a denial');
    expect(renderMessage(d.detail, 'en')).toBe(d.reason);
    expect(d.reason).toMatch(/^user "li\.wei" \(viewer in edu; platform-wide auditor\) may not delete Secret in /);
    expect(renderMessage(d.detail, 'zh')).toMatch(
      /^用户 "li\.wei"（edu 中的 viewer；平台级 auditor）无权在 .+ 中 delete Secret：需要 .+或.+$/,
    );
    const none = authorize(principal(), {
      verb: 'list',
      kind: 'Cluster',
      category: 'infrastructure',
      scope: 'platform',
    });
    if (!none.allowed) expect(none.detail.code).toBe('AccessDenied');
  });

  it('treats reading status like reading the object', () => {
    for (const role of ROLE_LIST) {
      for (const p of [principal({ role }), principal({ role, tenant: OWN })]) {
        for (const verb of ['get', 'list', 'watch'] as const) {
          for (const target of TARGETS) {
            const a = attributes(verb, 'secret', target);
            const status = authorize(p, { ...a, subresource: 'status' });
            expect(status.allowed).toBe(authorize(p, a).allowed);
            if (!status.allowed) expect(status.reason).toContain(' status');
          }
        }
      }
    }
  });
});

describe('what every authenticated principal may read', () => {
  const nobody = principal();

  it('includes the catalog and the cluster list at platform scope, read only', () => {
    for (const category of ['catalog', 'infrastructure'] as const) {
      for (const verb of ['get', 'list', 'watch'] as const) {
        expect(
          authorize(nobody, {
            verb,
            kind: 'Cluster',
            category,
            scope: 'platform',
          }).allowed,
        ).toBe(true);
      }
      expect(
        authorize(nobody, {
          verb: 'create',
          kind: 'Cluster',
          category,
          scope: 'platform',
        }).allowed,
      ).toBe(false);
    }
  });

  it('does not include catalog objects inside a tenant', () => {
    const a: ResourceAttributes = {
      verb: 'get',
      kind: 'Offer',
      category: 'catalog',
      scope: 'tenant',
      tenant: OWN,
    };
    expect(authorize(nobody, a).allowed).toBe(false);
  });

  it('includes getting the Tenant object of a tenant one is bound in, by name only', () => {
    const member = principal({ role: 'tenant-member', tenant: OWN }, { role: 'developer', tenant: 'transport' });
    const tenant = (verb: Verb, name?: string): ResourceAttributes => ({
      verb,
      kind: 'Tenant',
      category: 'tenancy',
      scope: 'platform',
      name,
    });
    expect(authorize(member, tenant('get', OWN)).allowed).toBe(true);
    expect(authorize(member, tenant('get', 'transport')).allowed).toBe(true);
    expect(authorize(member, tenant('get', OTHER)).allowed).toBe(false);
    expect(authorize(member, tenant('get')).allowed).toBe(false);
    expect(authorize(member, tenant('list')).allowed).toBe(false);
    expect(authorize(member, tenant('watch', OWN)).allowed).toBe(false);
    expect(authorize(member, tenant('update', OWN)).allowed).toBe(false);
    expect(authorize(member, { ...tenant('update', OWN), subresource: 'status' }).allowed).toBe(false);
    expect(authorize(nobody, tenant('get', OWN)).allowed).toBe(false);
  });

  it('does not count a binding that grants nothing as being bound in a tenant', () => {
    const a: ResourceAttributes = {
      verb: 'get',
      kind: 'Tenant',
      category: 'tenancy',
      scope: 'platform',
      name: OWN,
    };
    expect(authorize(principal({ role: 'auditor', tenant: OWN }), a).allowed).toBe(false);
    expect(authorize(principal({ role: 'root' as Role, tenant: OWN }), a).allowed).toBe(false);
  });

  it('includes getting one’s own User object and no one else’s', () => {
    const user = (verb: Verb, name?: string): ResourceAttributes => ({
      verb,
      kind: 'User',
      category: 'access',
      scope: 'platform',
      name,
    });
    expect(authorize(nobody, user('get', 'li.wei')).allowed).toBe(true);
    expect(authorize(nobody, user('get', 'zhang.san')).allowed).toBe(false);
    expect(authorize(nobody, user('list')).allowed).toBe(false);
    expect(authorize(nobody, user('update', 'li.wei')).allowed).toBe(false);
    expect(authorize(nobody, user('delete', 'li.wei')).allowed).toBe(false);
  });

  it('lets a platform-wide viewer list Tenants but not Users (access)', () => {
    const viewer = principal({ role: 'viewer' });
    expect(
      authorize(viewer, {
        verb: 'list',
        kind: 'Tenant',
        category: 'tenancy',
        scope: 'platform',
      }).allowed,
    ).toBe(true);
    expect(
      authorize(viewer, {
        verb: 'list',
        kind: 'User',
        category: 'access',
        scope: 'platform',
      }).allowed,
    ).toBe(false);
  });
});

describe('denial reasons', () => {
  it('name the user, verb, kind, tenant and the role that would be needed', () => {
    const p = principal({ role: 'tenant-member', tenant: OWN });
    const a: ResourceAttributes = {
      verb: 'delete',
      kind: 'RoleBinding',
      category: 'access',
      scope: 'tenant',
      tenant: OWN,
    };
    expect(reasonOf(p, a)).toBe(
      'user "li.wei" (tenant-member in edu) may not delete RoleBinding in edu: needs tenant-admin',
    );
  });

  it('list every role that would do, with platform-wide only where a tenant binding would not', () => {
    const p = principal({ role: 'tenant-member', tenant: OWN });
    const across: ResourceAttributes = {
      verb: 'list',
      kind: 'Application',
      category: 'workload',
      scope: 'tenant',
    };
    expect(reasonOf(p, across)).toBe(
      'user "li.wei" (tenant-member in edu) may not list Application across all tenants: needs auditor or platform-wide viewer',
    );
    expect(reasonOf(p, { ...across, verb: 'get', tenant: OTHER, name: 'portal' })).toBe(
      'user "li.wei" (tenant-member in edu) may not get Application "portal" in health: ' +
        'needs tenant-admin, tenant-member, developer, auditor or viewer',
    );
  });

  it('name platform-admin when nothing less would do', () => {
    const a: ResourceAttributes = {
      verb: 'delete',
      kind: 'Tenant',
      category: 'tenancy',
      scope: 'platform',
      name: OWN,
    };
    expect(reasonOf(principal({ role: 'auditor' }), a)).toBe(
      'user "li.wei" (platform-wide auditor) may not delete Tenant "edu": needs platform-admin',
    );
  });

  it('say when a principal has no bindings, and why a binding was ignored', () => {
    const a: ResourceAttributes = {
      verb: 'get',
      kind: 'Secret',
      category: 'secret',
      scope: 'tenant',
      tenant: OWN,
    };
    expect(reasonOf(principal(), a)).toMatch(/^user "li\.wei" \(no role bindings\) may not get Secret in edu/);
    expect(reasonOf(principal({ role: 'auditor', tenant: OWN }, { role: 'developer' }), a)).toBe(
      'user "li.wei" (auditor in edu, ignored: auditor is bound platform-wide only, not in a tenant; ' +
        'platform-wide developer, ignored: developer must be bound in a tenant) may not get Secret in edu: ' +
        'needs tenant-admin, tenant-member, developer, auditor or viewer',
    );
  });
});

describe('allowedTenants', () => {
  it('is "all" for a platform-wide binding that grants the verb', () => {
    expect(allowedTenants(principal({ role: 'auditor' }), 'list', 'Application', 'workload')).toBe('all');
    expect(allowedTenants(principal({ role: 'viewer' }), 'list', 'Secret', 'secret')).toBe('all');
  });

  it('lists, sorted and once each, the tenants whose bindings grant the verb', () => {
    const p = principal(
      { role: 'tenant-member', tenant: 'transport' },
      { role: 'developer', tenant: OWN },
      { role: 'viewer', tenant: OWN },
      { role: 'viewer', tenant: OTHER },
    );
    expect(allowedTenants(p, 'list', 'Application', 'workload')).toEqual(['edu', 'health', 'transport']);
    expect(allowedTenants(p, 'list', 'RoleBinding', 'access')).toEqual(['transport']);
    expect(allowedTenants(p, 'watch', 'Secret', 'secret')).toEqual(['transport']);
  });

  it('is empty when nothing is granted, including for platform-only roles on tenant objects', () => {
    expect(allowedTenants(principal(), 'list', 'Application', 'workload')).toEqual([]);
    expect(allowedTenants(principal({ role: 'publisher' }), 'list', 'Application', 'workload')).toEqual([]);
    expect(allowedTenants(principal({ role: 'viewer' }), 'list', 'RoleBinding', 'access')).toEqual([]);
  });

  it('agrees with authorize for every tenant', () => {
    fc.assert(
      fc.property(principalArb(['edu', 'health', 'transport']), verbArb, categoryArb, (p, verb, category) => {
        const allowed = allowedTenants(p, verb, 'Thing', category);
        for (const tenant of ['edu', 'health', 'transport', 'finance']) {
          const a: ResourceAttributes = {
            verb,
            kind: 'Thing',
            category,
            scope: 'tenant',
            tenant,
          };
          expect(allowed === 'all' || allowed.includes(tenant)).toBe(authorize(p, a).allowed);
        }
      }),
    );
  });
});

describe('canReadSecretValues', () => {
  it('is true only for platform-admin anywhere and tenant-admin or tenant-member in their tenant', () => {
    const want: Record<Role, [boolean, boolean]> = {
      'platform-admin': [true, true],
      'tenant-admin': [true, false],
      'tenant-member': [true, false],
      developer: [false, false],
      publisher: [false, false],
      auditor: [false, false],
      viewer: [false, false],
    };
    for (const role of ROLE_LIST) {
      // Each role bound both ways: an invalid form grants nothing, so the valid one decides.
      const pTenant = principal({ role, tenant: OWN });
      const pPlatform = principal({ role });
      const best = (t: string) => canReadSecretValues(pTenant, t) || canReadSecretValues(pPlatform, t);
      expect([best(OWN), best(OTHER)], role).toEqual(want[role]);
    }
  });
});

describe('canReadAudit and canVerifyAudit', () => {
  it('give the whole audit log to platform-admin and auditor, and a tenant-admin its tenants', () => {
    expect(canReadAudit(principal({ role: 'platform-admin' }))).toBe('all');
    expect(canReadAudit(principal({ role: 'auditor' }))).toBe('all');
    expect(canReadAudit(principal({ role: 'tenant-admin', tenant: OWN }))).toEqual(['edu']);
    expect(
      canReadAudit(
        principal(
          { role: 'tenant-admin', tenant: OTHER },
          { role: 'tenant-admin', tenant: OWN },
          { role: 'tenant-admin', tenant: OWN },
        ),
      ),
    ).toEqual(['edu', 'health']);
  });

  it('give nothing to the other roles, however bound', () => {
    for (const role of ['tenant-member', 'developer', 'publisher', 'viewer'] as const) {
      expect(canReadAudit(principal({ role }, { role, tenant: OWN }))).toEqual([]);
    }
    expect(canReadAudit(principal())).toEqual([]);
    expect(canReadAudit(principal({ role: 'auditor', tenant: OWN }))).toEqual([]);
    expect(canReadAudit(principal({ role: 'tenant-admin' }))).toEqual([]);
  });

  it('let only platform-admin and auditor verify the chain', () => {
    for (const role of ROLE_LIST) {
      const want = role === 'platform-admin' || role === 'auditor';
      expect(canVerifyAudit(principal({ role })), role).toBe(want);
      expect(canVerifyAudit(principal({ role, tenant: OWN })), `${role} in a tenant`).toBe(false);
    }
  });
});

describe('tenant isolation, for arbitrary principals and requests', () => {
  it('never lets a binding in tenant A allow anything on tenant B’s objects', () => {
    fc.assert(
      fc.property(
        fc.tuple(tenantNameArb, tenantNameArb).filter(([a, b]) => a !== b),
        fc.array(roleArb, { maxLength: 6 }),
        requestArb,
        ([tenantA, tenantB], roles, req) => {
          const p = principal(...roles.map((role) => ({ role, tenant: tenantA })));
          expect(authorize(p, { ...req, scope: 'tenant', tenant: tenantB }).allowed).toBe(false);
          expect(authorize(p, { ...req, scope: 'tenant', tenant: undefined }).allowed).toBe(false);
          const shown = allowedTenants(p, req.verb, req.kind, req.category);
          expect(shown === 'all' || shown.includes(tenantB)).toBe(false);
          expect(canReadSecretValues(p, tenantB)).toBe(false);
          const audit = canReadAudit(p);
          expect(audit === 'all' || audit.includes(tenantB)).toBe(false);
        },
      ),
    );
  });

  it('denies a principal with no bindings everything but the reads every principal has', () => {
    fc.assert(
      fc.property(
        requestArb,
        fc.constantFrom<'platform' | 'tenant'>('platform', 'tenant'),
        fc.option(tenantNameArb, { nil: undefined }),
        (req, scope, tenant) => {
          const a: ResourceAttributes = { ...req, scope, tenant };
          const read = a.verb === 'get' || a.verb === 'list' || a.verb === 'watch';
          const statusWrite = a.subresource === 'status' && !read;
          const publicRead =
            scope === 'platform' && read && (a.category === 'catalog' || a.category === 'infrastructure');
          const selfRead = scope === 'platform' && a.verb === 'get' && a.kind === 'User' && a.name === 'li.wei';
          expect(authorize(principal(), a).allowed).toBe(!statusWrite && (publicRead || selfRead));
        },
      ),
    );
  });

  it('lets platform-admin do everything', () => {
    fc.assert(
      fc.property(
        requestArb,
        fc.constantFrom<'platform' | 'tenant'>('platform', 'tenant'),
        fc.option(tenantNameArb, { nil: undefined }),
        (req, scope, tenant) => {
          expect(
            authorize(principal({ role: 'platform-admin' }), {
              ...req,
              scope,
              tenant,
            }),
          ).toEqual({ allowed: true });
        },
      ),
    );
  });
});

const tenantNameArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const verbArb = fc.constantFrom(...VERB_LIST);
const categoryArb = fc.constantFrom(...CATEGORY_LIST);
/** Real roles, plus names that are not roles: those must grant nothing. */
const roleArb = fc.oneof(
  fc.constantFrom(...ROLE_LIST),
  fc.constantFrom('admin', 'root', '', 'Viewer') as unknown as fc.Arbitrary<Role>,
);
const requestArb = fc.record(
  {
    verb: verbArb,
    kind: fc.constantFrom('Application', 'Secret', 'RoleBinding', 'Tenant', 'User', 'Cluster', 'Offer'),
    category: categoryArb,
    name: fc.constantFrom('li.wei', 'edu', 'health', 'portal'),
    subresource: fc.constant('status' as const),
  },
  { requiredKeys: ['verb', 'kind', 'category'] },
);

function principalArb(tenants: string[]): fc.Arbitrary<Principal> {
  const binding = fc.record({
    role: roleArb,
    tenant: fc.option(fc.constantFrom(...tenants), { nil: undefined }),
  });
  return fc.array(binding, { maxLength: 5 }).map((bindings) => principal(...bindings));
}
