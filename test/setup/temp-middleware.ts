import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findPostgresBin, freePort } from './temp-postgres.ts';

/**
 * Throwaway middleware servers for the marketplace's provisioner tests, each on 127.0.0.1 and a free port, with an
 * administrator password (password authentication on, unlike the store tests' trust), stopped by pid.
 *
 * Nothing here blocks the event loop while a server is made, started or stopped: these servers start beside a whole
 * polis in the same process, whose controllers hold the `controllers` lease only while they renew it (renew deadline
 * 10 s). A synchronous `mariadb-install-db` (about 12 s here) or a blocking wait for a stopped server outlasted that
 * deadline: polis stepped down, its controllers stopped for good, and no binding was reconciled after it.
 */
export interface TempServer {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** Stops the server and removes its files (resolves once it has exited, at most about 15 s). */
  stop(): Promise<void>;
}

const ADMIN_PASSWORD = 'polis-test-admin-pw';

function which(bin: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin'])
    if (existsSync(join(dir, bin))) return join(dir, bin);
  return undefined;
}

/** Why a server cannot run here (its binary is absent), or undefined. */
export function missing(kind: 'postgresql' | 'mariadb' | 'redis' | 'rabbitmq'): string | undefined {
  if (kind === 'postgresql')
    return findPostgresBin() ? undefined : 'PostgreSQL is not installed (apt-get install postgresql)';
  if (kind === 'mariadb')
    return which('mariadbd') && which('mariadb-install-db')
      ? undefined
      : 'MariaDB is not installed (apt-get install mariadb-server)';
  if (kind === 'rabbitmq')
    return existsSync(RABBITMQ_SERVER) && which('epmd')
      ? undefined
      : 'RabbitMQ is not installed (apt-get install rabbitmq-server)';
  return which('redis-server') ? undefined : 'Redis is not installed (apt-get install redis-server)';
}

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = createConnection({ host: '127.0.0.1', port }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server did not listen on ${port}: ${log()}`);
}

/**
 * PostgreSQL listens before it accepts sessions ("the database system is starting up"): waits until a query
 * answers, at most two minutes (a busy machine's start-up and recovery).
 */
async function waitForPostgresReady(port: number, password: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 120_000;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${log()}`);
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    c.on('error', () => undefined);
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (e) {
      last = (e as Error).message;
      await c.end().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`PostgreSQL on ${port} did not accept sessions (${last}): ${log()}`);
}

const run = promisify(execFile);

