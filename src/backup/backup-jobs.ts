import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { AuditEntryInput } from '../resources/audit-log.ts';
import type { Store } from '../resources/store.ts';
import { backupFileName, type BackupSummary } from './backup-format.ts';
import { writeBackup, type BackupMeta } from './backup-writer.ts';

/** Who took a backup, for its audit entry. */
export interface BackupActor {
  readonly actor: string;
  readonly requestId: string;
}

/** The last outcomes of backups this process took, for /metrics. */
export class BackupStatus {
  /** When the newest successful backup finished (ms since the epoch). */
  lastSuccessMs: number | undefined;
  lastBytes = 0;
  lastDurationMs = 0;
  failures = 0;
  succeeded(atMs: number, bytes: number, durationMs: number): void {
    this.lastSuccessMs = atMs;
    this.lastBytes = bytes;
    this.lastDurationMs = durationMs;
  }
}

export interface BackupDeps {
  readonly store: Store;
  readonly meta: Omit<BackupMeta, 'now'>;
  readonly now: () => Date;
  readonly status?: BackupStatus;
}

/**
 * Takes a backup into `out`, lets `finish` place it (it returns the backup's name and size), and appends the audit
 * entry (verb `backup`, kind `Backup`, that name; revision, counts and checksum in `changes`). A failure is audited
 * too (outcome `error`) and rethrown. The entry is written after the snapshot: the next backup holds it.
 */
export async function auditedBackup(
  deps: BackupDeps,
  who: BackupActor,
  out: Writable,
  finish: (summary: BackupSummary) => Promise<{ name: string; bytes: number }>,
): Promise<BackupSummary & { bytes: number; name: string }> {
  const started = deps.now();
  let name = '';
  try {
    const summary = await writeBackup(deps.store, out, { ...deps.meta, now: started });
    const placed = await finish(summary);
    name = placed.name;
    const { revision, objects, auditEntries, sha256 } = summary;
    const details = { revision, objects, auditEntries, sha256, bytes: placed.bytes };
    await deps.store.transaction((tx) => tx.appendAudit(record(deps.now(), who, name, 'success', 200, '', details)));
    const done = deps.now();
    deps.status?.succeeded(done.getTime(), placed.bytes, done.getTime() - started.getTime());
    return { ...summary, ...placed };
  } catch (e) {
    await failed(deps, who, name, e);
    throw e;
  }
}

/** Counts and audits a failed backup (best effort: the store may be what failed). */
async function failed(deps: BackupDeps, who: BackupActor, name: string, e: unknown): Promise<void> {
  if (deps.status) deps.status.failures++;
  const message = (e instanceof Error ? e.message : String(e)).slice(0, 2000);
  await deps.store
    .transaction((tx) => tx.appendAudit(record(deps.now(), who, name, 'error', 500, message, null)))
    .catch(() => undefined);
}

/**
 * A backup into a new file in `dir`, named by backupFileName from its time and revision: written to a temporary
 * name, flushed to disk, then renamed, so a file under a backup name is always whole. Mode 0600: it holds every
 * department's data (secret values sealed).
 */
export async function backupToDirectory(
  deps: BackupDeps,
  who: BackupActor,
  dir: string,
): Promise<BackupSummary & { bytes: number; file: string }> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    await failed(deps, who, '', e);
    throw e;
  }
  const at = deps.now();
  const done = await backupToFile(deps, who, dir, (s) => backupFileName(at, s.revision));
  return { ...done, file: join(dir, done.name) };
}

/** A backup into `dir`/`name(summary)` (temporary name, fsync, rename; mode 0600). */
export async function backupToFile(
  deps: BackupDeps,
  who: BackupActor,
  dir: string,
  name: (summary: BackupSummary) => string,
): Promise<BackupSummary & { bytes: number; name: string }> {
  const tmp = join(dir, `.polis-backup-${randomBytes(6).toString('hex')}.tmp`);
  const out = createWriteStream(tmp, { mode: 0o600 });
  const finish = async (summary: BackupSummary): Promise<{ name: string; bytes: number }> => {
    const handle = await open(tmp, 'r');
    let bytes: number;
    try {
      await handle.sync();
      bytes = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    const final = name(summary);
    await rename(tmp, join(dir, final));
    await syncDirectory(dir);
    return { name: final, bytes };
  };
  try {
    return await auditedBackup(deps, who, out, finish);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Makes a rename in `dir` durable (best effort: some file systems do not sync directories). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

function record(
  at: Date,
  who: BackupActor,
  name: string,
  outcome: 'success' | 'error',
  code: number,
  message: string,
  changes: unknown,
): AuditEntryInput {
  return {
    time: at.toISOString(),
    actor: who.actor,
    verb: 'backup',
    apiVersion: 'polis.io/v1',
    kind: 'Backup',
    tenant: '',
    name,
    outcome,
    code,
    message,
    requestId: who.requestId,
    changes,
  };
}
