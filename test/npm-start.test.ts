// `npm start` stops when its npm process is signalled. npm passes SIGTERM/SIGINT to the `sh -c` it runs the script
// in, which would die (SIGTERM) or wait (SIGINT) without passing it on: the script `exec`s bin/polis.js so the
// signal reaches it, and bin/polis.js stops its server child when it is signalled or orphaned.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Generous: a loaded machine may also build the console first (prestart) when web/dist is stale. */
const START_LIMIT_MS = 300_000;
const STOP_LIMIT_MS = 60_000;

let running: ChildProcess | undefined;
let dataDir: string | undefined;

afterEach(() => {
  // Whatever the outcome, nothing of ours keeps running: the whole process group npm leads.
  if (running?.pid) {
    try {
      process.kill(-running.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running = undefined;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  dataDir = undefined;
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => Promise<boolean> | boolean, what: string, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`gave up after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start', () => {
  // SIGKILL: npm cannot pass it on; bin/polis.js notices it was orphaned and stops the server all the same.
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGKILL'] as const) {
    it(
      `stops the server when the npm process alone gets ${signal}`,
      async () => {
        const port = await freePort();
        dataDir = mkdtempSync(join(tmpdir(), 'polis-npm-start-'));
        let output = '';
        // Its own process group (detached), so the signal reaches npm alone, as `kill PID` does, and the
        // clean-up can end the whole group.
        const npm = spawn('npm', ['start'], {
          cwd: ROOT,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, POLIS_PORT: String(port), POLIS_DATA_DIR: dataDir, POLIS_LOG_LEVEL: 'warn' },
        });
        running = npm;
        npm.stdout!.on('data', (c: Buffer) => (output += c.toString()));
        npm.stderr!.on('data', (c: Buffer) => (output += c.toString()));

        await until(
          () => output.includes(`serving on http://127.0.0.1:${port}`) || npm.exitCode !== null,
          'polis to listen',
          START_LIMIT_MS,
        );
        expect(npm.exitCode, output).toBeNull();
        expect(await listening(port)).toBe(true);

        process.kill(npm.pid!, signal);
        await until(() => npm.exitCode !== null || npm.signalCode !== null, `npm to exit on ${signal}`, STOP_LIMIT_MS);
        await until(async () => !(await listening(port)), `port ${port} to close after ${signal}`, STOP_LIMIT_MS);
        await until(() => output.includes('polis stopped'), 'the server to say it stopped cleanly', STOP_LIMIT_MS);
      },
      START_LIMIT_MS + 3 * STOP_LIMIT_MS,
    );
  }
});
