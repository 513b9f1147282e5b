import { z } from 'zod';
import { anyInt, bytesQuantity, dnsLabel, stringMap, strings } from './common-schemas.ts';

/** The properties of the storage trait, after KubeVela's `vela-templates/definitions/internal/trait/storage.cue`. */

const keyToPath = z.object({ key: z.string(), path: z.string(), mode: anyInt.default(511) }).strict();
const typedRef = z.object({ name: z.string(), kind: z.string(), apiGroup: z.string() }).strict();

const pvc = z
  .object({
    name: dnsLabel,
    mountOnly: z.boolean().default(false),
    mountPath: z.string(),
    subPath: z.string().optional(),
    volumeMode: z.enum(['Filesystem', 'Block']).default('Filesystem'),
    volumeName: z.string().optional(),
    accessModes: strings.default(['ReadWriteOnce']),
    storageClassName: z.string().optional(),
    resources: z
      .object({
        requests: z.object({ storage: bytesQuantity }).strict(),
        limits: z.object({ storage: bytesQuantity }).strict().optional(),
      })
      .strict()
      .optional(),
    dataSourceRef: typedRef.optional(),
    dataSource: typedRef.optional(),
    selector: z
      .object({
        matchLabels: stringMap.optional(),
        matchExpressions: z
          .array(z.object({ key: z.string(), operator: z.string(), values: strings.optional() }).strict())
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const toEnv = <K extends string>(key: K) =>
  z.object({ envName: z.string(), [key]: z.string() } as { envName: z.ZodString } & Record<K, z.ZodString>).strict();

const configMap = z
  .object({
    name: dnsLabel,
    mountOnly: z.boolean().default(false),
    mountToEnv: toEnv('configMapKey').optional(),
    mountToEnvs: z.array(toEnv('configMapKey')).optional(),
    mountPath: z.string().optional(),
    subPath: z.string().optional(),
    defaultMode: anyInt.default(420),
    readOnly: z.boolean().default(false),
    data: z.record(z.string(), z.unknown()).optional(),
    items: z.array(keyToPath).optional(),
  })
  .strict();

const secret = z
  .object({
    name: dnsLabel,
    mountOnly: z.boolean().default(false),
    mountToEnv: toEnv('secretKey').optional(),
    mountToEnvs: z.array(toEnv('secretKey')).optional(),
    // KubeVela declares it required yet mounts only when it is given; polis follows the template.
    mountPath: z.string().optional(),
    subPath: z.string().optional(),
    defaultMode: anyInt.default(420),
    readOnly: z.boolean().default(false),
    stringData: z.record(z.string(), z.unknown()).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    items: z.array(keyToPath).optional(),
  })
  .strict();

export const storageProperties = z
  .object({
    pvc: z.array(pvc).optional(),
    configMap: z.array(configMap).optional(),
    secret: z.array(secret).optional(),
    emptyDir: z
      .array(
        z
          .object({
            name: dnsLabel,
            mountPath: z.string(),
            subPath: z.string().optional(),
            medium: z.enum(['', 'Memory']).default(''),
          })
          .strict(),
      )
      .optional(),
    hostPath: z
      .array(
        z
          .object({
            name: dnsLabel,
            path: z.string(),
            mountPath: z.string(),
            type: z
              .enum(['Directory', 'DirectoryOrCreate', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'])
              .default('Directory'),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type StorageProperties = z.infer<typeof storageProperties>;
