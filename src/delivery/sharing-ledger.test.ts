import { describe, expect, it } from 'vitest';
import type { ClusterCandidate, ComponentDemand } from '../placement/types.ts';
import { SharingLedger, defaultSharingInterval } from './sharing-ledger.ts';

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

  it('paced: changes within the interval share one decision; changed applications wait for it, others keep theirs', () => {
    let now = 0;
    const ledger = new SharingLedger({ now: () => now, minIntervalMs: () => 1000 });
    ledger.setCapacity([primary('a', 8)]);
    ledger.setDepartment('edu', undefined);
    ledger.setDepartment('tax', undefined);
    ledger.setDemand('edu/a', 'edu', 'normal', web(6));
    ledger.setDemand('tax/a', 'tax', 'normal', web(6));
    // Contended (12 cores wanted of 8): the first decision is computed at once, and split evenly.
    expect(ledger.deferredFor('edu/a')).toBeUndefined();
    expect(ledger.shareOf('edu/a')!.privateCap.web).toBe(4);
    expect(ledger.shareOf('tax/a')!.privateCap.web).toBe(4);
    now = 200;
    ledger.setDemand('edu/a', 'edu', 'normal', web(5));
    // edu changed: it waits for the next decision, 800 ms on; tax did not, and keeps its grant meanwhile.
    expect(ledger.deferredFor('edu/a')).toBe(800);
    expect(ledger.deferredFor('tax/a')).toBeUndefined();
    expect(ledger.shareOf('tax/a')!.privateCap.web).toBe(4);
    now = 700;
    ledger.setDemand('edu/a', 'edu', 'normal', web(3));
    ledger.setDemand('edu/b', 'edu', 'normal', web(1));
    expect(ledger.deferredFor('edu/b')).toBe(300);
    now = 1000;
    // One decision for all three changes: edu's 4 and tax's 4 of the 8 cores.
    expect(ledger.deferredFor('edu/a')).toBeUndefined();
    expect(ledger.shareOf('edu/a')!.privateCap.web).toBe(3);
    expect(ledger.shareOf('edu/b')!.privateCap.web).toBe(1);
    expect(ledger.shareOf('tax/a')!.privateCap.web).toBe(4);
    // A department's change defers all its applications, and only them.
    now = 1100;
    ledger.setDepartment('tax', { quota: { cpu: '2' }, sharing: { borrowingLimit: { cpu: '0' } } });
    expect(ledger.deferredFor('tax/a')).toBe(900);
    expect(ledger.deferredFor('edu/a')).toBeUndefined();
  });

  it('paced: an estate that is not contended is never deferred', () => {
    const now = 0;
    const ledger = new SharingLedger({ now: () => now, minIntervalMs: () => 1000 });
    ledger.setCapacity([primary('a', 100)]);
    ledger.setDepartment('edu', undefined);
    ledger.setDemand('edu/a', 'edu', 'normal', web(6));
    expect(ledger.shareOf('edu/a')!.privateCap.web).toBe(6);
    ledger.setDemand('edu/a', 'edu', 'normal', web(9));
    expect(ledger.deferredFor('edu/a')).toBeUndefined();
    expect(ledger.shareOf('edu/a')!.privateCap.web).toBe(9);
  });

  it('paces only large estates by default: none below 2,000 components, 1 s at 10,000, at most 5 s', () => {
    expect(defaultSharingInterval(1999)).toBe(0);
    expect(defaultSharingInterval(10_000)).toBe(1000);
    expect(defaultSharingInterval(1_000_000)).toBe(5000);
  });
});
