import type { Message } from '../kernel/messages/index.ts';
import { createHash } from 'node:crypto';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import type { ComponentDemandInfo } from '../apps/render/index.ts';
import { componentDemands, deployedDemands, renderApplication, specWithOverrides } from '../apps/render/index.ts';
import type { ErrorCause } from '../kernel/errors.ts';
import type { Manifest } from '../kernel/manifest.ts';
import { manifestKey, sortManifests } from '../kernel/manifest.ts';
import { place } from '../placement/planner.ts';
import { compileEligibility } from '../placement/eligibility.ts';
import { placementPlan } from '../placement/policies.ts';
import type {
  BurstAllowance,
  ClusterCandidate,
  ComponentDemand,
  ComponentPlacement,
  ExcludedCluster,
} from '../placement/types.ts';
import type { Owner } from '../kernel/ownership.ts';
import { RUN_TO_COMPLETION } from './app-status.ts';
import type { NamespaceQuota } from './namespace.ts';
import { namespaceGuards, namespaceManifest, topologyNamespace } from './namespace.ts';
import { deploySteps, type DeployStep } from './workflow.ts';
import { expandWorkflow, type WorkflowAdded } from '../apps/workflow/expand.ts';
import type { Attachments } from '../market/attachments.ts';
import { attach, hasAttachments } from '../market/attachments.ts';

/** Label marking an object that prune leaves alone on update (garbage-collect policy). */
export const GC_LABEL = 'polis.io/gc-strategy';

export interface PlanInput {
  readonly owner: Owner;
  readonly spec: ApplicationSpec;
  /** KubeVela's app revision name, `<app>-v<generation>`. */
  readonly revision: string;
  readonly candidates: readonly ClusterCandidate[];
  /** Replicas per component per cluster now (from the application's status). */
  readonly current: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Deploy steps the workflow has reached. */
  readonly steps: readonly DeployStep[];
  /** The department's quota, for the namespace's ResourceQuota and LimitRange. */
  readonly quota?: NamespaceQuota;
  /** Replica counts the autoscaler decided, by component; they replace the spec's. */
  readonly replicas?: Readonly<Record<string, number>>;
  /** Replicas a component may have on a cluster at most (where the cluster recently could not schedule more). */
  readonly roomCap?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Clusters a component must leave (application-level failover). */
  readonly avoid?: Readonly<Record<string, Readonly<Record<string, Message>>>>;
  /** The application's burst allowance now (src/placement/burst-limits.ts); absent, bursting is limited by room only. */
  readonly burst?: BurstAllowance;
  /** Replicas a component may hold on private clusters at most: the department's fair share (sharing.ts). */
  readonly privateCap?: Readonly<Record<string, number>>;
  /** A placement decided elsewhere (failback's make-before-break): used as is, placement is not run. */
  readonly fixed?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** What marketplace bindings add on every cluster: credentials Secrets and env, network paths (src/market). */
  readonly attachments?: Attachments;
  /** The Application's `metadata.namespace`: a topology naming it means the application's own namespace. */
  readonly declaredNamespace?: string;
}

export interface ClusterPlan {
  readonly cluster: string;
  /**
   * The namespaces the application has there: its own (owner.namespace) and one per topology `namespace` of its
   * own (topologyNamespace), sorted.
   */
  readonly namespaces: readonly string[];
  /** The namespaces first, then the rendered objects in apply order. */
  readonly manifests: readonly Manifest[];
  readonly createOnlyPaths: Readonly<Record<string, readonly string[]>>;
  /** Changes exactly when what is sent to the cluster changes. */
  readonly hash: string;
}

export type PlanResult =
  | {
      readonly ok: true;
      readonly placement: Readonly<Record<string, ComponentPlacement>>;
      readonly clusters: readonly ClusterPlan[];
      readonly demands: readonly ComponentDemandInfo[];
    }
  | { readonly ok: false; readonly errors: readonly ErrorCause[] };

