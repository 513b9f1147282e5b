/**
 * bench/first-alert: fault to first alert (issue 15, "Figures to reach": first alert <= 2 min). The whole polis runs
 * in-process in virtual time (startPolis as test/support/test-polis.ts starts it for the integration tests): the demo
 * city is seeded and delivered to the sandbox's simulated cloud, and the real AlertController (collector over the simulated
 * metrics source, built-in platform rules and the default SLO burn-rate alerts) runs a round every 15 s of virtual
 * time. Background load: the demo city's own (seedDemoLoad) plus a Crane production series on each serving
 * component. Every fault type of the simulated cloud is injected REPEATS times (seeded), at least 25 minutes apart (15
 * minutes of fault, 10 of recovery), on targets whose applications no fault hit in the last 6 h 15 min (else the bench
 * waits), and the virtual time from injection to the first alert that begins *firing* about the
 * fault is measured (an alert already firing when the fault begins does not count; they are listed):
 *
 * - a component fault (crash loop, latency, errors, CPU hog, memory leak, bad rollout, slow dependency): an alert
 *   whose labels name the faulted component, or another component of the same application, or a component that
 *   calls it (the bench's call graph: each application's first component calls its others; network loss: the
 *   caller of the lossy edge and the callee count);
 * - a node fault (node down, CPU hog on a node): an alert about the node's cluster, or about a component that had a
 *   pod on that node when the fault began (in any of its clusters: most demo components run in two), another
 *   component of its application or a caller of it, as for a component fault;
 * - a cluster partition: an alert about the cluster, or about a component running in it.
 *
 * A fault with no such alert within 10 minutes counts as missed (one that fires in the fault's last 5 minutes is listed
 * as late). The median, p95 and max are over all faults, a miss counted as more than 10 minutes: a p95 over only the
 * faults that alerted would call the goal met while some faults raised nothing. The reasons for the misses are in docs/observe.md, "First alert".
 *
 *   node bench/first-alert.ts [repeats=5] [seed=1]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/kernel/clock.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { startPolis } from '../src/main.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { parseDocuments } from '../src/kernel/documents.ts';
import { parseCpu } from '../src/kernel/quantity.ts';
import { appNamespace } from '../src/delivery/namespace.ts';
import type { Alert, AlertTransition } from '../src/observe/alerts/evaluate.ts';
import {
  evaluateAlerts,
  loadDeparture,
  peakBaseline,
  robustBaseline,
  windowsOf,
} from '../src/observe/alerts/evaluate.ts';
import { PLATFORM_RULES } from '../src/observe/alerts/rules.ts';
import { RingSignalWindows } from '../src/observe/alerts/signal-windows.ts';
import { seriesKey, type AlertTarget } from '../src/observe/alerts/signals.ts';
import { FAULT_TYPES, loadCraneSeries, series, type FaultSpec, type FaultType } from '../src/sim/index.ts';
import { Rng } from '../src/sim/random.ts';
import { figure, percentile, printFigures, round, writeResult } from './support/results.ts';

const REPEATS = Number(process.argv[2] ?? 5);
const SEED = Number(process.argv[3] ?? 1);
/** FIRST_ALERT_SWING_HOURS: measure the fault-free swing for that many hours instead (measureSwing below). */
const SWING_HOURS = Number(process.env.FIRST_ALERT_SWING_HOURS ?? 0);
const STEP = 15_000;
/** A first alert counts within LIMIT_MS; the fault holds FAULT_MS, and an alert after the limit is kept as late. */
const LIMIT_MS = 10 * 60_000;
const FAULT_MS = 15 * 60_000;
const RECOVER_MS = 10 * 60_000;
/**
 * No application (nor its callers') is hit twice within this: the 6 h window of the 6x burn-rate page plus the fault's
 * 15 minutes, so a first alert is never a burn alert on a budget an earlier fault of the bench spent.
 */
const ONE_X = /^slo-.*-burn-1x$/;
const SPACING_MS = 6 * 3_600_000 + 15 * 60_000;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');
const loadAtStart = load();

const clock = new ManualClock('2026-03-02T08:00:00Z');
// As test/support/test-polis.ts starts it for the integration tests (that module needs vitest): demo city seeded.
const dataDir = mkdtempSync(join(tmpdir(), 'polis-bench-'));
const config = loadConfig(
  {},
  { dataDir, secretKey: generateSecretKey(), demo: true, port: 0, logLevel: 'silent', sandboxSeed: SEED },
);
const polis = await startPolis(config, {
  clock,
  controllers: true,
  virtualTime: true,
  feedPollMs: 200,
  bookmarkMs: 200,
});
const sim = polis.sim!;
// What polis starts itself outside virtual time (main.ts): the cloud's scrape every 15 s, where faults such as a memory
// leak take effect (the OOM kill at a scrape).
sim.startTelemetry(STEP);
/**
 * One step of virtual time as the product runs it: probes, the autoscaler (every second in real time; once a step
 * here), delivery, the cloud, then an alert round.
 */
