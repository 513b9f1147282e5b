import type { ErrorCause } from '../kernel/errors.ts';
import { compileEligibility, matches } from './eligibility.ts';
import type { GoverningPolicy, PlacementPlan } from './policies.ts';
import { listText } from './policy-fields.ts';
import { DEFAULT_PLACEMENT_POLICY } from './placement-policy.ts';
import { CLUSTER_ROLES } from './types.ts';
import type { ClusterCandidate, PlacementPolicy } from './types.ts';

/**
 * Problems of an application's placement against the registered clusters, whatever their health (admission runs it:
 * health changes by the minute, registration does not). A residency that excludes every cluster, a component no
 * cluster could ever run, and names of clusters that are not registered (overflow, explicit clusters, weights,
 * topology clusters) are errors at the policy's path. With no cluster registered there is nothing to check against.
 */
export function clusterSetProblems(plan: PlacementPlan, clusters: readonly ClusterCandidate[]): ErrorCause[] {
  if (clusters.length === 0) return [];
  const registered = [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const names = new Set(registered.map((c) => c.name));
  const errors: ErrorCause[] = [];
  for (const g of plan.governing) unregisteredNames(g, names, errors);

  if (plan.residency) {
    const all = compileEligibility(ANY_CLUSTER, plan.residency, registered.map(asHealthy), new Map());
    if (all.primary.length === 0) {
      errors.push({
        path: plan.residencyPath ?? 'spec.policies',
        message: `the residency excludes every registered cluster: ${summary(all.excluded)}`,
      });
      return errors;
    }
  }

  const healthy = registered.map(asHealthy);
  const index = new Map(healthy.map((c, i) => [c.name, i]));
  for (const g of plan.governing) {
    if (g.components.length === 0) continue;
    g.policy.topology?.forEach((t, k) => {
      if (t.clusters.length > 0 || t.allowEmpty) return;
      if (!healthy.some((c) => matches(c.labels, t.clusterLabelSelector ?? {})))
        errors.push({
          path: `${g.targetPaths?.[k] ?? g.path}.properties.clusterLabelSelector`,
          message: 'matches no registered cluster (set allowEmpty: true to accept an empty selection)',
        });
    });
    const e = compileEligibility(g.policy, plan.residency, healthy, index);
    if (e.primary.length + e.overflow.length > 0) continue;
    const which = `component${g.components.length > 1 ? 's' : ''} ${listText(g.components)}`;
    const lead =
      g.type === 'default'
        ? `no placement policy governs ${which}, so the default applies (primary clusters only), and`
        : `under ${g.type} polic${g.name.includes(',') ? 'ies' : 'y'} "${g.name}"`;
    errors.push({
      path: g.path,
      message: `${lead} no registered cluster can run ${which}: ${summary(e.excluded)}`,
    });
  }
  return errors;
}

/** A policy that any cluster satisfies, to see what the residency alone allows. */
const ANY_CLUSTER: PlacementPolicy = { ...DEFAULT_PLACEMENT_POLICY, roles: CLUSTER_ROLES };

function asHealthy(c: ClusterCandidate): ClusterCandidate {
  return c.healthy ? c : { ...c, healthy: true };
}

function unregisteredNames(g: GoverningPolicy, names: ReadonlySet<string>, errors: ErrorCause[]): void {
  const all = [...names];
  const known = `registered: ${listText(all.slice(0, 20))}${all.length > 20 ? ` and ${all.length - 20} more` : ''}`;
  const check = (name: string, path: string) => {
    if (!names.has(name)) errors.push({ path, message: `cluster "${name}" is not registered; ${known}` });
  };
  const at = `${g.path}.properties`;
  g.policy.clusters.forEach((c, j) => check(c, `${at}.clusters[${j}]`));
  g.policy.overflow.forEach((c, j) => check(c, `${at}.overflow[${j}]`));
  Object.keys(g.policy.weights).forEach((c, j) => check(c, `${at}.weights[${j}].cluster`));
  g.policy.topology?.forEach((t, k) =>
    t.clusters.forEach((c, j) => check(c, `${g.targetPaths?.[k] ?? g.path}.properties.clusters[${j}]`)),
  );
}

/** "3 × role burst not eligible (…); 1 × unhealthy": why clusters were excluded, most common first. */
function summary(excluded: ReadonlyArray<{ reason: string } | undefined>): string {
  const counts = new Map<string, number>();
  for (const e of excluded) if (e) counts.set(e.reason, (counts.get(e.reason) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const parts = top.slice(0, 5).map(([reason, n]) => `${n} × ${reason}`);
  if (top.length > 5) parts.push(`${top.length - 5} other reasons`);
  return parts.join('; ');
}
