import { z } from 'zod';
import type { ErrorCause } from '../kernel/errors.ts';
import { defineKind } from '../resources/kind-schema.ts';
import type { KindDefinition } from '../resources/registry.ts';
import { bilingual, dnsLabel, envPrefix } from './schema-parts.ts';
import { ENGINES } from './provisioners/provisioner.ts';
import { sharingKinds } from './sharing-kinds.ts';
import { schemaCauses, templateCauses } from './template.ts';

export const MARKET_GROUP = 'market.polis.io';
export const MARKET_VERSION = 'v1';
export const MARKET_API_VERSION = `${MARKET_GROUP}/${MARKET_VERSION}`;

/** The department the data bureau's shared instances run in (counts against its own quota). */
export const PLATFORM_SPACE = 'platform';

const base = { group: MARKET_GROUP, version: MARKET_VERSION } as const;

export const ITEM_TYPES = ['middleware', 'solution'] as const;
export const PRICE_MODELS = ['free', 'instance-month', 'binding-month'] as const;
export const ARCHITECTURES = ['amd64', 'arm64', 'loong64', 'mips64le', 'riscv64'] as const;
/** An item's lifecycle, set by the data bureau: deprecated and suspended items take no new instances. */
export const ITEM_STATES = ['active', 'deprecated', 'suspended'] as const;
export type ItemState = (typeof ITEM_STATES)[number];
export const VERSION_PHASES = ['Draft', 'Submitted', 'Released', 'Rejected'] as const;
export type VersionPhase = (typeof VERSION_PHASES)[number];

export interface CatalogItemSpec {
  readonly type: (typeof ITEM_TYPES)[number];
  readonly displayName: { readonly zh: string; readonly en: string };
  readonly description: { readonly zh: string; readonly en: string };
  readonly icon?: string;
  readonly categories: readonly string[];
  readonly licence?: string;
  readonly publisher: string;
  readonly maintainers?: readonly string[];
  readonly architectures: readonly string[];
  readonly price: {
    readonly model: (typeof PRICE_MODELS)[number];
    readonly amount?: number;
    readonly currency?: string;
  };
}

/**
 * A marketplace item (middleware or a solution): what it is, who publishes it, its licence and price. Its versions
 * are CatalogItemVersions; departments see it through the catalog route once a version is released.
 */
export const catalogItemKind: KindDefinition = defineKind({
  ...base,
  kind: 'CatalogItem',
  plural: 'catalogitems',
  shortNames: ['item', 'items'],
  scope: 'platform',
  category: 'publishing',
  description: 'A marketplace item (middleware or solution): names, licence, publisher, architectures and price.',
  spec: z
    .object({
      type: z.enum(ITEM_TYPES),
      displayName: bilingual,
      description: bilingual,
      // A URL or a data: URI of at most 64 KiB.
      icon: z.string().max(65536).optional(),
      categories: z.array(dnsLabel).max(20),
      licence: z.string().min(1).max(200).optional(),
      // The vendor's department (a tenant): where pricing records credit the publisher.
      publisher: dnsLabel,
      // Users who maintain the item: none of them may review it.
      maintainers: z.array(z.string().min(1)).max(50).optional(),
      architectures: z.array(z.enum(ARCHITECTURES)).min(1),
      price: z
        .object({
          model: z.enum(PRICE_MODELS),
          amount: z.number().min(0).max(1e9).optional(),
          currency: z.enum(['CNY']).optional(),
        })
        .strict(),
    })
    .strict(),
  status: z.record(z.string(), z.unknown()),
  validate: (obj) => {
    const price = (obj.spec as CatalogItemSpec).price;
    if (price.model !== 'free' && price.amount === undefined)
      return [{ path: 'spec.price.amount', message: `a ${price.model} price needs an amount (yuan)` }];
    return [];
  },
  printColumns: [
    { name: 'TYPE', path: 'spec.type' },
    { name: 'ZH', path: 'spec.displayName.zh' },
    { name: 'PUBLISHER', path: 'spec.publisher' },
    { name: 'STATE', path: 'status.state' },
    { name: 'LATEST', path: 'status.latest' },
  ],
});

export interface Connection {
  readonly engine: (typeof ENGINES)[number];
  /** The component of the template that serves it (its Service name). */
  readonly component: string;
  readonly port: number;
}

