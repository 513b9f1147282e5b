/**
 * The x10 step, three ways in the same run (bench/elasticity.ts runs it; issue 12, point 21). The same component
 * (webservice, 500m CPU request and limit, CPU target 60%, 3–60 replicas, the sandbox's default load) takes the same
 * x10 step of its offered load:
 *
 * - polis: the autoscaling policy, polis's scaling controller every second on the simulated metrics source (exact
 *   at the sim's present: no metrics lag), in virtual time;
 * - HPA: the OAM `hpa` trait, so the simulated cloud runs its native HorizontalPodAutoscaler with Kubernetes'
 *   defaults (15 s sync period, 10% tolerance, scale-up max(2×, +4) per sync) behind metrics-server's 15 s
 *   resolution (src/sim/metrics-server.ts), in the same virtual time, in the same polis and simulated cloud, stepped
 *   at the same instant. Both legs are repeated with the step at several phases of the 15 s cycles;
 * - polis through Prometheus: polis's autoscaler reading Debian's Prometheus (POLIS_METRICS=prometheus), which
 *   scrapes the simulated cloud's exposition on loopback every `BENCH_SCRAPE_MS` (5 s), with the PromQL rate window
 *   `BENCH_RATE_WINDOW` (20s), in real time (Prometheus cannot follow virtual time). Skipped, with the reason printed,
 *   when Prometheus is not installed.
 *
 * Figures per leg, from the step: the new desired count, the first new pod ready, the ready capacity covering the
 * offered load (CPU below 100% of the request: nothing beyond capacity), and CPU back within the target's tolerance.
 */
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import { freePort } from '../test/setup/temp-postgres.ts';
import { prometheusBinary, startPrometheus } from '../test/support/prometheus.ts';
import { appNamespace } from '../src/delivery/namespace.ts';
import { ManualClock, systemClock } from '../src/kernel/clock.ts';
import type { Polis } from '../src/main.ts';
import { SIM_METRICS_CONTENT_TYPE, simMetricsText } from '../src/sim/index.ts';
import { CTX, boot } from './support/estate.ts';
import { envInt, percentile, round } from './support/results.ts';

const CLUSTER = 'bench-00';
const ns = (tenant: string) => appNamespace(tenant, 'portal');
const TARGET = 0.6;
const WITHIN_TOLERANCE = TARGET * 1.1;

export const stepParams = {
  phases: envInt('BENCH_STEP_PHASES', 5),
  scrapeMs: envInt('BENCH_SCRAPE_MS', 5000),
  rateWindow: process.env.BENCH_RATE_WINDOW || '20s',
};

/** One leg's times from the step, in seconds (NaN: not reached within the run). */
export interface StepTimes {
  readonly decided: number;
  readonly firstReady: number;
  readonly covered: number;
  readonly atTarget: number;
  readonly from: number;
  readonly to: number;
}

function webComponent(traits: unknown[]) {
  return {
    name: 'web',
    type: 'webservice',
    properties: { image: 'registry.example.gov.cn/bench/web:1.0', cpu: '500m', memory: '256Mi' },
    traits,
  };
}

/** The application scaled by polis's autoscaling policy. */
function polisApp(tenant: string) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'portal', tenant },
    spec: {
      components: [webComponent([{ type: 'scaler', properties: { replicas: 3 } }])],
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
  };
}

/** The same component with the OAM hpa trait: the cluster's native HorizontalPodAutoscaler scales it. */
function hpaApp(tenant: string) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'portal', tenant },
    spec: {
      components: [
        webComponent([{ type: 'hpa', properties: { min: 3, max: 60, cpu: { type: 'Utilization', value: 60 } } }]),
      ],
    },
  };
}

async function loader(polis: Polis) {
  const token = (await polis.tokens.issue(CTX, { user: 'admin', description: 'bench' })).token;
  return async (tenant: string, factor: number) => {
    const r = await polis.app.inject({
      method: 'POST',
      url: `/api/v1/sandbox/tenants/${tenant}/applications/portal/load`,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ factor, component: 'web' }),
    });
    if (r.statusCode !== 200) throw new Error(`load ${tenant} x${factor}: ${r.statusCode} ${r.body}`);
  };
}

