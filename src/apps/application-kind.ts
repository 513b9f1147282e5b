import { z } from 'zod';
import type { ErrorCause } from '../kernel/errors.ts';
import { metadataNamespaceCauses, topologyNamespaceCauses } from './app-namespace.ts';
import { polisPolicyCauses } from './policy-validation.ts';
import { defineKind } from '../resources/kind-schema.ts';
import type { KindDefinition } from '../resources/registry.ts';
import { dns1123LabelMessage } from '../kernel/names.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { oamCauses } from './render/oam-causes.ts';
import { memoizeCauses } from './validation-memo.ts';
import type { ExpandOptions } from './workflow/expand.ts';
import { PRIORITIES, PRIORITY_LABEL } from '../placement/sharing.ts';

export const OAM_GROUP = 'core.oam.dev';
export const OAM_VERSION = 'v1beta1';

const properties = z.record(z.string(), z.unknown());

const trait = z.object({ type: z.string().min(1), properties: properties.optional() }).strict();

const component = z
  .object({
    name: z.string().min(1),
    type: z.string().min(1),
    properties: properties.optional(),
    // KubeVela accepts `traits: null` (as Kubernetes reads a null list: none).
    traits: z.array(trait).nullable().optional(),
    dependsOn: z.array(z.string()).optional(),
    // KubeVela: the name of the component's revision (label app.oam.dev/revision, context.revision).
    externalRevision: z
      .string()
      .max(63)
      .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, 'a label value: letters, digits, -, _ and . (at most 63)')
      .optional(),
  })
  .strict();

// `name` is optional in KubeVela's API: an anonymous policy applies where no step names it (docs/oam.md).
const policy = z
  .object({ name: z.string().min(1).optional(), type: z.string().min(1), properties: properties.optional() })
  .strict();

/** A workflow step's `timeout`, as KubeVela writes durations: `30s`, `10m`, `1h30m`. */
const duration = z.string().regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, 'a duration such as 30s, 10m or 1h30m');

const stepMode = z.enum(['StepByStep', 'DAG']);

const stepFields = z
  .object({
    name: z.string().min(1),
    type: z.string().min(1),
    meta: z.object({ alias: z.string().optional() }).strict().optional(),
    properties: properties.optional(),
    dependsOn: z.array(z.string()).optional(),
    if: z.string().min(1).optional(),
    timeout: duration.optional(),
    inputs: z.array(z.object({ from: z.string().min(1), parameterKey: z.string().optional() }).strict()).optional(),
    outputs: z.array(z.object({ name: z.string().min(1), valueFrom: z.string().min(1) }).strict()).optional(),
  })
  .strict();

// A step-group's steps (KubeVela `subSteps`): the same fields, one level deep.
const step = stepFields.extend({ subSteps: z.array(stepFields).optional() }).strict();

export interface ComponentSpec {
  readonly name: string;
  readonly type: string;
  readonly properties?: Record<string, unknown>;
  readonly externalRevision?: string;
  readonly traits?: ReadonlyArray<{ readonly type: string; readonly properties?: Record<string, unknown> }> | null;
}

export interface WorkflowStepSpec {
  readonly name: string;
  readonly type: string;
  readonly properties?: Record<string, unknown>;
  readonly dependsOn?: readonly string[];
}

export interface ApplicationSpec {
  readonly components: readonly ComponentSpec[];
  readonly policies?: ReadonlyArray<{
    readonly name?: string;
    readonly type: string;
    readonly properties?: Record<string, unknown>;
  }>;
  readonly workflow?: { readonly steps: readonly WorkflowStepSpec[] };
}

/**
 * An application in the Open Application Model (core.oam.dev/v1beta1, KubeVela dialect). This envelope checks the
 * structure and component names; oamCauses checks every type and its properties (docs/oam.md).
 */
export const applicationKind: KindDefinition = defineKind({
  group: OAM_GROUP,
  version: OAM_VERSION,
  kind: 'Application',
  plural: 'applications',
  shortNames: ['app', 'apps'],
  scope: 'tenant',
  category: 'workload',
  description: 'An application in the Open Application Model: components with traits, policies and a workflow.',
  spec: z
    .object({
      // An empty list is a workflow-only application, as KubeVela allows.
      components: z.array(component),
      policies: z.array(policy).optional(),
      workflow: z
        .object({
          // KubeVela runs steps in order (StepByStep, its default) or as a DAG of dependsOn; polis runs them in
          // order either way, which honours dependsOn (docs/oam.md).
          mode: z.object({ steps: stepMode.optional(), subSteps: stepMode.optional() }).strict().optional(),
          steps: z.array(step),
        })
        .strict()
        .optional(),
    })
    .strict(),
  status: z.record(z.string(), z.unknown()),
  // KubeVela Applications carry one; src/apps/app-namespace.ts says what it means in polis.
  metadataNamespace: true,
  // The delivery controller's (DELIVERY_FINALIZER): it removes the delivered objects from the clusters. A delete with
  // propagationPolicy=Orphan drops it, leaving them running unmanaged.
  orphanFinalizers: ['polis.io/delivery'],
  validate: (obj) => [
    ...metadataNamespaceCauses(obj.metadata.namespace, obj.metadata.tenant),
    ...specCauses({
      spec: obj.spec as ApplicationSpec,
      opts: { appName: obj.metadata.name, namespace: obj.metadata.namespace },
    }),
    ...priorityCauses(obj.metadata.labels),
    // A topology's namespace is delivered into one of the department's own; the system's and others' are refused.
    ...topologyNamespaceCauses((obj.spec as ApplicationSpec).policies, obj.metadata.tenant),
  ],
  printColumns: [
    { name: 'COMPONENTS', path: 'spec.components.length' },
    { name: 'PHASE', path: 'status.phase' },
    { name: 'HEALTHY', path: 'status.healthy' },
  ],
});

/**
 * `applicationCauses` remembered for the last specs seen (pure: the spec and its name and namespace decide it): as
 * many as an estate holds, so a PUT that changes only labels or annotations of any of its applications renders
 * nothing (about a hundred bytes an entry).
 */
const specCauses = memoizeCauses(20_000, (i: { spec: ApplicationSpec; opts: ExpandOptions }) =>
  applicationCauses(i.spec, i.opts),
);

function applicationCauses(spec: ApplicationSpec, opts: ExpandOptions): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const seen = new Map<string, number>();
  spec.components.forEach((c, i) => {
    const at = `spec.components[${i}]`;
    const problem = dns1123LabelMessage(c.name);
    if (problem) causes.push(codedCause(`${at}.name`, problem));
    const first = seen.get(c.name);
    if (first !== undefined)
      causes.push(
        codedCause(`${at}.name`, msg('ComponentNameTaken', { name: c.name, earlier: `spec.components[${first}]` })),
      );
    seen.set(c.name, i);
  });
  return [...causes, ...oamCauses(spec, opts), ...polisPolicyCauses(spec)];
}

/** The priority label (docs/sharing.md) takes one of three values. */
function priorityCauses(labels: Readonly<Record<string, string>> | undefined): ErrorCause[] {
  const p = labels?.[PRIORITY_LABEL];
  if (p === undefined || (PRIORITIES as readonly string[]).includes(p)) return [];
  return [
    codedCause(
      `metadata.labels["${PRIORITY_LABEL}"]`,
      msg('PriorityUnknown', { value: JSON.stringify(p), accepted: PRIORITIES.join(', ') }),
    ),
  ];
}
