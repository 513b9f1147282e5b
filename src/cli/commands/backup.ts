import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupFileError } from '../../backup/backup-format.ts';
import type { RestoreResult } from '../../backup/backup-restore.ts';
import type { Config } from '../../kernel/config.ts';
import { loadConfig } from '../../kernel/config.ts';
import { ConflictError, InputError } from '../../kernel/errors.ts';
import { ApiError, CliError, EXIT, usageError, type StatusBody } from '../cli-errors.ts';
import { PolisClient } from '../client.ts';
import type { CliContext } from '../context.ts';
import { LOGIN_HINT } from '../context.ts';
import { eprintln, println } from '../io.ts';

export interface StoreOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
}

export interface BackupOptions extends StoreOptions {
  /** Read the configured store directly instead of asking the logged-in server. */
  readonly local?: boolean;
}

/**
 * `polis backup FILE`: a consistent online backup of the whole control plane into FILE. By default through the
 * logged-in server (GET /api/v1/backup: platform-admin, audited there); with --local straight from the configured
 * store (--data-dir / --database-url, as `serve` reads them), which works whether or not a server runs on it. The
 * file is checked after writing (checksum, counts, audit chain) and only then given its name.
 */
export async function runBackup(ctx: CliContext, file: string, opts: BackupOptions): Promise<number> {
  const io = ctx.io;
  const target = resolve(io.cwd ?? process.cwd(), file);
  if (!existsSync(dirname(target))) throw usageError(`the folder ${dirname(target)} does not exist`);
  const tmp = join(dirname(target), `.${basename(target)}.partial`);
  const { verifyBackup } = await import('../../backup/backup-restore.ts');
  let wroteTarget = false;
  try {
    let expectedSha: string | undefined;
    if (opts.local) {
      const config = storeConfig(io.env, opts);
      const { openStore, storeKindOf } = await import('../../resources/open-store.ts');
      const { backupToFile } = await import('../../backup/backup-jobs.ts');
      const { VERSION } = await import('../../main.ts');
      const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch(
        (e: unknown) => {
          throw storeError(e, config);
        },
      );
      try {
        const deps = {
          store,
          meta: { polisVersion: VERSION, sourceStore: storeKindOf(config.databaseUrl) },
          now: () => ctx.now(),
        };
        const who = { actor: localActor(), requestId: `cli-backup-${ctx.now().getTime()}` };
        expectedSha = (await backupToFile(deps, who, dirname(target), () => basename(target))).sha256;
        wroteTarget = true;
      } finally {
        await store.close();
      }
    } else {
      expectedSha = await download(ctx, tmp);
    }
    const written = opts.local ? target : tmp;
    const checked = await verifyBackup(createReadStream(written));
    if (expectedSha !== undefined && checked.sha256 !== expectedSha)
      throw new CliError(
        `the backup written to ${file} does not match the checksum ${opts.local ? 'taken' : 'the server sent'}`,
        {
          hint: 'take the backup again',
        },
      );
    if (!opts.local) await rename(tmp, target);
    println(io, `backup written: ${file}`);
    describe(io, checked);
    return EXIT.ok;
  } catch (e) {
    await rm(tmp, { force: true });
    // A local backup that was written under its name but does not check out must not stay there.
    if (wroteTarget) await rm(target, { force: true });
    if (e instanceof BackupFileError) throw fileError(e, file);
    throw e;
  }
}

/**
 * `polis restore FILE`: loads a backup into the configured store, which must be empty (a new database or data
 * folder); checks the file and the audit chain as loaded; all or nothing. Run it with the server stopped, then
 * start the server on that store with the same secret key.
 */
