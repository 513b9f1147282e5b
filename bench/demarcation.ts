/**
 * bench/demarcation: fault demarcation end to end on the simulated cloud. The demo city's applications
 * (examples/apps) run on the sandbox's gov-east and gov-west clusters under background load replayed from Crane's
 * production series (../shared/data/crane); faults of every type are injected one after another (seeded), and the
 * incident engine, evaluated every 15 s of virtual time, must open one incident per fault with the right verdict
 * (infrastructure / application / shared dependency) and rank the faulty component, node, cluster first.
 *
 * The city's call graph: what the applications declare (service references in env: the e-invoice gateway calls its
 * signer), plus, since the demo city declares few calls, a plausible set the bench adds and states here: each
 * application's first component calls its other components; the last component of each application uses a shared
 * PostgreSQL or Redis instance from the marketplace (published by db-vendor, cache-vendor); the e-invoice gateway
 * calls samr's business-license service and the health appointment portal calls hrss's social-security query.
 *
 *   node bench/demarcation.ts [incidents=330] [seed=1]     (DEMARC_VERBOSE=1 prints every miss)
 *
 * Seed 1 writes bench/results/demarcation.json; any other seed is a held-out run, written beside it as
 * demarcation.seed<N>.json. DEMARC_RECORD=file.jsonl also writes each fault's truth and the incident's recorded inputs
 * (first and final), so `node bench/demarcation-replay.ts file.jsonl` can replay the verdicts on them.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { componentDemands } from '../src/apps/render/index.ts';
import type { ApplicationSpec } from '../src/apps/application-kind.ts';
import { appNamespace } from '../src/delivery/namespace.ts';
import { parseDocuments } from '../src/kernel/documents.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import { IncidentEngine, type Incident } from '../src/observe/incidents/engine.ts';
import { simObservation, type ComponentOwner } from '../src/observe/sources/simulated/sim-observation.ts';
import { declaredEdges, type DeclaredApp } from '../src/observe/topology/topology.ts';
import { DEFAULT_SANDBOX, SimCloud, loadCraneSeries, series, type FaultSpec } from '../src/sim/index.ts';
import { Rng } from '../src/sim/random.ts';
import { figure, percentile, printFigures, round, writeResult } from './support/results.ts';

const INCIDENTS = Number(process.argv[2] ?? 330);
const SEED = Number(process.argv[3] ?? 1);
const VERBOSE = process.env.DEMARC_VERBOSE === '1';
const RECORD = process.env.DEMARC_RECORD;
if (RECORD) writeFileSync(RECORD, '');
const STEP = 15_000;
const FAULT_MS = 5 * 60_000;
const RECOVER_MS = 15 * 60_000;
const WINDOW_S = 40 * 60;
const CPU_PER_REQUEST = 2;

interface Comp {
  key: string;
  namespace: string;
  name: string;
  replicas: number;
  cpuMilli: number;
  memoryBytes: number;
  cluster: string;
}

const clock = new ManualClock('2026-03-02T00:00:00Z');
const sim = new SimCloud({ clock, seed: SEED });
const clusters = DEFAULT_SANDBOX.filter((c) => c.name === 'gov-east' || c.name === 'gov-west');
for (const c of clusters) sim.addCluster(c);

// The demo city's applications.
const appsDir = new URL('../examples/apps/', import.meta.url);
const apps: DeclaredApp[] = [];
const comps: Comp[] = [];
const owners = new Map<string, ComponentOwner>();
for (const f of readdirSync(appsDir)
  .filter((x) => x.endsWith('.yaml'))
  .sort()) {
  for (const doc of parseDocuments(readFileSync(new URL(f, appsDir), 'utf8')) as {
    kind: string;
    metadata: { name: string; tenant: string };
    spec: ApplicationSpec;
  }[]) {
    if (doc.kind !== 'Application') continue;
    const ns = appNamespace(doc.metadata.tenant, doc.metadata.name);
    const demands = componentDemands(doc.spec).filter((d) => d.replicas > 0 && d.perReplica.cpuMilli > 0);
    if (demands.length === 0) continue;
    apps.push({
      department: doc.metadata.tenant,
      application: doc.metadata.name,
      namespace: ns,
      components: doc.spec.components.filter((c) =>
        demands.some((d) => d.name === c.name),
      ) as DeclaredApp['components'],
    });
    for (const d of demands) {
      const key = `${ns}/${d.name}`;
      comps.push({
        key,
        namespace: ns,
        name: d.name,
        replicas: Math.min(d.replicas, 4),
        cpuMilli: Math.min(d.perReplica.cpuMilli, 2000),
        memoryBytes: Math.max(d.perReplica.memoryBytes, 512 * 1024 ** 2),
        cluster: clusters[comps.length % clusters.length]!.name,
      });
      owners.set(key, {
        application: doc.metadata.name,
        department: doc.metadata.tenant,
        vendor: `${doc.metadata.tenant}-vendor`,
      });
    }
  }
}
// Shared marketplace instances.
for (const [ns, name, publisher] of [
  ['market-pg', 'postgres', 'db-vendor'],
  ['market-redis', 'redis', 'cache-vendor'],
] as const) {
  const key = `${ns}/${name}`;
  comps.push({
    key,
    namespace: ns,
    name,
    replicas: 3,
    cpuMilli: 2000,
    memoryBytes: 4 * 1024 ** 3,
    cluster: 'gov-east',
  });
  owners.set(key, { application: name, department: 'bureau', publisher });
}

function deployment(c: Comp) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: c.name, namespace: c.namespace, labels: { 'app.oam.dev/component': c.name } },
    spec: {
      replicas: c.replicas,
      selector: { matchLabels: { app: c.name } },
      template: {
        metadata: { labels: { app: c.name, 'app.oam.dev/component': c.name } },
        spec: {
          containers: [
            {
              name: c.name,
              image: `registry.example.gov.cn/${c.namespace}/${c.name}:1`,
              resources: { requests: { cpu: `${c.cpuMilli}m`, memory: `${c.memoryBytes}` } },
            },
          ],
        },
      },
    },
  };
}
for (const ns of new Set(comps.map((c) => `${c.cluster}|${c.namespace}`))) {
  const [cluster, namespace] = ns.split('|') as [string, string];
  sim.cluster(cluster)!.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
}
for (const c of comps) sim.cluster(c.cluster)!.apply(deployment(c));
sim.advance(60_000);

// The call graph: declared, plus the bench's additions (see the header).
const calls = new Map<string, Set<string>>();
const call = (from: string, to: string) => {
  if (from !== to) (calls.get(from) ?? calls.set(from, new Set()).get(from)!).add(to);
};
for (const e of declaredEdges(apps)) call(e.from, e.to);
const declaredCount = [...calls.values()].reduce((a, s) => a + s.size, 0);
apps.forEach((a, i) => {
  const keys = a.components.map((c) => `${a.namespace}/${c.name}`);
  for (const k of keys.slice(1)) call(keys[0]!, k);
  call(keys[keys.length - 1]!, i % 2 === 0 ? 'market-pg/postgres' : 'market-redis/redis');
});
const front = (dept: string, app: string) => {
  const a = apps.find((x) => x.department === dept && x.application === app);
  return a ? `${a.namespace}/${a.components[0]!.name}` : undefined;
};
for (const [from, to] of [
  [front('tax', 'e-invoice'), front('samr', 'business-license')],
  [front('health', 'appointment'), front('hrss', 'social-security-query')],
] as const)
  if (from && to) call(from, to);
const ref = (k: string) => ({ namespace: k.split('/')[0]!, component: k.split('/')[1]! });
for (const c of comps)
  sim.mesh.declare({
    ...ref(c.key),
    profile: { cpuMilliPerRequest: CPU_PER_REQUEST },
    calls: [...(calls.get(c.key) ?? [])].sort().map((to) => ({ to: ref(to) })),
  });

// Background load: each application's front gets a Crane production series. Its peak is sized so that no component
// downstream (shared ones count every front that reaches them) passes 50% of its CPU at the series' peak.
const craneDir = '../shared/data/crane/';
const crane = readdirSync(new URL(craneDir, new URL('../', import.meta.url)))
  .filter((f) => f.endsWith('.csv.gz'))
  .sort();
const fronts = apps.map((a) => `${a.namespace}/${a.components[0]!.name}`);
const capacity = (k: string) => {
  const c = comps.find((x) => x.key === k)!;
  return (c.replicas * c.cpuMilli) / CPU_PER_REQUEST;
};
const reach = (from: string): Map<string, number> => {
  const flow = new Map<string, number>([[from, 1]]);
  const walk = (k: string, r: number, depth: number): void => {
    if (depth > 10) return;
    for (const to of calls.get(k) ?? []) {
      flow.set(to, (flow.get(to) ?? 0) + r);
      walk(to, r, depth + 1);
    }
  };
  walk(from, 1, 0);
  return flow;
};
const sharers = new Map<string, number>();
for (const f of fronts) for (const k of reach(f).keys()) sharers.set(k, (sharers.get(k) ?? 0) + 1);
fronts.forEach((k, i) => {
  const c = comps.find((x) => x.key === k)!;
  const s = loadCraneSeries(new URL(craneDir + crane[i % crane.length]!, new URL('../', import.meta.url)).pathname);
  let peak = Infinity;
  for (const [to, r] of reach(k)) peak = Math.min(peak, (0.5 * capacity(to)) / (r * sharers.get(to)!));
  // The series' shape held within half and twice its mean (a city portal is never idle by day, and spikes past twice
  // the mean would saturate it), scaled to peak there.
  const mean = s.points.reduce((a, b) => a + b, 0) / s.points.length;
  const shape = s.points.map((p) => Math.min(Math.max(p, 0.5 * mean), 2 * mean));
  sim.setScenario(c.namespace, c.name, series(shape, s.stepMs, { peakRps: peak }));
  if (VERBOSE) console.log(`load ${k}: peak ${round(peak, 1)} req/s`);
});

const directory = (k: string) => owners.get(k);
const engine = new IncidentEngine();
const nowS = () => Math.floor(clock.now().getTime() / 1000);
const evaluate = (): Incident[] => engine.evaluate(simObservation(sim, nowS() - WINDOW_S, nowS(), directory), nowS());
sim.startTelemetry(STEP);
sim.advance(45 * 60_000);

// The faults, drawn with a seeded generator.
const rng = new Rng(SEED * 7919);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
const between = (a: number, b: number) => a + rng.next() * (b - a);
const appComps = comps.filter((c) => !owners.get(c.key)!.publisher);
const shared = comps.filter((c) => owners.get(c.key)!.publisher);
const edges = [...calls].flatMap(([from, tos]) => [...tos].map((to) => ({ from, to })));
const nodes = clusters.flatMap((c) =>
  c.nodes.map((n) => ({ cluster: c.name, node: n.name, cores: n.cpuMilli / 1000 })),
);
type Truth = { verdict: string; culprit: string };
const KINDS = [
  'node-down',
  'cluster-partition',
  'crash-loop',
  'latency',
  'errors',
  'cpu-hog',
  'cpu-hog-node',
  'memory-leak',
  'bad-rollout',
  'slow-dependency',
  'network-loss',
] as const;
function draw(kind: (typeof KINDS)[number]): { spec: FaultSpec; truth: Truth } {
  const c = pick(appComps);
  const t = ref(c.key);
  switch (kind) {
    case 'node-down': {
      const n = pick(nodes);
      return {
        spec: { type: 'node-down', cluster: n.cluster, node: n.node },
        truth: { verdict: 'infrastructure', culprit: n.node },
      };
    }
    case 'cluster-partition': {
      const cl = pick(clusters).name;
      return { spec: { type: 'cluster-partition', cluster: cl }, truth: { verdict: 'infrastructure', culprit: cl } };
    }
    case 'crash-loop':
      return { spec: { type: 'crash-loop', target: t }, truth: { verdict: 'application', culprit: c.key } };
    case 'latency':
      return {
        spec: { type: 'latency', target: t, ms: Math.round(between(150, 600)) },
        truth: { verdict: 'application', culprit: c.key },
      };
    case 'errors':
      return {
        spec: { type: 'errors', target: t, rate: round(between(0.1, 0.4), 2) },
        truth: { verdict: 'application', culprit: c.key },
      };
    case 'cpu-hog':
      return {
        spec: { type: 'cpu-hog', target: t, cores: round((c.cpuMilli / 1000) * between(0.6, 0.9), 2) },
        truth: { verdict: 'application', culprit: c.key },
      };
    case 'cpu-hog-node': {
      const n = pick(nodes);
      return {
        spec: { type: 'cpu-hog', cluster: n.cluster, node: n.node, cores: round(n.cores * between(0.9, 1), 1) },
        truth: { verdict: 'infrastructure', culprit: n.node },
      };
    }
    case 'memory-leak':
      return {
        spec: {
          type: 'memory-leak',
          target: t,
          mibPerMinute: Math.round((c.memoryBytes / 1024 ** 2) * between(0.2, 0.5)),
        },
        truth: { verdict: 'application', culprit: c.key },
      };
    case 'bad-rollout':
      return {
        spec: { type: 'bad-rollout', target: t, rate: round(between(0.1, 0.4), 2) },
        truth: { verdict: 'application', culprit: c.key },
      };
    case 'slow-dependency': {
      const s = pick(shared);
      return {
        spec: { type: 'slow-dependency', target: ref(s.key), ms: Math.round(between(150, 600)) },
        truth: { verdict: 'shared-dependency', culprit: s.key },
      };
    }
    case 'network-loss': {
      const e = pick(edges);
      return {
        spec: { type: 'network-loss', from: ref(e.from), to: ref(e.to), loss: round(between(0.1, 0.5), 2) },
        truth: { verdict: 'infrastructure', culprit: e.to },
      };
    }
  }
}

interface Outcome {
  kind: string;
  truth: Truth;
  found: boolean;
  firstVerdict?: string;
  finalVerdict?: string;
  rankFirst: number;
  rankFinal: number;
  secondsToVerdict?: number;
  extra: number;
  top: string[];
}
const outcomes: Outcome[] = [];
const wall = performance.now();
for (let i = 0; i < INCIDENTS; i++) {
  const kind = KINDS[i % KINDS.length]!;
  const { spec, truth } = draw(kind);
  const injected = nowS();
  const before = new Set(engine.list().map((x) => x.id));
  const fault = sim.faults.add(spec);
  let first: { verdict: string; rank: number; at: number; input: unknown } | undefined;
  for (let t = 0; t < FAULT_MS; t += STEP) {
    sim.advance(STEP);
    evaluate();
    const fresh = engine
      .list()
      .filter((x) => !before.has(x.id))
      .sort((a, b) => a.openedAt - b.openedAt);
    if (!first && fresh[0]) {
      const r = fresh[0].result;
      first = {
        verdict: r.verdict.kind,
        rank: rankOf(r.candidates, truth.culprit),
        at: fresh[0].verdictAt,
        input: fresh[0].input,
      };
    }
  }
  const fresh = engine
    .list()
    .filter((x) => !before.has(x.id))
    .sort((a, b) => a.openedAt - b.openedAt);
  const inc = fresh[0];
  sim.faults.clear(fault.id);
  outcomes.push({
    kind,
    truth,
    found: inc !== undefined,
    ...(first ? { firstVerdict: first.verdict, secondsToVerdict: first.at - injected } : {}),
    ...(inc ? { finalVerdict: inc.result.verdict.kind } : {}),
    rankFirst: first?.rank ?? 0,
    rankFinal: inc ? rankOf(inc.result.candidates, truth.culprit) : 0,
    extra: Math.max(0, fresh.length - 1),
    top: inc ? inc.result.candidates.slice(0, 3).map((c) => c.subject.name) : [],
  });
  const o = outcomes[outcomes.length - 1]!;
  if (RECORD)
    appendFileSync(
      RECORD,
      `${JSON.stringify({ i, kind, truth, extra: o.extra, secondsToVerdict: o.secondsToVerdict, first: first?.input, final: inc?.input, options: inc?.result.options })}\n`,
    );
  if (VERBOSE && (o.finalVerdict !== truth.verdict || o.rankFinal !== 1))
    console.log(
      `${i} ${kind} truth ${truth.verdict} ${truth.culprit}: got ${o.firstVerdict}/${o.finalVerdict} rank ${o.rankFirst}/${o.rankFinal} top ${o.top.join(', ')}`,
    );
  for (let t = 0; t < RECOVER_MS; t += 60_000) {
    sim.advance(60_000);
    evaluate();
  }
  // Incidents still open at the next fault would swallow its symptoms: a person resolves them, as on a real desk.
  for (const x of engine.list()) if (x.state !== 'resolved') engine.act(x.id, 'resolved', 'bench', nowS());
}
const wallSeconds = (performance.now() - wall) / 1000;

function rankOf(cands: readonly { subject: { name: string } }[], culprit: string): number {
  return cands.findIndex((c) => c.subject.name === culprit) + 1;
}
const pct = (xs: readonly Outcome[], f: (o: Outcome) => boolean) => round((100 * xs.filter(f).length) / xs.length, 1);
const times = outcomes.filter((o) => o.secondsToVerdict !== undefined).map((o) => o.secondsToVerdict!);
const byKind: Record<string, string> = {};
for (const k of KINDS) {
  const xs = outcomes.filter((o) => o.kind === k);
  byKind[k] =
    `${xs.length} faults: verdict ${pct(xs, (o) => o.firstVerdict === o.truth.verdict)}% first / ${pct(xs, (o) => o.finalVerdict === o.truth.verdict)}% final, ` +
    `top-1 ${pct(xs, (o) => o.rankFinal === 1)}%, top-3 ${pct(xs, (o) => o.rankFinal >= 1 && o.rankFinal <= 3)}%`;
}
// Confusion per fault type: the final verdicts given (none: no incident), and the kind of the top candidate.
const confusion: Record<string, Record<string, number>> = {};
for (const o of outcomes) {
  const row = (confusion[o.kind] ??= {});
  const key = `${o.finalVerdict ?? 'none'}${o.rankFinal === 1 ? '' : ' (culprit not first)'}`;
  row[key] = (row[key] ?? 0) + 1;
}
const figures = [
  figure({ metric: 'faults injected', value: outcomes.length, unit: 'faults', goal: '>= 300' }),
  figure({ metric: 'faults with an incident', value: pct(outcomes, (o) => o.found), unit: '%' }),
  figure({
    metric: 'verdict accuracy (first verdict)',
    value: pct(outcomes, (o) => o.firstVerdict === o.truth.verdict),
    unit: '%',
    goal: '>= 95',
  }),
  figure({
    metric: 'verdict accuracy (final, after 5 min)',
    value: pct(outcomes, (o) => o.finalVerdict === o.truth.verdict),
    unit: '%',
    goal: '>= 95',
  }),
  figure({ metric: 'root cause top-1', value: pct(outcomes, (o) => o.rankFinal === 1), unit: '%', goal: '>= 90' }),
  figure({
    metric: 'root cause top-3',
    value: pct(outcomes, (o) => o.rankFinal >= 1 && o.rankFinal <= 3),
    unit: '%',
    goal: '>= 98',
  }),
  figure({ metric: 'root cause top-1 (first verdict)', value: pct(outcomes, (o) => o.rankFirst === 1), unit: '%' }),
  figure({ metric: 'fault to incident with verdict, median', value: percentile(times, 0.5), unit: 's (virtual)' }),
  figure({
    metric: 'fault to incident with verdict, p95',
    value: percentile(times, 0.95),
    unit: 's (virtual)',
    goal: '<= 60',
  }),
  figure({ metric: 'fault to incident with verdict, max', value: Math.max(...times), unit: 's (virtual)' }),
  figure({
    metric: 'extra incidents per fault (one cause, several incidents)',
    value: round(outcomes.reduce((a, o) => a + o.extra, 0) / outcomes.length, 3),
    unit: 'incidents',
  }),
];
printFigures('fault demarcation on the simulated demo city', figures);
console.log(JSON.stringify(byKind, null, 1));
console.log('final verdicts per fault type (truth in bench/demarcation.ts):');
for (const [k, row] of Object.entries(confusion))
  console.log(
    `  ${k.padEnd(18)} ${Object.entries(row)
      .map(([v, n]) => `${v} ${n}`)
      .join(', ')}`,
  );
console.log(
  `${round(wallSeconds, 0)} s of wall time for ${round((outcomes.length * (FAULT_MS + RECOVER_MS)) / 3_600_000, 1)} h of virtual time`,
);
const path = await writeResult(
  {
    benchmark: 'demarcation',
    command: SEED === 1 ? 'npm run bench:demarcation' : `node bench/demarcation.ts ${INCIDENTS} ${SEED}`,
    figures,
    parameters: {
      seed: SEED,
      components: comps.length,
      applications: apps.length,
      declaredEdges: declaredCount,
      edges: edges.length,
      faultMinutes: FAULT_MS / 60_000,
      recoveryMinutes: RECOVER_MS / 60_000,
      byKind,
      confusion,
    },
    notes: [
      'Demo city (examples/apps) on the sandbox clusters gov-east and gov-west; background load replayed from Crane production series (../shared/data/crane).',
      'Call graph: declared env references, plus the bench additions stated in bench/demarcation.ts (first component calls the others, shared PostgreSQL/Redis instances, two cross-department calls).',
      'Truth: node-down, partition, node CPU hog, network loss → infrastructure (culprit: node, cluster, node, callee of the lossy edge); slow shared dependency → shared dependency; the rest → application (the component).',
      'First verdict: the verdict when the incident opened (within the time figure); final: after the 5-minute window.',
    ],
  },
  SEED === 1 ? undefined : `seed${SEED}`,
);
console.log(`wrote ${path}`);
