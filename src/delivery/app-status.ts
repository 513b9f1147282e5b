import type { RunReport, WorkloadPhase, WorkloadStatus } from '../clusters/driver.ts';
import type { CrashLoopRecord } from '../failover/component-failover.ts';
import type { FailoverRecord } from '../failover/failback.ts';
import type { ComponentPlacement, ExcludedCluster } from '../placement/types.ts';
import type { Message, Params } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Saturation } from '../scaling/saturation.ts';
import { saturationMessage } from '../scaling/saturation.ts';
import type { WorkflowProgress, WorkflowState } from './workflow.ts';

export type AppPhase = 'Pending' | 'Progressing' | 'Running' | 'Degraded' | 'Failed' | 'Suspended' | 'Deleting';

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message?: string;
  /** The message's code in the catalogue (src/kernel/messages), and its params; `message` is the English. */
  readonly code?: string;
  readonly params?: Params;
  readonly lastTransitionTime: string;
}

export interface ClusterComponentStatus {
  readonly cluster: string;
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  /** Replicas the cluster's scheduler found no node for: placement moves them elsewhere. */
  readonly unschedulableReplicas?: number;
  readonly phase: WorkloadPhase | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  /** `message`, coded. */
  readonly detail?: Message;
}

export interface ComponentStatus {
  readonly name: string;
  /**
   * Long-running replicas (webservice, worker …) wanted and ready. A task or cron-task runs to completion: it is
   * not counted here (both 0) and its health is `runs`; readiness, ready counts and failback ignore it.
   */
  readonly desiredReplicas: number;
  readonly readyReplicas: number;
  /** Set for a component that runs to completion: a task (Job) or a cron-task (CronJob). */
  readonly workload?: 'Job' | 'CronJob';
  /** Its runs, over the clusters it is on: the last run's outcome, when it ran and when it runs next. */
  readonly runs?: ComponentRuns;
  readonly unplaced?: number;
  /** Of the unplaced, those a burst cluster had room for but the burst limits held back. */
  readonly burstHeldBack?: number;
  readonly phase: WorkloadPhase | 'Unknown';
  /** Why the component is not Running where the clusters alone do not say (`Saturated`, with `saturation`). */
  readonly reason?: 'Saturated';
  /** The `Saturated` reason's parameters: signal, value, threshold, since. */
  readonly saturation?: Saturation;
  readonly clusters: readonly ClusterComponentStatus[];
  /** Clusters given no replica for a reason of their own (unhealthy, residency, no room …), one note each. */
  readonly excluded: readonly ExcludedCluster[];
  /**
   * Eligible clusters given no replica only because none was needed there (0 requested, the replicas fit
   * elsewhere, overflow not needed): one entry per reason with the clusters' names, not a note per cluster. With
   * hundreds of clusters these were nearly all of an application's status (tens of KB), which every replica reads
   * back on every change. Absent when none. Readers list them among the excluded (allExclusions).
   */
  readonly unused?: readonly UnusedClusters[];
}

/** Eligible clusters left unused for one reason (ComponentStatus.unused). */
export interface UnusedClusters {
  readonly code: string;
  /** The English sentence of `code`. */
  readonly reason: string;
  /** Sorted by name. */
  readonly clusters: readonly string[];
}

/** The reasons that only say a cluster was eligible but not needed: kept as UnusedClusters in a status. */
const UNUSED_CODES: ReadonlySet<string> = new Set(['NoReplicasRequested', 'NotNeeded', 'OverflowNotNeeded']);

