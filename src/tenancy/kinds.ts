import { z } from 'zod';
import type { BurstLimits } from '../placement/burst-limits.ts';
import { burstLimitsSchema, burstWindowCauses } from '../placement/burst-limits.ts';
import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { NAMESPACE_SEPARATOR } from '../kernel/ownership.ts';
import { quantityProblem } from '../kernel/quantity.ts';
import type { ResourceObject, StoredObject } from '../resources/envelope.ts';
import { defineKind } from '../resources/kind-schema.ts';
import type { KindDefinition } from '../resources/registry.ts';
import type { Role } from './authorization.ts';
import type { SecretCipher } from './secret-cipher.ts';

export const TENANCY_GROUP = 'polis.io';
export const TENANCY_VERSION = 'v1';
export const TENANCY_API_VERSION = `${TENANCY_GROUP}/${TENANCY_VERSION}`;

const base = { group: TENANCY_GROUP, version: TENANCY_VERSION } as const;

const quotaSchema = z
  .object({
    cpu: z.union([z.string(), z.number()]).optional(),
    memory: z.union([z.string(), z.number()]).optional(),
    storage: z.union([z.string(), z.number()]).optional(),
    applications: z.number().int().min(0).optional(),
  })
  .strict();

const contactSchema = z
  .object({
    name: z.string().min(1),
    role: z.string().optional(),
    email: z.email().optional(),
    phone: z
      .string()
      .regex(/^[0-9+\-() ]{3,32}$/, 'digits, spaces and + - ( ) only')
      .optional(),
  })
  .strict();

