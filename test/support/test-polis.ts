import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import type { Clock } from '../../src/kernel/clock.ts';
import type { Config } from '../../src/kernel/config.ts';
import { loadConfig } from '../../src/kernel/config.ts';
import type { Polis } from '../../src/main.ts';
import { startPolis } from '../../src/main.ts';
import { generateSecretKey } from '../../src/tenancy/secret-cipher.ts';
import type { BackendName } from '../setup/backends.ts';
import { createPostgresTestSchema } from '../setup/backends.ts';

export interface TestPolis {
  /** The running polis (a new one after `restart`). */
  readonly polis: Polis;
  readonly adminToken: string;
  /** Demo users' tokens by user name (edu-admin, edu-staff, tax-admin, vendor-dev, auditor, publisher …). */
  readonly tokens: Readonly<Record<string, string>>;
  readonly dataDir: string;
  request(
    method: string,
    url: string,
    opts?: { token?: string; body?: unknown; contentType?: string; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  /**
   * Stops polis and starts a new one on the same store, secret key and simulated cloud (its clusters and pods keep
   * running meanwhile), as an operator's restart would. Requests then reach the new one.
   */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A whole polis (demo city seeded) on a fresh store of the named backend, without a socket: requests go through
 * Fastify's inject. Stop it in afterAll.
 */
export async function startTestPolis(
  opts: {
    backend?: BackendName;
    demo?: boolean;
    clock?: Clock;
    listen?: boolean;
    config?: Partial<Config>;
    /** Run the cluster and delivery controllers (off by default: most tests look at the API alone). */
    controllers?: boolean;
    /** With controllers: no timers; the test drives the simulated cloud and probes (see StartOptions). */
    virtualTime?: boolean;
    /** Fair sharing (default on; see StartOptions). */
    fairSharing?: boolean;
    /** Capture the server log (info and above) here. */
    logStream?: { write(line: string): void };
    /** Marketplace retry settings (see StartOptions.market); the simulated middleware survives restarts. */
    market?: { maxAttempts?: number; retryBaseMs?: number };
  } = {},
): Promise<TestPolis> {
  const dataDir = mkdtempSync(join(tmpdir(), 'polis-it-'));
  const schema = opts.backend === 'postgres' ? await createPostgresTestSchema() : undefined;
  const config = loadConfig(
    {},
    {
      dataDir,
      databaseUrl: schema?.url,
      secretKey: generateSecretKey(),
      demo: opts.demo ?? true,
      port: 0,
      logLevel: 'silent',
      ...opts.config,
    },
  );
  const start = (sim?: Polis['sim'], middleware?: Polis['middleware']) =>
    startPolis(config, {
      clock: opts.clock,
      listen: opts.listen,
      feedPollMs: 200,
      bookmarkMs: 200,
      controllers: opts.controllers ?? false,
      virtualTime: opts.virtualTime,
      ...(opts.fairSharing !== undefined ? { fairSharing: opts.fairSharing } : {}),
      logStream: opts.logStream,
      ...(sim ? { sim } : {}),
      market: { ...opts.market, ...(middleware ? { middleware } : {}) },
    });
  let polis = await start();
  const adminToken = readFileSync(polis.adminTokenFile!, 'utf8').trim();
  const tokens = polis.demoTokensFile
    ? (JSON.parse(readFileSync(polis.demoTokensFile, 'utf8')) as Record<string, string>)
    : {};
  return {
    get polis() {
      return polis;
    },
    adminToken,
    tokens: { ...tokens, admin: adminToken },
    dataDir,
    request(method, url, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let payload: string | undefined;
      if (o.body !== undefined) {
        headers['content-type'] = o.contentType ?? 'application/json';
        payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      }
      return polis.app.inject({ method: method as 'GET', url, headers, payload });
    },
    async restart() {
      const sim = polis.sim;
      const middleware = polis.middleware;
      await polis.stop();
      polis = await start(sim, middleware);
    },
    async stop() {
      await polis.stop();
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
