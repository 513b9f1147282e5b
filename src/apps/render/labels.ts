import { OWNER_LABELS } from '../../kernel/ownership.ts';
import { stableName } from '../../kernel/names.ts';
import { child, type Obj } from './objects.ts';

/**
 * The labels KubeVela puts on every object it dispatches (pkg/appfile: `generateAndFilterCommonLabels`,
 * `setWorkloadLabels`, `setTraitLabels`), plus polis's owner labels. They are stamped last, over whatever a
 * template, trait or k8s-objects entry set, as KubeVela's `AddLabels` does.
 */

export const OAM_LABELS = {
  appRevision: 'app.oam.dev/appRevision',
  resourceType: 'app.oam.dev/resourceType',
  cluster: 'app.oam.dev/cluster',
  workloadType: 'workload.oam.dev/type',
  traitType: 'trait.oam.dev/type',
  traitResource: 'trait.oam.dev/resource',
  componentRevision: 'app.oam.dev/revision',
} as const;

/**
 * KubeVela's component revision name, `<component>-v<N>` (its `context.revision` and the `app.oam.dev/revision`
 * label). polis keeps no per-component revision count: N is the application revision's number (`<app>-v<N>`), so
 * it moves with every application revision rather than only when the component changes (docs/oam.md).
 */
export function componentRevision(component: string, appRevision: string, external?: string): string {
  // A component's `externalRevision` names its revision, as in KubeVela.
  if (external) return labelValue(external);
  const n = /-v(\d+)$/.exec(appRevision)?.[1] ?? '1';
  return labelValue(`${component}-v${n}`);
}

export interface LabelContext {
  readonly appName: string;
  readonly tenant: string;
  readonly namespace: string;
  readonly revision: string;
  readonly cluster?: string;
}

/** A label value Kubernetes accepts: at most 63 characters (cut with a short hash when longer). */
function labelValue(v: string): string {
  return v.length <= 63 ? v : stableName([v]);
}

function common(ctx: LabelContext, component: string, external?: string): Record<string, string> {
  const labels: Record<string, string> = {
    [OWNER_LABELS.app]: ctx.appName,
    [OWNER_LABELS.namespace]: ctx.namespace,
    [OAM_LABELS.appRevision]: labelValue(ctx.revision),
    [OWNER_LABELS.component]: component,
    [OAM_LABELS.componentRevision]: componentRevision(component, ctx.revision, external),
    [OWNER_LABELS.tenant]: ctx.tenant,
    [OWNER_LABELS.managedBy]: 'polis',
  };
  if (ctx.cluster !== undefined) labels[OAM_LABELS.cluster] = labelValue(ctx.cluster);
  return labels;
}

function stamp(obj: Obj, labels: Record<string, string>): void {
  const meta = child(obj, ['metadata'], true)!;
  meta.labels = { ...(meta.labels as Obj | undefined), ...labels };
}

export function stampWorkload(
  obj: Obj,
  ctx: LabelContext,
  component: string,
  type: string,
  externalRevision?: string,
): void {
  stamp(obj, {
    ...common(ctx, component, externalRevision),
    [OAM_LABELS.resourceType]: 'WORKLOAD',
    [OAM_LABELS.workloadType]: type,
  });
}

export function stampTraitOutput(
  obj: Obj,
  ctx: LabelContext,
  component: string,
  traitType: string,
  resource: string,
  externalRevision?: string,
): void {
  stamp(obj, {
    ...common(ctx, component, externalRevision),
    [OAM_LABELS.resourceType]: 'TRAIT',
    [OAM_LABELS.traitType]: traitType,
    [OAM_LABELS.traitResource]: labelValue(resource),
  });
}

/** Kinds that live outside namespaces; k8s-objects may carry them, and they get no namespace. */
const CLUSTER_SCOPED = new Set([
  'APIService',
  'CSIDriver',
  'CSINode',
  'CertificateSigningRequest',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'FlowSchema',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PriorityClass',
  'PriorityLevelConfiguration',
  'RuntimeClass',
  'StorageClass',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ValidatingWebhookConfiguration',
  'VolumeAttachment',
  'VolumeSnapshotClass',
]);

export function isClusterScoped(kind: unknown): boolean {
  return typeof kind === 'string' && CLUSTER_SCOPED.has(kind);
}

/** Every namespaced object goes to the application's namespace on the cluster. */
export function placeInNamespace(obj: Obj, namespace: string): void {
  const meta = child(obj, ['metadata'], true)!;
  if (isClusterScoped(obj.kind)) delete meta.namespace;
  else meta.namespace = namespace;
}
