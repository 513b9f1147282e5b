import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../kernel/clock.ts';
import { nextFire, type CronSchedule } from '../kernel/cron.ts';
import type { Store } from '../resources/store.ts';
import { backupToDirectory, type BackupStatus } from './backup-jobs.ts';
import type { BackupMeta } from './backup-writer.ts';
import { filesToPrune, type Retention } from './backup-retention.ts';

export interface BackupSchedulerDeps {
  readonly store: Store;
  readonly meta: Omit<BackupMeta, 'now'>;
  readonly clock: Clock;
  readonly dir: string;
  readonly schedule: CronSchedule;
  readonly timeZone?: string;
  readonly retention: Retention;
  readonly status: BackupStatus;
  /** A line for the server log (what was written or pruned, or why it failed). */
  readonly log: (level: 'info' | 'warn', msg: string, fields: Record<string, unknown>) => void;
}

/** The actor scheduled backups are audited under. */
export const SCHEDULER_ACTOR = 'system:backup-scheduler';
/** setTimeout cannot wait longer than 2^31-1 ms; a far fire time is reached in steps of a day. */
const MAX_WAIT_MS = 86_400_000;

/**
 * Takes a backup into `dir` at every fire time of `schedule`, then prunes the files retention no longer keeps.
 * Each backup and each pruned file is audited (verb backup / delete, kind Backup) and logged; `status` feeds the
 * metrics. A fire time missed while a backup still runs is skipped, not queued.
 */
export class BackupScheduler {
  readonly #deps: BackupSchedulerDeps;
  #timer: NodeJS.Timeout | undefined;
  #due: number | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = true;

  constructor(deps: BackupSchedulerDeps) {
    this.#deps = deps;
  }

  /** The next fire time (ms since the epoch), when started. */
  get nextRunMs(): number | undefined {
    return this.#due;
  }

  start(): void {
    this.#stopped = false;
    this.#arm(this.#deps.clock.now().getTime());
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Resolves when a backup in progress has finished. */
  async idle(): Promise<void> {
    await this.#running?.catch(() => undefined);
  }

  /** One backup now, then pruning; rejects with the backup's error (already audited and logged). */
  async runOnce(): Promise<{ file: string; pruned: string[] }> {
    const { store, meta, clock, dir, log, status } = this.#deps;
    const who = { actor: SCHEDULER_ACTOR, requestId: `backup-${clock.now().getTime()}` };
    let written;
    try {
      written = await backupToDirectory({ store, meta, now: () => clock.now(), status }, who, dir);
    } catch (e) {
      log('warn', 'scheduled backup failed', { err: e, dir });
      throw e;
    }
    log('info', 'scheduled backup written', {
      file: written.file,
      revision: written.revision,
      objects: written.objects,
      auditEntries: written.auditEntries,
      bytes: written.bytes,
    });
    return { file: written.file, pruned: await this.prune() };
  }

  /** Deletes the backup files in `dir` that retention no longer keeps; audited and logged. */
  async prune(): Promise<string[]> {
    const { store, clock, dir, log, retention } = this.#deps;
    const names = await readdir(dir);
    const doomed = filesToPrune(names, clock.now().getTime(), retention);
    const removed: string[] = [];
    for (const name of doomed) {
      try {
        await rm(join(dir, name));
        removed.push(name);
      } catch (e) {
        log('warn', 'pruning an old backup failed', { err: e, file: join(dir, name) });
      }
    }
    if (removed.length === 0) return removed;
    const time = clock.now().toISOString();
    await store.transaction(async (tx) => {
      for (const name of removed)
        await tx.appendAudit({
          time,
          actor: SCHEDULER_ACTOR,
          verb: 'delete',
          apiVersion: 'polis.io/v1',
          kind: 'Backup',
          tenant: '',
          name,
          outcome: 'success',
          code: 200,
          message: '',
          requestId: `prune-${clock.now().getTime()}`,
          changes: { retention: { keep: retention.keep, keepDays: retention.keepDays } },
        });
    });
    log('info', 'old backups pruned', { dir, files: removed, keep: retention.keep, keepDays: retention.keepDays });
    return removed;
  }

  #arm(afterMs: number): void {
    if (this.#stopped) return;
    this.#due = nextFire(this.#deps.schedule, afterMs, this.#deps.timeZone);
    if (this.#due === undefined) return;
    this.#wait();
  }

  #wait(): void {
    const due = this.#due!;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, due - this.#deps.clock.now().getTime()));
    this.#timer = setTimeout(() => {
      if (this.#stopped) return;
      const now = this.#deps.clock.now().getTime();
      if (now < due) return this.#wait();
      const run = this.runOnce().catch(() => undefined);
      this.#running = run;
      void run.finally(() => this.#arm(this.#deps.clock.now().getTime()));
    }, wait);
    this.#timer.unref();
  }
}
