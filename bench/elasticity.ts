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
 * 2. Autoscaling reaction to a x10 step on a component with a CPU target of 60%: time from the step to the new
 *    desired count (polis evaluates every second; goal <= 2 s) and to ready replicas. Baseline in the same run:
 *    the Kubernetes HPA defaults (15 s sync period): the same decision taken at the next 15 s sync.
 */
import { rmSync } from 'node:fs';
import { ManualClock } from '../src/kernel/clock.ts';
import type { Polis } from '../src/main.ts';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { CTX, boot, createApps } from './support/estate.ts';
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

async function stepReaction(): Promise<Figure[]> {
  const clock = new ManualClock('2026-11-24T10:00:00Z');
  const { polis, dir } = await boot(clock, true, { clusters: 2, tenants: 1, nodes: 20 });
  try {
    await polis.resources.apply(CTX, [
      {
        apiVersion: 'core.oam.dev/v1beta1',
        kind: 'Application',
        metadata: { name: 'portal', tenant: 'dept-0' },
        spec: {
          components: [
            {
              name: 'web',
              type: 'webservice',
              properties: { image: 'registry.example.gov.cn/bench/web:1.0', cpu: '500m', memory: '256Mi' },
              traits: [{ type: 'scaler', properties: { replicas: 3 } }],
            },
          ],
          policies: [
            {
              name: 'scale',
              type: 'autoscaling',
              properties: {
                components: [{ name: 'web', minReplicas: 3, maxReplicas: 60, targets: { cpuUtilization: 60 } }],
              },
            },
          ],
        },
      },
    ]);
    const wall = { ms: 0 };
    for (let i = 0; i < 30; i++) await second(polis, clock, wall);
    const token = (await polis.tokens.issue(CTX, { user: 'admin', description: 'bench' })).token;
    const load = (factor: number) =>
      polis.app.inject({
        method: 'POST',
        url: '/api/v1/sandbox/tenants/dept-0/applications/portal/load',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ factor, component: 'web' }),
      });
    await load(1);
    for (let i = 0; i < 30; i++) await second(polis, clock, wall);
    const app = async () => (await polis.store.get({ kind: 'Application', tenant: 'dept-0', name: 'portal' }))!;
    const desiredNow = async () =>
      ((await app()).status as { scaling?: { components: Record<string, { desired: number }> } }).scaling?.components
        .web?.desired ?? 3;
    const base = await desiredNow();
    await load(10);
    const start = clock.now().getTime();
    wall.ms = 0;
    let decidedAt: number | undefined;
    let readyAt: number | undefined;
    let target = base;
    for (let i = 0; i < 300 && readyAt === undefined; i++) {
      await second(polis, clock, wall);
      const d = await desiredNow();
      if (d > base && decidedAt === undefined) decidedAt = clock.now().getTime();
      target = Math.max(target, d);
      const web = ((await app()).status as AppStatus).components.find((c) => c.name === 'web')!;
      const cpu = polis.sim!.componentMetrics('dept-0-portal', 'web').total.cpuUtilization;
      if (decidedAt !== undefined && web.readyReplicas >= d && cpu <= 0.66) readyAt = clock.now().getTime();
    }
    const decidedS = decidedAt === undefined ? NaN : (decidedAt - start) / 1000;
    const readyS = readyAt === undefined ? NaN : (readyAt - start) / 1000;
    const hpaSync = 15;
    return [
      figure({
        metric: 'x10 step: to the new desired count',
        value: round(decidedS, 1),
        unit: 's',
        goal: '<= 2',
        baseline: `HPA defaults: at the next ${hpaSync} s sync, 0-${hpaSync} s (worst ${hpaSync} s), same run`,
      }),
      figure({
        metric: 'x10 step: to enough ready replicas (CPU back at the 60% target)',
        value: round(readyS, 1),
        unit: 's',
        baseline: `${base} → ${target} replicas; HPA defaults: up to ${hpaSync} s later, and its rate policy allows the same doubling per 15 s`,
      }),
    ];
  } finally {
    await polis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const figures = [...(await failover()), ...(await stepReaction())];
printFigures('elasticity', figures);
const file = await writeResult({
  benchmark: 'elasticity',
  command: 'npm run bench:elasticity',
  parameters: params,
  figures,
  notes: figures.filter((f) => f.met === false).map((f) => `MISSED: ${f.metric} ${f.value} ${f.unit} (goal ${f.goal})`),
});
console.log(`\nwritten ${file}`);
