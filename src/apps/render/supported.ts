import { BUILTIN_COMPONENTS, BUILTIN_TRAITS } from './builtin-registry.ts';

/**
 * The OAM types polis renders, with KubeVela's names. Lists are sorted so that error messages read the same every
 * time.
 */
export const SUPPORTED_COMPONENTS: readonly string[] = [
  'cron-task',
  'k8s-objects',
  'ref-objects',
  'task',
  'webservice',
  'worker',
  ...Object.keys(BUILTIN_COMPONENTS),
].sort();

export const SUPPORTED_TRAITS: readonly string[] = [
  'annotations',
  'command',
  'container-image',
  'cpuscaler',
  'env',
  'expose',
  'gateway',
  'hpa',
  'init-container',
  'labels',
  'resource',
  'scaler',
  'sidecar',
  'startup-probe',
  'storage',
  ...Object.keys(BUILTIN_TRAITS),
].sort();

/** polis's own policies: validated by placement and scaling (docs/placement.md), passed over here. */
export const POLIS_POLICIES: readonly string[] = ['autoscaling', 'failover', 'placement', 'residency', 'slo'];

/** KubeVela's policies this renderer understands. */
export const OAM_POLICIES: readonly string[] = [
  'apply-once',
  'garbage-collect',
  'override',
  'read-only',
  'replication',
  'resource-update',
  'shared-resource',
  'take-over',
  'topology',
];

export const SUPPORTED_POLICIES: readonly string[] = [...OAM_POLICIES, ...POLIS_POLICIES].sort();

export const SUPPORTED_STEPS: readonly string[] = [
  'apply-component',
  'apply-deployment',
  'apply-object',
  'apply-remaining',
  'depends-on-app',
  'deploy',
  'export2config',
  'export2secret',
  'notification',
  'print-message-in-status',
  'read-object',
  'step-group',
  'suspend',
  'webhook',
];

/** KubeVela's `workload.type` of each component type, which traits' `appliesToWorkloads` are checked against. */
export const COMPONENT_WORKLOAD_TYPE: Readonly<Record<string, string>> = {
  webservice: 'deployments.apps',
  worker: 'deployments.apps',
  task: 'jobs.batch',
  'cron-task': 'cronjobs.batch',
  ...Object.fromEntries(Object.entries(BUILTIN_COMPONENTS).map(([name, t]) => [name, t.workloadType])),
};

/** The workload resource type of a Kubernetes kind, for k8s-objects (KubeVela's autodetect workload). */
export const KIND_WORKLOAD_TYPE: Readonly<Record<string, string>> = {
  Deployment: 'deployments.apps',
  StatefulSet: 'statefulsets.apps',
  DaemonSet: 'daemonsets.apps',
  Job: 'jobs.batch',
  CronJob: 'cronjobs.batch',
};

const SCALABLE = ['deployments.apps', 'statefulsets.apps'];
const POD_SPEC = ['deployments.apps', 'statefulsets.apps', 'daemonsets.apps', 'jobs.batch'];

/** Each trait's `appliesToWorkloads` from its KubeVela TraitDefinition; `*` means every workload. */
export const TRAIT_APPLIES_TO: Readonly<Record<string, readonly string[]>> = {
  annotations: ['*'],
  labels: ['*'],
  scaler: SCALABLE,
  cpuscaler: SCALABLE,
  hpa: SCALABLE,
  gateway: SCALABLE,
  expose: SCALABLE,
  command: POD_SPEC,
  'container-image': POD_SPEC,
  env: POD_SPEC,
  'init-container': POD_SPEC,
  resource: [...POD_SPEC, 'cronjobs.batch'],
  sidecar: POD_SPEC,
  'startup-probe': POD_SPEC,
  storage: POD_SPEC,
  ...Object.fromEntries(Object.entries(BUILTIN_TRAITS).map(([name, t]) => [name, t.appliesTo])),
};

/** `unknown trait type "foo"; supported: annotations, command, …` */
export function unknownType(noun: string, type: string, supported: readonly string[]): string {
  return `unknown ${noun} type "${type}"; supported: ${supported.join(', ')}`;
}