const transitions: AlertTransition[] = [];
polis.alerts.onTransition((x) => void transitions.push(x));
async function step(ms: number, alerts = true): Promise<void> {
  await polis.clusters.probeAll();
  await polis.scaling?.evaluateAll();
  await polis.delivery.idle();
  sim.advance(ms);
  await polis.delivery.idle();
  if (alerts) await polis.alerts.tick();
}

// The demo city's components as the cloud runs them, with each application's component order from examples/apps.
interface Comp {
  key: string;
  namespace: string;
  name: string;
  tenant: string;
  app: string;
  /** The last cluster (in the cloud's order) it runs in: what the load was sized against, see cpuMilli. */
  cluster: string;
  /** Every cluster it runs in (most demo components run in gov-east and gov-west). */
  clusters: Set<string>;
  /** CPU the component's replicas in `cluster` request, in millicores (what the load is sized against). */
  cpuMilli: number;
}
const order = new Map<string, string[]>();
/** Components that serve requests (webservice): the others (workers) take none, and have no SLO. */
const serving = new Set<string>();
const appsDir = new URL('../examples/apps/', import.meta.url);
for (const f of readdirSync(appsDir).filter((x) => x.endsWith('.yaml')))
  for (const doc of parseDocuments(readFileSync(new URL(f, appsDir), 'utf8')) as {
    kind: string;
    metadata: { name: string; tenant: string };
    spec: { components: { name: string; type: string }[] };
  }[]) {
    if (doc.kind !== 'Application') continue;
    const { tenant, name } = doc.metadata;
    order.set(
      `${tenant}/${name}`,
      doc.spec.components.map((c) => c.name),
    );
    for (const c of doc.spec.components)
      if (c.type === 'webservice') serving.add(`${appNamespace(tenant, name)}/${c.name}`);
  }
const comps = new Map<string, Comp>();
const running = () => {
  comps.clear();
  for (const c of sim.clusters())
    for (const d of c.list(undefined).filter((m) => m.kind === 'Deployment')) {
      const labels = d.metadata.labels ?? {};
      const ns = d.metadata.namespace ?? '';
      const [tenant, app] = ns.split('--');
      if (!tenant || !app || !labels['app.oam.dev/component']) continue;
      const key = `${ns}/${labels['app.oam.dev/component']}`;
      const spec = d.spec as {
        replicas?: number;
        template: { spec: { containers: { resources?: { requests?: { cpu?: string } } }[] } };
      };
      const cpu = spec.template.spec.containers.reduce((a, k) => a + parseCpu(k.resources?.requests?.cpu ?? 0), 0);
      const clusters = comps.get(key)?.clusters ?? new Set<string>();
      clusters.add(c.name);
      comps.set(key, {
        key,
        namespace: ns,
        name: labels['app.oam.dev/component'],
        tenant,
        app,
        cluster: c.name,
        clusters,
        cpuMilli: (spec.replicas ?? 1) * cpu,
      });
    }
  return comps.size;
};
for (let i = 0; i < 120 && running() < 8; i++) await step(1000, false);
const all = [...comps.values()].sort((a, b) => a.key.localeCompare(b.key));
if (all.length === 0) throw new Error('the demo city never reached the simulated cloud');

// The bench's call graph (as bench/demarcation.ts adds it): each application's first component calls its others.
const callers = new Map<string, Set<string>>();
const edges: { from: string; to: string }[] = [];
const byApp = Map.groupBy(all, (c) => `${c.tenant}/${c.app}`);
for (const [app, cs] of byApp) {
  const names = order.get(app) ?? cs.map((c) => c.name);
  const sorted = [...cs].sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  const [first, ...rest] = sorted;
  for (const c of rest) {
    edges.push({ from: first!.key, to: c.key });
    (callers.get(c.key) ?? callers.set(c.key, new Set()).get(c.key)!).add(first!.key);
  }
  const ref = (c: Comp) => ({ namespace: c.namespace, component: c.name });
  sim.mesh.declare({ ...ref(first!), calls: rest.map((c) => ({ to: ref(c) })) });
}

// Background load: a Crane production series (held within half and twice its mean) on every serving component the
// demo city sets none on and no component calls: the callees take their callers' calls (the simulated cloud's golden
// signals carry the call mesh's traffic), as in bench/demarcation.ts. Each series peaks where neither the front nor
// any component it calls passes half its CPU (20 millicores a request, as bench/demarcation.ts sizes it). The
// pension certification portal keeps the demo city's own daily load (seedDemoLoad), and its callees take it.
const craneDir = new URL('../shared/data/crane/', new URL('../', import.meta.url));
const crane = readdirSync(craneDir)
  .filter((f) => f.endsWith('.csv.gz'))
  .sort();
