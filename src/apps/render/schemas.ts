import type { z } from 'zod';
import type { ErrorCause } from '../../kernel/errors.ts';
import { zodCauses } from '../../resources/validation.ts';
import { BUILTIN_COMPONENTS, BUILTIN_TRAITS } from './builtin-registry.ts';
import { COMPONENT_SCHEMAS } from './component-schemas.ts';
import {
  cpuscalerProperties,
  exposeProperties,
  gatewayProperties,
  hpaProperties,
  scalerProperties,
} from './network-trait-schemas.ts';
import {
  commandProperties,
  containerImageProperties,
  envProperties,
  initContainerProperties,
  metadataProperties,
  resourceProperties,
  sidecarProperties,
  startupProbeProperties,
  type SchemaChoice,
} from './pod-trait-schemas.ts';
import { storageProperties } from './storage-schema.ts';

const always =
  (schema: z.ZodType): SchemaChoice =>
  () =>
    schema;

const TRAIT_SCHEMAS: Readonly<Record<string, SchemaChoice>> = {
  annotations: always(metadataProperties),
  command: commandProperties,
  'container-image': containerImageProperties,
  cpuscaler: always(cpuscalerProperties),
  env: envProperties,
  expose: always(exposeProperties),
  gateway: always(gatewayProperties),
  hpa: always(hpaProperties),
  'init-container': always(initContainerProperties),
  labels: always(metadataProperties),
  resource: always(resourceProperties),
  scaler: always(scalerProperties),
  sidecar: always(sidecarProperties),
  'startup-probe': startupProbeProperties,
  storage: always(storageProperties),
  ...Object.fromEntries(Object.entries(BUILTIN_TRAITS).map(([name, t]) => [name, t.schema])),
};

export type Parsed<T = unknown> = { ok: true; value: T } | { ok: false; causes: ErrorCause[] };

/** Properties checked against `schema`, defaults filled; causes carry `path` (ending at `properties`). */
export function parseWith<T>(schema: z.ZodType, properties: unknown, path: string): Parsed<T> {
  const result = schema.safeParse(properties ?? {});
  if (result.success) return { ok: true, value: result.data as T };
  return { ok: false, causes: zodCauses(result.error, [path]) };
}

export function parseComponent<T>(type: string, properties: unknown, path: string): Parsed<T> {
  const schema = COMPONENT_SCHEMAS[type] ?? BUILTIN_COMPONENTS[type]?.schema;
  if (!schema) throw new Error(`no schema for component type ${type}`);
  return parseWith<T>(schema, properties, path);
}

export function parseTrait<T>(type: string, properties: unknown, path: string): Parsed<T> {
  const choose = TRAIT_SCHEMAS[type];
  if (!choose) throw new Error(`no schema for trait type ${type}`);
  return parseWith<T>(choose(properties ?? {}), properties, path);
}
