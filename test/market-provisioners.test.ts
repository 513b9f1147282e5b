import mysql from 'mysql2/promise';
import pg from 'pg';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Grant, Provisioner } from '../src/market/provisioners/index.ts';
import { grantId } from '../src/market/provisioners/index.ts';
import { mysqlProvisioner } from '../src/market/provisioners/mysql-provisioner.ts';
import { postgresProvisioner } from '../src/market/provisioners/postgres-provisioner.ts';
import { rabbitmqProvisioner } from '../src/market/provisioners/rabbitmq-provisioner.ts';
import { redisProvisioner } from '../src/market/provisioners/redis-provisioner.ts';
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

/**
 * The provisioners on real servers (PostgreSQL, MariaDB and Redis started here on loopback): a binding's
 * credentials reach its own database or key prefix and are refused everywhere else; provisioning is idempotent;
 * revoking ends every login and removes what the binding owned.
 */
const grant = (name: string): Grant => ({ id: grantId('edu', name, `uid-${name}`), password: `pw-${name}-Aa1` });
const A = grant('a');
const B = grant('b');

async function refused(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal, got success');
}

function suite<S extends TempServer>(
  kind: 'postgresql' | 'mariadb' | 'redis' | 'rabbitmq',
  start: () => Promise<S>,
  p: Provisioner,
  body: (s: () => S) => void,
) {
  const why = missing(kind);
  describe.skipIf(why !== undefined)(skipTitle(`${kind} provisioner on a real server`, why), () => {
    let server: S;
    beforeAll(async () => {
      server = await start();
      await p.provision(server, A);
      await p.provision(server, B);
    }, 240_000);
    afterAll(() => server?.stop(), 60_000);
    body(() => server);
  });
}

suite('postgresql', startPostgresServer, postgresProvisioner, (server) => {
  const connect = async (user: string, password: string, database: string) => {
    const c = new pg.Client({ host: server().host, port: server().port, user, password, database });
    await c.connect();
    return c;
  };

  it('lets a binding use its own database and refuses every other database', async () => {
    const c = await connect(A.id, A.password, A.id);
    await c.query('CREATE TABLE cases (id int primary key, title text)');
    await c.query("INSERT INTO cases VALUES (1, '入学申请')");
    expect((await c.query('SELECT title FROM cases')).rows).toEqual([{ title: '入学申请' }]);
    await c.end();
    expect(await refused(() => connect(A.id, A.password, B.id))).toMatch(/permission denied|not permitted/);
    expect(await refused(() => connect(A.id, A.password, 'postgres'))).toMatch(/permission denied|not permitted/);
    expect(await refused(() => connect(B.id, B.password, A.id))).toMatch(/permission denied|not permitted/);
    expect(await refused(() => connect(A.id, 'wrong', A.id))).toMatch(/password authentication failed/);
  });

  it('provisions idempotently, and revokes: login refused, database gone', async () => {
    await postgresProvisioner.provision(server(), A);
    const c = await connect(A.id, A.password, A.id);
    c.on('error', () => undefined); // revoke ends this session
    expect((await c.query('SELECT count(*)::int AS n FROM cases')).rows[0]).toEqual({ n: 1 });
    await postgresProvisioner.revoke(server(), A);
    await postgresProvisioner.revoke(server(), A);
    await c.end().catch(() => undefined);
    expect(await refused(() => connect(A.id, A.password, A.id))).toMatch(
      /password authentication failed|does not exist/,
    );
    const admin = await connect(server().username, server().password, 'postgres');
    const left = await admin.query(
      'SELECT datname FROM pg_database WHERE datname = $1 UNION ALL SELECT rolname FROM pg_roles WHERE rolname = $1',
      [A.id],
    );
    await admin.end();
    expect(left.rows).toEqual([]);
    // B is untouched.
    const b = await connect(B.id, B.password, B.id);
    await b.end();
  });
});

suite('mariadb', startMariadbServer, mysqlProvisioner, (server) => {
  const connect = (user: string, password: string, database?: string) =>
    mysql.createConnection({
      host: server().host,
      port: server().port,
      user,
      password,
      ...(database ? { database } : {}),
    });

  it('lets a binding use its own database and refuses every other database', async () => {
    const c = await connect(A.id, A.password, A.id);
    await c.query('CREATE TABLE cases (id int primary key, title varchar(40))');
    await c.query("INSERT INTO cases VALUES (1, '纳税申报')");
    expect(await refused(() => c.query(`USE ${B.id}`))).toMatch(/denied/);
    expect(await refused(() => c.query('SELECT * FROM mysql.user'))).toMatch(/denied/);
    const [dbs] = await c.query('SHOW DATABASES');
    expect((dbs as Array<{ Database: string }>).map((d) => d.Database).sort()).toEqual(
      [A.id, 'information_schema'].sort(),
    );
    await c.end();
    expect(await refused(() => connect(B.id, B.password, A.id))).toMatch(/denied/);
    expect(await refused(() => connect(A.id, 'wrong', A.id))).toMatch(/denied/);
  });

  it('provisions idempotently, and revokes: login refused, database gone', async () => {
    await mysqlProvisioner.provision(server(), A);
    const c = await connect(A.id, A.password, A.id);
    await c.end();
    await mysqlProvisioner.revoke(server(), A);
    await mysqlProvisioner.revoke(server(), A);
    expect(await refused(() => connect(A.id, A.password))).toMatch(/denied/);
    const admin = await connect(server().username, server().password);
    const [rows] = await admin.query('SHOW DATABASES LIKE ?', [A.id]);
    await admin.end();
    expect(rows).toEqual([]);
  });
});

