/**
 * fair-sharing: five departments share a private cloud whose capacity their guarantees fill to 80%, in virtual time
 * on the simulated cloud, with polis's fair sharing (src/placement/sharing.ts) and, in the same run, without it
 * (`startPolis(…, { fairSharing: false })`: first come, first served, the behaviour it replaced). Issue 11,
 * "Figures to reach".
 *
 * The private cloud: five clusters of one node (8 cores, 16 GiB) = 40 cores; a public burst cluster (128 cores).
 * Departments (quota = guarantee, 2 GiB per core): edu 10 cores (borrowing limit 20 cores, overflow to the burst
 * cluster), tax 8, health 6, social 4, transport 4: 32 cores, 80%. One application each, component `web`, 500m and
 * 1 GiB per replica, autoscaled on CPU (60% target: one replica serves 15 rps). Background load: a Crane production
 * CPU series per department (../shared/data/crane, one point a minute replayed one point every 10 s: the run covers
 * its first 4 hours), scaled so that the window's peak is 60% of the department's guarantee (tax: 10%, so that its
 * x10 stays within the guarantee).
 *
 * t = 10 min edu x100 (autoscaling to 200 replicas, borrowing); t = 20 min tax x10 (within its guarantee: the lender
 * wants its capacity back); t = 30 min private cluster priv-5 goes down; the run ends at t = 40 min. Two more runs,
 * rules on and off, stop polis at t = 15 min and start a new one on the same data folder and the same simulated cloud
 * (StartOptions.sim), with no virtual time passing in between.
 *
 * Sampled every simulated second. "Placed" is what the simulated cloud runs: pods bound to a node on a reachable
 * cluster. Desired is the autoscaler's count (status.scaling). A department's guaranteed demand is its desired
 * replicas up to its guarantee (guarantee cpu / 500m).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppStatus, SharingStatus } from '../src/delivery/app-status.ts';
import { appNamespace } from '../src/delivery/namespace.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import type { Config } from '../src/kernel/config.ts';
import { loadConfig } from '../src/kernel/config.ts';
import type { Polis } from '../src/main.ts';
import { startPolis } from '../src/main.ts';
import type { SimCloud } from '../src/sim/index.ts';
import { loadCraneSeries, series } from '../src/sim/load-scenarios.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { CTX } from './support/estate.ts';
import type { Figure } from './support/results.ts';
import { figure, printFigures, round, writeResult } from './support/results.ts';

const MIN = 60_000;
const params = {
  privateClusters: 5,
  privateNodeCores: 8,
  burstCores: 128,
  cpuPerReplicaMilli: 500,
  memoryPerReplicaGi: 1,
  rpsPerReplicaAtTarget: 15,
  cpuTarget: 60,
  heartbeatMs: 2000,
  seriesStepMs: 10_000,
  surgeAtMin: 10,
  surgeFactor: 100,
  lenderAtMin: 20,
  lenderFactor: 10,
  failAtMin: 30,
  restartAtMin: 15,
  endAtMin: 40,
  /** Unplaced guaranteed demand counts once it has waited this long. */
  graceS: 10,
  /** After the restart, placed replicas are compared with those before over this long. */
  restartWindowS: 60,
};

interface Dept {
  readonly name: string;
  readonly cores: number;
  /** Borrowing limit in cores (undefined: none, so it borrows nothing). */
  readonly borrowCores?: number;
  readonly crane: number;
  /** Background peak as a share of the guarantee. */
  readonly peakShare: number;
  readonly maxReplicas: number;
  readonly overflow?: boolean;
}
const DEPTS: readonly Dept[] = [
  { name: 'edu', cores: 10, borrowCores: 20, crane: 1, peakShare: 0.6, maxReplicas: 200, overflow: true },
  { name: 'tax', cores: 8, crane: 9, peakShare: 0.1, maxReplicas: 16 },
  { name: 'health', cores: 6, crane: 11, peakShare: 0.6, maxReplicas: 12 },
  { name: 'social', cores: 4, crane: 2, peakShare: 0.6, maxReplicas: 8 },
  { name: 'transport', cores: 4, crane: 0, peakShare: 0.6, maxReplicas: 8 },
];
const SURGE = 'edu';
const LENDER = 'tax';
const FAILED = `priv-${params.privateClusters}`;
const APP = 'portal';
const COMPONENT = 'web';
const perReplicaCores = params.cpuPerReplicaMilli / 1000;
const guaranteeReplicas = (d: Dept) => Math.floor(d.cores / perReplicaCores);
const limitReplicas = (d: Dept) => Math.floor((d.cores + (d.borrowCores ?? 0)) / perReplicaCores);
const DATA = fileURLToPath(new URL('../../shared/data/crane/', import.meta.url));

