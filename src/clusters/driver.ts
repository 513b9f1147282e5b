import type { Manifest } from '../kernel/manifest.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';

import type { Resources } from '../kernel/resources.ts';
import type { Owner } from '../kernel/ownership.ts';
import { OWNER_LABELS as LABELS } from '../kernel/ownership.ts';

/** The vocabulary drivers share with placement and rendering lives in the kernel; re-exported for the drivers. */
export type { Resources } from '../kernel/resources.ts';
export { NO_RESOURCES } from '../kernel/resources.ts';
export type { Owner } from '../kernel/ownership.ts';
export { OWNER_LABELS } from '../kernel/ownership.ts';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface ApplyOptions {
  readonly owner: Owner;
  /**
   * Dotted paths per manifest key (`manifestKey`) that are applied only when the object is created and never
   * reverted afterwards: replicas under a native HPA, apply-once rules.
   */
  readonly createOnlyPaths?: Readonly<Record<string, readonly string[]>>;
  /** Take ownership of fields another manager holds (server-side apply `force`). */
  readonly force?: boolean;
  /**
   * A digest of the manifests and these options (delivery's ClusterPlan.hash): a driver that keeps it answers
   * `applyUnchanged` for it later, while nothing this apply left has changed.
   */
  readonly digest?: string;
}

export interface AppliedObject {
  readonly key: string;
  readonly action: ApplyAction;
}

/** The outcome of applying one manifest that the cluster refused. */
export interface ApplyFailure {
  readonly key: string;
  readonly message: string;
}

export interface ApplyReport {
  readonly applied: readonly AppliedObject[];
  readonly failed: readonly ApplyFailure[];
}

export interface PruneReport {
  readonly deleted: readonly string[];
}

export type WorkloadPhase = 'Pending' | 'Progressing' | 'Running' | 'Degraded' | 'Failed' | 'Succeeded';

/** One workload (Deployment, StatefulSet, Job, CronJob) as Kubernetes reports it, reduced to what polis shows. */
export interface WorkloadStatus {
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  readonly component: string;
  /** The `metadata.generation` the cluster's controller has acted on equals the object's own generation. */
  readonly observed: boolean;
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  readonly updatedReplicas: number;
  readonly availableReplicas: number;
  readonly phase: WorkloadPhase;
  /** Why it is not Running: ImagePullBackOff, CrashLoopBackOff, Unschedulable, … */
  readonly reason?: string;
  readonly message?: string;
  /** Pods the scheduler found no node for (absent: none, or the cluster does not say). */
  readonly unschedulableReplicas?: number;
  /** For a Job polis applied, and a CronJob: its runs (a Job a CronJob created has none: its CronJob tells). */
  readonly run?: RunReport;
}

/** The runs of a task (Job) or cron-task (CronJob), as the cluster reports them. Times are ISO. */
export interface RunReport {
  /** Runs going on now. */
  readonly active: number;
  /** The outcome of the last finished run. */
  readonly lastResult?: 'Succeeded' | 'Failed';
  /** When the last run was started (a CronJob's lastScheduleTime, a Job's startTime). */
  readonly lastScheduleTime?: string;
  /** When a run last succeeded. */
  readonly lastSuccessfulTime?: string;
  /** When a CronJob runs next (absent: suspended, or a Job). */
  readonly nextScheduleTime?: string;
}

export interface ClusterCapacity {
  readonly capacity: Resources;
  readonly allocatable: Resources;
  /** Sum of the requests of scheduled pods. */
  readonly requested: Resources;
  /** Sum of the requests of pods waiting for a node (they take room as soon as any frees up). */
  readonly pending?: Resources;
  /** Measured use, when the cluster reports it. */
  readonly used?: Resources;
  readonly nodes: readonly NodeStatus[];
}

export interface NodeStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly allocatable: Resources;
  readonly requested: Resources;
}

/** One pod of an application, as `kubectl get pods` shows it. Times are ISO. */
export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  /** The application component (`app.oam.dev/component`), when the pod carries it. */
  readonly component?: string;
  /** Kubernetes' phase (Pending, Running, Succeeded, Failed, Unknown), or the simulated cloud's finer one. */
  readonly phase: string;
  readonly ready: boolean;
  readonly restarts: number;
  readonly node?: string;
  readonly createdAt: string;
  /** Why it is not on its way to ready (CrashLoopBackOff, ImagePullBackOff, Unschedulable). */
  readonly reason?: string;
  /** Why a container last stopped (Error, OOMKilled, Completed …). */
  readonly lastTermination?: string;
  readonly containers: readonly string[];
}

