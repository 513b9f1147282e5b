import type { ClusterCapacity } from '../clusters/driver.ts';
import type { ClusterRuntime } from './cluster-runtime.ts';

/**
 * Capacity as a cluster reports it: all nodes, the ready ones (allocatable), the requests of scheduled pods, and
 * use, where ready serving pods use what the load model says and any other running pod is taken to use its
 * requests (memory use is taken to be the requests: the sim does not model memory).
 */
export function clusterCapacity(rt: ClusterRuntime): ClusterCapacity {
  const all = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  const allocatable = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  const requested = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  for (const n of rt.nodes.list) {
    all.cpuMilli += n.spec.cpuMilli;
    all.memoryBytes += n.spec.memoryBytes;
    all.pods += n.spec.pods;
    if (n.ready) {
      allocatable.cpuMilli += n.spec.cpuMilli;
      allocatable.memoryBytes += n.spec.memoryBytes;
      allocatable.pods += n.spec.pods;
    }
    requested.cpuMilli += n.cpuRequested;
    requested.memoryBytes += n.memoryRequested;
    requested.pods += n.pods.size;
  }
  const pending = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  for (const pod of rt.pending) {
    pending.cpuMilli += pod.template.cpuMilli;
    pending.memoryBytes += pod.template.memoryBytes;
    pending.pods++;
  }
  // Ready serving pods use what the load model says; any other running pod is taken to use its requests.
  let servingRequests = 0;
  let servingUse = 0;
  for (const g of rt.groups.values()) {
    servingRequests += g.cpuRequestMilli;
    servingUse += rt.load.usedCpuMilli(g.namespace, g.component, rt.name);
  }
  return {
    capacity: all,
    allocatable,
    requested,
    pending,
    used: {
      cpuMilli: Math.round(requested.cpuMilli - servingRequests + servingUse),
      memoryBytes: requested.memoryBytes,
      pods: requested.pods,
    },
    nodes: rt.nodes.list.map((n) => n.status()),
  };
}