suite('redis', startRedisServer, redisProvisioner, (server) => {
  const connect = async (username: string, password: string) => {
    const c = createClient({
      socket: { host: server().host, port: server().port, reconnectStrategy: false },
      username,
      password,
    });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };

  it('limits a binding to keys under its prefix and to data commands', async () => {
    const c = await connect(A.id, A.password);
    await c.set(`${A.id}:session:1`, 'ok');
    expect(await c.get(`${A.id}:session:1`)).toBe('ok');
    const b = await connect(B.id, B.password);
    await b.set(`${B.id}:secret`, 'b-only');
    expect(await refused(() => c.get(`${B.id}:secret`))).toMatch(/NOPERM/);
    expect(await refused(() => c.set('global', 'x'))).toMatch(/NOPERM/);
    expect(await refused(() => c.sendCommand(['KEYS', '*']))).toMatch(/NOPERM/);
    expect(await refused(() => c.sendCommand(['FLUSHALL']))).toMatch(/NOPERM/);
    expect(await refused(() => c.sendCommand(['CONFIG', 'GET', 'requirepass']))).toMatch(/NOPERM/);
    await c.quit();
    await b.quit();
    expect(await refused(() => connect(A.id, 'wrong'))).toMatch(/WRONGPASS|invalid/i);
  });

  it('provisions idempotently, and revokes: login refused, keys gone', async () => {
    await redisProvisioner.provision(server(), A);
    const c = await connect(A.id, A.password);
    expect(await c.get(`${A.id}:session:1`)).toBe('ok');
    await redisProvisioner.revoke(server(), A);
    await redisProvisioner.revoke(server(), A);
    expect(await refused(() => c.get(`${A.id}:session:1`))).toBeTruthy(); // its connection was killed
    expect(await refused(() => connect(A.id, A.password))).toMatch(/WRONGPASS|invalid/i);
    const admin = await connect(server().username, server().password);
    expect(await admin.exists(`${A.id}:session:1`)).toBe(0);
    expect(await admin.exists(`${B.id}:secret`)).toBe(1);
    await admin.quit();
  });
});

suite('rabbitmq', startRabbitmqServer, rabbitmqProvisioner, (server) => {
  const login = (user: string, password: string, vhost: string) =>
    amqpLogin(server().host, server().port, user, password, vhost);
  const reason = async (user: string, password: string, vhost: string): Promise<string> => {
    const r = await login(user, password, vhost);
    if (r.ok) {
      r.close();
      throw new Error(`expected ${user} to be refused on vhost ${vhost}`);
    }
    return r.reason;
  };
  const admin = (path: string, method = 'GET') =>
    fetch(`${server().managementUrl}/api/${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${server().username}:${server().password}`).toString('base64')}`,
      },
    });

  it("opens a binding's own vhost and refuses every other vhost and the management API", async () => {
    const a = await login(A.id, A.password, A.id);
    expect(a.ok).toBe(true);
    if (a.ok) a.close();
    expect(await reason(A.id, A.password, B.id)).toMatch(/^530 /); // NOT_ALLOWED: no permission on B's vhost
    expect(await reason(A.id, A.password, '/')).toMatch(/^530 /);
    expect(await reason(A.id, 'wrong', A.id)).toMatch(/^403 /); // ACCESS_REFUSED
    expect(await reason(B.id, B.password, A.id)).toMatch(/^530 /);
    // No management tags: its credentials cannot read the broker's API either.
    const api = await fetch(`${server().managementUrl}/api/vhosts`, {
      headers: { authorization: `Basic ${Buffer.from(`${A.id}:${A.password}`).toString('base64')}` },
    });
    expect(api.status).toBe(401);
  });

  it('provisions idempotently, and revokes: its connection closed, login refused, vhost gone', async () => {
    await rabbitmqProvisioner.provision(server(), A);
    const open = await login(A.id, A.password, A.id);
    expect(open.ok).toBe(true);
    // The management API lists a connection a few moments after it opens; revoke closes the ones it lists.
    for (let i = 0; i < 400; i++) {
      const list = (await (await admin('connections?columns=user')).json()) as { user: string }[];
      if (list.some((c) => c.user === A.id)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await rabbitmqProvisioner.revoke(server(), A);
    await rabbitmqProvisioner.revoke(server(), A);
    if (open.ok) expect(await open.closed).toBeTruthy();
    expect(await reason(A.id, A.password, A.id)).toMatch(/^403 /);
    expect((await admin(`vhosts/${A.id}`)).status).toBe(404);
    expect((await admin(`users/${A.id}`)).status).toBe(404);
    // B is untouched.
    const b = await login(B.id, B.password, B.id);
    expect(b.ok).toBe(true);
    if (b.ok) b.close();
  });
});