/** A component's exclusions split into those with a reason of their own and the unused, grouped by reason. */
export function splitExclusions(excluded: readonly ExcludedCluster[]): {
  excluded: readonly ExcludedCluster[];
  unused?: readonly UnusedClusters[];
} {
  if (!excluded.some((e) => UNUSED_CODES.has(e.code))) return { excluded };
  const kept: ExcludedCluster[] = [];
  const by = new Map<string, { code: string; reason: string; clusters: string[] }>();
  for (const e of excluded) {
    if (!UNUSED_CODES.has(e.code) || e.params !== undefined) {
      kept.push(e);
      continue;
    }
    let g = by.get(e.code);
    if (!g) by.set(e.code, (g = { code: e.code, reason: e.reason, clusters: [] }));
    g.clusters.push(e.cluster);
  }
  const unused = [...by.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  for (const g of unused) g.clusters.sort();
  return { excluded: kept, unused };
}

/** Every cluster a component runs nowhere on, with the reason, sorted by cluster name: `excluded` and `unused` together. */
export function allExclusions(c: {
  readonly excluded?: readonly ExcludedCluster[];
  readonly unused?: readonly UnusedClusters[];
}): ExcludedCluster[] {
  const all: ExcludedCluster[] = [...(c.excluded ?? [])];
  for (const g of c.unused ?? [])
    for (const cluster of g.clusters) all.push({ cluster, reason: g.reason, code: g.code });
  return all.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
}

/** What the delivery controller writes to `Application.status`. It holds no timestamps that move on their own. */
export interface AppStatus {
  readonly observedGeneration: number;
  readonly revision: string;
  readonly phase: AppPhase;
  readonly healthy: boolean;
  readonly message?: string;
  /** `message`, coded: its code in the catalogue (src/kernel/messages) and params. */
  readonly code?: string;
  readonly params?: Params;
  /**
   * The namespace the application's objects live in, in every cluster: recorded at its first delivery and kept
   * (src/delivery/namespace.ts namespaceOf), so a change of the naming rule never moves a running application.
   */
  readonly namespace?: string;
  readonly conditions: readonly Condition[];
  /** Replicas per component per cluster: the input of the next placement (stickiness). */
  readonly placement: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly components: readonly ComponentStatus[];
  /** Clusters holding objects of this application (prune and delete visit them). */
  readonly clusters: readonly string[];
  /** Clusters placement left whose objects are not removed yet (unreachable, or replacements not ready). */
  readonly pendingRemoval?: readonly string[];
  /** A failover in progress: the clusters left and the placement failback returns to (src/failover). */
  readonly failover?: FailoverRecord;
  /** Components crash-looping in one cluster, tolerated or moved off it (application-level failover). */
  readonly crashLoops?: readonly CrashLoopRecord[];
  /** Replicas on burst (public) clusters and their cost, and the limits that apply; absent when none run there. */
  readonly burst?: BurstStatus;
  /** Fair sharing (src/placement/sharing.ts): what the application holds guaranteed and borrowed, and what it may not. */
  readonly sharing?: SharingStatus;
  /** Written by the autoscaler (src/scaling): the replica counts it decided; kept as is by delivery. */
  readonly scaling?: {
    readonly preview: boolean;
    readonly components: Readonly<Record<string, { readonly desired: number }>>;
  };
  /** Written by the autoscaler (src/scaling/saturation.ts): components saturated now; kept as is by delivery. */
  readonly saturation?: Readonly<Record<string, Saturation>>;
  readonly workflow?: WorkflowState & {
    readonly steps: WorkflowProgress['steps'];
    readonly suspended: boolean;
    /** A step failed (timed out). */
    readonly failed?: boolean;
  };
}

export interface SharingStatus {
  readonly priority: 'critical' | 'normal' | 'preemptible';
  /** By component: private replicas within the department's guarantee, borrowed beyond it, and held back. */
  readonly components: Readonly<
    Record<
      string,
      {
        readonly guaranteed: number;
        readonly borrowed: number;
        /** Replicas wanted that run nowhere because of the department's share. */
        readonly limited?: number;
        readonly reason?: 'QuotaLimited' | 'CapacityLimited';
      }
    >
  >;
}

export interface BurstStatus {
  readonly replicas: number;
  readonly costPerHour: number;
  /** Replicas per burst cluster. */
  readonly clusters: Readonly<Record<string, number>>;
  /** Replicas a burst cluster had room for that the limits held back. */
  readonly heldBack?: number;
  /** The limits in force, as text. */
  readonly limits?: readonly string[];
  /** `limits`, coded. */
  readonly limitMessages?: readonly Message[];
  /** Why bursting is not allowed now (outside the windows). */
  readonly closed?: string;
  /** `closed`, coded. */
  readonly closedMessage?: Message;
}

/** What a cluster refused when applying: a reason code (ApplyFailed, NamespaceOwnedByOther), its parameters, text. */
export interface ApplyProblem {
  readonly reason: string;
  readonly message: string;
  /** `message`, coded. */
  readonly detail?: Message;
  readonly params?: Readonly<Record<string, string>>;
}

/** A task's or cron-task's runs across clusters (a cron-task is on one cluster at a time). */
export interface ComponentRuns extends RunReport {
  /** The clusters reporting it. */
  readonly clusters: readonly string[];
}

/** Workload kinds that run to completion: Jobs are not services. */
export const RUN_TO_COMPLETION: ReadonlySet<string> = new Set(['Job', 'CronJob']);

/** Observations of one cluster: its workloads, or why they are unknown. */
export type Observation = readonly WorkloadStatus[] | { readonly unreachable: string; readonly detail?: Message };

export interface StatusInput {
  readonly generation: number;
  readonly revision: string;
  readonly placement: Readonly<Record<string, ComponentPlacement>>;
  readonly componentTypes: Readonly<Record<string, string>>;
  /** The workload kind each component renders (Deployment, Job, CronJob …), from placement's demands. */
  readonly workloadKinds?: Readonly<Record<string, string | undefined>>;
  readonly observations: ReadonlyMap<string, Observation>;
  readonly workflow: WorkflowProgress;
  readonly clusters: readonly string[];
  readonly pendingRemoval: readonly string[];
  /** Problems applying, by cluster (the cluster's refusal). */
  readonly applyErrors: ReadonlyMap<string, ApplyProblem>;
  readonly previous?: AppStatus;
  readonly now: string;
  /** status.saturation, from the autoscaler: a saturated component that would be Running is Degraded. */
  readonly saturation?: Readonly<Record<string, Saturation>>;
}

const RANK: Record<WorkloadPhase | 'Unknown', number> = {
  Succeeded: 0,
  Running: 0,
  Pending: 1,
  Progressing: 1,
  Unknown: 2,
  Degraded: 3,
  Failed: 4,
};

/** The application's status from its placement and what each cluster reports (pure). */
export function applicationStatus(input: StatusInput): AppStatus {
  const components: ComponentStatus[] = [];
  for (const [name, cp] of Object.entries(input.placement).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const kind = input.workloadKinds?.[name];
    const runKind = kind !== undefined && RUN_TO_COMPLETION.has(kind) ? (kind as 'Job' | 'CronJob') : undefined;
    const clusters: ClusterComponentStatus[] = [];
    const reports: { cluster: string; run: RunReport }[] = [];
    for (const [cluster, desired] of Object.entries(cp.replicas)) {
      const obs = input.observations.get(cluster);
      if (!obs || !Array.isArray(obs)) {
        const away = obs && !Array.isArray(obs) ? (obs as Exclude<Observation, readonly WorkloadStatus[]>) : undefined;
        const detail = away ? (away.detail ?? msg('External', { text: away.unreachable })) : msg('NotObservedYet');
        clusters.push({
          cluster,
          desiredReplicas: runKind ? 0 : desired,
          readyReplicas: 0,
          phase: 'Unknown',
          message: detail.message,
          detail,
        });
        continue;
      }
      const mine = (obs as readonly WorkloadStatus[]).filter((w) => w.component === name);
      const applyError = input.applyErrors.get(cluster);
      if (mine.length === 0) {
        clusters.push({
          cluster,
          desiredReplicas: runKind ? 0 : desired,
          readyReplicas: 0,
          phase: desired === 0 ? 'Running' : applyError ? 'Failed' : 'Pending',
          ...(applyError
            ? {
                reason: applyError.reason,
                message: applyError.message,
                detail: applyError.detail ?? msg('External', { text: applyError.message }),
              }
            : {}),
        });
        continue;
      }
      const ready = mine.reduce((s, w) => s + w.readyReplicas, 0);
      const unschedulable = mine.reduce((s, w) => s + (w.unschedulableReplicas ?? 0), 0);
      const worst = mine.reduce((a, w) => (RANK[w.phase] > RANK[a.phase] ? w : a));
      for (const w of mine) if (w.run) reports.push({ cluster, run: w.run });
      clusters.push({
        cluster,
        desiredReplicas: runKind ? 0 : desired,
        readyReplicas: runKind ? 0 : ready,
        ...(unschedulable > 0 ? { unschedulableReplicas: unschedulable } : {}),
        phase: worst.phase,
        ...(worst.reason ? { reason: worst.reason } : {}),
        ...(worst.message ? { message: worst.message, detail: msg('External', { text: worst.message }) } : {}),
      });
    }
    const desired = clusters.reduce((s, c) => s + c.desiredReplicas, 0);
    const ready = clusters.reduce((s, c) => s + c.readyReplicas, 0);
    let phase: ComponentStatus['phase'] = clusters.length === 0 ? 'Pending' : 'Running';
    for (const c of clusters) if (RANK[c.phase] > RANK[phase]) phase = c.phase;
    if (phase === 'Failed' && ready > 0) phase = 'Degraded';
    if (cp.unplaced > 0 && RANK[phase] < RANK.Unknown) phase = ready > 0 ? 'Degraded' : 'Pending';
    if (clusters.length > 0 && clusters.every((c) => c.phase === 'Succeeded')) phase = 'Succeeded';
    const saturated = phase === 'Running' ? input.saturation?.[name] : undefined;
    if (saturated) phase = 'Degraded';
    const runs = runKind ? componentRuns(reports) : undefined;
    components.push({
      name,
      desiredReplicas: runKind ? 0 : desired + cp.unplaced,
      readyReplicas: ready,
      ...(runKind ? { workload: runKind } : {}),
      ...(runs ? { runs } : {}),
      ...(cp.unplaced > 0 ? { unplaced: cp.unplaced } : {}),
      ...(cp.burstHeldBack ? { burstHeldBack: cp.burstHeldBack } : {}),
      phase,
      ...(saturated ? { reason: 'Saturated' as const, saturation: saturated } : {}),
      clusters,
      ...splitExclusions(cp.excluded),
    });
  }
  let phase: AppPhase = 'Running';
  for (const c of components) {
    const p: AppPhase =
      c.phase === 'Succeeded' ? 'Running' : c.phase === 'Unknown' ? 'Degraded' : (c.phase as AppPhase);
    if (RANK[p as WorkloadPhase] > RANK[phase as WorkloadPhase]) phase = p;
  }
  // No component placed yet is Pending; an application with none at all (workflow only) follows its workflow.
  if (components.length === 0 && Object.keys(input.componentTypes).length > 0) phase = 'Pending';
  if (phase === 'Running' && input.workflow.suspended) phase = 'Suspended';
  if (phase === 'Running' && !input.workflow.finished && !input.workflow.suspended) phase = 'Progressing';
  const healthy = phase === 'Running';
  const parts = statusMessages(components, input);
  const coded = parts.length === 0 ? undefined : parts.length === 1 ? parts[0]! : msg('MessageList', { items: parts });
  const message = coded?.message.slice(0, 1000);
  const placed = components.every((c) => !c.unplaced);
  const delivered = deliveredCondition(input, components);
  const conditions = [
    condition(input, 'Placed', placed, placed ? 'Placed' : placedReason(components), placed ? undefined : coded),
    condition(input, 'Delivered', delivered.ok, delivered.reason, delivered.detail),
    condition(input, 'Ready', healthy, phase, healthy ? undefined : coded),
  ];
  return {
    observedGeneration: input.generation,
    revision: input.revision,
    phase,
    healthy,
    ...(coded && !healthy ? { message, code: coded.code, ...(coded.params ? { params: coded.params } : {}) } : {}),
    conditions,
    placement: Object.fromEntries(components.map((c) => [c.name, input.placement[c.name]!.replicas])),
    components,
    clusters: input.clusters,
    ...(input.pendingRemoval.length ? { pendingRemoval: input.pendingRemoval } : {}),
    workflow: {
      ...input.workflow.state,
      steps: input.workflow.steps,
      suspended: input.workflow.suspended,
      ...(input.workflow.failed ? { failed: true } : {}),
    },
  };
}

/** One view of a run-to-completion component's runs over the clusters that report them (pure). */
function componentRuns(reports: readonly { cluster: string; run: RunReport }[]): ComponentRuns | undefined {
  if (reports.length === 0) return undefined;
  const latest = (a?: string, b?: string) => (a === undefined ? b : b === undefined ? a : a > b ? a : b);
  let last: { at?: string; result?: RunReport['lastResult'] } = {};
  let lastSuccessfulTime: string | undefined;
  let next: string | undefined;
  let active = 0;
  for (const { run } of reports) {
    active += run.active;
    if (run.lastResult && (last.result === undefined || (run.lastScheduleTime ?? '') >= (last.at ?? '')))
      last = { at: run.lastScheduleTime, result: run.lastResult };
    lastSuccessfulTime = latest(lastSuccessfulTime, run.lastSuccessfulTime);
    if (run.nextScheduleTime && (next === undefined || run.nextScheduleTime < next)) next = run.nextScheduleTime;
  }
  const lastScheduleTime = reports.reduce<string | undefined>((a, r) => latest(a, r.run.lastScheduleTime), undefined);
  return {
    active,
    ...(last.result ? { lastResult: last.result } : {}),
    ...(lastScheduleTime ? { lastScheduleTime } : {}),
    ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
    ...(next ? { nextScheduleTime: next } : {}),
    clusters: [...new Set(reports.map((r) => r.cluster))].sort(),
  };
}

/** What keeps the application from Running, one coded message per finding (at most 50: the rest is one count). */
function statusMessages(components: readonly ComponentStatus[], input: StatusInput): Message[] {
  const parts: Message[] = [];
  for (const c of components) {
    const held = c.burstHeldBack ?? 0;
    const component = c.name;
    if (held) parts.push(msg('HeldBackByBurst', { component, replicas: held }));
    if (c.saturation) parts.push(saturationMessage(c.name, c.saturation));
    if ((c.unplaced ?? 0) > held) {
      const replicas = c.unplaced! - held;
      parts.push(
        roomWasTheReason(c)
          ? msg('NoClusterWithRoom', { component, replicas })
          : msg('NoEligibleCluster', { component, replicas, excluded: allExclusions(c).map(exclusionMessage) }),
      );
    }
    for (const cl of c.clusters) {
      if (cl.phase === 'Running' || cl.phase === 'Succeeded') continue;
      const at = { component, cluster: cl.cluster, phase: cl.phase };
      const detail = cl.detail ?? (cl.message ? msg('External', { text: cl.message }) : undefined);
      parts.push(
        cl.reason && detail
          ? msg('ComponentPhaseOnBecauseDetail', { ...at, reason: cl.reason, detail })
          : cl.reason
            ? msg('ComponentPhaseOnBecause', { ...at, reason: cl.reason })
            : detail
              ? msg('ComponentPhaseOnDetail', { ...at, detail })
              : msg('ComponentPhaseOn', at),
      );
    }
  }
  if (input.workflow.suspended) {
    const step = input.workflow.steps.find((s) => s.phase === 'suspending');
    parts.push(msg('WorkflowSuspended', { step: step?.name ?? '?' }));
  }
  return parts.length > 50 ? [...parts.slice(0, 50), msg('AndMore', { count: parts.length - 50 })] : parts;
}

/** "gov-east: unhealthy" as a coded message. */
export function exclusionMessage(e: ExcludedCluster): Message {
  const detail: Message = e.code
    ? { code: e.code, ...(e.params ? { params: e.params } : {}), message: e.reason }
    : msg('External', { text: e.reason });
  return msg('OnCluster', { cluster: e.cluster, detail });
}

/** Whether some cluster was excluded for want of room (else every cluster was ruled out for another reason). */
function roomWasTheReason(c: ComponentStatus): boolean {
  return (c.excluded.length === 0 && c.unused === undefined) || c.excluded.some((e) => e.code === 'NoRoom');
}

function placedReason(components: readonly ComponentStatus[]): string {
  return components.some((c) => (c.unplaced ?? 0) > 0 && roomWasTheReason(c))
    ? 'InsufficientCapacity'
    : 'NoEligibleCluster';
}

/**
 * Delivered is True only when every cluster the application is placed on took what it was given: a cluster that
 * refused objects (ApplyFailed), could not be reached (ClusterUnreachable), or no cluster at all (NotPlaced) is
 * not delivered.
 */
function deliveredCondition(
  input: StatusInput,
  components: readonly ComponentStatus[],
): { ok: boolean; reason: string; detail?: Message } {
  if (input.applyErrors.size > 0) {
    // One kind of problem everywhere is named by its own reason (NamespaceOwnedByOther, PermissionDenied …).
    const reasons = new Set([...input.applyErrors.values()].map((p) => p.reason));
    const items = [...input.applyErrors].map(([cluster, p]) =>
      msg('OnCluster', { cluster, detail: p.detail ?? msg('External', { text: p.message }) }),
    );
    return {
      ok: false,
      reason: reasons.size === 1 ? [...reasons][0]! : 'ApplyFailed',
      detail: items.length === 1 ? items[0]! : msg('MessageList', { items }),
    };
  }
  const unreachable = [...input.observations]
    .filter(([, o]) => !Array.isArray(o))
    .map(([cluster, o]) => {
      const away = o as Exclude<Observation, readonly WorkloadStatus[]>;
      return msg('OnCluster', { cluster, detail: away.detail ?? msg('External', { text: away.unreachable }) });
    });
  if (unreachable.length > 0)
    return { ok: false, reason: 'ClusterUnreachable', detail: msg('NothingAppliedOn', { clusters: unreachable }) };
  const wanted = components.some((c) => c.desiredReplicas > 0);
  if (wanted && components.every((c) => c.clusters.length === 0))
    return { ok: false, reason: 'NotPlaced', detail: msg('NotPlaced') };
  return { ok: true, reason: 'Applied' };
}

function condition(
  input: StatusInput,
  type: string,
  ok: boolean,
  reason: string,
  detail: Message | undefined,
): Condition {
  const status = ok ? 'True' : 'False';
  const prev = input.previous?.conditions.find((c) => c.type === type);
  return {
    type,
    status,
    reason,
    ...(detail
      ? {
          message: detail.message.slice(0, 500),
          code: detail.code,
          ...(detail.params ? { params: detail.params } : {}),
        }
      : {}),
    lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : input.now,
  };
}

/**
 * The placement to keep (placement's `current`): the status's, less the replicas each cluster could not schedule,
 * so that placement finds them room elsewhere (a burst cluster, say) instead of leaving them pending (pure).
 */
export function schedulablePlacement(previous: AppStatus): AppStatus['placement'] {
  const out: Record<string, Record<string, number>> = {};
  for (const [component, byCluster] of Object.entries(previous.placement)) {
    const c = previous.components.find((x) => x.name === component);
    out[component] = Object.fromEntries(
      Object.entries(byCluster).map(([cluster, n]) => {
        const x = c?.clusters.find((y) => y.cluster === cluster);
        const stuck = x && x.reason !== 'NotObserved' ? (x.unschedulableReplicas ?? 0) : 0;
        return [cluster, Math.max(0, n - stuck)];
      }),
    );
  }
  return out;
}

/** How long a cluster that could not schedule a component's replicas is not given more of them. */
export const SCHEDULING_BACKOFF_MS = 5 * 60_000;

/**
 * Per "component/cluster": the most replicas the cluster could schedule, until when that cap holds (epoch ms), and the
 * room the cluster had for the component when it was set (see `RoomOf`; absent when unknown).
 */
export type SchedulingCaps = ReadonlyMap<
  string,
  { readonly cap: number; readonly until: number; readonly room?: number }
>;

/**
 * Replicas of a component a cluster's free room holds now, its own replicas there counted as free (what placement
 * sees); undefined when unknown (no capacity report, a component no longer declared).
 */
export type RoomOf = (component: string, cluster: string) => number | undefined;

/**
 * The caps placement keeps for a while where a cluster's scheduler left replicas unschedulable although its free
 * room looked enough (room split across nodes): without them, placement would hand overflow back to that cluster
 * as soon as the pending pods are gone, and the replicas would go back and forth (pure).
 *
 * A cap speaks of the room the cluster had when it was set: where the cluster's room for the component has grown
 * since (another application gave replicas back, a node was added), the cap grows by as much, so replicas that went
 * to overflow (a burst cluster) come back as soon as the room is there, not when the cap expires.
 */
export function schedulingCaps(
  previous: AppStatus | undefined,
  held: SchedulingCaps,
  now: number,
  roomOf?: RoomOf,
): {
  caps: Map<string, { cap: number; until: number; room?: number }>;
  byComponent?: Record<string, Record<string, number>>;
} {
  const caps = new Map<string, { cap: number; until: number; room?: number }>();
  const room = (k: string) => {
    const slash = k.lastIndexOf('/');
    return roomOf?.(k.slice(0, slash), k.slice(slash + 1));
  };
  /** The cap as the room now allows: what it was, plus what the room grew since it was set. */
  const effective = (k: string, v: { cap: number; room?: number }) => {
    const r = v.room === undefined ? undefined : room(k);
    return r === undefined ? v.cap : v.cap + Math.max(0, r - v.room!);
  };
  for (const [k, v] of held) if (v.until > now) caps.set(k, v);
  for (const c of previous?.components ?? [])
    for (const x of c.clusters) {
      // Right after an apply the cluster reports pods of the count before it: not a reason to cap.
      if (!x.unschedulableReplicas || x.reason === 'NotObserved') continue;
      const cap = Math.max(0, x.desiredReplicas - x.unschedulableReplicas);
      const k = `${c.name}/${x.cluster}`;
      const was = caps.get(k);
      const r = room(k);
      caps.set(k, {
        cap: Math.min(cap, was ? effective(k, was) : Infinity),
        until: now + SCHEDULING_BACKOFF_MS,
        ...(r !== undefined ? { room: r } : {}),
      });
    }
  if (caps.size === 0) return { caps };
  const byComponent: Record<string, Record<string, number>> = {};
  for (const [k, v] of caps) {
    const slash = k.lastIndexOf('/');
    (byComponent[k.slice(0, slash)] ??= {})[k.slice(slash + 1)] = effective(k, v);
  }
  return { caps, byComponent };
}
