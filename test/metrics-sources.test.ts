import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_LABELS } from '../src/clusters/driver.ts';
import { appNamespace } from '../src/delivery/namespace.ts';
import { systemClock } from '../src/kernel/clock.ts';
import type { Manifest } from '../src/kernel/manifest.ts';
import type { ComponentRef, ComponentSignals, MetricsSource } from '../src/observe/index.ts';
import { createMetricsSource } from '../src/observe/index.ts';
import { SIM_METRICS_CONTENT_TYPE, SimCloud, constant, simMetricsText, type SimClusterSpec } from '../src/sim/index.ts';
import { prometheusBinary, startPrometheus, type TempPrometheus } from './support/prometheus.ts';
import { skipTitle } from './support/skip.ts';

/**
 * The whole metrics loop in real time: a simulated cloud serves its metrics in Prometheus text format, a real
 * Prometheus scrapes them every second, and the Prometheus source's PromQL gives back what the simulated source
 * reads from the load model. Two clusters: the east one is too small for all of `web`'s pods, so one stays
 * Pending (its requests must not count), and `api` shares the namespace (its pods must not count either).
 */

const bin = prometheusBinary();
const NO_PROMETHEUS = 'no Prometheus (apt-get install prometheus, or set POLIS_PROMETHEUS_BIN)';
const GiB = 1024 ** 3;
const NAMESPACE = appNamespace('edu', 'portal');
const WEB: ComponentRef = { tenant: 'edu', app: 'portal', namespace: NAMESPACE, component: 'web' };
const NOBODY: ComponentRef = { ...WEB, component: 'nobody' };
const RPS = 80;
const SCRAPE_MS = 1000;
/** Short enough for a test of seconds; the rate window must hold a few scrapes. */
const WINDOW = '5s';

function cluster(name: string, cores: number): SimClusterSpec {
  return {
    name,
    vendor: 'test',
    region: 'r1',
    zone: 'r1-a',
    networkZone: 'e-gov-extranet',
    role: 'primary',
    labels: {},
    prices: { cpuCoreHour: 0.1, memoryGiBHour: 0.01 },
    nodes: [{ name: `${name}-n1`, cpuMilli: cores * 1000, memoryBytes: 16 * GiB, pods: 110 }],
  };
}

/** A Deployment as polis renders it: owner labels on the object, the component label on its pods. */
function deployment(name: string, replicas: number, cpu: string): Manifest {
  const owner = { [OWNER_LABELS.app]: 'portal', [OWNER_LABELS.tenant]: 'edu', [OWNER_LABELS.component]: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NAMESPACE, labels: owner },
    spec: {
      replicas,
      selector: { matchLabels: { [OWNER_LABELS.component]: name } },
      template: {
        metadata: { labels: owner },
        spec: { containers: [{ name: 'main', image: `registry.gov/${name}:1`, resources: { requests: { cpu } } }] },
      },
    },
  };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sim = new SimCloud({
  clock: systemClock,
  seed: 3,
  timings: { imagePullMs: [50, 200], cachedImageMs: [20, 50], readinessMs: 200 },
});
let server: Server | undefined;
let prometheus: TempPrometheus | undefined;
let scrapes = 0;
const sources: Record<string, MetricsSource> = {};

beforeAll(async () => {
  sim.addCluster(cluster('east', 2));
  sim.addCluster(cluster('west', 4));
  for (const c of sim.clusters()) c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
  const east = sim.cluster('east')!;
  east.apply(deployment('api', 1, '500m'));
  sim.tick();
  east.apply(deployment('web', 4, '500m')); // 1.5 cores left: three fit, the fourth stays Pending
  sim.cluster('west')!.apply(deployment('web', 2, '500m'));
  sim.setScenario(NAMESPACE, 'web', constant(RPS));
  sim.start(50);
  await until('5 ready web pods', () => sim.componentMetrics(NAMESPACE, 'web').total.readyPods === 5);
  sources.simulated = createMetricsSource({ kind: 'simulated', sim, recordEveryMs: 250 });
  void sources.simulated.signals(WEB); // starts its samples
  const sampledFrom = Date.now();
  // The history tests read the last 2.5 s, for which the simulated source needs samples.
  if (bin === undefined) return until('3 s of samples', () => Date.now() - sampledFrom > 3000);
  server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    scrapes++;
    res.writeHead(200, { 'content-type': SIM_METRICS_CONTENT_TYPE }).end(simMetricsText(sim));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  prometheus = await startPrometheus({ bin, scrapeTargets: [target], scrapeIntervalMs: SCRAPE_MS });
  sources.prometheus = createMetricsSource({ kind: 'prometheus', url: prometheus.url, window: WINDOW });
  // Enough scrapes that every rate window of the last few seconds is full.
  await until('10 scrapes', () => scrapes >= 10, 20_000);
}, 60_000);

afterAll(async () => {
  sources.simulated?.close?.();
  sim.stop();
  await prometheus?.stop();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

/** What the load model says now, reduced to the seam's shape. */
function truth() {
  const m = sim.componentMetrics(NAMESPACE, 'web');
  return { m, east: m.clusters.east!, west: m.clusters.west! };
}

function near(actual: number | undefined, expected: number, tolerance: number): void {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected) / expected, `${actual} vs ${expected}`).toBeLessThan(tolerance);
}

