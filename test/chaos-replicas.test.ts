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
import { appDoc, applyApp, createTenant, delivered, placedOf, TENANT, WriteLoad } from './support/chaos-load.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import { ReplicaSet, until, type Replica } from './support/replica-set.ts';
import { openSse } from './support/sse.ts';
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
async function estate(opts: { apps?: number; firstThroughPort?: number } = {}) {
  const databaseUrl = await freshDatabase();
  const proxied = new URL(databaseUrl);
  if (opts.firstThroughPort) proxied.port = String(opts.firstThroughPort);
  set = new ReplicaSet({
    databaseUrl,
    replicas: 3,
    leaseMs: LEASE_MS,
    databaseUrlOf: (slot) => (slot === 0 && opts.firstThroughPort ? proxied.toString() : undefined),
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

/** The fake clusters' write count once it holds still (the leader has applied what it had to). */
async function quietClusterWrites(): Promise<number> {
  let last = clusterWrites();
  await until('the clusters to receive no more writes', async () => {
    await new Promise((r) => setTimeout(r, 1_500));
    const now = clusterWrites();
    const same = now === last;
    last = now;
    return same;
  });
  return last;
}

/** Whether the replica logged that it lost the controllers lease (LeaseLost, src/main.ts). */
const loggedLeaseLost = (replica: Replica) => replica.child.stdout().includes('"code":"LeaseLost"');

/**
 * A TCP proxy in front of PostgreSQL for one replica. `cut()` partitions it: open connections stay open and carry
 * nothing either way, new ones are accepted and never forwarded (a black hole, as a dropped network route; no
 * reset reaches the replica). `heal()` ends the cut connections and forwards new ones again.
 */
async function startProxy(target: { host: string; port: number }) {
  const pairs = new Set<[Socket, Socket]>();
  const held = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    client.on('error', () => {});
    if (cut) {
      client.pause();
      held.add(client);
      return;
    }
    const upstream = createConnection(target);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.on('close', () => (upstream.destroy(), pairs.delete(pair)));
    upstream.on('close', () => (client.destroy(), pairs.delete(pair)));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cut(): void {
      cut = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    heal(): void {
      cut = false;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      for (const client of held) client.destroy();
      held.clear();
    },
    async close(): Promise<void> {
      this.heal();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Every write request the fake clusters received so far. */
function clusterWrites(): number {
  let n = 0;
  for (const fake of fakes.values())
    n += fake.requests.filter((r) =>
      ['create', 'patch', 'update', 'delete', 'deletecollection'].includes(r.verb),
    ).length;
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
      // The new leader commits its own fenced writes (cluster status, the leader's global work) in its term; with
      // sharding, delivery's writes are fenced by shard instead, so the first of them may come a little later.
      let metrics = await set.fenceMetrics(next.replica);
      expect(metrics.leader).toBe(true);
      await until('the new leader to commit a write in its term', async () => {
        metrics = await set.fenceMetrics(next.replica);
        return metrics.committed > 0;
      });
    },
    CASE_MS,
  );
  it(
    'SIGSTOP of the leader past its lease, then SIGCONT: it commits nothing after resuming and touches no cluster',
    async () => {
      const { set, apps } = await estate();
      const load = new WriteLoad(set, 3);
      load.start();
      await until('writes to be acknowledged', () => load.acked.size >= 20);
      const old = await set.leader();
      const before = await set.quietFenceMetrics(old.replica);
      set.pause(old.replica);
      const next = await set.leader({ not: old.lease.pid });
      expect(next.lease.epoch).toBeGreaterThan(old.lease.epoch);
      // Work for whoever leads, waiting in the paused replica's feed for when it wakes: a scale-up and a new app.
      const live = set.live()[0]!;
      await applyApp(set, live, appDoc(apps[0]!, CLUSTERS, 5));
      await applyApp(set, live, appDoc(`during-pause-${databases}`, CLUSTERS, 3));
      await until(
        'the new leader to deliver the scale-up',
        async () => (await placedOf(fakes, apps[0]!)).webReplicas === 5,
      );
      await until('the new leader to deliver the new app', () => delivered(set, live, `during-pause-${databases}`));
      const writes = await quietClusterWrites();

      set.resume(old.replica);
      await until('the resumed replica to step down', () => loggedLeaseLost(old.replica));
      await load.stop();
      // It keeps serving (its sessions ended by PostgreSQL while it was stopped fail their transactions, not the
      // process: src/resources/postgres/session-ended.test.ts), and its counters show nothing committed since the pause.
      const after = await set.quietFenceMetrics(old.replica, 30_000);
      expect(after.leader).toBe(false);
      expect(after.committed).toBe(before.committed);
      expect(after.refused).toBeGreaterThanOrEqual(before.refused);
      expect(await quietClusterWrites()).toBe(writes);
      // The term it lost stays lost: the new leader keeps its term, and the store holds the new leader's work.
      const lease = await set.lease();
      expect(lease).toMatchObject({ live: true, epoch: next.lease.epoch, pid: next.lease.pid });
      expect(await load.lost(live)).toEqual([]);
      await expectPlacedOnce([apps[1]!, `during-pause-${databases}`], 3);
      await expectPlacedOnce([apps[0]!], 5);
    },
    CASE_MS,
  );

  it(
    'PostgreSQL restarts under the replicas: writes answer 503 meanwhile and succeed after, the lease is held cleanly, watches resume',
    async () => {
      const { set } = await estate({ apps: 1 });
      const [a, b] = [set.live()[1]!, set.live()[2]!];
      const watch = openSse(`${a.child.url}/apis/polis.io/v1/tenants/${TENANT}/secrets?watch=true`, set.adminToken());
      expect((await watch.status).code).toBe(200);
      const load = new WriteLoad(set, 3);
      load.start();
      await until('writes to be acknowledged', () => load.acked.size >= 20);
      const before = await set.leader();
      postgres!.halt('fast');
      try {
        await until('writes to be refused with 503 during the outage', () => load.count('503') >= 5).catch(
          (e: unknown) => {
            throw new Error(`${(e as Error).message}; outcomes ${JSON.stringify([...load.outcomes])}`);
          },
        );
      } finally {
        postgres!.resume();
      }
      const ackedAfterOutage = load.acked.size;
      await until('writes to succeed again', () => load.acked.size >= ackedAfterOutage + 20);
      await load.stop();
      // Only acknowledged, 503 or no answer (a write in flight when the server went): never a 500.
      expect([...load.outcomes.keys()].filter((k) => !['201', '503', 'error'].includes(k))).toEqual([]);
      expect(await load.lost(b)).toEqual([]);
      // One live term, held by a replica that answers: the same term kept, or the next one taken cleanly.
      const after = await set.leader();
      expect(after.lease.epoch).toBeGreaterThanOrEqual(before.lease.epoch);
      if (after.lease.epoch === before.lease.epoch) expect(after.lease.pid).toBe(before.lease.pid);
      // The controllers work: an application applied after the outage is delivered.
      await applyApp(set, b, appDoc(`after-outage-${databases}`, CLUSTERS, 3));
      await until('the application applied after the outage to be delivered', () =>
        delivered(set, b, `after-outage-${databases}`),
      );
      await expectPlacedOnce([`after-outage-${databases}`], 3);
      // The watch opened before the outage on one replica sees a write made after it through another.
      const r = await set.request(b, 'POST', `/apis/polis.io/v1/tenants/${TENANT}/secrets`, {
        apiVersion: 'polis.io/v1',
        kind: 'Secret',
        metadata: { name: 'after-outage' },
        stringData: { value: 'x' },
      });
      expect(r.status).toBe(201);
      await watch.until(
        (events) =>
          events.some(
            (e) => e.data.object?.metadata && (e.data.object.metadata as { name?: string }).name === 'after-outage',
          ),
        60_000,
      );
      watch.close();
    },
    CASE_MS,
  );

  it(
    'the leader cut off from PostgreSQL stops leading and writes nothing; another replica takes over',
    async () => {
      const proxy = await startProxy({ host: '127.0.0.1', port: Number(new URL(postgres!.url).port) });
      try {
        const { set, apps } = await estate({ firstThroughPort: proxy.port });
        const old = await set.leader();
        expect(old.replica.slot).toBe(0); // The first replica started, through the proxy, leads.
        const writes = await quietClusterWrites();
        proxy.cut();
        const next = await set.leader({ not: old.lease.pid });
        expect(next.lease.epoch).toBeGreaterThan(old.lease.epoch);
        await until('the cut-off replica to step down by itself', () => loggedLeaseLost(old.replica));
        // Controllers resumed elsewhere: an application applied now is delivered by the new leader.
        const live = set.live().find((r) => r !== old.replica)!;
        await applyApp(set, live, appDoc(`while-cut-${databases}`, CLUSTERS, 3));
        await until('the application applied while cut off to be delivered', () =>
          delivered(set, live, `while-cut-${databases}`),
        );
        expect(clusterWrites()).toBeGreaterThan(writes);
        // Healed: the old replica, which stepped down and stopped contending, does not take the lease back.
        proxy.heal();
        await new Promise((r) => setTimeout(r, 2 * LEASE_MS));
        expect(await set.lease()).toMatchObject({ live: true, epoch: next.lease.epoch, pid: next.lease.pid });
        await expectPlacedOnce([...apps, `while-cut-${databases}`], 3);
      } finally {
        await set?.stop();
        set = undefined;
        await proxy.close();
      }
    },
    CASE_MS,
  );
});