/** Waits (at most 15 s, without blocking) until a process has exited. */
async function waitGone(pid: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Stops the server: SIGTERM, then waits for it to exit and removes its folder. If the test process exits first, the
 * server is sent SIGTERM and its folder removed there and then (an exit handler cannot wait).
 */
function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  const atExit = (): void => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // gone already
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', atExit);
  return async () => {
    process.removeListener('exit', atExit);
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM');
        await waitGone(child.pid);
      } catch {
        // gone already
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

/** PostgreSQL with scram-sha-256 for every login (the superuser `postgres` has ADMIN_PASSWORD). */
export async function startPostgresServer(): Promise<TempServer> {
  const bin = findPostgresBin()!;
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'polis-mkt-pg-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${ADMIN_PASSWORD}\n`);
  const ids = asRoot
    ? ([
        Number(execFileSync('id', ['-u', 'postgres']).toString()),
        Number(execFileSync('id', ['-g', 'postgres']).toString()),
      ] as const)
    : undefined;
  if (ids) {
    chownSync(dir, ids[0], ids[1]);
    chownSync(pwfile, ids[0], ids[1]);
  }
  const argv = (tool: string, args: string[]) =>
    asRoot
      ? (['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] as const)
      : ([join(bin, tool), args] as const);
  const [cmd, args] = argv('initdb', [
    '-D',
    data,
    '-A',
    'scram-sha-256',
    '-U',
    'postgres',
    `--pwfile=${pwfile}`,
    '--no-sync',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  await run(cmd, [...args], { cwd: dir });
  const port = await freePort();
  const [pcmd, pargs] = argv('postgres', [
    '-D',
    data,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'fsync=off',
    '-c',
    'max_connections=400',
  ]);
  let out = '';
  const child = spawn(pcmd, [...pargs], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // runuser stays the parent of postgres: the postmaster's own pid is in postmaster.pid.
  const stopChild = stopper(child, dir);
  await waitForPort(port, child, () => out);
  await waitForPostgresReady(port, ADMIN_PASSWORD, child, () => out);
  return {
    host: '127.0.0.1',
    port,
    username: 'postgres',
    password: ADMIN_PASSWORD,
    stop: async () => {
      try {
        const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) {
          process.kill(pid, 'SIGINT'); // fast shutdown
          await waitGone(pid);
        }
      } catch {
        // not running
      }
      await stopChild();
    },
  };
}

/** MariaDB: `mariadb-install-db` into a temp datadir and `mariadbd` on loopback, as the current user. */
export async function startMariadbServer(): Promise<TempServer> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-mkt-maria-'));
  const data = join(dir, 'data');
  const user = process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'nobody');
  await run(
    which('mariadb-install-db')!,
    [
      `--datadir=${data}`,
      `--user=${user}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      '--skip-name-resolve',
    ],
    { cwd: dir },
  );
  const port = await freePort();
  let out = '';
  const child = spawn(
    which('mariadbd')!,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${join(dir, 'sock')}`,
      `--pid-file=${join(dir, 'pid')}`,
      '--bind-address=127.0.0.1',
      `--port=${port}`,
      `--user=${user}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      '--innodb-log-file-size=8M',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const stop = stopper(child, dir);
  await waitForPort(port, child, () => out);
  // The administrator over TCP with a password; root on the socket is what mariadb-install-db made.
  const { default: mysql } = await import('mysql2/promise');
  const c = await mysql.createConnection({ socketPath: join(dir, 'sock'), user: 'root' });
  for (const sql of [
    `CREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '${ADMIN_PASSWORD}'`,
    "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION",
    "DELETE FROM mysql.global_priv WHERE User = ''",
    'FLUSH PRIVILEGES',
  ])
    await c.query(sql);
  await c.end();
  return { host: '127.0.0.1', port, username: 'root', password: ADMIN_PASSWORD, stop };
}

/** Redis on loopback in a temp folder, the default user's password set, nothing persisted. */
export async function startRedisServer(): Promise<TempServer> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-mkt-redis-'));
  const port = await freePort();
  let out = '';
  const child = spawn(
    which('redis-server')!,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--requirepass',
      ADMIN_PASSWORD,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const stop = stopper(child, dir);
  await waitForPort(port, child, () => out);
  return { host: '127.0.0.1', port, username: 'default', password: ADMIN_PASSWORD, stop };
}

/** A RabbitMQ server: the AMQP port in `port`, the management API at `managementUrl`. */
export interface TempRabbitmq extends TempServer {
  readonly managementUrl: string;
}

/** Sends a signal to a process group, ignoring one that is gone. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // gone already
  }
}

/**
 * RabbitMQ with its management plugin, everything on loopback and in a temp folder: its own epmd (Erlang's port
 * mapper, started here in the foreground on a free port rather than left behind as the daemon Erlang would start),
 * a node name of its own, the AMQP, management and distribution ports free ones. The administrator `admin` has
 * ADMIN_PASSWORD. Started in a process group of its own and stopped by signalling that group.
 */
export async function startRabbitmqServer(): Promise<TempRabbitmq> {
  const dir = mkdtempSync(join(tmpdir(), 'polis-mkt-rabbit-'));
  const [amqp, management, dist, epmdPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  for (const sub of ['home', 'mnesia', 'log']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_management].\n');
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.1 = 127.0.0.1:${amqp}`,
      'management.tcp.ip = 127.0.0.1',
      `management.tcp.port = ${management}`,
      'default_user = admin',
      `default_pass = ${ADMIN_PASSWORD}`,
      'default_user_tags.administrator = true',
      // The tests fill no queues; a small disk must not stop publishers.
      'disk_free_limit.absolute = 1MB',
      '',
    ].join('\n'),
  );
  const env = {
    ...process.env,
    HOME: join(dir, 'home'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_NODENAME: `polis-test-${amqp}@localhost`,
    RABBITMQ_DIST_PORT: String(dist),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
  };
  let out = '';
  const epmd = spawn(which('epmd')!, ['-port', String(epmdPort), '-address', '127.0.0.1'], {
    cwd: dir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  epmd.stderr!.on('data', (d) => (out += d));
  await waitForPort(epmdPort, epmd, () => out);
  const child = spawn(RABBITMQ_SERVER, [], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const atExit = (): void => {
    for (const p of [child.pid, epmd.pid]) if (p) killGroup(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', atExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', atExit);
    if (child.pid) {
      killGroup(child.pid, 'SIGTERM');
      await waitGone(child.pid);
      killGroup(child.pid, 'SIGKILL'); // what did not stop in 15 s (a disk monitor's shell)
    }
    if (epmd.pid) {
      killGroup(epmd.pid, 'SIGTERM');
      await waitGone(epmd.pid);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const managementUrl = `http://127.0.0.1:${management}`;
  const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString('base64')}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`rabbitmq-server exited (${child.exitCode}): ${out}`);
    }
    const ok = await fetch(`${managementUrl}/api/overview`, { headers: { authorization: auth } }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`RabbitMQ's management API did not answer in 180 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await waitForPort(amqp, child, () => out);
  return { host: '127.0.0.1', port: amqp, username: 'admin', password: ADMIN_PASSWORD, managementUrl, stop };
}
