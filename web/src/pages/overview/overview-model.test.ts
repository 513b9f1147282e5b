import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../api/types.ts';
import { capacityTotals, clustersBy, usageTotals } from './overview-model.ts';

const cluster = (
  name: string,
  vendor: string,
  health: 'Ready' | 'Unreachable',
  cpu: [number, number, number],
): Cluster => ({
  apiVersion: 'polis.io/v1',
  kind: 'Cluster',
  metadata: { name },
  spec: { provider: 'simulated', vendor, region: 'r', zone: 'z', networkZone: 'e-gov-extranet', role: 'primary' },
  status: {
    health,
    allocatable: { cpuMilli: cpu[0], memoryBytes: 0, pods: 0 },
    requested: { cpuMilli: cpu[1], memoryBytes: 0, pods: 0 },
    used: { cpuMilli: cpu[2], memoryBytes: 0, pods: 0 },
  },
});

describe('the overview’s figures', () => {
  const clusters = [
    cluster('a', 'inspur', 'Ready', [96000, 20000, 5000]),
    cluster('b', 'aliyun', 'Unreachable', [32000, 4000, 0]),
  ];
  it('sums capacity in cores over the reachable clusters, and the unreachable ones apart', () => {
    expect(capacityTotals(clusters)).toMatchObject({
      allocatableCpu: 96,
      requestedCpu: 20,
      usedCpu: 5,
      unreachable: { clusters: 1, allocatableCpu: 32, requestedCpu: 4 },
    });
  });
  it('counts clusters by vendor with how many are ready', () => {
    expect(clustersBy(clusters, 'vendor')).toEqual([
      { value: 'aliyun', total: 1, ready: 0 },
      { value: 'inspur', total: 1, ready: 1 },
    ]);
  });
  it('adds up cost and burst replicas over departments', () => {
    const u = (cost: number, burst: number) => ({
      tenant: 't',
      quota: {},
      requested: { cpu: 0, memory: 0, storage: 0, applications: 0 },
      placed: { cpu: 1, memory: 0, replicas: 2, burstReplicas: burst },
      costPerHour: cost,
    });
    expect(usageTotals([u(0.5, 1), u(1.25, 0)])).toEqual({
      costPerHour: 1.75,
      placedCpu: 2,
      replicas: 4,
      burstReplicas: 1,
      unreachableReplicas: 0,
    });
  });
});
