import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/kernel/clock.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { loadConfig, type Config } from '../../src/kernel/config.ts';
import type { Polis } from '../../src/main.ts';
import { startPolis } from '../../src/main.ts';
import { generateSecretKey } from '../../src/tenancy/secret-cipher.ts';

/** A benchmark estate on the embedded default: simulated clusters, departments and OAM applications. */
export const CTX = { actor: 'bench', requestId: 'bench' };

export interface EstateShape {
  readonly clusters: number;
  readonly tenants: number;
  /** Nodes per cluster (default 40 × 64 cores × 256 GiB × 250 pods). */
  readonly nodes?: number;
}

export function clusterDoc(i: number, nodes = 40) {
  const region = i % 2 === 0 ? 'city-east' : 'city-west';
  return {
    apiVersion: 'polis.io/v1',
    kind: 'Cluster',
    metadata: { name: `bench-${String(i).padStart(2, '0')}`, labels: { 'topology.kubernetes.io/region': region } },
    spec: {
      provider: 'simulated',
      vendor: ['inspur-cloud', 'h3c-cloud', 'sugon-cloud'][i % 3],
      region,
      zone: `${region}-${'abc'[i % 3]}`,
      networkZone: 'e-gov-extranet',
      role: 'primary',
      simulation: { nodes, nodeCpu: '64', nodeMemory: '256Gi', nodePods: 250 },
    },
  };
}

/** An application of 3 components (2 + 2 + 1 replicas) spread over both regions. */
export function appDoc(t: number, a: number, tag = '1.0.0') {
  const comp = (name: string, type: string, replicas: number) => ({
    name,
    type,
    properties: { image: `registry.example.gov.cn/bench/${name}:${tag}`, cpu: '10m', memory: '16Mi' },
    traits: [{ type: 'scaler', properties: { replicas } }],
  });
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: `app-${a}`, tenant: `dept-${t}` },
    spec: {
      components: [comp('web', 'webservice', 2), comp('api', 'webservice', 2), comp('worker', 'worker', 1)],
      policies: [{ name: 'spread', type: 'placement', properties: { spreadBy: 'region' } }],
    },
  };
}

/** polis on a fresh data folder with the estate's clusters and departments; the default sandbox cordoned. */
export async function boot(
  clock: Clock,
  virtualTime: boolean,
  shape: EstateShape,
  overrides: Partial<Config> = {},
): Promise<{ polis: Polis; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-bench-'));
  const config = loadConfig(
    {},
    { dataDir: dir, secretKey: generateSecretKey(), demo: false, port: 0, logLevel: 'silent', ...overrides },
  );
  const polis = await startPolis(config, { clock, virtualTime, feedPollMs: 1000 });
  await polis.resources.apply(CTX, [
    ...Array.from({ length: shape.clusters }, (_, i) => clusterDoc(i, shape.nodes)),
    ...Array.from({ length: shape.tenants }, (_, t) => ({
      apiVersion: 'polis.io/v1',
      kind: 'Tenant',
      metadata: { name: `dept-${t}` },
      spec: { displayName: { zh: `部门 ${t}`, en: `Department ${t}` } },
    })),
  ]);
  // The default sandbox's small clusters stay out of the way: the estate runs on the bench clusters.
  for (const name of ['gov-east', 'gov-west', 'dr-north', 'burst-aliyun', 'burst-huawei']) {
    await polis.resources.patch(CTX, { kind: 'Cluster', tenant: '', name }, { spec: { cordoned: true } });
  }
  await polis.feed.idle();
  await polis.clusters.probeAll();
  return { polis, dir };
}

export async function createApps(polis: Polis, n: number, tenants: number): Promise<void> {
  for (let start = 0; start < n; start += 200) {
    const docs = [];
    for (let a = start; a < Math.min(n, start + 200); a++) docs.push(appDoc(a % tenants, a));
    await polis.resources.apply(CTX, docs);
  }
}

/** Waits until the controller has nothing left to do, driving virtual time if the clock is manual. */
export async function settle(polis: Polis, clock: Clock, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await polis.feed.idle();
    await polis.delivery.idle();
    await polis.clusters.probeAll();
    if (clock instanceof ManualClock) polis.sim!.advance(2000);
    else await new Promise((r) => setTimeout(r, 500));
    await polis.delivery.idle();
  }
}