const services = all.filter(
  (c) => serving.has(c.key) || sim.scenarioRps(c.namespace, c.name, clock.now().getTime()) !== undefined,
);
const capacityRps = (c: Comp) => c.cpuMilli / 20;
let withCrane = 0;
for (const c of services) {
  if (sim.scenarioRps(c.namespace, c.name, clock.now().getTime()) !== undefined || callers.has(c.key)) continue;
  const s = loadCraneSeries(new URL(crane[withCrane++ % crane.length]!, craneDir).pathname);
  const mean = s.points.reduce((a, b) => a + b, 0) / s.points.length;
  const shape = s.points.map((p) => Math.min(Math.max(p, 0.5 * mean), 2 * mean));
  const reached = [c, ...edges.filter((e) => e.from === c.key).map((e) => comps.get(e.to)!)];
  const peakRps = Math.min(...reached.map((x) => 0.5 * capacityRps(x)));
  sim.setScenario(c.namespace, c.name, series(shape, s.stepMs, { peakRps }));
}
// Warm-up: six hours of rounds, so the SLO windows up to 6 h hold samples before the first fault (the 72 h window
// of the 1x burn-rate ticket does not fill: with less history a short burst weighs more there).
for (let i = 0; i < 6 * 240; i++) await step(STEP);

if (SWING_HOURS > 0) await measureSwing(SWING_HOURS);

/**
 * FIRST_ALERT_SWING_HOURS=24: no faults; that many hours of rounds after the warm-up, measuring the fault-free swing
 * the node and memory rules are set against (docs/observe.md, "node-cpu-above-normal", "memory-growing"): every
 * ready node's CPU against its own normal and its pods' rise, every component's working set against its normal
 * peak, as the rules read them (the same windows and functions, fed from the simulated cloud each round), and the
 * alerts polis itself fired. Writes first-alert.swing.json and exits.
 */
