/**
 * delivery: the core loop under a realistic estate, in one process on the embedded default (SQLite, simulated
 * cloud).
 *
 * 1. Spec-change latency: with BENCH_LIVE (1,000) applications of 3 components delivered and live, BENCH_CHANGES
 *    (200) image changes are sent through the HTTP API one after another; each is timed from the request until the
 *    changed Deployment has been applied in every cluster the component runs on (the simulated clusters' apply is
 *    instrumented). Goal p99 <= 200 ms. Anchors: Karmada p99 1.3 s to distribute; KubeVela p99 800 ms per reconcile.
 *    Baseline in the same run: the same change applied directly to the simulated clusters (no store, no API).
 * Each phase runs in a process of its own with the server's V8 flags (src/kernel/server-runtime.ts), heap cap included.
 * 2. Full resync: BENCH_APPS (10,000) applications delivered and settled, then every one reconciled again. Goal
 *    <= 60 s (KubeVela needs about 10–12 minutes for a pass over 3,000–12,000 applications). A reconcile that
 *    finds nothing to change writes nothing: store revision and objects changed in clusters are counted.
 *    Memory (RSS and heap) at that size: goal <= 1 GB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from '../src/kernel/server-runtime.ts';
import { ManualClock, systemClock } from '../src/kernel/clock.ts';
import { CTX, appDoc, boot, createApps, settle } from './support/estate.ts';
import type { Manifest } from '../src/kernel/manifest.ts';
import { SimCluster } from '../src/sim/index.ts';
import { namespaceOf } from '../src/delivery/namespace.ts';
import type { Figure } from './support/results.ts';
import { envInt, figure, percentile, printFigures, round, writeResult } from './support/results.ts';

const params = {
  live: envInt('BENCH_LIVE', 1000),
  changes: envInt('BENCH_CHANGES', 200),
  apps: envInt('BENCH_APPS', 10_000),
  clusters: envInt('BENCH_CLUSTERS', 12),
  tenants: 20,
};
function mb(bytes: number): number {
  return round(bytes / 2 ** 20, 0);
}

async function specChangeLatency(): Promise<Figure[]> {
  const { polis, dir } = await boot(systemClock, false, params);
  try {
    const t0 = performance.now();
    await createApps(polis, params.live, params.tenants);
    await settle(polis, systemClock, 8);
    console.log(`  ${params.live} applications delivered and live in ${round((performance.now() - t0) / 1000)} s`);
    // Instrument the simulated clusters' apply: when did the changed Deployment land on each cluster?
    const landed = new Map<string, number>();
    const original = SimCluster.prototype.apply;
    SimCluster.prototype.apply = function (this: SimCluster, m: Manifest, o?: { createOnlyPaths?: readonly string[] }) {
      const r = original.call(this, m, o);
      if (m.kind === 'Deployment' && r !== 'unchanged')
        landed.set(`${this.name}/${m.metadata.namespace}/${m.metadata.name}`, performance.now());
      return r;
    };
    const token = (await polis.tokens.issue(CTX, { user: 'admin', description: 'bench' })).token;
    const latencies: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < params.changes; i++) {
      const a = (i * 7919) % params.live;
      const t = a % params.tenants;
      const app = (await polis.resources.get('Application', `dept-${t}`, `app-${a}`)) as {
        status?: { placement: Record<string, Record<string, number>> };
      };
      const targets = Object.keys(app.status?.placement.web ?? {});
      // The namespace delivery recorded (it was `<tenant>-<app>` once: a stale formula here never saw a change land
      // and waited out the 10 s deadline on every change).
      const ns = namespaceOf(`dept-${t}`, `app-${a}`, app.status);
      landed.clear();
      const start = performance.now();
      const r = await polis.app.inject({
        method: 'PATCH',
        url: `/apis/core.oam.dev/v1beta1/tenants/dept-${t}/applications/app-${a}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/merge-patch+json' },
        payload: JSON.stringify({ spec: appDoc(t, a, `1.0.${i + 1}`).spec }),
      });
      if (r.statusCode !== 200) throw new Error(`change ${i}: ${r.statusCode} ${r.body}`);
      const deadline = start + 10_000;
      while (!targets.every((c) => landed.has(`${c}/${ns}/web`)) && performance.now() < deadline) {
        await new Promise((res) => setImmediate(res));
      }
      const missing = targets.filter((c) => !landed.has(`${c}/${ns}/web`));
      if (missing.length > 0)
        throw new Error(`change ${i}: ${ns}/web not applied on ${missing.join(', ')} within 10 s`);
      const done = Math.max(...targets.map((c) => landed.get(`${c}/${ns}/web`)!));
      latencies.push(done - start);
      // Baseline: the same manifests applied straight to the clusters.
      const d0 = performance.now();
      for (const c of targets) {
        const cl = polis.sim!.cluster(c)!;
        for (const k of cl.keys(ns, {})) {
          const m = cl.get(k);
          if (m) original.call(cl, { ...m, status: undefined } as Manifest, {});
        }
      }
      direct.push(performance.now() - d0);
      await polis.delivery.idle();
    }
    SimCluster.prototype.apply = original;
    const p99 = percentile(latencies, 99);
    return [
      figure({
        metric: `spec change to every target cluster p50 (${params.live} apps live)`,
        value: round(percentile(latencies, 50)),
        unit: 'ms',
      }),
      figure({
        metric: `spec change to every target cluster p99 (${params.live} apps live)`,
        value: round(p99),
        unit: 'ms',
        goal: '<= 200',
        baseline: `direct apply to the simulated clusters p99 ${round(percentile(direct, 99), 2)} ms; anchors Karmada 1.3 s, KubeVela 800 ms`,
      }),
    ];
  } finally {
    await polis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fullResync(): Promise<Figure[]> {
  const clock = new ManualClock('2026-11-24T00:00:00Z');
  const { polis, dir } = await boot(clock, true, params);
  try {
    const t0 = performance.now();
    await createApps(polis, params.apps, params.tenants);
    await settle(polis, clock, 6);
    const setupS = round((performance.now() - t0) / 1000);
    const running = (await polis.store.list({ kind: 'Application', limit: params.apps })).items.filter(
      (a) => (a.status as { phase?: string } | undefined)?.phase === 'Running',
    ).length;
    console.log(`  ${params.apps} applications created and delivered in ${setupS} s (${running} Running)`);
    global.gc?.();
    const revisionBefore = await polis.store.currentRevision();
    const changedBefore = polis.delivery.stats.objectsChanged;
    const reconcilesBefore = polis.delivery.stats.reconciles;
    const s0 = performance.now();
    await polis.delivery.resyncAll();
    await polis.delivery.idle();
    const resyncMs = performance.now() - s0;
    const writes = (await polis.store.currentRevision()) - revisionBefore;
    const changed = polis.delivery.stats.objectsChanged - changedBefore;
    const reconciled = polis.delivery.stats.reconciles - reconcilesBefore;
    const mem = process.memoryUsage();
    return [
      figure({
        metric: `full resync of ${params.apps} applications`,
        value: round(resyncMs / 1000, 2),
        unit: 's',
        goal: '<= 60',
        baseline: `${reconciled} reconciles, ${round(resyncMs / Math.max(1, reconciled), 2)} ms each; KubeVela about 10-12 min`,
      }),
      figure({ metric: 'store writes during the no-op resync', value: writes, unit: 'writes', goal: '<= 0' }),
      figure({
        metric: 'objects changed in clusters during the no-op resync',
        value: changed,
        unit: 'objects',
        goal: '<= 0',
      }),
      figure({
        metric: `resident memory at ${params.apps} applications`,
        value: mb(mem.rss),
        unit: 'MB',
        goal: '<= 1024',
        baseline: `heap used ${mb(mem.heapUsed)} MB`,
      }),
      figure({
        metric: `setup: ${params.apps} applications created and delivered to Running`,
        value: setupS,
        unit: 's',
      }),
      figure({
        metric: `applications Running after delivery`,
        value: running,
        unit: 'apps',
        goal: `>= ${params.apps}`,
      }),
    ];
  } finally {
    await polis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Each phase runs in its own process with the V8 flags `polis serve` uses (heap cap included), as a freshly
 * started server would: what the first phase leaves in the heap must not count against the second.
 */
