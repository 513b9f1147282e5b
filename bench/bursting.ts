/**
 * bursting: a ×30 citizen peak (enrolment day, 09:00 Asia/Shanghai) on a private cloud sized for ×3, in virtual
 * time, with polis's autoscaler and overflow into two public burst clusters. Measured: the share of the peak's
 * requests served by burst clusters, what the burst cost in yuan (the burst clusters' prices × the requests of the
 * replicas placed there, integrated over time), and the time from the end of the peak until no replica is left on
 * a burst cluster. Baseline in the same run: the same peak on the same private cloud with no burst clusters
 * declared, where the requests beyond the private cloud's capacity fail.
 *
 * The component: 500m CPU per replica, 20 ms of CPU per request, CPU target 60% → one replica serves 15 requests per
 * second at the target. Daily load 150 rps (10 replicas); ×3 is 30 replicas (15 cores): the private cloud has two
 * clusters of one 8-core node each (16 cores). The peak is 4,500 rps for 30 minutes (300 replicas, 150 cores).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppStatus } from '../src/delivery/app-status.ts';
import { appNamespace } from '../src/delivery/namespace.ts';
import { ManualClock } from '../src/kernel/clock.ts';
import { loadConfig } from '../src/kernel/config.ts';
import type { Polis } from '../src/main.ts';
import { startPolis } from '../src/main.ts';
import { citizenPeak } from '../src/sim/load-scenarios.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { CTX } from './support/estate.ts';
import type { Figure } from './support/results.ts';
import { figure, printFigures, round, writeResult } from './support/results.ts';

const params = {
  baseRps: 150,
  factor: 30,
  peakStart: '2026-07-01T01:00:00Z', // 09:00 in Asia/Shanghai
  peakMinutes: 30,
  rampSeconds: 60,
  privateCores: 16,
  burstCores: 256,
  cpuPerReplica: '500m',
  cpuTarget: 60,
  heartbeatMs: 2000,
};
const NS = appNamespace('edu', 'enrolment-day');

function cluster(name: string, role: 'primary' | 'burst', nodes: number, cores: number, prices: [number, number]) {
  const publicCloud = role === 'burst';
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Cluster',
    metadata: { name },
    spec: {
      provider: 'simulated',
      vendor: publicCloud ? name.replace('pub-', '') : 'inspur-cloud',
      region: publicCloud ? 'cn-east' : name.replace('priv-', 'city-'),
      zone: `${name}-a`,
      networkZone: publicCloud ? 'internet' : 'e-gov-extranet',
      role,
      prices: { cpuCoreHour: prices[0], memoryGiBHour: prices[1] },
      simulation: { nodes, nodeCpu: String(cores), nodeMemory: `${cores * 4}Gi`, nodePods: 250 },
    },
  };
}

function application(burst: boolean) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'enrolment-day', tenant: 'edu' },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: {
            image: 'registry.example.gov.cn/edu/enrolment-web:2.3.1',
            cpu: params.cpuPerReplica,
            memory: '512Mi',
          },
          traits: [{ type: 'scaler', properties: { replicas: 10 } }],
        },
      ],
      policies: [
        {
          name: 'spread-and-burst',
          type: 'placement',
          properties: { division: 'capacity', ...(burst ? { overflow: ['pub-aliyun', 'pub-huawei'] } : {}) },
        },
        {
          name: 'peak',
          type: 'autoscaling',
          properties: {
            components: [
              { name: 'web', minReplicas: 10, maxReplicas: 400, targets: { cpuUtilization: params.cpuTarget } },
            ],
          },
        },
      ],
    },
  };
}

interface Run {
  readonly offered: number;
  readonly served: number;
  readonly servedOnBurst: number;
  readonly yuan: number;
  readonly peakBurstReplicas: number;
  /** Seconds from the end of the peak (ramp down included) until no replica is on a burst cluster. */
  readonly releaseS: number | undefined;
  readonly wallS: number;
}