async function measureSwing(hours: number): Promise<never> {
  const rules = PLATFORM_RULES.filter(
    (r) => r.id === 'builtin:node-cpu-above-normal' || r.id === 'builtin:memory-growing',
  );
  const nodeRule = rules.find((r) => r.id === 'builtin:node-cpu-above-normal')!;
  const memRule = rules.find((r) => r.id === 'builtin:memory-growing')!;
  if (nodeRule.expr.kind !== 'baseline' || memRule.expr.kind !== 'trend' || !memRule.expr.abovePeak)
    throw new Error('the rules changed shape');
  const nodeExpr = nodeRule.expr;
  const peakOf = memRule.expr.abovePeak;
  const w = new RingSignalWindows();
  for (const [signal, ms] of windowsOf(rules)) w.want(signal, ms);
  // The first hours of the windows fill from the warm-up's end: the statistics count from the 6th hour on, as the
  // rules' normals need (3 buckets) and as the product holds them after its first 6 hours.
  const from = clock.now().getTime();
  const statsFrom = from + 6 * 3_600_000;
  const nodes = new Map<
    string,
    { base: [number, number]; ratio: number; beyondLoad: number; points: number; podsRise: number }
  >();
  const mem = new Map<string, { peak: [number, number]; over: number; risePerMin: number }>();
  let prev: ReadonlyMap<string, Alert> = new Map();
  const held = new Map<string, number>();
  transitions.length = 0;
  const polisFired = new Map<string, number>();
  const rounds = Math.round((hours + 6) * 240);
  for (let i = 0; i < rounds; i++) {
    await step(STEP);
    const now = clock.now().getTime();
    for (const x of transitions.splice(0))
      if (x.type === 'fired' && now > statsFrom) polisFired.set(x.alert.rule, (polisFired.get(x.alert.rule) ?? 0) + 1);
    const targets: AlertTarget[] = [];
    for (const n of sim.nodeUse()) {
      const labels = { cluster: n.cluster, node: n.node };
      targets.push({ scope: 'node', labels });
      w.record(seriesKey('nodeCpu', labels), now, n.cpu);
      w.record(seriesKey('nodePodsCpu', labels), now, n.podsCpu);
    }
    for (const c of all) {
      const m = sim.memoryOfLimit(c.namespace, c.name);
      const labels = { tenant: c.tenant, app: c.app, component: c.name };
      targets.push({ scope: 'component', labels });
      if (m !== undefined) w.record(seriesKey('memoryOfLimit', labels), now, m);
    }
    const r = evaluateAlerts({ rules, targets, windows: w, now, previous: prev });
    prev = r.alerts;
    if (now <= statsFrom) continue;
    for (const a of r.alerts.values()) if (a.state !== 'resolved') held.set(a.rule, (held.get(a.rule) ?? 0) + 1);
    for (const t of targets) {
      if (t.scope === 'node') {
        const key = seriesKey('nodeCpu', t.labels);
        const base = robustBaseline(nodeExpr, key, w, now);
        const min = w.aggregate(key, nodeExpr.windowMs, 'min', now);
        if (base === undefined || min === undefined) continue;
        const load = loadDeparture(nodeExpr, t, w, now);
        const name = `${t.labels.cluster}/${t.labels.node}`;
        const x = nodes.get(name) ?? {
          base: [Infinity, -Infinity],
          ratio: 0,
          beyondLoad: 0,
          points: -Infinity,
          podsRise: 0,
        };
        x.base = [Math.min(x.base[0], base), Math.max(x.base[1], base)];
        x.ratio = Math.max(x.ratio, min / Math.max(base, 1e-9));
        x.beyondLoad = Math.max(x.beyondLoad, min / Math.max(base * Math.max(1, load), 1e-9));
        x.points = Math.max(x.points, min - base);
        x.podsRise = Math.max(x.podsRise, load);
        nodes.set(name, x);
      } else {
        const key = seriesKey('memoryOfLimit', t.labels);
        const last = w.aggregate(key, memRule.expr.windowMs, 'last', now);
        const peak = peakBaseline(peakOf, key, w, now);
        const ago = w.bucketAverages(key, memRule.expr.windowMs, now).find(([end]) => end > now - 60_000)?.[1];
        if (last === undefined || peak === undefined) continue;
        const name = `${t.labels.tenant}/${t.labels.app}/${t.labels.component}`;
        const x = mem.get(name) ?? { peak: [Infinity, -Infinity], over: -Infinity, risePerMin: 0 };
        x.peak = [Math.min(x.peak[0], peak), Math.max(x.peak[1], peak)];
        x.over = Math.max(x.over, last - peak);
        if (ago !== undefined) x.risePerMin = Math.max(x.risePerMin, last - ago);
        mem.set(name, x);
      }
    }
  }
  const pts = (v: number) => round(100 * v, 1);
  const nodeRows = [...nodes].sort().map(([n, x]) => ({
    node: n,
    normalPercent: `${pts(x.base[0])}–${pts(x.base[1])}`,
    maxOverNormal: round(x.ratio, 2),
    maxOverNormalBeyondPods: round(x.beyondLoad, 2),
    maxPointsOverNormal: pts(x.points),
    maxPodsRise: round(x.podsRise, 2),
  }));
  const memRows = [...mem].sort().map(([c, x]) => ({
    component: c,
    normalPeakPercent: `${pts(x.peak[0])}–${pts(x.peak[1])}`,
    maxPointsOverPeak: pts(x.over),
    maxRisePointsPerMinute: pts(x.risePerMin),
  }));
  const figures = [
    figure({ metric: 'fault-free hours measured', value: hours, unit: 'h (virtual, after 12 h of history)' }),
    figure({
      metric: 'nodes: largest minute-minimum over the normal, beyond the pods’ rise',
      value: Math.max(...nodeRows.map((r) => r.maxOverNormalBeyondPods)),
      unit: '× (node-cpu-above-normal fires above 2)',
    }),
    figure({
      metric: 'nodes: largest minute-minimum over the normal',
      value: Math.max(...nodeRows.map((r) => r.maxPointsOverNormal)),
      unit: 'points (fires above 30)',
    }),
    figure({
      metric: 'components: largest working set over its normal peak',
      value: Math.max(...memRows.map((r) => r.maxPointsOverPeak)),
      unit: 'points of the limit (memory-growing fires from 2)',
    }),
    figure({
      metric: 'rounds the two rules held (pending or firing)',
      value: [...held.values()].reduce((a, b) => a + b, 0),
      unit: 'rounds',
    }),
  ];
  printFigures('fault-free swing of the demo (node CPU, working sets)', figures);
  console.log(
    JSON.stringify({ nodes: nodeRows, memory: memRows, polisFired: Object.fromEntries(polisFired) }, null, 1),
  );
  const path = await writeResult(
    {
      benchmark: 'first-alert',
      command: `FIRST_ALERT_SWING_HOURS=${hours} node bench/first-alert.ts ${REPEATS} ${SEED}`,
      figures,
      parameters: {
        seed: SEED,
        hours,
        roundSeconds: STEP / 1000,
        nodes: nodeRows,
        memory: memRows,
        heldRounds: Object.fromEntries(held),
        polisFired: Object.fromEntries(polisFired),
        loadAverage: `${loadAtStart} → ${load()}`,
      },
      notes: [
        'No faults: the demo city under its own and the Crane load, 6 h of warm-up, 6 h more for the rules’ normals, then the hours measured.',
        'Per round, as the rules read them: the node’s CPU minimum over a minute against its normal (the median of 18-minute averages over 6 h, the last 10 minutes out) and against that times its pods’ CPU rise; the working set against its normal peak (the median of 18-minute maxima).',
        'polisFired: the alerts polis itself fired during the hours measured (every rule).',
      ],
    },
    `swing${SEED === 1 ? '' : `.seed${SEED}`}`,
  );
  console.log(`wrote ${path}`);
  await polis.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

const rng = new Rng(SEED * 7919);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
const between = (a: number, b: number) => a + rng.next() * (b - a);
const nodes = sim
  .clusters()
  .filter((c) => all.some((x) => x.clusters.has(c.name)))
  .flatMap((c) =>
    c.capacity().nodes.map((n) => ({ cluster: c.name, node: n.name, cores: n.allocatable.cpuMilli / 1000 })),
  );
/** Every fault type of the simulated cloud, a CPU hog on a node counted apart from one in a component. */
const KINDS = [...FAULT_TYPES, 'cpu-hog-node'] as const;
type Kind = FaultType | 'cpu-hog-node';
/** A fault and what an alert must be about to count for it: clusters, and components by key. */
interface Drawn {
  spec: FaultSpec;
  subject: string;
  clusters: Set<string>;
  components: Set<string>;
}
/**
 * The components with a pod on the node (in any of their clusters: a component placed in two clusters has pods in
 * both), with the components around each (its application's and its callers': they wait on its slowed pod).
 */
const podsOn = (cluster: string, node: string) =>
  new Set(
    all
      .filter((c) => c.clusters.has(cluster))
      .filter((c) =>
        sim
          .cluster(cluster)!
          .pods(c.namespace)
          .some((p) => p.node === node && p.owner.endsWith(`/${c.namespace}/${c.name}`)),
      )
      .flatMap((c) => [...around(c)]),
  );
function around(c: Comp): Set<string> {
  return new Set([
    c.key,
    ...all.filter((x) => x.tenant === c.tenant && x.app === c.app).map((x) => x.key),
    ...(callers.get(c.key) ?? []),
  ]);
}
function draw(kind: Kind): Drawn {
  const c = pick(services);
  const target = { namespace: c.namespace, component: c.name };
  const onComponent = (spec: FaultSpec): Drawn => ({
    spec,
    subject: c.key,
    clusters: new Set(),
    components: around(c),
  });
  switch (kind) {
    case 'node-down':
    case 'cpu-hog-node': {
      const n = pick(nodes);
      const spec: FaultSpec =
        kind === 'node-down'
          ? { type: 'node-down', cluster: n.cluster, node: n.node }
          : { type: 'cpu-hog', cluster: n.cluster, node: n.node, cores: round(n.cores * between(0.9, 1), 1) };
      return {
        spec,
        subject: `${n.cluster}/${n.node}`,
        clusters: new Set([n.cluster]),
        components: podsOn(n.cluster, n.node),
      };
    }
    case 'cluster-partition': {
      const cl = pick([...new Set(all.flatMap((x) => [...x.clusters]))].sort());
      return {
        spec: { type: 'cluster-partition', cluster: cl },
        subject: cl,
        clusters: new Set([cl]),
        components: new Set(all.filter((x) => x.clusters.has(cl)).map((x) => x.key)),
      };
    }
    case 'crash-loop':
      return onComponent({ type: 'crash-loop', target });
    case 'latency':
      return onComponent({ type: 'latency', target, ms: Math.round(between(150, 600)) });
    case 'errors':
      return onComponent({ type: 'errors', target, rate: round(between(0.1, 0.4), 2) });
    case 'cpu-hog':
      return onComponent({ type: 'cpu-hog', target, cores: round(between(0.6, 0.9), 2) });
    case 'memory-leak':
      return onComponent({ type: 'memory-leak', target, mibPerMinute: Math.round(between(100, 250)) });
    case 'bad-rollout':
      return onComponent({ type: 'bad-rollout', target, rate: round(between(0.1, 0.4), 2) });
    case 'slow-dependency': {
      const called = edges.filter((e) => services.some((x) => x.key === e.to));
      const callee = called.length ? comps.get(pick(called).to)! : c;
      return {
        spec: {
          type: 'slow-dependency',
          target: { namespace: callee.namespace, component: callee.name },
          ms: Math.round(between(150, 600)),
        },
        subject: callee.key,
        clusters: new Set(),
        components: around(callee),
      };
    }
    case 'network-loss': {
      const e = pick(edges);
      const [from, to] = [comps.get(e.from)!, comps.get(e.to)!];
      return {
        spec: {
          type: 'network-loss',
          from: { namespace: from.namespace, component: from.name },
          to: { namespace: to.namespace, component: to.name },
          loss: round(between(0.1, 0.5), 2),
        },
        subject: `${e.from} -> ${e.to}`,
        clusters: new Set(),
        components: new Set([...around(from), ...around(to)]),
      };
    }
  }
}
const about = (d: Drawn, x: Pick<AlertTransition, 'alert'>): boolean => {
  const l = x.alert.labels;
  if (l.component && l.tenant && l.app) return d.components.has(`${l.tenant}--${l.app}/${l.component}`);
  return l.cluster !== undefined && !l.app && d.clusters.has(l.cluster);
};

interface Outcome {
  kind: Kind;
  subject: string;
  seconds?: number;
  /** Seconds to the first alert other than a 1x burn-rate ticket, within the limit. */
  strictSeconds?: number;
  strictRule?: string;
  /** Seconds to a first alert that came after the limit (not counted). */
  late?: number;
  rule?: string;
  inhibited?: boolean;
  /** Alerts firing in the window about something else (background noise, or a fault's wider reach). */
  other: number;
  otherRules: string[];
  /** Alerts about the fault's subjects already firing when it was injected (a new one is what counts). */
  alreadyFiring: string[];
}
const outcomes: Outcome[] = [];
const startedAt = clock.now().getTime();
const cpuStart = process.cpuUsage();
const wall = performance.now();
/** When each application (`tenant--app`) was last hit by a fault (its injection), and the virtual time spent waiting. */
const lastHit = new Map<string, number>();
const appsOf = (d: Drawn) =>
  new Set(
    [
      ...d.components,
      ...all
        .filter((x) => [...x.clusters].some((cl) => d.clusters.has(cl)) && d.spec.type === 'cluster-partition')
        .map((x) => x.key),
    ].map((k) => k.slice(0, k.indexOf('/'))),
  );
const clean = (d: Drawn, now: number) => [...appsOf(d)].every((a) => now - (lastHit.get(a) ?? -Infinity) >= SPACING_MS);
let waitedMs = 0;
/**
 * A fault of `kind` none of whose applications (the faulted component's, its callers', those with a pod on the node or
 * in the cluster) was hit within SPACING_MS: drawn again (up to 50 times, seeded) until one is clean, else 5 more
 * minutes of rounds and again. Deterministic: what is clean depends on the seed's earlier draws and virtual time only.
 */
async function drawClean(kind: Kind): Promise<Drawn> {
  for (;;) {
    const now = clock.now().getTime();
    for (let i = 0; i < 50; i++) {
      const d = draw(kind);
      if (clean(d, now)) return d;
    }
    for (let ms = 0; ms < 5 * 60_000; ms += STEP) await step(STEP);
    waitedMs += 5 * 60_000;
  }
}
/**
 * What each Deployment of the applications runs, by `cluster/namespace/name`: whether it runs and the CPU a pod requests. A
 * fault can leave an application placed otherwise for good: crash-loop failover keeps a component off a cluster for
 * the rest of its generation (src/failover/component-failover.ts), and after a partition and a crash loop the demo's
 * social-security query ran its gov-west override's 250m in gov-east too (docs/observe.md, "First alert"). The load
 * was sized for the declared placement, so the bench puts it back as its operators would, with a fixed revision.
 */
function deployed(namespaces: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of sim.clusters()) {
    let objects: ReturnType<typeof c.list>;
    try {
      objects = c.list(undefined);
    } catch {
      continue; // unreachable now: compared again later
    }
    for (const d of objects) {
      const ns = d.metadata.namespace ?? '';
      if (d.kind !== 'Deployment' || !namespaces.has(ns)) continue;
      const spec = d.spec as {
        replicas?: number;
        template: { spec: { containers: { resources?: { requests?: { cpu?: string } } }[] } };
      };
      const cpu = spec.template.spec.containers.reduce((a, k) => a + parseCpu(k.resources?.requests?.cpu ?? 0), 0);
      // Replicas only as running or not: the autoscaler changes their number (edu's portal, the pension portal).
      out.set(`${c.name}/${ns}/${d.metadata.name}`, `${(spec.replicas ?? 1) > 0 ? 'running' : 'stopped'} ${cpu}m`);
    }
  }
  return out;
}
const differences = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] =>
  [...new Set([...a.keys(), ...b.keys()])]
    .sort()
    .filter((k) => a.get(k) !== b.get(k))
    .map((k) => `${k} ${a.get(k) ?? 'none'} -> ${b.get(k) ?? 'none'}`);
