import { z } from 'zod';
import { dns1123LabelProblem } from '../../kernel/names.ts';
import { quantityProblem } from '../../kernel/quantity.ts';
import { cronProblem } from './cron-syntax.ts';

/**
 * Building blocks of the parameter schemas, each mirroring a piece of KubeVela's CUE (`*x | T` becomes
 * `.default(x)`, `field?:` becomes `.optional()`). Objects are strict: an unknown property is an error with its
 * path, where KubeVela would silently ignore it.
 */

/** A whole number at least `min`, with a message that says so. */
export function whole(min: number): z.ZodNumber {
  const message = `must be a whole number ≥ ${min}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message });
}

export const anyInt = z.number({ error: 'must be a whole number' }).int({ error: 'must be a whole number' });

export const port = z
  .number({ error: 'must be a port number from 1 to 65535' })
  .int({ error: 'must be a port number from 1 to 65535' })
  .min(1, { error: 'must be a port number from 1 to 65535' })
  .max(65535, { error: 'must be a port number from 1 to 65535' });

/** Kubernetes accepts a port number or the name of a container port (IntOrString). */
export const portOrName = z.union([port, z.string().min(1)], {
  error: 'must be a port number from 1 to 65535 or the name of a container port',
});

function quantity(kind: 'cpu' | 'bytes') {
  return z.union([z.string(), z.number()]).superRefine((v, ctx) => {
    const problem = quantityProblem(kind, v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

export const cpuQuantity = quantity('cpu');
export const bytesQuantity = quantity('bytes');

export const stringMap = z.record(z.string(), z.string());
export const strings = z.array(z.string());

export const dnsLabel = z.string().superRefine((v, ctx) => {
  const problem = dns1123LabelProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `"${v}" ${problem}` });
});

export const cronSchedule = z.string().superRefine((v, ctx) => {
  const problem = cronProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const pullPolicy = z.enum(['Always', 'Never', 'IfNotPresent']);

export const protocol = z.enum(['TCP', 'UDP', 'SCTP']).default('TCP');

const keyRef = z.object({ name: z.string(), key: z.string() }).strict();

/** An environment variable as KubeVela's components declare it, with every Kubernetes value source. */
export const envVar = z
  .object({
    name: z.string(),
    value: z.string().optional(),
    valueFrom: z
      .object({
        secretKeyRef: keyRef.optional(),
        configMapKeyRef: keyRef.optional(),
        fieldRef: z.object({ fieldPath: z.string(), apiVersion: z.string().optional() }).strict().optional(),
        resourceFieldRef: z
          .object({ resource: z.string(), containerName: z.string().optional(), divisor: z.string().optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const httpHeader = z.object({ name: z.string(), value: z.string() }).strict();

/** KubeVela's `#HealthProbe`, defaults filled as its CUE fills them. */
export const healthProbe = z
  .object({
    exec: z.object({ command: strings }).strict().optional(),
    httpGet: z
      .object({
        path: z.string(),
        port: portOrName,
        host: z.string().optional(),
        scheme: z.string().optional(),
        httpHeaders: z.array(httpHeader).optional(),
      })
      .strict()
      .optional(),
    tcpSocket: z.object({ port: portOrName }).strict().optional(),
    initialDelaySeconds: whole(0).default(0),
    periodSeconds: whole(1).default(10),
    timeoutSeconds: whole(1).default(1),
    successThreshold: whole(1).default(1),
    failureThreshold: whole(1).default(3),
  })
  .strict()
  .superRefine(oneHandler(['exec', 'httpGet', 'tcpSocket']));

/** Kubernetes refuses a probe with no handler or with several; say so before the cluster does. */
export function oneHandler(handlers: readonly string[]) {
  return (probe: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    const given = handlers.filter((h) => probe[h] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `a probe needs exactly one of ${handlers.join(', ')}${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
      });
    }
  };
}

export const hostAlias = z.object({ ip: z.string(), hostnames: strings }).strict();

const keyToPath = z.object({ key: z.string(), path: z.string(), mode: anyInt.default(511) }).strict();

const mountBase = { name: dnsLabel, mountPath: z.string(), subPath: z.string().optional() };

/** The `volumeMounts` parameter of webservice and worker. */
export const volumeMounts = z
  .object({
    pvc: z.array(z.object({ ...mountBase, claimName: z.string() }).strict()).optional(),
    configMap: z
      .array(
        z
          .object({
            ...mountBase,
            defaultMode: anyInt.default(420),
            cmName: z.string(),
            items: z.array(keyToPath).optional(),
          })
          .strict(),
      )
      .optional(),
    secret: z
      .array(
        z
          .object({
            ...mountBase,
            defaultMode: anyInt.default(420),
            secretName: z.string(),
            items: z.array(keyToPath).optional(),
          })
          .strict(),
      )
      .optional(),
    emptyDir: z.array(z.object({ ...mountBase, medium: z.enum(['', 'Memory']).default('') }).strict()).optional(),
    hostPath: z.array(z.object({ ...mountBase, path: z.string() }).strict()).optional(),
  })
  .strict();

const legacyBase = { name: dnsLabel, mountPath: z.string() };

/** The deprecated `volumes` parameter: one list, the volume's kind in `type` (default emptyDir). */
export const legacyVolume = z.preprocess(
  (v) => (v !== null && typeof v === 'object' && !('type' in v) ? { ...v, type: 'emptyDir' } : v),
  z.discriminatedUnion('type', [
    z.object({ ...legacyBase, type: z.literal('pvc'), claimName: z.string() }).strict(),
    z
      .object({
        ...legacyBase,
        type: z.literal('configMap'),
        defaultMode: anyInt.default(420),
        cmName: z.string(),
        items: z.array(keyToPath).optional(),
      })
      .strict(),
    z
      .object({
        ...legacyBase,
        type: z.literal('secret'),
        defaultMode: anyInt.default(420),
        secretName: z.string(),
        items: z.array(keyToPath).optional(),
      })
      .strict(),
    z.object({ ...legacyBase, type: z.literal('emptyDir'), medium: z.enum(['', 'Memory']).default('') }).strict(),
  ]),
);

export type HealthProbe = z.infer<typeof healthProbe>;
export type EnvVar = z.infer<typeof envVar>;
export type VolumeMounts = z.infer<typeof volumeMounts>;
export type LegacyVolume = z.infer<typeof legacyVolume>;
