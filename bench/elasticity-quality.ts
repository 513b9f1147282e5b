/**
 * elasticity-quality: autoscaling quality on real series. The load of 50 components (the 16 Crane production series
 * and 34 PlanetLab VMs, ../shared/data) is replayed for 7 simulated days against four strategies: static sizing at
 * the week's peak, the Kubernetes HPA with its defaults, polis reactive and polis predictive (the pure `hpaDecide`
 * and `decide` of src/scaling). Reported per strategy: the share of minutes over target + 10 points (violation),
 * allocated / used replica-minutes (over-provisioning) and replica changes per hour.
 *
 * Goal: polis predictive at most 1% violation minutes, with at least 2× less over-provisioning than static sizing.
 * Static sizing and the HPA are the baselines, replayed in the same run on the same load.
 *
 * Environment: BENCH_COMPONENTS (50; Crane series first, then PlanetLab VMs), BENCH_DAYS (7 measured days),
 * BENCH_WORKERS (2 worker threads). Other sizes write elasticity-quality.custom.json.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { loadCraneSeries } from '../src/sim/load-scenarios.ts';
import type { ComponentAutoscaling } from '../src/scaling/autoscaler.ts';
import {
  componentLoad,
  replay,
  REPLAY_MODEL,
  toMinutes,
  type ComponentLoad,
  type ReplayStats,
  type Strategy,
} from './support/replay-model.ts';
import type { Figure } from './support/results.ts';
import { envInt, figure, printFigures, round, writeResult } from './support/results.ts';

const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const CRANE_SERIES = 16;
const PEAK_REPLICAS = 20;
/** Enough history for the predictor to find a daily cycle (two days) is not always there: Crane's series 0 has 8. */
const MIN_HISTORY_MINUTES = 1440;
/** Minutes per sample of the load history the controller keeps for prediction. */
const HISTORY_STEP_MINUTES = 5;

const params = {
  components: envInt('BENCH_COMPONENTS', 50),
  days: envInt('BENCH_DAYS', 7),
  workers: envInt('BENCH_WORKERS', Math.min(2, cpus().length)),
};
const custom = params.components !== 50 || params.days !== 7;

