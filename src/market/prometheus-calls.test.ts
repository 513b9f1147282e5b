import { describe, expect, it } from 'vitest';
import { callSeriesOf, prometheusCallSource } from './prometheus-calls.ts';
import { countCalls } from './sharing-calls.ts';

const labels = (sn: string, sw: string, dn: string, dw: string) => ({
  source_workload_namespace: sn,
  source_workload: sw,
  destination_workload_namespace: dn,
  destination_workload: dw,
});

const series0 = () => ({
  metric: labels('edu-portal', 'web', 'tax-inv', 'gateway'),
  points: [[1_000_000, 3]] as Array<[number, number]>,
});

describe('Istio request rates from Prometheus as call series', () => {
  it('keys series by namespace/workload, adds series of the same pair, skips unknown or unlabelled ones', () => {
    const series = callSeriesOf(
      [
        {
          metric: labels('hrss-ssq', 'query', 'tax-inv', 'gateway'),
          points: [
            [1_000_000, 2],
            [1_015_000, 4],
          ],
        },
        // A second series of the same pair (another cluster's Prometheus label, say): added point by point.
        {
          metric: { ...labels('hrss-ssq', 'query', 'tax-inv', 'gateway'), cluster: 'b' },
          points: [
            [1_015_000, 1],
            [1_030_000, Number.NaN],
          ],
        },
        { metric: labels('edu-portal', 'web', 'tax-inv', 'gateway'), points: [[1_000_000, 3]] },
        { metric: labels('edu-portal', 'unknown', 'tax-inv', 'gateway'), points: [[1_000_000, 9]] },
        { metric: { source_workload: 'x', destination_workload: 'y' }, points: [[1_000_000, 9]] },
      ],
      [
        {
          metric: labels('hrss-ssq', 'query', 'tax-inv', 'gateway'),
          points: [
            [1_000_000, 1],
            [1_015_000, 1],
          ],
        },
      ],
    );
    expect(series).toEqual([
      {
        from: 'hrss-ssq/query',
        to: 'tax-inv/gateway',
        points: [
          [1000, 2],
          [1015, 5],
        ],
        errorPoints: [
          [1000, 1],
          [1015, 1],
        ],
      },
      { from: 'edu-portal/web', to: 'tax-inv/gateway', points: [[1000, 3]], errorPoints: [] },
    ]);
    // Counted for the subscriber's namespace only: 2/s for 15 s then 5/s for the last step, 2 of 7 per s failing.
    const hrss = countCalls(series, 'hrss-ssq', 'tax-inv/gateway', 1000, 1030);
    expect(hrss).toEqual({ calls: 105, perSecond: 5, errorRate: 0.2857, measured: true });
    expect(countCalls(series, 'edu-portal', 'tax-inv/gateway', 1000, 1030)).toEqual({
      calls: 45,
      perSecond: 3,
      errorRate: 0,
      measured: true,
    });
    // Without the 5xx query's result, no error rate at all (not a rate of 0).
    expect(countCalls(callSeriesOf([series0()]), 'edu-portal', 'tax-inv/gateway', 1000, 1030)).toEqual({
      calls: 45,
      perSecond: 3,
      measured: true,
    });
    expect(countCalls(series, 'edu', 'tax-inv/gateway', 1000, 1030)).toMatchObject({ calls: 0, measured: false });
  });

  it('asks query_range with the window filled in and a step that keeps long windows under 10,000 points', async () => {
    const asked: Array<Record<string, string>> = [];
    const fake = (async (_url: URL, init: { body: URLSearchParams }) => {
      asked.push(Object.fromEntries(init.body));
      return new Response(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }));
    }) as unknown as typeof fetch;
    const source = prometheusCallSource({ url: 'http://127.0.0.1:9', window: '30s', fetch: fake });
    expect(await source(0, 3600)).toEqual([]);
    expect(asked.map((a) => [a.query, a.step])).toEqual([
      [
        'sum by (source_workload_namespace, source_workload, destination_workload_namespace, destination_workload) (rate(istio_requests_total[30s]))',
        '15',
      ],
      [
        'sum by (source_workload_namespace, source_workload, destination_workload_namespace, destination_workload) (rate(istio_requests_total{response_code=~"5.."}[30s]))',
        '15',
      ],
    ]);
    asked.length = 0;
    await prometheusCallSource({ url: 'http://127.0.0.1:9', errorsQuery: '', fetch: fake })(0, 7 * 86_400);
    expect(asked.map((a) => a.step)).toEqual(['61']);
  });
});
