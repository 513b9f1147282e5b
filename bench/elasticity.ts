/**
 * elasticity (failover and autoscaling reaction), in virtual time on the embedded default. Each figure is measured
 * in the same run as its baseline.
 *
 * 1. Failover: BENCH_APPS (1,000) applications of 3 components over 4 simulated clusters; one cluster dies (down:
 *    unreachable and not serving). Heartbeats every 2 s (the default), Unreachable after 3 missed. Measured: time
 *    from its death to every affected application's replacement replicas being placed elsewhere (virtual time,
 *    plus the wall-clock time polis spent re-placing, which virtual time does not count); time until they are all
 *    ready; and the lowest number of ready replicas of the affected applications during the event. Goal: placed
 *    within 10 s. Anchor: Karmada's failover, off by default, 30–50 s before the first move plus 2 s per workload.
 * 2. Autoscaling reaction to a x10 step on a component with a CPU target of 60%, three ways in the same run
 *    (bench/elasticity-step.ts): polis on the simulated source, the native Kubernetes HPA with its defaults behind
 *    metrics-server, and polis through a real Prometheus. Goal for polis: the new desired count within 2 s;
 *    baseline: the HPA's figure.
 */
import { rmSync } from 'node:fs';
import { ManualClock } from '../src/kernel/clock.ts';
import type { Polis } from '../src/main.ts';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { spread, stepLegs, stepParams, type StepTimes } from './elasticity-step.ts';
import { boot, createApps } from './support/estate.ts';
import type { Figure } from './support/results.ts';
import { envInt, figure, printFigures, round, writeResult } from './support/results.ts';

const params = { apps: envInt('BENCH_APPS', 1000), clusters: 4, tenants: 20, heartbeatMs: 2000 };

async function statuses(polis: Polis): Promise<Map<string, AppStatus>> {
  const out = new Map<string, AppStatus>();
  let cont: string | undefined;
  do {
    const page = await polis.store.list({ kind: 'Application', limit: 1000, continue: cont });
    for (const o of page.items) out.set(`${o.metadata.tenant}/${o.metadata.name}`, o.status as AppStatus);
    cont = page.continue;
  } while (cont);
  return out;
}

/** One second of virtual time: the sim moves, heartbeats fire on their period, controllers catch up. */
async function second(polis: Polis, clock: ManualClock, wall: { ms: number }): Promise<void> {
  polis.sim!.advance(1000);
  const t0 = performance.now();
  if ((clock.now().getTime() / 1000) % (params.heartbeatMs / 1000) === 0) await polis.clusters.probeAll();
  await polis.scaling?.evaluateAll();
  await polis.feed.idle();
  await polis.delivery.idle();
  wall.ms += performance.now() - t0;
}

