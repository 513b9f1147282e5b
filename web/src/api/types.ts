import type { Params } from '../../../src/kernel/messages/index.ts';
import type { KubeObject } from './watch-reducer.ts';

/** The shapes the console reads, as the API serves them (docs/api.md, docs/clusters.md, docs/delivery.md). */

export interface LocalizedName {
  readonly zh?: string;
  readonly en?: string;
}

export interface Resources {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly pods: number;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  /** The message's code in the catalogue and its params (src/kernel/messages); `message` is the English. */
  readonly code?: string;
  readonly params?: Params;
  readonly lastTransitionTime?: string;
}

/** A coded message as the server sends it (src/kernel/messages). */
export interface ServerMessage {
  readonly code: string;
  readonly params?: Params;
  readonly message: string;
}

/** Why a cluster got no replica of a component: English `reason`, and its code and params. */
export interface Exclusion {
  readonly cluster: string;
  readonly reason: string;
  readonly code?: string;
  readonly params?: Params;
}

export type ClusterHealth = 'Unknown' | 'Ready' | 'Suspect' | 'Unreachable' | 'PermissionDenied';

export interface Cluster extends KubeObject {
  readonly spec: {
    readonly provider: 'simulated' | 'kubernetes';
    readonly vendor: string;
    readonly region: string;
    readonly zone: string;
    readonly networkZone: string;
    readonly role: 'primary' | 'burst' | 'disaster-recovery';
    readonly prices?: {
      readonly cpuCoreHour?: number;
      readonly memoryGiBHour?: number;
      readonly storageGiBMonth?: number;
      readonly burstPremiumPercent?: number;
      readonly fixedMonthly?: number;
      readonly billing?: 'capacity' | 'usage';
    };
    readonly displayName?: LocalizedName;
    readonly cordoned?: boolean;
    /** Everything moves off, make-before-break (docs/clusters.md, "Maintenance"). */
    readonly draining?: boolean;
    readonly simulation?: { nodes: number; nodeCpu: string; nodeMemory: string; nodePods: number };
  };
  readonly status?: {
    readonly health?: ClusterHealth;
    readonly conditions?: readonly Condition[];
    readonly capacity?: Resources;
    readonly allocatable?: Resources;
    readonly requested?: Resources;
    readonly used?: Resources;
    readonly nodes?: { readonly total: number; readonly ready: number };
    readonly lastHeartbeat?: string;
    readonly version?: string;
    readonly message?: string;
    readonly pendingCleanup?: readonly { tenant: string; app: string; namespace: string }[];
  };
}

export type AppPhase = 'Pending' | 'Progressing' | 'Running' | 'Degraded' | 'Failed' | 'Suspended' | 'Deleting';

export interface ClusterComponentStatus {
  readonly cluster: string;
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly phase: string;
  readonly reason?: string;
  readonly message?: string;
  readonly detail?: ServerMessage;
}

export interface ComponentStatus {
  readonly name: string;
  /** Long-running replicas only: a task or cron-task counts 0/0 and shows its runs. */
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly workload?: 'Job' | 'CronJob';
  readonly runs?: {
    readonly active: number;
    readonly lastResult?: 'Succeeded' | 'Failed';
    readonly lastScheduleTime?: string;
    readonly lastSuccessfulTime?: string;
    readonly nextScheduleTime?: string;
    readonly clusters: readonly string[];
  };
  readonly unplaced?: number;
  readonly phase: string;
  /** Reason code when the clusters alone do not say why (`Saturated`, with `saturation` as its parameters). */
  readonly reason?: string;
  readonly saturation?: {
    readonly signal: 'cpu' | 'latency';
    readonly value: number;
    readonly threshold: number;
    readonly since: string;
  };
  readonly clusters: readonly ClusterComponentStatus[];
  readonly excluded: readonly Exclusion[];
  /** Eligible clusters left unused, grouped by reason (read with exclusionsOf, src/data/exclusions.ts). */
  readonly unused?: readonly UnusedClusters[];
}

/** Eligible clusters given no replica for one reason (0 requested, not needed …), by name. */
export interface UnusedClusters {
  readonly code: string;
  readonly reason: string;
  readonly clusters: readonly string[];
}

export interface AppStatus {
  readonly observedGeneration?: number;
  readonly revision?: string;
  readonly phase?: AppPhase;
  readonly healthy?: boolean;
  readonly message?: string;
  readonly code?: string;
  readonly params?: Params;
  readonly conditions?: readonly Condition[];
  readonly placement?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly components?: readonly ComponentStatus[];
  readonly clusters?: readonly string[];
  readonly pendingRemoval?: readonly string[];
  readonly failover?: {
    readonly origins?: readonly string[];
    readonly phase?: string;
    readonly at?: string;
    readonly [k: string]: unknown;
  };
  readonly scaling?: {
    readonly preview?: boolean;
    /** Each component's count and why: `reason` in English, `code` and `params` coded (rendered in the console's language). */
    readonly components?: Readonly<
      Record<
        string,
        { readonly desired: number; readonly reason?: string; readonly code?: string; readonly params?: Params }
      >
    >;
  };
  readonly workflow?: {
    readonly steps?: readonly { readonly name: string; readonly type: string; readonly phase: string }[];
    readonly suspended?: boolean;
  };
  readonly sharing?: SharingStatus;
}

export interface OamComponent {
  readonly name: string;
  readonly type: string;
  readonly properties?: Record<string, unknown>;
  readonly traits?: readonly { readonly type: string; readonly properties?: Record<string, unknown> }[];
}

export interface Application extends KubeObject {
  readonly spec: {
    readonly components: readonly OamComponent[];
    readonly policies?: readonly { readonly name: string; readonly type: string; readonly properties?: unknown }[];
    readonly workflow?: unknown;
  };
  readonly status?: AppStatus;
}