/** polis's settings, as a department would write them in its `autoscaling` policy (tuned here, see the notes). */
const POLIS_BASE: ComponentAutoscaling = {
  name: 'replayed',
  minReplicas: REPLAY_MODEL.minReplicas,
  maxReplicas: REPLAY_MODEL.maxReplicas,
  targets: { cpuUtilization: REPLAY_MODEL.targetPercent },
  tolerance: 0.05,
  behavior: {
    // One evaluation a minute (on each metric arrival): a rate limit would only add a minute of lag per step.
    scaleUp: {
      stabilizationWindowSeconds: 0,
      policies: [{ type: 'Pods', value: REPLAY_MODEL.maxReplicas, periodSeconds: 60 }],
    },
    // Keep the highest recommendation of the last 30 minutes: spiky load comes back.
    scaleDown: { stabilizationWindowSeconds: 1800, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
  },
};
const HORIZON_MINUTES = 15;
const CAPACITY_FACTOR = 1;

const STRATEGIES: readonly Strategy[] = [
  { kind: 'static', name: 'static sizing at peak', replicas: PEAK_REPLICAS },
  { kind: 'hpa', name: 'HPA defaults' },
  { kind: 'polis', name: 'polis reactive', component: POLIS_BASE },
  {
    kind: 'polis',
    name: 'polis predictive',
    component: { ...POLIS_BASE, prediction: { enabled: true, horizonMinutes: HORIZON_MINUTES } },
    historyStepMinutes: HISTORY_STEP_MINUTES,
    capacityFactor: CAPACITY_FACTOR,
  },
];

interface Task {
  readonly component: number;
  readonly strategy: number;
}

if (!isMainThread) {
  let loads: readonly ComponentLoad[] = [];
  parentPort!.on('message', (msg: { loads?: ComponentLoad[]; task?: Task }) => {
    if (msg.loads) loads = msg.loads;
    if (msg.task) {
      const stats = replay(loads[msg.task.component]!, STRATEGIES[msg.task.strategy]!);
      parentPort!.postMessage({ task: msg.task, stats });
    }
  });
} else {
  await main();
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const loads = components(params.components, params.days);
  const loadedMs = performance.now() - t0;
  const tasks: Task[] = [];
  // The predictive replays are the slow ones: hand them out first.
  for (let s = STRATEGIES.length - 1; s >= 0; s--)
    for (let c = 0; c < loads.length; c++) tasks.push({ component: c, strategy: s });
  const results = await runAll(loads, tasks, params.workers);
  const replayMs = performance.now() - t0 - loadedMs;

  const sum = (s: number, pick: (l: ComponentLoad) => boolean) =>
    total(loads.map((l, c) => (pick(l) ? results[c]![s]! : undefined)));
  const all = STRATEGIES.map((_, s) => sum(s, () => true));
  const by = (source: ComponentLoad['source']) => STRATEGIES.map((_, s) => sum(s, (l) => l.source === source));
  const [stat, hpa, reactive, predictive] = all as [Agg, Agg, Agg, Agg];

  const figures: Figure[] = [];
  for (const [i, st] of STRATEGIES.entries()) {
    const a = all[i]!;
    const goal = st.name === 'polis predictive' ? '<= 1' : undefined;
    figures.push(
      figure({
        metric: `${st.name} violation minutes`,
        value: round(a.violation, 2),
        unit: '%',
        ...(goal
          ? { goal, baseline: `HPA defaults ${round(hpa.violation, 2)}%, static ${round(stat.violation, 2)}%` }
          : {}),
      }),
    );
  }
  for (const [i, st] of STRATEGIES.entries()) {
    figures.push(
      figure({
        metric: `${st.name} over-provisioning`,
        value: round(all[i]!.overProvisioning, 2),
        unit: 'allocated/used',
      }),
    );
  }
  figures.push(
    figure({
      metric: 'over-provisioning: static / polis predictive',
      value: round(stat.overProvisioning / predictive.overProvisioning, 2),
      unit: 'ratio',
      goal: '>= 2',
      baseline: `static ${round(stat.overProvisioning, 2)}, HPA defaults ${round(hpa.overProvisioning, 2)} (static / HPA ${round(stat.overProvisioning / hpa.overProvisioning, 2)}), polis reactive ${round(reactive.overProvisioning, 2)}`,
    }),
  );
  for (const [i, st] of STRATEGIES.entries()) {
    figures.push(
      figure({ metric: `${st.name} replica changes`, value: round(all[i]!.changesPerHour, 2), unit: 'per hour' }),
    );
  }
  printFigures(`elasticity-quality: ${loads.length} components, ${params.days} measured days each`, figures);
  printTable('per source', loads, results);

  const notes: string[] = [];
  const vio = figures.find((f) => f.metric === 'polis predictive violation minutes')!;
  const ratio = figures.find((f) => f.metric === 'over-provisioning: static / polis predictive')!;
  if (!vio.met) notes.push(`MISSED: polis predictive violation minutes ${vio.value}% (goal <= 1%).`);
  if (!ratio.met) notes.push(`MISSED: static / polis predictive over-provisioning ${ratio.value} (goal >= 2).`);

  const file = await writeResult(
    {
      benchmark: 'elasticity-quality',
      command: custom
        ? `BENCH_COMPONENTS=${params.components} BENCH_DAYS=${params.days} npm run bench:elasticity`
        : 'npm run bench:elasticity',
      figures,
      parameters: {
        ...params,
        crane: loads.filter((l) => l.source === 'crane').length,
        planetlab: loads.filter((l) => l.source === 'planetlab').length,
        model: REPLAY_MODEL,
        peakReplicas: PEAK_REPLICAS,
        polis: {
          ...POLIS_BASE,
          name: undefined,
          prediction: { enabled: true, horizonMinutes: HORIZON_MINUTES },
          historyStepMinutes: HISTORY_STEP_MINUTES,
          capacityFactor: CAPACITY_FACTOR,
        },
        bySource: Object.fromEntries(
          (['crane', 'planetlab'] as const).map((src) => [
            src,
            Object.fromEntries(
              by(src).map((a, i) => [
                STRATEGIES[i]!.name,
                {
                  violationPercent: round(a.violation, 2),
                  overProvisioning: round(a.overProvisioning, 2),
                  changesPerHour: round(a.changesPerHour, 2),
                },
              ]),
            ),
          ]),
        ),
        worstPredictive: worst(loads, results, 3, 5),
        loadSeconds: round(loadedMs / 1000, 1),
        replaySeconds: round(replayMs / 1000, 1),
      },
      notes,
    },
    custom ? 'custom' : undefined,
  );
  console.log(`\nloaded in ${round(loadedMs / 1000, 1)} s, replayed in ${round(replayMs / 1000, 1)} s; wrote ${file}`);
}

interface Agg {
  readonly violation: number;
  readonly overProvisioning: number;
  readonly changesPerHour: number;
}

function total(stats: readonly (ReplayStats | undefined)[]): Agg {
  let minutes = 0;
  let violation = 0;
  let allocated = 0;
  let used = 0;
  let changes = 0;
  for (const s of stats) {
    if (!s) continue;
    minutes += s.minutes;
    violation += s.violationMinutes;
    allocated += s.allocated;
    used += s.used;
    changes += s.changes;
  }
  return {
    violation: (100 * violation) / minutes,
    overProvisioning: allocated / used,
    changesPerHour: changes / (minutes / 60),
  };
}

function worst(
  loads: readonly ComponentLoad[],
  results: ReplayStats[][],
  s: number,
  n: number,
): Record<string, number> {
  return Object.fromEntries(
    loads
      .map((l, c) => [l.name, round((100 * results[c]![s]!.violationMinutes) / results[c]![s]!.minutes, 2)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n),
  );
}

function printTable(title: string, loads: readonly ComponentLoad[], results: ReplayStats[][]): void {
  console.log(`\n${title}`);
  console.log(
    `  ${'strategy'.padEnd(24)} ${'source'.padEnd(10)} ${'violation %'.padStart(12)} ${'alloc/used'.padStart(11)} ${'changes/h'.padStart(10)}`,
  );
  for (const [s, st] of STRATEGIES.entries())
    for (const src of ['crane', 'planetlab'] as const) {
      const a = total(loads.map((l, c) => (l.source === src ? results[c]![s]! : undefined)));
      console.log(
        `  ${st.name.padEnd(24)} ${src.padEnd(10)} ${round(a.violation, 2).toFixed(2).padStart(12)} ${round(a.overProvisioning, 2).toFixed(2).padStart(11)} ${round(a.changesPerHour, 2).toFixed(2).padStart(10)}`,
      );
    }
}

/** Runs every task on `workers` threads (inline with 0), longest first as listed. */
async function runAll(
  loads: readonly ComponentLoad[],
  tasks: readonly Task[],
  workers: number,
): Promise<ReplayStats[][]> {
  const results: ReplayStats[][] = loads.map(() => []);
  if (workers === 0) {
    for (const t of tasks) results[t.component]![t.strategy] = replay(loads[t.component]!, STRATEGIES[t.strategy]!);
    return results;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(workers, tasks.length) }, async () => {
      const w = new Worker(new URL(import.meta.url));
      w.postMessage({ loads });
      try {
        while (next < tasks.length) {
          const task = tasks[next++]!;
          const reply = await new Promise<{ task: Task; stats: ReplayStats }>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage({ task });
          });
          w.removeAllListeners('error');
          results[reply.task.component]![reply.task.strategy] = reply.stats;
        }
      } finally {
        await w.terminate();
      }
    }),
  );
  return results;
}