function cluster(name: string, role: 'primary' | 'burst', nodes: number, cores: number) {
  const burst = role === 'burst';
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Cluster',
    metadata: { name },
    spec: {
      provider: 'simulated',
      vendor: burst ? 'aliyun' : 'inspur-cloud',
      region: burst ? 'cn-east' : 'city-east',
      zone: `${name}-a`,
      networkZone: burst ? 'internet' : 'e-gov-extranet',
      role,
      prices: burst ? { cpuCoreHour: 0.22, memoryGiBHour: 0.03 } : { cpuCoreHour: 0.12, memoryGiBHour: 0.016 },
      simulation: { nodes, nodeCpu: String(cores), nodeMemory: `${cores * 2}Gi`, nodePods: 250 },
    },
  };
}

function tenant(d: Dept) {
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Tenant',
    metadata: { name: d.name },
    spec: {
      displayName: { zh: d.name, en: d.name },
      quota: { cpu: String(d.cores), memory: `${d.cores * 2}Gi` },
      ...(d.borrowCores !== undefined
        ? { sharing: { borrowingLimit: { cpu: String(d.borrowCores), memory: `${d.borrowCores * 2}Gi` } } }
        : {}),
    },
  };
}

function application(d: Dept) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: APP, tenant: d.name },
    spec: {
      components: [
        {
          name: COMPONENT,
          type: 'webservice',
          properties: {
            image: `registry.example.gov.cn/${d.name}/portal:1.0.0`,
            cpu: `${params.cpuPerReplicaMilli}m`,
            memory: `${params.memoryPerReplicaGi}Gi`,
          },
          traits: [{ type: 'scaler', properties: { replicas: 1 } }],
        },
      ],
      policies: [
        {
          name: 'spread',
          type: 'placement',
          properties: { division: 'capacity', ...(d.overflow ? { overflow: ['pub-burst'] } : {}) },
        },
        {
          name: 'load',
          type: 'autoscaling',
          properties: {
            components: [
              {
                name: COMPONENT,
                minReplicas: 1,
                maxReplicas: d.maxReplicas,
                targets: { cpuUtilization: params.cpuTarget },
              },
            ],
          },
        },
      ],
    },
  };
}

interface Sample {
  readonly t: number;
  readonly desired: number;
  /** Replicas in polis's placement (status.placement), all clusters. */
  readonly planned: number;
  /** Pods bound to a node on a reachable cluster. */
  readonly placed: number;
  readonly placedPrivate: number;
  readonly ready: number;
  readonly sharing?: SharingStatus;
}

interface Run {
  readonly label: string;
  /** By department, one sample a second. */
  readonly samples: Map<string, Sample[]>;
  readonly wallS: number;
  readonly capacityCores: number;
}

async function boot(config: Config, clock: ManualClock, fairSharing: boolean, sim?: SimCloud): Promise<Polis> {
  return startPolis(config, { clock, virtualTime: true, feedPollMs: 1000, fairSharing, ...(sim ? { sim } : {}) });
}

