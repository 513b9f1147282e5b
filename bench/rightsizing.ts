/**
 * Rightsizing on real traces (issue 17, "Figures to reach"): at least 50 components over 7 days from
 * ../shared/data (PlanetLab VMs sized by their owners, Crane production series), replayed minute by minute with
 * three ways of setting each component's CPU request in the same run:
 *   original  the owners' sizing: a PlanetLab VM's allocation (its samples are percent of it); a Crane series
 *             carries no request, so its owner is taken to have sized it at the 7-day peak (generous to the baseline);
 *   vpa       the VPA recommender with its defaults (src/operations/rightsizing/vpa-recommender.ts), fed online;
 *   polis     polis's recommendation (recommend(): the cheaper of the VPA target and Crane's p99 × 1.15 whose risk on
 *             the component's own history is ≤ 1%), recomputed every hour from the history so far.
 * Day 1 is history (every strategy runs at the original sizing); days 2–7 are measured. Violation minutes: minutes
 * in which use exceeded the request. Allocated/used: Σ request / Σ use over the measured minutes. CPU only: neither
 * trace has memory. Run: npm run bench:rightsizing
 */
import { recommend, type ComponentHistory } from '../src/operations/rightsizing/recommendation.ts';
import type { Sample } from '../src/operations/rightsizing/percentile-profile.ts';
import { VpaRecommender } from '../src/operations/rightsizing/vpa-recommender.ts';
import { craneMinutes, dayStart, planetLabDays } from './support/traces.ts';
import { envInt, figure, printFigures, round, writeResult, type Figure } from './support/results.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const DAYS = 7;
const PLANETLAB_VMS = envInt('RIGHTSIZING_PLANETLAB_VMS', 40);
const PRICES = { cpuCoreHour: 0.2, memoryGiBHour: 0 };

interface Component {
  readonly name: string;
  readonly source: 'planetlab' | 'crane';
  readonly stepMs: number;
  readonly startMs: number;
  /** Cores used, one per step. */
  readonly use: readonly number[];
  /** The owners' request, cores. */
  readonly original: number;
}

function components(): Component[] {
  const byVm = new Map<string, { day: string; percent: readonly number[] }[]>();
  for (const d of planetLabDays()) {
    let days = byVm.get(d.vm);
    if (!days) byVm.set(d.vm, (days = []));
    days.push(d);
  }
  const vms = [...byVm]
    .filter(([, days]) => days.length >= DAYS)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .slice(0, PLANETLAB_VMS);
  const out: Component[] = vms.map(([vm, days]) => {
    days.sort((a, b) => (a.day < b.day ? -1 : 1));
    // The VM's days are not consecutive in the trace; replayed back to back as one week.
    const use = days.slice(0, DAYS).flatMap((d) => d.percent.map((p) => p / 100));
    return {
      name: `planetlab/${vm}`,
      source: 'planetlab',
      stepMs: 300_000,
      startMs: dayStart(days[0]!.day),
      use,
      original: 1,
    };
  });
  for (let n = 0; n < 16; n++) {
    const s = craneMinutes(n);
    const raw = s.values.slice(0, DAYS * 1440);
    if (raw.length < DAYS * 1440) continue;
    // Units differ between series: scaled so the 7-day peak is one core (the owner's sizing, see the header).
    const peak = Math.max(...raw);
    if (!(peak > 0)) continue;
    out.push({
      name: `crane/series${n}`,
      source: 'crane',
      stepMs: 60_000,
      startMs: s.startMs,
      use: raw.map((v) => v / peak),
      original: 1,
    });
  }
  return out;
}

interface Outcome {
  violationMinutes: number;
  minutes: number;
  allocated: number;
  used: number;
}

type Strategy = 'original' | 'vpa' | 'polis';

function replay(c: Component): Record<Strategy, Outcome> {
  const perDay = DAY / c.stepMs;
  const perHour = HOUR / c.stepMs;
  const stepMin = c.stepMs / 60_000;
  const out = {} as Record<Strategy, Outcome>;
  for (const s of ['original', 'vpa', 'polis'] as const)
    out[s] = { violationMinutes: 0, minutes: 0, allocated: 0, used: 0 };
  const request: Record<Strategy, number> = { original: c.original, vpa: c.original, polis: c.original };
  const vpa = new VpaRecommender();
  const history: Sample[] = [];
  for (let i = 0; i < c.use.length; i++) {
    const at = c.startMs + i * c.stepMs;
    if (i >= perDay && i % perHour === 0) {
      request.vpa = vpa.target({ cpuMilli: c.original * 1000, memoryBytes: 0 }).cpuMilli / 1000;
      const h: ComponentHistory = {
        component: c.name,
        replicas: 1,
        current: { cpuMilli: request.polis * 1000, memoryBytes: 0 },
        stepMs: c.stepMs,
        cpu: history.slice(Math.max(0, history.length - 8 * perDay)),
        memory: [],
      };
      request.polis = recommend(h, PRICES, at).recommended.cpuMilli / 1000;
    }
    const use = c.use[i]!;
    if (i >= perDay)
      for (const s of ['original', 'vpa', 'polis'] as const) {
        const o = out[s];
        o.minutes += stepMin;
        if (use > request[s] + 1e-12) o.violationMinutes += stepMin;
        o.allocated += request[s] * stepMin;
        o.used += use * stepMin;
      }
    vpa.addCpu(at, use, request.vpa);
    history.push({ at, value: use });
  }
  return out;
}

