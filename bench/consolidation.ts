/**
 * Consolidation of a dedicated-VM estate (issue 17, "Figures to reach"): one day of ../shared/data/planetlab
 * (about 1,000 VMs, 5-minute CPU samples), written as the consolidation CSV polis reads
 * (vm,timestamp,cpu_used,memory_used,vm_cpu,vm_memory), then planned by consolidationPlan: each VM rightsized by
 * polis's recommender, placed by polis's placement onto shared nodes, the node count grown until at most 1% of
 * VM-minutes see their node over capacity. Against: dedicated sizing (the sum of VM sizes) and the sum of per-VM
 * peaks, both on the same node shape. Run: npm run bench:consolidation [-- DAY]
 */
import { consolidationPlan } from '../src/operations/consolidation/consolidation-plan.ts';
import { parseUtilizationCsv } from '../src/operations/consolidation/utilization-csv.ts';
import { dayStart, planetLabDays } from './support/traces.ts';
import { figure, printFigures, round, writeResult, type Figure } from './support/results.ts';

const DAY = process.argv[2] ?? '20110303';
const NODE = { cores: 32, memoryBytes: 1024 * 2 ** 30 };
/**
 * VM sizes: PlanetLab gives none. Beloglazov's CloudSim experiments on this trace use four instance types,
 * assigned in turn (2500, 2000, 1000 and 500 MIPS): taken here as 2.5, 2, 1 and 0.5 cores.
 */
const SIZES = [2.5, 2, 1, 0.5];
const VM_MEMORY = 2 ** 30;

async function main(): Promise<void> {
  const days = planetLabDays()
    .filter((d) => d.day === DAY)
    .sort((a, b) => (a.vm < b.vm ? -1 : 1));
  if (days.length === 0) throw new Error(`no PlanetLab VMs on day ${DAY}`);
  const start = dayStart(DAY) / 1000;
  const lines = ['vm,timestamp,cpu_used,memory_used,vm_cpu,vm_memory'];
  days.forEach((d, i) => {
    const size = SIZES[i % SIZES.length]!;
    d.percent.forEach((p, k) => lines.push(`${d.vm},${start + k * 300},${(size * p) / 100},0,${size},${VM_MEMORY}`));
  });
  const parsed = parseUtilizationCsv(lines.join('\n'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
  const plan = consolidationPlan(parsed.rows, NODE);
  const c = plan.consolidated;
  const figures: Figure[] = [
    figure({ metric: 'VMs', value: plan.vms, unit: 'VMs' }),
    figure({
      metric: 'nodes, polis (rightsized, placed by polis)',
      value: c.nodes,
      unit: `nodes of ${NODE.cores} cores`,
      baseline: `dedicated sizing ${plan.dedicated.nodes}, sum of per-VM peaks ${plan.sumOfPeaks.nodes}`,
    }),
    figure({
      metric: 'violation minutes, polis',
      value: round(100 * c.violationShare, 3),
      unit: '% of VM-minutes',
      goal: '<= 1',
    }),
    figure({
      metric: 'fewer nodes than dedicated sizing',
      value: round(plan.fewerNodesThanDedicated, 2),
      unit: 'x',
      goal: '>= 3',
      baseline: `dedicated ${plan.dedicated.nodes} nodes (${round(plan.dedicated.cores)} cores)`,
    }),
    figure({
      metric: 'fewer nodes than the sum of per-VM peaks',
      value: round(plan.sumOfPeaks.nodes / c.nodes, 2),
      unit: 'x',
      baseline: `sum of peaks ${plan.sumOfPeaks.nodes} nodes (${round(plan.sumOfPeaks.cores)} cores)`,
    }),
    figure({
      metric: 'requested cores after rightsizing',
      value: round(c.cores),
      unit: 'cores',
      baseline: `dedicated ${round(plan.dedicated.cores)} cores`,
    }),
  ];
  printFigures(`Consolidation of PlanetLab ${DAY}`, figures);
  console.log(
    '  tried:',
    c.tried.map((t) => `${t.profile} ${t.nodes}→${round(100 * t.violationShare, 2)}%`).join(', '),
    `; chosen: ${c.profile}`,
  );
  const file = await writeResult({
    benchmark: 'consolidation',
    command: 'npm run bench:consolidation',
    figures,
    parameters: {
      day: DAY,
      profile: c.profile,
      node: { cores: NODE.cores, memory: '1Ti' },
      vmSizesCores: SIZES,
      tried: c.tried,
    },
    notes: [
      'VM sizes are not in PlanetLab: the four instance types of Beloglazov’s CloudSim experiments on this trace, in turn (2.5, 2, 1, 0.5 cores); the samples are percent of that size.',
      'CPU only: PlanetLab has no memory, so memory used is 0 and the nodes’ memory does not bind. Node counts for dedicated sizing and per-VM peaks are the sums divided by the node (no packing loss: generous to the baselines).',
    ],
  });
  console.log(`\nwrote ${file}`);
}

await main();
