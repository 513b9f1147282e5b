/** The resource types the fake serves, and the discovery documents built from them. */

export interface ResourceDef {
  group: string;
  version: string;
  /** Plural name as in URLs, e.g. "deployments". */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Has a /status subresource: writes to the main resource keep status, writes to /status change only status. */
  status: boolean;
  /** metadata.generation is tracked (bumped on spec changes). */
  generation: boolean;
  /** Only these verbs (default: all object verbs). */
  verbs?: string[];
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const core = (resource: string, kind: string, namespaced: boolean, extra: Partial<ResourceDef> = {}): ResourceDef => ({
  group: '',
  version: 'v1',
  resource,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  status: false,
  generation: false,
  ...extra,
});

const grouped = (
  groupVersion: string,
  resource: string,
  kind: string,
  extra: Partial<ResourceDef> = {},
): ResourceDef => {
  const [group = '', version = ''] = groupVersion.split('/');
  return {
    group,
    version,
    resource,
    singular: kind.toLowerCase(),
    kind,
    namespaced: true,
    status: true,
    generation: true,
    ...extra,
  };
};

export const RESOURCES: readonly ResourceDef[] = [
  core('namespaces', 'Namespace', false, { shortNames: ['ns'], status: true }),
  core('nodes', 'Node', false, { shortNames: ['no'], status: true }),
  core('pods', 'Pod', true, { shortNames: ['po'], status: true }),
  core('services', 'Service', true, { shortNames: ['svc'], status: true }),
  core('configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  core('secrets', 'Secret', true),
  core('serviceaccounts', 'ServiceAccount', true, { shortNames: ['sa'] }),
  core('persistentvolumeclaims', 'PersistentVolumeClaim', true, { shortNames: ['pvc'], status: true }),
  core('resourcequotas', 'ResourceQuota', true, { shortNames: ['quota'], status: true }),
  core('limitranges', 'LimitRange', true, { shortNames: ['limits'] }),
  core('events', 'Event', true, { shortNames: ['ev'] }),
  grouped('apps/v1', 'deployments', 'Deployment', { shortNames: ['deploy'] }),
  grouped('apps/v1', 'statefulsets', 'StatefulSet', { shortNames: ['sts'] }),
  grouped('apps/v1', 'daemonsets', 'DaemonSet', { shortNames: ['ds'] }),
  grouped('apps/v1', 'replicasets', 'ReplicaSet', { shortNames: ['rs'] }),
  grouped('batch/v1', 'jobs', 'Job'),
  grouped('batch/v1', 'cronjobs', 'CronJob', { shortNames: ['cj'] }),
  grouped('networking.k8s.io/v1', 'ingresses', 'Ingress', { shortNames: ['ing'] }),
  grouped('networking.k8s.io/v1', 'networkpolicies', 'NetworkPolicy', {
    shortNames: ['netpol'],
    status: false,
  }),
  grouped('autoscaling/v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', {
    shortNames: ['hpa'],
    generation: true,
  }),
  grouped('policy/v1', 'poddisruptionbudgets', 'PodDisruptionBudget', { shortNames: ['pdb'] }),
  grouped('rbac.authorization.k8s.io/v1', 'roles', 'Role', { status: false, generation: false }),
  grouped('rbac.authorization.k8s.io/v1', 'rolebindings', 'RoleBinding', { status: false, generation: false }),
  grouped('authorization.k8s.io/v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', {
    namespaced: false,
    status: false,
    generation: false,
    verbs: ['create'],
  }),
];

export const apiVersionOf = (def: ResourceDef): string => (def.group ? `${def.group}/${def.version}` : def.version);

/** `deployments.apps` or `pods`: how the API server names a resource in messages. */
export const qualifiedResource = (def: ResourceDef): string =>
  def.group ? `${def.resource}.${def.group}` : def.resource;

/** `Deployment.apps` or `Service`: how validation messages name a kind. */
export const qualifiedKind = (def: ResourceDef): string => (def.group ? `${def.kind}.${def.group}` : def.kind);

export function findByResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((d) => d.group === group && d.version === version && d.resource === resource);
}

export function findByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((d) => apiVersionOf(d) === apiVersion && d.kind === kind);
}

/** The APIResourceList for one group version, subresources included. */
export function resourceList(group: string, version: string): Record<string, unknown> | undefined {
  const defs = RESOURCES.filter((d) => d.group === group && d.version === version);
  if (defs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const d of defs) {
    resources.push({
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.verbs ?? ALL_VERBS,
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
    });
    if (d.status) {
      resources.push({
        name: `${d.resource}/status`,
        singularName: '',
        namespaced: d.namespaced,
        kind: d.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function groupDoc(name: string): Record<string, unknown> {
  const versions = [...new Set(RESOURCES.filter((d) => d.group === name).map((d) => d.version))].map((v) => ({
    groupVersion: `${name}/${v}`,
    version: v,
  }));
  return { name, versions, preferredVersion: versions[0] };
}

/** The APIGroupList served at /apis. */
export function groupList(): Record<string, unknown> {
  const names = [...new Set(RESOURCES.map((d) => d.group).filter((g) => g !== ''))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: names.map(groupDoc) };
}

/** The APIGroup served at /apis/{group}, or undefined for an unknown group. */
export function groupDocument(name: string): Record<string, unknown> | undefined {
  if (!RESOURCES.some((d) => d.group === name)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name) };
}

/** The APIVersions served at /api. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}
