import type { ErrorCause } from '../../kernel/errors.ts';
import { BUILTIN_COMPONENTS, BUILTIN_TRAITS } from './builtin-registry.ts';
import type {
  CronTaskProperties,
  K8sObjectsProperties,
  TaskProperties,
  WebserviceProperties,
  WorkerProperties,
} from './component-schemas.ts';
import type {
  CpuscalerProperties,
  ExposeProperties,
  GatewayProperties,
  HpaProperties,
  ScalerProperties,
} from './network-trait-schemas.ts';
import { cpuscalerOutputs, exposeOutputs, gatewayOutputs, hpaOutputs } from './network-traits.ts';
import type { Obj } from './objects.ts';
import type { IndexedComponent } from './overrides.ts';
import type {
  CommandParams,
  EnvParams,
  ImageParams,
  InitContainerProperties,
  ResourceProperties,
  SidecarProperties,
  StartupParams,
} from './pod-trait-schemas.ts';
import {
  applyCommand,
  applyContainerImage,
  applyEnv,
  applyInitContainer,
  applyMetadata,
  applyResource,
  applyScaler,
  applySidecar,
  applyStartupProbe,
  type TraitContext,
} from './pod-traits.ts';
import { componentRevision } from './labels.ts';
import { renderRefObjects, type RefObjectsProperties, type RefResolved } from './ref-objects.ts';
import { parseComponent, parseTrait } from './schemas.ts';
import { applyStorage } from './storage-trait.ts';
import type { StorageProperties } from './storage-schema.ts';
import { COMPONENT_WORKLOAD_TYPE, KIND_WORKLOAD_TYPE, TRAIT_APPLIES_TO } from './supported.ts';
import {
  renderCronTask,
  renderK8sObjects,
  renderTask,
  renderWebservice,
  renderWorker,
  type Output,
  type RenderedComponent,
} from './workloads.ts';

/** One component rendered with its traits: the workload, what was added beside it, and what was wrong. */
export interface ComponentResult {
  readonly workload?: Obj;
  /** Each with the path of the component or trait that made it. */
  readonly outputs: ReadonlyArray<Output & { readonly path: string }>;
  readonly causes: readonly ErrorCause[];
  /** An hpa or cpuscaler trait scales the workload; its replicas are set at creation only. */
  readonly autoscaled: boolean;
}

export interface ComponentRenderContext {
  readonly appName: string;
  readonly revision: string;
  /** Replicas placement chose for this component on this cluster, replacing the scaler's. */
  readonly replicas?: number;
}

function renderBase(c: IndexedComponent, p: unknown, ctx: ComponentRenderContext): RenderedComponent {
  const cctx = {
    appName: ctx.appName,
    name: c.name,
    revision: componentRevision(c.name, ctx.revision, c.externalRevision),
  };
  const builtin = BUILTIN_COMPONENTS[c.type];
  if (builtin) return builtin.render(cctx, p);
  if (c.type === 'ref-objects') return renderRefObjects(cctx, p as RefObjectsProperties, (c as RefResolved).refObjects);
  switch (c.type) {
    case 'webservice':
      return renderWebservice(cctx, p as WebserviceProperties);
    case 'worker':
      return renderWorker(cctx, p as WorkerProperties);
    case 'task':
      return renderTask(cctx, p as TaskProperties);
    case 'cron-task':
      return renderCronTask(cctx, p as CronTaskProperties);
    default:
      return renderK8sObjects(cctx, p as K8sObjectsProperties);
  }
}

/** KubeVela's workload type of the component: from its definition, or from the first object of k8s-objects. */
export function workloadType(type: string, workload: Obj): string {
  return COMPONENT_WORKLOAD_TYPE[type] ?? KIND_WORKLOAD_TYPE[String(workload.kind)] ?? String(workload.kind);
}

function appliesProblem(traitType: string, componentType: string, resource: string): string | undefined {
  const allowed = TRAIT_APPLIES_TO[traitType] ?? [];
  if (allowed.includes('*') || allowed.includes(resource)) return undefined;
  return `the ${traitType} trait does not apply to a ${componentType} component (workload ${resource}); it applies to ${allowed.join(', ')}`;
}

