import { isClusterScoped } from './labels.ts';
import { refObjectsProperties } from './ref-objects.ts';
import { z } from 'zod';
import {
  bytesQuantity,
  cpuQuantity,
  cronSchedule,
  envVar,
  healthProbe,
  hostAlias,
  legacyVolume,
  port,
  protocol,
  pullPolicy,
  stringMap,
  strings,
  volumeMounts,
  whole,
} from './common-schemas.ts';

/**
 * The properties of each component type, after KubeVela's `vela-templates/definitions/internal/component/*.cue`.
 */

const IMAGE_REQUIRED = 'required: the container image, e.g. registry.example.gov.cn/edu/web:1.0';

const container = {
  image: z
    .string({ error: (issue) => (issue.input === undefined ? IMAGE_REQUIRED : 'expected a string') })
    .min(1, { error: IMAGE_REQUIRED }),
  imagePullSecrets: strings.optional(),
  cmd: strings.optional(),
  env: z.array(envVar).optional(),
  cpu: cpuQuantity.optional(),
  memory: bytesQuantity.optional(),
  // KubeVela 1.10: a limit apart from the request (cpu and memory then set the request only).
  limit: z.object({ cpu: cpuQuantity.optional(), memory: bytesQuantity.optional() }).strict().optional(),
  livenessProbe: healthProbe.optional(),
  readinessProbe: healthProbe.optional(),
};

const servicePort = z
  .object({
    port,
    // KubeVela 1.10: the container's port when it differs from the Service's (the Service's targetPort).
    containerPort: port.optional(),
    name: z.string().optional(),
    protocol,
    expose: z.boolean().default(false),
    nodePort: port.optional(),
  })
  .strict();

export const webserviceProperties = z
  .object({
    ...container,
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
    imagePullPolicy: pullPolicy.optional(),
    port: port.optional(),
    ports: z.array(servicePort).optional(),
    exposeType: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('ClusterIP'),
    addRevisionLabel: z.boolean().default(false),
    args: strings.optional(),
    volumeMounts: volumeMounts.optional(),
    volumes: z.array(legacyVolume).optional(),
    hostAliases: z.array(hostAlias).optional(),
  })
  .strict();

export const workerProperties = z
  .object({
    ...container,
    // KubeVela's worker types this as any string, unlike its other components.
    imagePullPolicy: z.string().optional(),
    volumeMounts: volumeMounts.optional(),
    volumes: z.array(legacyVolume).optional(),
  })
  .strict();

const job = {
  ...container,
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  count: whole(0).default(1),
  imagePullPolicy: pullPolicy.optional(),
  // KubeVela types it as a string "that can only be Never or OnFailure"; Kubernetes refuses anything else.
  restart: z.enum(['Never', 'OnFailure']).default('Never'),
  volumes: z.array(legacyVolume).optional(),
};

export const taskProperties = z.object(job).strict();

export const cronTaskProperties = z
  .object({
    ...job,
    schedule: cronSchedule,
    volumeMounts: volumeMounts.optional(),
    startingDeadlineSeconds: whole(0).optional(),
    suspend: z.boolean().default(false),
    concurrencyPolicy: z.enum(['Allow', 'Forbid', 'Replace']).default('Allow'),
    successfulJobsHistoryLimit: whole(0).default(3),
    failedJobsHistoryLimit: whole(0).default(1),
    hostAliases: z.array(hostAlias).optional(),
    ttlSecondsAfterFinished: whole(0).optional(),
    activeDeadlineSeconds: whole(1).optional(),
    backoffLimit: whole(0).default(6),
  })
  .strict();

const k8sObject = z
  .object({
    apiVersion: z.string().min(1, { error: 'required: every object needs an apiVersion' }),
    kind: z.string().min(1, { error: 'required: every object needs a kind' }),
    metadata: z
      .object({
        name: z.string().optional(),
        namespace: z.string().optional(),
        labels: stringMap.optional(),
        annotations: stringMap.optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

const RBAC_KINDS = new Set(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']);

export const k8sObjectsProperties = z
  .object({
    objects: z
      .array(k8sObject)
      .min(1, { error: 'list at least one Kubernetes object' })
      .superRefine((objects, ctx) => {
        objects.forEach((o, i) => {
          // The first object takes the component's name when it has none, as in KubeVela.
          if (i > 0 && !o.metadata?.name) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'metadata', 'name'],
              message: 'required: name every object after the first',
            });
          }
          // A department's application stays inside its namespaces: objects that act on the whole cluster (or
          // grant rights in it) would reach every department sharing it.
          const kind = (o as { kind?: unknown }).kind;
          if (isClusterScoped(kind) || (typeof kind === 'string' && RBAC_KINDS.has(kind))) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'kind'],
              message: `${String(kind)} is not allowed: an application may create only namespaced objects without RBAC; ask the platform admins for cluster-wide objects`,
            });
          }
          if (o.metadata?.namespace !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [i, 'metadata', 'namespace'],
              message: "remove it: polis puts an application's objects in the application's namespace on each cluster",
            });
          }
        });
      }),
  })
  .strict();

export type WebserviceProperties = z.infer<typeof webserviceProperties>;
export type WorkerProperties = z.infer<typeof workerProperties>;
export type TaskProperties = z.infer<typeof taskProperties>;
export type CronTaskProperties = z.infer<typeof cronTaskProperties>;
export type K8sObjectsProperties = z.infer<typeof k8sObjectsProperties>;

export const COMPONENT_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  webservice: webserviceProperties,
  worker: workerProperties,
  task: taskProperties,
  'cron-task': cronTaskProperties,
  'k8s-objects': k8sObjectsProperties,
  'ref-objects': refObjectsProperties,
};
