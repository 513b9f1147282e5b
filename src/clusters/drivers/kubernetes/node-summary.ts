import { parseBytes, parseCpu } from '../../../kernel/quantity.ts';
import type { ClusterCapacity, NodeStatus, Resources } from '../../driver.ts';
import type { PodSummary } from './pod-summary.ts';
import { quantity } from './pod-summary.ts';

type Json = Record<string, unknown>;

/** A node reduced to what capacity needs. */
export interface NodeSummary {
  readonly name: string;
  readonly ready: boolean;
  readonly capacity: Resources;
  readonly allocatable: Resources;
}

export function summarizeNode(obj: Json): NodeSummary {
  const status = (obj.status ?? {}) as Json;
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as Json[];
  return {
    name: String((obj.metadata as Json).name),
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    capacity: resources(status.capacity),
    allocatable: resources(status.allocatable ?? status.capacity),
  };
}

function resources(v: unknown): Resources {
  const r = (v ?? {}) as Json;
  return {
    cpuMilli: quantity(parseCpu, r.cpu),
    memoryBytes: quantity(parseBytes, r.memory),
    pods: quantity((q) => Number(q), r.pods),
  };
}

/**
 * Capacity as the simulated cloud reports it: every node's capacity, the ready nodes' allocatable, and the
 * requests of the pods scheduled to a node and not finished (Succeeded or Failed), those the scheduler found no
 * node for (pending); `used` when metrics are given.
 */
export function clusterCapacity(
  nodes: Iterable<NodeSummary>,
  pods: Iterable<PodSummary>,
  used?: Resources,
): ClusterCapacity {
  const all = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  const allocatable = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  const requested = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  const pending = { cpuMilli: 0, memoryBytes: 0, pods: 0 };
  const perNode = new Map<string, { cpuMilli: number; memoryBytes: number; pods: number }>();
  const list = [...nodes].sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const n of list) {
    add(all, n.capacity);
    if (n.ready) add(allocatable, n.allocatable);
    perNode.set(n.name, { cpuMilli: 0, memoryBytes: 0, pods: 0 });
  }
  for (const p of pods) {
    if (p.phase === 'Succeeded' || p.phase === 'Failed') continue;
    if (p.node === undefined) {
      if (p.failure?.reason === 'Unschedulable' && !p.terminating) add(pending, p.requests);
      continue;
    }
    add(requested, p.requests);
    const n = perNode.get(p.node);
    if (n) add(n, p.requests);
  }
  const statuses: NodeStatus[] = list.map((n) => ({
    name: n.name,
    ready: n.ready,
    allocatable: n.allocatable,
    requested: perNode.get(n.name)!,
  }));
  return { capacity: all, allocatable, requested, pending, ...(used ? { used } : {}), nodes: statuses };
}

function add(to: { cpuMilli: number; memoryBytes: number; pods: number }, r: Resources): void {
  to.cpuMilli += r.cpuMilli;
  to.memoryBytes += r.memoryBytes;
  to.pods += r.pods;
}

/**
 * Node use from metrics-server (`/apis/metrics.k8s.io/v1beta1/nodes`): CPU comes in nanocores (`"146516398n"`),
 * which the quantity parser of manifests does not take.
 */
export function metricsUsage(body: unknown, pods: number): Resources | undefined {
  const items = (body as { items?: Json[] } | undefined)?.items;
  if (!Array.isArray(items)) return undefined;
  let cpuMilli = 0;
  let memoryBytes = 0;
  for (const item of items) {
    const usage = (item.usage ?? {}) as Json;
    cpuMilli += usageCpu(usage.cpu);
    memoryBytes += quantity(parseBytes, usage.memory);
  }
  return { cpuMilli: Math.round(cpuMilli), memoryBytes, pods };
}

function usageCpu(q: unknown): number {
  const m = typeof q === 'string' ? /^(\d+)([nu])$/.exec(q) : null;
  if (m) return Number(m[1]) / (m[2] === 'n' ? 1e6 : 1e3);
  return quantity(parseCpu, q);
}
