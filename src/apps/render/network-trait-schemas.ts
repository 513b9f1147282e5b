import { z } from 'zod';
import { anyInt, port, protocol, stringMap, whole } from './common-schemas.ts';

/**
 * The properties of the traits that scale a workload or open it to traffic, after KubeVela's
 * `vela-templates/definitions/internal/trait/{scaler,cpuscaler,hpa,gateway,expose}.cue`.
 */

export const scalerProperties = z.object({ replicas: whole(0).default(1) }).strict();

/** min ≤ max, where both are given or defaulted. */
function minNotAboveMax(v: { min: number; max: number }, ctx: z.RefinementCtx): void {
  if (v.min > v.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `must not exceed max (${v.max})` });
}

// Kubernetes refuses an HPA with minReplicas 0 unless a feature gate is on.
const hpaBounds = { min: whole(1).default(1), max: whole(1).default(10) };
const target = { targetAPIVersion: z.string().default('apps/v1'), targetKind: z.string().default('Deployment') };

export const cpuscalerProperties = z
  .object({ ...hpaBounds, cpuUtil: whole(1).default(50), ...target })
  .strict()
  .superRefine(minNotAboveMax);

const metricTarget = z
  .object({
    type: z.enum(['Utilization', 'AverageValue']).default('Utilization'),
    // An AverageValue is a quantity; KubeVela types it int, polis also takes a quantity string.
    value: z.union([anyInt, z.string()]).default(50),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.type === 'Utilization' && (typeof v.value !== 'number' || v.value < 1)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a Utilization is a whole percentage ≥ 1' });
    }
  });

export const hpaProperties = z
  .object({
    ...hpaBounds,
    ...target,
    cpu: metricTarget.default({ type: 'Utilization', value: 50 }),
    mem: metricTarget.optional(),
    podCustomMetrics: z.array(z.object({ name: z.string(), value: z.string() }).strict()).optional(),
  })
  .strict()
  .superRefine(minNotAboveMax);

export const gatewayProperties = z
  .object({
    domain: z.string().optional(),
    http: z
      .record(z.string(), port)
      .refine((h) => Object.keys(h).length > 0, { error: 'map at least one path to a port, e.g. {"/": 8080}' }),
    class: z.string().default('nginx'),
    classInSpec: z.boolean().default(false),
    secretName: z.string().optional(),
    gatewayHost: z.string().optional(),
    name: z.string().optional(),
    pathType: z.enum(['ImplementationSpecific', 'Prefix', 'Exact']).default('ImplementationSpecific'),
    annotations: stringMap.optional(),
    labels: stringMap.optional(),
    existingServiceName: z.string().optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.secretName !== undefined && v.domain === undefined) {
      ctx.addIssue({ code: 'custom', path: ['domain'], message: 'required with secretName: TLS needs the host name' });
    }
  });

export const exposeProperties = z
  .object({
    port: z.array(port).optional(),
    ports: z
      .array(z.object({ port, name: z.string().optional(), protocol, nodePort: port.optional() }).strict())
      .optional(),
    annotations: stringMap.default({}),
    matchLabels: stringMap.optional(),
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).default('ClusterIP'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.type !== 'ExternalName' && !v.port?.length && !v.ports?.length) {
      ctx.addIssue({ code: 'custom', path: ['ports'], message: 'list at least one port to expose' });
    }
  });

export type ScalerProperties = z.infer<typeof scalerProperties>;
export type CpuscalerProperties = z.infer<typeof cpuscalerProperties>;
export type HpaProperties = z.infer<typeof hpaProperties>;
export type GatewayProperties = z.infer<typeof gatewayProperties>;
export type ExposeProperties = z.infer<typeof exposeProperties>;
