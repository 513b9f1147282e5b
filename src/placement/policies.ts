import type { ErrorCause } from '../kernel/errors.ts';
import { DEFAULT_PLACEMENT_POLICY, parsePlacementProperties } from './placement-policy.ts';
import { listText } from './policy-fields.ts';
import { parseResidencyProperties } from './residency-policy.ts';
import { parseTopologyProperties, topologyPlacement } from './topology-policy.ts';
import type { PlacementPolicy, ResidencyPolicy, TopologyTarget } from './types.ts';

// Admission reads both from here: the plan, and its problems against the registered clusters.
export { clusterSetProblems } from './cluster-set.ts';

/** The parts of an OAM application spec placement reads. */
export interface PlacementSpec {
  readonly components: ReadonlyArray<{ readonly name: string }>;
  readonly policies?: ReadonlyArray<{
    /** Absent for an anonymous policy (KubeVela allows them); '' stands for it where a name is needed. */
    readonly name?: string;
    readonly type: string;
    readonly properties?: Record<string, unknown>;
  }>;
}

/** One policy that decides where some components run, with where it was declared. */
export interface GoverningPolicy {
  /** `spec.policies[i]` of the policy; `spec.policies` for the default (no policy declared). */
  readonly path: string;
  readonly type: 'placement' | 'topology' | 'default';
  /** The policy's name; for topology, the names of all topology policies that count, joined by ", ". */
  readonly name: string;
  readonly policy: PlacementPolicy;
  /** The components it governs. */
  readonly components: readonly string[];
  /** For topology: the path of each target, aligned with `policy.topology`. */
  readonly targetPaths?: readonly string[];
}

export interface PlacementPlan {
  readonly ok: true;
  readonly policyFor: (component: string) => PlacementPolicy;
  readonly residency?: ResidencyPolicy;
  /** Every governing policy and the components it governs: what clusterSetProblems checks against the registry. */
  readonly governing: readonly GoverningPolicy[];
  /** `spec.policies[i]` of the residency policy. */
  readonly residencyPath?: string;
}

interface Declared<T> {
  readonly index: number;
  readonly name: string;
  readonly value: T;
}

/**
 * Reads the placement, residency and KubeVela topology policies of an application and decides which policy governs
 * each component. Other policy types are left to their owners. Every error names its path from the object root and
 * what is accepted. `topologyNames` restricts which topology policies count (a workflow deploy step names them);
 * by default all do, and several select the union of their clusters.
 */