/**
 * Each component's demand as the deploy steps deliver it (their override policies applied), with the replica counts
 * the autoscaler decided in place of the spec's.
 */
export function desiredDemands(
  spec: ApplicationSpec,
  replicas: Readonly<Record<string, number>> | undefined,
): ComponentDemandInfo[] {
  return autoscaled(deployedDemands(spec), replicas);
}

function autoscaled(
  demands: readonly ComponentDemandInfo[],
  replicas: Readonly<Record<string, number>> | undefined,
): ComponentDemandInfo[] {
  return demands.map((d) =>
    replicas?.[d.name] !== undefined && d.replicas > 0 ? { ...d, replicas: replicas[d.name]! } : d,
  );
}

/**
 * Each component's demand as fair sharing counts it: the replicas its deploy steps place in all. Under a duplicated
 * division (a topology policy, or a placement policy with `division: duplicated`) a component runs its count on
 * every eligible cluster, and a deploy step with topologies of its own adds its clusters: two replicas delivered to
 * gov-east by one step and to gov-west by another want 4, not 2. Where steps deliver to the same cluster and
 * namespace the larger count counts, as their placements merge. `candidates` is asked only for applications with a
 * duplicated division (their eligible clusters); for the others this is `placementDemands(desiredDemands(…))`.
 */
export function sharingDemands(
  spec: ApplicationSpec,
  replicas: Readonly<Record<string, number>> | undefined,
  candidates: () => readonly ClusterCandidate[],
): ComponentDemand[] {
  const base = placementDemands(desiredDemands(spec, replicas));
  if (!duplicates(spec)) return base;
  const wanted = duplicatedFootprint(spec, replicas, candidates());
  return base.map((d) => {
    const w = wanted.get(d.name);
    if (!w) return d;
    return { ...d, replicas: Math.max(d.replicas, w.replicas), perReplica: larger(d.perReplica, w.perReplica) };
  });
}

/** Whether some policy duplicates replicas across clusters. */
function duplicates(spec: ApplicationSpec): boolean {
  return (spec.policies ?? []).some(
    (p) =>
      p.type === 'topology' ||
      (p.type === 'placement' && (p.properties as { division?: unknown } | undefined)?.division === 'duplicated'),
  );
}

/** The shape of an owner for placementUnits where only which namespaces differ matters. */
const SHAPE_OWNER: Owner = { tenant: 't', app: 'a', namespace: 'a' };

/**
 * Per component (replicas, not Jobs), the replicas every deploy step places under a duplicated division, summed over
 * the clusters and namespaces they go to, plus the most a step places under another division; and the largest
 * replica a step renders (an override may size one step's replicas smaller: counting the largest, the demand is
 * never less than what runs).
 */
function duplicatedFootprint(
  written: ApplicationSpec,
  replicas: Readonly<Record<string, number>> | undefined,
  candidates: readonly ClusterCandidate[],
): Map<string, { replicas: number; perReplica: PerReplica }> {
  const spec = expandWorkflow(written).spec;
  const { delivers, props } = stepLookups(spec);
  const clusters = [...candidates].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const index = new Map(clusters.map((c, i) => [c.name, i]));
  const perTarget = new Map<string, Map<string, number>>();
  const pooled = new Map<string, number>();
  const largest = new Map<string, PerReplica>();
  for (const unit of placementUnits(spec, deploySteps(written), SHAPE_OWNER, undefined)) {
    const plan = placementPlan(spec as never, { topologyNames: unit.topologies });
    if (!plan.ok) continue;
    const stepDemands = autoscaled(
      componentDemands(specWithOverrides(spec, props('override', new Set(unit.step.overrides)))),
      replicas,
    );
    for (const d of stepDemands) {
      if (!delivers(unit.step, d.name) || d.replicas === 0) continue;
      if (d.workloadKind !== undefined && SINGLE_RUN.has(d.workloadKind)) continue;
      const was = largest.get(d.name);
      largest.set(d.name, was ? larger(was, d.perReplica) : d.perReplica);
      const policy = plan.policyFor(d.name);
      if (policy.division !== 'duplicated') {
        pooled.set(d.name, Math.max(pooled.get(d.name) ?? 0, d.replicas));
        continue;
      }
      const targets = perTarget.get(d.name) ?? new Map<string, number>();
      perTarget.set(d.name, targets);
      for (const i of compileEligibility(policy, plan.residency, clusters, index).primary) {
        const key = targetKey(clusters[i]!.name, unit.namespace);
        targets.set(key, Math.max(targets.get(key) ?? 0, d.replicas));
      }
    }
  }
  const out = new Map<string, { replicas: number; perReplica: PerReplica }>();
  for (const [name, per] of largest) {
    let n = pooled.get(name) ?? 0;
    for (const k of perTarget.get(name)?.values() ?? []) n += k;
    out.set(name, { replicas: n, perReplica: per });
  }
  return out;
}

