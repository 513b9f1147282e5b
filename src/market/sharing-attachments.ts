import type { Owner } from '../kernel/ownership.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { namespaceOf } from '../delivery/namespace.ts';
import type { Attachments } from './attachments.ts';
import type { MarketDeps } from './market-types.ts';
import type { MarketWrites } from './market-writes.ts';
import { secretData, secretValue } from './market-writes.ts';
import type { APISubscriptionSpec, SharedAPISpec } from './sharing-kinds.ts';
import { apiKeysSecretName, keyDigest, subscriptionEnvPrefix, subscriptionPolicyName } from './sharing-kinds.ts';
import type { SubscriptionStatus } from './sharing-reconciler.ts';

/**
 * What data sharing adds to an application's manifests on every cluster (see attachments.ts), for Approved
 * subscriptions only: a subscriber's application gets its API key Secret as environment variables; an owner's
 * application gets, per published API, one NetworkPolicy per subscriber (its application in its namespace, on the
 * published port of the published component) and the SHA-256 digests of the approved keys (not as environment).
 */
export async function sharingAttachments(
  deps: MarketDeps,
  writes: MarketWrites,
  ofApp: (key: string) => Iterable<string> | undefined,
  ofAPI: (key: string) => Iterable<string> | undefined,
  /** The department's SharedAPIs that publish the application, not being deleted, by name (SharedAPIIndex.of). */
  published: (tenant: string, app: string) => Promise<readonly StoredObject[]>,
  owner: Owner,
): Promise<Attachments> {
  const secrets: Array<Attachments['secrets'][number]> = [];
  const ingress: Array<Attachments['ingress'][number]> = [];
  for (const k of ofApp(`${owner.tenant}/${owner.app}`) ?? []) {
    const [t, n] = k.split('/') as [string, string];
    const s = await deps.store.get({ kind: 'APISubscription', tenant: t, name: n });
    const st = s?.status as Partial<SubscriptionStatus> | undefined;
    if (!s || s.metadata.deletionTimestamp || st?.phase !== 'Approved' || !st.secret) continue;
    const secret = await writes.secret(t, st.secret);
    if (secret) secrets.push({ name: st.secret, data: secretData(secret) });
  }
  for (const api of await published(owner.tenant, owner.app)) {
    const aspec = api.spec as SharedAPISpec;
    const digests: Record<string, string> = {};
    for (const k of ofAPI(`${owner.tenant}/${api.metadata.name}`) ?? []) {
      const [t, n] = k.split('/') as [string, string];
      const s = await deps.store.get({ kind: 'APISubscription', tenant: t, name: n });
      const st = s?.status as Partial<SubscriptionStatus> | undefined;
      if (!s || s.metadata.deletionTimestamp || st?.phase !== 'Approved' || !st.secret) continue;
      const sspec = s.spec as APISubscriptionSpec;
      const secret = await writes.secret(t, st.secret);
      const apiKey = secretValue(secret, `${sspec.envPrefix ?? subscriptionEnvPrefix(n)}_API_KEY`);
      if (apiKey === undefined) continue;
      digests[`${t}.${n}`] = Buffer.from(keyDigest(apiKey)).toString('base64');
      const app = await deps.store.get({ kind: 'Application', tenant: t, name: sspec.application });
      ingress.push({
        name: subscriptionPolicyName(t, n, s.metadata.uid),
        component: aspec.component,
        port: aspec.port,
        fromNamespace: namespaceOf(t, sspec.application, app?.status),
        fromApp: sspec.application,
      });
    }
    // SHA-256 digests of the approved keys, keyed `<department>.<subscription>`: the owner's service checks them.
    if (Object.keys(digests).length > 0)
      secrets.push({ name: apiKeysSecretName(api.metadata.name), data: digests, env: false });
  }
  return { secrets, ingress };
}
