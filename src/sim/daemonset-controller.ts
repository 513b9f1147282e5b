import type { WorkloadStatus } from '../clusters/driver.ts';
import type { ClusterContext } from './cluster-context.ts';
import { currentTemplate, podName } from './controller-support.ts';
import { createPod, deletePod } from './pod-lifecycle.ts';
import { replicaStatus, replicaVerdict, type ReplicaCounts } from './workload-phase.ts';
import type { Workload } from './workload.ts';

/**
 * A DaemonSet: one pod on every ready node (node selectors and taints are not modelled). A template change
 * replaces pods one node at a time, each once every pod is ready (maxUnavailable 1).
 */
export function reconcileDaemonSet(ctx: ClusterContext, w: Workload): void {
  const tpl = currentTemplate(ctx, w);
  for (let round = 0; round < 1000; round++) {
    let ops = 0;
    const ready = new Set(ctx.nodes.readyNodes());
    for (const p of [...w.pods]) {
      if (p.pinned === undefined || !ready.has(p.pinned)) {
        deletePod(ctx, p);
        ops++;
      }
    }
    const covered = new Set(w.pods.map((p) => p.pinned));
    for (const node of ready) {
      if (covered.has(node)) continue;
      createPod(ctx, w, tpl, podName(ctx, w.name), -1, node);
      ops++;
    }
    if (w.pods.every((p) => p.ready)) {
      const stale = w.pods.find((p) => p.template.hash !== tpl.hash);
      if (stale !== undefined) {
        deletePod(ctx, stale);
        ops++;
      }
    }
    if (ops === 0) break;
  }
  w.observedGeneration = w.generation;
  const c = counts(ctx, w);
  ctx.writeStatus(w.stored, {
    observedGeneration: w.observedGeneration,
    desiredNumberScheduled: c.desired,
    currentNumberScheduled: w.pods.filter((p) => p.node !== undefined).length,
    numberReady: c.ready,
    updatedNumberScheduled: c.updated,
    numberAvailable: c.available,
    numberUnavailable: Math.max(0, c.desired - c.available),
    numberMisscheduled: 0,
  });
}

function counts(ctx: ClusterContext, w: Workload): ReplicaCounts {
  const ready = w.pods.filter((p) => p.ready).length;
  return {
    desired: ctx.nodes.readyNodes().length,
    total: w.pods.length,
    ready,
    updated: w.pods.filter((p) => p.template.hash === w.template?.hash).length,
    available: ready,
    observed: w.observedGeneration === w.generation,
  };
}

export function reportDaemonSet(ctx: ClusterContext, w: Workload): WorkloadStatus {
  const c = counts(ctx, w);
  return replicaStatus(w, c, replicaVerdict(ctx, w, c));
}
