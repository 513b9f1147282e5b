import { describe, expect, it, vi } from 'vitest';
import {
  formatBytes,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatRelative,
  formatYuan,
  parseCpu,
  parseMemory,
  percentOf,
} from './format.ts';

const { NumberFormat, DateTimeFormat, RelativeTimeFormat } = Intl;

describe('figures as people read them', () => {
  it('reads Kubernetes quantities', () => {
    expect(parseCpu('500m')).toBe(0.5);
    expect(parseCpu('2')).toBe(2);
    expect(parseCpu('lots')).toBeUndefined();
    expect(parseMemory('512Mi')).toBe(512 * 1024 ** 2);
    expect(parseMemory('1G')).toBe(1e9);
  });
  it('writes bytes, shares and times in the user’s language', () => {
    expect(formatBytes(6.5 * 1024 ** 3, 'en')).toBe('6.5 GiB');
    expect(percentOf(5, 0)).toBe(0);
    expect(percentOf(30, 20)).toBe(100);
    expect(formatRelative('2026-11-24T08:00:00Z', Date.parse('2026-11-24T08:00:30Z'), 'en')).toBe('30 seconds ago');
    expect(formatRelative('2026-11-24T08:00:00Z', Date.parse('2026-11-24T08:00:30Z'), 'zh-CN')).toBe('30秒钟前');
    // A server clock slightly ahead: now, not "in 2 seconds".
    expect(formatRelative('2026-11-24T08:00:02Z', Date.parse('2026-11-24T08:00:00Z'), 'en')).toBe('now');
  });
});

describe('formatters are built once (issue 13: a table of 500 rows built one per cell)', () => {
  it('reuses one Intl formatter per locale and options across calls', () => {
    const counts = { number: 0, date: 0, relative: 0 };
    const spies = [
      vi.spyOn(Intl, 'NumberFormat').mockImplementation(function (this: unknown, ...a: unknown[]) {
        counts.number++;
        return new NumberFormat(...(a as [string]));
      } as unknown as typeof Intl.NumberFormat),
      vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(function (this: unknown, ...a: unknown[]) {
        counts.date++;
        return new DateTimeFormat(...(a as [string]));
      } as unknown as typeof Intl.DateTimeFormat),
      vi.spyOn(Intl, 'RelativeTimeFormat').mockImplementation(function (this: unknown, ...a: unknown[]) {
        counts.relative++;
        return new RelativeTimeFormat(...(a as [string]));
      } as unknown as typeof Intl.RelativeTimeFormat),
    ];
    try {
      const now = Date.parse('2026-11-24T08:00:30Z');
      for (let i = 0; i < 500; i++) {
        expect(formatNumber(1234.5 + i, 'en', 1)).toMatch(/^1,/);
        formatBytes(i * 1024 ** 3, 'zh-CN');
        formatPercent(i / 500, 'en');
        formatYuan(i, 'zh-CN');
        expect(formatDateTime('2026-11-24T08:00:00Z', 'en')).toMatch(/2026/);
        formatRelative('2026-11-24T08:00:00Z', now, 'en');
      }
      // A handful (one per locale and options), not thousands.
      expect(counts.number).toBeLessThanOrEqual(8);
      expect(counts.date).toBeLessThanOrEqual(1);
      expect(counts.relative).toBeLessThanOrEqual(1);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });
});
