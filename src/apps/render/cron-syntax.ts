/**
 * The standard five-field cron syntax that a Kubernetes CronJob `schedule` accepts: minute, hour, day of month,
 * month, day of week; each field a `*`, a value, a range `a-b`, a step `*\/n`, `a-b/n` or `a/n`, or a list of
 * those; month and day names (JAN…DEC, SUN…SAT, any case); and the macros below.
 */

const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

const EXPECTED =
  'expected 5 fields (minute hour day-of-month month day-of-week) such as "0 18 * * *", with ranges (1-5), ' +
  'lists (1,15), steps (*/10), month and day names (JAN, MON), or one of @hourly, @daily, @weekly, @monthly, @yearly';

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  // Month names count from 1 (JAN), so index 0 of the list maps to min.
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // 7 is Sunday as well as 0, as in Vixie cron and the library Kubernetes uses.
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];

/** Why `schedule` is not a cron schedule a CronJob accepts (naming what is), or undefined when it is one. */
export function cronProblem(schedule: string): string | undefined {
  const shown = JSON.stringify(schedule);
  const text = schedule.trim();
  if (text === '') return `invalid cron schedule ${shown}: it is empty; ${EXPECTED}`;
  if (text.startsWith('@')) {
    if (MACROS.includes(text.toLowerCase())) return undefined;
    return `invalid cron schedule ${shown}: unknown macro ${text}; ${EXPECTED}`;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    return `invalid cron schedule ${shown}: it has ${parts.length} field${parts.length === 1 ? '' : 's'}; ${EXPECTED}`;
  }
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(parts[i]!, FIELDS[i]!);
    if (problem) return `invalid cron schedule ${shown}: ${problem}; ${EXPECTED}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  for (const item of text.split(',')) {
    const problem = itemProblem(item, field);
    if (problem) return `${field.name} "${text}": ${problem}`;
  }
  return undefined;
}

function itemProblem(item: string, field: Field): string | undefined {
  if (item === '') return 'a list item is empty';
  const slash = item.split('/');
  if (slash.length > 2) return `"${item}" has more than one "/"`;
  const [range = '', step] = slash;
  if (step !== undefined && !/^\d+$/.test(step)) return `the step in "${item}" must be a whole number`;
  if (step !== undefined && Number(step) === 0) return `the step in "${item}" must be at least 1`;
  if (range === '*' || (range === '?' && (field.name === 'day of month' || field.name === 'day of week'))) {
    return undefined;
  }
  const bounds = range.split('-');
  if (bounds.length > 2) return `"${range}" is not a value or a range a-b`;
  const values: number[] = [];
  for (const b of bounds) {
    const v = valueOf(b, field);
    if (typeof v === 'string') return v;
    values.push(v);
  }
  if (values.length === 2 && values[0]! > values[1]!) return `the range "${range}" runs backwards`;
  return undefined;
}

function valueOf(text: string, field: Field): number | string {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < field.min || n > field.max) return `${text} is outside ${field.min}-${field.max}`;
    return n;
  }
  const i = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (i >= 0) return field.min + i;
  if (field.names)
    return `"${text}" is neither a number from ${field.min} to ${field.max} nor a name (${field.names.join(', ')})`;
  return `"${text}" is not a number from ${field.min} to ${field.max}`;
}
