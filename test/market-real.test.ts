import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ManualClock } from '../src/kernel/clock.ts';
import type { BindingStatus } from '../src/market/market-controller.ts';
import type { TempServer } from './setup/temp-middleware.ts';
import {
  missing,
  startMariadbServer,
  startPostgresServer,
  startRabbitmqServer,
  startRedisServer,
} from './setup/temp-middleware.ts';
import { amqpLogin } from './support/amqp-login.ts';
import { skipTitle } from './support/skip.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Bindings through the whole of polis (API, admission, controller, sealed Secret) on real servers: the data bureau's
 * shared instance names a PostgreSQL, MariaDB, Redis or RabbitMQ started here; two departments bind; each department's
 * credentials, read from its Secret, reach its own database or prefix and are refused at the other's; unbinding
 * makes them fail to log in and removes the Secret.
 */
const CTX = { actor: 'test', requestId: 'test' };
const ENGINES = [
  { kind: 'postgresql', item: 'postgresql', version: '16.4.0', start: startPostgresServer },
  { kind: 'mariadb', item: 'mysql', version: '10.11.0', start: startMariadbServer },
  { kind: 'redis', item: 'redis', version: '7.2.0', start: startRedisServer },
  { kind: 'rabbitmq', item: 'rabbitmq', version: '3.13.0', start: startRabbitmqServer },
] as const;

type Creds = { username: string; password: string; database?: string; prefix?: string };

/** Whether `c` can use `target` (a database, a key prefix or a vhost) at `s`. */
async function reaches(kind: string, s: TempServer, c: Creds, target: string): Promise<boolean> {
  try {
    if (kind === 'postgresql') {
      const client = new pg.Client({
        host: s.host,
        port: s.port,
        user: c.username,
        password: c.password,
        database: target,
      });
      client.on('error', () => undefined);
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
    } else if (kind === 'mariadb') {
      const conn = await mysql.createConnection({
        host: s.host,
        port: s.port,
        user: c.username,
        password: c.password,
        database: target,
      });
      await conn.query('CREATE TABLE IF NOT EXISTS t (id int)');
      await conn.end();
    } else if (kind === 'rabbitmq') {
      const login = await amqpLogin(s.host, s.port, c.username, c.password, target);
      if (!login.ok) return false;
      login.close();
    } else {
      const client = createClient({
        socket: { host: s.host, port: s.port, reconnectStrategy: false },
        username: c.username,
        password: c.password,
      });
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.set(`${target}probe`, '1');
      } finally {
        await client.quit().catch(() => client.destroy());
      }
    }
    return true;
  } catch {
    return false;
  }
}

let t: TestPolis;
const log: string[] = [];
/**
 * Whether polis lost its `controllers` lease: its event loop stalled past the renew deadline (10 s), as a synchronous
 * server start-up here once made it. It then stops its controllers for good, and no binding is reconciled after it.
 */
const leaseLost = () => log.some((line) => line.includes('"LeaseLost"'));
beforeAll(async () => {
  t = await startTestPolis({
    controllers: true,
    virtualTime: true,
    clock: new ManualClock('2026-12-01T08:00:00Z'),
    logStream: { write: (line) => void log.push(line) },
  });
  const dir = join(import.meta.dirname, '..', 'examples', 'market');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as object));
  await t.polis.resources.apply(CTX, docs);
  for (const name of ['postgresql-16-4-0', 'mysql-10-11-0', 'redis-7-2-0', 'rabbitmq-3-13-0']) {
    const v = await t.polis.resources.get('CatalogItemVersion', '', name);
    await t.polis.resources.replaceStatus(CTX, { ...v, status: { phase: 'Released', reviewedBy: 'test' } });
  }
}, 120_000);
afterAll(async () => t?.stop());

async function status(tenant: string, name: string): Promise<BindingStatus | undefined | null> {
  const b = await t.polis.store.get({ kind: 'ServiceBinding', tenant, name });
  return b ? ((b.status ?? {}) as BindingStatus) : null;
}

/** Waits for a condition, generously (three minutes: provisioning on a busy machine retries with back-off). */
async function until(fn: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error(`condition not reached${leaseLost() ? ' (polis lost its controllers lease)' : ''}`);
}

