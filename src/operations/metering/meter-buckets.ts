import type { MeterBucket } from '../../resources/ledger-store.ts';

export const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** China Standard Time (UTC+8, no daylight saving): where the city's days and months begin. */
export const DEFAULT_OFFSET_MINUTES = 480;

/** The keys of the hour, day and month (local time at `offsetMinutes` east of UTC) that instant `ms` falls in. */
export function intervalKeys(ms: number, offsetMinutes: number): { hour: string; day: string; month: string } {
  const iso = new Date(ms + offsetMinutes * MINUTE_MS).toISOString();
  return { hour: iso.slice(0, 13), day: iso.slice(0, 10), month: iso.slice(0, 7) };
}

/** The instant (epoch ms) local day `day` (YYYY-MM-DD) begins. */
export function dayStart(day: string, offsetMinutes: number): number {
  return Date.parse(`${day}T00:00:00Z`) - offsetMinutes * MINUTE_MS;
}

/** The days of month `month` (YYYY-MM), in order. */
export function daysOfMonth(month: string): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}

/** The day after `day` (YYYY-MM-DD). */
export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 24 * HOUR_MS).toISOString().slice(0, 10);
}

/**
 * The buckets a tick at `at` covers: the minutes of (since, at] (one minute for the first tick), at most
 * `maxGapMinutes` of them (a longer outage is left unmetered rather than guessed), split by local hour, with the
 * same minutes summed per day and per month. `since` and `at` are whole minutes.
 */
export function tickBuckets(
  since: number | undefined,
  at: number,
  opts: { offsetMinutes: number; maxGapMinutes: number },
): MeterBucket[] {
  const gap = since === undefined ? 1 : Math.round((at - since) / MINUTE_MS);
  const minutes = Math.max(0, Math.min(gap, opts.maxGapMinutes));
  if (minutes === 0) return [];
  const hours = new Map<string, number>();
  const days = new Map<string, number>();
  const months = new Map<string, number>();
  // Minute i of the span starts at `from + i·MINUTE`; walk it an hour-piece at a time.
  let t = at - minutes * MINUTE_MS;
  while (t < at) {
    const local = t + opts.offsetMinutes * MINUTE_MS;
    const hourEnd = Math.floor(local / HOUR_MS) * HOUR_MS + HOUR_MS - opts.offsetMinutes * MINUTE_MS;
    const end = Math.min(at, hourEnd);
    const n = Math.round((end - t) / MINUTE_MS);
    const k = intervalKeys(t, opts.offsetMinutes);
    hours.set(k.hour, (hours.get(k.hour) ?? 0) + n);
    days.set(k.day, (days.get(k.day) ?? 0) + n);
    months.set(k.month, (months.get(k.month) ?? 0) + n);
    t = end;
  }
  const out: MeterBucket[] = [];
  for (const [start, m] of hours) out.push({ period: 'hour', start, minutes: m });
  for (const [start, m] of days) out.push({ period: 'day', start, minutes: m });
  for (const [start, m] of months) out.push({ period: 'month', start, minutes: m });
  return out;
}
