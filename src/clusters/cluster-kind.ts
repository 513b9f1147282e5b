import { paramsSchema } from '../resources/message-schema.ts';
import { z } from 'zod';
import type { ErrorCause } from '../kernel/errors.ts';
import { quantityProblem } from '../kernel/quantity.ts';
import { defineKind } from '../resources/kind-schema.ts';
import type { KindDefinition } from '../resources/registry.ts';
import { CLUSTER_ROLES } from '../placement/types.ts';

export const CLUSTER_PROVIDERS = ['simulated', 'kubernetes'] as const;
export type ClusterProvider = (typeof CLUSTER_PROVIDERS)[number];

const resources = z.object({ cpuMilli: z.number(), memoryBytes: z.number(), pods: z.number() }).strict();
const condition = z
  .object({
    type: z.string(),
    status: z.enum(['True', 'False', 'Unknown']),
    reason: z.string().optional(),
    message: z.string().optional(),
    /** The message's code in the catalogue (src/kernel/messages) and its params. */
    code: z.string().optional(),
    params: paramsSchema.optional(),
    lastTransitionTime: z.string().optional(),
  })
  .strict();

/** A cluster's name and its vendor, region, zone and network zone: DNS labels. */
export const plainName = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "lower-case letters, digits and '-' (e.g. city-east)");

export const clusterSpecSchema = z
  .object({
    provider: z.enum(CLUSTER_PROVIDERS),
    vendor: plainName,
    region: plainName,
    zone: plainName,
    /** The network a cluster sits on: e-gov-extranet (政务外网), internet (互联网区), … */
    networkZone: plainName,
    role: z.enum(CLUSTER_ROLES),
    /** Prices in yuan, for cost allocation and burst budgets. */
    prices: z
      .object({
        cpuCoreHour: z.number().nonnegative(),
        memoryGiBHour: z.number().nonnegative(),
        // Cost allocation (docs/operations.md): storage per GiB-month, a burst premium in percent, the fixed
        // monthly cost (lease, depreciation; yuan) and whether the capacity or only what is used is paid for.
        storageGiBMonth: z.number().nonnegative().optional(),
        burstPremiumPercent: z.number().min(0).max(1000).optional(),
        fixedMonthly: z.number().nonnegative().optional(),
        billing: z.enum(['capacity', 'usage']).optional(),
      })
      .strict()
      .optional(),
    /** Displayed names. */
    displayName: z
      .object({ zh: z.string().max(100), en: z.string().max(100) })
      .strict()
      .optional(),
    /** Kubernetes provider: the Secret (platform tenant-less name) holding the kubeconfig; a later issue uses it. */
    kubeconfigSecret: z.string().min(1).optional(),
    /** This cluster's heartbeat and health thresholds, over the platform's (POLIS_HEARTBEAT_MS, POLIS_HEALTH_*). */
    health: z
      .object({
        heartbeatSeconds: z.number().min(0.5).max(600).optional(),
        suspectAfter: z.number().int().min(1).max(100).optional(),
        unreachableAfter: z.number().int().min(1).max(100).optional(),
        recoverAfter: z.number().int().min(1).max(100).optional(),
      })
      .strict()
      .optional(),
    /**
     * Place nothing new here (Kubernetes' cordon): replicas already here stay, new applications and scale-ups go
     * elsewhere. See `draining` to move what runs here off.
     */
    cordoned: z.boolean().optional(),
    /**
     * Move everything off (Kubernetes' drain), make-before-break: placement takes no replica here, and what runs
     * here is removed once the application is healthy on the clusters its replicas moved to. Implies cordoned.
     */
    draining: z.boolean().optional(),
    /** Simulated provider: the node pool the sandbox builds this cluster from. */
    simulation: z
      .object({
        nodes: z.number().int().min(1).max(2000),
        nodeCpu: z.string().min(1),
        nodeMemory: z.string().min(1),
        nodePods: z.number().int().min(1).max(1000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ClusterSpec = z.infer<typeof clusterSpecSchema>;

export const clusterStatusSchema = z
  .object({
    capacity: resources.optional(),
    allocatable: resources.optional(),
    requested: resources.optional(),
    /** Requests of pods waiting for a node. */
    pending: resources.optional(),
    used: resources.optional(),
    nodes: z.object({ total: z.number(), ready: z.number() }).strict().optional(),
    /**
     * The health state machine's state (Ready, Suspect, Unreachable; Unknown before the first probe), or
     * PermissionDenied: the cluster answers but refuses rights polis needs (listed in `deniedPermissions`).
     */
    health: z.enum(['Ready', 'Suspect', 'Unreachable', 'Unknown', 'PermissionDenied']).optional(),
    /** The rights the cluster's role lacks (verb, resource, API group), when health is PermissionDenied. */
    deniedPermissions: z
      .array(z.object({ verb: z.string(), resource: z.string(), group: z.string() }).strict())
      .optional(),
    conditions: z.array(condition).optional(),
    lastHeartbeat: z.string().optional(),
    version: z.string().optional(),
    /** Objects of deleted applications left here while it was unreachable; removed when it returns. */
    pendingCleanup: z
      .array(z.object({ tenant: z.string(), app: z.string(), namespace: z.string() }).strict())
      .optional(),
  })
  .strict();

export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

/** A member cluster: simulated (the embedded sandbox) or a real Kubernetes cluster. Platform-scoped. */
export const clusterKind: KindDefinition = defineKind({
  group: 'polis.io',
  version: 'v1',
  kind: 'Cluster',
  plural: 'clusters',
  shortNames: ['cl'],
  scope: 'platform',
  category: 'infrastructure',
  description: 'A member cluster polis places applications on: vendor, region, zone, network zone, role, prices.',
  spec: clusterSpecSchema,
  status: clusterStatusSchema,
  validate: (obj) => {
    const spec = obj.spec as ClusterSpec;
    const causes: ErrorCause[] = [];
    if (spec.simulation) {
      if (spec.provider !== 'simulated')
        causes.push({ path: 'spec.simulation', message: 'only for provider: simulated; remove it' });
      const cpu = quantityProblem('cpu', spec.simulation.nodeCpu);
      if (cpu) causes.push({ path: 'spec.simulation.nodeCpu', message: cpu });
      const mem = quantityProblem('bytes', spec.simulation.nodeMemory);
      if (mem) causes.push({ path: 'spec.simulation.nodeMemory', message: mem });
    }
    const h = spec.health;
    if (h?.suspectAfter !== undefined && h.unreachableAfter !== undefined && h.suspectAfter > h.unreachableAfter)
      causes.push({
        path: 'spec.health.suspectAfter',
        message: `must be ≤ unreachableAfter (${h.unreachableAfter}): a cluster is Suspect before it is Unreachable`,
      });
    if (spec.provider === 'kubernetes' && !spec.kubeconfigSecret)
      causes.push({
        path: 'spec.kubeconfigSecret',
        message: 'required for provider: kubernetes (the kubeconfig Secret)',
      });
    return causes;
  },
  printColumns: [
    { name: 'VENDOR', path: 'spec.vendor' },
    { name: 'REGION', path: 'spec.region' },
    { name: 'NETWORK', path: 'spec.networkZone' },
    { name: 'ROLE', path: 'spec.role' },
    { name: 'HEALTH', path: 'status.health' },
    { name: 'HEARTBEAT', path: 'status.lastHeartbeat', format: 'age' },
    { name: 'PROVIDER', path: 'spec.provider', wide: true },
    { name: 'ZONE', path: 'spec.zone', wide: true },
  ],
});
