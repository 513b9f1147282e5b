/**
 * The roles of polis as data. Roles grant verbs by kind category, so a new kind is covered by choosing its
 * category; `authorization.ts` reads this table and nothing else decides who may do what.
 */
export type Role =
  'platform-admin' | 'tenant-admin' | 'tenant-member' | 'developer' | 'publisher' | 'auditor' | 'viewer';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/** What a kind is about; roles grant by category, so a new kind is covered by choosing its category. */
export type KindCategory =
  'tenancy' | 'access' | 'secret' | 'workload' | 'config' | 'catalog' | 'publishing' | 'infrastructure' | 'events';

/** A role held by a user: platform-wide when `tenant` is undefined, else in that one tenant. */
export interface Binding {
  readonly role: Role;
  readonly tenant?: string;
}

export interface Principal {
  readonly user: string;
  readonly bindings: readonly Binding[];
}

export type VerbsByCategory = Readonly<Partial<Record<KindCategory, readonly Verb[]>>>;

export interface RoleDefinition {
  readonly description: string;
  /** Where the role may be bound. A binding anywhere else grants nothing. */
  readonly bindable: { readonly platform: boolean; readonly tenant: boolean };
  /** Verbs on tenant-scoped objects, in every tenant the binding reaches (a platform-wide binding reaches all). */
  readonly tenantObjects: VerbsByCategory;
  /** Verbs on platform-scoped objects; only a platform-wide binding grants these. */
  readonly platformObjects: VerbsByCategory;
  /** May read secret values (not just their metadata) in the tenants the binding reaches. */
  readonly secretValues: boolean;
  /** May read the audit entries of the tenants the binding reaches. */
  readonly audit: boolean;
  /** May verify the audit log's hash chain. */
  readonly verifyAudit: boolean;
  /** May write the `status` subresource; controllers run with this role. */
  readonly writesStatus: boolean;
}

export const VERBS: readonly Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
export const READ_VERBS: readonly Verb[] = ['get', 'list', 'watch'];
export const WRITE_VERBS: readonly Verb[] = ['create', 'update', 'patch', 'delete'];
export const KIND_CATEGORIES: readonly KindCategory[] = [
  'tenancy',
  'access',
  'secret',
  'workload',
  'config',
  'catalog',
  // The marketplace's items and versions before and during review: publishers and the data bureau, not departments
  // (they see what is released through the catalog route, src/market/routes.ts).
  'publishing',
  'infrastructure',
  'events',
];

const ALL = VERBS;
const READ = READ_VERBS;
/** Secrets by metadata only: no watch, because a watch stream is how values would leak in bulk. */
const SECRET_METADATA: readonly Verb[] = ['get', 'list'];
const SECRET_WRITE_ONLY: readonly Verb[] = ['get', 'list', 'create', 'update', 'patch', 'delete'];

function everyCategory(verbs: readonly Verb[]): VerbsByCategory {
  return Object.fromEntries(KIND_CATEGORIES.map((c) => [c, verbs]));
}

const VIEWER_GRANTS: VerbsByCategory = {
  tenancy: READ,
  secret: SECRET_METADATA,
  workload: READ,
  config: READ,
  catalog: READ,
  infrastructure: READ,
  events: READ,
};

/** The table, in order of the Role type. Exported so docs and tests can enumerate it. */
export const ROLES: Readonly<Record<Role, RoleDefinition>> = deepFreeze({
  'platform-admin': {
    description: 'Runs the platform: every verb on every kind in every tenant. Controllers run as this role.',
    bindable: { platform: true, tenant: false },
    tenantObjects: everyCategory(ALL),
    platformObjects: everyCategory(ALL),
    secretValues: true,
    audit: true,
    verifyAudit: true,
    writesStatus: true,
  },
  'tenant-admin': {
    description: "Runs one department: every verb on its department's objects, including role bindings and secrets.",
    bindable: { platform: false, tenant: true },
    tenantObjects: everyCategory(ALL),
    platformObjects: {},
    secretValues: true,
    audit: true,
    verifyAudit: false,
    writesStatus: false,
  },
  'tenant-member': {
    description: 'Works in one department: reads everything there, changes workloads, config, secrets and events.',
    bindable: { platform: false, tenant: true },
    tenantObjects: {
      tenancy: READ,
      access: READ,
      secret: ALL,
      workload: ALL,
      config: ALL,
      catalog: READ,
      infrastructure: READ,
      events: ALL,
    },
    platformObjects: {},
    secretValues: true,
    audit: false,
    verifyAudit: false,
    writesStatus: false,
  },
  developer: {
    description:
      'A vendor working for named departments (one binding each): like tenant-member, but cannot see who has ' +
      'access and may set secrets without reading their values.',
    bindable: { platform: false, tenant: true },
    tenantObjects: {
      tenancy: READ,
      secret: SECRET_WRITE_ONLY,
      workload: ALL,
      config: ALL,
      catalog: READ,
      infrastructure: READ,
      events: ALL,
    },
    platformObjects: {},
    secretValues: false,
    audit: false,
    verifyAudit: false,
    writesStatus: false,
  },
  publisher: {
    description: 'Maintains the platform catalog (the marketplace); touches nothing else.',
    bindable: { platform: true, tenant: false },
    tenantObjects: { catalog: READ },
    platformObjects: { catalog: ALL, publishing: ALL },
    secretValues: false,
    audit: false,
    verifyAudit: false,
    writesStatus: false,
  },
  auditor: {
    description: 'Reads everything and the whole audit log, changes nothing, never sees secret values.',
    bindable: { platform: true, tenant: false },
    tenantObjects: everyCategory(READ),
    platformObjects: everyCategory(READ),
    secretValues: false,
    audit: true,
    verifyAudit: true,
    writesStatus: false,
  },
  viewer: {
    description:
      'Reads objects (platform-wide, or in one department), but not who has access, secret values or the audit log.',
    bindable: { platform: true, tenant: true },
    tenantObjects: VIEWER_GRANTS,
    platformObjects: VIEWER_GRANTS,
    secretValues: false,
    audit: false,
    verifyAudit: false,
    writesStatus: false,
  },
});

export const ROLE_NAMES: readonly Role[] = Object.keys(ROLES) as Role[];
/** Roles that may be bound platform-wide (no tenant). */
export const platformRoles: readonly Role[] = ROLE_NAMES.filter((r) => ROLES[r].bindable.platform);
/** Roles that may be bound in one tenant. */
export const tenantRoles: readonly Role[] = ROLE_NAMES.filter((r) => ROLES[r].bindable.tenant);

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && Object.hasOwn(ROLES, x);
}

/**
 * Why a binding grants nothing (unknown role, a tenant role with no tenant, a platform role bound to a tenant),
 * or undefined when it is valid. Validators of binding objects use the same sentence.
 */
export function bindingProblem(binding: { readonly role: unknown; readonly tenant?: unknown }): string | undefined {
  const { role, tenant } = binding;
  if (!isRole(role)) return `unknown role ${JSON.stringify(role)}; roles are ${ROLE_NAMES.join(', ')}`;
  if (tenant === undefined) {
    return ROLES[role].bindable.platform ? undefined : `${role} must be bound in a tenant`;
  }
  if (typeof tenant !== 'string' || tenant === '') return 'tenant must be a non-empty name';
  return ROLES[role].bindable.tenant ? undefined : `${role} is bound platform-wide only, not in a tenant`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