export async function runRestore(ctx: CliContext, file: string, opts: StoreOptions): Promise<number> {
  const io = ctx.io;
  const source = resolve(io.cwd ?? process.cwd(), file);
  if (!existsSync(source)) throw usageError(`no backup file ${file}`);
  const config = storeConfig(io.env, opts);
  const { openStore, storeKindOf } = await import('../../resources/open-store.ts');
  const { restoreBackup } = await import('../../backup/backup-restore.ts');
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }).catch((e: unknown) => {
    throw storeError(e, config);
  });
  let restored: RestoreResult;
  const started = Date.now();
  try {
    try {
      restored = await restoreBackup(store, createReadStream(source));
    } catch (e) {
      if (e instanceof BackupFileError) throw fileError(e, file);
      if (e instanceof ConflictError && e.causes[0]?.code === 'StoreNotEmpty')
        throw new CliError(`restore refused (StoreNotEmpty): ${e.message}`, {
          exitCode: EXIT.conflict,
          hint: 'restore into a new database (--database-url) or an empty --data-dir; nothing was changed',
        });
      throw e;
    }
    const { header, revision, objects, auditEntries, sha256 } = restored;
    await store.transaction((tx) =>
      tx.appendAudit({
        time: ctx.now().toISOString(),
        actor: localActor(),
        verb: 'restore',
        apiVersion: 'polis.io/v1',
        kind: 'Backup',
        tenant: '',
        name: basename(file),
        outcome: 'success',
        code: 200,
        message: '',
        requestId: `cli-restore-${ctx.now().getTime()}`,
        changes: {
          revision,
          objects,
          auditEntries,
          sha256,
          from: { store: header.source.store, polisVersion: header.polisVersion, createdAt: header.createdAt },
        },
      }),
    );
  } finally {
    await store.close();
  }
  const into = storeKindOf(config.databaseUrl) === 'postgres' ? 'PostgreSQL' : `SQLite in ${config.dataDir}`;
  println(io, `restored ${file} into ${into} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  describe(io, restored);
  println(io, `revisions continue above ${restored.revision}; watches from before it answer 410 (list again)`);
  await keyAdvice(ctx, config, restored.secretKeyIds);
  return EXIT.ok;
}

function describe(io: CliContext['io'], r: RestoreResult): void {
  const h = r.header;
  println(io, `  taken:   ${h.createdAt} by polis ${h.polisVersion} from ${h.source.store}, revision ${r.revision}`);
  const kinds = Object.entries(h.counts.objectsByKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  println(io, `  objects: ${r.objects}${kinds ? ` (${kinds})` : ''}`);
  println(
    io,
    `  audit:   ${r.auditEntries} entries, chain verified, head ${r.auditHead.seq} (hash ${r.auditHead.hash})`,
  );
  println(io, `  sha256:  ${r.sha256}`);
  if (r.secretKeyIds.length > 0)
    println(io, `  secrets: sealed with key id ${r.secretKeyIds.join(', ')} (the key itself is not in the file)`);
}

/** Says whether the target's secret key opens the restored secrets (it is never in the backup). */
async function keyAdvice(ctx: CliContext, config: Config, keyIds: readonly string[]): Promise<void> {
  if (keyIds.length === 0) return;
  const { parseSecretKey, secretKeyId } = await import('../../tenancy/secret-cipher.ts');
  const file = config.secretKeyFile ?? join(config.dataDir, 'secret.key');
  let text = config.secretKey;
  if (text === undefined) text = await readFile(file, 'utf8').catch(() => undefined);
  let id: string | undefined;
  try {
    id = text === undefined ? undefined : secretKeyId(parseSecretKey(text));
  } catch {
    id = undefined;
  }
  if (id !== undefined && keyIds.every((k) => k === id)) {
    println(ctx.io, `  key:     the configured secret key (id ${id}) opens the restored secrets`);
    return;
  }
  eprintln(
    ctx.io,
    `warning (SecretKeyMismatch): the restored secrets are sealed with key id ${keyIds.join(', ')}, ${
      id === undefined ? `but no secret key is configured (${file} does not exist)` : `but the configured key is ${id}`
    }: give the server the source server's key (POLIS_SECRET_KEY, POLIS_SECRET_KEY_FILE or ${file}) before it starts`,
  );
}

/** GETs /api/v1/backup into `tmp`; returns the checksum the server stated. */
async function download(ctx: CliContext, tmp: string): Promise<string | undefined> {
  const conn = await ctx.connection();
  if (!conn.server || !conn.token)
    throw new CliError(conn.server ? `no token for ${conn.server}` : 'not logged in', {
      exitCode: EXIT.denied,
      hint: `${LOGIN_HINT}; or back up the store directly with --local`,
    });
  const client = new PolisClient(conn.server, conn.token, ctx.io.signal);
  let res: Response;
  try {
    res = await fetch(client.url('/api/v1/backup'), {
      headers: { authorization: `Bearer ${conn.token}`, accept: 'application/gzip' },
      signal: ctx.io.signal,
    });
  } catch (e) {
    if (ctx.io.signal?.aborted) throw new CliError('interrupted', { exitCode: EXIT.interrupted });
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
    throw new CliError(`cannot reach the polis server at ${conn.server} (${cause})`, {
      exitCode: EXIT.unreachable,
      hint: 'is it running? or back up the store directly with --local',
    });
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    let body: Partial<StatusBody> = { message: `the server answered ${res.status}` };
    try {
      body = { ...body, ...(JSON.parse(text) as Partial<StatusBody>) };
    } catch {
      // Not a polis error body: keep the status line.
    }
    throw new ApiError(res.status, body, {
      hint:
        res.status === 403
          ? 'a backup needs platform-admin (polis whoami shows your bindings); or run polis backup --local where the store is'
          : undefined,
    });
  }
  await pipeline(
    Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
    createWriteStream(tmp, { mode: 0o600 }),
  );
  return res.headers.get('x-polis-backup-sha256') ?? undefined;
}

function storeConfig(env: CliContext['io']['env'], opts: StoreOptions): Config {
  try {
    return loadConfig(env, { dataDir: opts.dataDir, databaseUrl: opts.databaseUrl });
  } catch (e) {
    if (e instanceof InputError)
      throw usageError(e.message, 'fix the flag or environment variable named above', e.causes);
    throw e;
  }
}

function storeError(e: unknown, config: Config): CliError {
  if (e instanceof InputError) return usageError(e.message, undefined, e.causes);
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND')
    return new CliError(`cannot reach the database: ${err.message}`, {
      exitCode: EXIT.unreachable,
      hint: 'check --database-url (DATABASE_URL)',
    });
  return new CliError(
    `cannot open the store ${config.databaseUrl ? '(--database-url)' : `in ${config.dataDir}`}: ${err.message}`,
  );
}

function fileError(e: BackupFileError, file: string): CliError {
  return new CliError(`${file}: ${e.message}`, {
    exitCode: EXIT.failure,
    hint:
      e.code === 'BackupFormatUnsupported'
        ? 'restore with the polis version that wrote it, or newer'
        : 'the file is not a whole, unaltered polis backup: take another, or use an older one; nothing was restored',
  });
}

/** The actor a command run on this machine (not through the API) is audited under. */
function localActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep 'unknown'.
  }
  return `local:${user}`;
}