/** A department (委办局): the unit of isolation, quota and chargeback. */
export const tenantKind: KindDefinition = defineKind({
  ...base,
  kind: 'Tenant',
  plural: 'tenants',
  shortNames: ['dept', 'department'],
  scope: 'platform',
  category: 'tenancy',
  description: 'A department (委办局): owns applications, users and quota; isolated from every other department.',
  spec: z
    .object({
      displayName: z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict(),
      parent: z.string().optional(),
      contacts: z.array(contactSchema).optional(),
      quota: quotaSchema.optional(),
      /** Limits on all the department's replicas in burst (public) clusters: replicas, yuan per hour, windows. */
      burst: burstLimitsSchema.optional(),
      /**
       * Fair sharing of the private cloud (docs/sharing.md): the quota's cpu and memory are the department's
       * guarantee; it may borrow idle private capacity up to this limit beyond it (default none).
       */
      sharing: z
        .object({
          borrowingLimit: z
            .object({
              cpu: z.union([z.string(), z.number()]).optional(),
              memory: z.union([z.string(), z.number()]).optional(),
            })
            .strict()
            .optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
  validate: (obj) => {
    const spec = obj.spec as
      | { quota?: Record<string, unknown>; burst?: BurstLimits; sharing?: { borrowingLimit?: Record<string, unknown> } }
      | undefined;
    return [
      ...departmentNameCauses(obj.metadata.name),
      ...quotaCauses(spec?.quota, 'spec.quota'),
      ...quotaCauses(spec?.sharing?.borrowingLimit, 'spec.sharing.borrowingLimit'),
      ...burstWindowCauses(spec?.burst, 'spec.burst'),
    ];
  },
  printColumns: [
    { name: 'ZH', path: 'spec.displayName.zh' },
    { name: 'EN', path: 'spec.displayName.en' },
    { name: 'CPU', path: 'spec.quota.cpu' },
    { name: 'MEMORY', path: 'spec.quota.memory' },
    { name: 'APPS', path: 'spec.quota.applications' },
    { name: 'BORROW-CPU', path: 'spec.sharing.borrowingLimit.cpu', wide: true },
    { name: 'PARENT', path: 'spec.parent', wide: true },
  ],
});

/** A department's name may not hold `--`: it ends the department's part of its applications' namespaces. */
function departmentNameCauses(name: string): ErrorCause[] {
  if (!name.includes(NAMESPACE_SEPARATOR)) return [];
  return [
    {
      path: 'metadata.name',
      message:
        `must not contain '${NAMESPACE_SEPARATOR}' (two hyphens in a row separate the department from the application ` +
        `in namespace names); use single hyphens, e.g. '${name.replace(/-{2,}/g, '-')}'`,
    },
  ];
}

function quotaCauses(quota: Record<string, unknown> | undefined, path: string): ErrorCause[] {
  if (!quota) return [];
  const causes: ErrorCause[] = [];
  const check = (field: string, kind: 'cpu' | 'bytes') => {
    const v = quota[field];
    if (v === undefined) return;
    const problem = quantityProblem(kind, v);
    if (problem)
      causes.push(
        codedCause(
          `${path}.${field}`,
          msg(kind === 'cpu' ? 'InvalidCpuQuantity' : 'InvalidByteQuantity', { value: String(v) }),
        ),
      );
  };
  check('cpu', 'cpu');
  check('memory', 'bytes');
  check('storage', 'bytes');
  return causes;
}

/** A person or a vendor's account. Their rights come from RoleBindings and PlatformRoleBindings. */
export const userKind: KindDefinition = defineKind({
  ...base,
  kind: 'User',
  plural: 'users',
  scope: 'platform',
  category: 'access',
  description: 'A person (department staff) or a vendor account; rights come from role bindings.',
  spec: z
    .object({
      displayName: z.string().min(1),
      email: z.email().optional(),
      organization: z.string().optional(),
      /** Set by an identity provider login (OIDC subject), see docs/security.md. */
      externalId: z.string().optional(),
      disabled: z.boolean().optional(),
    })
    .strict(),
  printColumns: [
    { name: 'DISPLAY NAME', path: 'spec.displayName' },
    { name: 'ORGANIZATION', path: 'spec.organization' },
    { name: 'DISABLED', path: 'spec.disabled' },
  ],
});

const TENANT_ROLES = ['tenant-admin', 'tenant-member', 'developer', 'viewer'] as const satisfies readonly Role[];
const PLATFORM_ROLES = ['platform-admin', 'auditor', 'publisher', 'viewer'] as const satisfies readonly Role[];

/** Grants a user a role inside one department. */
export const roleBindingKind: KindDefinition = defineKind({
  ...base,
  kind: 'RoleBinding',
  plural: 'rolebindings',
  shortNames: ['rb'],
  scope: 'tenant',
  category: 'access',
  description: 'Grants a user a role in one department: tenant-admin, tenant-member, developer (a vendor) or viewer.',
  spec: z.object({ user: z.string().min(1), role: z.enum(TENANT_ROLES) }).strict(),
  printColumns: [
    { name: 'USER', path: 'spec.user' },
    { name: 'ROLE', path: 'spec.role' },
  ],
});

/** Grants a user a role across the platform. */
export const platformRoleBindingKind: KindDefinition = defineKind({
  ...base,
  kind: 'PlatformRoleBinding',
  plural: 'platformrolebindings',
  shortNames: ['prb'],
  scope: 'platform',
  category: 'access',
  description: 'Grants a user a platform-wide role: platform-admin (the data bureau), auditor, publisher or viewer.',
  spec: z.object({ user: z.string().min(1), role: z.enum(PLATFORM_ROLES) }).strict(),
  printColumns: [
    { name: 'USER', path: 'spec.user' },
    { name: 'ROLE', path: 'spec.role' },
  ],
});

/** An API token's record. Its secret is shown once at creation; only a hash is kept, never returned. */
export const tokenKind: KindDefinition = defineKind({
  ...base,
  kind: 'Token',
  plural: 'tokens',
  scope: 'platform',
  category: 'access',
  description:
    'An API token of a user. Created through /api/v1/tokens (the secret is shown once); deleting it revokes it.',
  spec: z
    .object({
      user: z.string().min(1),
      description: z.string().max(200).optional(),
      expiresAt: z.iso.datetime({ offset: true }).optional(),
    })
    .strict(),
  extra: { secretHash: z.string().regex(/^[0-9a-f]{64}$/) },
  serverOnlyFields: ['secretHash'],
  verbs: ['get', 'list', 'watch', 'delete'],
  printColumns: [
    { name: 'USER', path: 'spec.user' },
    { name: 'EXPIRES', path: 'spec.expiresAt' },
    { name: 'DESCRIPTION', path: 'spec.description', wide: true },
  ],
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** Secret values, encrypted at rest with AES-256-GCM; never in lists, watches, logs or audit records. */
export function secretKind(cipher: SecretCipher): KindDefinition {
  return sealedKind(cipher, {
    kind: 'Secret',
    plural: 'secrets',
    scope: 'tenant',
    description: 'Credentials and keys of a department, encrypted at rest; values are never listed or logged.',
  });
}

/**
 * The platform's own credentials (a member cluster's kubeconfig, a metrics backend's password): a Secret that
 * belongs to no department, readable in clear only by platform admins.
 */
export function platformSecretKind(cipher: SecretCipher): KindDefinition {
  return sealedKind(cipher, {
    kind: 'PlatformSecret',
    plural: 'platformsecrets',
    scope: 'platform',
    description: "The platform's credentials (member clusters' kubeconfigs), encrypted at rest; values never listed.",
  });
}

function sealedKind(
  cipher: SecretCipher,
  kind: { kind: string; plural: string; scope: 'tenant' | 'platform'; description: string },
): KindDefinition {
  const keyMap = z.record(z.string().regex(SECRET_KEY, 'keys are letters, digits, "-", "_" and "."'), z.string());
  return defineKind({
    ...base,
    ...kind,
    category: 'secret',
    extra: {
      type: z.string().optional(),
      data: keyMap.optional(),
      stringData: keyMap.optional(),
    },
    validate: (obj) => {
      const data = (obj.data ?? {}) as Record<string, string>;
      return Object.entries(data)
        .filter(([, v]) => !BASE64.test(v) || v.length % 4 !== 0)
        .map(([k]) => ({
          path: `data.${k}`,
          message: 'must be base64-encoded; put plain text under stringData instead',
        }));
    },
    defaults: (obj) => {
      const { stringData, ...rest } = obj as ResourceObject & {
        stringData?: Record<string, string>;
        data?: Record<string, string>;
      };
      // No values at all: leave `data` absent, so an update keeps the stored values (see ResourceService.update).
      if (rest.data === undefined && stringData === undefined) return { ...rest, type: rest.type ?? 'Opaque' };
      const data = { ...(rest.data ?? {}) };
      for (const [k, v] of Object.entries(stringData ?? {})) data[k] = Buffer.from(v, 'utf8').toString('base64');
      return { ...rest, type: rest.type ?? 'Opaque', data };
    },
    codec: {
      encode(obj) {
        const { data, ...rest } = obj as ResourceObject & { data?: Record<string, string> };
        return { ...rest, encryptedData: cipher.encrypt(JSON.stringify(data ?? {})) };
      },
      decode(obj) {
        const { encryptedData, ...rest } = obj as StoredObject & {
          encryptedData?: Parameters<SecretCipher['decrypt']>[0];
        };
        if (!encryptedData) return obj;
        return { ...rest, data: JSON.parse(cipher.decrypt(encryptedData)) as Record<string, string> } as StoredObject;
      },
    },
    sensitiveFields: ['data', 'stringData', 'encryptedData'],
    printColumns: [{ name: 'TYPE', path: 'type' }],
  });
}

/** The tenancy kinds, in registration order. */
export function tenancyKinds(cipher: SecretCipher): KindDefinition[] {
  return [
    tenantKind,
    userKind,
    roleBindingKind,
    platformRoleBindingKind,
    tokenKind,
    secretKind(cipher),
    platformSecretKind(cipher),
  ];
}