type PerReplica = ComponentDemand['perReplica'];

/** Each resource's larger amount. */
function larger(a: PerReplica, b: PerReplica): PerReplica {
  return {
    cpuMilli: Math.max(a.cpuMilli, b.cpuMilli),
    memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
    pods: Math.max(a.pods, b.pods),
  };
}

/** Whether a cluster counts against the department's private share (all but burst clusters; unknown ones count). */
function privateClusterTest(candidates: readonly ClusterCandidate[]): (cluster: string) => boolean {
  const burst = new Set(candidates.filter((c) => c.role === 'burst').map((c) => c.name));
  return (cluster) => !burst.has(cluster);
}

/**
 * What placement divides per component: a Job or CronJob runs in one cluster, so it is one unit of the whole job's
 * requests; pod-less components have no replicas.
 */
export function placementDemands(demands: readonly ComponentDemandInfo[]): ComponentDemand[] {
  return demands.map((d) => {
    const single = d.workloadKind !== undefined && SINGLE_RUN.has(d.workloadKind);
    const k = single ? Math.max(1, d.replicas) : 1;
    return {
      name: d.name,
      replicas: d.replicas === 0 ? 0 : single ? 1 : d.replicas,
      perReplica: {
        cpuMilli: d.perReplica.cpuMilli * k,
        memoryBytes: d.perReplica.memoryBytes * k,
        pods: d.perReplica.pods * k,
      },
    };
  });
}

/** A plan that rendered. */
export type DeliveryPlan = Extract<PlanResult, { ok: true }>;

/** Workloads that run to completion in one cluster: never copied by spreading, deploy steps or a surge. */
const SINGLE_RUN: ReadonlySet<string> = RUN_TO_COMPLETION;

/**
 * What an application should look like in every cluster (pure): for each reached deploy step, placement decides
 * replicas per cluster; the placements merge (a component on a cluster takes the larger count); then each
 * cluster's manifests are rendered with its replicas and the step's overrides.
 */
