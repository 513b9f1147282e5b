/**
 * Chaos for sharded delivery (issue 18, points 2 and 5): three `polis serve` replicas on loopback over one throwaway
 * PostgreSQL with sharding on (the default there), sharing two fake Kubernetes clusters run once in this process.
 * A replica that owns applications is killed (kill -9) under a write load: its applications must move to the
 * survivors once its membership expires (POLIS_LEASE_MS, 6 s here, times membership too) and be delivered once by
 * their new owners (one Deployment per component per cluster, replicas adding up to the spec: no double placement),
 * with nothing acknowledged lost. A member stopped with SIGSTOP under the same load loses its applications the same
 * way, and on SIGCONT writes nothing with its old shard: it owns nothing in its own eyes past its renew deadline,
 * rejoins in a new epoch (the store refuses whatever still carries the old one), and nothing it held before the
 * pause comes back (the scale-up the new owners delivered stays). Every wait is on a condition, with generous limits.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ownerOf } from '../src/kernel/shard-assignment.ts';
import { findPostgresBin, startTempPostgres, type TempPostgres } from './setup/temp-postgres.ts';
import { appDoc, applyApp, createTenant, delivered, placedOf, TENANT, WriteLoad } from './support/chaos-load.ts';
import type { FakeKube } from './support/fake-kube/index.ts';
import { startFakeKube } from './support/fake-kube/index.ts';
import { ReplicaSet, until } from './support/replica-set.ts';
import { skipTitle } from './support/skip.ts';

const LEASE_MS = 6_000;
const CLUSTERS = ['k8s-a', 'k8s-b'] as const;
const CASE_MS = 300_000;
/** Applications per member, named so that rendezvous hashing gives them to it. */
const PER_MEMBER = 2;
const bin = findPostgresBin();

let postgres: TempPostgres | undefined;
const fakes = new Map<string, FakeKube>();
let set: ReplicaSet | undefined;

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

async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: postgres!.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return postgres!.url.replace(/\/postgres$/, `/${name}`);
}

/** A member's epoch in the `members` table (0 when it has no row). */
async function memberEpoch(databaseUrl: string, id: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const r = await client.query<{ epoch: string }>('SELECT epoch FROM members WHERE id = $1', [id]);
    return Number(r.rows[0]?.epoch ?? 0);
  } finally {
    await client.end();
  }
}

/** The first names `prefix-0`, `prefix-1` … that rendezvous hashing over `members` gives to `member`. */
function namesOwnedBy(member: string, members: readonly string[], prefix: string, n: number): string[] {
  const names: string[] = [];
  for (let i = 0; names.length < n; i++)
    if (ownerOf(`${TENANT}/${prefix}-${i}`, members) === member) names.push(`${prefix}-${i}`);
  return names;
}

