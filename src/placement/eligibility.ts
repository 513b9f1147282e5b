import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
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

const ROLE_REASON: Readonly<Record<string, Message>> = {
  burst: msg('RoleBurstOverflowOnly'),
  'disaster-recovery': msg('RoleDisasterRecoveryNotListed'),
  primary: msg('RolePrimaryLeftOut'),
};

/** An exclusion from a coded reason. */
export function excludedBy(cluster: string, m: Message): ExcludedCluster {
  return Object.freeze({ cluster, reason: m.message, code: m.code, ...(m.params ? { params: m.params } : {}) });
}

const UNHEALTHY = msg('Unhealthy');
const DRAINING = msg('ClusterDraining');
/** Why a cordoned cluster gets none of a component that holds nothing there. */
export const CORDONED = msg('ClusterCordoned');
const NOT_IN_WEIGHTS = msg('NotInPolicyWeights');
const ZERO_WEIGHT = msg('ZeroWeight');

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
    let reason: Message | undefined;
    if (!c.healthy)
      reason = c.draining ? DRAINING : c.unhealthy ? msg('UnhealthyBecause', { why: c.unhealthy }) : UNHEALTHY;
    else if (residency) reason = outsideResidency(c, residency, list);
    if (reason === undefined && overflowSet.has(c.name)) {
      use[i] = OVERFLOW;
      continue;
    }
    if (reason === undefined) reason = outsidePolicy(c, policy, named, list);
    if (reason === undefined && !policy.roles.includes(c.role))
      reason = ROLE_REASON[c.role] ?? msg('External', { text: `role ${c.role} not eligible` });
    if (reason === undefined && weighted) {
      const w = policy.weights[c.name];
      if (w === undefined) reason = NOT_IN_WEIGHTS;
      else if (w === 0) reason = ZERO_WEIGHT;
      else weights.push(w);
    }
    if (reason === undefined) {
      use[i] = PRIMARY;
      primary.push(i);
    } else excluded[i] = excludedBy(c.name, reason);
  }

  const overflow: number[] = [];
  for (const name of policy.overflow) {
    const i = index.get(name);
    if (i !== undefined && use[i] === OVERFLOW) overflow.push(i);
  }
  return { use, primary, ...(weighted ? { weights } : {}), overflow, excluded };
}

type ListText = (key: string, items: readonly string[]) => string;

function outsideResidency(c: ClusterCandidate, r: ResidencyPolicy, list: ListText): Message | undefined {
  if (r.clusters.length > 0 && !r.clusters.includes(c.name))
    return msg('OutsideResidencyCluster', { cluster: c.name, allowed: list('rc', r.clusters) });
  if (r.regions.length > 0 && !r.regions.includes(c.region))
    return msg('OutsideResidencyRegion', { region: c.region, allowed: list('rr', r.regions) });
  if (r.zones.length > 0 && !r.zones.includes(c.zone))
    return msg('OutsideResidencyZone', { zone: c.zone, allowed: list('rz', r.zones) });
  if (r.networkZones.length > 0 && !r.networkZones.includes(c.networkZone))
    return msg('OutsideResidencyNetworkZone', { networkZone: c.networkZone, allowed: list('rn', r.networkZones) });
  return undefined;
}

function outsidePolicy(
  c: ClusterCandidate,
  p: PlacementPolicy,
  named: ReadonlySet<string> | undefined,
  list: ListText,
): Message | undefined {
  if (p.topology)
    return selectedByTopology(c, p.topology)
      ? undefined
      : msg('NotSelectedByTopology', { topology: topologyText(p.topology) });
  if (named && !named.has(c.name)) return msg('NotInPolicyClusters', { allowed: list('pc', p.clusters) });
  if (!matches(c.labels, p.clusterSelector.matchLabels))
    return msg('LabelsMismatch', { selector: labelsText(p.clusterSelector.matchLabels) });
  if (p.regions.length > 0 && !p.regions.includes(c.region))
    return msg('RegionNotInPolicy', { region: c.region, allowed: list('pr', p.regions) });
  if (p.vendors.length > 0 && !p.vendors.includes(c.vendor))
    return msg('VendorNotInPolicy', { vendor: c.vendor, allowed: list('pv', p.vendors) });
  if (p.zones.length > 0 && !p.zones.includes(c.zone))
    return msg('ZoneNotInPolicy', { zone: c.zone, allowed: list('pz', p.zones) });
  if (p.networkZones.length > 0 && !p.networkZones.includes(c.networkZone))
    return msg('NetworkZoneNotInPolicy', { networkZone: c.networkZone, allowed: list('pn', p.networkZones) });
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

/** The topology policies' targets: `spread clusters [a, b]; near labels {"zone":"x"}`. */
function topologyText(targets: readonly TopologyTarget[]): string {
  return targets
    .map((t) =>
      t.clusters.length > 0
        ? `${t.policy} clusters ${listText(t.clusters)}`
        : `${t.policy} labels ${labelsText(t.clusterLabelSelector ?? {})}`,
    )
    .join('; ');
}

/**
 * Eligibility with some clusters taken away from one component (application-level failover): they become
 * excluded with the reason given. A new object; the shared one is not changed.
 */
export function withoutClusters(
  e: Eligibility,
  avoid: Readonly<Record<string, Message>>,
  index: ReadonlyMap<string, number>,
): Eligibility {
  const use = Uint8Array.from(e.use);
  const excluded = [...e.excluded];
  for (const [cluster, reason] of Object.entries(avoid)) {
    const i = index.get(cluster);
    if (i === undefined || use[i] === EXCLUDED) continue;
    use[i] = EXCLUDED;
    excluded[i] = excludedBy(cluster, reason);
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
