/**
 * kubernetes: the Kubernetes driver delivering to one API server (the fake of test/support/fake-kube, with RBAC on
 * and its workload controllers making pods ready on 50 nodes).
 *
 * 1. Delivery: BENCH_APPS (1,000) applications of 3 components (two webservices with a Service each and a
 *    worker, rendered with renderApplication) plus their namespace, applied through the driver, BENCH_CONCURRENCY at a time. Requests
 *    per application (reads, writes) and the total time.
 * 2. Steady-state resync: once every workload runs, the same manifests applied again for every application, and
 *    every application observed. Goal: no write at all (DESIGN.md decision 3); reads are recorded (the watch cache
 *    should make them zero too). Baseline in the same run: the resync as `kubectl apply --server-side` does it,
 *    every manifest sent again.
 * The fake API server runs in its own process (startFakeKubeProcess), as a real API server does, so its CPU is not
 * polis's event loop; BENCH_FAKE=inline runs it in this process instead (writes kubernetes.custom.json). The CPU
 * each process used during delivery is reported: on a shared machine it is steadier than the wall time.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { ApplicationSpec } from '../src/apps/application-kind.ts';
import { renderApplication } from '../src/apps/render/index.ts';
import { kubernetesDriver } from '../src/clusters/drivers/kubernetes/index.ts';
import { namespaceManifest, ownerOf } from '../src/delivery/namespace.ts';
import type { Owner } from '../src/clusters/driver.ts';
import type { Manifest } from '../src/kernel/manifest.ts';
import { startFakeKube, startFakeKubeProcess } from '../test/support/fake-kube/index.ts';
import type { FakeKubeOptions } from '../test/support/fake-kube/index.ts';
import { processCpuSeconds } from './support/process-memory.ts';
import type { Figure } from './support/results.ts';
import { envInt, figure, percentile, printFigures, round, writeResult } from './support/results.ts';

// A run with other parameters writes kubernetes.custom.json, never the full run's figures.
const custom = ['BENCH_APPS', 'BENCH_CONCURRENCY'].some((v) => process.env[v]);
/** BENCH_FAKE=inline runs the fake API server in this process (as before), for comparison: kubernetes.inline.json. */
const inline = process.env.BENCH_FAKE === 'inline';
const params = {
  apps: envInt('BENCH_APPS', 1000),
  concurrency: envInt('BENCH_CONCURRENCY', 16),
  nodes: 50,
};

interface App {
  readonly owner: Owner;
  readonly manifests: readonly Manifest[];
}

