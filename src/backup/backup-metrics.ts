import { Counter, Gauge, type Registry } from 'prom-client';
import type { BackupStatus } from './backup-jobs.ts';

/**
 * Backup figures on /metrics. Alert on `time() - polis_backup_last_success_timestamp_seconds` exceeding the schedule
 * interval plus a margin: that is the recovery point slipping.
 */
export function registerBackupMetrics(registry: Registry, status: BackupStatus): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge(
    'polis_backup_last_success_timestamp_seconds',
    'When the last successful backup taken by this process finished (seconds since the epoch; 0 before the first).',
    () => (status.lastSuccessMs ?? 0) / 1000,
  );
  gauge('polis_backup_last_size_bytes', 'Size of the last successful backup file.', () => status.lastBytes);
  gauge(
    'polis_backup_last_duration_seconds',
    'How long the last successful backup took.',
    () => status.lastDurationMs / 1000,
  );
  new Counter({
    name: 'polis_backup_failures_total',
    help: 'Backups (scheduled or through the API) that failed.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(status.failures);
    },
  });
}
