import type { ErrorCause } from '../../kernel/errors.ts';
import { canonicalManifest, manifestKey, sortManifests, type Manifest } from '../../kernel/manifest.ts';
import type { ApplicationSpec } from '../application-kind.ts';
import type { RenderContext } from './render.ts';
import { renderComponent, type ComponentResult } from './component-render.ts';
import { placeInNamespace, stampTraitOutput, stampWorkload } from './labels.ts';
import type { Obj } from './objects.ts';
import { applyOverrides, type IndexedComponent } from './overrides.ts';
import {
  applyOnceProperties,
  garbageCollectProperties,
  overrideProperties,
  readOnlyProperties,
  type ApplyOnceProperties,
  type ReadOnlyProperties,
  type GarbageCollectProperties,
  type OverrideProperties,
} from './policy-schemas.ts';
import { resourcePolicies, type GcStrategy } from './resource-policies.ts';
import { parseWith } from './schemas.ts';
import { SUPPORTED_COMPONENTS, unknownType } from './supported.ts';

/** Where and as what an application is rendered (RenderContext, documented in render.ts). */
export type CoreContext = RenderContext;

export interface CoreResult {
  readonly manifests: Manifest[];
  readonly createOnlyPaths: Record<string, string[]>;
  readonly gc: Record<string, GcStrategy>;
  readonly causes: ErrorCause[];
}

/** The path of policy properties handed in through the context: the policy of `type` in the spec holding them. */
function policyPath(spec: ApplicationSpec, type: string, props: unknown, field: string, i: number): string {
  const policies = spec.policies ?? [];
  const text = JSON.stringify(props);
  const j = policies.findIndex(
    (p) => p.type === type && (p.properties === props || JSON.stringify(p.properties ?? {}) === text),
  );
  return j >= 0 ? `spec.policies[${j}].properties` : `${field}[${i}]`;
}

function parseAll<T>(
  spec: ApplicationSpec,
  type: string,
  field: string,
  schema: Parameters<typeof parseWith>[0],
  list: readonly Record<string, unknown>[] | undefined,
  causes: ErrorCause[],
): { values: T[]; paths: string[] } {
  const values: T[] = [];
  const paths: string[] = [];
  (list ?? []).forEach((props, i) => {
    const path = policyPath(spec, type, props, field, i);
    const parsed = parseWith<T>(schema, props, path);
    if (parsed.ok) {
      values.push(parsed.value);
      paths.push(path);
    } else causes.push(...parsed.causes);
  });
  return { values, paths };
}

/** How renderCore is used beyond its result (validation's needs). */
export interface CoreOptions {
  /**
   * Only the causes are read: the manifests are left out of the result (empty), as are the resource policies read
   * from them, sparing their canonical form (keys sorted at every depth), and the objects get no labels. Every cause
   * is still found.
   */
  readonly causesOnly?: boolean;
  /** Called with each component's render as renderComponent returned it, before its objects are stamped. */
  readonly onComponent?: (c: IndexedComponent, r: ComponentResult) => void;
}

/**
 * Renders every component of a known type, reporting every problem rendering finds rather than stopping at the
 * first. The spec-level checks (types, policies, workflow) are not repeated here.
 */
export function renderCore(spec: ApplicationSpec, ctx: CoreContext, opts: CoreOptions = {}): CoreResult {
  const causes: ErrorCause[] = [];
  const overrides = parseAll<OverrideProperties>(
    spec,
    'override',
    'overrides',
    overrideProperties,
    ctx.overrides,
    causes,
  );
  const applyOnce = parseAll<ApplyOnceProperties>(
    spec,
    'apply-once',
    'applyOnce',
    applyOnceProperties,
    ctx.applyOnce,
    causes,
  );
  const gcPolicies = parseAll<GarbageCollectProperties>(
    spec,
    'garbage-collect',
    'garbageCollect',
    garbageCollectProperties,
    ctx.garbageCollect,
    causes,
  );

  const base: IndexedComponent[] = spec.components
    .map((c, index) => ({ ...c, index }))
    .filter((c) => SUPPORTED_COMPONENTS.includes(c.type));
  const merged = applyOverrides(base, overrides.values, (i) => overrides.paths[i]!);
  causes.push(...merged.causes);
  const only = ctx.components && new Set(ctx.components);

  const objects = new Map<string, { obj: Obj; source: string; component: string }>();
  const autoscaled = new Set<string>();
  const add = (obj: Obj, source: string, component: string) => {
    const key = manifestKey(obj as unknown as Manifest);
    const earlier = objects.get(key);
    if (earlier && earlier.component !== component) {
      causes.push({
        path: source,
        message: `renders ${String(obj.kind)} "${String((obj.metadata as Obj).name)}", which ${earlier.source} renders too; give one of them another name or remove one`,
      });
      return;
    }
    // Within one component the later object wins: a gateway's Service over the webservice's own, as the last of
    // KubeVela's applies would.
    objects.set(key, { obj, source, component });
  };
  for (const c of merged.components) {
    if (only && !only.has(c.name)) continue;
    if (!SUPPORTED_COMPONENTS.includes(c.type)) {
      causes.push({
        path: `spec.components[${c.index}].type`,
        message: `${unknownType('component', c.type, SUPPORTED_COMPONENTS)} (set by an override policy)`,
      });
      continue;
    }
    const r = renderComponent(c, { appName: ctx.appName, revision: ctx.revision, replicas: ctx.replicas?.[c.name] });
    opts.onComponent?.(c, r);
    const after = overrides.values.length > 0 ? ' (after the override policies)' : '';
    // Coded causes stay coded as written; after an override, the English says so and the code is left off.
    causes.push(
      ...(after ? r.causes.map((cause) => ({ path: cause.path, message: cause.message + after })) : r.causes),
    );
    if (!r.workload) continue;
    // Labels find no problem and no object's key (kind, namespace, name) depends on them: validation, which reads
    // only the causes, leaves them out.
    if (!opts.causesOnly) stampWorkload(r.workload, ctx, c.name, c.type, c.externalRevision);
    placeInNamespace(r.workload, ctx.namespace);
    add(r.workload, `spec.components[${c.index}]`, c.name);
    if (r.autoscaled) autoscaled.add(manifestKey(r.workload as unknown as Manifest));
    for (const o of r.outputs) {
      if (!opts.causesOnly) stampTraitOutput(o.obj, ctx, c.name, o.traitType, o.resource, c.externalRevision);
      placeInNamespace(o.obj, ctx.namespace);
      add(o.obj, o.path, c.name);
    }
  }

  // read-only applies to the whole application, on every cluster: read from the spec, not the context.
  const readOnly = parseAll<ReadOnlyProperties>(
    spec,
    'read-only',
    'readOnly',
    readOnlyProperties,
    (spec.policies ?? []).filter((p) => p.type === 'read-only').map((p) => p.properties ?? {}),
    causes,
  );
  if (opts.causesOnly) return { manifests: [], createOnlyPaths: {}, gc: {}, causes };
  const manifests = sortManifests(
    [...objects.values()].map(({ obj }) => canonicalManifest(obj as unknown as Manifest)),
  );
  const policies = resourcePolicies(manifests, autoscaled, applyOnce.values, gcPolicies.values, readOnly.values);
  return { manifests, ...policies, causes };
}