/** The first `n` components: Crane's 16 series, then PlanetLab VMs (all ten days first, then nine, by name). */
function components(n: number, days: number): ComponentLoad[] {
  const o = { evalDays: days, peakReplicas: PEAK_REPLICAS, minHistoryMinutes: MIN_HISTORY_MINUTES };
  const out: ComponentLoad[] = [];
  for (let i = 0; i < CRANE_SERIES && out.length < n; i++) {
    const s = loadCraneSeries(`${DATA}crane/series${i}.csv.gz`);
    const load = componentLoad(`crane/series${i}`, 'crane', toMinutes(s.points, s.stepMs), {
      ...o,
      startMs: s.startMs,
    });
    if (load) out.push(load);
  }
  if (out.length < n) {
    for (const vm of planetlabVms()) {
      if (out.length >= n) break;
      const load = componentLoad(`planetlab/${vm.name}`, 'planetlab', toMinutes(vm.samples, 5 * 60_000), {
        ...o,
        startMs: vm.startMs,
      });
      if (load) out.push(load);
    }
  }
  return out;
}

/** PlanetLab VMs with the most days, their days concatenated in date order (the ten dates are not consecutive). */
function planetlabVms(): { name: string; samples: number[]; startMs: number }[] {
  const text = gunzipSync(readFileSync(`${DATA}planetlab/planetlab-2011-cpu.csv.gz`)).toString('utf8');
  const byVm = new Map<string, { day: string; values: number[] }[]>();
  for (const line of text.split('\n').slice(1)) {
    const [day, vm, values] = line.split(',');
    if (!day || !vm || !values) continue;
    const v = values.split(';').map(Number);
    if (v.length !== 288 || v.some((x) => !Number.isFinite(x))) continue;
    let days = byVm.get(vm);
    if (!days) byVm.set(vm, (days = []));
    days.push({ day, values: v });
  }
  return [...byVm]
    .sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, days]) => {
      days.sort((a, b) => (a.day < b.day ? -1 : 1));
      const d = days[0]!.day;
      return {
        name,
        samples: days.flatMap((x) => x.values),
        startMs: Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8))),
      };
    });
}
