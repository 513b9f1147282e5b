import { describe, expect, it } from 'vitest';
import { consolidationPlan } from './consolidation-plan.ts';
import { parseUtilizationCsv } from './utilization-csv.ts';

const HEADER = 'vm,timestamp,cpu_used,memory_used,vm_cpu,vm_memory';

function csv(vms: number, use: (vm: number, k: number) => number, samples = 100): string {
  const lines = [HEADER];
  for (let v = 0; v < vms; v++)
    for (let k = 0; k < samples; k++) lines.push(`vm-${v},${1_700_000_000 + k * 300},${use(v, k)},0,2,1Gi`);
  return lines.join('\n');
}

describe('the utilization CSV', () => {
  it('reads cores and quantities, unix seconds and ISO 8601', () => {
    const r = parseUtilizationCsv(
      `${HEADER}\nweb-1,1700000000,0.25,512Mi,2,4Gi\nweb-1,2023-11-14T22:18:20Z,500m,1073741824,2,4Gi\n`,
    );
    expect(r.ok && r.rows).toEqual([
      {
        vm: 'web-1',
        at: 1_700_000_000_000,
        cpuCores: 0.25,
        memoryBytes: 512 * 2 ** 20,
        sizeCores: 2,
        sizeMemoryBytes: 4 * 2 ** 30,
      },
      {
        vm: 'web-1',
        at: 1_700_000_300_000,
        cpuCores: 0.5,
        memoryBytes: 2 ** 30,
        sizeCores: 2,
        sizeMemoryBytes: 4 * 2 ** 30,
      },
    ]);
  });

  it('names the line, the column and what is accepted for every bad value, and returns no rows', () => {
    const r = parseUtilizationCsv(
      `${HEADER}\nweb-1,yesterday,0.25,512Mi,2,4Gi\nweb-2,1700000000,lots,512Mi,0,4Gi\nweb-3,1\n`,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.path, e.code])).toEqual([
      ['line 2, timestamp', 'ConsolidationCsvValue'],
      ['line 3, cpu_used', 'ConsolidationCsvValue'],
      ['line 3, vm_cpu', 'ConsolidationCsvValue'],
      ['line 4', 'ConsolidationCsvColumns'],
    ]);
    expect(r.errors[1]!.message).toBe('cpu_used "lots" is not valid: expected cores or a CPU quantity (1.5, 500m)');
    expect(parseUtilizationCsv('vm,cpu\n').ok).toBe(false);
  });
});

describe('a consolidation plan', () => {
  it('grows the node count until at most 1% of VM-minutes see their node over capacity', () => {
    // Four VMs of 2 cores: 0.1 core, except two instants in a hundred when all four reach 1.9 together.
    // VPA profile: p90 + 15% = 127m each (0.5 core in all) → 1 node of 4 cores, but the spikes sum to 7.6 cores:
    // 2 of 100 instants over capacity, 2% > 1%. Two nodes: placement divides by free room, two VMs each, spikes
    // 3.8 ≤ 4: no violation. The recommended profile (p99 × 1.15, capped at the VM's 2 cores) needs 2 nodes too.
    const rows = parseUtilizationCsv(csv(4, (_, k) => (k === 40 || k === 80 ? 1.9 : 0.1)));
    if (!rows.ok) throw new Error('bad fixture');
    const plan = consolidationPlan(rows.rows, { cores: 4, memoryBytes: 64 * 2 ** 30 });
    expect(plan.vms).toBe(4);
    expect(plan.dedicated).toEqual({ cores: 8, memoryBytes: 4 * 2 ** 30, nodes: 2 });
    expect(plan.sumOfPeaks.nodes).toBe(2);
    expect(plan.consolidated.tried).toContainEqual({ nodes: 1, violationShare: 0.02, profile: 'vpa' });
    expect(plan.consolidated.tried).toContainEqual({ nodes: 2, violationShare: 0, profile: 'vpa' });
    expect(plan.consolidated.nodes).toBe(2);
    expect(plan.consolidated.violationShare).toBe(0);
    expect(plan.consolidated.vmsPerNode).toEqual({ 'node-0001': 2, 'node-0002': 2 });
  });

  it('packs VMs that never peak together onto fewer nodes than their sizes or their peaks', () => {
    // Eight VMs of 2 cores, each busy (1.5 cores) 5 instants of 100, each at its own time, idle (0.05) otherwise:
    // the sum of peaks is 12 cores (3 nodes of 4), the sizes 16 (4 nodes). VPA profile: p90 is 0.05's bucket,
    // start(5) = 0.2 · (1.05^5 − 1) = 0.0553 × 1.15 → 64m each, 0.512 core in all: 1 node; use at any instant is at
    // most 1.5 + 7 × 0.05 = 1.85 ≤ 4 cores, no violation.
    const rows = parseUtilizationCsv(csv(8, (v, k) => (Math.floor(k / 5) === v ? 1.5 : 0.05)));
    if (!rows.ok) throw new Error('bad fixture');
    const plan = consolidationPlan(rows.rows, { cores: 4, memoryBytes: 64 * 2 ** 30 });
    expect(plan.dedicated.nodes).toBe(4);
    expect(plan.sumOfPeaks.nodes).toBe(3);
    expect(plan.consolidated.nodes).toBe(1);
    expect(plan.consolidated.profile).toBe('vpa');
    expect(plan.fewerNodesThanDedicated).toBe(4);
  });
});