async function run(label: string, fairSharing: boolean, restart: boolean): Promise<Run> {
  const t0 = Date.parse('2026-07-01T00:00:00Z');
  const clock = new ManualClock(new Date(t0).toISOString());
  const dir = mkdtempSync(join(tmpdir(), 'polis-bench-'));
  const config = loadConfig(
    {},
    { dataDir: dir, secretKey: generateSecretKey(), demo: false, port: 0, logLevel: 'silent' },
  );
  let polis = await boot(config, clock, fairSharing);
  const sim = polis.sim!;
  const wall0 = performance.now();
  const samples = new Map<string, Sample[]>(DEPTS.map((d) => [d.name, []]));
  try {
    await polis.resources.apply(CTX, [
      ...Array.from({ length: params.privateClusters }, (_, i) =>
        cluster(`priv-${i + 1}`, 'primary', 1, params.privateNodeCores),
      ),
      cluster('pub-burst', 'burst', params.burstCores / 32, 32),
      ...DEPTS.map(tenant),
    ]);
    for (const name of ['gov-east', 'gov-west', 'dr-north', 'burst-aliyun', 'burst-huawei'])
      await polis.resources.patch(CTX, { kind: 'Cluster', tenant: '', name }, { spec: { cordoned: true } });
    await polis.feed.idle();
    await polis.clusters.probeAll();
    const capacityCores =
      polis.clusters
        .candidates()
        .filter((c) => c.healthy && c.role !== 'burst')
        .reduce((s, c) => s + (c.allocatable?.cpuMilli ?? 0), 0) / 1000;
    await polis.resources.apply(CTX, DEPTS.map(application));
    for (const d of DEPTS) {
      // The run's window of the series (its first points), scaled so that the window's peak is the share.
      const window = loadCraneSeries(`${DATA}series${d.crane}.csv.gz`).points.slice(
        0,
        Math.ceil((params.endAtMin * MIN) / params.seriesStepMs) + 1,
      );
      const peakRps = d.peakShare * guaranteeReplicas(d) * params.rpsPerReplicaAtTarget;
      sim.setScenario(
        appNamespace(d.name, APP),
        COMPONENT,
        series(window, params.seriesStepMs, { startMs: t0, peakRps, loop: false }),
      );
    }
    const stop = t0 + params.endAtMin * MIN;
    let restarted = false;
    while (clock.now().getTime() < stop) {
      const now0 = clock.now().getTime();
      if (now0 === t0 + params.surgeAtMin * MIN)
        sim.setLoadFactor(appNamespace(SURGE, APP), COMPONENT, params.surgeFactor);
      if (now0 === t0 + params.lenderAtMin * MIN)
        sim.setLoadFactor(appNamespace(LENDER, APP), COMPONENT, params.lenderFactor);
      if (now0 === t0 + params.failAtMin * MIN) sim.cluster(FAILED)!.down();
      if (restart && !restarted && now0 === t0 + params.restartAtMin * MIN) {
        restarted = true;
        await polis.stop();
        polis = await boot(config, clock, fairSharing, sim);
      }
      sim.advance(1000);
      const now = clock.now().getTime();
      if (((now - t0) / 1000) % (params.heartbeatMs / 1000) === 0) await polis.clusters.probeAll();
      await polis.scaling!.evaluateAll();
      await polis.feed.idle();
      await polis.delivery.idle();
      const down = now >= t0 + params.failAtMin * MIN ? FAILED : undefined;
      for (const d of DEPTS) samples.get(d.name)!.push(await sample(polis, sim, d, (now - t0) / 1000, down));
    }
    return { label, samples, wallS: (performance.now() - wall0) / 1000, capacityCores };
  } finally {
    await polis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function sample(polis: Polis, sim: SimCloud, d: Dept, t: number, down: string | undefined): Promise<Sample> {
  const app = await polis.store.get({ kind: 'Application', tenant: d.name, name: APP });
  const s = app?.status as AppStatus | undefined;
  const byCluster = s?.placement?.[COMPONENT] ?? {};
  const planned = Object.values(byCluster).reduce((a, b) => a + b, 0);
  const desired =
    s?.scaling?.components[COMPONENT]?.desired ??
    s?.components.find((c) => c.name === COMPONENT)?.desiredReplicas ??
    planned;
  const ns = appNamespace(d.name, APP);
  let placed = 0;
  let placedPrivate = 0;
  let ready = 0;
  for (const c of sim.clusters()) {
    if (c.name === down || !(c.name.startsWith('priv-') || c.name === 'pub-burst')) continue;
    for (const p of c.pods(ns)) {
      if (p.node === undefined || p.phase === 'Succeeded' || p.phase === 'Failed') continue;
      placed++;
      if (c.name.startsWith('priv-')) placedPrivate++;
      if (p.ready) ready++;
    }
  }
  return { t, desired, planned, placed, placedPrivate, ready, ...(s?.sharing ? { sharing: s.sharing } : {}) };
}

/** Replica-seconds of guaranteed demand left unplaced for more than the grace, by department. */
function guaranteeMissed(r: Run): { total: number; byDept: Record<string, number>; worst?: string } {
  const byDept: Record<string, number> = {};
  let total = 0;
  let worst: { at: number; dept: string; want: number; placed: number; sharing?: SharingStatus } | undefined;
  for (const d of DEPTS) {
    let since: number | undefined;
    let sum = 0;
    for (const s of r.samples.get(d.name)!) {
      const want = Math.min(s.desired, guaranteeReplicas(d));
      const short = Math.max(0, want - s.placed);
      if (short === 0) {
        since = undefined;
        continue;
      }
      since ??= s.t;
      if (s.t - since > params.graceS) {
        sum += short;
        if (!worst || short > worst.want - worst.placed)
          worst = { at: s.t, dept: d.name, want, placed: s.placed, ...(s.sharing ? { sharing: s.sharing } : {}) };
      }
    }
    byDept[d.name] = sum;
    total += sum;
  }
  return {
    total,
    byDept,
    ...(worst
      ? {
          worst: `${worst.dept} at t=${worst.at}s: ${worst.placed} placed of ${worst.want} within its guarantee; status.sharing ${JSON.stringify(worst.sharing ?? null)}`,
        }
      : {}),
  };
}

/** Replica-seconds on the private cloud beyond guarantee + borrowing limit, by department. */
function overage(r: Run): { total: number; byDept: Record<string, number>; peak: Record<string, number> } {
  const byDept: Record<string, number> = {};
  const peak: Record<string, number> = {};
  let total = 0;
  for (const d of DEPTS) {
    let sum = 0;
    let most = 0;
    for (const s of r.samples.get(d.name)!) {
      sum += Math.max(0, s.placedPrivate - limitReplicas(d));
      most = Math.max(most, s.placedPrivate);
    }
    byDept[d.name] = sum;
    peak[d.name] = most;
    total += sum;
  }
  return { total, byDept, peak };
}

/**
 * The lender's reclaim, from t = lenderAt until the failure: each time its guaranteed demand rises above what it
 * has placed (an episode), the seconds until placed (and ready) reach that demand. The longest episode counts.
 */
function reclaim(r: Run): {
  placedS: number;
  readyS: number;
  firstNeedS: number | undefined;
  episodes: number;
  unfinished: boolean;
} {
  const d = DEPTS.find((x) => x.name === LENDER)!;
  const from = params.lenderAtMin * 60;
  const to = params.failAtMin * 60;
  let placedS = 0;
  let readyS = 0;
  let episodes = 0;
  let firstNeedS: number | undefined;
  let open: { start: number; want: number; placedAt?: number } | undefined;
  for (const s of r.samples.get(d.name)!) {
    if (s.t <= from || s.t > to) continue;
    const want = Math.min(s.desired, guaranteeReplicas(d));
    if (!open && want > s.placed) {
      open = { start: s.t - 1, want };
      episodes++;
      firstNeedS ??= s.t - 1 - from;
    }
    if (!open) continue;
    open.want = Math.max(open.want, want);
    if (open.placedAt === undefined && s.placed >= open.want) open.placedAt = s.t;
    if (open.placedAt !== undefined && s.ready >= open.want) {
      placedS = Math.max(placedS, open.placedAt - open.start);
      readyS = Math.max(readyS, s.t - open.start);
      open = undefined;
    }
  }
  if (open) {
    placedS = Math.max(placedS, (open.placedAt ?? to) - open.start);
    readyS = Math.max(readyS, to - open.start);
  }
  return { placedS, readyS, firstNeedS, episodes, unfinished: open !== undefined };
}

/** Samples where polis placed more replicas than desired, and by how many at most. */
function overPlaced(r: Run, fromS = 0, toS = Infinity): { samples: number; most: number } {
  let samples = 0;
  let most = 0;
  for (const d of DEPTS)
    for (const s of r.samples.get(d.name)!) {
      if (s.t < fromS || s.t > toS) continue;
      const over = s.planned - s.desired;
      if (over > 0) samples++;
      most = Math.max(most, over);
    }
  return { samples, most };
}

/**
 * Replicas lost across the restart: per department, the most its placed replicas fell over the window after the
 * restart below what it had just before (and still wanted), summed over departments.
 */
function restartLoss(r: Run): { total: number; byDept: Record<string, number> } {
  const at = params.restartAtMin * 60;
  const byDept: Record<string, number> = {};
  let total = 0;
  for (const d of DEPTS) {
    const ss = r.samples.get(d.name)!;
    const before = ss.find((s) => s.t === at)!;
    let worst = 0;
    for (const s of ss) {
      if (s.t <= at || s.t > at + params.restartWindowS) continue;
      worst = Math.max(worst, Math.min(before.placed, s.desired) - s.placed);
    }
    byDept[d.name] = worst;
    total += worst;
  }
  return { total, byDept };
}

/** BENCH_TRACE=1: each run's departments at the moments that matter (desired/planned/placed/private/ready). */
function trace(r: Run): void {
  console.log(`\n${r.label} (wall ${round(r.wallS, 1)} s)`);
  for (const t of [599, 660, 899, 960, 1199, 1230, 1500, 1799, 1830, 2399]) {
    const parts = DEPTS.map((d) => {
      const s = r.samples.get(d.name)!.find((x) => x.t === t + 1);
      if (!s) return `${d.name} -`;
      const why = Object.values(s.sharing?.components ?? {})
        .map((c) => `g${c.guaranteed}+b${c.borrowed}${c.limited ? ` -${c.limited} ${c.reason ?? ''}` : ''}`)
        .join(' ');
      return `${d.name} ${s.desired}/${s.planned}/${s.placed}/${s.placedPrivate}/${s.ready}${why ? ` [${why}]` : ''}`;
    });
    console.log(`  t=${t + 1}s  ${parts.join('  ')}`);
  }
}

const fair = await run('fair sharing', true, false);
const fcfs = await run('first come, first served', false, false);
const fairRestart = await run('fair sharing, restarted at 15 min', true, true);
const fcfsRestart = await run('first come, first served, restarted at 15 min', false, true);

const gFair = guaranteeMissed(fair);
const gFcfs = guaranteeMissed(fcfs);
const gRestart = guaranteeMissed(fairRestart);
const oFair = overage(fair);
const oFcfs = overage(fcfs);
const oRestart = overage(fairRestart);
const rFair = reclaim(fair);
const rFcfs = reclaim(fcfs);
const overRestart = overPlaced(fairRestart);
const overFair = overPlaced(fair);
const lossRestart = restartLoss(fairRestart);
const lossFair = restartLoss(fair);
const overFcfsRestart = overPlaced(fcfsRestart);
const lossFcfsRestart = restartLoss(fcfsRestart);
const unfinished = (x: ReturnType<typeof reclaim>) => (x.unfinished ? ' (still short at t=30 min)' : '');
const fmt = (o: Record<string, number>) =>
  Object.entries(o)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${round(v, 0)}`)
    .join(', ') || 'none';

const figures: Figure[] = [
  figure({
    metric: 'guarantee kept: guaranteed demand unplaced > 10 s',
    value: round(gFair.total, 0),
    unit: 'replica-s',
    goal: '<= 0',
    baseline: `first come, first served: ${round(gFcfs.total, 0)} replica-s (${fmt(gFcfs.byDept)}); fair sharing by department: ${fmt(gFair.byDept)}`,
  }),
  figure({
    metric: 'reclaim: lender need -> its replicas placed',
    value: round(rFair.placedS, 0),
    unit: 's',
    goal: '<= 10',
    baseline: `longest of ${rFair.episodes} episode(s) between t=20 and 30 min, the first ${rFair.firstNeedS ?? '-'} s after the x10; first come, first served: ${round(rFcfs.placedS, 0)} s${unfinished(rFcfs)}`,
  }),
  figure({
    metric: 'reclaim: lender need -> its replicas ready',
    value: round(rFair.readyS, 0),
    unit: 's',
    baseline: `first come, first served: ${round(rFcfs.readyS, 0)} s${unfinished(rFcfs)}`,
  }),
  figure({
    metric: 'overage: private replicas beyond guarantee + borrowing',
    value: round(oFair.total, 0),
    unit: 'replica-s',
    goal: '<= 0',
    baseline: `first come, first served: ${round(oFcfs.total, 0)} replica-s (${fmt(oFcfs.byDept)}); edu private peak ${oFair.peak[SURGE]} vs ${oFcfs.peak[SURGE]} replicas, limit ${limitReplicas(DEPTS[0]!)}`,
  }),
  figure({
    metric: 'restart at 15 min: samples with placed > desired',
    value: overRestart.samples,
    unit: 'samples',
    goal: '<= 0',
    baseline: `at most ${overRestart.most} over; without restart: ${overFair.samples} samples; first come, first served restarted: ${overFcfsRestart.samples} samples, at most ${overFcfsRestart.most} over`,
  }),
  figure({
    metric: 'restart at 15 min: placed replicas lost in the 60 s after',
    value: lossRestart.total,
    unit: 'replicas',
    goal: '<= 0',
    baseline: `by department: ${fmt(lossRestart.byDept)}; same window without restart: ${lossFair.total}; first come, first served restarted: ${lossFcfsRestart.total}`,
  }),
  figure({
    metric: 'restart run: guarantee kept / overage',
    value: round(gRestart.total + oRestart.total, 0),
    unit: 'replica-s',
    goal: '<= 0',
    baseline: `guaranteed demand unplaced > 10 s ${round(gRestart.total, 0)} replica-s, overage ${round(oRestart.total, 0)} replica-s`,
  }),
];
if (process.env.BENCH_TRACE) for (const r of [fair, fcfs, fairRestart, fcfsRestart]) trace(r);
printFigures('fair-sharing', figures);
const notes: string[] = [];
if (gFair.worst) notes.push(`fair sharing, worst guarantee miss: ${gFair.worst}`);
if (gRestart.worst) notes.push(`restart run, worst guarantee miss: ${gRestart.worst}`);
if (gFcfs.worst) notes.push(`first come, first served, worst guarantee miss: ${gFcfs.worst}`);
for (const n of notes) console.log(`  note: ${n}`);
const file = await writeResult({
  benchmark: 'fair-sharing',
  command: 'npm run bench:fair-sharing',
  parameters: {
    ...params,
    departments: DEPTS.map((d) => ({
      name: d.name,
      guaranteeCores: d.cores,
      borrowingLimitCores: d.borrowCores ?? 0,
      craneSeries: d.crane,
      backgroundPeakShareOfGuarantee: d.peakShare,
      maxReplicas: d.maxReplicas,
    })),
    privateCapacityCores: fair.capacityCores,
    wallSeconds: [fair, fcfs, fairRestart, fcfsRestart].map((r) => round(r.wallS, 1)),
  },
  figures,
  notes,
});
console.log(`\nwritten ${file}`);