/** Placements a fault left changed after its recovery, and what the fixed revision did about them. */
const restored: string[] = [];
let fixes = 0;
/**
 * A new revision of every application whose Deployments differ from `before` (each component's image with a
 * `-fixN` tag: a new generation, which drops crash-loop failover's records), then rounds until they are as before
 * again (at most 15 minutes).
 */
async function restorePlacement(d: Drawn, before: ReadonlyMap<string, string>): Promise<void> {
  const namespaces = new Set([...before.keys()].map((k) => k.split('/')[1]!));
  const changed = differences(before, deployed(namespaces));
  if (changed.length === 0) return;
  const apps = new Set(changed.map((x) => x.split('/')[1]!));
  for (const ns of apps) {
    const [tenant, name] = ns.split('--') as [string, string];
    fixes++;
    await polis.resources.patchWith(
      { actor: 'system:bench', requestId: `bench-fix-${fixes}` },
      { kind: 'Application', tenant, name },
      (cur) => {
        const o = cur as { spec: { components: { properties?: { image?: string } }[] } };
        const tag = (image: string) => `${image.replace(/-fix\d+$/, '')}-fix${fixes}`;
        return {
          ...o,
          spec: {
            ...o.spec,
            components: o.spec.components.map((c) =>
              c.properties?.image ? { ...c, properties: { ...c.properties, image: tag(c.properties.image) } } : c,
            ),
          },
        };
      },
    );
  }
  let ms = 0;
  for (; ms < 15 * 60_000 && differences(before, deployed(namespaces)).length > 0; ms += STEP) await step(STEP);
  const left = differences(before, deployed(namespaces));
  restored.push(
    `after ${d.spec.type} ${d.subject}: ${changed.join(', ')}; a fixed revision of ${[...apps].join(', ')} ${left.length ? `left ${left.join(', ')}` : `restored it in ${ms / 1000} s`}`,
  );
}
for (let r = 0; r < REPEATS; r++)
  for (const kind of KINDS) {
    const d = await drawClean(kind);
    const injected = clock.now().getTime();
    for (const a of appsOf(d)) lastHit.set(a, injected);
    transitions.length = 0;
    const alreadyFiring = (await polis.alerts.list('all'))
      .filter((a) => a.state === 'firing' && about(d, { alert: a }))
      .map((a) => `${a.rule} ${Object.values(a.labels).join('/')}`);
    const placed = deployed(new Set([...appsOf(d)]));
    const fault = sim.faults.add(d.spec);
    let first: AlertTransition | undefined;
    let firstAt = 0;
    // The first alert other than the 1x burn-rate ticket, whose 72 h window still holds earlier faults' burn.
    let strict: AlertTransition | undefined;
    let strictAt = 0;
    for (let ms = 0; ms < FAULT_MS && !strict; ms += STEP) {
      await step(STEP);
      const at = (clock.now().getTime() - injected) / 1000;
      if (!first && (first = transitions.find((x) => x.type === 'fired' && about(d, x)))) firstAt = at;
      strict = transitions.find((x) => x.type === 'fired' && about(d, x) && !ONE_X.test(x.alert.rule));
      if (strict) strictAt = at;
    }
    const elapsed = firstAt;
    // Until the first alert, as before the search went on to the first alert other than a 1x ticket.
    const until = first ? injected + firstAt * 1000 : Infinity;
    const others = transitions.filter(
      (x) => x.type === 'fired' && !about(d, x) && (x.alert.firedAt ?? x.alert.activeAt) <= until,
    );
    outcomes.push({
      kind,
      subject: d.subject,
      other: others.length,
      alreadyFiring,
      otherRules: others.map((x) => `${x.alert.rule} ${Object.values(x.alert.labels).join('/')}`),
      ...(first ? { rule: first.alert.rule, inhibited: first.alert.inhibitedBy !== undefined } : {}),
      ...(first && elapsed <= LIMIT_MS / 1000 ? { seconds: elapsed } : {}),
      ...(first && elapsed > LIMIT_MS / 1000 ? { late: elapsed } : {}),
      ...(strict && strictAt <= LIMIT_MS / 1000 ? { strictSeconds: strictAt, strictRule: strict.alert.rule } : {}),
    });
    // The rest of the fault's 15 minutes, then 10 of recovery: alerts resolve and the short windows clear.
    for (let ms = clock.now().getTime() - injected; ms < FAULT_MS; ms += STEP) await step(STEP);
    sim.faults.clear(fault.id);
    for (let ms = 0; ms < RECOVER_MS; ms += STEP) await step(STEP);
    await restorePlacement(d, placed);
  }
