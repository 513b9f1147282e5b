import { describe, expect, it } from 'vitest';
import { CliError } from './cli-errors.ts';
import { parseDuration, parseTimeOrAgo } from './durations.ts';

describe('parseDuration', () => {
  it('reads 90d, 12h, 30m, 45s and combinations', () => {
    expect(parseDuration('90d', '--ttl')).toBe(90 * 86_400);
    expect(parseDuration('12h', '--ttl')).toBe(12 * 3600);
    expect(parseDuration('30m', '--ttl')).toBe(1800);
    expect(parseDuration('1h30m', '--ttl')).toBe(5400);
  });

  it('refuses anything else as a usage error (exit 2) naming the flag', () => {
    for (const bad of ['90', 'd', '1.5h', '0s', '-1d', '']) {
      const e = (() => {
        try {
          parseDuration(bad, '--ttl');
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).exitCode).toBe(2);
      expect((e as CliError).message).toContain('--ttl');
    }
  });
});

describe('parseTimeOrAgo', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it('takes an ISO time or a duration ago', () => {
    expect(parseTimeOrAgo('2026-11-24T09:00:00+08:00', '--since', now)).toBe('2026-11-24T01:00:00.000Z');
    expect(parseTimeOrAgo('2h', '--since', now)).toBe('2026-11-24T10:00:00.000Z');
  });
});
