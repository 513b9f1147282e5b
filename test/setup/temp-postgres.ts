import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway PostgreSQL server: reachable at `url` on 127.0.0.1 only, gone (data and all) after `stop()`. */
export interface TempPostgres {
  readonly url: string;
  readonly version: number;
  stop(): void;
  /**
   * Stops the server but keeps its data (`mode` as pg_ctl's: fast disconnects clients, immediate is a crash); `resume`
   * starts it again on the same port. For tests of an outage (test/chaos-replicas.test.ts).
   */
  halt(mode?: 'fast' | 'immediate'): void;
  resume(): void;
}

/** The bin folder of the newest PostgreSQL installed under /usr/lib/postgresql, or undefined. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * initdb + pg_ctl start in a fresh temp folder. PostgreSQL refuses to run as root, so as root the folder is given to
 * the `postgres` user and the binaries run through `runuser`. Durability is off (fsync, synchronous_commit): it is a
 * test server; `durable` keeps PostgreSQL's defaults instead (benchmarks of durable writes). The server is also stopped if this process exits without calling `stop()`.
 */
export async function startTempPostgres(bin: string, opts: { durable?: boolean } = {}): Promise<TempPostgres> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'polis-pg-'));
  const data = join(dir, 'data');
  const run = (tool: string, args: string[]): void => {
    const cmd = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  if (asRoot) chownSync(dir, ...postgresIds());
  let started = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    stop();
    // Then die of the signal as if we had not listened, unless someone else handles it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const stop = (): void => {
    process.removeListener('exit', stop);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
    try {
      if (started) run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
    } catch {
      // Already stopped; the folder goes regardless.
    }
    started = false;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    const port = await freePort();
    const options = [
      `-h 127.0.0.1 -p ${port} -k ${dir}`,
      opts.durable
        ? '-c max_connections=300'
        : '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300',
    ].join(' ');
    started = true;
    process.on('exit', stop);
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
    const start = (): void =>
      run('pg_ctl', ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', options]);
    start();
    const version = Number(readFileSync(join(data, 'PG_VERSION'), 'utf8').trim());
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      version,
      stop,
      halt: (mode = 'fast') => run('pg_ctl', ['stop', '-D', data, '-m', mode, '-w']),
      resume: start,
    };
  } catch (e) {
    const log = join(dir, 'server.log');
    const detail = existsSync(log) ? `\n${readFileSync(log, 'utf8')}` : '';
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    stop();
    throw new Error(`could not start PostgreSQL from ${bin}: ${(e as Error).message}\n${stderr}${detail}`, {
      cause: e,
    });
  }
}

function postgresIds(): [number, number] {
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return [uid, gid];
}