/** What each leg's autoscaler wants now: polis's status.scaling, or the native HPA's desiredReplicas. */
async function desiredOf(polis: Polis, tenant: string, native: boolean): Promise<number | undefined> {
  if (native) {
    const hpa = polis.sim!.cluster(CLUSTER)?.get(`autoscaling/v2/HorizontalPodAutoscaler/${ns(tenant)}/web`);
    return (hpa?.status as { desiredReplicas?: number } | undefined)?.desiredReplicas;
  }
  const app = await polis.store.get({ kind: 'Application', tenant, name: 'portal' });
  return (app?.status as { scaling?: { components: Record<string, { desired: number }> } } | undefined)?.scaling
    ?.components.web?.desired;
}

/** Follows one leg from the step: call `sample` at each observation with the time since the step (s). */
class StepWatch {
  private readonly base: number;
  private readonly baseReady: number;
  private decided = NaN;
  private firstReady = NaN;
  private covered = NaN;
  private atTarget = NaN;
  private top: number;

  constructor(base: number, baseReady: number) {
    this.base = base;
    this.baseReady = baseReady;
    this.top = base;
  }

  get done(): boolean {
    return !Number.isNaN(this.atTarget);
  }

  sample(polis: Polis, tenant: string, t: number, desired: number | undefined): void {
    const m = polis.sim!.componentMetrics(`${ns(tenant)}`, 'web').total;
    if (desired !== undefined && desired > this.base && Number.isNaN(this.decided)) this.decided = t;
    if (desired !== undefined) this.top = Math.max(this.top, desired);
    if (m.readyPods > this.baseReady && Number.isNaN(this.firstReady)) this.firstReady = t;
    if (Number.isNaN(this.decided)) return;
    if (m.cpuUtilization < 0.999 && Number.isNaN(this.covered)) this.covered = t;
    if (m.cpuUtilization <= WITHIN_TOLERANCE && Number.isNaN(this.atTarget)) this.atTarget = t;
  }

  times(): StepTimes {
    const { decided, firstReady, covered, atTarget } = this;
    return { decided, firstReady, covered, atTarget, from: this.base, to: this.top };
  }
}

/**
 * polis and the native HPA side by side in virtual time, on one simulated cluster: both applications get the x10
 * step at the same instant, `offsetS` seconds into a 15 s cycle.
 */
