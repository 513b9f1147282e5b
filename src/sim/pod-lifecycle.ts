import type { ClusterContext } from './cluster-context.ts';
import { SimPod, type PodPhase } from './pod.ts';
import { logLifecycle } from './pod-logs.ts';
import type { SimNode } from './nodes.ts';
import type { PodTemplateInfo } from './pod-template.ts';
import { backoff } from './timings.ts';
import type { Workload } from './workload.ts';

/**
 * A pod's life, driven by timers: scheduled → image pull (seeded delay, shorter when the node has the image) →
 * started → ready after the readiness delay. Faults put it in CrashLoopBackOff or ImagePullBackOff, retried with
 * the kubelet's doubling back-off. Every transition requeues the owner's controller.
 */
export function createPod(
  ctx: ClusterContext,
  owner: Workload,
  template: PodTemplateInfo,
  name: string,
  ordinal = -1,
  pinned?: SimNode,
): SimPod {
  const pod = new SimPod(name, owner, template, ctx.now(), ordinal, pinned);
  owner.pods.push(pod);
  if (!trySchedule(ctx, pod)) ctx.pending.add(pod);
  return pod;
}

/** Binds the pod to the best node and starts the image pull; false (with the scheduler's message) when none fits. */
export function trySchedule(ctx: ClusterContext, pod: SimPod): boolean {
  const node = ctx.nodes.choose(pod);
  if (node === undefined) {
    const first = pod.message === undefined;
    pod.message = ctx.nodes.whyUnschedulable(pod);
    podEvent(ctx, pod, 'Warning', 'FailedScheduling', pod.message ?? '');
    if (first) {
      pod.since = ctx.now();
      pod.gen++;
      // The owner reports Failed once the pod has waited past the grace period: look again then.
      requeueAt(ctx, pod.owner, ctx.now() + ctx.timings.failureGraceMs);
    }
    return false;
  }
  ctx.nodes.bind(pod, node);
  podEvent(ctx, pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.owner.namespace}/${pod.name} to ${node.name}`);
  pod.message = undefined;
  ctx.pending.delete(pod);
  pull(ctx, pod);
  return true;
}

function pull(ctx: ClusterContext, pod: SimPod): void {
  setPhase(ctx, pod, 'ContainerCreating');
  const node = pod.node!;
  const cached = pod.template.images.every((i) => node.images.has(i));
  const range = cached ? ctx.timings.cachedImageMs : ctx.timings.imagePullMs;
  after(ctx, pod, ctx.rng.between(range[0], range[1]), () => pulled(ctx, pod));
}

function pulled(ctx: ClusterContext, pod: SimPod): void {
  if (pod.template.images.some((i) => ctx.faults.pullFailures.has(i))) {
    pod.restarts++;
    const image = pod.template.images.find((i) => ctx.faults.pullFailures.has(i))!;
    podEvent(ctx, pod, 'Warning', 'Failed', `Failed to pull image "${image}": not found`);
    podEvent(ctx, pod, 'Warning', 'BackOff', `Back-off pulling image "${image}"`);
    setPhase(ctx, pod, 'ImagePullBackOff');
    lookAgainAfterGrace(ctx, pod);
    after(ctx, pod, backoff(ctx.timings, pod.restarts), () => pulled(ctx, pod));
    return;
  }
  for (const image of pod.template.images) pod.node!.images.add(image);
  start(ctx, pod);
}

function start(ctx: ClusterContext, pod: SimPod): void {
  if (pod.template.images.some((i) => ctx.faults.crashImages.has(i))) {
    crash(ctx, pod);
    return;
  }
  for (const c of pod.template.containers) podEvent(ctx, pod, 'Normal', 'Started', `Started container ${c}`);
  pod.startedAt = ctx.now();
  setPhase(ctx, pod, 'Running');
  if (pod.owner.kind === 'Job') {
    const run = pod.template.runMs ?? ctx.rng.between(ctx.timings.jobRunMs[0], ctx.timings.jobRunMs[1]);
    after(ctx, pod, run, () => finish(ctx, pod, 'Succeeded'));
    return;
  }
  const delay = pod.template.readinessDelayMs ?? ctx.timings.readinessMs;
  after(ctx, pod, delay, () => {
    pod.readyAt = ctx.now();
    setPhase(ctx, pod, 'Ready');
  });
}

/** How long a container must run without a problem for the kubelet to reset its back-off (kubelet's 10 minutes). */
const BACKOFF_RESET_MS = 10 * 60_000;

/** The container exits with an error: a Job's pod fails; any other restarts after a back-off, never ready meanwhile. */
export function crash(ctx: ClusterContext, pod: SimPod): void {
  if (pod.owner.kind === 'Job') {
    finish(ctx, pod, 'Failed');
    return;
  }
  pod.restarts++;
  // The kubelet resets a container's back-off once it has run 10 minutes without a problem: a pod OOM-killed
  // an hour ago restarts after 10 s when it next crashes, not after the 5-minute cap its restart count would give.
  if (pod.startedAt >= 0 && ctx.now() - pod.startedAt >= BACKOFF_RESET_MS) pod.backoffRestarts = 0;
  pod.backoffRestarts++;
  const container = pod.template.containers[0] ?? pod.owner.name;
  podEvent(ctx, pod, 'Warning', 'BackOff', `Back-off restarting failed container ${container} in pod ${pod.name}`);
  setPhase(ctx, pod, 'CrashLoopBackOff');
  lookAgainAfterGrace(ctx, pod);
  after(ctx, pod, backoff(ctx.timings, pod.backoffRestarts), () => start(ctx, pod));
}

/** A Job's pod ends: it leaves its node, and its owner counts it. */
function finish(ctx: ClusterContext, pod: SimPod, phase: 'Succeeded' | 'Failed'): void {
  ctx.nodes.unbind(pod);
  setPhase(ctx, pod, phase);
  ctx.capacityFreed();
}

/** Removes a pod at once (deletion, scale-down, a lost node): it stops serving and frees its node. */
export function deletePod(ctx: ClusterContext, pod: SimPod): void {
  if (pod.deleted) return;
  leaveReady(ctx, pod);
  for (const c of pod.template.containers) podEvent(ctx, pod, 'Normal', 'Killing', `Stopping container ${c}`);
  pod.deleted = true;
  pod.gen++;
  if (pod.log !== undefined) {
    logLifecycle(pod, ctx.now(), 'Deleted');
    pod.log.end();
  }
  ctx.pending.delete(pod);
  const pods = pod.owner.pods;
  const i = pods.indexOf(pod);
  if (i !== -1) pods.splice(i, 1);
  if (pod.node !== undefined) {
    ctx.nodes.unbind(pod);
    ctx.capacityFreed();
  }
  ctx.requeue(pod.owner);
}

/** Records a Kubernetes Event about the pod, as its kubelet or the scheduler would. */
export function podEvent(
  ctx: ClusterContext,
  pod: SimPod,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
): void {
  ctx.events.record(ctx.now(), pod.owner.namespace, { kind: 'Pod', name: pod.name }, type, reason, message);
}

/** Moves a pod to a phase, keeping the serving totals right, and lets its owner's controller look. */
export function setPhase(ctx: ClusterContext, pod: SimPod, phase: PodPhase): void {
  if (pod.phase === 'Ready' && phase !== 'Ready') leaveReady(ctx, pod);
  if (phase === 'Ready' && pod.phase !== 'Ready') {
    const g = pod.owner.group;
    if (g !== undefined) {
      g.readyPods++;
      g.cpuRequestMilli += pod.template.cpuMilli;
      g.cpuCapacityMilli += pod.template.servingCpuMilli;
      if (pod.template.cpuLimited) g.limitedPods++;
    }
  }
  // A pod that crashes again stays failing since the first crash: `since` moves only when the phase does.
  if (pod.phase !== phase) pod.since = ctx.now();
  // Started but not yet ready changes nothing a replica controller counts (a Job counts running pods).
  const quiet = phase === 'Running' && pod.phase === 'ContainerCreating' && pod.owner.kind !== 'Job';
  pod.phase = phase;
  pod.gen++;
  if (phase === 'CrashLoopBackOff' || phase === 'Failed') pod.lastTermination = 'Error';
  else if (phase === 'Succeeded') pod.lastTermination = 'Completed';
  logLifecycle(pod, ctx.now(), phase);
  if (!quiet) ctx.requeue(pod.owner);
}

function leaveReady(ctx: ClusterContext, pod: SimPod): void {
  if (pod.phase !== 'Ready') return;
  const g = pod.owner.group;
  if (g !== undefined) {
    g.readyPods--;
    g.cpuRequestMilli -= pod.template.cpuMilli;
    g.cpuCapacityMilli -= pod.template.servingCpuMilli;
    if (pod.template.cpuLimited) g.limitedPods--;
  }
  pod.phase = 'Running';
}

/** Runs `run` after `ms` unless the pod has moved on (any transition or deletion) by then. */
function after(ctx: ClusterContext, pod: SimPod, ms: number, run: () => void): void {
  const gen = pod.gen;
  ctx.at(ctx.now() + ms, () => {
    if (pod.gen === gen && !pod.deleted) run();
  });
}

/** The owner reports Failed or Degraded once the pod has failed past the grace period: look again then. */
function lookAgainAfterGrace(ctx: ClusterContext, pod: SimPod): void {
  const due = pod.since + ctx.timings.failureGraceMs;
  if (due > ctx.now()) requeueAt(ctx, pod.owner, due);
}

/** Requeues the workload at a later time (a deadline to look at again). */
export function requeueAt(ctx: ClusterContext, w: Workload, time: number): void {
  ctx.at(time, () => {
    if (ctx.workload(w.key) === w) ctx.requeue(w);
  });
}
