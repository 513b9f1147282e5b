import type { ClusterRuntime } from './cluster-runtime.ts';
import type { SimNodeSpec } from './nodes.ts';
import { crash, deletePod } from './pod-lifecycle.ts';

/**
 * Faults injected on command, inside one cluster. Cluster-wide reachability (down, partition) is a state of the
 * runtime; these act on nodes and kubelets.
 */

/** The node stops: its pods are lost at once and their owners recreate them elsewhere, as a ReplicaSet would. */
export function failNode(rt: ClusterRuntime, name: string): void {
  const node = requireNode(rt, name);
  if (!node.ready) return;
  node.ready = false;
  for (const pod of [...node.pods]) deletePod(rt, pod);
  rt.nodesChanged();
}

export function restoreNode(rt: ClusterRuntime, name: string): void {
  const node = requireNode(rt, name);
  if (node.ready) return;
  node.ready = true;
  rt.nodesChanged();
}

/** Adds capacity; unschedulable pods get another try. */
export function addNode(rt: ClusterRuntime, spec: SimNodeSpec): void {
  rt.nodes.add(spec);
  rt.nodesChanged();
}

/** Containers of `image` crash from now on: running pods go to CrashLoopBackOff, new ones never become ready. */
export function crashLoop(rt: ClusterRuntime, image: string): void {
  rt.faults.crashImages.add(image);
  for (const w of rt.workloads()) {
    for (const pod of [...w.pods]) {
      if ((pod.phase === 'Running' || pod.phase === 'Ready') && pod.template.images.includes(image)) crash(rt, pod);
    }
  }
}

/** The image works again: crash-looping pods come up at their next restart (after the current back-off). */
export function clearCrashLoop(rt: ClusterRuntime, image: string): void {
  rt.faults.crashImages.delete(image);
}

/** Pulls of `image` fail from now on (ImagePullBackOff for pods that still have to pull it). */
export function failImagePull(rt: ClusterRuntime, image: string): void {
  rt.faults.pullFailures.add(image);
}

export function clearImagePullFailure(rt: ClusterRuntime, image: string): void {
  rt.faults.pullFailures.delete(image);
}

function requireNode(rt: ClusterRuntime, name: string) {
  const node = rt.nodes.get(name);
  if (node === undefined) {
    throw new RangeError(
      `cluster ${rt.name} has no node ${name} (nodes: ${rt.nodes.list.map((n) => n.name).join(', ')})`,
    );
  }
  return node;
}