export interface PolisEvent extends KubeObject {
  readonly spec: {
    readonly involvedObject: { readonly apiVersion?: string; readonly kind: string; readonly name: string };
    readonly type: 'Normal' | 'Warning';
    readonly reason: string;
    readonly message: string;
    readonly code?: string;
    readonly params?: Params;
    readonly source?: { readonly component?: string; readonly cluster?: string };
    readonly count?: number;
    readonly firstTimestamp?: string;
    readonly lastTimestamp?: string;
  };
}

export interface Tenant extends KubeObject {
  readonly spec: {
    readonly displayName?: LocalizedName;
    readonly parent?: string;
    readonly contacts?: readonly { name: string; role?: string; email?: string; phone?: string }[];
    readonly quota?: { cpu?: string; memory?: string; storage?: string; applications?: number };
  };
}

export interface RoleBinding extends KubeObject {
  readonly spec: { readonly user: string; readonly role: string };
}

export interface User extends KubeObject {
  readonly spec: {
    readonly displayName?: string;
    readonly email?: string;
    readonly disabled?: boolean;
    [k: string]: unknown;
  };
}

/** `GET /api/v1/applications/summary` (src/apps/app-summary.ts). */
export interface ApplicationSummary {
  readonly metadata: { readonly resourceVersion: string };
  readonly total: number;
  readonly healthy: number;
  readonly byPhase: Readonly<Record<string, number>>;
  readonly clusters: readonly { readonly cluster: string; readonly applications: number; readonly replicas: number }[];
  readonly departments: readonly {
    readonly tenant: string;
    readonly applications: number;
    readonly healthy: number;
    readonly replicas: number;
  }[];
  readonly attention: readonly {
    readonly tenant: string;
    readonly name: string;
    readonly phase: string;
    readonly healthy: boolean;
    readonly clusters: Readonly<Record<string, number>>;
    readonly desired: number;
    readonly ready: number;
    readonly message?: string;
    readonly code?: string;
    readonly params?: Params;
  }[];
}

/** `GET /api/v1/usage` items: quota against requested and placed resources, and cost (docs/api.md). */
export interface DepartmentUsage {
  readonly tenant: string;
  readonly displayName?: LocalizedName | string;
  readonly quota: { cpu?: number; memory?: number; storage?: number; applications?: number };
  readonly requested: { cpu: number; memory: number; storage: number; applications: number };
  readonly placed: { cpu: number; memory: number; replicas: number; burstReplicas: number };
  readonly costPerHour: number;
  /** Replicas still listed on Unreachable clusters: not in `placed` nor the cost (absent from older servers). */
  readonly unreachable?: { cpu: number; memory: number; replicas: number };
  /** Its share of the private cloud (absent from servers before fair sharing). */
  readonly sharing?: DepartmentSharing;
}

export type HeldBackReason = 'QuotaLimited' | 'CapacityLimited';

/** A department's share of the private (non-burst) clusters: cores and bytes (docs/api.md). */
export interface DepartmentSharing {
  readonly guarantee: { cpu?: number; memory?: number };
  readonly borrowingLimit: { cpu?: number; memory?: number };
  readonly privatePlaced: { cpu: number; memory: number };
  readonly borrowed: { cpu: number; memory: number };
  /** Of the guarantee used, the larger of cpu and memory; absent without a guarantee. */
  readonly percent?: number;
  readonly heldBack: { readonly replicas: number; readonly byReason: Partial<Record<HeldBackReason, number>> };
  readonly level: 'ok' | 'near' | 'over';
}

/** A platform-wide warning in `GET /api/v1/usage` (platform readers only). */
export interface PlatformWarning {
  readonly reason: 'GuaranteesOvercommitted' | string;
  readonly message: string;
  readonly params: Readonly<Record<string, number>>;
}

/** status.sharing of an Application: per component what runs within the guarantee, borrowed, and held back. */
export interface SharingStatus {
  readonly priority: 'critical' | 'normal' | 'preemptible';
  readonly components: Readonly<
    Record<
      string,
      {
        readonly guaranteed: number;
        readonly borrowed: number;
        readonly limited?: number;
        readonly reason?: HeldBackReason;
      }
    >
  >;
}

export interface WhoAmI {
  readonly kind: 'WhoAmI';
  readonly user: string;
  readonly via?: string;
  readonly bindings: readonly { readonly role: string; readonly tenant?: string }[];
}

export interface AuditEntry {
  readonly seq: number;
  readonly time: string;
  readonly actor: string;
  readonly verb: string;
  readonly apiVersion?: string;
  readonly kind: string;
  readonly tenant?: string;
  readonly name: string;
  readonly outcome: string;
  readonly code: number;
  readonly message?: string;
  readonly requestId?: string;
  readonly changes?: unknown;
}

export interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly headSeq: number;
  readonly headHash: string;
  readonly brokenAt?: { readonly seq: number; readonly problem: string };
}

export interface RevisionHistory {
  readonly application: string;
  readonly current: number;
  readonly items: readonly {
    readonly revision: number;
    readonly name: string;
    readonly created: string;
    readonly current?: boolean;
    readonly rollbackOf?: number;
    readonly changeCause?: string;
  }[];
}

export interface ApplicationMetrics {
  readonly source?: string;
  readonly components: readonly {
    readonly component: string;
    readonly signals?: {
      readonly at: number;
      readonly readyPods: number;
      readonly requestsPerSecond?: number;
      readonly cpuUtilization?: number;
      readonly latencyP99Ms?: number;
      readonly perCluster?: Readonly<
        Record<
          string,
          { readyPods: number; requestsPerSecond?: number; cpuUtilization?: number; latencyP99Ms?: number }
        >
      >;
    };
  }[];
}