/** Which lines of a pod's log to read (Kubernetes' pod log options). */
export interface LogRequest {
  readonly pod: string;
  /** Default: the pod's only container; a pod of several gets all of them (the simulated cloud) or the first. */
  readonly container?: string;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
}

/**
 * One Kubernetes Event (core/v1) of an application's namespace, as the cluster wrote it: `reason` is Kubernetes' own
 * stable code (BackOff, Unhealthy, FailedScheduling …) and `message` the cluster's text, shown as the cluster's.
 * Times are ISO.
 */
export interface ClusterEvent {
  readonly namespace: string;
  readonly name: string;
  readonly involvedObject: { readonly kind: string; readonly name: string };
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
}

/** Which events of a namespace to read: the newest `limit`, optionally about one object. */
export interface EventQuery {
  readonly limit: number;
  readonly involvedObject?: { readonly kind?: string; readonly name?: string };
}

/** Newest first (last seen), then by name: how every driver returns events. */
export function newestEventsFirst(events: readonly ClusterEvent[]): ClusterEvent[] {
  return [...events].sort((a, b) =>
    a.lastTimestamp !== b.lastTimestamp
      ? a.lastTimestamp < b.lastTimestamp
        ? 1
        : -1
      : a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0,
  );
}

/** A right polis needs in a cluster: `verb` on `resource` of API `group` ('' for the core group). */
export interface ClusterPermission {
  readonly verb: string;
  readonly resource: string;
  readonly group: string;
}

export interface ClusterHealth {
  readonly reachable: boolean;
  /** Rights the cluster refused (403) that polis needs to deliver there: the cluster is then not schedulable. */
  readonly denied?: readonly ClusterPermission[];
  /** Reachable and its API answers ready. */
  readonly ready: boolean;
  readonly message?: string;
  /** `message`, coded. */
  readonly detail?: Message;
  readonly version?: string;
}

/** A cluster could not be reached; the caller keeps what it knows and retries. Nothing on the cluster changed. */
export class ClusterUnreachableError extends Error {
  readonly cluster: string;
  /** Why, coded (ClusterDown, ClusterPartitioned …; External for a text from the network or the cluster). */
  readonly why: Message;
  /** The whole message, coded: ClusterUnreachable {cluster, detail: why}. */
  readonly detail: Message;
  constructor(cluster: string, why: string | Message) {
    const w = typeof why === 'string' ? msg('External', { text: why }) : why;
    const detail = msg('ClusterUnreachable', { cluster, detail: w });
    super(detail.message);
    this.name = 'ClusterUnreachableError';
    this.cluster = cluster;
    this.why = w;
    this.detail = detail;
  }
}

/** The reason code of a refusal to write into a namespace another application owns. */
export const NAMESPACE_OWNED_BY_OTHER = 'NamespaceOwnedByOther';

/**
 * A driver refused to apply anything: a namespace the manifests go to is labelled as another (department,
 * application)'s. Nothing on the cluster changed; polis never takes another application's namespace over.
 */
export class NamespaceOwnedError extends Error {
  readonly reason = NAMESPACE_OWNED_BY_OTHER;
  readonly cluster: string;
  readonly namespace: string;
  /** The department and application the namespace's labels name. */
  readonly owner: { readonly tenant: string; readonly app: string };
  /** The message, coded. */
  readonly detail: Message;
  constructor(cluster: string, namespace: string, owner: { readonly tenant: string; readonly app: string }) {
    const detail = msg('NamespaceOwnedByOther', { namespace, cluster, application: owner.app, tenant: owner.tenant });
    super(detail.message);
    this.detail = detail;
    this.name = 'NamespaceOwnedError';
    this.cluster = cluster;
    this.namespace = namespace;
    this.owner = owner;
  }
}

/** The namespaces a set of manifests writes into (their own, and Namespace objects), sorted. */
export function targetNamespaces(manifests: readonly Manifest[]): string[] {
  const out = new Set<string>();
  for (const m of manifests) {
    const meta = m.metadata as { name?: unknown; namespace?: unknown } | undefined;
    if (m.kind === 'Namespace' && m.apiVersion === 'v1' && typeof meta?.name === 'string') out.add(meta.name);
    else if (typeof meta?.namespace === 'string' && meta.namespace !== '') out.add(meta.namespace);
  }
  return [...out].sort();
}

/**
 * The other (department, application) a live namespace's ownership labels name, or undefined when they name
 * `owner` or no polis application at all (a namespace polis does not manage may be used, as before).
 */
