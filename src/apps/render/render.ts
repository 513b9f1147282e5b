import type { ErrorCause } from '../../kernel/errors.ts';
import type { Manifest } from '../../kernel/manifest.ts';
import type { ApplicationSpec } from '../application-kind.ts';
import { renderCore } from './render-core.ts';
import type { GcStrategy } from './resource-policies.ts';
import { specCauses } from './spec-causes.ts';
import { expandWorkflow } from '../workflow/expand.ts';

export type { GcStrategy } from './resource-policies.ts';

/** Where and as what an application is rendered, for one cluster. */
export interface RenderContext {
  readonly appName: string;
  readonly tenant: string;
  /** All namespaced objects go here (k8s-objects too); cluster-scoped kinds get none. */
  readonly namespace: string;
  /** KubeVela app revision name, e.g. "enrolment-v3" → label app.oam.dev/appRevision. */
  readonly revision: string;
  /** The cluster rendered for → label app.oam.dev/cluster. */
  readonly cluster?: string;
  /** Only these components are rendered (placement put none of the others on this cluster). Default all. */
  readonly components?: readonly string[];
  /** Replicas on this cluster per component, from placement; replaces the scaler trait's count for Deployments/StatefulSets. */
  readonly replicas?: Readonly<Record<string, number>>;
  /** Properties of override policies that apply here, in order (KubeVela override semantics: merge component properties, traits by type, `disable: true` removes a trait). */
  readonly overrides?: readonly Record<string, unknown>[];
  /** Properties of apply-once and garbage-collect policies. */
  readonly applyOnce?: readonly Record<string, unknown>[];
  readonly garbageCollect?: readonly Record<string, unknown>[];
  /** What the workflow's read-object steps read, by step name (delivery reads them; see ExpandOptions). */
  readonly readObjects?: Readonly<Record<string, unknown>>;
}

export type RenderResult =
  | {
      readonly ok: true;
      /** canonicalManifest() each, ordered with sortManifests(). */
      readonly manifests: readonly Manifest[];
      /** Per manifestKey: dotted paths applied only at creation and never reverted (replicas of a workload under an hpa/cpuscaler trait; apply-once rule paths; ['*'] means the whole object). */
      readonly createOnlyPaths: Readonly<Record<string, readonly string[]>>;
      /** Per manifestKey, only where not the default onAppUpdate (garbage-collect rules). */
      readonly gc: Readonly<Record<string, GcStrategy>>;
    }
  | { readonly ok: false; readonly errors: readonly ErrorCause[] };

/**
 * The Kubernetes objects an application becomes on one cluster, as KubeVela's built-in definitions would render
 * them, with KubeVela's and polis's labels. Pure: same input, same bytes. Any problem with the application or the
 * context fails the whole render, with every problem and its path.
 */
export function renderApplication(written: ApplicationSpec, ctx: RenderContext): RenderResult {
  // The workflow's own components (a step's objects, replication copies) are rendered like the others.
  const spec = expandWorkflow(written, {
    appName: ctx.appName,
    ...(ctx.readObjects ? { readObjects: ctx.readObjects } : {}),
  }).spec;
  const spotted = specCauses(spec);
  const r = renderCore(spec, ctx);
  if (spotted.length > 0 || r.causes.length > 0) {
    // Every problem at once: an unknown type does not hide the other components' (renderCore skips unknown types).
    const seen = new Set(spotted.map((c) => `${c.path}\n${c.message}`));
    return { ok: false, errors: [...spotted, ...r.causes.filter((c) => !seen.has(`${c.path}\n${c.message}`))] };
  }
  return { ok: true, manifests: r.manifests, createOnlyPaths: r.createOnlyPaths, gc: r.gc };
}
