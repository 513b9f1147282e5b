import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../setup/temp-postgres.ts';

/** Where Debian's prometheus package puts the server; POLIS_PROMETHEUS_BIN overrides it. */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/**
 * The Prometheus binary to test with, or undefined (with a notice) when there is none, so the caller skips. Under
 * CI a missing Prometheus is an error: CI installs it (`apt-get install prometheus`).
 */
export function prometheusBinary(): string | undefined {
  const bin = process.env.POLIS_PROMETHEUS_BIN || PROMETHEUS_BIN;
  if (existsSync(bin)) return bin;
  if (process.env.CI && process.env.CI !== 'false') {
    throw new Error(`Prometheus is required under CI: install prometheus (${bin}) or set POLIS_PROMETHEUS_BIN`);
  }
  console.warn(`Prometheus not found at ${bin}: the tests through a real Prometheus are SKIPPED (install prometheus)`);
  return undefined;
}

export interface PrometheusOptions {
  /** `127.0.0.1:<port>` of each /metrics endpoint to scrape (loopback only). */
  readonly scrapeTargets: readonly string[];
  readonly scrapeIntervalMs: number;
  readonly bin?: string;
}

/** A throwaway Prometheus: its own config and data folder in a temp dir, listening on 127.0.0.1 only. */
export interface TempPrometheus {
  readonly url: string;
  readonly pid: number;
  /** Ends the process (by its pid: SIGTERM, then SIGKILL after 5 s) and removes its folder. */
  stop(): Promise<void>;
}

/** Starts Prometheus scraping the targets as job `sim`, and resolves once it answers /-/ready. */
export async function startPrometheus(options: PrometheusOptions): Promise<TempPrometheus> {
  for (const t of options.scrapeTargets) {
    if (!/^127\.0\.0\.1:\d+$/.test(t)) throw new Error(`scrape target ${t} is not 127.0.0.1:<port>`);
  }
  const bin = options.bin ?? PROMETHEUS_BIN;
  const dir = mkdtempSync(join(tmpdir(), 'polis-prometheus-'));
  const interval = `${Math.max(1, Math.round(options.scrapeIntervalMs))}ms`;
  // JSON is YAML: Prometheus reads it as its config file.
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: [
      { job_name: 'sim', metrics_path: '/metrics', static_configs: [{ targets: options.scrapeTargets }] },
    ],
  };
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    bin,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=warn',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  // If the test process dies without stop(), do not leave Prometheus behind.
  const killNow = (): void => signal(child, 'SIGKILL');
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killNow);
    await endProcess(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killNow);
  try {
    await waitReady(url, child, () => stderr);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid: child.pid!, stop };
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`prometheus exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${stderr()}`);
    }
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus at ${url} was not ready within 30 s:\n${stderr()}`);
}

async function endProcess(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  signal(child, 'SIGTERM');
  const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), 5000).unref());
  if ((await Promise.race([exited, timer])) === 'late') {
    signal(child, 'SIGKILL');
    await exited;
  }
}

/** Signals the child by its pid, unless it is already gone. */
function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, name);
  } catch {
    // It exited in between.
  }
}
