import { createHash } from 'node:crypto';
import { parseBytes, parseCpu } from '../../kernel/quantity.ts';
import { DEFAULT_REQUEST_UNITS } from '../../kernel/resources.ts';
import type { ApplicationSpec } from '../application-kind.ts';
import { renderComponent, type ComponentRenderContext, type ComponentResult } from './component-render.ts';
import { isObj, podSpecOf, type Obj } from './objects.ts';
import { specWithOverrides } from './overrides.ts';
import { parseTrait } from './schemas.ts';
import { SUPPORTED_COMPONENTS } from './supported.ts';
import { expandWorkflow, type WorkflowAdded } from '../workflow/expand.ts';

/** What placement needs per component (see componentDemands). */
export interface ComponentDemandInfo {
  readonly name: string;
  readonly type: string;
  readonly workloadKind: string | undefined;
  readonly replicas: number;
  readonly perReplica: { cpuMilli: number; memoryBytes: number; pods: number };
  readonly nativeAutoscaling: boolean;
}

const NO_POD = { cpuMilli: 0, memoryBytes: 0, pods: 0 };

/**
 * A container's request, or its limit when it sets none (Kubernetes defaults the request to the limit). None, or
 * zero, counts as the namespace's LimitRange default: a replica is never free against a department's share.
 */