export function placementPlan(
  spec: PlacementSpec,
  options?: { topologyNames?: readonly string[] },
): PlacementPlan | { ok: false; errors: ErrorCause[] } {
  const errors: ErrorCause[] = [];
  const placements: Declared<PlacementPolicy>[] = [];
  const topologies: Declared<TopologyTarget>[] = [];
  let residency: Declared<ResidencyPolicy> | undefined;
  const names = spec.components.map((c) => c.name);

  (spec.policies ?? []).forEach((p, index) => {
    const at = `spec.policies[${index}].properties`;
    if (p.type === 'placement') {
      const r = parsePlacementProperties(p.properties, at);
      if (!r.ok) errors.push(...r.errors);
      else placements.push({ index, name: p.name ?? '', value: r.policy });
    } else if (p.type === 'residency') {
      const r = parseResidencyProperties(p.properties, at);
      if (!r.ok) errors.push(...r.errors);
      else if (residency)
        errors.push({
          path: `spec.policies[${index}]`,
          message: `an application has one residency policy, and "${residency.name}" (spec.policies[${residency.index}]) is already one; merge the two`,
        });
      else residency = { index, name: p.name ?? '', value: r.residency };
    } else if (p.type === 'topology') {
      const r = parseTopologyProperties(p.properties, p.name ?? '', at);
      if (!r.ok) errors.push(...r.errors);
      else if (!options?.topologyNames || options.topologyNames.includes(p.name ?? ''))
        topologies.push({ index, name: p.name ?? '', value: r.target });
    }
  });

  const owner = new Map<string, Declared<PlacementPolicy>>();
  const governing: GoverningPolicy[] = [];
  for (const d of placements) {
    const at = `spec.policies[${d.index}]`;
    const explicit = d.value.components.length > 0;
    const governs: string[] = [];
    const taken: string[] = [];
    (explicit ? d.value.components : names).forEach((c, j) => {
      if (explicit && !names.includes(c)) {
        errors.push({
          path: `${at}.properties.components[${j}]`,
          message: `"${c}" names no component; components are ${listText(names)}`,
        });
        return;
      }
      const earlier = owner.get(c);
      if (!earlier) {
        owner.set(c, d);
        governs.push(c);
      } else if (explicit)
        errors.push({
          path: `${at}.properties.components[${j}]`,
          message: `component "${c}" already follows placement policy "${earlier.name}" (spec.policies[${earlier.index}]); a component follows one placement policy`,
        });
      else taken.push(`"${c}" (placement policy "${earlier.name}", spec.policies[${earlier.index}])`);
    });
    if (taken.length > 0)
      errors.push({
        path: at,
        message: `governs every component (it has no components list), but ${taken.length === 1 ? 'component' : 'components'} ${taken.join(', ')} already ${taken.length === 1 ? 'follows' : 'follow'} another placement policy; a component follows one placement policy: give "${d.name}" a components list`,
      });
    governing.push({ path: at, type: 'placement', name: d.name, policy: d.value, components: governs });
  }

  const firstPlacement = placements[0];
  if (firstPlacement)
    for (const t of topologies)
      errors.push({
        path: `spec.policies[${t.index}]`,
        message: `placement policy "${firstPlacement.name}" (spec.policies[${firstPlacement.index}]) and topology policy "${t.name}" both decide where components run; keep the placement policy and move the topology's clusters into it (division: duplicated does what topology does), or keep the topology and remove the placement policy`,
      });

  let rest: PlacementPolicy = DEFAULT_PLACEMENT_POLICY;
  const ungoverned = names.filter((c) => !owner.has(c));
  if (topologies.length > 0 && placements.length === 0) {
    rest = topologyPlacement(topologies.map((t) => t.value));
    governing.push({
      path: `spec.policies[${topologies[0]!.index}]`,
      type: 'topology',
      name: topologies.map((t) => t.name).join(', '),
      policy: rest,
      components: ungoverned,
      targetPaths: topologies.map((t) => `spec.policies[${t.index}]`),
    });
  } else if (ungoverned.length > 0)
    governing.push({ path: 'spec.policies', type: 'default', name: 'default', policy: rest, components: ungoverned });

  if (residency) errors.push(...residencyConflicts(residency, placements, topologies));
  if (errors.length > 0) return { ok: false, errors };

  const byComponent = new Map<string, PlacementPolicy>();
  for (const [c, d] of owner) byComponent.set(c, d.value);
  const fallback = rest;
  return {
    ok: true,
    policyFor: (component) => byComponent.get(component) ?? fallback,
    ...(residency ? { residency: residency.value, residencyPath: `spec.policies[${residency.index}]` } : {}),
    governing,
  };
}

const EXPLICIT = ['clusters', 'regions', 'zones', 'networkZones'] as const;

/** Explicit lists that lie wholly outside the residency: such a policy could never place anything. */
function residencyConflicts(
  residency: Declared<ResidencyPolicy>,
  placements: readonly Declared<PlacementPolicy>[],
  topologies: readonly Declared<TopologyTarget>[],
): ErrorCause[] {
  const errors: ErrorCause[] = [];
  const where = `residency "${residency.name}" (spec.policies[${residency.index}])`;
  const check = (at: string, field: (typeof EXPLICIT)[number], listed: readonly string[]) => {
    const allowed = residency.value[field];
    if (listed.length === 0 || allowed.length === 0 || listed.some((x) => allowed.includes(x))) return;
    errors.push({
      path: `${at}.properties.${field}`,
      message: `every entry of ${listText(listed)} lies outside ${where}, which allows ${field} ${listText(allowed)}; nothing could be placed`,
    });
  };
  for (const p of placements) for (const f of EXPLICIT) check(`spec.policies[${p.index}]`, f, p.value[f]);
  for (const t of topologies) check(`spec.policies[${t.index}]`, 'clusters', t.value.clusters);
  return errors;
}
