import type { NodeStatus } from '../clusters/driver.ts';
import type { SimPod } from './pod.ts';

/** One node of a simulated cluster. */
export interface SimNodeSpec {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  /** Most pods the node runs (kubelet `maxPods`). */
  readonly pods: number;
}

export class SimNode {
  readonly spec: SimNodeSpec;
  readonly name: string;
  ready = true;
  cpuRequested = 0;
  memoryRequested = 0;
  /** Pods bound here and not finished. */
  readonly pods = new Set<SimPod>();
  /** Images pulled to this node: a second pod of the same image starts faster. */
  readonly images = new Set<string>();

  constructor(spec: SimNodeSpec) {
    this.spec = spec;
    this.name = spec.name;
  }

  fits(pod: SimPod): boolean {
    return (
      this.ready &&
      this.pods.size < this.spec.pods &&
      this.cpuRequested + pod.template.cpuMilli <= this.spec.cpuMilli &&
      this.memoryRequested + pod.template.memoryBytes <= this.spec.memoryBytes
    );
  }

  status(): NodeStatus {
    return {
      name: this.name,
      ready: this.ready,
      allocatable: { cpuMilli: this.spec.cpuMilli, memoryBytes: this.spec.memoryBytes, pods: this.spec.pods },
      requested: { cpuMilli: this.cpuRequested, memoryBytes: this.memoryRequested, pods: this.pods.size },
    };
  }
}

/**
 * The nodes of one cluster and the scheduler's choice among them: pods are placed by their requests onto ready
 * nodes where they fit, preferring the node left least allocated (kube-scheduler's LeastAllocated score, CPU and
 * memory weighted equally); ties go to the node listed first, so placement is deterministic.
 */
export class NodePool {
  readonly list: SimNode[] = [];
  private readonly byName = new Map<string, SimNode>();

  add(spec: SimNodeSpec): SimNode {
    if (this.byName.has(spec.name)) throw new Error(`node ${spec.name} already exists`);
    const node = new SimNode(spec);
    this.list.push(node);
    this.byName.set(spec.name, node);
    return node;
  }

  remove(name: string): SimNode | undefined {
    const node = this.byName.get(name);
    if (node === undefined) return undefined;
    this.byName.delete(name);
    this.list.splice(this.list.indexOf(node), 1);
    return node;
  }

  get(name: string): SimNode | undefined {
    return this.byName.get(name);
  }

  readyNodes(): SimNode[] {
    return this.list.filter((n) => n.ready);
  }

  /** The best node for `pod`, or undefined when none fits. */
  choose(pod: SimPod): SimNode | undefined {
    if (pod.pinned !== undefined) return pod.pinned.fits(pod) ? pod.pinned : undefined;
    let best: SimNode | undefined;
    let bestScore = -Infinity;
    const cpu = pod.template.cpuMilli;
    const memory = pod.template.memoryBytes;
    for (const node of this.list) {
      if (!node.fits(pod)) continue;
      const score =
        (node.spec.cpuMilli - node.cpuRequested - cpu) / node.spec.cpuMilli +
        (node.spec.memoryBytes - node.memoryRequested - memory) / node.spec.memoryBytes;
      if (score > bestScore) {
        best = node;
        bestScore = score;
      }
    }
    return best;
  }

  /** Why no node fits, in the scheduler's words: `0/6 nodes are available: 2 Insufficient cpu, 4 node(s) were not ready.` */
  whyUnschedulable(pod: SimPod): string {
    const candidates = pod.pinned !== undefined ? [pod.pinned] : this.list;
    const counts = new Map<string, number>();
    const bump = (why: string) => counts.set(why, (counts.get(why) ?? 0) + 1);
    for (const node of candidates) {
      if (!node.ready) bump('node(s) were not ready');
      else if (node.pods.size >= node.spec.pods) bump('Too many pods');
      else {
        if (node.cpuRequested + pod.template.cpuMilli > node.spec.cpuMilli) bump('Insufficient cpu');
        if (node.memoryRequested + pod.template.memoryBytes > node.spec.memoryBytes) bump('Insufficient memory');
      }
    }
    const reasons = [...counts].map(([why, n]) => `${n} ${why}`).join(', ');
    return `0/${this.list.length} nodes are available: ${reasons || 'no nodes'}.`;
  }

  bind(pod: SimPod, node: SimNode): void {
    pod.node = node;
    node.pods.add(pod);
    node.cpuRequested += pod.template.cpuMilli;
    node.memoryRequested += pod.template.memoryBytes;
  }

  unbind(pod: SimPod): void {
    const node = pod.node;
    if (node === undefined) return;
    pod.node = undefined;
    if (node.pods.delete(pod)) {
      node.cpuRequested -= pod.template.cpuMilli;
      node.memoryRequested -= pod.template.memoryBytes;
    }
  }
}
