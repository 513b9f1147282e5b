import { describe, expect, it } from 'vitest';
import { aggregateSeries } from './aggregate.ts';
import { decodeChunk, encodeChunk, type Point } from './chunk-codec.ts';
import { combine, resample, rollup } from './downsample.ts';
import { parseDuration, parseInstant } from './history-params.ts';
import { matches } from './history-backend.ts';
import { componentTargetsOf } from './history-sampler.ts';
import { parseSubset } from './promql-subset.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import { TIERS, tierFor } from './tiers.ts';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('history chunks', () => {
  it('round-trip points to the resolution, skipping gaps and non-finite values', () => {
    const points: Point[] = [
      [T0, 1.234567],
      [T0 + 15_000, 1.2351],
      [T0 + 60_000, 0],
      [T0 + 75_000, NaN],
      [T0 + 90_000, 123456.789],
      [T0 + 105_000, -3.5],
    ];
    const decoded = decodeChunk(encodeChunk(points, T0, 15_000, 0.001), T0, 15_000);
    expect(decodeChunk(encodeChunk(points, T0, 15_000, 0.001, false), T0, 15_000)).toEqual(decoded);
    expect(decoded).toEqual([
      [T0, 1.235],
      [T0 + 15_000, 1.235],
      [T0 + 60_000, 0],
      [T0 + 90_000, 123456.789],
      [T0 + 105_000, -3.5],
    ]);
  });

  it('cost about a byte a point or less for a smooth series, and almost nothing for a constant one', () => {
    const smooth: Point[] = Array.from({ length: 360 }, (_, i) => [
      T0 + i * 60_000,
      100 + 80 * Math.sin((i / 360) * Math.PI),
    ]);
    const constant: Point[] = smooth.map(([t]) => [t, 3]);
    expect(encodeChunk(smooth, T0, 60_000, 0.001).length).toBeLessThanOrEqual(360);
    expect(encodeChunk(constant, T0, 60_000, 1).length).toBeLessThan(40);
  });
});

describe('downsampling', () => {
  it('averages into slots (or keeps the largest, for counts)', () => {
    const points: Point[] = [
      [T0, 1],
      [T0 + 15_000, 3],
      [T0 + 60_000, 10],
      [T0 + 75_000, 20],
    ];
    expect(rollup(points, 60_000, 'avg')).toEqual([
      [T0, 2],
      [T0 + 60_000, 15],
    ]);
    expect(rollup(points, 60_000, 'max')).toEqual([
      [T0, 3],
      [T0 + 60_000, 20],
    ]);
  });

  it('resamples onto a grid from the points in each step, NaN where there are none', () => {
    const points: Point[] = [
      [T0, 1],
      [T0 + 60_000, 3],
      [T0 + 120_000, 5],
    ];
    // Each instant takes the points of (g − step, g]: the steps do not overlap.
    const grid = [T0, T0 + 120_000, T0 + 240_000];
    const values = resample(points, grid, 120_000, 60_000, 'avg');
    expect(values.slice(0, 2)).toEqual([1, 4]);
    expect(values[2]).toBeNaN();
  });

  it('combines series point by point, ignoring gaps', () => {
    expect(
      combine(
        [
          [1, NaN, 3],
          [2, NaN, NaN],
        ],
        'sum',
        3,
      ),
    ).toEqual([3, NaN, 3]);
    expect(
      combine(
        [
          [1, 4],
          [3, 2],
        ],
        'mean',
        2,
      ),
    ).toEqual([2, 3]);
    expect(
      combine(
        [
          [1, 4],
          [3, 2],
        ],
        'max',
        2,
      ),
    ).toEqual([3, 4]);
  });

  it('reads the finest tier that reaches back far enough without too many points', () => {
    const now = T0 + 100 * DAY;
    expect(tierFor(now, now - HOUR)).toBe(TIERS[0]);
    expect(tierFor(now, now - 6 * HOUR)).toBe(TIERS[0]);
    expect(tierFor(now, now - 7 * HOUR)).toBe(TIERS[1]);
    expect(tierFor(now, now - 7 * DAY)).toBe(TIERS[1]);
    expect(tierFor(now, now - 8 * DAY)).toBe(TIERS[2]);
    expect(tierFor(now, now - 30 * DAY)).toBe(TIERS[2]);
    // Ten days ago, for a day: minutes are gone, hours remain.
    expect(tierFor(now, now - 10 * DAY, now - 9 * DAY)).toBe(TIERS[2]);
  });
});

