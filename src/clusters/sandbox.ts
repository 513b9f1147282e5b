import { formatBytes, formatCpu, parseBytes, parseCpu } from '../kernel/quantity.ts';
import type { ResourceObject, StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { SimClusterSpec } from '../sim/index.ts';
import type { ClusterSpec } from './cluster-kind.ts';

const CTX = { actor: 'system:sandbox', requestId: 'sandbox-seed' };

/** The Cluster object for a cluster of the simulated cloud. */
export function clusterObject(spec: SimClusterSpec): ResourceObject {
  const first = spec.nodes[0]!;
  const cluster: ClusterSpec = {
    provider: 'simulated',
    vendor: spec.vendor,
    region: spec.region,
    zone: spec.zone,
    networkZone: spec.networkZone,
    role: spec.role,
    prices: spec.prices,
    simulation: {
      nodes: spec.nodes.length,
      nodeCpu: formatCpu(first.cpuMilli),
      nodeMemory: formatBytes(first.memoryBytes),
      nodePods: first.pods,
    },
  };
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Cluster',
    metadata: { name: spec.name, labels: { ...spec.labels } },
    spec: cluster,
  };
}

/** The simulated cluster a Cluster object describes (its node pool from `spec.simulation`). */
export function simSpecOf(obj: StoredObject<ClusterSpec>): SimClusterSpec {
  const spec = obj.spec!;
  const sim = spec.simulation ?? { nodes: 3, nodeCpu: '16', nodeMemory: '64Gi', nodePods: 110 };
  const cpuMilli = parseCpu(sim.nodeCpu);
  const memoryBytes = parseBytes(sim.nodeMemory);
  return {
    name: obj.metadata.name,
    vendor: spec.vendor,
    region: spec.region,
    zone: spec.zone,
    networkZone: spec.networkZone,
    role: spec.role,
    labels: { ...obj.metadata.labels },
    prices: spec.prices ?? { cpuCoreHour: 0, memoryGiBHour: 0 },
    nodes: Array.from({ length: sim.nodes }, (_, i) => ({
      name: `${obj.metadata.name}-node-${i + 1}`,
      cpuMilli,
      memoryBytes,
      pods: sim.nodePods ?? 110,
    })),
  };
}

/** On a first start, registers the default sandbox's clusters. Returns how many were created. */
export async function seedSandboxClusters(
  store: Store,
  resources: ResourceService,
  specs: readonly SimClusterSpec[],
): Promise<number> {
  const existing = await store.list({ kind: 'Cluster', limit: 1 });
  if (existing.items.length > 0) return 0;
  await resources.apply(
    CTX,
    specs.map((s) => clusterObject(s)),
  );
  return specs.length;
}
