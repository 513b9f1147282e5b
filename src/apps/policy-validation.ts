import type { ErrorCause } from '../kernel/errors.ts';
import { causeMessage, InputError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
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
    throw new InputError(
      msg('ApplicationNowhereToRun', { application: object.metadata.name, detail: causeMessage(problems[0]!) }),
      problems,
      { invalid: true },
    );
  }
};
