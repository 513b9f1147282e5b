import type { SimNode } from './nodes.ts';
import type { PodLog } from './pod-logs.ts';
import type { PodTemplateInfo } from './pod-template.ts';
import type { Workload } from './workload.ts';

/**
 * Where a pod is in its life. `Pending` is unscheduled; `ContainerCreating` is pulling images; `Running` has
 * started but is not yet ready; `Ready` serves.
 */
export type PodPhase =
  | 'Pending'
  | 'ContainerCreating'
  | 'ImagePullBackOff'
  | 'Running'
  | 'Ready'
  | 'CrashLoopBackOff'
  | 'Succeeded'
  | 'Failed';

/** Phases in which a pod is failing rather than on its way up. */
export const FAILING_PHASES: ReadonlySet<PodPhase> = new Set(['ImagePullBackOff', 'CrashLoopBackOff']);

/**
 * A pod, kept small on purpose: a dozen fields and references to what its owner and template share, never a full
 * Kubernetes object. A cloud of 100,000 pods costs a few tens of megabytes.
 */
export class SimPod {
  readonly name: string;
  readonly owner: Workload;
  readonly template: PodTemplateInfo;
  /** StatefulSet ordinal; -1 for other pods. */
  readonly ordinal: number;
  /** The only node a DaemonSet pod may run on. */
  readonly pinned: SimNode | undefined;
  readonly createdAt: number;
  node: SimNode | undefined = undefined;
  phase: PodPhase = 'Pending';
  /** When it entered its phase (epoch ms). */
  since: number;
  /** When it last became ready; -1 when it never was. */
  readyAt = -1;
  restarts = 0;
  /**
   * Restarts since the container last ran 10 minutes without a problem: what the kubelet's back-off doubles on (it
   * resets the back-off then), where `restarts` counts all of them, as `kubectl get pods` shows.
   */
  backoffRestarts = 0;
  /** When its container last started (epoch ms); -1 when it never did. */
  startedAt = -1;
  /** Why its container last stopped (Error, Completed), when it did. */
  lastTermination: string | undefined = undefined;
  /** Bumped on every transition: a timer set for an earlier state sees the change and does nothing. */
  gen = 0;
  /** Why it is waiting (the scheduler's message), when it is. */
  message: string | undefined = undefined;
  deleted = false;
  /** What its containers wrote (created on the first line). */
  log: PodLog | undefined = undefined;

  constructor(name: string, owner: Workload, template: PodTemplateInfo, at: number, ordinal = -1, pinned?: SimNode) {
    this.name = name;
    this.owner = owner;
    this.template = template;
    this.ordinal = ordinal;
    this.pinned = pinned;
    this.createdAt = at;
    this.since = at;
  }

  get ready(): boolean {
    return this.phase === 'Ready';
  }

  /** Unschedulable, crash-looping or unable to pull: not on its way to ready by itself. */
  get failing(): boolean {
    return FAILING_PHASES.has(this.phase) || (this.phase === 'Pending' && this.message !== undefined);
  }

  get reason(): string | undefined {
    if (this.phase === 'Pending') return this.message !== undefined ? 'Unschedulable' : undefined;
    return FAILING_PHASES.has(this.phase) ? this.phase : undefined;
  }
}

/** A read-only view of a pod, for tests, demos and the console. */
export interface PodView {
  readonly name: string;
  readonly namespace: string;
  readonly owner: string;
  readonly node: string | undefined;
  readonly phase: PodPhase;
  readonly ready: boolean;
  readonly revision: string;
  readonly restarts: number;
  readonly reason: string | undefined;
  readonly message: string | undefined;
  /** When it was created (epoch ms, the cloud's clock). */
  readonly createdAt: number;
  /** Why its container last stopped: Error for a crash, Completed for a finished run; absent if it never did. */
  readonly lastTermination: string | undefined;
  readonly containers: readonly string[];
  /** The application component (`app.oam.dev/component` on its template), when set. */
  readonly component: string | undefined;
}

export function podView(p: SimPod): PodView {
  return {
    name: p.name,
    namespace: p.owner.namespace,
    owner: p.owner.key,
    node: p.node?.name,
    phase: p.phase,
    ready: p.ready,
    revision: p.template.hash,
    restarts: p.restarts,
    reason: p.reason,
    message: p.message,
    createdAt: p.createdAt,
    lastTermination: p.lastTermination,
    containers: p.template.containers,
    component: p.template.labels['app.oam.dev/component'],
  };
}
