import type { MeterRow } from '../../resources/ledger-store.ts';
import type { Sample } from './percentile-profile.ts';

const MIB = 1024 * 1024;
const HOUR_MS = 3_600_000;

/**
 * One replica's memory use over time, from metering's hour roll-ups of one component (pure): per hour, the MiB-minutes
 * used over its replica-minutes (all clusters together) is the mean bytes of one replica in that hour. Each hour's
 * value stands for every `stepMs` step of the hour, so it lines up with the CPU history for the risk replay. Hours
 * with no memory measured (usage 0: the source did not report it) are left out.
 *
 * The VPA keeps each 24 h interval's *peak*; an hour's mean is below the peaks within it, so a spike shorter than an
 * hour is smoothed (stated in docs/operations.md). A leak or a daily cycle shows whole.
 */
export function memoryHistory(
  rows: readonly MeterRow[],
  app: string,
  component: string,
  opts: { readonly offsetMinutes: number; readonly stepMs: number; readonly fromMs: number; readonly toMs: number },
): Sample[] {
  const byHour = new Map<string, { used: number; replicaMinutes: number }>();
  for (const r of rows) {
    if (r.period !== 'hour' || r.app !== app || r.component !== component) continue;
    const h = byHour.get(r.start) ?? { used: 0, replicaMinutes: 0 };
    h.used += r.memUsage;
    h.replicaMinutes += r.replicaMinutes;
    byHour.set(r.start, h);
  }
  const out: Sample[] = [];
  for (const [start, h] of [...byHour].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!(h.used > 0) || !(h.replicaMinutes > 0)) continue;
    const bytes = (h.used / h.replicaMinutes) * MIB;
    const hourStart = Date.parse(`${start}:00:00Z`) - opts.offsetMinutes * 60_000;
    for (let at = hourStart; at < hourStart + HOUR_MS; at += opts.stepMs)
      if (at >= opts.fromMs && at <= opts.toMs) out.push({ at, value: bytes });
  }
  return out;
}
