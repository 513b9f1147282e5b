import { z } from 'zod';
import { dnsLabel, stringMap, strings, whole } from './common-schemas.ts';

/**
 * The properties of KubeVela's policies and workflow steps that polis understands, after
 * `vela-templates/definitions/internal/policy/*.cue` and `workflowstep/{deploy,suspend}.cue`, and the Go types the
 * KubeVela controller reads them into.
 */

export const topologyProperties = z
  .object({
    clusters: strings.optional(),
    clusterLabelSelector: stringMap.optional(),
    allowEmpty: z.boolean().optional(),
    /** Deprecated in KubeVela in favour of clusterLabelSelector. */
    clusterSelector: stringMap.optional(),
    namespace: dnsLabel.optional(),
  })
  .strict();

const overrideTrait = z
  .object({
    type: z.string(),
    properties: z.record(z.string(), z.unknown()).optional(),
    disable: z.boolean().default(false),
  })
  .strict();

const overrideComponent = z
  .object({
    name: z.string().optional(),
    type: z.string().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    traits: z.array(overrideTrait).optional(),
  })
  .strict();

export const overrideProperties = z
  .object({ components: z.array(overrideComponent).default([]), selector: strings.optional() })
  .strict();

/** Matches resources by their OAM labels, kind and name; a rule matches when any one list matches. */
const ruleSelector = z
  .object({
    componentNames: strings.optional(),
    componentTypes: strings.optional(),
    // Matched against the app.oam.dev/resourceType label: WORKLOAD or TRAIT.
    oamTypes: strings.optional(),
    traitTypes: strings.optional(),
    resourceTypes: strings.optional(),
    resourceNames: strings.optional(),
  })
  .strict();

export const garbageCollectProperties = z
  .object({
    keepLegacyResource: z.boolean().default(false),
    order: z.enum(['dependency']).optional(),
    // KubeVela 1.10. polis keeps its own revision history (polis.io/revision-history-limit) and prunes only after a
    // step succeeded; both are accepted and documented in docs/oam.md.
    applicationRevisionLimit: whole(0).optional(),
    continueOnFailure: z.boolean().default(false),
    rules: z
      .array(
        z
          .object({
            selector: ruleSelector,
            strategy: z.enum(['onAppUpdate', 'onAppDelete', 'never']).default('onAppUpdate'),
            propagation: z.enum(['orphan', 'cascading']).optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export const applyOnceProperties = z
  .object({
    enable: z.boolean().default(false),
    rules: z
      .array(
        z
          .object({
            selector: ruleSelector.optional(),
            strategy: z
              .object({
                path: z
                  .array(z.string().min(1))
                  .min(1, { error: 'list at least one path, or "*" for the whole object' }),
                affect: z.enum(['onUpdate', 'onStateKeep', 'always']).optional(),
              })
              .strict(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

/** read-only.cue: `rules: [{selector}]`; the selected objects are never updated by the application. */
export const readOnlyProperties = z
  .object({ rules: z.array(z.object({ selector: ruleSelector }).strict()).optional() })
  .strict();

/** take-over.cue: `rules: [{selector: [...]}]` (a list of selectors, unlike the other policies). */
export const takeOverProperties = z
  .object({ rules: z.array(z.object({ selector: z.array(ruleSelector) }).strict()).optional() })
  .strict();

/** shared-resource.cue: `rules: [{selector}]`. */
export const sharedResourceProperties = readOnlyProperties;

/** resource-update.cue: `rules: [{selector, strategy: {op: *"patch" | "replace", recreateFields?}}]`. */
export const resourceUpdateProperties = z
  .object({
    rules: z
      .array(
        z
          .object({
            selector: ruleSelector,
            strategy: z
              .object({
                op: z.enum(['patch', 'replace']).default('patch'),
                recreateFields: z
                  .array(z.string())
                  .max(0, {
                    error:
                      "polis does not recreate objects when fields change; leave recreateFields out (or empty) and change the object's name to replace it",
                  })
                  .optional(),
              })
              .strict()
              .default({ op: 'patch' }),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

/** replication.cue: `keys: [...string]`, `selector?: [...string]` (component names). */
export const replicationProperties = z
  .object({
    keys: z.array(dnsLabel).min(1, { error: 'list at least one key: each makes a copy <component>-<key>' }),
    selector: strings.optional(),
  })
  .strict();

export const deployStepProperties = z
  .object({
    auto: z.boolean().default(true),
    policies: strings.default([]),
    parallelism: whole(1).default(5),
    ignoreTerraformComponent: z.boolean().default(true),
  })
  .strict();

/** Go's time.ParseDuration syntax, which KubeVela's suspend step reads: 30s, 1m30s, 1.5h, 500ms. */
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

export const suspendStepProperties = z
  .object({
    duration: z
      .string()
      .regex(GO_DURATION, { error: 'expected a duration such as 30s, 10m, 1h30m or 1.5h (units ns, us, ms, s, m, h)' })
      .optional(),
    message: z.string().optional(),
  })
  .strict();

/**
 * depends-on-app.cue: `name`, `namespace`. polis looks the application up in the step's own department only;
 * `namespace` is accepted for compatibility and never widens the lookup.
 */
export const dependsOnAppStepProperties = z.object({ name: dnsLabel, namespace: z.string().optional() }).strict();

export type OverrideProperties = z.infer<typeof overrideProperties>;
export type GarbageCollectProperties = z.infer<typeof garbageCollectProperties>;
export type ApplyOnceProperties = z.infer<typeof applyOnceProperties>;
export type ReadOnlyProperties = z.infer<typeof readOnlyProperties>;
export type RuleSelector = z.infer<typeof ruleSelector>;

export const POLICY_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  topology: topologyProperties,
  override: overrideProperties,
  'garbage-collect': garbageCollectProperties,
  'apply-once': applyOnceProperties,
  'read-only': readOnlyProperties,
  'take-over': takeOverProperties,
  'shared-resource': sharedResourceProperties,
  'resource-update': resourceUpdateProperties,
  replication: replicationProperties,
};

export const STEP_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  deploy: deployStepProperties,
  suspend: suspendStepProperties,
  'depends-on-app': dependsOnAppStepProperties,
};
