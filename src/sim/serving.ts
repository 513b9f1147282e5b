/**
 * The ready pods of one application component in one cluster, kept as running totals as pods become ready or
 * stop, so the load model reads a component's serving capacity without walking its pods.
 */
export class ServingGroup {
  readonly namespace: string;
  readonly component: string;
  readyPods = 0;
  /** Sum of the CPU requests of the ready pods (the base of utilization, as for the HPA). */
  cpuRequestMilli = 0;
  /** Sum of the CPU the ready pods can spend (limits where set). */
  cpuCapacityMilli = 0;
  /** Ready pods under a CPU limit (a CFS quota): those that can be throttled. */
  limitedPods = 0;
  /** Workloads that feed this group; the group goes when the last one does. */
  workloads = 0;

  constructor(namespace: string, component: string) {
    this.namespace = namespace;
    this.component = component;
  }
}

export function groupKey(namespace: string, component: string): string {
  return `${namespace}\u0000${component}`;
}
