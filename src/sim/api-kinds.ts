/** What the simulated API server serves: the built-in kinds polis renders, with their versions and scope. */
export interface KindInfo {
  readonly kind: string;
  /** API group ('' for the core group), used in messages the way Kubernetes prints them (`Deployment.apps`). */
  readonly group: string;
  readonly versions: readonly string[];
  readonly namespaced: boolean;
  /** Runs pods from a template. */
  readonly workload: boolean;
}

const TABLE: readonly KindInfo[] = [
  { kind: 'Namespace', group: '', versions: ['v1'], namespaced: false, workload: false },
  { kind: 'ConfigMap', group: '', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'Secret', group: '', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'Service', group: '', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'ServiceAccount', group: '', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'PersistentVolumeClaim', group: '', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'ResourceQuota', group: '', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'LimitRange', group: '', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'Deployment', group: 'apps', versions: ['v1'], namespaced: true, workload: true },
  { kind: 'StatefulSet', group: 'apps', versions: ['v1'], namespaced: true, workload: true },
  { kind: 'DaemonSet', group: 'apps', versions: ['v1'], namespaced: true, workload: true },
  { kind: 'Job', group: 'batch', versions: ['v1'], namespaced: true, workload: true },
  { kind: 'CronJob', group: 'batch', versions: ['v1'], namespaced: true, workload: true },
  { kind: 'Ingress', group: 'networking.k8s.io', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'NetworkPolicy', group: 'networking.k8s.io', versions: ['v1'], namespaced: true, workload: false },
  { kind: 'HorizontalPodAutoscaler', group: 'autoscaling', versions: ['v2', 'v1'], namespaced: true, workload: false },
  { kind: 'PodDisruptionBudget', group: 'policy', versions: ['v1'], namespaced: true, workload: false },
];

const BY_KIND = new Map(TABLE.map((k) => [k.kind, k]));

/** The kind served at `apiVersion`, or undefined when no such kind exists there (no CRD installed for it). */
export function lookupKind(apiVersion: string, kind: string): KindInfo | undefined {
  const info = BY_KIND.get(kind);
  if (info === undefined) return undefined;
  const slash = apiVersion.lastIndexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  return group === info.group && info.versions.includes(version) ? info : undefined;
}

/** `Deployment.apps "web"` / `Service "web"`: how the API server names an object in its messages. */
export function describeObject(info: KindInfo, name: string): string {
  return `${info.kind}${info.group === '' ? '' : '.' + info.group} "${name}"`;
}

export const WORKLOAD_KINDS: readonly string[] = TABLE.filter((k) => k.workload).map((k) => k.kind);
