import { z } from 'zod';
import type { KindDefinition, PrintColumn, ResourceVerb } from './registry.ts';
import { ALL_VERBS } from './registry.ts';

/** The strict top-level schema of a kind: apiVersion and kind literals, spec, optional status, extra fields. */
export function objectSchema(opts: {
  apiVersion: string;
  kind: string;
  spec?: z.ZodType;
  status?: z.ZodType;
  extra?: Record<string, z.ZodType>;
}): z.ZodType {
  const shape: Record<string, z.ZodType> = {
    apiVersion: z.literal(opts.apiVersion),
    kind: z.literal(opts.kind),
    ...(opts.spec ? { spec: opts.spec } : {}),
    status: (opts.status ?? z.record(z.string(), z.unknown())).optional(),
    ...(opts.extra ?? {}),
  };
  return z.object(shape).strict();
}

/** Declares a kind with the defaults most kinds want; `schema` is built from spec/status/extra. */
export function defineKind(opts: {
  group: string;
  version: string;
  kind: string;
  plural: string;
  shortNames?: readonly string[];
  scope: KindDefinition['scope'];
  category: KindDefinition['category'];
  description: string;
  spec?: z.ZodType;
  status?: z.ZodType;
  extra?: Record<string, z.ZodType>;
  validate?: KindDefinition['validate'];
  metadataNamespace?: boolean;
  defaults?: KindDefinition['defaults'];
  codec?: KindDefinition['codec'];
  sensitiveFields?: readonly string[];
  serverOnlyFields?: readonly string[];
  verbs?: readonly ResourceVerb[];
  hasStatus?: boolean;
  printColumns?: readonly PrintColumn[];
  orphanFinalizers?: readonly string[];
}): KindDefinition {
  const apiVersion = `${opts.group}/${opts.version}`;
  return {
    group: opts.group,
    version: opts.version,
    kind: opts.kind,
    plural: opts.plural,
    singular: opts.kind.toLowerCase(),
    shortNames: opts.shortNames ?? [],
    scope: opts.scope,
    category: opts.category,
    description: opts.description,
    schema: objectSchema({ apiVersion, kind: opts.kind, spec: opts.spec, status: opts.status, extra: opts.extra }),
    validate: opts.validate,
    ...(opts.metadataNamespace ? { metadataNamespace: true } : {}),
    defaults: opts.defaults,
    codec: opts.codec,
    sensitiveFields: [...new Set([...(opts.sensitiveFields ?? []), ...(opts.serverOnlyFields ?? [])])],
    serverOnlyFields: opts.serverOnlyFields ?? [],
    verbs: opts.verbs ?? ALL_VERBS,
    hasStatus: opts.hasStatus ?? opts.status !== undefined,
    printColumns: opts.printColumns ?? [],
    ...(opts.orphanFinalizers ? { orphanFinalizers: opts.orphanFinalizers } : {}),
  };
}
