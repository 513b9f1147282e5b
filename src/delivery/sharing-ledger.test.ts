import { describe, expect, it } from 'vitest';
import type { ClusterCandidate, ComponentDemand } from '../placement/types.ts';
import { SharingLedger } from './sharing-ledger.ts';

const GIB = 1024 ** 3;
const primary = (name: string, cores: number): ClusterCandidate => ({
  name,
  vendor: 'v',
  region: 'r',
  zone: 'z',
  networkZone: 'n',
  role: 'primary',
  labels: {},
  healthy: true,
  free: { cpuMilli: cores * 1000, memoryBytes: cores * 4 * GIB, pods: 110 },
  allocatable: { cpuMilli: cores * 1000, memoryBytes: cores * 4 * GIB, pods: 110 },
});
const web = (replicas: number, cpuMilli = 1000): ComponentDemand[] => [
  { name: 'web', replicas, perReplica: { cpuMilli, memoryBytes: GIB, pods: 1 } },
];

describe('the sharing ledger', () => {
  it('grants what the whole decision grants, contended or not, after every change', () => {
    const ledger = new SharingLedger();
    ledger.setCapacity([primary('a', 16), primary('b', 16)]);
    ledger.setDepartment('edu', { quota: { cpu: '8', memory: '32Gi' }, sharing: { borrowingLimit: { cpu: '8' } } });
    ledger.setDepartment('tax', { quota: { cpu: '12', memory: '48Gi' } });
    ledger.setDepartment('open', undefined);
    const steps: [string, string, number][] = [
      ['edu/a', 'edu', 4],
      ['edu/b', 'edu', 10],
      ['tax/a', 'tax', 6],
      ['open/a', 'open', 3],
      ['tax/b', 'tax', 6],
      ['open/a', 'open', 20],
      ['edu/b', 'edu', 2],
      ['open/a', 'open', 1],
    ];
    for (const [key, tenant, replicas] of steps) {
      ledger.setDemand(key, tenant, 'normal', web(replicas));
      const whole = ledger.view().decision;
      // Whatever path the ledger took (a department's own split, or the whole decision), it answers as the whole.
      for (const k of new Set(steps.map((s) => s[0])))
        if (whole.grants.has(`${k}/web`)) {
          const g = whole.grants.get(`${k}/web`)!;
          expect(ledger.shareOf(k)!.grants.web).toEqual(g);
        }
    }
  });

  it('holds everything while a private cluster has not reported its capacity', () => {
    const ledger = new SharingLedger();
    const { allocatable: _unknown, ...unprobed } = primary('a', 16);
    ledger.setCapacity([unprobed]);
    ledger.setDepartment('edu', { quota: { cpu: '1' } });
    ledger.setDemand('edu/a', 'edu', 'normal', web(100));
    expect(ledger.shareOf('edu/a')).toBeUndefined();
    expect(ledger.takeYielding()).toEqual([]);
  });
});