function amount(c: Obj, resource: 'cpu' | 'memory'): number {
  const r = isObj(c.resources) ? c.resources : {};
  const q =
    (isObj(r.requests) ? r.requests[resource] : undefined) ?? (isObj(r.limits) ? r.limits[resource] : undefined);
  const fallback = resource === 'cpu' ? DEFAULT_REQUEST_UNITS.cpuMilli : DEFAULT_REQUEST_UNITS.memoryBytes;
  if (typeof q !== 'string' && typeof q !== 'number') return fallback;
  try {
    const n = resource === 'cpu' ? parseCpu(q) : parseBytes(q);
    return n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}

/** A pod's limits: the containers' sum, or 0 for a resource some container leaves unlimited. */
function podLimits(pod: Obj): { cpuMilli: number; memoryBytes: number } {
  const containers = (Array.isArray(pod.containers) ? pod.containers : []).filter(isObj);
  const limit = (r: 'cpu' | 'memory') => {
    let sum = 0;
    for (const c of containers) {
      const l = isObj(c.resources) && isObj(c.resources.limits) ? c.resources.limits[r] : undefined;
      if (typeof l !== 'string' && typeof l !== 'number') return 0;
      try {
        sum += r === 'cpu' ? parseCpu(l) : parseBytes(l);
      } catch {
        return 0;
      }
    }
    return sum;
  };
  return { cpuMilli: limit('cpu'), memoryBytes: limit('memory') };
}

/** A pod's requests as the scheduler counts them: the larger of the containers' sum and the largest init container. */
function podRequests(pod: Obj): { cpuMilli: number; memoryBytes: number; pods: number } {
  const containers = (Array.isArray(pod.containers) ? pod.containers : []).filter(isObj);
  const inits = (Array.isArray(pod.initContainers) ? pod.initContainers : []).filter(isObj);
  const sum = (r: 'cpu' | 'memory') => containers.reduce((s, c) => s + amount(c, r), 0);
  const most = (r: 'cpu' | 'memory') => inits.reduce((m, c) => Math.max(m, amount(c, r)), 0);
  return { cpuMilli: Math.max(sum('cpu'), most('cpu')), memoryBytes: Math.max(sum('memory'), most('memory')), pods: 1 };
}

function count(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback;
}

/** The autoscaler's bounds, when an hpa or cpuscaler trait has them. */
function autoscalerBounds(
  traits: ApplicationSpec['components'][number]['traits'],
): { min: number; max: number } | undefined {
  for (const t of traits ?? []) {
    if (t.type !== 'hpa' && t.type !== 'cpuscaler') continue;
    const parsed = parseTrait<{ min: number; max: number }>(t.type, t.properties, 'properties');
    if (parsed.ok) return parsed.value;
  }
  return undefined;
}

/**
 * What placement needs per component: the workload kind, replicas wanted (scaler trait, hpa/cpuscaler min, task
 * parallelism/count, one for a DaemonSet, default 1) and one replica's requests (main container + sidecars + init containers as
 * Kubernetes computes pod requests), cpu in millicores, memory in bytes, pods 1. Components without pods
 * (k8s-objects with no workload) get replicas 0. Components of unknown type or with invalid properties are left
 * out: admission refuses such applications before placement sees them.
 */
export function componentDemands(spec: ApplicationSpec): ComponentDemandInfo[] {
  // Pure of the components and rendered for each (about 0.1 ms a component): many readers ask it of the same spec
  // (quota usage, the holding index, the history sampler, delivery), so the answers are remembered by a digest of
  // the components' JSON. Each caller gets its own copy.
  const key = demandsKey(spec.components);
  let known = DEMANDS_BY_COMPONENTS.get(key);
  if (known !== undefined) DEMANDS_BY_COMPONENTS.delete(key);
  else known = renderedDemands(spec);
  remember(key, known);
  return known.map((d) => ({ ...d, perReplica: { ...d.perReplica } }));
}

/**
 * Remembers the demands of components that were just rendered elsewhere exactly as componentDemands renders them
 * (each supported component as `{ ...component, index }` with DEMANDS_RENDER_CONTEXT): validation renders every new
 * Application that way (oamCauses), so the quota index, the holding index and delivery that read the same spec right
 * after its write render it no second time. `demands` holds, by component index, componentDemandOf of each render,
 * taken before anything changed the rendered objects; without one for every supported component nothing is remembered.
 */
export function rememberRenderedDemands(
  components: ApplicationSpec['components'],
  demands: ReadonlyMap<number, ComponentDemandInfo | undefined>,
): void {
  const out: ComponentDemandInfo[] = [];
  for (let index = 0; index < components.length; index++) {
    if (!SUPPORTED_COMPONENTS.includes(components[index]!.type)) continue;
    if (!demands.has(index)) return;
    const d = demands.get(index);
    if (d) out.push(d);
  }
  const key = demandsKey(components);
  if (!DEMANDS_BY_COMPONENTS.has(key)) remember(key, out);
}

/** The renders componentDemands remembers, by component index: for rememberRenderedDemands. */
export const DEMANDS_RENDER_CONTEXT: ComponentRenderContext = Object.freeze({ appName: 'app', revision: 'app-v1' });

function demandsKey(components: ApplicationSpec['components']): string {
  return createHash('sha256').update(JSON.stringify(components)).digest('base64');
}

function remember(key: string, demands: readonly ComponentDemandInfo[]): void {
  if (DEMANDS_BY_COMPONENTS.size >= DEMANDS_MEMO_SIZE && !DEMANDS_BY_COMPONENTS.has(key))
    DEMANDS_BY_COMPONENTS.delete(DEMANDS_BY_COMPONENTS.keys().next().value!);
  DEMANDS_BY_COMPONENTS.set(key, demands);
}

/** Component lists remembered, most recently used last (a few hundred bytes each). */
const DEMANDS_MEMO_SIZE = 20_000;
const DEMANDS_BY_COMPONENTS = new Map<string, readonly ComponentDemandInfo[]>();

/** componentDemands rendered afresh, never from memory. */
export function renderedDemands(spec: ApplicationSpec): ComponentDemandInfo[] {
  const out: ComponentDemandInfo[] = [];
  spec.components.forEach((c, index) => {
    if (!SUPPORTED_COMPONENTS.includes(c.type)) return;
    const d = componentDemandOf(c, renderComponent({ ...c, index }, DEMANDS_RENDER_CONTEXT));
    if (d) out.push(d);
  });
  return out;
}

/**
 * One component's demand from its render with DEMANDS_RENDER_CONTEXT (undefined when it renders no workload), read
 * before the rendered objects are changed (stamped, placed in a namespace).
 */
export function componentDemandOf(
  c: ApplicationSpec['components'][number],
  r: ComponentResult,
): ComponentDemandInfo | undefined {
  if (!r.workload) return undefined;
  const w = r.workload;
  const kind = typeof w.kind === 'string' ? w.kind : undefined;
  const pod = podSpecOf(w);
  const spec_ = isObj(w.spec) ? w.spec : {};
  const bounds = autoscalerBounds(c.traits);
  let replicas: number;
  if (!pod) replicas = 0;
  else if (kind === 'Job') replicas = count(spec_.parallelism, 1);
  else if (kind === 'CronJob') replicas = count(jobSpec(w)?.parallelism, 1);
  // A DaemonSet runs one pod per node of each cluster it is placed on, a number placement does not choose: it is
  // counted as one pod there (the namespace's ResourceQuota bounds the rest), whatever spec.replicas says.
  else if (kind === 'DaemonSet') replicas = 1;
  else if (bounds) replicas = Math.min(bounds.max, Math.max(bounds.min, count(spec_.replicas, bounds.min)));
  else replicas = count(spec_.replicas, 1);
  return {
    name: c.name,
    type: c.type,
    workloadKind: pod ? kind : undefined,
    replicas,
    perReplica: pod ? podRequests(pod) : { ...NO_POD },
    nativeAutoscaling: r.autoscaled,
  };
}

/**
 * One replica's limits per component (the containers' sum; 0 for a resource some container leaves unlimited), for
 * metering. Components without pods are left out.
 */
export function componentLimits(spec: ApplicationSpec): Record<string, { cpuMilli: number; memoryBytes: number }> {
  const out: Record<string, { cpuMilli: number; memoryBytes: number }> = {};
  spec.components.forEach((c, index) => {
    if (!SUPPORTED_COMPONENTS.includes(c.type)) return;
    const r = renderComponent({ ...c, index }, { appName: 'app', revision: 'app-v1' });
    const pod = r.workload ? podSpecOf(r.workload) : undefined;
    if (pod) out[c.name] = podLimits(pod);
  });
  return out;
}

function jobSpec(cronJob: Obj): Obj | undefined {
  const spec = isObj(cronJob.spec) ? cronJob.spec : undefined;
  const template = spec && isObj(spec.jobTemplate) ? spec.jobTemplate : undefined;
  return template && isObj(template.spec) ? template.spec : undefined;
}

/**
 * The override policies each deploy step applies, as properties: without a workflow one implicit step applies every
 * override policy (anonymous ones too); otherwise each deploy step the ones it names. No deploy step: none.
 */
export function deployStepOverrides(spec: ApplicationSpec): Record<string, unknown>[][] {
  const overrides = (spec.policies ?? []).filter((p) => p.type === 'override');
  const props = (p: (typeof overrides)[number]) => (p.properties ?? {}) as Record<string, unknown>;
  const steps = spec.workflow?.steps ?? [];
  if (steps.length === 0) return [overrides.map(props)];
  const deploys = steps.filter((s) => s.type === 'deploy');
  return deploys.map((s) => {
    const named = Array.isArray(s.properties?.policies) ? (s.properties.policies as unknown[]) : [];
    return overrides.filter((p) => p.name !== undefined && named.includes(p.name)).map(props);
  });
}

/**
 * componentDemands of the application as its deploy steps deliver it: each step's override policies applied, and
 * per component the step asking for the most replicas. An override raising replicas or requests counts (quota,
 * fair sharing, placement), as KubeVela delivers it.
 */
export function deployedDemands(written: ApplicationSpec): ComponentDemandInfo[] {
  // A workflow's own components (a step's Deployment, replication copies) count; a component no step delivers
  // (one replaced by its copies) does not.
  const expanded = expandWorkflow(written);
  const spec = expanded.spec;
  const delivering = expanded.steps.filter((s) => s.deliver);
  const added = (name: string) => {
    const c = spec.components.find((x) => x.name === name) as WorkflowAdded | undefined;
    return Boolean(c?.workflowStep || c?.replicaOf);
  };
  const delivered = (name: string) =>
    expanded.steps.length === 0
      ? true
      : delivering.some((s) => (s.deliver!.components ? s.deliver!.components.includes(name) : !added(name)));
  const base = componentDemands(spec).filter((d) => delivered(d.name));
  const sets = deployStepOverrides(spec).filter((o) => o.length > 0);
  if (sets.length === 0) return base;
  const most = new Map<string, ComponentDemandInfo>();
  for (const o of sets) {
    for (const d of componentDemands(specWithOverrides(spec, o))) {
      const was = most.get(d.name);
      if (!was || d.replicas > was.replicas) most.set(d.name, d);
    }
  }
  return base.map((d) => most.get(d.name) ?? d);
}

/**
 * Per component, the clusters its deploy steps name for it through topology policies, once per cluster and topology
 * namespace: a topology runs every replica on each of its clusters, so a component delivered to gov-east by one step
 * and to gov-west by another holds its replicas twice. A topology choosing clusters by label counts as one (which
 * clusters match is known only to placement), so this is a lower bound. Components no topology places are absent.
 */
export function topologyTargets(written: ApplicationSpec): Map<string, number> {
  const expanded = expandWorkflow(written);
  const spec = expanded.spec;
  const topologies = new Map<string, { clusters: readonly string[]; namespace: string }>();
  for (const p of spec.policies ?? []) {
    if (p.type !== 'topology') continue;
    const props = (p.properties ?? {}) as { clusters?: unknown; namespace?: unknown };
    const clusters = Array.isArray(props.clusters) ? props.clusters.filter((c) => typeof c === 'string') : [];
    topologies.set(p.name ?? '', { clusters, namespace: typeof props.namespace === 'string' ? props.namespace : '' });
  }
  if (topologies.size === 0) return new Map();
  const own = spec.components
    .filter((c) => !(c as WorkflowAdded).workflowStep && !(c as WorkflowAdded).replicaOf)
    .map((c) => c.name);
  const steps =
    expanded.steps.length === 0
      ? [{ components: own, topologies: [...topologies.keys()] }]
      : expanded.steps.flatMap((s) =>
          s.deliver ? [{ components: s.deliver.components ?? own, topologies: s.deliver.topologies }] : [],
        );
  const targets = new Map<string, Set<string>>();
  for (const step of steps)
    for (const name of step.topologies) {
      const t = topologies.get(name);
      if (!t) continue;
      const keys = t.clusters.length > 0 ? t.clusters.map((c) => `${c}\u0000${t.namespace}`) : [`\u0001${name}`];
      for (const component of step.components) {
        const set = targets.get(component) ?? new Set<string>();
        for (const k of keys) set.add(k);
        targets.set(component, set);
      }
    }
  return new Map([...targets].map(([c, set]) => [c, Math.max(1, set.size)]));
}
