import { z } from 'zod';
import {
  bytesQuantity,
  cpuQuantity,
  envVar,
  healthProbe,
  oneHandler,
  port,
  portOrName,
  strings,
  whole,
} from './common-schemas.ts';

/**
 * The properties of the traits that patch a workload's pod template, after KubeVela's
 * `vela-templates/definitions/internal/trait/*.cue`. Several take either one container's settings or
 * `containers: [...]` (or `probes: [...]`) for many; `perContainer` builds that choice.
 */

/**
 * Either the single form (containerName defaults to the component's) or a list under `key`, whose items must name
 * their container. Which one is read from the properties themselves, so errors come from the form that was meant.
 */
export type SchemaChoice = (properties: unknown) => z.ZodType;

export function perContainer(single: z.ZodType, key: string): SchemaChoice {
  const many = z
    .object({ [key]: z.array(single) })
    .strict()
    .superRefine((v, ctx) => {
      (v[key] as Array<{ containerName: string }>).forEach((item, i) => {
        if (item.containerName === '') {
          ctx.addIssue({ code: 'custom', path: [key, i, 'containerName'], message: 'required in the list form' });
        }
      });
    });
  return (properties) => (properties !== null && typeof properties === 'object' && key in properties ? many : single);
}

const envParams = z
  .object({
    containerName: z.string().default(''),
    replace: z.boolean().default(false),
    env: z.record(z.string(), z.string()).default({}),
    unset: strings.default([]),
  })
  .strict();

export const envProperties = perContainer(envParams, 'containers');

/** labels and annotations: a map of strings; null removes a key (a JSON merge patch). */
export const metadataProperties = z.record(z.string(), z.string().nullable());

export const sidecarProperties = z
  .object({
    name: z.string(),
    image: z.string(),
    cmd: strings.optional(),
    args: strings.optional(),
    env: z.array(envVar).optional(),
    volumes: z.array(z.object({ name: z.string(), path: z.string() }).strict()).optional(),
    livenessProbe: healthProbe.optional(),
    readinessProbe: healthProbe.optional(),
  })
  .strict();

export const initContainerProperties = z
  .object({
    name: z.string(),
    image: z.string(),
    imagePullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']).default('IfNotPresent'),
    cmd: strings.optional(),
    args: strings.optional(),
    env: z.array(envVar).optional(),
    mountName: z.string().default('workdir'),
    appMountPath: z.string(),
    initMountPath: z.string(),
    extraVolumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() }).strict()).default([]),
  })
  .strict();

const requestsOrLimits = z.object({ cpu: cpuQuantity.default(1), memory: bytesQuantity.default('2048Mi') }).strict();

export const resourceProperties = z
  .object({
    cpu: cpuQuantity.optional(),
    memory: bytesQuantity.optional(),
    requests: requestsOrLimits.optional(),
    limits: requestsOrLimits.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    // KubeVela applies cpu and memory only together (and neither when requests or limits are given); rather than
    // drop what was written, polis says so.
    const shorthand = v.cpu !== undefined || v.memory !== undefined;
    if (shorthand && (v.requests !== undefined || v.limits !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [v.cpu !== undefined ? 'cpu' : 'memory'],
        message: 'use either cpu and memory (for both requests and limits) or requests/limits, not both',
      });
    } else if (shorthand && (v.cpu === undefined || v.memory === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [v.cpu === undefined ? 'cpu' : 'memory'],
        message: 'required with the other: cpu and memory set requests and limits together',
      });
    } else if (!shorthand && v.requests === undefined && v.limits === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'set cpu and memory, or requests and/or limits' });
    }
  });

const nullableStrings = strings.nullable().default(null);

const commandParams = z
  .object({
    containerName: z.string().default(''),
    command: nullableStrings,
    args: nullableStrings,
    addArgs: nullableStrings,
    delArgs: nullableStrings,
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.args !== null && (v.addArgs !== null || v.delArgs !== null)) {
      ctx.addIssue({ code: 'custom', path: ['args'], message: 'cannot set addArgs/delArgs and args at the same time' });
    }
  });

export const commandProperties = perContainer(commandParams, 'containers');

const imageParams = z
  .object({
    containerName: z.string().default(''),
    image: z.string(),
    imagePullPolicy: z.enum(['', 'IfNotPresent', 'Always', 'Never']).default(''),
  })
  .strict();

export const containerImageProperties = perContainer(imageParams, 'containers');

const startupParams = z
  .object({
    containerName: z.string().default(''),
    initialDelaySeconds: whole(0).default(0),
    periodSeconds: whole(1).default(10),
    timeoutSeconds: whole(1).default(1),
    successThreshold: whole(1).default(1),
    failureThreshold: whole(1).default(3),
    terminationGracePeriodSeconds: whole(1).optional(),
    exec: z.object({ command: strings }).strict().optional(),
    httpGet: z
      .object({
        path: z.string().optional(),
        port,
        host: z.string().optional(),
        scheme: z.enum(['HTTP', 'HTTPS']).optional(),
        httpHeaders: z.array(z.object({ name: z.string(), value: z.string() }).strict()).optional(),
      })
      .strict()
      .optional(),
    grpc: z.object({ port, service: z.string().optional() }).strict().optional(),
    tcpSocket: z.object({ port: portOrName, host: z.string().optional() }).strict().optional(),
  })
  .strict()
  .superRefine(oneHandler(['exec', 'httpGet', 'grpc', 'tcpSocket']));

export const startupProbeProperties = perContainer(startupParams, 'probes');

export type EnvParams = z.infer<typeof envParams>;
export type CommandParams = z.infer<typeof commandParams>;
export type ImageParams = z.infer<typeof imageParams>;
export type StartupParams = z.infer<typeof startupParams>;
export type SidecarProperties = z.infer<typeof sidecarProperties>;
export type InitContainerProperties = z.infer<typeof initContainerProperties>;
export type ResourceProperties = z.infer<typeof resourceProperties>;