async function failover(): Promise<Figure[]> {
  const clock = new ManualClock('2026-11-24T00:00:00Z');
  const { polis, dir } = await boot(clock, true, { clusters: params.clusters, tenants: params.tenants, nodes: 20 });
  try {
    await createApps(polis, params.apps, params.tenants);
    const wall = { ms: 0 };
    for (let i = 0; i < 60; i++) await second(polis, clock, wall);
    const before = await statuses(polis);
    const victim = 'bench-00';
    const affected = [...before].filter(([, s]) => s.clusters.includes(victim)).map(([k]) => k);
    const desired = (s: AppStatus) => s.components.reduce((n, c) => n + c.desiredReplicas, 0);
    const ready = (s: AppStatus) => s.components.reduce((n, c) => n + c.readyReplicas, 0);
    const want = affected.reduce((n, k) => n + desired(before.get(k)!), 0);
    polis.sim!.cluster(victim)!.down();
    const start = clock.now().getTime();
    wall.ms = 0;
    let placedAt: number | undefined;
    let placedWall = 0;
    let readyAt: number | undefined;
    let lowest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 300 && readyAt === undefined; i++) {
      await second(polis, clock, wall);
      const now = await statuses(polis);
      const mine = affected.map((k) => now.get(k)!);
      lowest = Math.min(
        lowest,
        mine.reduce((n, s) => n + ready(s), 0),
      );
      const placed = mine.every((s) => Object.values(s.placement).every((m) => !(victim in m)));
      if (placed && placedAt === undefined) {
        placedAt = clock.now().getTime();
        placedWall = wall.ms;
      }
      if (placed && mine.every((s) => s.phase === 'Running' && ready(s) >= desired(s))) readyAt = clock.now().getTime();
    }
    console.log(`  failover: ${affected.length} of ${params.apps} applications ran on ${victim} (${want} replicas)`);
    const placedS = placedAt === undefined ? NaN : (placedAt - start) / 1000 + placedWall / 1000;
    return [
      figure({
        metric: `failover: death to every affected application's replacements placed (${affected.length} apps)`,
        value: round(placedS, 1),
        unit: 's',
        goal: '<= 10',
        baseline: `detection ${round((placedAt! - start) / 1000, 1)} s virtual (3 missed heartbeats of 2 s) + re-placing ${round(placedWall / 1000, 2)} s wall; Karmada: off by default, 30-50 s then 2 s per workload`,
      }),
      figure({
        metric: 'failover: death to every replacement ready',
        value: readyAt === undefined ? NaN : round((readyAt - start) / 1000 + wall.ms / 1000, 1),
        unit: 's',
        baseline: 'includes simulated image pull and readiness (1-4 s)',
      }),
      figure({
        metric: 'failover: lowest ready replicas of the affected applications',
        value: round((100 * lowest) / want, 1),
        unit: '% of desired',
        baseline: `${lowest} of ${want}; the dead cluster's replicas count as not ready from its death`,
      }),
    ];
  } finally {
    await polis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The x10 step three ways (bench/elasticity-step.ts): polis on the simulated source and the native HPA with
 * Kubernetes' defaults in virtual time, over several phases of the 15 s cycles; polis through a real Prometheus in
 * real time. Goal (issue): polis's decision within 2 s; baseline: the HPA's figure in the same run.
 */
async function stepReaction(): Promise<{ figures: Figure[]; notes: string[] }> {
  const legs = await stepLegs();
  const figures: Figure[] = [];
  const notes: string[] = [];
  const what = [
    { key: 'decided', label: 'to the new desired count', goal: '<= 2' },
    { key: 'firstReady', label: 'to the first new pod ready' },
    { key: 'covered', label: 'to ready capacity covering the load (CPU below 100% of requests)' },
    { key: 'atTarget', label: 'to CPU back within 10% of the 60% target' },
  ] as const;
  const n = legs.polis.length;
  for (const w of what) {
    const polis = spread(legs.polis.map((t) => t[w.key]));
    const hpa = spread(legs.hpa.map((t) => t[w.key]));
    const prom = legs.prometheus?.[w.key];
    figures.push(
      figure({
        metric: `x10 step, polis (simulated source, no metrics lag): ${w.label}, median of ${n} phases`,
        value: polis.median,
        unit: 's',
        ...('goal' in w ? { goal: w.goal } : {}),
        baseline: `HPA defaults, same run and load: median ${hpa.median} s, worst ${hpa.worst} s; polis worst ${polis.worst} s`,
      }),
      figure({
        metric: `x10 step, Kubernetes HPA defaults (simulated, 15 s sync, metrics-server 15 s): ${w.label}, median of ${n} phases`,
        value: hpa.median,
        unit: 's',
        baseline: `worst ${hpa.worst} s over the phases`,
      }),
    );
    if (prom !== undefined) {
      figures.push(
        figure({
          metric: `x10 step, polis through Prometheus (scrape ${stepParams.scrapeMs / 1000} s, rate window ${stepParams.rateWindow}, real time): ${w.label}`,
          value: round(prom, 1),
          unit: 's',
          ...('goal' in w ? { goal: w.goal } : {}),
          baseline: `HPA defaults, same run: median ${hpa.median} s, worst ${hpa.worst} s`,
        }),
      );
    }
  }
  const counts = (ts: readonly StepTimes[]) => ts.map((t) => `${t.from} → ${t.to}`).join(', ');
  notes.push(`x10 step replicas per phase: polis ${counts(legs.polis)}; HPA ${counts(legs.hpa)}`);
  if (legs.prometheus)
    notes.push(`x10 step through Prometheus: ${legs.prometheus.from} → ${legs.prometheus.to} replicas`);
  else notes.push('x10 step through Prometheus: SKIPPED (no Prometheus installed)');
  return { figures, notes };
}

const step = await stepReaction();
const figures = [...(process.env.BENCH_SKIP_FAILOVER === '1' ? [] : await failover()), ...step.figures];
printFigures('elasticity', figures);
const file = await writeResult(
  {
    benchmark: 'elasticity',
    command: 'npm run bench:elasticity',
    parameters: {
      ...params,
      step: {
        ...stepParams,
        component:
          'webservice web, 500m CPU request = limit, CPU target 60%, 3-60 replicas, the sandbox default load then x10',
        polis:
          'autoscaling policy with Kubernetes behavior defaults, evaluated every second; simulated source (exact, no lag)',
        hpa: 'OAM hpa trait: the simulated native HPA, 15 s sync period (first sync 15 s after the HPA is created), 10% tolerance, scale-up max(2x, +4) per sync, metrics-server resolution 15 s (CPU integrated each second, reported as the mean over the last window; a pod has a sample once ready at two scrapes; ready pods without one count at 0% on a scale-up, not-ready pods at 0%)',
        prometheus:
          'Debian prometheus on loopback scraping the sim exposition; polis reads it with POLIS_METRICS=prometheus; sim and controllers in real time (sim ticks every 250 ms, autoscaler every 1 s); times observed every 200 ms',
        phases: 'the step comes at offsets 0, 3, 6, 9, 12 s (for 5 phases) after a whole 15 s of virtual time',
      },
    },
    figures,
    notes: [
      ...step.notes,
      ...figures.filter((f) => f.met === false).map((f) => `MISSED: ${f.metric} ${f.value} ${f.unit} (goal ${f.goal})`),
    ],
  },
  process.env.BENCH_SKIP_FAILOVER === '1' ? 'step-only' : undefined,
);
console.log(`\nwritten ${file}`);
