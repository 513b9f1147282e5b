import { describe, expect, it } from 'vitest';
import { saturationReason } from './saturation-reason.ts';

describe('the Saturated reason in the console', () => {
  const since = new Date(2026, 10, 24, 9, 5).toISOString();
  it('renders CPU saturation in zh-CN and en from its parameters', () => {
    const s = { signal: 'cpu' as const, value: 0.987, threshold: 0.9, since };
    expect(saturationReason(s, 'zh')).toBe('资源饱和：CPU 达到申请量的 99%（阈值 90%），自 09:05 起');
    expect(saturationReason(s, 'en')).toBe('Saturated: CPU at 99% of requests (threshold 90%) since 09:05');
  });
  it('renders latency over the objective', () => {
    const s = { signal: 'latency' as const, value: 5600, threshold: 500, since };
    expect(saturationReason(s, 'en')).toContain('p99 latency 5600 ms over the objective of 500 ms');
    expect(saturationReason(s, 'zh')).toContain('p99 延迟 5600 毫秒');
  });
});
