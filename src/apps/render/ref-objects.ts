import { z } from 'zod';
import type { ComponentSpec } from '../application-kind.ts';
import { systemNamespace } from '../app-namespace.ts';
import type { Obj } from './objects.ts';
import { AUXILIARY, type ComponentContext, type RenderedComponent } from './workloads.ts';

/**
 * KubeVela's `ref-objects` component (component/ref-objects.cue): objects that already exist, referenced by
 * `resource` (+ `group`) or `apiVersion`/`kind`, and `name`, `namespace`, `cluster`; the first is the workload, the
 * others `objects-<i>`. KubeVela reads them from the control plane (or the named cluster) and dispatches copies.
 *
 * In polis the delivery controller reads them from a member cluster (src/delivery/ref-objects.ts), only from a
 * namespace of the department's own and only of the kinds below (namespaced, no RBAC), and hands the copies to
 * rendering on the component (RefResolved). Rendering itself stays pure: unread, a reference renders as an object
 * of its kind and name only (what `polis render` shows; delivery never applies that).
 */

/** The kinds a ref may name: namespaced, no RBAC, served by both drivers. By plural, singular and kind. */
const KINDS: readonly (readonly [apiVersion: string, kind: string, plural: string])[] = [
  ['v1', 'ConfigMap', 'configmaps'],
  ['v1', 'Secret', 'secrets'],
  ['v1', 'Service', 'services'],
  ['v1', 'ServiceAccount', 'serviceaccounts'],
  ['v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'],
  ['apps/v1', 'Deployment', 'deployments'],
  ['apps/v1', 'StatefulSet', 'statefulsets'],
  ['apps/v1', 'DaemonSet', 'daemonsets'],
  ['batch/v1', 'Job', 'jobs'],
  ['batch/v1', 'CronJob', 'cronjobs'],
  ['networking.k8s.io/v1', 'Ingress', 'ingresses'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'],
  ['policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'],
];

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

function kindOf(resource: string, group: string | undefined): (typeof KINDS)[number] | undefined {
  const r = resource.toLowerCase();
  return KINDS.find(
    ([apiVersion, kind, plural]) =>
      (plural === r || plural.replace(/e?s$/, '') === r || kind.toLowerCase() === r) &&
      (group === undefined || group === groupOf(apiVersion)),
  );
}

const KNOWN = KINDS.map(([, , plural]) => plural).join(', ');

const ref = z
  .object({
    resource: z.string().optional(),
    group: z.string().optional(),
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    cluster: z.string().optional(),
    labelSelector: z.record(z.string(), z.string()).optional(),
    metadata: z.object({ name: z.string().optional(), namespace: z.string().optional() }).loose().optional(),
  })
  .loose()
  .superRefine((o, ctx) => {
    if (o.labelSelector !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['labelSelector'],
        message:
          "not supported in polis: name each object (polis copies only objects it can name, from the department's own namespaces)",
      });
    if (!(o.name ?? o.metadata?.name))
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'required: the name of the object to reference' });
    if (o.resource === undefined && (o.apiVersion === undefined || o.kind === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['resource'],
        message: `required: resource (${KNOWN}), or apiVersion and kind`,
      });
    const target = refTarget({ ...o, name: 'x' });
    if ((o.resource !== undefined || (o.apiVersion && o.kind)) && !target)
      ctx.addIssue({
        code: 'custom',
        path: [o.resource !== undefined ? 'resource' : 'kind'],
        message: `${o.resource ?? `${o.apiVersion} ${o.kind}`} cannot be referenced: an application may reference only namespaced objects without RBAC, of ${KNOWN}`,
      });
    const ns = o.namespace ?? o.metadata?.namespace;
    if (ns !== undefined && systemNamespace(ns))
      ctx.addIssue({
        code: 'custom',
        path: ['namespace'],
        message: `"${ns}" is a system namespace; an application references objects in its department's own namespaces only`,
      });
  });

export const refObjectsProperties = z
  .object({ objects: z.array(ref).min(1, { error: 'list at least one object to reference' }) })
  .strict();

export type RefObjectsProperties = z.infer<typeof refObjectsProperties>;
type Ref = z.infer<typeof ref>;

/** What one reference names: the object's apiVersion, kind and name, and where KubeVela would read it. */
export interface RefTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** As written; absent: the application's namespace. */
  readonly namespace?: string;
  /** As written; absent or `""`: KubeVela's control plane (`local`). */
  readonly cluster?: string;
}

/** The object a reference names, or undefined when it names no kind a department may reference. */
export function refTarget(o: Ref): RefTarget | undefined {
  const name = o.name ?? o.metadata?.name;
  const found =
    o.resource !== undefined
      ? kindOf(o.resource, o.group)
      : KINDS.find(([apiVersion, kind]) => apiVersion === o.apiVersion && kind === o.kind);
  if (!found || !name) return undefined;
  const ns = o.namespace ?? o.metadata?.namespace;
  return {
    apiVersion: found[0],
    kind: found[1],
    name,
    ...(ns !== undefined && ns !== '' ? { namespace: ns } : {}),
    ...(o.cluster ? { cluster: o.cluster } : {}),
  };
}

/** A ref-objects component with the copies delivery read for it, one per reference, in order. */
export type RefResolved = ComponentSpec & { readonly refObjects?: readonly Obj[] };

/**
 * The workload is the first object, the others `objects-<i>` (auxiliary), as ref-objects.cue outputs them. Unread
 * references render as an object of their kind and name only.
 */
export function renderRefObjects(
  ctx: ComponentContext,
  p: RefObjectsProperties,
  read: readonly Obj[] | undefined,
): RenderedComponent {
  const objects: Obj[] = read
    ? read.map((o) => structuredClone(o) as Obj)
    : p.objects.map((o) => {
        const t = refTarget(o)!;
        return { apiVersion: t.apiVersion, kind: t.kind, metadata: { name: t.name } };
      });
  return {
    workload: objects[0]!,
    outputs: objects.slice(1).map((obj, i) => ({ resource: `objects-${i + 1}`, traitType: AUXILIARY, obj })),
  };
}

/** Server-set fields a copy leaves behind (as KubeVela's ref-objects dispatch clears them). */
const SERVER_METADATA = [
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'ownerReferences',
  'finalizers',
  'selfLink',
  'generateName',
];

/**
 * A copy of a live object to deliver: no status, no server-set metadata, and a Service without its cluster IPs
 * (the target cluster assigns its own).
 */
export function refCopy(live: Obj): Obj {
  const { status: _status, metadata, ...rest } = structuredClone(live) as Obj & { metadata?: Obj };
  const meta: Obj = { ...(metadata ?? {}) };
  for (const k of SERVER_METADATA) delete meta[k];
  const annotations = meta.annotations as Record<string, string> | undefined;
  if (annotations) {
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    delete annotations['deployment.kubernetes.io/revision'];
    if (Object.keys(annotations).length === 0) delete meta.annotations;
  }
  const out: Obj = { ...rest, metadata: meta };
  if (out.kind === 'Service' && out.spec && typeof out.spec === 'object') {
    const spec = out.spec as Obj;
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  return out;
}
