import type { WorkloadStatus } from '../clusters/driver.ts';
import type { ClusterContext } from './cluster-context.ts';
import { currentTemplate } from './controller-support.ts';
import { createPod, deletePod } from './pod-lifecycle.ts';
import { replicaStatus, replicaVerdict, type ReplicaCounts } from './workload-phase.ts';
import type { Workload } from './workload.ts';

type Json = Record<string, unknown>;

/**
 * A StatefulSet: pods `<name>-0 … <name>-(n-1)`. With the default OrderedReady policy a pod is created only when
 * every pod before it is ready; Parallel creates them together. A template change replaces pods one at a time from
 * the highest ordinal down (above `partition`), each once all pods are ready.
 */
export function reconcileStatefulSet(ctx: ClusterContext, w: Workload): void {
  const tpl = currentTemplate(ctx, w);
  const desired = w.desiredReplicas;
  const parallel = w.spec.podManagementPolicy === 'Parallel';
  const strategy = (w.spec.updateStrategy ?? {}) as Json;
  const rolling = strategy.type !== 'OnDelete';
  const partitionValue = (strategy.rollingUpdate as Json | undefined)?.partition;
  const partition = typeof partitionValue === 'number' ? partitionValue : 0;
  for (let round = 0; round < 1000; round++) {
    let ops = 0;
    // Scale down from the highest ordinal.
    for (const p of w.pods.filter((x) => x.ordinal >= desired).sort((a, b) => b.ordinal - a.ordinal)) {
      deletePod(ctx, p);
      ops++;
    }
    const byOrdinal = new Map(w.pods.map((p) => [p.ordinal, p]));
    for (let i = 0; i < desired; i++) {
      const p = byOrdinal.get(i);
      if (p === undefined) {
        createPod(ctx, w, tpl, `${w.name}-${i}`, i);
        ops++;
        if (!parallel) break;
      } else if (!p.ready && !parallel) break;
    }
    if (rolling && w.pods.length === desired && w.pods.every((p) => p.ready)) {
      const stale = w.pods
        .filter((p) => p.ordinal >= partition && p.template.hash !== tpl.hash)
        .sort((a, b) => b.ordinal - a.ordinal)[0];
      if (stale !== undefined) {
        deletePod(ctx, stale);
        ops++;
      }
    }
    if (ops === 0) break;
  }
  w.observedGeneration = w.generation;
  const c = counts(w);
  const currentRevision =
    c.updated === c.total ? tpl.hash : (w.pods.find((p) => p.template.hash !== tpl.hash)?.template.hash ?? tpl.hash);
  ctx.writeStatus(w.stored, {
    observedGeneration: w.observedGeneration,
    replicas: c.total,
    readyReplicas: c.ready,
    currentReplicas: w.pods.filter((p) => p.template.hash === currentRevision).length,
    updatedReplicas: c.updated,
    availableReplicas: c.available,
    currentRevision: `${w.name}-${currentRevision}`,
    updateRevision: `${w.name}-${tpl.hash}`,
    collisionCount: 0,
  });
}

function counts(w: Workload): ReplicaCounts {
  const hash = w.template?.hash;
  const ready = w.pods.filter((p) => p.ready).length;
  return {
    desired: w.desiredReplicas,
    total: w.pods.length,
    ready,
    updated: w.pods.filter((p) => p.template.hash === hash).length,
    available: ready,
    observed: w.observedGeneration === w.generation,
  };
}

export function reportStatefulSet(ctx: ClusterContext, w: Workload): WorkloadStatus {
  const c = counts(w);
  return replicaStatus(w, c, replicaVerdict(ctx, w, c));
}