describe('the PromQL subset', () => {
  it('parses selectors with every matcher kind, and aggregations in both orders', () => {
    const a = parseSubset(
      'polis_component_requests_per_second{app="web", tenant!="x", component=~"a|b", node!~\'n.*\'}',
    );
    expect(a).toEqual({
      ok: true,
      query: {
        matchers: [
          { label: '__name__', op: '=', value: 'polis_component_requests_per_second' },
          { label: 'app', op: '=', value: 'web' },
          { label: 'tenant', op: '!=', value: 'x' },
          { label: 'component', op: '=~', value: 'a|b' },
          { label: 'node', op: '!~', value: 'n.*' },
        ],
      },
    });
    const b = parseSubset('sum by (app) (polis_component_requests_per_second)');
    const c = parseSubset('sum(polis_component_requests_per_second) by (app)');
    expect(b).toEqual(c);
    expect(b.ok && b.query.aggregate).toEqual({ op: 'sum', mode: 'by', labels: ['app'] });
    expect(parseSubset('{__name__=~"polis_.*"}').ok).toBe(true);
  });

  it('refuses what it does not evaluate, saying what it accepts', () => {
    for (const q of ['rate(x[5m])', 'x[5m]', 'x + y', '{}', 'x{a="b"', 'x{a=~"("}']) {
      const r = parseSubset(q);
      expect(r.ok, q).toBe(false);
    }
    const r = parseSubset('x * 2');
    expect(!r.ok && r.problem).toMatch(/selector such as/);
  });

  it('matches anchored regular expressions and absent labels as empty', () => {
    expect(matches({ app: 'web' }, [{ label: 'app', op: '=~', value: 'we' }])).toBe(false);
    expect(matches({ app: 'web' }, [{ label: 'app', op: '=~', value: 'w.b' }])).toBe(true);
    expect(matches({ app: 'web' }, [{ label: 'node', op: '=', value: '' }])).toBe(true);
  });

  it('aggregates by and without labels', () => {
    const s = [
      { labels: { __name__: 'm', app: 'a', component: 'x' }, values: [1, 2] },
      { labels: { __name__: 'm', app: 'a', component: 'y' }, values: [3, NaN] },
      { labels: { __name__: 'm', app: 'b', component: 'x' }, values: [5, 6] },
    ];
    expect(aggregateSeries(s, { op: 'sum', mode: 'by', labels: ['app'] }, 2)).toEqual([
      { labels: { app: 'a' }, values: [4, 2] },
      { labels: { app: 'b' }, values: [5, 6] },
    ]);
    expect(aggregateSeries(s, { op: 'max', mode: 'without', labels: ['component'] }, 2)).toEqual([
      { labels: { app: 'a' }, values: [3, 2] },
      { labels: { app: 'b' }, values: [5, 6] },
    ]);
    expect(aggregateSeries(s, { op: 'count', mode: 'by', labels: [] }, 2)).toEqual([{ labels: {}, values: [3, 2] }]);
  });
});

describe('query parameters', () => {
  it('reads durations and instants as Prometheus writes them', () => {
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(7 * DAY);
    expect(parseDuration('60')).toBe(60_000);
    expect(parseDuration('abc')).toBeUndefined();
    expect(parseInstant('2026-12-01T00:00:00Z')).toBe(T0);
    expect(parseInstant(String(T0 / 1000))).toBe(T0);
    expect(parseInstant('yesterday')).toBeUndefined();
  });
});

describe('the components a history samples of an application', () => {
  const app = (generation: number, replicas: number[], status?: Record<string, unknown>): StoredObject =>
    ({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'shop', tenant: 'edu', uid: 'uid-shop', generation, resourceVersion: String(generation) },
      spec: {
        components: replicas.map((n, i) => ({
          name: `c${i}`,
          type: 'webservice',
          properties: { image: 'nginx:1', port: 80 },
          traits: [{ type: 'scaler', properties: { replicas: n } }],
        })),
      },
      ...(status ? { status } : {}),
    }) as unknown as StoredObject;

  it('follows the spec by generation and the namespace from the status of each call', () => {
    const first = componentTargetsOf(app(1, [2, 0, 1]));
    expect(first.map((t) => t.component)).toEqual(['c0', 'c2']);
    // A status write keeps the generation: the same components, in the namespace the status names now.
    const moved = componentTargetsOf(app(1, [2, 0, 1], { namespace: 'edu-shop-2' }));
    expect(moved.map((t) => [t.component, t.namespace])).toEqual([
      ['c0', 'edu-shop-2'],
      ['c2', 'edu-shop-2'],
    ]);
    // A new generation (the spec changed) is rendered again.
    expect(componentTargetsOf(app(2, [0, 3])).map((t) => t.component)).toEqual(['c1']);
  });
});