export function otherNamespaceOwner(
  labels: Readonly<Record<string, string>> | undefined,
  owner: Pick<Owner, 'tenant' | 'app'>,
): { tenant: string; app: string } | undefined {
  const tenant = labels?.[LABELS.tenant];
  const app = labels?.[LABELS.app];
  if (tenant === undefined && app === undefined) return undefined;
  if (tenant === owner.tenant && app === owner.app) return undefined;
  return { tenant: tenant ?? '', app: app ?? '' };
}

/**
 * The cluster answers but refuses rights polis needs (its role lacks them): nothing is delivered there until the
 * role is fixed. Not a lost connection: the cluster is shown PermissionDenied, not Unreachable.
 */
export class ClusterForbiddenError extends Error {
  readonly cluster: string;
  readonly denied: readonly ClusterPermission[];
  /** The message, coded. */
  readonly detail: Message;
  constructor(cluster: string, denied: readonly ClusterPermission[]) {
    const detail = msg('ClusterForbidden', { cluster, denied: deniedText(denied) });
    super(detail.message);
    this.detail = detail;
    this.name = 'ClusterForbiddenError';
    this.cluster = cluster;
    this.denied = denied;
  }
}

/** `watch services, watch pods` → the rights in words, grouped by verb. */
export function deniedText(denied: readonly ClusterPermission[]): string {
  return denied.map((p) => `${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}`).join(', ');
}

/**
 * How polis talks to one member cluster. The simulated cloud and real Kubernetes implement it; the delivery and
 * cluster controllers use nothing else. Every method throws ClusterUnreachableError when the cluster cannot be
 * reached.
 */
export interface ClusterDriver {
  readonly cluster: string;
  /**
   * Creates or updates each manifest; an object already as desired is left alone and reported `unchanged`. Throws
   * NamespaceOwnedError, applying nothing, when a target namespace's ownership labels name another application.
   */
  apply(manifests: readonly Manifest[], options: ApplyOptions): Promise<ApplyReport>;
  /**
   * Optional: the report an apply of the manifests of the owner's last apply with `digest` would give (every object
   * `unchanged`), without the manifests, when the cluster can tell that every object that apply left is still exactly
   * as it left it (none changed or went since); undefined when it cannot, and the caller applies the manifests.
   */
  applyUnchanged?(owner: Owner, digest: string): Promise<ApplyReport | undefined>;
  /** Deletes the owner's objects whose keys are not in `keep` (with their dependents). */
  prune(owner: Owner, keep: ReadonlySet<string>): Promise<PruneReport>;
  /** The keys of every object the owner has in the cluster. */
  inventory(owner: Owner): Promise<string[]>;
  /** Status of the owner's workloads. */
  observe(owner: Owner): Promise<WorkloadStatus[]>;
  /**
   * The object of `apiVersion`/`kind` named `name` in `namespace` as the cluster holds it, or undefined when there
   * is none (a ref-objects component's copies are read with it, from namespaces of the department's own). Throws
   * ClusterUnreachableError, or an Error with the API server's answer when it refuses.
   */
  read?(apiVersion: string, kind: string, namespace: string, name: string): Promise<Manifest | undefined>;
  /**
   * Deletes one object by name (its dependents follow in the background): the marketplace's provisioning Jobs and
   * their Secrets, which belong to no application. False when there was none. Throws as `read` does.
   */
  remove?(apiVersion: string, kind: string, namespace: string, name: string): Promise<boolean>;
  capacity(): Promise<ClusterCapacity>;
  /** The owner's pods in its namespace, by name. */
  pods(owner: Owner): Promise<PodInfo[]>;
  /** Lines of a pod's log, oldest first; undefined when the owner has no such pod there. */
  logs(owner: Owner, request: LogRequest): Promise<string[] | undefined>;
  /**
   * Follows a pod's log: `onLine` for each line written from now on, until the returned function is called, or
   * the cluster ends the stream (the pod went away: `onEnd`). Undefined when the owner has no such pod.
   */
  followLogs(
    owner: Owner,
    request: LogRequest,
    onLine: (line: string) => void,
    onEnd: () => void,
  ): Promise<(() => void) | undefined>;
  /**
   * The newest Kubernetes Events of the owner's namespace (at most `query.limit`, newest first); only that
   * namespace, never another's.
   */
  events(owner: Owner, query: EventQuery): Promise<ClusterEvent[]>;
  health(): Promise<ClusterHealth>;
  /**
   * Calls `listener` with a namespace whenever workloads in it change (pods ready or lost, rollout progress), so
   * the application there is observed again without polling. Returns a function that stops listening.
   */
  watchWorkloads?(listener: (namespace: string) => void): () => void;
  /** Stops the driver's watches and timers (the cluster was removed or changed, or polis stops). */
  close?(): void;
}
