import type { Message, Params } from '../kernel/messages/index.ts';
import type { Resources } from '../kernel/resources.ts';

export type ClusterRole = 'primary' | 'burst' | 'disaster-recovery';
export const CLUSTER_ROLES: readonly ClusterRole[] = ['primary', 'burst', 'disaster-recovery'];

/** What placement knows of one cluster. `free` is allocatable minus the requests of everything scheduled on it. */
export interface ClusterCandidate {
  readonly name: string;
  readonly vendor: string;
  readonly region: string;
  readonly zone: string;
  readonly networkZone: string;
  readonly role: ClusterRole;
  readonly labels: Readonly<Record<string, string>>;
  /** Ready and reachable. An unhealthy cluster never receives replicas. */
  readonly healthy: boolean;
  /** Why it is not healthy (`Unreachable`, `Unknown`, `PermissionDenied: watch services`, `cordoned` …), shown as the reason it was excluded. */
  readonly unhealthy?: string;
  /**
   * Cordoned (`spec.cordoned`): healthy, but it takes nothing new. A component keeps at most the replicas it holds
   * here; one that holds none is excluded with `ClusterCordoned`.
   */
  readonly cordoned?: boolean;
  /** Draining (`spec.draining`): not healthy for placement (`ClusterDraining`); delivery removes what runs here once moved. */
  readonly draining?: boolean;
  readonly free: Resources;
  /** All that the cluster's nodes offer to pods; fair sharing divides the private clusters' total. */
  readonly allocatable?: Resources;
  /** Yuan per core-hour and GiB-hour of requests; prices replicas against a burst budget. */
  readonly prices?: { readonly cpuCoreHour: number; readonly memoryGiBHour: number };
}

/**
 * How much of an application may run on clusters of role `burst`, all components together: a number of replicas
 * and a cost per hour (at each cluster's prices). Replicas already there beyond it are taken back, last declared
 * overflow cluster first.
 */
export interface BurstAllowance {
  readonly maxReplicas: number;
  readonly budgetYuanPerHour: number;
}

export type Division = 'duplicated' | 'weighted' | 'capacity';
export type SpreadBy = 'region' | 'vendor' | 'zone';

/** The `placement` policy of an application (polis's own; see docs/placement.md), with defaults filled. */
export interface PlacementPolicy {
  /** Components this policy governs; empty means all. */
  readonly components: readonly string[];
  /** Explicit cluster names; empty means any. */
  readonly clusters: readonly string[];
  readonly clusterSelector: { readonly matchLabels: Readonly<Record<string, string>> };
  readonly regions: readonly string[];
  readonly vendors: readonly string[];
  readonly zones: readonly string[];
  readonly networkZones: readonly string[];
  /** Roles eligible for normal placement (default: primary). Overflow clusters are eligible whatever their role. */
  readonly roles: readonly ClusterRole[];
  readonly spreadBy?: SpreadBy;
  readonly division: Division;
  /** Static weights by cluster name, for `division: weighted`. */
  readonly weights: Readonly<Record<string, number>>;
  readonly minPerCluster: number;
  readonly maxPerCluster?: number;
  /** Clusters (normally burst) used in this order when the eligible clusters lack room; shrunk first. */
  readonly overflow: readonly string[];
  /**
   * Set only for a policy made from KubeVela `topology` policies: a cluster is then eligible when any target names
   * it or matches its labels (a union, which the AND of `clusters` and `clusterSelector` cannot express).
   */
  readonly topology?: readonly TopologyTarget[];
}

/** One KubeVela `topology` policy, as a set of clusters. */
export interface TopologyTarget {
  /** The policy's name, for reasons and errors. */
  readonly policy: string;
  /** Explicit cluster names; when given, the selector is ignored (KubeVela's rule). */
  readonly clusters: readonly string[];
  /** Label selector used when `clusters` is absent; `{}` selects every cluster. */
  readonly clusterLabelSelector?: Readonly<Record<string, string>>;
  /** An empty selection is accepted instead of refused at admission. */
  readonly allowEmpty: boolean;
  /** Namespace to deploy into on the selected clusters (delivery reads it; placement does not). */
  readonly namespace?: string;
}

/** The `residency` policy: where an application must stay. Empty lists do not restrict. */
export interface ResidencyPolicy {
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
  readonly zones: readonly string[];
  readonly networkZones: readonly string[];
}

export interface ComponentDemand {
  readonly name: string;
  readonly replicas: number;
  /** Requests of one replica. */
  readonly perReplica: Resources;
}

/** Replicas per cluster name. */
export type ClusterReplicas = Readonly<Record<string, number>>;

export interface PlacementRequest {
  /** Identifies the application, e.g. `edu/enrolment`; used for stable tie-breaking. */
  readonly key: string;
  /** Policies by component: every component maps to exactly one policy. */
  readonly policyFor: (component: string) => PlacementPolicy;
  readonly residency?: ResidencyPolicy;
  readonly components: readonly ComponentDemand[];
  /** Where the components run now; its requests are already counted in the clusters' `free`. */
  readonly current: Readonly<Record<string, ClusterReplicas>>;
  /** Limits on burst clusters (src/placement/burst-limits.ts); absent, bursting is limited only by room. */
  readonly burst?: BurstAllowance;
  /** Clusters a component must leave, with the reason (application-level failover, src/failover). */
  readonly avoid?: Readonly<Record<string, Readonly<Record<string, Message>>>>;
  /**
   * At most this many replicas of a component on a cluster, whatever its free room says: where the cluster's
   * scheduler recently could not place more (room fragmented across nodes), so overflow is not handed back into
   * the same wall.
   */
  readonly roomCap?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /**
   * At most this many replicas of a component on private (non-burst) clusters together: what fair sharing grants
   * the application (src/placement/sharing.ts). Absent: limited by room only.
   */
  readonly privateCap?: Readonly<Record<string, number>>;
}

export interface ExcludedCluster {
  readonly cluster: string;
  /** The English sentence: "unhealthy", "outside residency: networkZone internet not in [e-gov-extranet]", … */
  readonly reason: string;
  /** The reason's code in the catalogue (src/kernel/messages): Unhealthy, OutsideResidencyNetworkZone, NoRoom … */
  readonly code: string;
  readonly params?: Params;
}

export interface ComponentPlacement {
  readonly replicas: ClusterReplicas;
  /** Replicas that found no room on any eligible cluster. */
  readonly unplaced: number;
  /** Of the unplaced, those a burst cluster had room for but the burst allowance held back; absent when none. */
  readonly burstHeldBack?: number;
  /** Of the unplaced, those a private cluster had room for but the department's share (privateCap) held back. */
  readonly shareHeldBack?: number;
  /** Every candidate cluster given no replica of this component, with the reason. Sorted by cluster name. */
  readonly excluded: readonly ExcludedCluster[];
}

export interface PlacementDecision {
  readonly key: string;
  readonly components: Readonly<Record<string, ComponentPlacement>>;
}