function sum(rows: readonly Record<Strategy, Outcome>[], s: Strategy): Outcome {
  const t = { violationMinutes: 0, minutes: 0, allocated: 0, used: 0 };
  for (const r of rows) {
    t.violationMinutes += r[s].violationMinutes;
    t.minutes += r[s].minutes;
    t.allocated += r[s].allocated;
    t.used += r[s].used;
  }
  return t;
}

async function main(): Promise<void> {
  const comps = components();
  const rows = comps.map(replay);
  const figures: Figure[] = [];
  const share = (o: Outcome) => round((100 * o.violationMinutes) / o.minutes, 2);
  const ratio = (o: Outcome) => round(o.allocated / o.used, 2);
  const total = { original: sum(rows, 'original'), vpa: sum(rows, 'vpa'), polis: sum(rows, 'polis') };
  const pl = (s: Strategy) =>
    sum(
      rows.filter((_, i) => comps[i]!.source === 'planetlab'),
      s,
    );
  const cr = (s: Strategy) =>
    sum(
      rows.filter((_, i) => comps[i]!.source === 'crane'),
      s,
    );
  figures.push(
    figure({ metric: 'components', value: comps.length, unit: 'components', goal: '>= 50' }),
    figure({
      metric: 'violation minutes, polis',
      value: share(total.polis),
      unit: '% of minutes',
      goal: '<= 1',
      baseline: `VPA defaults ${share(total.vpa)}%, original sizing ${share(total.original)}%`,
    }),
    figure({
      metric: 'allocated/used, original ÷ polis (PlanetLab: the owners’ real sizing)',
      value: round(ratio(pl('original')) / ratio(pl('polis')), 2),
      unit: 'x',
      goal: '>= 2',
      baseline: `allocated/used: original ${ratio(pl('original'))}, polis ${ratio(pl('polis'))}, VPA defaults ${ratio(pl('vpa'))}`,
    }),
    figure({
      metric: 'allocated/used, original ÷ polis (all; Crane sized at its peak)',
      value: round(ratio(total.original) / ratio(total.polis), 2),
      unit: 'x',
      baseline: `allocated/used: original ${ratio(total.original)}, polis ${ratio(total.polis)}, VPA defaults ${ratio(total.vpa)}`,
    }),
    figure({ metric: 'allocated/used, polis', value: ratio(total.polis), unit: 'ratio' }),
    figure({ metric: 'allocated/used, VPA defaults', value: ratio(total.vpa), unit: 'ratio' }),
    figure({ metric: 'allocated/used, original sizing', value: ratio(total.original), unit: 'ratio' }),
    figure({ metric: 'violation minutes, VPA defaults', value: share(total.vpa), unit: '% of minutes' }),
    figure({
      metric: 'violation minutes, PlanetLab, polis',
      value: share(pl('polis')),
      unit: '% of minutes',
      baseline: `VPA ${share(pl('vpa'))}%`,
    }),
    figure({
      metric: 'violation minutes, Crane, polis',
      value: share(cr('polis')),
      unit: '% of minutes',
      baseline: `VPA ${share(cr('vpa'))}%`,
    }),
    figure({
      metric: 'saving, polis against original',
      value: round(
        ((((total.original.allocated - total.polis.allocated) / 60) * PRICES.cpuCoreHour) / (DAYS - 1)) * 30.4,
        0,
      ),
      unit: 'yuan/month',
      baseline: `at ${PRICES.cpuCoreHour} yuan a core-hour, all components`,
    }),
  );
  printFigures('Rightsizing on PlanetLab and Crane, 7 days (day 1 history)', figures);
  const file = await writeResult({
    benchmark: 'rightsizing',
    command: 'npm run bench:rightsizing',
    figures,
    parameters: {
      planetlabVms: comps.filter((c) => c.source === 'planetlab').length,
      craneSeries: comps.filter((c) => c.source === 'crane').length,
      days: DAYS,
      recomputeEvery: '1 h',
      prices: PRICES,
    },
    notes: [
      'PlanetLab samples are percent of the VM allocation: the original request is the allocation (1 unit). A VM’s 7 days are its first 7 days in the trace, replayed back to back.',
      'Crane series carry no request: each is scaled so its 7-day peak is 1 core, and that peak is taken as the owner’s sizing (a generous baseline: real owners size above the peak). The allocated/used goal is therefore measured where the owners’ sizing is real (PlanetLab); the all-components ratio against the peak baseline is reported beside it.',
      'CPU only: neither trace has memory; memory rightsizing is covered by the worked examples in src/operations/rightsizing/recommendation.test.ts.',
    ],
  });
  console.log(`\nwrote ${file}`);
}

await main();