async function virtualPair(offsetS: number): Promise<{ polis: StepTimes; hpa: StepTimes }> {
  const clock = new ManualClock('2026-11-24T10:00:00Z');
  const { polis, dir } = await boot(clock, true, { clusters: 1, tenants: 2, nodes: 20 });
  const second = async (): Promise<void> => {
    polis.sim!.advance(1000);
    if ((clock.now().getTime() / 1000) % 2 === 0) await polis.clusters.probeAll();
    await polis.scaling?.evaluateAll();
    await polis.feed.idle();
    await polis.delivery.idle();
  };
  try {
    await polis.resources.apply(CTX, [polisApp('dept-0'), hpaApp('dept-1')]);
    for (let i = 0; i < 30; i++) await second();
    const load = await loader(polis);
    await load('dept-0', 1);
    await load('dept-1', 1);
    // Long enough for both to settle on the base load (the HPA's 300 s scale-down window included).
    for (let i = 0; i < 360 + offsetS; i++) await second();
    const legs = [
      { tenant: 'dept-0', native: false },
      { tenant: 'dept-1', native: true },
    ];
    const watches = await Promise.all(
      legs.map(async (l) => {
        const base = (await desiredOf(polis, l.tenant, l.native)) ?? 3;
        const ready = polis.sim!.componentMetrics(`${ns(l.tenant)}`, 'web').total.readyPods;
        return new StepWatch(base, ready);
      }),
    );
    await load('dept-0', 10);
    await load('dept-1', 10);
    const start = clock.now().getTime();
    for (let i = 0; i < 300 && !watches.every((w) => w.done); i++) {
      await second();
      const t = (clock.now().getTime() - start) / 1000;
      for (const [k, l] of legs.entries())
        watches[k]!.sample(polis, l.tenant, t, await desiredOf(polis, l.tenant, l.native));
    }
    return { polis: watches[0]!.times(), hpa: watches[1]!.times() };
  } finally {
    await polis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** polis's autoscaler reading a real Prometheus, in real time; undefined (with the reason printed) without one. */
async function throughPrometheus(): Promise<StepTimes | undefined> {
  let bin: string | undefined;
  try {
    bin = prometheusBinary();
  } catch (e) {
    console.log(`  prometheus leg SKIPPED: ${(e as Error).message}`);
    return undefined;
  }
  if (!bin) {
    console.log('  prometheus leg SKIPPED: no Prometheus at /usr/bin/prometheus (apt-get install prometheus)');
    return undefined;
  }
  const port = await freePort();
  let polis: Polis | undefined;
  const exposition = createServer((_req, res) => {
    if (!polis?.sim) {
      res.statusCode = 503;
      res.end();
      return;
    }
    res.setHeader('content-type', SIM_METRICS_CONTENT_TYPE);
    res.end(simMetricsText(polis.sim));
  });
  await new Promise<void>((r) => exposition.listen(port, '127.0.0.1', r));
  const prom = await startPrometheus({
    scrapeTargets: [`127.0.0.1:${port}`],
    scrapeIntervalMs: stepParams.scrapeMs,
    bin,
  });
  console.log(
    `  prometheus pid ${prom.pid} at ${prom.url}, scraping 127.0.0.1:${port} every ${stepParams.scrapeMs} ms`,
  );
  let dir: string | undefined;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    ({ polis, dir } = await boot(
      systemClock,
      false,
      { clusters: 1, tenants: 1, nodes: 20 },
      { metrics: 'prometheus', prometheusUrl: prom.url, metricsWindow: stepParams.rateWindow },
    ));
    const p = polis;
    if (!/prometheus/i.test(p.metricsSource?.name ?? '')) throw new Error(`metrics source is ${p.metricsSource?.name}`);
    await p.resources.apply(CTX, [polisApp('dept-0')]);
    const load = await loader(p);
    const ref = { tenant: 'dept-0', app: 'portal', namespace: ns('dept-0'), component: 'web' };
    // Running, base load on, Prometheus answering for it, and the count steady for 10 s (at most 90 s).
    for (let i = 0; i < 120 && p.sim!.componentMetrics(ns('dept-0'), 'web').total.readyPods < 3; i++) await sleep(500);
    await load('dept-0', 1);
    let steadySince = Date.now();
    let last = await desiredOf(p, 'dept-0', false);
    for (const deadline = Date.now() + 90_000; Date.now() < deadline;) {
      await sleep(1000);
      const d = await desiredOf(p, 'dept-0', false);
      if (d !== last) {
        last = d;
        steadySince = Date.now();
      }
      const s = await p.metricsSource!.signals(ref);
      if (s?.cpuUtilization !== undefined && Date.now() - steadySince >= 10_000) break;
    }
    const watch = new StepWatch(last ?? 3, p.sim!.componentMetrics(ns('dept-0'), 'web').total.readyPods);
    await load('dept-0', 10);
    const start = Date.now();
    while (!watch.done && Date.now() - start < 120_000) {
      await sleep(200);
      watch.sample(p, 'dept-0', (Date.now() - start) / 1000, await desiredOf(p, 'dept-0', false));
    }
    return watch.times();
  } finally {
    await polis?.stop();
    await prom.stop();
    await new Promise((r) => exposition.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The three legs' times; the virtual ones per phase, in the order run. */
export async function stepLegs(): Promise<{
  polis: StepTimes[];
  hpa: StepTimes[];
  prometheus: StepTimes | undefined;
}> {
  const polis: StepTimes[] = [];
  const hpa: StepTimes[] = [];
  const n = Math.max(1, stepParams.phases);
  for (let k = 0; k < n; k++) {
    const offset = Math.round((15 * k) / n);
    const pair = await virtualPair(offset);
    console.log(`  x10 step, phase +${offset} s: polis ${show(pair.polis)}; HPA ${show(pair.hpa)}`);
    polis.push(pair.polis);
    hpa.push(pair.hpa);
  }
  const prometheus = await throughPrometheus();
  if (prometheus) console.log(`  x10 step through Prometheus: ${show(prometheus)}`);
  return { polis, hpa, prometheus };
}

function show(t: StepTimes): string {
  return `decided ${t.decided} s, first new pod ready ${t.firstReady} s, covered ${t.covered} s, at target ${t.atTarget} s (${t.from} → ${t.to})`;
}

/** The median and worst of one time over the phases. */
export function spread(values: readonly number[]): { median: number; worst: number } {
  const ok = values.filter((v) => Number.isFinite(v));
  if (ok.length < values.length) return { median: NaN, worst: NaN };
  return { median: round(percentile(ok, 50), 1), worst: round(Math.max(...ok), 1) };
}
