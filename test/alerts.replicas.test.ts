import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import { loadConfig } from '../src/kernel/config.ts';
import type { Polis } from '../src/main.ts';
import { startPolis } from '../src/main.ts';
import type { SimCloud } from '../src/sim/index.ts';
import { generateSecretKey } from '../src/tenancy/secret-cipher.ts';
import { createPostgresTestSchema } from './setup/backends.ts';
import { skipTitle } from './support/skip.ts';

/**
 * Two polis replicas over one PostgreSQL (issue 15): the leader evaluates the alerts, the follower evaluates none,
 * yet `GET …/alerts` answers the same on both (from the state store), department by department.
 */
const O = '/apis/observe.polis.io/v1';
const FAST = { ttlMs: 1500, renewMs: 250, renewDeadlineMs: 1000 };

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, limitMs = 90_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rule = (name: string, tenant: string, op: '>=' | '<') => ({
  apiVersion: 'observe.polis.io/v1',
  kind: 'AlertRule',
  metadata: { name, tenant },
  spec: {
    severity: 'ticket',
    threshold: { signal: 'quotaCpuUsed', aggregate: 'last', window: '1m', op, value: 0 },
  },
});

describe.skipIf(inject('pgUrl') === null)(
  skipTitle('alerts read on any replica (postgres)', inject('pgUrl') === null && 'no PostgreSQL'),
  { timeout: 180_000 },
  () => {
    const running: Polis[] = [];
    const dirs: string[] = [];
    let drop = async () => {};
    afterEach(async () => {
      for (const p of running.splice(0).reverse()) await p.stop();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
      await drop();
    });

    it('a follower answers GET …/alerts as the leader does, and only with the caller’s departments', async () => {
      const schema = await createPostgresTestSchema();
      drop = schema.drop;
      const secretKey = generateSecretKey();
      const clock = new ManualClock('2026-12-01T08:00:00Z');
      let sim: SimCloud | undefined;
      const start = async (): Promise<Polis> => {
        const dataDir = mkdtempSync(join(tmpdir(), 'polis-alerts-'));
        dirs.push(dataDir);
        const config = loadConfig(
          {},
          { dataDir, databaseUrl: schema.url, secretKey, demo: true, logLevel: 'silent', port: 0 },
        );
        const p = await startPolis(config, {
          clock,
          controllers: true,
          virtualTime: true,
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
      const tokens = JSON.parse(readFileSync(a.demoTokensFile!, 'utf8')) as Record<string, string>;
      const admin = readFileSync(a.adminTokenFile!, 'utf8').trim();
      const b = await start();
      await waitFor('one leader', () => [a, b].filter((p) => p.elector.isLeader).length === 1);
      const [leader, follower] = a.elector.isLeader ? [a, b] : [b, a];
      const get = async (p: Polis, url: string, token: string) => {
        const r = await p.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
        expect(r.statusCode, r.body).toBe(200);
        return (r.json() as { items: { key: string; rule: string; state: string; tenant?: string }[] }).items;
      };
      for (const [tenant, token] of [
        ['edu', tokens['edu-admin']!],
        ['tax', tokens['tax-admin']!],
      ] as const) {
        const r = await leader.app.inject({
          method: 'POST',
          url: '/api/v1/apply',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: JSON.stringify([rule(`${tenant}-quota-seen`, tenant, '>='), rule(`${tenant}-never`, tenant, '<')]),
        });
        expect(r.statusCode, r.body).toBeLessThan(300);
      }
      // The leader evaluates (virtual time: one round); the follower never does.
      await leader.alerts.tick();
      const mine = <T extends { rule: string }>(items: T[]) => items.filter((i) => i.rule.endsWith('-quota-seen'));
      const onLeader = await get(leader, `${O}/alerts`, admin);
      expect(mine(onLeader).map((i) => [i.rule, i.state])).toEqual([
        ['edu-quota-seen', 'firing'],
        ['tax-quota-seen', 'firing'],
      ]);
      expect(follower.alerts.alerts('all')).toEqual([]);
      expect(await get(follower, `${O}/alerts`, admin)).toEqual(onLeader);
      // A department's reader sees its own on either replica, and never another's.
      for (const url of [`${O}/alerts`, `${O}/tenants/edu/alerts`]) {
        const edu = await get(follower, url, tokens['edu-admin']!);
        expect(edu).toEqual(await get(leader, url, tokens['edu-admin']!));
        expect(mine(edu).map((i) => i.rule)).toEqual(['edu-quota-seen']);
        expect(edu.every((i) => i.tenant === 'edu')).toBe(true);
      }
      const denied = await follower.app.inject({
        method: 'GET',
        url: `${O}/tenants/edu/alerts`,
        headers: { authorization: `Bearer ${tokens['tax-admin']!}` },
      });
      expect(denied.statusCode).toBe(403);
      // A change of state on the leader is what the follower shows next.
      const deleted = await leader.app.inject({
        method: 'DELETE',
        url: '/apis/observe.polis.io/v1/tenants/edu/alertrules/edu-quota-seen',
        headers: { authorization: `Bearer ${tokens['edu-admin']!}` },
      });
      expect(deleted.statusCode, deleted.body).toBeLessThan(300);
      clock.advance(15_000);
      await leader.alerts.tick();
      const after = await get(follower, `${O}/tenants/edu/alerts`, tokens['edu-admin']!);
      expect(after).toEqual(await get(leader, `${O}/tenants/edu/alerts`, tokens['edu-admin']!));
      expect(mine(after).map((i) => i.state)).not.toContain('firing');
    });
  },
);
