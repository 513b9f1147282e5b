import { usageError } from './cli-errors.ts';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90d`, `12h`, `30m`, `45s`, `2w` or combinations such as `1h30m`, in seconds. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim().toLowerCase();
  const parts = [...trimmed.matchAll(/(\d+)([smhdw])/g)];
  if (trimmed === '' || parts.map((p) => p[0]).join('') !== trimmed) {
    throw usageError(`${flag} "${text}" is not a duration`, `write it like 90d, 12h, 30m or 1h30m (s, m, h, d, w)`);
  }
  const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]!]!, 0);
  if (seconds <= 0) throw usageError(`${flag} "${text}" must be longer than zero`);
  return seconds;
}

/**
 * A point in time for --since/--until: an ISO-8601 time as is, or a duration (`1h`) meaning that long ago.
 */
export function parseTimeOrAgo(text: string, flag: string, now: Date): string {
  if (/^\d+[smhdw]/i.test(text.trim()) && !/^\d{4}-/.test(text.trim())) {
    return new Date(now.getTime() - parseDuration(text, flag) * 1000).toISOString();
  }
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw usageError(
      `${flag} "${text}" is not a time`,
      'give an ISO-8601 time such as 2026-11-24T09:00:00Z, or a duration ago such as 2h or 7d',
    );
  return new Date(t).toISOString();
}

/** A whole number within bounds, for flags such as --limit. */
export function parseCount(text: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(n >= min && n <= max))
    throw usageError(`${flag} "${text}" is not valid`, `give a whole number from ${min} to ${max}`);
  return n;
}
