import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ConflictError } from '../src/kernel/errors.ts';
import { loadConfig } from '../src/kernel/config.ts';
import { ownerOf } from '../src/kernel/shard-assignment.ts';
import type { Polis } from '../src/main.ts';
import { startPolis } from '../src/main.ts';
import type { SimCloud } from '../src/sim/index.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { createPostgresTestSchema } from './setup/backends.ts';
import { skipTitle } from './support/skip.ts';

/**
 * Several polis replicas in one process over one PostgreSQL, sharing one simulated cloud: the per-application
 * controllers run in every replica for the applications it owns (docs/deploy.md, Several replicas).
 */
const FAST = { ttlMs: 1500, renewMs: 250, renewDeadlineMs: 1000 };
const CTX = { actor: 'system:test', requestId: 'sharding-test' };
const APPS = 24;

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, limitMs = 90_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function application(name: string) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, tenant: 'edu' },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'registry.example.gov.cn/edu/shard:1.0', cpu: '100m', memory: '64Mi' },
          traits: [{ type: 'scaler', properties: { replicas: 1 } }],
        },
      ],
    },
  };
}

describe.skipIf(inject('pgUrl') === null)(
  skipTitle('sharded controllers across replicas (postgres)', inject('pgUrl') === null && 'no PostgreSQL'),
  () => {
    const running: Polis[] = [];
    const dirs: string[] = [];
    let drop = async () => {};
    afterEach(async () => {
      for (const p of running.splice(0).reverse()) await p.stop();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
      await drop();
    });

    it('each application is handled by exactly one replica; ownership moves when one stops or joins, and the replica that lost an application can write nothing for it', async () => {
      const schema = await createPostgresTestSchema();
      drop = schema.drop;
      const secretKey = generateSecretKey();
      let sim: SimCloud | undefined;
      const start = async (): Promise<Polis> => {
        const dataDir = mkdtempSync(join(tmpdir(), 'polis-shard-'));
        dirs.push(dataDir);
        const config = loadConfig(
          {},
          { dataDir, databaseUrl: schema.url, secretKey, demo: true, logLevel: 'silent', port: 0 },
        );
        const p = await startPolis(config, {
          controllers: true,
          sharding: true,
          shardTiming: FAST,
          feedPollMs: 200,
          ...(sim ? { sim } : {}),
        });
        sim ??= p.sim;
        running.push(p);
        return p;
      };
      const a = await start();
      const b = await start();
      const c = await start();
      const ids = (ps: Polis[]) => ps.map((p) => p.member!.id).sort();
      const seeAll = (ps: Polis[]) => () => ps.every((p) => p.member!.live.join() === ids(ps).join());
      await waitFor('every replica to see three members', seeAll([a, b, c]));
      expect([a, b, c].filter((p) => p.elector.isLeader)).toHaveLength(1);

      for (let i = 0; i < APPS; i++) await a.resources.create(CTX, application(`shard-${i}`));
      const all = async () =>
        (await a.store.list({ kind: 'Application' })).items.map((o) => `${o.metadata.tenant}/${o.metadata.name}`);
      const keys = await all();
      expect(keys.length).toBeGreaterThanOrEqual(APPS);

      /** Every application handled (delivered) by its owner alone, and placed. */
      const exactlyOnce = (ps: Polis[]) => async () => {
        const live = ids(ps);
        const handled = ps.map((p) => new Set(p.delivery.handled()));
        for (const key of keys) {
          const holders = ps.filter((_, i) => handled[i]!.has(key));
          if (holders.length !== 1 || holders[0]!.member!.id !== ownerOf(key, live)) return false;
        }
        const placed = (await a.store.list({ kind: 'Application' })).items.filter(
          (o) => (o.status as { placement?: unknown } | undefined)?.placement !== undefined,
        );
        return placed.length === keys.length;
      };
      await waitFor('each application delivered by its owner alone', exactlyOnce([a, b, c]));
      for (const p of [a, b, c]) expect(p.delivery.handled().length).toBeGreaterThan(0);

      // C stops (and leaves): its applications go to A and B; nothing else moves.
      const ofC = keys.filter((k) => ownerOf(k, ids([a, b, c])) === c.member!.id);
      expect(ofC.length).toBeGreaterThan(0);
      const ofA = keys.filter((k) => ownerOf(k, ids([a, b, c])) === a.member!.id);
      await c.stop();
      running.splice(running.indexOf(c), 1);
      sim!.start(250);
      await waitFor('A and B to see two members', seeAll([a, b]));
      await waitFor('C’s applications handled by A or B alone', exactlyOnce([a, b]));
      for (const k of ofA) expect(a.member!.owns(...split(k))).toBe(true);

      // D joins: only the share D wins moves, from A and B to D; A can write nothing for what it handed over.
      const before = ids([a, b]);
      const d = await start();
      await waitFor('A, B and D to see three members', seeAll([a, b, d]));
      const movedFromA = keys.filter(
        (k) => ownerOf(k, before) === a.member!.id && ownerOf(k, ids([a, b, d])) !== a.member!.id,
      );
      for (const k of keys)
        if (ownerOf(k, ids([a, b, d])) !== d.member!.id) expect(ownerOf(k, ids([a, b, d]))).toBe(ownerOf(k, before));
      await waitFor('each application delivered by its owner alone after D joined', exactlyOnce([a, b, d]));
      expect(movedFromA.length).toBeGreaterThan(0);
      const [tenant, name] = split(movedFromA[0]!);
      const asA = a.resources.sharded(() => a.member!.fence());
      const refused = await asA
        .patch(CTX, { kind: 'Application', tenant, name }, { status: { note: 'late' } }, { subresource: 'status' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as ConflictError).causes[0]).toMatchObject({
        code: 'ShardMoved',
        params: { owner: d.member!.id },
      });
      // D, its owner now, may.
      const asD = d.resources.sharded(() => d.member!.fence());
      await asD.patch(CTX, { kind: 'Application', tenant, name }, { metadata: { labels: { moved: 'yes' } } });
    }, 300_000);

    it('a redelivery the leader’s marketplace asks for reaches the replica that owns the application at once', async () => {
      const schema = await createPostgresTestSchema();
      drop = schema.drop;
      const secretKey = generateSecretKey();
      let sim: SimCloud | undefined;
      const start = async (): Promise<Polis> => {
        const dataDir = mkdtempSync(join(tmpdir(), 'polis-shard-'));
        dirs.push(dataDir);
        const config = loadConfig(
          {},
          { dataDir, databaseUrl: schema.url, secretKey, demo: true, logLevel: 'silent', port: 0 },
        );
        const p = await startPolis(config, {
          controllers: true,
          sharding: true,
          shardTiming: FAST,
          feedPollMs: 200,
          ...(sim ? { sim } : {}),
        });
        sim ??= p.sim;
        running.push(p);
        return p;
      };
      const a = await start();
      const b = await start();
      const live = [a.member!.id, b.member!.id].sort();
      await waitFor('both replicas to see two members', () =>
        [a, b].every((p) => p.member!.live.join() === live.join()),
      );
      const leader = a.elector.isLeader ? a : b;
      const other = leader === a ? b : a;
      // An application the other replica owns (names are tried until one hashes to it).
      let name = '';
      for (let i = 0; !name; i++) if (ownerOf(`edu/relay-${i}`, live) === other.member!.id) name = `relay-${i}`;
      await leader.resources.create(CTX, application(name));
      await waitFor(`${name} placed by its owner`, async () => {
        const o = await leader.store.get({ kind: 'Application', tenant: 'edu', name });
        return (
          other.delivery.handled().includes(`edu/${name}`) &&
          (o?.status as { placement?: unknown })?.placement !== undefined
        );
      });
      // Once its delivery holds still, the leader asks for a redelivery: the owner reconciles it again.
      let last = -1;
      await waitFor(`${name}'s delivery to hold still`, async () => {
        await new Promise((r) => setTimeout(r, 1_500));
        const now = other.delivery.stats.reconciles;
        const still = now === last;
        last = now;
        return still;
      });
      leader.relay.redeliver('edu', name);
      await waitFor('the owner to reconcile it again', () => other.delivery.stats.reconciles > last, 60_000);
      const events = await leader.store.list({ kind: 'Event', tenant: 'edu' });
      expect(events.items.map((e) => (e.spec as { code?: string }).code)).toContain('MarketRedeliveryRequested');
    }, 300_000);
  },
);

function split(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}
