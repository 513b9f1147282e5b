import { labelsText, listText } from './policy-fields.ts';
import type { ClusterCandidate, ExcludedCluster, PlacementPolicy, ResidencyPolicy, TopologyTarget } from './types.ts';

/** How a cluster may be used by one component. */
export const EXCLUDED = 0;
export const PRIMARY = 1;
export const OVERFLOW = 2;

/**
 * Which clusters one (placement policy, residency) pair allows, computed once per pair and pass. Clusters are
 * addressed by their index in name order.
 */
export interface Eligibility {
  /** EXCLUDED, PRIMARY or OVERFLOW per cluster. */
  readonly use: Uint8Array;
  /** Clusters eligible for normal placement, in name order. */
  readonly primary: readonly number[];
  /** Static weights aligned with `primary` (division weighted only). */
  readonly weights?: readonly number[];
  /** Usable overflow clusters, in declared order. */
  readonly overflow: readonly number[];
  /** The reason per excluded cluster (undefined where usable). */
  readonly excluded: ReadonlyArray<ExcludedCluster | undefined>;
}

const ROLE_HINT: Readonly<Record<string, string>> = {
  burst: 'overflow only when primaries are full',
  'disaster-recovery': 'only when the policy lists it in roles',
  primary: 'roles leaves out primary',
};

/**
 * Decides eligibility of every cluster. Checks run in a fixed order so the reason is stable: health, residency
 * (which wins over overflow), overflow membership, the policy's cluster filters, role, weight.
 */
export function compileEligibility(
  policy: PlacementPolicy,
  residency: ResidencyPolicy | undefined,
  clusters: readonly ClusterCandidate[],
  index: ReadonlyMap<string, number>,
): Eligibility {
  const n = clusters.length;
  const use = new Uint8Array(n);
  const excluded = new Array<ExcludedCluster | undefined>(n);
  const primary: number[] = [];
  const overflowSet = new Set(policy.overflow);
  const named = policy.clusters.length > 0 ? new Set(policy.clusters) : undefined;
  const weighted = policy.division === 'weighted';
  const weights: number[] = [];
  const texts = new Map<string, string>();
  const list = (key: string, items: readonly string[]) => {
    let t = texts.get(key);
    if (t === undefined) texts.set(key, (t = listText(items)));
    return t;
  };

  for (let i = 0; i < n; i++) {
    const c = clusters[i]!;
    let reason: string | undefined;
    if (!c.healthy) reason = c.unhealthy ? `unhealthy: ${c.unhealthy}` : 'unhealthy';
    else if (residency) reason = outsideResidency(c, residency, list);
    if (reason === undefined && overflowSet.has(c.name)) {
      use[i] = OVERFLOW;
      continue;
    }
    if (reason === undefined) reason = outsidePolicy(c, policy, named, list);
    if (reason === undefined && !policy.roles.includes(c.role))
      reason = `role ${c.role} not eligible (${ROLE_HINT[c.role]})`;
    if (reason === undefined && weighted) {
      const w = policy.weights[c.name];
      if (w === undefined) reason = 'not in policy weights';
      else if (w === 0) reason = 'weight 0 in policy weights';
      else weights.push(w);
    }
    if (reason === undefined) {
      use[i] = PRIMARY;
      primary.push(i);
    } else excluded[i] = Object.freeze({ cluster: c.name, reason });
  }

  const overflow: number[] = [];
  for (const name of policy.overflow) {
    const i = index.get(name);
    if (i !== undefined && use[i] === OVERFLOW) overflow.push(i);
  }
  return { use, primary, ...(weighted ? { weights } : {}), overflow, excluded };
}

type ListText = (key: string, items: readonly string[]) => string;

function outsideResidency(c: ClusterCandidate, r: ResidencyPolicy, list: ListText): string | undefined {
  if (r.clusters.length > 0 && !r.clusters.includes(c.name))
    return `outside residency: cluster ${c.name} not in ${list('rc', r.clusters)}`;
  if (r.regions.length > 0 && !r.regions.includes(c.region))
    return `outside residency: region ${c.region} not in ${list('rr', r.regions)}`;
  if (r.zones.length > 0 && !r.zones.includes(c.zone))
    return `outside residency: zone ${c.zone} not in ${list('rz', r.zones)}`;
  if (r.networkZones.length > 0 && !r.networkZones.includes(c.networkZone))
    return `outside residency: networkZone ${c.networkZone} not in ${list('rn', r.networkZones)}`;
  return undefined;
}

function outsidePolicy(
  c: ClusterCandidate,
  p: PlacementPolicy,
  named: ReadonlySet<string> | undefined,
  list: ListText,
): string | undefined {
  if (p.topology) return selectedByTopology(c, p.topology) ? undefined : `not selected by ${topologyText(p.topology)}`;
  if (named && !named.has(c.name)) return `not in policy clusters ${list('pc', p.clusters)}`;
  if (!matches(c.labels, p.clusterSelector.matchLabels))
    return `labels do not match clusterSelector ${labelsText(p.clusterSelector.matchLabels)}`;
  if (p.regions.length > 0 && !p.regions.includes(c.region))
    return `region ${c.region} not in policy regions ${list('pr', p.regions)}`;
  if (p.vendors.length > 0 && !p.vendors.includes(c.vendor))
    return `vendor ${c.vendor} not in policy vendors ${list('pv', p.vendors)}`;
  if (p.zones.length > 0 && !p.zones.includes(c.zone))
    return `zone ${c.zone} not in policy zones ${list('pz', p.zones)}`;
  if (p.networkZones.length > 0 && !p.networkZones.includes(c.networkZone))
    return `networkZone ${c.networkZone} not in policy networkZones ${list('pn', p.networkZones)}`;
  return undefined;
}

export function matches(labels: Readonly<Record<string, string>>, want: Readonly<Record<string, string>>): boolean {
  for (const k in want) if (labels[k] !== want[k]) return false;
  return true;
}

/** KubeVela's rule per topology policy: its clusters when it names any, else its label selector. */
export function selectedByTopology(c: ClusterCandidate, targets: readonly TopologyTarget[]): boolean {
  for (const t of targets) {
    if (t.clusters.length > 0 ? t.clusters.includes(c.name) : matches(c.labels, t.clusterLabelSelector ?? {}))
      return true;
  }
  return false;
}

function topologyText(targets: readonly TopologyTarget[]): string {
  const parts = targets.map((t) =>
    t.clusters.length > 0
      ? `${t.policy} clusters ${listText(t.clusters)}`
      : `${t.policy} labels ${labelsText(t.clusterLabelSelector ?? {})}`,
  );
  return `topology ${parts.join('; ')}`;
}

/**
 * Eligibility with some clusters taken away from one component (application-level failover): they become
 * excluded with the reason given. A new object; the shared one is not changed.
 */
export function withoutClusters(
  e: Eligibility,
  avoid: Readonly<Record<string, string>>,
  index: ReadonlyMap<string, number>,
): Eligibility {
  const use = Uint8Array.from(e.use);
  const excluded = [...e.excluded];
  for (const [cluster, reason] of Object.entries(avoid)) {
    const i = index.get(cluster);
    if (i === undefined || use[i] === EXCLUDED) continue;
    use[i] = EXCLUDED;
    excluded[i] = { cluster, reason };
  }
  const keep = (i: number) => use[i] !== EXCLUDED;
  const primary = e.primary.filter(keep);
  return {
    use,
    primary,
    ...(e.weights ? { weights: e.weights.filter((_, j) => keep(e.primary[j]!)) } : {}),
    overflow: e.overflow.filter(keep),
    excluded,
  };
}