/** The same expectations on every source; exact for the simulated one, within scraping's error for Prometheus. */
describe.each(['simulated', 'prometheus'])('the %s metrics source', (name) => {
  const skip = name === 'prometheus' && bin === undefined;
  const source = () => sources[name]!;
  const tolerance = name === 'simulated' ? 1e-9 : 0.1;

  it.skipIf(skip)(
    skipTitle(
      'gives a component its ready pods, CPU utilization, request rate and p99, in total',
      skip && NO_PROMETHEUS,
    ),
    async () => {
      const s = (await source().signals(WEB))!;
      const { m } = truth();
      expect(s.readyPods).toBe(5);
      near(s.cpuUtilization, m.total.cpuUtilization, tolerance);
      near(s.cpuUtilization, (RPS * 20) / 2500, tolerance); // 20 millicore-seconds a request over 5 × 500m
      near(s.requestsPerSecond, RPS, tolerance);
      near(s.latencyP99Ms, m.total.latencyP99Ms, name === 'simulated' ? 1e-9 : 0.15);
      expect(Math.abs(s.at - Date.now())).toBeLessThan(5000);
      expect(s.reasons).toBeUndefined();
    },
  );

  it.skipIf(skip)(
    skipTitle(
      'splits them by cluster, counting neither the Pending pod nor the other component',
      skip && NO_PROMETHEUS,
    ),
    async () => {
      const s = (await source().signals(WEB))!;
      const { east, west } = truth();
      expect(Object.keys(s.perCluster).sort()).toEqual(['east', 'west']);
      expect(s.perCluster.east!.readyPods).toBe(3);
      expect(s.perCluster.west!.readyPods).toBe(2);
      near(s.perCluster.east!.requestsPerSecond, (RPS * 3) / 5, tolerance);
      near(s.perCluster.west!.requestsPerSecond, (RPS * 2) / 5, tolerance);
      near(s.perCluster.east!.cpuUtilization, east.cpuUtilization, tolerance);
      near(s.perCluster.west!.cpuUtilization, west.cpuUtilization, tolerance);
      near(s.perCluster.west!.latencyP99Ms, west.latencyP99Ms, name === 'simulated' ? 1e-9 : 0.15);
    },
  );

  it.skipIf(skip)(skipTitle('knows nothing of a component without pods', skip && NO_PROMETHEUS), async () => {
    expect(await source().signals(NOBODY)).toBeUndefined();
  });

  it.skipIf(skip)(skipTitle('gives a history on a grid of steps', skip && NO_PROMETHEUS), async () => {
    const to = Date.now() - 500;
    const from = to - 2000;
    const rps = await source().history(WEB, 'requestsPerSecond', from, to, 500);
    expect(rps).toHaveLength(5);
    for (const v of rps) near(v, RPS, tolerance);
    const cpu = await source().history(WEB, 'cpuUtilization', from, to, 1000);
    expect(cpu).toHaveLength(3);
    for (const v of cpu) near(v, (RPS * 20) / 2500, tolerance);
    const before = await source().history(WEB, 'requestsPerSecond', from - 3_600_000, from - 3_500_000, 50_000);
    expect(before).toHaveLength(3);
    expect(before.every(Number.isNaN)).toBe(true);
  });
});

describe.skipIf(bin === undefined)(skipTitle('through a real Prometheus', bin === undefined && NO_PROMETHEUS), () => {
  it('scrapes the simulated cloud without errors', async () => {
    const r = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent('up{job="sim"}')}`);
    const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
    expect(body.data.result.map((x) => x.value[1])).toEqual(['1']);
  });

  it('agrees with the simulated source on every signal, in total and per cluster', async () => {
    const [p, s] = await Promise.all([sources.prometheus!.signals(WEB), sources.simulated!.signals(WEB)]);
    expect(p!.readyPods).toBe(s!.readyPods);
    near(p!.cpuUtilization, s!.cpuUtilization!, 0.1);
    near(p!.requestsPerSecond, s!.requestsPerSecond!, 0.1);
    near(p!.latencyP99Ms, s!.latencyP99Ms!, 0.15);
    for (const c of ['east', 'west']) {
      expect(p!.perCluster[c]!.readyPods).toBe(s!.perCluster[c]!.readyPods);
      near(p!.perCluster[c]!.cpuUtilization, s!.perCluster[c]!.cpuUtilization!, 0.1);
      near(p!.perCluster[c]!.requestsPerSecond, s!.perCluster[c]!.requestsPerSecond!, 0.1);
    }
  });

  it('leaves out a signal whose query Prometheus refuses, with the reason, and keeps the others', async () => {
    const problems: string[] = [];
    const source = createMetricsSource({
      kind: 'prometheus',
      url: prometheus!.url,
      window: WINDOW,
      queries: { latencyP99Ms: 'histogram_quantile(0.99, sum by (le, $by) (' },
      onProblem: (_ref, signal, reason) => problems.push(`${signal}: ${reason}`),
    });
    const s = (await source.signals(WEB)) as ComponentSignals;
    expect(s.latencyP99Ms).toBeUndefined();
    expect(s.reasons?.latencyP99Ms).toMatch(/HTTP 400.*parse error/);
    expect(problems[0]).toMatch(/^latencyP99Ms: /);
    expect(s.readyPods).toBe(5);
    near(s.requestsPerSecond, RPS, 0.1);
  });
});
