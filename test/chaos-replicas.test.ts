/**
 * Chaos with real processes (issue 18, point 5): three `polis serve` replicas on loopback over one throwaway
 * PostgreSQL, controllers on in each, sharing two fake Kubernetes clusters run once in this process (each replica's
 * embedded simulated cloud would be a cloud of its own; see test/support/replica-set.ts). The lease is shortened to
 * 6 s (POLIS_LEASE_MS) so a takeover fits in a test; every wait is on a condition, with generous limits.
 *
 * What each failure must leave: nothing acknowledged lost, nothing done twice (one Deployment per component per
 * cluster, replicas over the clusters adding up to the spec), controllers resumed by another replica, and a replica
 * that lost its term writing nothing (its fenced writes refused, counted on its /metrics).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findPostgresBin, startTempPostgres, type TempPostgres } from './setup/temp-postgres.ts';
import {
  appDoc,
  applyApp,
  createTenant,
  delivered,
  placedOf,
  TENANT,
  WriteLoad,
} from './support/chaos-load.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import { ReplicaSet, until, type Replica } from './support/replica-set.ts';
import { skipTitle } from './support/skip.ts';

const LEASE_MS = 6_000;
const CLUSTERS = ['k8s-a', 'k8s-b'] as const;
const CASE_MS = 240_000;
const bin = findPostgresBin();

let postgres: TempPostgres | undefined;
const fakes = new Map<string, FakeKube>();
let set: ReplicaSet | undefined;
let databases = 0;

beforeAll(async () => {
  if (!bin) return;
  postgres = await startTempPostgres(bin);
  for (const name of CLUSTERS) fakes.set(name, await startFakeKube({ readyAfterMs: 0 }));
}, 120_000);

afterEach(async () => {
  await set?.stop();
  set = undefined;
}, 60_000);

afterAll(async () => {
  for (const fake of fakes.values()) await fake.stop();
  postgres?.stop();
}, 60_000);

/** A database of its own per case on the one server, so a case starts from an empty store. */
async function freshDatabase(): Promise<string> {
  const name = `chaos_${++databases}`;
  const admin = new pg.Client({ connectionString: postgres!.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return postgres!.url.replace(/\/postgres$/, `/${name}`);
}

/** Three replicas, the department, both fake clusters registered and the `before-*` applications delivered. */
async function estate(opts: { apps?: number; databaseUrlOf?: (slot: number) => string | undefined } = {}) {
  set = new ReplicaSet({
    databaseUrl: await freshDatabase(),
    replicas: 3,
    leaseMs: LEASE_MS,
    databaseUrlOf: opts.databaseUrlOf,
  });
  await set.start();
  await createTenant(set);
  for (const [name, fake] of fakes) await set.registerCluster(name, fake);
  const apps = Array.from({ length: opts.apps ?? 2 }, (_, i) => `before-${databases}-${i}`);
  for (const app of apps) await applyApp(set, set.live()[0]!, appDoc(app, CLUSTERS, 3));
  for (const app of apps) await until(`${app} to be delivered`, () => delivered(set!, set!.live()[0]!, app));
  return { set, apps };
}

/** Each app: at most one Deployment per component per cluster, and its web replicas over the clusters = `replicas`. */
async function expectPlacedOnce(apps: readonly string[], replicas: number): Promise<void> {
  for (const app of apps) {
    const placed = await placedOf(fakes, app);
    for (const [cluster, perComponent] of Object.entries(placed.perCluster))
      for (const [component, n] of Object.entries(perComponent))
        expect(n, `${app}: Deployments of ${component} on ${cluster}`).toBe(1);
    expect(placed.webReplicas, `${app}: web replicas over the clusters ${JSON.stringify(placed)}`).toBe(replicas);
  }
}

/** Every write request the fake clusters received so far. */
function clusterWrites(): number {
  let n = 0;
  for (const fake of fakes.values())
    n += fake.requests.filter((r) => ['create', 'patch', 'update', 'delete', 'deletecollection'].includes(r.verb)).length;
  return n;
}

describe.skipIf(!bin)(skipTitle('chaos: three polis replicas on one PostgreSQL', !bin && 'no PostgreSQL'), () => {
  it(
    'kill -9 of the leader under a write load: no acknowledged write lost, another replica leads, controllers resume, nothing placed twice',
    async () => {
      const { set, apps } = await estate();
      const load = new WriteLoad(set, 4);
      load.start();
      await until('writes to be acknowledged', () => load.acked.size >= 30);
      const old = await set.leader();
      await set.kill(old.replica);
      const ackedAtKill = load.acked.size;
      // A person's request goes to any replica: the application is stored at once, delivered once a leader runs.
      const survivor = set.live()[0]!;
      await applyApp(set, survivor, appDoc(`after-kill-${databases}`, CLUSTERS, 3));
      const next = await set.leader({ not: old.lease.pid });
      expect(next.lease.epoch).toBeGreaterThan(old.lease.epoch);
      await until('the application created after the kill to be delivered', () =>
        delivered(set, survivor, `after-kill-${databases}`),
      );
      await until('writes to go on after the kill', () => load.acked.size >= ackedAtKill + 20);
      await load.stop();

      expect(await load.lost(survivor)).toEqual([]);
      await expectPlacedOnce([...apps, `after-kill-${databases}`], 3);
      const metrics = await set.fenceMetrics(next.replica);
      expect(metrics.leader).toBe(true);
      expect(metrics.committed).toBeGreaterThan(0);
    },
    CASE_MS,
  );
});
