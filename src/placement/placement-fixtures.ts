import type { Resources } from '../kernel/resources.ts';
import { DEFAULT_PLACEMENT_POLICY } from './placement-policy.ts';
import type {
  ClusterCandidate,
  ClusterReplicas,
  ComponentDemand,
  PlacementPolicy,
  PlacementRequest,
  ResidencyPolicy,
} from './types.ts';

/** Builders for placement tests and the benchmark: small clusters and requests with readable defaults. */

export const GI = 2 ** 30;

/** A healthy primary cluster in Guangdong's e-government extranet with 8 cores, 32 GiB and 110 pods free. */
export function cluster(name: string, o: Partial<ClusterCandidate> = {}): ClusterCandidate {
  return {
    name,
    vendor: 'huawei',
    region: 'gd',
    zone: 'gd-a',
    networkZone: 'e-gov-extranet',
    role: 'primary',
    labels: {},
    healthy: true,
    free: { cpuMilli: 8000, memoryBytes: 32 * GI, pods: 110 },
    ...o,
  };
}

/** Free room for exactly `replicas` replicas of `perReplica`. */
export function roomFor(replicas: number, perReplica: Resources = HALF_CORE): Resources {
  return {
    cpuMilli: perReplica.cpuMilli * replicas,
    memoryBytes: perReplica.memoryBytes * replicas,
    pods: Math.max(1, perReplica.pods) * replicas,
  };
}

export const HALF_CORE: Resources = { cpuMilli: 500, memoryBytes: GI, pods: 1 };

export function policy(o: Partial<PlacementPolicy> = {}): PlacementPolicy {
  return { ...DEFAULT_PLACEMENT_POLICY, ...o };
}

export function demand(name: string, replicas: number, perReplica: Resources = HALF_CORE): ComponentDemand {
  return { name, replicas, perReplica };
}

export function request(
  components: readonly ComponentDemand[],
  o: {
    key?: string;
    policy?: PlacementPolicy;
    policyFor?: (component: string) => PlacementPolicy;
    residency?: ResidencyPolicy;
    current?: Record<string, ClusterReplicas>;
  } = {},
): PlacementRequest {
  const p = o.policy ?? DEFAULT_PLACEMENT_POLICY;
  return {
    key: o.key ?? 'edu/enrolment',
    policyFor: o.policyFor ?? (() => p),
    ...(o.residency ? { residency: o.residency } : {}),
    components,
    current: o.current ?? {},
  };
}

export function residency(o: Partial<ResidencyPolicy>): ResidencyPolicy {
  return { clusters: [], regions: [], zones: [], networkZones: [], ...o };
}

/** Sum of replicas in a cluster map. */
export function total(replicas: ClusterReplicas): number {
  let s = 0;
  for (const k in replicas) s += replicas[k]!;
  return s;
}
