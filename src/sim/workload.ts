import { OWNER_LABELS } from '../kernel/ownership.ts';
import type { StoredObject } from './object-store.ts';
import { labelsOf } from './object-store.ts';
import type { SimPod } from './pod.ts';
import type { PodTemplateInfo } from './pod-template.ts';
import type { ServingGroup } from './serving.ts';

type Json = Record<string, unknown>;

/** Controller state of a Job beyond its pods. */
export interface JobState {
  succeeded: number;
  failed: number;
  startTime: number | undefined;
  completionTime: number | undefined;
  /** When it finished either way (for ttlSecondsAfterFinished). */
  finishedAt: number | undefined;
  /** 'Complete' or 'Failed' once finished. */
  finished: 'Complete' | 'Failed' | undefined;
  /** No new pod before this time: the back-off after a failed pod. */
  nextPodAt: number;
}

/** Controller state of a CronJob. */
export interface CronState {
  /** The time its next Job is due, and the timer's generation so a rescheduled timer makes an older one moot. */
  nextAt: number | undefined;
  timer: number;
  /** The generation the timer was set for: a new schedule sets a new timer. */
  timerGeneration: number;
  lastScheduleTime: number | undefined;
  lastSuccessfulTime: number | undefined;
  /** Keys of the Jobs it created, oldest first. */
  jobs: string[];
}

/**
 * The controller side of one workload object (Deployment, StatefulSet, DaemonSet, Job, CronJob): its pods, the
 * generation last acted on and the current template revision.
 */
export class Workload {
  readonly stored: StoredObject;
  readonly key: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly pods: SimPod[] = [];
  component: string;
  group: ServingGroup | undefined = undefined;
  observedGeneration = 0;
  template: PodTemplateInfo | undefined = undefined;
  templateGeneration = -1;
  /** When the rollout last moved forward (for the Progressing condition's deadline), and what it looked like. */
  lastProgressAt: number;
  progressMark = '';
  /** The deadline a requeue is already set for. */
  deadlineTimer = 0;
  /** Status and phase as last reported, to tell a change worth notifying. */
  fingerprint = '';
  job: JobState | undefined = undefined;
  cron: CronState | undefined = undefined;
  /** The CronJob that created this Job, if one did. */
  parent: Workload | undefined = undefined;

  constructor(stored: StoredObject, at: number) {
    this.stored = stored;
    this.key = stored.key;
    this.kind = stored.info.kind;
    this.namespace = stored.namespace;
    this.name = stored.name;
    this.component = componentOf(stored.obj);
    this.lastProgressAt = at;
  }

  get spec(): Json {
    return (this.stored.obj.spec ?? {}) as Json;
  }

  get generation(): number {
    return ((this.stored.obj.metadata as Json).generation as number | undefined) ?? 1;
  }

  /** `spec.replicas`, defaulted to 1 like Kubernetes. */
  get desiredReplicas(): number {
    const r = this.spec.replicas;
    return typeof r === 'number' ? r : 1;
  }
}

/** The application component a workload belongs to: its `app.oam.dev/component` label, else its name. */
export function componentOf(obj: Json): string {
  const own = labelsOf(obj)[OWNER_LABELS.component];
  if (own !== undefined) return own;
  const template = ((obj.spec as Json | undefined)?.template as Json | undefined)?.metadata as Json | undefined;
  const fromTemplate = (template?.labels as Record<string, string> | undefined)?.[OWNER_LABELS.component];
  return fromTemplate ?? String((obj.metadata as Json).name);
}
