import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverNodeFlags } from '../../src/kernel/server-runtime.ts';

/** A polis server running as a child process (test/support/serve-process.ts), reachable on 127.0.0.1. */
export interface ChildPolis {
  readonly url: string;
  readonly pid: number;
  /** The platform-admin token of the data folder (written on its first start, read again on later ones). */
  readonly adminToken: string;
  readonly process: ChildProcess;
  /** SIGTERM, then wait for the exit (SIGKILL after `graceMs`). Resolves with the exit code (0 = clean stop). */
  stop(graceMs?: number): Promise<number | null>;
  /** Sends `signal` (SIGKILL by default) and waits until the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The last lines the child wrote to stderr (for failure messages). */
  stderr(): string;
  /** The last lines the child wrote to stdout after it listened (its server log, pino JSON lines). */
  stdout(): string;
}

export interface SpawnPolisOptions {
  readonly dataDir: string;
  /** postgres://… for PostgreSQL; absent = SQLite at `<dataDir>/polis.db`. */
  readonly databaseUrl?: string;
  /** Extra environment (POLIS_LOG_LEVEL defaults to warn, POLIS_DEMO to off, POLIS_PORT to a free port). */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…'] to profile the server. */
  readonly nodeArgs?: readonly string[];
  /** How long to wait for the server to listen (ms). */
  readonly startTimeoutMs?: number;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = join(ROOT, 'test', 'support', 'serve-process.ts');
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts polis in a child process with the node binary running this one (`process.execPath`) and resolves once it
 * listens. Children still running when this process exits are SIGKILLed, so a failed test leaves no server behind;
 * still, stop them by pid in `finally`/`afterAll`.
 */
export async function spawnPolis(opts: SpawnPolisOptions): Promise<ChildPolis> {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    POLIS_DATA_DIR: opts.dataDir,
    DATABASE_URL: opts.databaseUrl ?? '',
    POLIS_HOST: '127.0.0.1',
    POLIS_PORT: '0',
    POLIS_LOG_LEVEL: 'warn',
    POLIS_DEMO: '0',
    ...opts.env,
  };
  // The server runs with the V8 flags `polis serve` uses for its footprint, unless the caller gives its own.
  const nodeArgs = opts.nodeArgs?.length
    ? opts.nodeArgs
    : serverNodeFlags(opts.env?.POLIS_FOOTPRINT, opts.env?.POLIS_HEAP_MB);
  const child = spawn(process.execPath, [...nodeArgs, ENTRY], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  // POLIS_TEST_CHILD_LOGS=<dir>: every child's whole stdout and stderr also go to <dir>/<pid>.log (diagnosing a flake).
  const logDir = process.env.POLIS_TEST_CHILD_LOGS;
  if (logDir) {
    const file = createWriteStream(join(logDir, `${child.pid}.log`));
    child.stdout!.on('data', (c: Buffer | string) => file.write(c));
    child.stderr!.on('data', (c: Buffer | string) => file.write(c));
    child.once('exit', () => file.end());
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));

  let errTail = '';
  let outTail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    errTail = (errTail + chunk).slice(-8000);
  });

  const ready = await new Promise<{ url: string; pid: number; adminTokenFile: string | null }>((resolve, reject) => {
    let buffered = '';
    let done = false;
    const finish = (err: Error | undefined, value?: { url: string; pid: number; adminTokenFile: string | null }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep draining stdout (server logs) so a full pipe never blocks the child, keeping its tail.
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (chunk: string) => {
        outTail = (outTail + chunk).slice(-64_000);
      });
      if (err) reject(err);
      else resolve(value!);
    };
    const onData = (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const parsed = readyLine(line);
        if (parsed) return finish(undefined, parsed);
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      finish(new Error(`polis exited before listening (code ${code}, signal ${signal}):\n${errTail}`));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new Error(`polis did not listen within ${opts.startTimeoutMs ?? 60_000} ms:\n${errTail}`));
    }, opts.startTimeoutMs ?? 60_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });

  const tokenFile = ready.adminTokenFile ?? join(opts.dataDir, 'admin.token');
  if (!existsSync(tokenFile)) {
    child.kill('SIGKILL');
    throw new Error(`polis started but ${tokenFile} does not exist (was the first start on another data folder?)`);
  }
  const adminToken = readFileSync(tokenFile, 'utf8').trim();
  const gone = () => child.exitCode !== null || child.signalCode !== null;

  return {
    url: ready.url,
    pid: ready.pid,
    adminToken,
    process: child,
    async stop(graceMs = 15_000) {
      if (!gone()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return child.exitCode;
    },
    async kill(signal = 'SIGKILL') {
      if (!gone()) {
        child.kill(signal);
        await exited;
      }
    },
    stderr: () => errTail,
    stdout: () => outTail,
  };
}

/** The ready line of serve-process.ts; server log lines (pino JSON with a `level`) are not it. */
function readyLine(line: string): { url: string; pid: number; adminTokenFile: string | null } | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    if (typeof v.url === 'string' && typeof v.pid === 'number' && !('level' in v)) {
      return { url: v.url, pid: v.pid, adminTokenFile: typeof v.adminTokenFile === 'string' ? v.adminTokenFile : null };
    }
  } catch {
    // Not JSON: an ordinary log line.
  }
  return undefined;
}