function application(i: number): App {
  const owner = ownerOf(`dept-${i % 20}`, `app-${i}`, undefined);
  const comp = (name: string, type: string, replicas: number, port?: number) => ({
    name,
    type,
    properties: {
      image: `registry.example.gov.cn/bench/${name}:1.0.${i % 10}`,
      cpu: '10m',
      memory: '16Mi',
      ...(port ? { ports: [{ port, expose: true }] } : {}),
    },
    traits: [{ type: 'scaler', properties: { replicas } }],
  });
  const spec = {
    components: [comp('web', 'webservice', 2, 8080), comp('api', 'webservice', 2, 9090), comp('worker', 'worker', 1)],
  } as unknown as ApplicationSpec;
  const r = renderApplication(spec, {
    appName: owner.app,
    tenant: owner.tenant,
    namespace: owner.namespace,
    revision: `${owner.app}-v1`,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return { owner, manifests: [namespaceManifest(owner), ...r.manifests] };
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const role = readFileSync(new URL('../deploy/member-cluster/polis-agent-rbac.yaml', import.meta.url), 'utf8');
const fakeOptions: FakeKubeOptions = {
  readyAfterMs: 0,
  // RBAC on: every request is checked against the shipped member-cluster role.
  rbac: [role],
  historyLimit: 100_000,
  nodes: Array.from({ length: params.nodes }, (_, i) => ({
    name: `node-${i + 1}`,
    cpu: '64',
    memory: '256Gi',
    pods: 250,
  })),
};
const fake = await startFake(fakeOptions);
const driver = kubernetesDriver('bench', async () => fake.kubeconfig(), { requestTimeoutMs: 30_000 });
const figures: Figure[] = [];
const notes: string[] = [];
try {
  const apps = Array.from({ length: params.apps }, (_, i) => application(i));
  const objects = apps.reduce((n, a) => n + a.manifests.length, 0);

  // 1. Delivery. The watch cache starts with the first apply (discovery, a list and a watch per kind): timed apart.
  await fake.resetCounts();
  let failed = 0;
  const cpu0 = cpuNow();
  const elu0 = performance.eventLoopUtilization();
  const started = performance.now();
  failed += (await driver.apply(apps[0]!.manifests, { owner: apps[0]!.owner })).failed.length;
  const firstMs = performance.now() - started;
  const perApp: number[] = [];
  await pool(apps.slice(1), params.concurrency, async (a) => {
    const t0 = performance.now();
    const report = await driver.apply(a.manifests, { owner: a.owner });
    failed += report.failed.length;
    perApp.push(performance.now() - t0);
  });
  const deliverMs = performance.now() - started;
  const deliverCpu = cpuSince(cpu0);
  const deliverElu = performance.eventLoopUtilization(elu0);
  const delivered = await fake.counts();
  const forbidden = delivered.refused;
  if (forbidden > 0) notes.push(`${forbidden} requests refused (403) by the shipped role`);
  if (failed > 0) notes.push(`${failed} objects failed to apply`);

  // Every workload running (read from the watch cache).
  let running = 0;
  for (let round = 0; round < 600; round++) {
    running = 0;
    for (const a of apps) {
      const s = await driver.observe(a.owner);
      if (s.length === 3 && s.every((w) => w.phase === 'Running')) running++;
    }
    if (running === apps.length) break;
    await sleep(250);
  }
  const runningMs = performance.now() - started;

  // 2. Steady-state resync through the driver.
  await fake.resetCounts();
  let changed = 0;
  const resyncStart = performance.now();
  await pool(apps, params.concurrency, async (a) => {
    const report = await driver.apply(a.manifests, { owner: a.owner });
    changed += report.applied.filter((x) => x.action !== 'unchanged').length + report.failed.length;
    await driver.observe(a.owner);
  });
  const resyncMs = performance.now() - resyncStart;
  const resync = await fake.counts();

  // Baseline: the same resync with every manifest sent again (server-side apply without a cache).
  await fake.resetCounts();
  const naiveStart = performance.now();
  await pool(apps, params.concurrency, async (a) => {
    for (const m of a.manifests) {
      const answer = await fetch(`${fake.url}${pathOf(m)}?fieldManager=polis`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/apply-patch+yaml', Authorization: 'Bearer fake-token' },
        body: JSON.stringify(m),
      });
      await answer.arrayBuffer();
    }
  });
  const naiveMs = performance.now() - naiveStart;
  const naive = await fake.counts();

  // 3. polis restarted: a new driver (nothing remembered of what it applied) resyncs every application against the
  // cluster as it is. Writes between the restart and the end of that first resync: goal 0.
  await fake.resetCounts();
  const restarted = kubernetesDriver('bench', async () => fake.kubeconfig(), { requestTimeoutMs: 30_000 });
  let restartChanged = 0;
  const restartStart = performance.now();
  try {
    await pool(apps, params.concurrency, async (a) => {
      const report = await restarted.apply(a.manifests, { owner: a.owner });
      restartChanged += report.applied.filter((x) => x.action !== 'unchanged').length + report.failed.length;
      await restarted.observe(a.owner);
    });
  } finally {
    restarted.close();
  }
  const restartMs = performance.now() - restartStart;
  const restart = await fake.counts();

  figures.push(
    figure({
      metric: `delivery of ${params.apps} applications (${objects} objects), RBAC on`,
      value: round(deliverMs / 1000, 2),
      unit: 's',
      goal: '<= 60',
      baseline: `${round(deliverMs / params.apps, 2)} ms per application, ${params.concurrency} at a time`,
    }),
    figure({
      metric: "delivery until every workload is Running (the fake's controllers and scheduler caught up)",
      value: round(runningMs / 1000, 2),
      unit: 's',
    }),
    figure({
      metric: 'CPU used by polis (driver, watch cache, rendering and the bench harness) during delivery',
      value: round(deliverCpu.polis, 2),
      unit: 's',
      baseline: `event loop busy ${round(deliverElu.utilization * 100, 1)}% of the delivery`,
    }),
    figure({
      metric: inline
        ? 'CPU used by the fake API server during delivery (in the same process: counted in the line above)'
        : 'CPU used by the fake API server (its own process) during delivery',
      value: round(deliverCpu.fake, 2),
      unit: 's',
    }),
    figure({
      metric: 'watch cache start (first application: discovery, list and watch of every kind)',
      value: round(firstMs, 1),
      unit: 'ms',
    }),
    figure({
      metric: 'time per application once the cache is up (p50)',
      value: round(percentile(perApp, 50), 1),
      unit: 'ms',
      baseline: `p99 ${round(percentile(perApp, 99), 1)} ms, ${params.concurrency} at a time`,
    }),
    figure({
      metric: 'writes per application (delivery)',
      value: round(delivered.writes / params.apps, 2),
      unit: 'requests',
      baseline: `${round(objects / params.apps, 2)} objects per application`,
    }),
    figure({
      metric: 'reads per application (delivery)',
      value: round(delivered.reads / params.apps, 3),
      unit: 'requests',
    }),
    figure({
      metric: 'applications Running after delivery',
      value: running,
      unit: 'apps',
      goal: `>= ${params.apps}`,
    }),
    figure({
      metric: `writes during the steady-state resync of ${params.apps} applications`,
      value: resync.writes,
      unit: 'requests',
      goal: '<= 0',
      baseline: `server-side apply of every manifest again: ${naive.writes} writes`,
    }),
    figure({
      metric: 'reads during the steady-state resync (apply + observe)',
      value: resync.reads,
      unit: 'requests',
    }),
    figure({
      metric: 'objects reported changed during the steady-state resync',
      value: changed,
      unit: 'objects',
      goal: '<= 0',
    }),
    figure({
      metric: `writes to the cluster from a restart of polis to the end of its first resync (${params.apps} applications)`,
      value: restart.writes,
      unit: 'requests',
      goal: '<= 0',
      baseline: `${restart.reads} reads (the new watch cache's lists and watches), ${restartChanged} objects reported changed, ${round(restartMs / 1000, 2)} s`,
    }),
    figure({
      metric: 'steady-state resync time (apply + observe)',
      value: round(resyncMs, 1),
      unit: 'ms',
      baseline: `server-side apply of every manifest again: ${round(naiveMs, 1)} ms (${round(naiveMs / Math.max(resyncMs, 0.001), 1)}x)`,
    }),
  );
  printFigures('kubernetes driver', figures);
  const file = await writeResult(
    {
      benchmark: 'kubernetes',
      command: 'npm run bench:kubernetes',
      figures,
      parameters: { ...params, objects },
      notes: [
        ...notes,
        (inline
          ? 'the fake API server (test/support/fake-kube) runs in this process (BENCH_FAKE=inline): times include its work'
          : 'the fake API server (test/support/fake-kube) runs in its own process, as a real kube-apiserver does: ' +
            'delivery is bounded by its CPU (the line above), not by polis, whose event loop is mostly idle') +
          '. Baseline before this work: 723.7 s (the fake in the same process, its store, scheduler, controllers and ' +
          'garbage collector walking or copying every object on each change). Per application the driver sends 6 ' +
          'writes (one server-side apply per object, the namespace first, then the other 5 together) and ~0.04 reads',
        `load average when the run ended: ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} (2 cores shared)`,
        `delivery requests by verb: ${JSON.stringify(delivered.byVerb)}`,
      ],
    },
    custom ? 'custom' : inline ? 'inline' : undefined,
  );
  console.log(`\nwrote ${file}`);
} finally {
  driver.close();
  await fake.stop();
}

function pathOf(m: Manifest): string {
  const plural: Record<string, string> = {
    Namespace: 'namespaces',
    Deployment: 'deployments',
    Service: 'services',
    ConfigMap: 'configmaps',
  };
  const resource = plural[m.kind] ?? `${m.kind.toLowerCase()}s`;
  const root = m.apiVersion.includes('/') ? `/apis/${m.apiVersion}` : `/api/${m.apiVersion}`;
  const ns = m.metadata.namespace ? `/namespaces/${m.metadata.namespace}` : '';
  return `${root}${ns}/${resource}/${m.metadata.name}`;
}

/** What the bench talks to: the fake in a child process (the default, as a real API server is), or in this one. */
interface BenchFake {
  readonly url: string;
  readonly pid: number;
  kubeconfig(): string;
  counts(): Promise<{ reads: number; writes: number; byVerb: Record<string, number>; refused: number }>;
  resetCounts(): Promise<void>;
  stop(): Promise<void>;
}

async function startFake(options: FakeKubeOptions): Promise<BenchFake> {
  if (inline) {
    const f = await startFakeKube(options);
    return {
      url: f.url,
      pid: process.pid,
      kubeconfig: () => f.kubeconfig(),
      counts: async () => ({ ...f.counts(), refused: f.requests.filter((r) => r.status === 403).length }),
      resetCounts: async () => f.resetCounts(),
      stop: () => f.stop(),
    };
  }
  return startFakeKubeProcess(options, (process.env.BENCH_FAKE_NODE_ARGS ?? '').split(' ').filter(Boolean));
}

/** CPU seconds used so far by this process (polis's driver and the bench) and by the fake's process. */
function cpuNow(): { polis: number; fake: number } {
  const own = process.cpuUsage();
  return { polis: (own.user + own.system) / 1e6, fake: inline ? 0 : processCpuSeconds(fake.pid) };
}

function cpuSince(start: { polis: number; fake: number }): { polis: number; fake: number } {
  const now = cpuNow();
  return { polis: now.polis - start.polis, fake: now.fake - start.fake };
}
