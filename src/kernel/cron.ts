import { InputError } from './errors.ts';

/**
 * A five-field cron schedule (`minute hour day-of-month month day-of-week`) as Kubernetes CronJobs read it: `*`,
 * lists, ranges, steps, month and weekday names, `7` for Sunday, and the macros `@yearly`, `@annually`,
 * `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`. When both day fields are restricted a day matches
 * either of them (Vixie cron, robfig/cron).
 */
export interface CronSchedule {
  readonly source: string;
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly daysOfMonth: readonly boolean[];
  readonly months: readonly boolean[];
  readonly daysOfWeek: readonly boolean[];
  readonly domStar: boolean;
  readonly dowStar: boolean;
}

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldRange {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** First value the names stand for (months are 1-based). */
  readonly nameBase?: number;
}

const FIELDS: readonly FieldRange[] = [
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day of month', min: 1, max: 31 },
  { label: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { label: 'day of week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

/** Parses a schedule; throws InputError naming `path` and the field at fault. */
export function parseCron(expression: string, path = 'spec.schedule'): CronSchedule {
  const text = expression.trim();
  const expanded = MACROS[text.toLowerCase()] ?? text;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) {
    fail(
      path,
      `expected 5 fields (minute hour day-of-month month day-of-week) or a macro such as @hourly, got "${expression}"`,
    );
  }
  const sets = parts.map((part, i) => parseField(part, FIELDS[i]!, path));
  const dow = sets[4]!;
  // 7 is Sunday as well as 0.
  if (dow.values[7]) dow.values[0] = true;
  return {
    source: expression,
    minutes: sets[0]!.values,
    hours: sets[1]!.values,
    daysOfMonth: sets[2]!.values,
    months: sets[3]!.values,
    daysOfWeek: dow.values.slice(0, 7),
    domStar: sets[2]!.star,
    dowStar: dow.star,
  };
}

const ACCEPTED =
  'a schedule is 5 fields (minute hour day-of-month month day-of-week), e.g. "30 1 * * *", or one of @hourly, @daily, @weekly, @monthly, @yearly';

/** Why `expression` is not a valid schedule (and what is accepted), or undefined when it is one. */
export function cronProblem(expression: string): string | undefined {
  try {
    parseCron(expression);
    return undefined;
  } catch (e) {
    const why = e instanceof InputError ? (e.causes[0]?.message ?? e.message) : String(e);
    return why.startsWith('expected 5 fields') ? why : `${why}; ${ACCEPTED}`;
  }
}

/**
 * The first fire time strictly after `afterMs` (epoch ms), or undefined when the schedule never fires (such as
 * `0 0 30 2 *`). Times are read in UTC unless a time zone is given; a zone's offset is taken through Intl at each
 * candidate, which is exact for zones without daylight saving (Asia/Shanghai) and may be an hour off next to a
 * daylight-saving change.
 */
export function nextFire(schedule: CronSchedule, afterMs: number, timeZone?: string): number | undefined {
  if (timeZone === undefined || timeZone === 'UTC' || timeZone === 'Etc/UTC') return nextUtc(schedule, afterMs);
  const local = nextUtc(schedule, afterMs + zoneOffsetMs(timeZone, afterMs));
  if (local === undefined) return undefined;
  const at = local - zoneOffsetMs(timeZone, local - zoneOffsetMs(timeZone, afterMs));
  return at > afterMs ? at : nextFire(schedule, at + 60_000 - 1, timeZone);
}

/** Search budget: five years of days; a schedule that matches nothing in that span never fires. */
const SEARCH_DAYS = 5 * 366;

function nextUtc(s: CronSchedule, afterMs: number): number | undefined {
  const d = new Date(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
  let steps = 0;
  while (steps++ < SEARCH_DAYS * 30) {
    if (!s.months[d.getUTCMonth() + 1]) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours[d.getUTCHours()]) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes[d.getUTCMinutes()]) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
      continue;
    }
    return d.getTime();
  }
  return undefined;
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth[d.getUTCDate()] === true;
  const dow = s.daysOfWeek[d.getUTCDay()] === true;
  if (s.domStar && s.dowStar) return true;
  if (s.domStar) return dow;
  if (s.dowStar) return dom;
  return dom || dow;
}

function parseField(text: string, range: FieldRange, path: string): { values: boolean[]; star: boolean } {
  const values = new Array<boolean>(range.max + 1).fill(false);
  let star = false;
  for (const item of text.split(',')) {
    const [base = '', stepText] = item.split('/');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        fail(path, `${range.label}: step "${stepText}" in "${item}" must be a positive whole number`);
      }
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    // `?` means "any" in the day fields only (as Kubernetes' cron library reads it).
    if (base === '*' || (base === '?' && range.label.startsWith('day'))) {
      low = range.min;
      high = range.label === 'day of week' ? 6 : range.max;
      if (step === 1 && text === base) star = true;
    } else {
      const bounds = base.split('-');
      if (bounds.length > 2) fail(path, `${range.label}: "${item}" is not a value, range or step`);
      low = value(bounds[0]!, range, path);
      high = bounds.length === 2 ? value(bounds[1]!, range, path) : stepText === undefined ? low : range.max;
      if (high < low) fail(path, `${range.label}: range "${base}" runs backwards`);
    }
    for (let v = low; v <= high; v += step) values[v] = true;
  }
  return { values, star };
}

function value(text: string, range: FieldRange, path: string): number {
  let n: number;
  const named = range.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) n = named + (range.nameBase ?? 0);
  else if (/^\d+$/.test(text)) n = Number(text);
  else
    return fail(
      path,
      `${range.label}: "${text}" is not a number${range.names ? ' or a name such as ' + range.names[0] : ''}`,
    );
  if (n < range.min || n > range.max) {
    fail(path, `${range.label}: ${n} is outside ${range.min}-${range.max}`);
  }
  return n;
}

function fail(path: string, message: string): never {
  throw new InputError(`invalid cron schedule at ${path}: ${message}`, [{ path, message }], { invalid: true });
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** How far the zone's wall clock is ahead of UTC at `at` (ms); throws RangeError for an unknown zone. */
export function zoneOffsetMs(timeZone: string, at: number): number {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(at / 1000) * 1000;
}
