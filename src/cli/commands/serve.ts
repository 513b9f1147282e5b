import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../kernel/config.ts';
import { loadConfig } from '../../kernel/config.ts';
import { InputError } from '../../kernel/errors.ts';
import { CliError, EXIT, usageError } from '../cli-errors.ts';
import type { CliContext } from '../context.ts';
import { eprintln, println } from '../io.ts';
import { parseCount } from '../durations.ts';

export interface ServeOptions {
  readonly dataDir?: string;
  readonly port?: string;
  readonly host?: string;
  readonly databaseUrl?: string;
  readonly demo?: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/**
 * `polis serve`: runs the control plane in this process until the io's signal aborts (SIGINT/SIGTERM in a
 * terminal), then stops it cleanly (exit 0). Flags override the environment (docs/configuration.md).
 */
export async function runServe(ctx: CliContext, opts: ServeOptions): Promise<number> {
  const io = ctx.io;
  let config: Config;
  try {
    config = loadConfig(io.env, {
      dataDir: opts.dataDir,
      port: opts.port === undefined ? undefined : parseCount(opts.port, '--port', 0, 65535),
      host: opts.host,
      databaseUrl: opts.databaseUrl,
      demo: opts.demo ? true : undefined,
    });
    if (opts.tlsCert !== undefined || opts.tlsKey !== undefined) {
      if (!opts.tlsCert || !opts.tlsKey)
        throw usageError(
          `${opts.tlsCert ? '--tls-key' : '--tls-cert'} is missing`,
          'TLS needs both --tls-cert FILE and --tls-key FILE (PEM)',
        );
      config = { ...config, tls: { certFile: opts.tlsCert, keyFile: opts.tlsKey } };
    }
  } catch (e) {
    if (e instanceof InputError)
      throw usageError(e.message, 'fix the flag or environment variable named above', e.causes);
    throw e;
  }
  // Loaded on demand: the server's modules (Fastify, the store drivers) would slow every other command.
  const { startPolis, VERSION } = await import('../../main.ts');
  let polis;
  try {
    polis = await startPolis(config, { listen: true });
  } catch (e) {
    throw startError(e, config);
  }
  const url = polis.url ?? `http://${config.host}:${config.port}`;
  const loginUrl = url.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://[::1]');
  const tokenFile = polis.adminTokenFile ?? join(config.dataDir, 'admin.token');
  println(io, `polis ${VERSION} serving on ${url}`);
  println(
    io,
    `data:        ${config.dataDir} (${config.databaseUrl?.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'})`,
  );
  if (polis.adminTokenFile)
    println(io, `admin token: ${polis.adminTokenFile} (created now, readable by you only; keep it secret)`);
  else if (existsSync(tokenFile)) println(io, `admin token: ${tokenFile} (from the first start)`);
  if (polis.demoTokensFile)
    println(io, `demo users:  tokens in ${polis.demoTokensFile} (edu-admin, tax-admin, vendor-dev, auditor …)`);
  if (existsSync(tokenFile)) println(io, `next:        polis login ${loginUrl} --token-file ${tokenFile}`);
  else
    println(
      io,
      `next:        polis login ${loginUrl} --token-file FILE (a token an admin created with polis token create)`,
    );
  eprintln(io, 'press Ctrl-C to stop');

  await new Promise<void>((resolve) => {
    if (!io.signal) return; // runs until the process is killed
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await polis.stop();
  eprintln(io, 'polis stopped');
  return EXIT.ok;
}

function startError(e: unknown, config: Config): CliError {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof InputError) return usageError(e.message, undefined, e.causes);
  if (err.code === 'EADDRINUSE')
    return new CliError(`${config.host}:${config.port} is already in use`, {
      hint: 'stop what runs there, or pass --port',
    });
  if (err.code === 'EACCES')
    return new CliError(`not allowed: ${err.message}`, {
      hint: 'ports below 1024 need privileges: pass --port 8080; or check the rights on --data-dir',
    });
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND')
    return new CliError(`cannot reach the database: ${err.message}`, {
      exitCode: EXIT.unreachable,
      hint: 'check --database-url (DATABASE_URL)',
    });
  return new CliError(`polis did not start: ${err.message}`);
}
