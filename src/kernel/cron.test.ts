import { describe, expect, it } from 'vitest';
import { InputError } from './errors.ts';
import { cronProblem, nextFire, parseCron } from './cron.ts';

const at = (iso: string) => new Date(iso).getTime();
const next = (expr: string, after: string, tz?: string) => {
  const t = nextFire(parseCron(expr), at(after), tz);
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('cron schedule', () => {
  it('fires every minute strictly after the given time', () => {
    expect(next('* * * * *', '2026-03-02T10:00:00Z')).toBe('2026-03-02T10:01:00.000Z');
    expect(next('* * * * *', '2026-03-02T10:00:30Z')).toBe('2026-03-02T10:01:00.000Z');
  });

  it('reads steps, ranges and lists', () => {
    expect(next('*/15 * * * *', '2026-03-02T10:01:00Z')).toBe('2026-03-02T10:15:00.000Z');
    expect(next('0 9-17/4 * * *', '2026-03-02T10:00:00Z')).toBe('2026-03-02T13:00:00.000Z');
    expect(next('5,35 2 * * *', '2026-03-02T02:06:00Z')).toBe('2026-03-02T02:35:00.000Z');
    expect(next('30 2 * * *', '2026-03-02T03:00:00Z')).toBe('2026-03-03T02:30:00.000Z');
  });

  it('reads month and weekday names and 7 as Sunday', () => {
    // 2026-03-02 is a Monday.
    expect(next('0 0 * * SUN', '2026-03-02T00:00:00Z')).toBe('2026-03-08T00:00:00.000Z');
    expect(next('0 0 * * 7', '2026-03-02T00:00:00Z')).toBe('2026-03-08T00:00:00.000Z');
    expect(next('0 0 1 jan *', '2026-03-02T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('0 8 * * MON-FRI', '2026-03-06T09:00:00Z')).toBe('2026-03-09T08:00:00.000Z');
  });

  it('matches either day field when both are restricted, as cron does', () => {
    // The 15th, or any Friday: Friday 2026-03-06 comes first.
    expect(next('0 0 15 * 5', '2026-03-02T00:00:00Z')).toBe('2026-03-06T00:00:00.000Z');
    expect(next('0 0 15 * *', '2026-03-02T00:00:00Z')).toBe('2026-03-15T00:00:00.000Z');
  });

  it('expands the macros', () => {
    expect(next('@hourly', '2026-03-02T10:20:00Z')).toBe('2026-03-02T11:00:00.000Z');
    expect(next('@daily', '2026-03-02T10:20:00Z')).toBe('2026-03-03T00:00:00.000Z');
    expect(next('@weekly', '2026-03-02T10:20:00Z')).toBe('2026-03-08T00:00:00.000Z');
    expect(next('@monthly', '2026-03-02T10:20:00Z')).toBe('2026-04-01T00:00:00.000Z');
    expect(next('@yearly', '2026-03-02T10:20:00Z')).toBe('2027-01-01T00:00:00.000Z');
  });

  it('skips months without the day and says never for impossible dates', () => {
    expect(next('0 0 31 * *', '2026-04-01T00:00:00Z')).toBe('2026-05-31T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2026-03-02T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('0 0 30 2 *', '2026-03-02T00:00:00Z')).toBeUndefined();
  });

  it('reads a schedule in a time zone', () => {
    // 09:00 in Shanghai is 01:00 UTC.
    expect(next('0 9 * * *', '2026-03-02T02:00:00Z', 'Asia/Shanghai')).toBe('2026-03-03T01:00:00.000Z');
    expect(next('0 9 * * *', '2026-03-02T00:00:00Z', 'Asia/Shanghai')).toBe('2026-03-02T01:00:00.000Z');
  });

  it.each([
    ['* * * *', '5 fields'],
    ['60 * * * *', 'minute: 60 is outside 0-59'],
    ['* 24 * * *', 'hour: 24'],
    ['*/0 * * * *', 'step'],
    ['* * * FOO *', 'month: "FOO"'],
    ['5-1 * * * *', 'backwards'],
  ])('refuses %j and says why', (expr, why) => {
    expect(cronProblem(expr)).toContain(why);
    expect(() => parseCron(expr)).toThrow(InputError);
  });
});