export interface CatalogItemVersionSpec {
  readonly item: string;
  readonly version: string;
  readonly template: Record<string, unknown>;
  readonly parameters: Record<string, unknown>;
  readonly connection?: Connection;
  readonly releaseNotes?: { readonly zh: string; readonly en: string };
}

/** `postgresql` + `16.4.0` → `postgresql-16-4-0`: the name a version is given by convention (names hold no dots). */
export function versionObjectName(item: string, version: string): string {
  return `${item}-${version.replace(/[^a-z0-9]+/g, '-')}`;
}

/** The version object of `item` at `version` among `versions` (one at most: admission keeps the pair unique). */
export function findVersion<T extends { spec?: unknown }>(
  versions: readonly T[],
  item: string,
  version: string,
): T | undefined {
  return versions.find((v) => {
    const s = v.spec as CatalogItemVersionSpec | undefined;
    return s?.item === item && s.version === version;
  });
}

/**
 * One version of an item: an OAM Application template with `${parameters.x}` placeholders and a JSON Schema
 * (draft 2020-12) of its parameters. Immutable once submitted; released by review (status.phase).
 */
export const catalogItemVersionKind: KindDefinition = defineKind({
  ...base,
  kind: 'CatalogItemVersion',
  plural: 'catalogitemversions',
  shortNames: ['itemversion', 'itemversions'],
  scope: 'platform',
  category: 'publishing',
  description: 'A version of a marketplace item: an OAM template and the JSON Schema of its parameters.',
  spec: z
    .object({
      item: dnsLabel,
      version: z
        .string()
        .regex(/^\d+\.\d+\.\d+(-[0-9a-z.-]+)?$/, 'a semantic version such as 15.4.0 or 1.0.0-rc.1')
        .max(40),
      template: z.record(z.string(), z.unknown()),
      parameters: z.record(z.string(), z.unknown()),
      connection: z
        .object({ engine: z.enum(ENGINES), component: dnsLabel, port: z.number().int().min(1).max(65535) })
        .strict()
        .optional(),
      releaseNotes: bilingual.optional(),
    })
    .strict(),
  status: z.record(z.string(), z.unknown()),
  validate: (obj) => {
    const spec = obj.spec as CatalogItemVersionSpec;
    const causes: ErrorCause[] = [...schemaCauses(spec.parameters, 'spec.parameters')];
    if (causes.length === 0) causes.push(...templateCauses(spec.template, spec.parameters, 'spec.template'));
    return causes;
  },
  printColumns: [
    { name: 'ITEM', path: 'spec.item' },
    { name: 'VERSION', path: 'spec.version' },
    { name: 'PHASE', path: 'status.phase' },
    { name: 'REVIEWER', path: 'status.reviewedBy', wide: true },
  ],
});

export interface MarketInstanceSpec {
  readonly item: string;
  readonly version: string;
  readonly parameters?: Record<string, unknown>;
  readonly shared?: boolean;
  readonly application?: string;
  readonly endpoint?: { readonly host: string; readonly port: number };
  readonly adminSecret?: string;
  /** `job`: credentials are made by a Job in the instance's cluster (docs/marketplace.md, Provisioners). */
  readonly provisioner?: 'direct' | 'job';
  /** The client image of that Job (default: the engine's, JOB_IMAGES). */
  readonly provisionerImage?: string;
  /** The regions whose clusters the instance's Application is placed on (a copy to another region). */
  readonly placement?: { readonly regions: readonly string[] };
  /** The instance this one was copied from (the first of the line: a copy of a copy names the original). */
  readonly copyOf?: { readonly department: string; readonly instance: string };
}

/**
 * An item version instantiated in a department's space: the controller renders the template with the parameters
 * and keeps an Application of that name (owned by the instance) as rendered. `shared` marks a data bureau instance
 * in the platform space that other departments may bind to.
 */