describe.skipIf(!bin)(skipTitle('chaos: sharded delivery over three replicas', !bin && 'no PostgreSQL'), () => {
  it(
    'kill -9 of a replica owning applications under a write load: they move to the survivors and are delivered once, nothing acknowledged lost',
    async () => {
      set = new ReplicaSet({
        databaseUrl: await freshDatabase('chaos_shards'),
        replicas: 3,
        leaseMs: LEASE_MS,
        env: { POLIS_SHARDING: 'on' },
      });
      const s = set;
      await s.start();
      await createTenant(s);
      for (const [name, fake] of fakes) await s.registerCluster(name, fake);
      await until('three live members', async () => (await s.members()).length === 3);
      const members = await s.members();
      const { lease } = await s.leader();
      // The victim: a member that is not the leader (its lease is the other chaos file's subject), with its share.
      const victimId = members.find((m) => s.byHolder(m)?.child.pid !== lease.pid)!;
      const victim = s.byHolder(victimId)!;
      const apps = new Map(members.map((m) => [m, namesOwnedBy(m, members, 'app', PER_MEMBER)]));
      const all = [...apps.values()].flat();
      const moved = apps.get(victimId)!;
      for (const app of all) await applyApp(s, s.live()[0]!, appDoc(app, CLUSTERS, 3));
      for (const app of all) await until(`${app} to be delivered`, () => delivered(s, s.live()[0]!, app));

      const load = new WriteLoad(s, 4);
      load.start();
      await until('writes to be acknowledged', () => load.acked.size >= 30);
      await s.kill(victim);
      const ackedAtKill = load.acked.size;
      // Work only a live owner can do, for the victim's applications: a scale-up of each, through a survivor.
      const survivor = s.live()[0]!;
      for (const app of moved) await applyApp(s, survivor, appDoc(app, CLUSTERS, 5));
      await until('the killed member to leave the live set', async () => {
        const live = await s.members();
        return live.length === 2 && !live.includes(victimId);
      });
      for (const app of moved)
        await until(
          `${app} to be scaled by its new owner`,
          async () => (await placedOf(fakes, app)).webReplicas === 5 && (await delivered(s, survivor, app)),
        );
      await until('writes to go on after the kill', () => load.acked.size >= ackedAtKill + 20);
      await load.stop();

      expect(await load.lost(survivor)).toEqual([]);
      // Delivered once: one Deployment per component per cluster, the replicas over the clusters adding up to the
      // spec (a second placement by the old and the new owner would add up to more).
      for (const app of all) {
        const placed = await placedOf(fakes, app);
        for (const [cluster, perComponent] of Object.entries(placed.perCluster))
          for (const [component, n] of Object.entries(perComponent))
            expect(n, `${app}: Deployments of ${component} on ${cluster}`).toBe(1);
        expect(placed.webReplicas, `${app}: ${JSON.stringify(placed)}`).toBe(moved.includes(app) ? 5 : 3);
      }
      // The survivors' placements agree with what the clusters hold: each application's status names 5 or 3 web
      // replicas in all, so no replica counted room it did not take.
      for (const app of all) {
        const r = await s.request(survivor, 'GET', `/apis/core.oam.dev/v1beta1/tenants/${TENANT}/applications/${app}`);
        const placement = (r.json.status?.placement?.web ?? {}) as Record<string, number>;
        const total = Object.values(placement).reduce((a, b) => a + b, 0);
        expect(total, `${app}: status.placement.web ${JSON.stringify(placement)}`).toBe(moved.includes(app) ? 5 : 3);
      }
    },
    CASE_MS,
  );
  it(
    'SIGSTOP of a member owning applications under a write load, then SIGCONT: its shards move to the survivors, and it writes nothing with its old shard',
    async () => {
      const databaseUrl = await freshDatabase('chaos_shards_stop');
      set = new ReplicaSet({ databaseUrl, replicas: 3, leaseMs: LEASE_MS, env: { POLIS_SHARDING: 'on' } });
      const s = set;
      await s.start();
      await createTenant(s);
      for (const [name, fake] of fakes) await s.registerCluster(name, fake);
      await until('three live members', async () => (await s.members()).length === 3);
      const members = await s.members();
      const { lease } = await s.leader();
      const victimId = members.find((m) => s.byHolder(m)?.child.pid !== lease.pid)!;
      const victim = s.byHolder(victimId)!;
      const apps = new Map(members.map((m) => [m, namesOwnedBy(m, members, 'held', PER_MEMBER)]));
      const all = [...apps.values()].flat();
      const moved = apps.get(victimId)!;
      for (const app of all) await applyApp(s, s.live()[0]!, appDoc(app, CLUSTERS, 3));
      for (const app of all) await until(`${app} to be delivered`, () => delivered(s, s.live()[0]!, app));

      const load = new WriteLoad(s, 4);
      load.start();
      await until('writes to be acknowledged', () => load.acked.size >= 30);
      const epochAtPause = await memberEpoch(databaseUrl, victimId);
      expect(epochAtPause).toBeGreaterThan(0);
      const before = await s.fenceMetrics(victim);
      s.pause(victim);
      const ackedAtPause = load.acked.size;
      // Work only a live owner can do, for the stopped member's applications: a scale-up of each, through a survivor.
      const survivor = s.live()[0]!;
      for (const app of moved) await applyApp(s, survivor, appDoc(app, CLUSTERS, 5));
      await until('the stopped member to leave the live set', async () => {
        const live = await s.members();
        return live.length === 2 && !live.includes(victimId);
      });
      for (const app of moved)
        await until(
          `${app} to be scaled by its new owner while the old one is stopped`,
          async () => (await placedOf(fakes, app)).webReplicas === 5 && (await delivered(s, survivor, app)),
        );

      // SIGCONT: the stopped member wakes with its old view (the applications at 3 replicas, its old epoch). While it
      // rejoins and after, the clusters must never go back to what it held: watched on every poll until it is live
      // again, in a newer epoch, and the load has gone on.
      s.resume(victim);
      const regressions: string[] = [];
      const watchClusters = async () => {
        for (const app of moved) {
          const placed = await placedOf(fakes, app);
          if (placed.webReplicas !== 5) regressions.push(`${app}: ${JSON.stringify(placed)}`);
        }
      };
      await until('the resumed member to rejoin in a newer epoch', async () => {
        await watchClusters();
        return (await s.members()).includes(victimId) && (await memberEpoch(databaseUrl, victimId)) > epochAtPause;
      });
      await until('writes to go on after the pause', async () => {
        await watchClusters();
        return load.acked.size >= ackedAtPause + 20;
      });
      await load.stop();
      // Its applications come back to it (same member id, so the same hashing), now under the new epoch: settle.
      for (const app of all)
        await until(`${app} delivered after the resume`, async () => {
          await watchClusters();
          return delivered(s, victim, app);
        });
      const after = await s.quietFenceMetrics(victim);
      await watchClusters();
      expect(regressions).toEqual([]);
      expect(after.refused).toBeGreaterThanOrEqual(before.refused);

      expect(await load.lost(survivor)).toEqual([]);
      for (const app of all) {
        const placed = await placedOf(fakes, app);
        for (const [cluster, perComponent] of Object.entries(placed.perCluster))
          for (const [component, n] of Object.entries(perComponent))
            expect(n, `${app}: Deployments of ${component} on ${cluster}`).toBe(1);
        expect(placed.webReplicas, `${app}: ${JSON.stringify(placed)}`).toBe(moved.includes(app) ? 5 : 3);
        const r = await s.request(survivor, 'GET', `/apis/core.oam.dev/v1beta1/tenants/${TENANT}/applications/${app}`);
        const placement = (r.json.status?.placement?.web ?? {}) as Record<string, number>;
        const total = Object.values(placement).reduce((a, b) => a + b, 0);
        expect(total, `${app}: status.placement.web ${JSON.stringify(placement)}`).toBe(moved.includes(app) ? 5 : 3);
      }
    },
    CASE_MS,
  );
});
