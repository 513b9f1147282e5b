import { parseBytes, parseCpu } from '../../../kernel/quantity.ts';
import type { Resources } from '../../driver.ts';

type Json = Record<string, unknown>;

/** Why a pod is not on its way to ready by itself, and since when (epoch ms). */
export interface PodFailure {
  readonly reason: string;
  readonly since: number;
  /** The scheduler's message for Unschedulable. */
  readonly message?: string;
}

/**
 * A pod reduced to what capacity and workload status need: a few hundred bytes whatever the pod spec, so a watch
 * of every pod in a large cluster stays small.
 */
export interface PodSummary {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly node: string | undefined;
  /** Kubernetes' phase: Pending, Running, Succeeded, Failed, Unknown. */
  readonly phase: string;
  /** Deleted and going away: no longer counted as a replica. */
  readonly terminating: boolean;
  readonly ready: boolean;
  readonly requests: Resources;
  readonly failure: PodFailure | undefined;
  readonly images: readonly string[];
  readonly restarts: number;
  /** The uids of the pod's owners (a ReplicaSet, a Job …). */
  readonly owners: readonly string[];
  /** metadata.creationTimestamp (ISO), or '' when the server gave none. */
  readonly createdAt: string;
  /** The reason a container last terminated (Error, OOMKilled, Completed …), the most recent first. */
  readonly lastTermination: string | undefined;
  readonly containers: readonly string[];
}

/** Waiting reasons of a container that will not get better by itself, as polis names them. */
const FAILING_WAIT: Readonly<Record<string, string>> = {
  CrashLoopBackOff: 'CrashLoopBackOff',
  ImagePullBackOff: 'ImagePullBackOff',
  // A failed pull alternates between the two; both are the same failure to a person.
  ErrImagePull: 'ImagePullBackOff',
  InvalidImageName: 'InvalidImageName',
  CreateContainerConfigError: 'CreateContainerConfigError',
};

export function summarizePod(obj: Json): PodSummary {
  const meta = (obj.metadata ?? {}) as Json;
  const spec = (obj.spec ?? {}) as Json;
  const status = (obj.status ?? {}) as Json;
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as Json[];
  const condition = (type: string) => conditions.find((c) => c.type === type);
  const statuses = [
    ...((status.initContainerStatuses as Json[] | undefined) ?? []),
    ...((status.containerStatuses as Json[] | undefined) ?? []),
  ];
  let failure: PodFailure | undefined;
  const scheduled = condition('PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    failure = {
      reason: 'Unschedulable',
      since: time(scheduled.lastTransitionTime),
      ...(typeof scheduled.message === 'string' ? { message: scheduled.message } : {}),
    };
  }
  for (const s of statuses) {
    const waiting = ((s.state as Json | undefined)?.waiting ?? undefined) as Json | undefined;
    const reason = waiting && FAILING_WAIT[String(waiting.reason)];
    if (reason && !failure) {
      // The pod has been failing since its containers stopped being ready (or since it was created).
      const since = condition('ContainersReady') ?? condition('Ready');
      failure = { reason, since: time(since?.lastTransitionTime ?? meta.creationTimestamp) };
    }
  }
  const labels = (meta.labels ?? {}) as Record<string, string>;
  return {
    namespace: String(meta.namespace ?? ''),
    name: String(meta.name),
    labels,
    node: typeof spec.nodeName === 'string' && spec.nodeName !== '' ? spec.nodeName : undefined,
    phase: typeof status.phase === 'string' ? status.phase : 'Pending',
    terminating: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    ready: condition('Ready')?.status === 'True',
    requests: podRequests(spec),
    failure,
    images: ((spec.containers as Json[] | undefined) ?? []).map((c) => String(c.image)),
    restarts: statuses.reduce((n, s) => n + (typeof s.restartCount === 'number' ? s.restartCount : 0), 0),
    owners: ((meta.ownerReferences as Json[] | undefined) ?? []).map((o) => String(o.uid)),
    createdAt: typeof meta.creationTimestamp === 'string' ? meta.creationTimestamp : '',
    lastTermination: lastTermination(statuses),
    containers: ((spec.containers as Json[] | undefined) ?? []).map((c) => String(c.name)),
  };
}

/** The reason of the latest container termination: `lastState.terminated`, or the state itself when it ended. */
function lastTermination(statuses: readonly Json[]): string | undefined {
  let best: { at: string; reason: string } | undefined;
  for (const s of statuses) {
    for (const t of [(s.state as Json | undefined)?.terminated, (s.lastState as Json | undefined)?.terminated]) {
      if (t === undefined || t === null || typeof t !== 'object') continue;
      const term = t as Json;
      const at = typeof term.finishedAt === 'string' ? term.finishedAt : '';
      const reason = typeof term.reason === 'string' ? term.reason : 'Error';
      if (best === undefined || at > best.at) best = { at, reason };
    }
  }
  return best?.reason;
}

/**
 * What the scheduler counts for a pod: the larger of its containers' summed requests and its largest init
 * container's, plus the pod overhead.
 */
export function podRequests(spec: Json): Resources {
  const sum = (list: unknown) => {
    let cpuMilli = 0;
    let memoryBytes = 0;
    for (const c of (Array.isArray(list) ? list : []) as Json[]) {
      const r = ((c.resources as Json | undefined)?.requests ?? {}) as Json;
      cpuMilli += quantity(parseCpu, r.cpu);
      memoryBytes += quantity(parseBytes, r.memory);
    }
    return { cpuMilli, memoryBytes };
  };
  const main = sum(spec.containers);
  let initCpu = 0;
  let initMemory = 0;
  for (const c of (Array.isArray(spec.initContainers) ? spec.initContainers : []) as Json[]) {
    const one = sum([c]);
    initCpu = Math.max(initCpu, one.cpuMilli);
    initMemory = Math.max(initMemory, one.memoryBytes);
  }
  const overhead = (spec.overhead ?? {}) as Json;
  return {
    cpuMilli: Math.max(main.cpuMilli, initCpu) + quantity(parseCpu, overhead.cpu),
    memoryBytes: Math.max(main.memoryBytes, initMemory) + quantity(parseBytes, overhead.memory),
    pods: 1,
  };
}

/** A quantity read leniently: what a cluster reports is counted, and a form we cannot read counts as zero. */
export function quantity(parse: (q: string | number) => number, q: unknown): number {
  if (typeof q !== 'string' && typeof q !== 'number') return 0;
  try {
    return parse(q);
  } catch {
    return 0;
  }
}

function time(v: unknown): number {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  return Number.isNaN(t) ? Date.now() : t;
}