export const marketInstanceKind: KindDefinition = defineKind({
  ...base,
  kind: 'MarketInstance',
  plural: 'marketinstances',
  shortNames: ['mi', 'instance', 'instances'],
  scope: 'tenant',
  category: 'workload',
  description: 'An instance of a released marketplace item in a department: an Application rendered from it.',
  spec: z
    .object({
      item: dnsLabel,
      version: z.string().min(1).max(40),
      parameters: z.record(z.string(), z.unknown()).optional(),
      shared: z.boolean().optional(),
      application: dnsLabel.optional(),
      // Where polis reaches the instance directly to provision credentials (an instance outside the clusters polis
      // delivers to, or reachable from polis); absent, the in-cluster Service is used.
      endpoint: z
        .object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) })
        .strict()
        .optional(),
      // A Secret of this department with `username` and `password` of the instance's administrator.
      adminSecret: dnsLabel.optional(),
      // How credentials are made: `direct` (polis connects to the instance, the default) or `job` (a Job in the
      // instance's namespace on its cluster runs the statements: a cluster polis cannot reach into).
      provisioner: z.enum(['direct', 'job']).optional(),
      // The Job's client image (postgres, mariadb or redis client), e.g. from the department's allowed registry.
      provisionerImage: z
        .string()
        .min(1)
        .max(255)
        .regex(
          /^[a-z0-9][a-z0-9./:@_-]*$/,
          'an image reference such as registry.example.gov.cn/library/postgres:17-alpine',
        )
        .optional(),
      // Keeps the Application on these regions' clusters (set by a copy to another region; editable).
      placement: z
        .object({ regions: z.array(z.string().min(1).max(63)).min(1).max(20) })
        .strict()
        .optional(),
      // The instance this one was copied from: the link an upgrade is offered along (polis market copies).
      copyOf: z.object({ department: dnsLabel, instance: dnsLabel }).strict().optional(),
    })
    .strict(),
  status: z.record(z.string(), z.unknown()),
  printColumns: [
    { name: 'ITEM', path: 'spec.item' },
    { name: 'VERSION', path: 'spec.version' },
    { name: 'SHARED', path: 'spec.shared' },
    { name: 'PHASE', path: 'status.phase' },
    { name: 'APPLICATION', path: 'status.application', wide: true },
    { name: 'REGIONS', path: 'spec.placement.regions', wide: true },
    { name: 'COPY-OF', path: 'spec.copyOf.instance', wide: true },
  ],
});

export interface ServiceBindingSpec {
  readonly instance: string;
  readonly shared?: boolean;
  readonly application: string;
  readonly envPrefix?: string;
}

/**
 * A department's application bound to an instance (its own, or a shared one): credentials of its own inside the
 * middleware, delivered as a Secret and environment variables, and a network path to the instance only.
 */
export const serviceBindingKind: KindDefinition = defineKind({
  ...base,
  kind: 'ServiceBinding',
  plural: 'servicebindings',
  shortNames: ['sb', 'binding', 'bindings'],
  scope: 'tenant',
  category: 'workload',
  description: 'An application bound to a marketplace instance: per-binding credentials, a Secret and a network path.',
  spec: z
    .object({
      instance: dnsLabel,
      // The instance is the data bureau's shared one in the platform space (else one of this department).
      shared: z.boolean().optional(),
      application: dnsLabel,
      envPrefix: envPrefix.optional(),
    })
    .strict(),
  status: z.record(z.string(), z.unknown()),
  printColumns: [
    { name: 'INSTANCE', path: 'spec.instance' },
    { name: 'SHARED', path: 'spec.shared' },
    { name: 'APPLICATION', path: 'spec.application' },
    { name: 'PHASE', path: 'status.phase' },
    { name: 'SECRET', path: 'status.secret', wide: true },
  ],
});

export interface MarketPolicySpec {
  readonly allowedRegistries: readonly string[];
}

/** The name of the one MarketPolicy object polis reads. */
export const MARKET_POLICY_NAME = 'default';

/** The data bureau's marketplace settings: the registries item images may come from. */
export const marketPolicyKind: KindDefinition = defineKind({
  ...base,
  kind: 'MarketPolicy',
  plural: 'marketpolicies',
  scope: 'platform',
  category: 'config',
  description: 'The data bureau’s marketplace settings (object "default"): registries item images may come from.',
  spec: z
    .object({
      allowedRegistries: z
        .array(z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, 'a registry host, optionally a path'))
        .max(100),
    })
    .strict(),
  printColumns: [{ name: 'REGISTRIES', path: 'spec.allowedRegistries' }],
});

/** The marketplace's kinds, in registration order. */
export const marketKinds: readonly KindDefinition[] = [
  catalogItemKind,
  catalogItemVersionKind,
  marketInstanceKind,
  serviceBindingKind,
  marketPolicyKind,
  ...sharingKinds,
];
