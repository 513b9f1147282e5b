import type { z } from 'zod';
import type { ErrorCause } from '../../kernel/errors.ts';
import type { Obj } from './objects.ts';
import type { SchemaChoice } from './pod-trait-schemas.ts';
import type { TraitContext } from './pod-traits.ts';
import type { ComponentContext, Output, RenderedComponent } from './workloads.ts';

/**
 * The shape of a component or trait type defined in one file of its own (daemon, statefulset, affinity, …): its
 * schema, its KubeVela workload type or `appliesToWorkloads`, and how it renders. The registries in
 * `builtin-registry.ts` list them; supported.ts, schemas.ts and component-render.ts read them from there.
 */

export interface ComponentType {
  readonly schema: z.ZodType;
  /** KubeVela's `workload.type`, which traits' `appliesToWorkloads` are checked against. */
  readonly workloadType: string;
  render(ctx: ComponentContext, properties: unknown): RenderedComponent;
}

export interface TraitResult {
  readonly outputs: Output[];
  readonly causes: ErrorCause[];
}

export interface TraitType {
  readonly schema: SchemaChoice;
  /** KubeVela's `appliesToWorkloads`; `*` means every workload. */
  readonly appliesTo: readonly string[];
  apply(workload: Obj, properties: unknown, ctx: TraitContext): TraitResult;
}

export const NO_RESULT: TraitResult = Object.freeze({ outputs: [], causes: [] }) as TraitResult;

export const always =
  (schema: z.ZodType): SchemaChoice =>
  () =>
    schema;

/** KubeVela's usual list for traits that patch `spec.template.spec` (no CronJob: its pod template sits deeper). */
export const POD_WORKLOADS: readonly string[] = [
  'deployments.apps',
  'statefulsets.apps',
  'daemonsets.apps',
  'jobs.batch',
];
