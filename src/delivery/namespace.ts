import { stableName } from '../kernel/names.ts';
import type { Manifest } from '../kernel/manifest.ts';
import { DEFAULT_REQUEST } from '../kernel/resources.ts';
import type { Owner } from '../kernel/ownership.ts';
import { OWNER_LABELS } from '../kernel/ownership.ts';

/** The namespace an application's objects live in, in every cluster: `<tenant>-<app>` (hashed when too long). */
export function appNamespace(tenant: string, app: string): string {
  return stableName([tenant, app]);
}

export function ownerOf(tenant: string, app: string): Owner {
  return { tenant, app, namespace: appNamespace(tenant, app) };
}

/** The labels every object of an application carries in a cluster; prune and observe select by them. */
export function ownerLabels(owner: Owner): Record<string, string> {
  return {
    [OWNER_LABELS.app]: owner.app,
    [OWNER_LABELS.namespace]: owner.namespace,
    [OWNER_LABELS.tenant]: owner.tenant,
    [OWNER_LABELS.managedBy]: 'polis',
  };
}

/** The application's namespace, labelled with its department and application, applied before anything in it. */
export function namespaceManifest(owner: Owner): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: owner.namespace, labels: ownerLabels(owner) },
  };
}

/** A department's quota as Kubernetes quantities (Tenant.spec.quota); absent dimensions are unlimited. */
export interface NamespaceQuota {
  readonly cpu?: string | number;
  readonly memory?: string | number;
  readonly storage?: string | number;
}

/**
 * What every application namespace holds besides the application, in every cluster:
 * - a NetworkPolicy that admits traffic only from the same department's namespaces and from namespaces polis does
 *   not manage (ingress controllers, monitoring): other departments are denied by default;
 * - a LimitRange giving containers without requests a default, so they count against the quota, and capping one
 *   container at the department's quota;
 * - a ResourceQuota of the department's quota (the department-wide sum is enforced by polis's admission; the
 *   cluster enforces that no namespace alone exceeds it).
 */
export function namespaceGuards(owner: Owner, quota: NamespaceQuota | undefined): Manifest[] {
  const labels = ownerLabels(owner);
  const meta = (name: string) => ({ name, namespace: owner.namespace, labels });
  const out: Manifest[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('polis-department-isolation'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { [OWNER_LABELS.tenant]: owner.tenant } } },
              { namespaceSelector: { matchExpressions: [{ key: OWNER_LABELS.tenant, operator: 'DoesNotExist' }] } },
            ],
          },
        ],
      },
    },
  ];
  const max: Record<string, string> = {};
  if (quota?.cpu !== undefined) max.cpu = String(quota.cpu);
  if (quota?.memory !== undefined) max.memory = String(quota.memory);
  out.push({
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: meta('polis-defaults'),
    spec: {
      limits: [{ type: 'Container', defaultRequest: DEFAULT_REQUEST, ...(Object.keys(max).length ? { max } : {}) }],
    },
  });
  const hard: Record<string, string> = {};
  if (quota?.cpu !== undefined) hard['requests.cpu'] = String(quota.cpu);
  if (quota?.memory !== undefined) hard['requests.memory'] = String(quota.memory);
  if (quota?.storage !== undefined) hard['requests.storage'] = String(quota.storage);
  if (Object.keys(hard).length > 0) {
    out.push({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: meta('polis-department-quota'), spec: { hard } });
  }
  return out;
}
