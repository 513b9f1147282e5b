import type { Clock } from '../kernel/clock.ts';
import type { SimClusterSpec, SimNodeSpec } from './cluster-spec.ts';
import { SimCloud } from './sim-cloud.ts';
import type { SimTimings } from './timings.ts';

const GiB = 1024 ** 3;

function nodes(prefix: string, count: number, cores: number, memoryGiB: number, pods = 110): SimNodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-node-${String(i + 1).padStart(2, '0')}`,
    cpuMilli: cores * 1000,
    memoryBytes: memoryGiB * GiB,
    pods,
  }));
}

function labels(c: Omit<SimClusterSpec, 'labels' | 'nodes' | 'prices'>): Record<string, string> {
  return {
    'topology.kubernetes.io/region': c.region,
    'topology.kubernetes.io/zone': c.zone,
    'polis.io/vendor': c.vendor,
    'polis.io/network-zone': c.networkZone,
    'polis.io/role': c.role,
  };
}

function cluster(
  c: Omit<SimClusterSpec, 'labels' | 'nodes'>,
  nodeList: SimNodeSpec[],
  extra: Record<string, string> = {},
): SimClusterSpec {
  return { ...c, labels: { ...labels(c), ...extra }, nodes: nodeList };
}

/**
 * The default sandbox: a city's private government cloud on the e-government extranet in two regions (east and
 * west, one vendor), a disaster-recovery site in the north, and two public-cloud burst clusters of different
 * vendors on the internet. Prices are yuan per vCPU-hour and GiB-hour; the private cloud is the cheaper.
 */
export const DEFAULT_SANDBOX: readonly SimClusterSpec[] = [
  cluster(
    {
      name: 'gov-east',
      vendor: 'inspur-cloud',
      region: 'city-east',
      zone: 'city-east-a',
      networkZone: 'e-gov-extranet',
      role: 'primary',
      prices: { cpuCoreHour: 0.12, memoryGiBHour: 0.016 },
    },
    nodes('gov-east', 3, 16, 64),
  ),
  cluster(
    {
      name: 'gov-west',
      vendor: 'inspur-cloud',
      region: 'city-west',
      zone: 'city-west-a',
      networkZone: 'e-gov-extranet',
      role: 'primary',
      prices: { cpuCoreHour: 0.12, memoryGiBHour: 0.016 },
    },
    nodes('gov-west', 3, 16, 64),
  ),
  cluster(
    {
      name: 'burst-aliyun',
      vendor: 'aliyun',
      region: 'cn-hangzhou',
      zone: 'cn-hangzhou-h',
      networkZone: 'internet',
      role: 'burst',
      prices: { cpuCoreHour: 0.22, memoryGiBHour: 0.03 },
    },
    nodes('burst-aliyun', 4, 8, 32),
  ),
  cluster(
    {
      name: 'burst-huawei',
      vendor: 'huaweicloud',
      region: 'cn-east-3',
      zone: 'cn-east-3a',
      networkZone: 'internet',
      role: 'burst',
      prices: { cpuCoreHour: 0.2, memoryGiBHour: 0.028 },
    },
    nodes('burst-huawei', 4, 8, 32),
  ),
  cluster(
    {
      name: 'dr-north',
      vendor: 'inspur-cloud',
      region: 'city-north',
      zone: 'city-north-a',
      networkZone: 'e-gov-extranet',
      role: 'disaster-recovery',
      prices: { cpuCoreHour: 0.12, memoryGiBHour: 0.016 },
    },
    nodes('dr-north', 3, 16, 64),
  ),
];

/** A SimCloud holding the default sandbox's clusters. */
export function createSandbox(clock: Clock, seed?: number, timings?: Partial<SimTimings>): SimCloud {
  const cloud = new SimCloud({ clock, ...(seed !== undefined ? { seed } : {}), ...(timings ? { timings } : {}) });
  for (const spec of DEFAULT_SANDBOX) cloud.addCluster(spec);
  return cloud;
}