function phase(name: 'latency' | 'resync'): Promise<Figure[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'polis-bench-')), 'figures.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...serverNodeFlags(), '--expose-gc', fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
      env: { ...process.env, POLIS_BENCH_CHILD: name, POLIS_BENCH_OUT: out },
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`phase ${name} exited with ${code}`));
      resolve(JSON.parse(readFileSync(out, 'utf8')) as Figure[]);
      rmSync(dirname(out), { recursive: true, force: true });
    });
  });
}

const child = process.env.POLIS_BENCH_CHILD;
if (child) {
  const figures = child === 'latency' ? await specChangeLatency() : await fullResync();
  writeFileSync(process.env.POLIS_BENCH_OUT!, JSON.stringify(figures));
} else {
  const figures = [...(await phase('latency')), ...(await phase('resync'))];
  printFigures('delivery', figures);
  const file = await writeResult({
    benchmark: 'delivery',
    command: 'npm run bench:delivery',
    parameters: { ...params, nodeFlags: [...serverNodeFlags(), '--expose-gc'].join(' ') },
    figures,
    notes: figures
      .filter((f) => f.met === false)
      .map((f) => `MISSED: ${f.metric} ${f.value} ${f.unit} (goal ${f.goal})`),
  });
  console.log(`\nwritten ${file}`);
}
