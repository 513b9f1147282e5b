import type { ErrorCause } from '../kernel/errors.ts';
import { InputError } from '../kernel/errors.ts';
import { clusterSetProblems, placementPlan } from '../placement/policies.ts';
import type { ClusterCandidate } from '../placement/types.ts';
import type { AdmissionPlugin } from '../resources/service.ts';
import { autoscalingCauses } from '../scaling/autoscaling-policy.ts';
import { failoverCauses } from '../failover/failover-policy.ts';
import { sloPolicyCauses } from '../observe/alerts/slo-policy.ts';
import type { ApplicationSpec } from './application-kind.ts';
import { cronProblem } from './render/cron-syntax.ts';

/**
 * Checks polis's own policies (placement, residency, autoscaling, failover) and how they combine with KubeVela's
 * topology, each problem at its path.
 */
export function polisPolicyCauses(spec: ApplicationSpec): ErrorCause[] {
  const causes: ErrorCause[] = [];
  const components = spec.components.map((c) => c.name);
  const plan = placementPlan(spec as never);
  if (!plan.ok) causes.push(...plan.errors);
  const seen = new Map<string, number>();
  (spec.policies ?? []).forEach((p, i) => {
    const at = `spec.policies[${i}].properties`;
    if (p.type === 'autoscaling' || p.type === 'failover' || p.type === 'slo') {
      const first = seen.get(p.type);
      if (first !== undefined)
        causes.push({
          path: `spec.policies[${i}].type`,
          message: `a second ${p.type} policy; spec.policies[${first}] is one already (one per application)`,
        });
      seen.set(p.type, i);
    }
    if (p.type === 'autoscaling') causes.push(...autoscalingCauses(p.properties, at, components, cronProblem));
    if (p.type === 'failover') causes.push(...failoverCauses(p.properties, at));
    if (p.type === 'slo') causes.push(...sloPolicyCauses(p.properties, at, components));
  });
  causes.push(...topologyNamespaceCauses(spec));
  return causes;
}

interface TopologyUse {
  readonly index: number;
  readonly namespace: string | undefined;
  /** Explicit cluster names; undefined when a label selector chooses them (any cluster may match). */
  readonly clusters: readonly string[] | undefined;
}

function topologyUse(p: { properties?: Record<string, unknown> }, index: number): TopologyUse {
  const props = p.properties ?? {};
  const ns = typeof props.namespace === 'string' && props.namespace !== '' ? props.namespace : undefined;
  const list = Array.isArray(props.clusters) ? props.clusters.filter((c): c is string => typeof c === 'string') : [];
  return { index, namespace: ns, clusters: list.length > 0 ? list : undefined };
}

function mayOverlap(a: TopologyUse, b: TopologyUse): boolean {
  if (!a.clusters || !b.clusters) return true;
  return a.clusters.some((c) => b.clusters!.includes(c));
}

/**
 * A topology's `namespace` does not move the application: polis runs an application in one namespace per cluster,
 * its department's (docs/oam.md, deviations). Where KubeVela would deliver the same components to one cluster in two
 * namespaces, polis would collapse them into one set of objects; rather than do so silently, it refuses the
 * application: two topology policies that deploy steps use, naming different namespaces, on clusters that may
 * coincide.
 */
function topologyNamespaceCauses(spec: ApplicationSpec): ErrorCause[] {
  const policies = spec.policies ?? [];
  const topologies = new Map<string, TopologyUse>();
  policies.forEach((p, i) => {
    if (p.type === 'topology') topologies.set(p.name ?? '', topologyUse(p, i));
  });
  if (topologies.size < 2) return [];
  const steps = (spec.workflow?.steps ?? []).filter((s) => s.type === 'deploy');
  const used: TopologyUse[] = [];
  if (steps.length === 0) used.push(...topologies.values());
  else
    for (const s of steps) {
      const named = Array.isArray(s.properties?.policies) ? (s.properties.policies as unknown[]) : [];
      for (const n of named) {
        const t = typeof n === 'string' ? topologies.get(n) : undefined;
        if (t && !used.includes(t)) used.push(t);
      }
    }
  const causes: ErrorCause[] = [];
  used.forEach((b, j) => {
    const a = used.slice(0, j).find((x) => x.namespace !== b.namespace && mayOverlap(x, b));
    if (!a) return;
    const name = (t: TopologyUse) => policies[t.index]!.name ?? `spec.policies[${t.index}]`;
    causes.push({
      path: `spec.policies[${b.index}].properties${b.namespace === undefined ? '' : '.namespace'}`,
      code: 'TopologyNamespacesCollide',
      params: { policy: name(b), other: name(a), namespace: b.namespace ?? '', otherNamespace: a.namespace ?? '' },
      message: `topology "${name(b)}" puts the application in namespace ${JSON.stringify(b.namespace ?? '(default)')} and topology "${name(a)}" in ${JSON.stringify(a.namespace ?? '(default)')}, on clusters that may be the same; polis runs an application in one namespace per cluster (its department's), so deploy the two to different clusters, or make a second application`,
    });
  });
  return causes;
}

/**
 * Admission: an application's placement and residency must leave it somewhere to run among the registered
 * clusters (whatever their health now), or it is refused before anything is stored.
 */
export const placementAdmission: AdmissionPlugin = async ({ operation, definition, object, old, tx }) => {
  if (definition.kind !== 'Application' || operation === 'delete') return;
  if (old && old.metadata.generation === object.metadata.generation) return;
  const plan = placementPlan(object.spec as never);
  if (!plan.ok) return; // validation already reported these
  const clusters = await tx.listAll(['Cluster'], '');
  if (clusters.length === 0) return; // nothing registered yet: nothing to check against
  const candidates: ClusterCandidate[] = clusters.map((c) => {
    const spec = c.spec as { vendor: string; region: string; zone: string; networkZone: string; role: never };
    return {
      name: c.metadata.name,
      vendor: spec.vendor,
      region: spec.region,
      zone: spec.zone,
      networkZone: spec.networkZone,
      role: spec.role,
      labels: c.metadata.labels ?? {},
      healthy: true,
      free: { cpuMilli: 0, memoryBytes: 0, pods: 0 },
    };
  });
  const problems = clusterSetProblems(plan, candidates);
  if (problems.length > 0) {
    throw new InputError(`application ${object.metadata.name} has nowhere to run: ${problems[0]!.message}`, problems, {
      invalid: true,
    });
  }
};