export function planDelivery(input: PlanInput): PlanResult {
  const { owner } = input;
  // The workflow's own components (a step's objects, replication copies) join the application's (idempotent).
  const spec = expandWorkflow(input.spec, { appName: owner.app }).spec;
  const { delivers, props } = stepLookups(spec);
  const reachedComponents = new Set(
    spec.components.map((c) => c.name).filter((n) => input.steps.some((step) => delivers(step, n))),
  );
  const base = desiredDemands(spec, input.replicas);
  const units = placementUnits(spec, input.steps, owner, input.declaredNamespace);
  // Each component as the steps that place it see it (their overrides applied): the largest count wins.
  const sized = new Map<string, ComponentDemandInfo>();
  // Replicas per component, cluster and namespace (a topology's namespace of its own beside the application's).
  const merged = new Map<string, Map<string, Map<string, number>>>();
  const unplaced = new Map<string, number>();
  const heldBack = new Map<string, number>();
  const shareHeld = new Map<string, number>();
  const excluded = new Map<string, ExcludedCluster[]>();
  const overridesByTarget = new Map<string, Set<string>>();
  const noteOverrides = (cluster: string, namespace: string, step: DeployStep) => {
    const o = overridesByTarget.get(targetKey(cluster, namespace)) ?? new Set<string>();
    for (const name of step.overrides) o.add(name);
    overridesByTarget.set(targetKey(cluster, namespace), o);
  };
  const put = (component: string, cluster: string, namespace: string, n: number) => {
    const byCluster = merged.get(component) ?? new Map<string, Map<string, number>>();
    const byNs = byCluster.get(cluster) ?? new Map<string, number>();
    byNs.set(namespace, Math.max(byNs.get(namespace) ?? 0, n));
    byCluster.set(cluster, byNs);
    merged.set(component, byCluster);
  };
  if (input.fixed) {
    for (const [component, byCluster] of Object.entries(input.fixed)) {
      merged.set(component, new Map());
      // A placement decided elsewhere knows clusters only: it goes to the first namespace a step delivers it to.
      const unit = units.find((u) => delivers(u.step, component)) ?? units[0];
      const namespace = unit?.namespace ?? owner.namespace;
      for (const [cluster, n] of Object.entries(byCluster)) if (n > 0) put(component, cluster, namespace, n);
    }
  }
  // The department's share is the component's private replicas in all: a deploy step with topologies of its own
  // places on other clusters than the steps before it, so it gets what they left of the share.
  const capLeft = input.privateCap ? { ...input.privateCap } : undefined;
  const isPrivate = privateClusterTest(input.candidates);
  for (const unit of units) {
    const { step, namespace } = unit;
    const plan = placementPlan(spec as never, { topologyNames: unit.topologies });
    if (!plan.ok) return { ok: false, errors: plan.errors };
    // Placement is sized from the spec as this step renders it: an override changing replicas is what is placed.
    const stepDemands = autoscaled(
      componentDemands(specWithOverrides(spec, props('override', new Set(step.overrides)))),
      input.replicas,
    ).filter((d) => delivers(step, d.name));
    for (const d of stepDemands) {
      const was = sized.get(d.name);
      if (!was || d.replicas > was.replicas) sized.set(d.name, d);
    }
    const components = placementDemands(stepDemands);
    if (input.fixed) {
      // A fixed placement (failback's surge) keeps its replica counts, but each cluster is rendered as the steps
      // that place there now render it: a cluster's own step's overrides, never another cluster's.
      const own = place(
        {
          key: `${owner.tenant}/${owner.app}`,
          policyFor: plan.policyFor,
          residency: plan.residency,
          components,
          current: {},
          ...(input.avoid ? { avoid: input.avoid } : {}),
        },
        input.candidates,
      );
      for (const cp of Object.values(own.components))
        for (const [cluster, n] of Object.entries(cp.replicas)) if (n > 0) noteOverrides(cluster, namespace, step);
      continue;
    }
    const decision = place(
      {
        key: `${owner.tenant}/${owner.app}`,
        policyFor: plan.policyFor,
        residency: plan.residency,
        components,
        current: unit === units[0] ? input.current : {},
        ...(input.burst ? { burst: input.burst } : {}),
        ...(input.avoid ? { avoid: input.avoid } : {}),
        ...(input.roomCap ? { roomCap: input.roomCap } : {}),
        ...(capLeft ? { privateCap: { ...capLeft } } : {}),
      },
      input.candidates,
    );
    if (capLeft && unit.topologies.length > 0)
      for (const [component, cp] of Object.entries(decision.components)) {
        if (capLeft[component] === undefined) continue;
        let held = 0;
        for (const [cluster, n] of Object.entries(cp.replicas)) if (isPrivate(cluster)) held += n;
        capLeft[component] = Math.max(0, capLeft[component] - held);
      }
    for (const [component, cp] of Object.entries(decision.components)) {
      const m = merged.get(component) ?? new Map<string, Map<string, number>>();
      merged.set(component, m);
      const kind = stepDemands.find((d) => d.name === component)?.workloadKind;
      for (const [cluster, n] of Object.entries(cp.replicas)) {
        // A Job or CronJob runs in exactly one place, even when several deploy steps each place it.
        const single = kind !== undefined && SINGLE_RUN.has(kind);
        if (single && n > 0 && m.size > 0 && !(m.get(cluster)?.has(namespace) ?? false)) continue;
        if (n > 0) put(component, cluster, namespace, n);
        noteOverrides(cluster, namespace, step);
      }
      unplaced.set(component, Math.max(unplaced.get(component) ?? 0, cp.unplaced));
      if (cp.burstHeldBack) heldBack.set(component, Math.max(heldBack.get(component) ?? 0, cp.burstHeldBack));
      if (cp.shareHeldBack) shareHeld.set(component, Math.max(shareHeld.get(component) ?? 0, cp.shareHeldBack));
      if (!excluded.has(component)) excluded.set(component, [...cp.excluded]);
    }
  }
  if (input.fixed) {
    // A cluster no step places on now (a surge keeps replicas where they ran) renders as the first step that
    // delivers the component renders it, as its namespace is chosen.
    for (const [component, byCluster] of Object.entries(input.fixed)) {
      const unit = units.find((u) => delivers(u.step, component)) ?? units[0];
      if (!unit) continue;
      for (const [cluster, n] of Object.entries(byCluster))
        if (n > 0 && !overridesByTarget.has(targetKey(cluster, unit.namespace)))
          noteOverrides(cluster, unit.namespace, unit.step);
    }
  }
  const demands = base.map((d) => sized.get(d.name) ?? d);
  // Where the application runs: each cluster, with the namespaces it has there.
  const targets = new Map<string, Set<string>>();
  for (const m of merged.values())
    for (const [c, byNs] of m) {
      const set = targets.get(c) ?? new Set<string>();
      for (const ns of byNs.keys()) set.add(ns);
      targets.set(c, set);
    }
  // Pod-less components (configuration objects) go wherever the application runs, in each of its namespaces.
  for (const d of demands) {
    if (d.replicas !== 0 || !reachedComponents.has(d.name)) continue;
    merged.set(d.name, new Map([...targets].map(([c, nss]) => [c, new Map([...nss].map((ns) => [ns, 0]))])));
  }
  const total = (byNs: ReadonlyMap<string, number>) => [...byNs.values()].reduce((a, b) => a + b, 0);
  const placement: Record<string, ComponentPlacement> = {};
  for (const d of demands) {
    const m = merged.get(d.name) ?? new Map<string, Map<string, number>>();
    placement[d.name] = {
      replicas: Object.fromEntries(
        [...m]
          .map(([c, byNs]) => [c, total(byNs)] as [string, number])
          .filter(([, n]) => n > 0 || d.replicas === 0)
          .sort(byKey),
      ),
      unplaced: unplaced.get(d.name) ?? 0,
      ...(heldBack.get(d.name) ? { burstHeldBack: heldBack.get(d.name)! } : {}),
      ...(shareHeld.get(d.name) ? { shareHeldBack: shareHeld.get(d.name)! } : {}),
      excluded: (excluded.get(d.name) ?? []).filter((x) => !m.has(x.cluster)),
    };
  }
  const clusters: ClusterPlan[] = [];
  for (const cluster of [...targets.keys()].sort()) {
    const namespaces = [...targets.get(cluster)!].sort();
    const namespaceObjects: Manifest[] = [];
    const objects: Manifest[] = [];
    const createOnlyPaths: Record<string, readonly string[]> = {};
    for (const namespace of namespaces) {
      const here = { ...owner, namespace };
      const components = demands.filter((d) => merged.get(d.name)?.get(cluster)?.has(namespace)).map((d) => d.name);
      const replicas = Object.fromEntries(components.map((c) => [c, merged.get(c)!.get(cluster)!.get(namespace)!]));
      const rendered = renderApplication(spec, {
        appName: owner.app,
        tenant: owner.tenant,
        namespace,
        revision: input.revision,
        cluster,
        components,
        replicas,
        overrides: props('override', overridesByTarget.get(targetKey(cluster, namespace))),
        applyOnce: props('apply-once'),
        garbageCollect: props('garbage-collect'),
      });
      if (!rendered.ok) return { ok: false, errors: rendered.errors };
      const labelled = rendered.manifests.map((m) => {
        const gc = rendered.gc[manifestKey(m)];
        if (!gc) return m;
        return { ...m, metadata: { ...m.metadata, labels: { ...m.metadata.labels, [GC_LABEL]: gc } } };
      });
      namespaceObjects.push(namespaceManifest(here));
      objects.push(
        ...namespaceGuards(here, input.quota),
        ...(hasAttachments(input.attachments) ? attach(labelled, here, input.attachments) : labelled),
      );
      Object.assign(createOnlyPaths, rendered.createOnlyPaths);
    }
    const manifests = [...namespaceObjects, ...sortManifests(objects)];
    const hash = createHash('sha256')
      .update(JSON.stringify([manifests, createOnlyPaths]))
      .digest('hex')
      .slice(0, 16);
    clusters.push({ cluster, namespaces, manifests, createOnlyPaths, hash });
  }
  return { ok: true, placement, clusters, demands };
}

