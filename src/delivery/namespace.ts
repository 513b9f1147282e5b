import { createHash } from 'node:crypto';
import { stableName } from '../kernel/names.ts';
import type { Manifest } from '../kernel/manifest.ts';
import { DEFAULT_REQUEST } from '../kernel/resources.ts';
import type { Owner } from '../kernel/ownership.ts';
import { NAMESPACE_SEPARATOR, OWNER_LABELS } from '../kernel/ownership.ts';

const MAX = 63;
/** Hex digits of the hash a long pair's namespace ends with (64 bits). */
const HASH_DIGITS = 16;

/**
 * The namespace of (department, application) in every cluster, for an application delivered from now on.
 *
 * Why two pairs never share one:
 * - Short form `<tenant>--<app>`, used when the department name has no `--` and the whole fits in 63 characters.
 *   Both names are DNS-1123 labels, so the department name ends with a letter or digit; with no `--` inside it,
 *   the first `--` of the namespace begins exactly where the department name ends. The department name is the text
 *   before the first `--`, the application's the text after it: the pair is read back from the name, so the
 *   mapping is injective on these pairs.
 * - Long form, otherwise: a readable cut of `<tenant>-<app>` with runs of `-` collapsed (so it has no `--`), then
 *   `-` and a hash over an unambiguous encoding of the pair (the two names joined by NUL, a byte neither may
 *   hold, so `a-b`/`c` and `a`/`b-c` hash differently). It never equals a short-form name (those all hold `--`),
 *   and two long-form names are equal only if 64 bits of SHA-256 collide. Should that ever happen, the drivers'
 *   ownership guard refuses the second application (`NamespaceOwnedByOther`): it is never a takeover.
 */
export function appNamespace(tenant: string, app: string): string {
  const short = `${tenant}${NAMESPACE_SEPARATOR}${app}`;
  if (!tenant.includes(NAMESPACE_SEPARATOR) && short.length <= MAX) return short;
  const hash = createHash('sha256').update(`${tenant}\u0000${app}`).digest('hex').slice(0, HASH_DIGITS);
  const readable = `${tenant}-${app}`
    .replace(/-+/g, '-')
    .slice(0, MAX - HASH_DIGITS - 1)
    .replace(/-+$/, '');
  return `${readable}-${hash}`;
}

/**
 * The namespace applications delivered before the injective mapping used: `<tenant>-<app>` (hashed when too long). Not
 * injective (`a-b`/`c` and `a`/`b-c` both gave `a-b-c`); kept only so those applications stay where they run.
 */
export function legacyAppNamespace(tenant: string, app: string): string {
  return stableName([tenant, app]);
}

/** What of an Application's status decides its namespace (status.namespace, status.placement). */
export interface NamespaceRecord {
  readonly namespace?: unknown;
  readonly placement?: unknown;
}

/**
 * The namespace an application lives in, from its stored status: the one recorded at its first delivery
 * (`status.namespace`); for an application delivered before namespaces were recorded (a placement but no
 * namespace), the legacy name it runs in; else, for one not delivered yet, appNamespace. Every place that needs an
 * application's namespace (delivery and its deletion, render and export, metrics, the sandbox, the autoscaler)
 * asks this function.
 */
export function namespaceOf(tenant: string, app: string, status: unknown): string {
  const s = (status ?? {}) as NamespaceRecord;
  if (typeof s.namespace === 'string' && s.namespace !== '') return s.namespace;
  if (s.placement !== undefined && s.placement !== null) return legacyAppNamespace(tenant, app);
  return appNamespace(tenant, app);
}

/** The owner of an application's objects in a cluster; `status` is the Application's stored status (see namespaceOf). */
export function ownerOf(tenant: string, app: string, status: unknown): Owner {
  return { tenant, app, namespace: namespaceOf(tenant, app, status) };
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

/**
 * The namespace of a KubeVela topology's `namespace` for (department, application) in every cluster: always one
 * of the department's own, never the namespace it names (which may be another department's or the system's).
 * - No namespace, or the one the Application itself declares (`metadata.namespace`, `default` when absent): the
 *   application's own namespace `base`, as KubeVela puts both in one place.
 * - Any other name: a namespace of its own for (department, application, name): a readable cut of
 *   `<tenant>-<app>-<name>` with runs of `-` collapsed, then `-` and a hash over the three names joined by NUL. It
 *   holds no `--`, so it never equals a short-form appNamespace; its hash is over three NUL-separated names where a
 *   long-form appNamespace's is over two, so two triples, or a triple and a pair, share a namespace only if 64
 *   bits of SHA-256 collide (and then the drivers' ownership guard refuses the second owner: never a takeover).
 */
export function topologyNamespace(
  tenant: string,
  app: string,
  base: string,
  declared: string | undefined,
  named: string | undefined,
): string {
  if (named === undefined || named === '' || named === (declared ?? 'default')) return base;
  const hash = createHash('sha256').update(`${tenant}\u0000${app}\u0000${named}`).digest('hex').slice(0, HASH_DIGITS);
  const readable = `${tenant}-${app}-${named}`
    .replace(/-+/g, '-')
    .slice(0, MAX - HASH_DIGITS - 1)
    .replace(/-+$/, '');
  return `${readable}-${hash}`;
}
