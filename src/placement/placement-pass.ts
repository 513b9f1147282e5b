import { msg } from '../kernel/messages/index.ts';
import type { Message } from '../kernel/messages/index.ts';
import { compileEligibility, excludedBy } from './eligibility.ts';
import type { Eligibility } from './eligibility.ts';
import type { ClusterCandidate, ExcludedCluster, PlacementPolicy, ResidencyPolicy, SpreadBy } from './types.ts';

/**
 * What one placement pass shares between its decisions: the clusters in name order, eligibility per (policy,
 * residency), reason objects, and scratch arrays, so a decision allocates little beyond its own result.
 */
export class PlacementPass {
  readonly clusters: readonly ClusterCandidate[];
  readonly index: ReadonlyMap<string, number>;
  /** Scratch per cluster: the current replicas of the component being placed. Zeroed after each component. */
  readonly current: Float64Array;
  /** Scratch per cluster: the replicas just placed. Zeroed after each component. */
  readonly placed: Int32Array;
  /** Whether any cluster is cordoned (takes nothing new): the planner then caps rooms by current replicas. */
  readonly anyCordoned: boolean;
  readonly #byPolicy = new WeakMap<PlacementPolicy, Array<[ResidencyPolicy | undefined, Eligibility]>>();
  readonly #byShape = new Map<string, Eligibility>();
  /** Reason objects per (reason, cluster): FIXED_REASONS, then one per `short` mask. */
  readonly #fixed: Array<ExcludedCluster | undefined>;
  readonly #groupOf: Record<SpreadBy, (i: number) => string>;

  constructor(clusters: readonly ClusterCandidate[]) {
    this.clusters = [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.index = new Map(this.clusters.map((c, i) => [c.name, i]));
    this.current = new Float64Array(this.clusters.length);
    this.placed = new Int32Array(this.clusters.length);
    this.anyCordoned = this.clusters.some((c) => c.cordoned === true);
    this.#fixed = new Array<ExcludedCluster | undefined>((FIXED_REASONS.length + 8) * this.clusters.length).fill(
      undefined,
    );
    const sorted = this.clusters;
    this.#groupOf = {
      region: (i) => sorted[i]!.region,
      vendor: (i) => sorted[i]!.vendor,
      zone: (i) => sorted[i]!.zone,
    };
  }

  /**
   * Eligibility of every cluster under a policy and residency. Cached by object identity (the components of one
   * application share their policy objects), then by content (applications made from one template share a shape).
   */
  eligibility(policy: PlacementPolicy, residency: ResidencyPolicy | undefined): Eligibility {
    let seen = this.#byPolicy.get(policy);
    if (seen) for (const [r, e] of seen) if (r === residency) return e;
    const key = shapeKey(policy, residency);
    let e = this.#byShape.get(key);
    if (!e) {
      e = compileEligibility(policy, residency, this.clusters, this.index);
      this.#byShape.set(key, e);
    }
    if (!seen) this.#byPolicy.set(policy, (seen = []));
    seen.push([residency, e]);
    return e;
  }

  groupOf(by: SpreadBy): (i: number) => string {
    return this.#groupOf[by];
  }

  /** The shared reason object for a fixed reason text (see FIXED_REASONS), without a lookup by text. */
  fixedReason(i: number, which: FixedReason): ExcludedCluster {
    const slot = which * this.clusters.length + i;
    return (this.#fixed[slot] ??= excludedBy(this.clusters[i]!.name, FIXED_REASONS[which]!));
  }

  /** The shared "no room" reason for a `CapacityLedger.short` mask. */
  noRoom(i: number, mask: number): ExcludedCluster {
    const slot = (FIXED_REASONS.length + mask) * this.clusters.length + i;
    return (this.#fixed[slot] ??= excludedBy(this.clusters[i]!.name, msg('NoRoom', { resources: SHORT[mask]! })));
  }
}

/** Why an eligible cluster got no replica, when room is not the reason. */
export const FIXED_REASONS: readonly Message[] = [
  msg('NoReplicasRequested'),
  msg('NotNeeded'),
  msg('OverflowNotNeeded'),
  msg('BurstHeldBack'),
  msg('PrivateShareUsed'),
];

/** The dimensions of a `CapacityLedger.short` mask, coded (SHORT_TEXT in words). */
const SHORT: readonly (Message | undefined)[] = [
  undefined,
  msg('ResourcesCpu'),
  msg('ResourcesMemory'),
  msg('ResourcesCpuMemory'),
  msg('ResourcesPods'),
  msg('ResourcesCpuPods'),
  msg('ResourcesMemoryPods'),
  msg('ResourcesCpuMemoryPods'),
];
export type FixedReason = 0 | 1 | 2 | 3 | 4;

/** Everything eligibility depends on, as text. */
function shapeKey(p: PlacementPolicy, r: ResidencyPolicy | undefined): string {
  return JSON.stringify([
    p.clusters,
    p.clusterSelector.matchLabels,
    p.regions,
    p.vendors,
    p.zones,
    p.networkZones,
    p.roles,
    p.overflow,
    p.division === 'weighted' ? p.weights : 0,
    p.topology ?? 0,
    r ? [r.clusters, r.regions, r.zones, r.networkZones] : 0,
  ]);
}
