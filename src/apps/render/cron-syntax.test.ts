import { describe, expect, it } from 'vitest';
import { cronProblem } from './cron-syntax.ts';

describe('cronProblem', () => {
  it.each([
    '0 18 * * *',
    '*/15 * * * *',
    '0 9-17 * * MON-FRI',
    '0 0 1,15 * *',
    '30 2 * jan,jul sun',
    '0 0 * * 7',
    '5-55/10 * * * *',
    '0 12 1/2 * *',
    '0 0 ? * 1',
    '@hourly',
    '@daily',
    '@weekly',
    '@monthly',
    '@yearly',
    '@annually',
    '@midnight',
    '  0  18 *   * *  ',
  ])('accepts %j', (schedule) => {
    expect(cronProblem(schedule)).toBeUndefined();
  });

  it.each([
    ['', 'expected 5 fields'],
    ['* * * *', 'expected 5 fields'],
    ['0 18 * * * *', 'expected 5 fields'],
    ['61 * * * *', 'minute: 61 is outside 0-59'],
    ['0 24 * * *', 'hour: 24 is outside 0-23'],
    ['0 0 0 * *', 'day of month: 0 is outside 1-31'],
    ['0 0 * 13 *', 'month: 13 is outside 1-12'],
    ['0 0 * * 8', 'day of week: 8 is outside 0-7'],
    ['0 0 * * FUNDAY', 'day of week: "FUNDAY" is not a number or a name such as SUN'],
    ['*/0 * * * *', 'minute: step "0" in "*/0" must be a positive whole number'],
    ['*/x * * * *', 'minute: step "x" in "*/x" must be a positive whole number'],
    ['0 17-9 * * *', 'hour: range "17-9" runs backwards'],
    ['0 1,,2 * * *', 'hour: "" is not a number'],
    ['? * * * *', 'minute: "?" is not a number'],
    ['@fortnightly', 'expected 5 fields'],
  ])('refuses %j: %s', (schedule, reason) => {
    const problem = cronProblem(schedule);
    expect(problem).toContain(reason);
    expect(problem).toMatch(/5 fields \(minute hour day-of-month month day-of-week\)/);
    expect(problem).toContain('@hourly');
  });
});