const wallSeconds = (performance.now() - wall) / 1000;
const cpu = process.cpuUsage(cpuStart);
await polis.stop();
rmSync(dataDir, { recursive: true, force: true });

const secondsOf = (xs: readonly Outcome[]) => xs.filter((o) => o.seconds !== undefined).map((o) => o.seconds!);
/**
 * A fault's time to first alert over ALL faults: a late alert (after the 10-minute limit) or none at all counts as
 * MISSED_S, more than the limit, so a percentile that lands on a miss says so and its goal is not met.
 */
const MISSED_S = LIMIT_MS / 1000 + 1;
const allSecondsOf = (xs: readonly Outcome[]) => xs.map((o) => o.seconds ?? MISSED_S);
const times = secondsOf(outcomes);
const allTimes = allSecondsOf(outcomes);
const strictTimes = outcomes.filter((o) => o.strictSeconds !== undefined).map((o) => o.strictSeconds!);
const allStrictTimes = outcomes.map((o) => o.strictSeconds ?? MISSED_S);
const overAll = `s (virtual; over all faults, ${MISSED_S} = no alert within ${LIMIT_MS / 60_000} min)`;
const byKind: Record<string, unknown> = {};
for (const k of KINDS) {
  const xs = outcomes.filter((o) => o.kind === k);
  const s = allSecondsOf(xs);
  const rules = [...new Set(xs.flatMap((o) => (o.seconds !== undefined && o.rule ? [o.rule] : [])))].sort();
  byKind[k] = {
    alerted: `${secondsOf(xs).length}/${xs.length}`,
    ...(s.length
      ? { minS: Math.min(...s), medianS: percentile(s, 50), p95S: percentile(s, 95), maxS: Math.max(...s) }
      : {}),
    firstRules: rules,
    ...(() => {
      const t = xs.filter((o) => o.strictSeconds !== undefined).map((o) => o.strictSeconds!);
      return {
        without1x: `${t.length}/${xs.length}${t.length ? `, median ${percentile(t, 50)} s, max ${Math.max(...t)} s` : ''}`,
      };
    })(),
    firstAlerts: xs.map((o) =>
      o.seconds !== undefined ? `${o.seconds} s ${o.rule}` : o.late ? `late ${o.late} s ${o.rule}` : 'none',
    ),
    ...(xs.some((o) => o.inhibited) ? { inhibited: xs.filter((o) => o.inhibited).length } : {}),
    ...(xs.some((o) => o.alreadyFiring.length) ? { alreadyFiring: xs.flatMap((o) => o.alreadyFiring) } : {}),
    ...(xs.some((o) => o.other) ? { unrelated: xs.flatMap((o) => o.otherRules) } : {}),
    ...(xs.some((o) => o.late)
      ? { late: xs.flatMap((o) => (o.late ? [`${o.subject}: ${o.late} s ${o.rule}`] : [])) }
      : {}),
    ...(xs.some((o) => o.rule === undefined)
      ? { missed: xs.filter((o) => o.rule === undefined).map((o) => o.subject) }
      : {}),
  };
}
const figures = [
  figure({ metric: 'faults injected', value: outcomes.length, unit: 'faults' }),
  figure({
    metric: 'faults with a first alert within 10 min',
    value: round((100 * times.length) / outcomes.length, 1),
    unit: '%',
  }),
  figure({
    metric: 'faults with a first alert within 120 s',
    value: round((100 * times.filter((x) => x <= 120).length) / outcomes.length, 1),
    unit: '%',
  }),
  figure({ metric: 'fault to first alert, median', value: percentile(allTimes, 50), unit: overAll }),
  figure({ metric: 'fault to first alert, p95', value: percentile(allTimes, 95), unit: overAll, goal: '<= 120' }),
  figure({ metric: 'fault to first alert, max', value: Math.max(...allTimes), unit: overAll }),
  figure({
    metric: 'fault to first alert, p95 of the faults that alerted within 10 min',
    value: percentile(times, 95),
    unit: 's (virtual)',
  }),
  figure({
    metric: 'faults with a first alert within 10 min, the 1x ticket not counted',
    value: round((100 * strictTimes.length) / outcomes.length, 1),
    unit: '%',
  }),
  figure({
    metric: 'faults with a first alert within 120 s, the 1x ticket not counted',
    value: round((100 * strictTimes.filter((x) => x <= 120).length) / outcomes.length, 1),
    unit: '%',
  }),
  figure({
    metric: 'fault to first alert, the 1x ticket not counted, median',
    value: percentile(allStrictTimes, 50),
    unit: overAll,
  }),
  figure({
    metric: 'fault to first alert, the 1x ticket not counted, p95',
    value: percentile(allStrictTimes, 95),
    unit: overAll,
  }),
  figure({
    metric: 'unrelated alerts fired per fault (until its first alert)',
    value: round(outcomes.reduce((a, o) => a + o.other, 0) / outcomes.length, 2),
    unit: 'alerts',
  }),
];
printFigures(
  'fault to first alert on the simulated demo city (times over all faults; a miss counts as more than 10 min)',
  figures,
);
console.log(JSON.stringify(byKind, null, 1));
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
console.log(
  `${round(wallSeconds, 0)} s wall, ${round(cpuSeconds, 0)} s CPU for ${round((clock.now().getTime() - startedAt) / 3_600_000, 1)} h of virtual time (${round(waitedMs / 3_600_000, 1)} h waiting for a clean application); load ${loadAtStart} → ${load()}`,
);
const path = await writeResult(
  {
    benchmark: 'first-alert',
    command: REPEATS === 5 && SEED === 1 ? 'npm run bench:first-alert' : `node bench/first-alert.ts ${REPEATS} ${SEED}`,
    figures,
    parameters: {
      seed: SEED,
      repeats: REPEATS,
      components: all.length,
      servingComponents: services.length,
      applications: byApp.size,
      callEdges: edges.length,
      craneFronts: withCrane,
      limitMinutes: LIMIT_MS / 60_000,
      faultMinutes: FAULT_MS / 60_000,
      appSpacingHours: SPACING_MS / 3_600_000,
      virtualHours: round((clock.now().getTime() - startedAt) / 3_600_000, 1),
      waitedHours: round(waitedMs / 3_600_000, 1),
      fixedRevisions: fixes,
      placementsRestored: restored,
      recoveryMinutes: RECOVER_MS / 60_000,
      roundSeconds: STEP / 1000,
      byKind,
      faults: outcomes.map(
        (o) =>
          `${o.kind} ${o.subject}: ${o.seconds !== undefined ? `${o.seconds} s ${o.rule}` : o.late ? `late ${o.late} s ${o.rule}` : 'none'}${o.strictSeconds !== undefined && o.strictRule !== o.rule ? `; without 1x: ${o.strictSeconds} s ${o.strictRule}` : ''}`,
      ),
      wallSeconds: round(wallSeconds, 0),
      cpuSeconds: round(cpuSeconds, 0),
      loadAverage: `${loadAtStart} → ${load()}`,
    },
    notes: [
      'Whole polis in-process in virtual time (test/support/test-polis.ts, controllers on): the real AlertController, collector on the simulated metrics source, built-in platform rules and default SLO burn-rate alerts, a round every 15 s.',
      'First alert: the first transition to firing, within 10 min of injection, of an alert about the faulted component, another component of its application or a caller of it; for node faults the node’s cluster or a component with a pod on the node; for a partition the cluster or a component in it. Inhibited alerts count (they are shown).',
      `Median, p95 and max are over ALL faults: a fault with no alert within 10 min (late, or none at all) counts as ${MISSED_S} s, more than the limit, so the p95 goal is met only if 95 % of all faults alerted within 120 s. The p95 of the faults that alerted is given apart. byKind times likewise; misses are listed in byKind.missed (none at all) and byKind.late.`,
    ],
  },
  REPEATS === 5 && SEED === 1 ? undefined : `seed${SEED}`,
);
console.log(`wrote ${path}`);