async function run(burst: boolean): Promise<Run> {
  const start = Date.parse(params.peakStart) - 10 * 60_000;
  const clock = new ManualClock(new Date(start).toISOString());
  const dir = mkdtempSync(join(tmpdir(), 'polis-bench-'));
  const config = loadConfig(
    {},
    { dataDir: dir, secretKey: generateSecretKey(), demo: false, port: 0, logLevel: 'silent' },
  );
  const polis: Polis = await startPolis(config, { clock, virtualTime: true, feedPollMs: 1000 });
  const wall0 = performance.now();
  try {
    const half = params.privateCores / 2;
    await polis.resources.apply(CTX, [
      cluster('priv-east', 'primary', 1, half, [0.12, 0.016]),
      cluster('priv-west', 'primary', 1, half, [0.12, 0.016]),
      cluster('pub-aliyun', 'burst', params.burstCores / 32, 32, [0.22, 0.03]),
      cluster('pub-huawei', 'burst', params.burstCores / 32, 32, [0.2, 0.028]),
      {
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name: 'edu' },
        spec: { displayName: { zh: '教育局', en: 'Education Bureau' } },
      },
    ]);
    for (const name of ['gov-east', 'gov-west', 'dr-north', 'burst-aliyun', 'burst-huawei'])
      await polis.resources.patch(CTX, { kind: 'Cluster', tenant: '', name }, { spec: { cordoned: true } });
    await polis.feed.idle();
    await polis.clusters.probeAll();
    await polis.resources.apply(CTX, [application(burst)]);
    const peakStart = Date.parse(params.peakStart);
    const peakMs = params.peakMinutes * 60_000;
    polis.sim!.setScenario(
      NS,
      'web',
      citizenPeak({
        base: params.baseRps,
        factor: params.factor,
        start: peakStart,
        durationMs: peakMs,
        rampMs: params.rampSeconds * 1000,
      }),
    );
    const peakEnd = peakStart + peakMs + params.rampSeconds * 1000;
    const stop = peakEnd + 20 * 60_000;
    let offered = 0;
    let served = 0;
    let servedOnBurst = 0;
    let yuan = 0;
    let peakBurstReplicas = 0;
    let releasedAt: number | undefined;
    let burstSince: number | undefined;
    while (clock.now().getTime() < stop) {
      polis.sim!.advance(1000);
      const now = clock.now().getTime();
      if ((now / 1000) % (params.heartbeatMs / 1000) === 0) await polis.clusters.probeAll();
      await polis.scaling!.evaluateAll();
      await polis.feed.idle();
      await polis.delivery.idle();
      const m = polis.sim!.componentMetrics(NS, 'web');
      const app = await polis.store.get({ kind: 'Application', tenant: 'edu', name: 'enrolment-day' });
      const s = app?.status as AppStatus | undefined;
      const onBurst = s?.burst?.replicas ?? 0;
      peakBurstReplicas = Math.max(peakBurstReplicas, onBurst);
      yuan += (s?.burst?.costPerHour ?? 0) / 3600;
      if (onBurst > 0) burstSince ??= now;
      if (now >= peakStart && now < peakEnd) {
        offered += m.offeredRps;
        for (const c of Object.values(m.clusters)) {
          const ok = c.rps * (1 - c.errorRate);
          served += ok;
          if (c.cluster.startsWith('pub-')) servedOnBurst += ok;
        }
      }
      if (now >= peakEnd && releasedAt === undefined && burstSince !== undefined && onBurst === 0) releasedAt = now;
      if (releasedAt !== undefined && now > releasedAt + 60_000) break;
    }
    return {
      offered,
      served,
      servedOnBurst,
      yuan,
      peakBurstReplicas,
      releaseS: releasedAt === undefined ? undefined : (releasedAt - peakEnd) / 1000,
      wallS: (performance.now() - wall0) / 1000,
    };
  } finally {
    await polis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const withBurst = await run(true);
const privateOnly = await run(false);
const pct = (x: number) => round(100 * x, 1);
const figures: Figure[] = [
  figure({
    metric: 'x30 peak: share of the requests served by burst clusters',
    value: pct(withBurst.servedOnBurst / withBurst.offered),
    unit: '%',
    baseline: `all requests served: ${pct(withBurst.served / withBurst.offered)}% with burst, ${pct(privateOnly.served / privateOnly.offered)}% on the private cloud alone (same run)`,
  }),
  figure({
    metric: 'x30 peak: burst cost',
    value: round(withBurst.yuan, 2),
    unit: 'yuan',
    baseline: `${params.peakMinutes} min peak, at most ${withBurst.peakBurstReplicas} replicas on burst clusters (¥0.20-0.22 per core-hour, ¥0.028-0.03 per GiB-hour)`,
  }),
  figure({
    metric: 'x30 peak: burst released after the peak',
    value: withBurst.releaseS === undefined ? Number.NaN : round(withBurst.releaseS, 0),
    unit: 's',
    baseline:
      'from the end of the ramp-down until no replica is on a burst cluster; scale-down keeps the HPA default 300 s stabilization window',
  }),
  figure({
    metric: 'x30 peak: requests failed without burst',
    value: pct(1 - privateOnly.served / privateOnly.offered),
    unit: '%',
    baseline: `with burst: ${pct(1 - withBurst.served / withBurst.offered)}% (same run)`,
  }),
];
printFigures('bursting', figures);
const file = await writeResult({
  benchmark: 'bursting',
  command: 'npm run bench:elasticity',
  parameters: { ...params, wallSeconds: [round(withBurst.wallS, 1), round(privateOnly.wallS, 1)] },
  figures,
});
console.log(`\nwritten ${file}`);