/**
 * What planning reads of an application's expanded spec, for planDelivery and fair sharing's footprint alike:
 * whether a deploy step delivers a component (a step without a list delivers what the application declares, not
 * what its workflow added), and the properties of the policies of one type (only those named, when names are given).
 */
function stepLookups(spec: ApplicationSpec): {
  delivers: (step: DeployStep, component: string) => boolean;
  props: (type: string, names?: ReadonlySet<string>) => Record<string, unknown>[];
} {
  const byName = new Map(spec.components.map((c) => [c.name, c as WorkflowAdded]));
  const policies = spec.policies ?? [];
  return {
    delivers: (step, name) =>
      step.components
        ? step.components.includes(name)
        : !byName.get(name)?.workflowStep && !byName.get(name)?.replicaOf,
    props: (type, names) =>
      policies
        .filter((p) => p.type === type && (!names || names.has(p.name ?? '')))
        .map((p) => (p.properties ?? {}) as Record<string, unknown>),
  };
}

/** One placement of a deploy step: its topologies that send the application to one namespace. */
interface PlacementUnit {
  readonly step: DeployStep;
  readonly topologies: readonly string[];
  readonly namespace: string;
}

/**
 * The deploy steps, each split by the namespace its topologies name (KubeVela delivers a topology's components into
 * its `namespace`): one placement per (step, namespace), in step order. A step without topologies, or whose
 * topologies name no namespace, is one unit in the application's own namespace.
 */
function placementUnits(
  spec: ApplicationSpec,
  steps: readonly DeployStep[],
  owner: Owner,
  declared: string | undefined,
): PlacementUnit[] {
  const namespaceOf = new Map<string, string>();
  for (const p of spec.policies ?? []) {
    if (p.type !== 'topology' || namespaceOf.has(p.name ?? '')) continue;
    const named = (p.properties as { namespace?: unknown } | undefined)?.namespace;
    namespaceOf.set(
      p.name ?? '',
      topologyNamespace(
        owner.tenant,
        owner.app,
        owner.namespace,
        declared,
        typeof named === 'string' ? named : undefined,
      ),
    );
  }
  return steps.flatMap((step) => {
    if (step.topologies.length === 0) return [{ step, topologies: step.topologies, namespace: owner.namespace }];
    const groups = new Map<string, string[]>();
    for (const t of step.topologies) {
      const ns = namespaceOf.get(t) ?? owner.namespace;
      groups.set(ns, [...(groups.get(ns) ?? []), t]);
    }
    return [...groups].map(([namespace, topologies]) => ({ step, topologies, namespace }));
  });
}

function targetKey(cluster: string, namespace: string): string {
  return `${cluster}\u0000${namespace}`;
}

function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