async function creds(tenant: string, name: string, prefix: string): Promise<Creds> {
  const s = (await t.polis.resources.get('Secret', tenant, `binding-${name}`)) as unknown as {
    data: Record<string, string>;
  };
  const v = (k: string) =>
    s.data[`${prefix}_${k}`] ? Buffer.from(s.data[`${prefix}_${k}`]!, 'base64').toString() : undefined;
  return { username: v('USERNAME')!, password: v('PASSWORD')!, database: v('DATABASE'), prefix: v('PREFIX') };
}

for (const e of ENGINES) {
  const why = missing(e.kind);
  describe.skipIf(why !== undefined)(skipTitle(`${e.kind}: bindings through polis on a real server`, why), () => {
    let server: TempServer & { managementUrl?: string };
    const inst = `shared-${e.item}`;
    beforeAll(async () => {
      server = await e.start();
      await t.polis.resources.apply(CTX, [
        {
          apiVersion: 'polis.io/v1',
          kind: 'Secret',
          metadata: { name: `${inst}-root`, tenant: 'platform' },
          stringData: {
            username: server.username,
            password: server.password,
            // RabbitMQ: where its management API listens (bindings are made through it).
            ...(server.managementUrl ? { managementUrl: server.managementUrl } : {}),
          },
        },
        {
          apiVersion: 'market.polis.io/v1',
          kind: 'MarketInstance',
          metadata: { name: inst, tenant: 'platform' },
          spec: {
            item: e.item,
            version: e.version,
            shared: true,
            endpoint: { host: server.host, port: server.port },
            adminSecret: `${inst}-root`,
          },
        },
        ...(['edu', 'tax'] as const).map((tenant) => ({
          apiVersion: 'market.polis.io/v1',
          kind: 'ServiceBinding',
          metadata: { name: `${e.item}-db`, tenant },
          spec: { instance: inst, shared: true, application: 'portal', envPrefix: 'DB' },
        })),
      ]);
      await until(
        async () =>
          (await status('edu', `${e.item}-db`))?.phase === 'Ready' &&
          (await status('tax', `${e.item}-db`))?.phase === 'Ready',
      );
    }, 300_000);
    afterAll(() => server?.stop(), 60_000);

    it('starts the server beside polis without stalling it: polis keeps its controllers lease', () => {
      expect(leaseLost()).toBe(false);
    });

    it("reaches its own database or prefix and is refused at the other department's", async () => {
      const edu = await creds('edu', `${e.item}-db`, 'DB');
      const tax = await creds('tax', `${e.item}-db`, 'DB');
      const own = (c: Creds) => (c.database ?? c.prefix)!;
      expect(await reaches(e.kind, server, edu, own(edu))).toBe(true);
      expect(await reaches(e.kind, server, tax, own(tax))).toBe(true);
      expect(await reaches(e.kind, server, edu, own(tax))).toBe(false);
      expect(await reaches(e.kind, server, tax, own(edu))).toBe(false);
      expect(await reaches(e.kind, server, { ...edu, password: tax.password }, own(edu))).toBe(false);
    }, 240_000);

    it('revokes on unbind: the credentials log in nowhere and the Secret is gone', async () => {
      const edu = await creds('edu', `${e.item}-db`, 'DB');
      await t.polis.resources.delete(CTX, { kind: 'ServiceBinding', tenant: 'edu', name: `${e.item}-db` });
      await until(async () => (await status('edu', `${e.item}-db`)) === null);
      expect(await reaches(e.kind, server, edu, (edu.database ?? edu.prefix)!)).toBe(false);
      expect(await t.polis.store.get({ kind: 'Secret', tenant: 'edu', name: `binding-${e.item}-db` })).toBeUndefined();
      const tax = await creds('tax', `${e.item}-db`, 'DB');
      expect(await reaches(e.kind, server, tax, (tax.database ?? tax.prefix)!)).toBe(true);
      await t.polis.resources.delete(CTX, { kind: 'ServiceBinding', tenant: 'tax', name: `${e.item}-db` });
      await until(async () => (await status('tax', `${e.item}-db`)) === null);
    }, 240_000);
  });
}
