import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERIES, expandQuery, windowProblem } from './queries.ts';

const ref = { tenant: 'edu', app: 'portal', namespace: 'edu-portal', component: 'web' };

describe('PromQL templates', () => {
  it('fill the component, window and grouping', () => {
    expect(expandQuery(DEFAULT_QUERIES.requestsPerSecond, ref, { by: 'cluster', window: '1m' })).toBe(
      'sum by (cluster) (rate(http_requests_total{namespace="edu-portal", service="web"}[1m]))',
    );
    expect(expandQuery(DEFAULT_QUERIES.latencyP99Ms, ref, { by: '', window: '30s' })).toContain(
      'sum by (le, ) (rate(http_request_duration_seconds_bucket{namespace="edu-portal", service="web"}[30s]))',
    );
    const cpu = expandQuery(DEFAULT_QUERIES.cpuUtilization, ref, { by: 'cluster', window: '1m' });
    expect(cpu).not.toMatch(/\$[a-z]/);
    expect(cpu).toContain('label_app_oam_dev_component="web"');
  });

  it('escape names inside string literals and leave other dollars alone', () => {
    const q = expandQuery(
      'label_replace(x{a="$component", t="$tenant/$app"}, "d", "$1", "s", "(.*)") $unknown',
      {
        ...ref,
        component: 'we"b\\',
      },
      { by: '', window: '1m' },
    );
    expect(q).toBe('label_replace(x{a="we\\"b\\\\", t="edu/portal"}, "d", "$1", "s", "(.*)") $unknown');
  });

  it('take PromQL durations as the window', () => {
    expect(windowProblem('1m')).toBeUndefined();
    expect(windowProblem('1m30s')).toBeUndefined();
    expect(windowProblem('60')).toMatch(/not a PromQL duration/);
  });
});
