import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineKind } from '../resources/kind-schema.ts';
import type { KindDefinition } from '../resources/registry.ts';
import { bilingual, dnsLabel, envPrefix } from './schema-parts.ts';

const base = { group: 'market.polis.io', version: 'v1' } as const;

export interface SharedAPISpec {
  readonly application: string;
  readonly component: string;
  readonly port: number;
  readonly displayName: { readonly zh: string; readonly en: string };
  readonly description: { readonly zh: string; readonly en: string };
}

/**
 * A department publishes one component of one of its Applications as an internal shared API (数据共享, whitepaper
 * 1.2). Other departments see only its name and description (the directory route); the owner sees who subscribed
 * (status.subscribers), and decides on each subscription.
 */
export const sharedAPIKind: KindDefinition = defineKind({
  ...base,
  kind: 'SharedAPI',
  plural: 'sharedapis',
  shortNames: ['sapi'],
  scope: 'tenant',
  category: 'workload',
  description: 'A component of a department’s application published to other departments as an internal API.',
  spec: z
    .object({
      application: dnsLabel,
      component: dnsLabel,
      port: z.number().int().min(1).max(65535),
      displayName: bilingual,
      description: bilingual,
    })
    .strict(),
  status: z.record(z.string(), z.unknown()),
  printColumns: [
    { name: 'APPLICATION', path: 'spec.application' },
    { name: 'COMPONENT', path: 'spec.component' },
    { name: 'PORT', path: 'spec.port' },
    { name: 'SUBSCRIBERS', path: 'status.subscriberCount' },
    { name: 'ZH', path: 'spec.displayName.zh', wide: true },
  ],
});

export interface APISubscriptionSpec {
  /** The department that publishes the API. */
  readonly department: string;
  /** The SharedAPI's name in that department. */
  readonly api: string;
  /** This department's application that calls it (the only one the network path admits). */
  readonly application: string;
  readonly envPrefix?: string;
}

/**
 * A department's request to call another department's SharedAPI from one of its applications. The owner approves
 * or refuses it; once approved, polis delivers an API key Secret into the subscriber's application and a
 * NetworkPolicy admitting that application only into the owner's namespace; revoking or deleting closes both.
 */
export const apiSubscriptionKind: KindDefinition = defineKind({
  ...base,
  kind: 'APISubscription',
  plural: 'apisubscriptions',
  shortNames: ['asub'],
  scope: 'tenant',
  category: 'workload',
  description: 'A department’s subscription to another department’s SharedAPI: approval, API key and network path.',
  spec: z
    .object({
      department: dnsLabel,
      api: dnsLabel,
      application: dnsLabel,
      envPrefix: envPrefix.optional(),
    })
    .strict(),
  status: z.record(z.string(), z.unknown()),
  printColumns: [
    { name: 'DEPARTMENT', path: 'spec.department' },
    { name: 'API', path: 'spec.api' },
    { name: 'APPLICATION', path: 'spec.application' },
    { name: 'PHASE', path: 'status.phase' },
    { name: 'SECRET', path: 'status.secret', wide: true },
  ],
});

export const sharingKinds: readonly KindDefinition[] = [sharedAPIKind, apiSubscriptionKind];

export const SUBSCRIPTION_FINALIZER = 'market.polis.io/subscription';
/** Labels a subscription's API key Secret with its subscription. */
export const SUBSCRIPTION_LABEL = 'market.polis.io/subscription';

export type SubscriptionPhase = 'Requested' | 'Approved' | 'Refused' | 'Revoked' | 'Withdrawn';
export type Verdict = 'approve' | 'refuse' | 'revoke';

/** The owner's decision on a subscription, written by the decision route only (status is controller-only). */
export interface Decision {
  readonly verdict: Verdict;
  readonly by: string;
  readonly at: string;
  readonly comment?: string;
}

/** The phase a decision leads to, and which verdicts each phase accepts. */
export const VERDICT_PHASE: Record<Verdict, SubscriptionPhase> = {
  approve: 'Approved',
  refuse: 'Refused',
  revoke: 'Revoked',
};
export const VERDICTS_FROM: Record<Verdict, readonly (SubscriptionPhase | undefined)[]> = {
  approve: [undefined, 'Requested', 'Refused'],
  refuse: [undefined, 'Requested'],
  revoke: ['Approved'],
};

/** The API key Secret of a subscription, in the subscriber's department. */
export function subscriptionSecretName(subscription: string): string {
  return `api-${subscription}`.slice(0, 63).replace(/-+$/, '');
}

/** The Secret in the owner's namespace holding SHA-256 digests of the approved keys (the owner's gateway checks). */
export function apiKeysSecretName(api: string): string {
  return `api-keys-${api}`.slice(0, 63).replace(/-+$/, '');
}

/** A stable, DNS-safe name of the NetworkPolicy opened for one subscription (object uid included: a new one is new). */
export function subscriptionPolicyName(tenant: string, subscription: string, uid: string): string {
  return `polis-api-${createHash('sha256').update(`${tenant}/${subscription}/${uid}`).digest('hex').slice(0, 16)}`;
}

/** `tax-lookup` → `TAX_LOOKUP`: the default prefix of a subscription's environment variables. */
export function subscriptionEnvPrefix(subscription: string): string {
  return (
    subscription
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^[^A-Z]+/, '')
      .slice(0, 31) || 'API'
  );
}

export function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
