import { describe, expect, it } from 'vitest';
import { formatBytes, formatRelative, parseCpu, parseMemory, percentOf } from './format.ts';

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
