import { describe, expect, it } from 'vitest';
import { CapacityLedger, SHORT_TEXT } from './capacity-ledger.ts';

const GI = 2 ** 30;

describe('CapacityLedger', () => {
  const per = { cpuMilli: 500, memoryBytes: GI, pods: 1 };

  it('counts the scarcest of cpu, memory and pods', () => {
    const ledger = new CapacityLedger([
      { cpuMilli: 2000, memoryBytes: 64 * GI, pods: 100 },
      { cpuMilli: 64_000, memoryBytes: 3.5 * GI, pods: 100 },
      { cpuMilli: 64_000, memoryBytes: 64 * GI, pods: 2 },
    ]);
    expect([0, 1, 2].map((i) => ledger.room(i, per))).toEqual([4, 3, 2]);
  });

  it('counts a replica as at least one pod, and an overcommitted cluster as having no room', () => {
    const ledger = new CapacityLedger([
      { cpuMilli: 1000, memoryBytes: GI, pods: 3 },
      { cpuMilli: -500, memoryBytes: GI, pods: 3 },
    ]);
    expect(ledger.room(0, { cpuMilli: 0, memoryBytes: 0, pods: 0 })).toBe(3);
    expect(ledger.room(1, per)).toBe(0);
    expect(ledger.short(1, per)).toBe(1);
    expect(SHORT_TEXT[ledger.short(0, { cpuMilli: 2000, memoryBytes: 2 * GI, pods: 4 })]).toBe('cpu, memory, pods');
  });

  it('takes and gives back', () => {
    const ledger = new CapacityLedger([{ cpuMilli: 2000, memoryBytes: 4 * GI, pods: 10 }]);
    ledger.take(0, per, 3);
    expect(ledger.free(0)).toEqual({ cpuMilli: 500, memoryBytes: GI, pods: 7 });
    expect(ledger.room(0, per)).toBe(1);
    ledger.give(0, per, 1);
    expect(ledger.room(0, per)).toBe(2);
  });
});