function applyTrait(
  type: string,
  workload: Obj,
  p: unknown,
  tctx: TraitContext,
): { outputs: Output[]; causes: ErrorCause[] } {
  const none = { outputs: [], causes: [] };
  switch (type) {
    case 'scaler':
      applyScaler(workload, p as ScalerProperties);
      return none;
    case 'labels':
    case 'annotations':
      applyMetadata(workload, type, p as Record<string, string | null>);
      return none;
    case 'env':
      return { outputs: [], causes: applyEnv(workload, p as EnvParams | Record<string, EnvParams[]>, tctx) };
    case 'command':
      return {
        outputs: [],
        causes: applyCommand(workload, p as CommandParams | Record<string, CommandParams[]>, tctx),
      };
    case 'container-image':
      return {
        outputs: [],
        causes: applyContainerImage(workload, p as ImageParams | Record<string, ImageParams[]>, tctx),
      };
    case 'startup-probe':
      return {
        outputs: [],
        causes: applyStartupProbe(workload, p as StartupParams | Record<string, StartupParams[]>, tctx),
      };
    case 'sidecar':
      applySidecar(workload, p as SidecarProperties);
      return none;
    case 'init-container':
      return { outputs: [], causes: applyInitContainer(workload, p as InitContainerProperties, tctx) };
    case 'resource':
      applyResource(workload, p as ResourceProperties);
      return none;
    case 'storage':
      return { outputs: applyStorage(workload, p as StorageProperties), causes: [] };
    case 'cpuscaler':
      return { outputs: cpuscalerOutputs(tctx.component, p as CpuscalerProperties), causes: [] };
    case 'hpa':
      return { outputs: hpaOutputs(tctx.component, p as HpaProperties), causes: [] };
    case 'gateway':
      return { outputs: gatewayOutputs(tctx.component, p as GatewayProperties), causes: [] };
    case 'expose':
      return { outputs: exposeOutputs(tctx.component, p as ExposeProperties), causes: [] };
    default: {
      const builtin = BUILTIN_TRAITS[type];
      if (!builtin) return none;
      const result = builtin.apply(workload, p, tctx);
      return { outputs: [...result.outputs], causes: [...result.causes] };
    }
  }
}

/**
 * Renders one component of a known type: its properties checked and defaulted, the workload built, each trait
 * checked against the workload it patches and applied in order. Traits of unknown types are skipped here (the
 * spec checks report them).
 */
export function renderComponent(c: IndexedComponent, ctx: ComponentRenderContext): ComponentResult {
  const at = `spec.components[${c.index}]`;
  const parsed = parseComponent(c.type, c.properties, `${at}.properties`);
  const causes: ErrorCause[] = parsed.ok ? [] : [...parsed.causes];
  const traits = (c.traits ?? []).map((t, j) => ({
    t,
    j,
    parsed: TRAIT_APPLIES_TO[t.type] ? parseTrait(t.type, t.properties, `${at}.traits[${j}].properties`) : undefined,
  }));
  for (const { parsed: p } of traits) if (p && !p.ok) causes.push(...p.causes);
  if (!parsed.ok) return { outputs: [], causes, autoscaled: false };

  const base = renderBase(c, parsed.value, ctx);
  const workload = base.workload;
  const outputs: Array<Output & { path: string }> = base.outputs.map((o) => ({ ...o, path: at }));
  const resource = workloadType(c.type, workload);
  let autoscaled = false;
  for (const { t, j, parsed: p } of traits) {
    if (!p) continue;
    const problem = appliesProblem(t.type, c.type, resource);
    if (problem) {
      causes.push({ path: `${at}.traits[${j}].type`, message: problem });
      continue;
    }
    if (!p.ok) continue;
    const result = applyTrait(t.type, workload, p.value, { component: c.name, path: `${at}.traits[${j}]` });
    outputs.push(...result.outputs.map((o) => ({ ...o, path: `${at}.traits[${j}]` })));
    causes.push(...result.causes);
    if (t.type === 'hpa' || t.type === 'cpuscaler') autoscaled = true;
  }
  if (ctx.replicas !== undefined && (workload.kind === 'Deployment' || workload.kind === 'StatefulSet')) {
    const spec = (workload.spec ??= {}) as Obj;
    if (autoscaled) shareAutoscalerBounds(outputs, spec.replicas, ctx.replicas);
    spec.replicas = ctx.replicas;
  }
  return { workload, outputs, causes, autoscaled };
}

/**
 * A native autoscaler's bounds on one cluster: the trait's min and max are the application's, across clusters,
 * and placement divides the min (see componentDemands). Rendered as they are, every cluster's HPA would hold the
 * whole min (a min of 4 over two clusters made 8 replicas where 4 were placed). Each cluster gets the replicas
 * placement gave it as its min, and its proportional share of the max (at least its min), so that the clusters
 * together keep the application's bounds.
 */
function shareAutoscalerBounds(outputs: ReadonlyArray<Output>, specReplicas: unknown, placed: number): void {
  for (const o of outputs) {
    if (o.obj.kind !== 'HorizontalPodAutoscaler') continue;
    const spec = o.obj.spec as Obj;
    const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
    const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : min;
    const asked = typeof specReplicas === 'number' ? specReplicas : min;
    // What placement divided across clusters: the replicas asked for within the bounds (componentDemands).
    const total = Math.max(1, Math.min(max, Math.max(min, asked)));
    const share = Math.max(1, placed);
    spec.minReplicas = share;
    spec.maxReplicas = Math.max(share, Math.floor((max * share) / total));
  }
}
