import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forEachBackend } from '../../test/setup/backends.ts';
import { ManualClock } from '../kernel/clock.ts';
import { parseCron } from '../kernel/cron.ts';
import type { AuditEntry } from '../resources/audit-log.ts';
import type { Store } from '../resources/store.ts';
import { backupFileName } from './backup-format.ts';
import { BackupStatus } from './backup-jobs.ts';
import { registerBackupMetrics } from './backup-metrics.ts';
import { verifyBackup } from './backup-restore.ts';
import { filesToPrune } from './backup-retention.ts';
import { BackupScheduler, SCHEDULER_ACTOR } from './backup-scheduler.ts';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);
const name = (iso: string, revision = 1) => backupFileName(new Date(iso), revision);

describe('backup retention', () => {
  const files = [
    name('2026-01-01T02:00:00Z'),
    name('2026-01-02T02:00:00Z'),
    name('2026-01-03T02:00:00Z'),
    name('2026-01-04T02:00:00Z'),
    'notes.txt',
    'polis-backup-bad.polis-backup.gz',
  ];

  it('keeps the newest N and prunes the rest, oldest first, never touching other files', () => {
    expect(filesToPrune(files, at('2026-01-05T00:00:00Z'), { keep: 2, keepDays: 0 })).toEqual([
      name('2026-01-02T02:00:00Z'),
      name('2026-01-01T02:00:00Z'),
    ]);
  });

  it('also keeps every file younger than keepDays', () => {
    expect(filesToPrune(files, at('2026-01-05T00:00:00Z'), { keep: 1, keepDays: 2 })).toEqual([
      name('2026-01-02T02:00:00Z'),
      name('2026-01-01T02:00:00Z'),
    ]);
    expect(filesToPrune(files, at('2026-01-05T00:00:00Z'), { keep: 1, keepDays: 10 })).toEqual([]);
  });

  it('always keeps the newest file, however old', () => {
    expect(filesToPrune(files, at('2027-01-01T00:00:00Z'), { keep: 0, keepDays: 1 })).toEqual([
      name('2026-01-03T02:00:00Z'),
      name('2026-01-02T02:00:00Z'),
      name('2026-01-01T02:00:00Z'),
    ]);
  });
});

forEachBackend('scheduled backups', (backend) => {
  let store: Store;
  let dir: string;
  let clock: ManualClock;
  let status: BackupStatus;
  let logs: Array<{ level: string; msg: string }>;
  const scheduler = (keep: number, keepDays: number) =>
    new BackupScheduler({
      store,
      meta: { polisVersion: 'test', sourceStore: backend.name },
      clock,
      dir,
      schedule: parseCron('0 2 * * *'),
      retention: { keep, keepDays },
      status,
      log: (level, msg) => logs.push({ level, msg }),
    });

  beforeEach(async () => {
    store = await backend.open();
    dir = mkdtempSync(join(tmpdir(), 'polis-backups-'));
    clock = new ManualClock('2026-03-01T02:00:00Z');
    status = new BackupStatus();
    logs = [];
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a whole backup per run, prunes by retention, audits and logs both, and reports the last success', async () => {
    const s = scheduler(2, 0);
    writeFileSync(join(dir, 'keep-me.txt'), 'not a backup');
    const written: string[] = [];
    for (let day = 0; day < 4; day++) {
      const { file } = await s.runOnce();
      written.push(file);
      clock.advance(DAY);
    }
    const left = readdirSync(dir).sort();
    expect(left).toEqual(['keep-me.txt', ...written.slice(2).map((f) => f.slice(dir.length + 1))].sort());
    // Each file is a whole backup; the later ones hold the earlier backups' audit entries.
    const last = await verifyBackup(createReadStream(written[3]!));
    expect(last.auditEntries).toBeGreaterThanOrEqual(3);
    const audit: AuditEntry[] = [];
    for await (const page of store.scanAudit(100)) audit.push(...page);
    expect(audit.filter((a) => a.verb === 'backup' && a.outcome === 'success')).toHaveLength(4);
    expect(audit.filter((a) => a.verb === 'delete' && a.kind === 'Backup').map((a) => a.name)).toEqual(
      written.slice(0, 2).map((f) => f.slice(dir.length + 1)),
    );
    expect(audit.every((a) => a.actor === SCHEDULER_ACTOR)).toBe(true);
    expect(logs.filter((l) => l.msg === 'scheduled backup written')).toHaveLength(4);
    expect(logs.some((l) => l.msg === 'old backups pruned')).toBe(true);
    expect(status.lastSuccessMs).toBe(clock.now().getTime() - DAY);

    const registry = new Registry();
    registerBackupMetrics(registry, status);
    const text = await registry.metrics();
    expect(text).toContain(`polis_backup_last_success_timestamp_seconds ${(clock.now().getTime() - DAY) / 1000}`);
    expect(text).toContain('polis_backup_failures_total 0');
  });

  it('audits, logs and counts a failed backup, and leaves no partial file', async () => {
    const s = new BackupScheduler({
      store,
      meta: { polisVersion: 'test', sourceStore: backend.name },
      clock,
      dir: join(dir, 'file-in-the-way', 'sub'),
      schedule: parseCron('@daily'),
      retention: { keep: 1, keepDays: 0 },
      status,
      log: (level, msg) => logs.push({ level, msg }),
    });
    writeFileSync(join(dir, 'file-in-the-way'), 'x');
    await expect(s.runOnce()).rejects.toThrow();
    expect(status.failures).toBe(1);
    expect(logs).toContainEqual({ level: 'warn', msg: 'scheduled backup failed' });
    expect(readdirSync(dir)).toEqual(['file-in-the-way']);
  });

  it('arms for the next fire time of its schedule', () => {
    const s = scheduler(1, 0);
    s.start();
    try {
      expect(s.nextRunMs).toBe(at('2026-03-02T02:00:00Z'));
    } finally {
      s.stop();
    }
  });
});

describe('backup configuration', () => {
  it('reads the directory, schedule, time zone and retention, and names a bad value with what is accepted', async () => {
    const { loadConfig } = await import('../kernel/config.ts');
    expect(loadConfig({}).backup).toBeUndefined();
    expect(loadConfig({ POLIS_BACKUP_DIR: '/b' }).backup).toEqual({
      dir: '/b',
      schedule: '@daily',
      timeZone: undefined,
      keep: 7,
      keepDays: 0,
    });
    expect(
      loadConfig({
        POLIS_BACKUP_DIR: '/b',
        POLIS_BACKUP_SCHEDULE: '30 1 * * *',
        POLIS_BACKUP_TIME_ZONE: 'Asia/Shanghai',
        POLIS_BACKUP_KEEP: '14',
        POLIS_BACKUP_KEEP_DAYS: '30',
      }).backup,
    ).toMatchObject({ schedule: '30 1 * * *', timeZone: 'Asia/Shanghai', keep: 14, keepDays: 30 });
    expect(() => loadConfig({ POLIS_BACKUP_DIR: '/b', POLIS_BACKUP_SCHEDULE: 'every day' })).toThrow(
      /POLIS_BACKUP_SCHEDULE/,
    );
    expect(() => loadConfig({ POLIS_BACKUP_DIR: '/b', POLIS_BACKUP_KEEP: '0' })).toThrow(/POLIS_BACKUP_KEEP/);
  });
});
