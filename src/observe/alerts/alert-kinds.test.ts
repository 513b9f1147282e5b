import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../../resources/envelope.ts';
import type { AlertRuleSpec } from './alert-kinds.ts';
import { alertRuleCauses, compileRule } from './alert-kinds.ts';
import { evaluateAlerts, windowsOf } from './evaluate.ts';
import { ruleExpr } from './prometheus-export.ts';
import { RingSignalWindows } from './signal-windows.ts';
import type { AlertTarget } from './signals.ts';
import { seriesKey } from './signals.ts';

const S = 1000;
const M = 60 * S;
const T0 = Date.parse('2026-03-01T00:00:00Z');

const object = (tenant: string, name: string, spec: AlertRuleSpec): StoredObject =>
  ({
    apiVersion: 'observe.polis.io/v1',
    kind: 'AlertRule',
    metadata: { name, tenant },
    spec,
  }) as unknown as StoredObject;

const growing: AlertRuleSpec = {
  severity: 'ticket',
  for: '30s',
  trend: { signal: 'latencyP99Ms', window: '5m', horizon: '10m', threshold: 1000, floor: 200, rising: '1m' },
};

const codes = (spec: AlertRuleSpec, tenant = 'edu') => alertRuleCauses(spec, tenant).map((c) => [c.path, c.code]);

describe('an AlertRule’s trend (predict_linear)', () => {
  it('is taken in a department on its own component signals, with defaults for what it leaves out', () => {
    expect(alertRuleCauses(growing, 'edu')).toEqual([]);
    const rule = compileRule(object('edu', 'p99-climbing', growing))!;
    expect(rule).toMatchObject({
      id: 'edu/p99-climbing',
      tenant: 'edu',
      symptom: true,
      forMs: 30 * S,
      expr: {
        kind: 'trend',
        signal: 'latencyP99Ms',
        windowMs: 5 * M,
        horizonMs: 10 * M,
        risingMs: M,
        threshold: 1000,
        floor: 200,
        minSamples: 4,
      },
    });
    const bare = compileRule(
      object('edu', 'bare', {
        severity: 'info',
        trend: { signal: 'errorRatio', window: '3m', horizon: '15m', threshold: 0.5 },
      }),
    )!;
    // No floor, rising a third of the window, 4 samples at least.
    expect(bare.expr).toMatchObject({ risingMs: M, floor: -Infinity, minSamples: 4 });
  });

  it('is refused naming the field: a cluster’s signal outside the platform space, an unknown one, no time, a rising as long as the window, two expressions', () => {
    expect(codes({ ...growing, trend: { ...growing.trend!, signal: 'nodeCpuMax' } })).toEqual([
      ['spec.trend.signal', 'AlertRuleSignalPlatformOnly'],
    ]);
    expect(alertRuleCauses({ ...growing, trend: { ...growing.trend!, signal: 'nodeCpuMax' } }, 'platform')).toEqual([]);
    expect(codes({ ...growing, trend: { ...growing.trend!, signal: 'heat' } })).toEqual([
      ['spec.trend.signal', 'AlertRuleSignalUnknown'],
    ]);
    expect(codes({ ...growing, trend: { ...growing.trend!, window: '0s', rising: undefined } })).toEqual([
      ['spec.trend.window', 'AlertRuleDurationZero'],
    ]);
    expect(codes({ ...growing, trend: { ...growing.trend!, horizon: 'soon' } })).toEqual([
      ['spec.trend.horizon', 'AlertRuleDurationInvalid'],
    ]);
    expect(codes({ ...growing, trend: { ...growing.trend!, rising: '5m' } })).toEqual([
      ['spec.trend.rising', 'AlertRuleTrendRising'],
    ]);
    expect(
      codes({ ...growing, threshold: { signal: 'cpuUtilization', window: '5m', op: '>', value: 0.9 } }).map(
        ([f, c]) => `${f} ${c}`,
      ),
    ).toEqual(['spec AlertRuleNeedsOneExpr']);
    expect(
      codes({ ...growing, selector: { cluster: 'gov-east' }, trend: { ...growing.trend!, signal: 'nodesNotReady' } }),
    ).toContainEqual(['spec.selector.cluster', 'AlertRuleSignalPlatformOnly']);
  });

  it('reads its own department’s series only, and says what it saw in a coded message', () => {
    const rule = compileRule(object('edu', 'p99-climbing', growing))!;
    const w = new RingSignalWindows();
    for (const [signal, ms] of windowsOf([rule])) w.want(signal, ms);
    const targets: AlertTarget[] = ['edu', 'tax'].map((tenant) => ({
      scope: 'component',
      labels: { tenant, app: 'portal', component: 'web' },
      clusters: ['gov-east'],
    }));
    // Both departments' p99 climbs 100 ms a minute from 300 ms: at 1000 ms within 10 minutes.
    for (let t = T0; t <= T0 + 5 * M; t += 15 * S)
      for (const x of targets) w.record(seriesKey('latencyP99Ms', x.labels), t, 300 + ((t - T0) / M) * 100);
    const first = evaluateAlerts({ rules: [rule], targets, windows: w, now: T0 + 5 * M, previous: new Map() });
    const second = evaluateAlerts({
      rules: [rule],
      targets,
      windows: w,
      now: T0 + 5 * M + 30 * S,
      previous: first.alerts,
    });
    const alerts = [...second.alerts.values()];
    expect(alerts.map((a) => [a.tenant, a.state])).toEqual([['edu', 'firing']]);
    expect(alerts[0]!.message.code).toBe('AlertTrendPredicted');
    expect(alerts[0]!.message.params).toMatchObject({ rule: 'p99-climbing', signal: 'latencyP99Ms', threshold: 1000 });
    // A flat p99 does not fire.
    const flat = new RingSignalWindows();
    for (let t = T0; t <= T0 + 5 * M; t += 15 * S) flat.record(seriesKey('latencyP99Ms', targets[0]!.labels), t, 900);
    expect(
      evaluateAlerts({ rules: [rule], targets, windows: flat, now: T0 + 5 * M, previous: new Map() }).alerts.size,
    ).toBe(0);
  });

  it('is exported as predict_linear over the department’s namespaces, without a floor clause when it has none', () => {
    const scope = { namespaces: ['edu-portal'] };
    const expr = ruleExpr(compileRule(object('edu', 'p99-climbing', growing))!, scope)!;
    expect(expr).toMatch(/^predict_linear\(\(histogram_quantile\(0\.99, .*\)\[5m:15s\], 600\) >= 1000 and deriv/);
    expect(expr).toContain('namespace=~"edu-portal"');
    expect(expr).toContain('>= 200 and');
    expect(expr).toContain('offset 1m');
    const bare = compileRule(
      object('edu', 'bare', {
        severity: 'info',
        trend: { signal: 'errorRatio', window: '3m', horizon: '15m', threshold: 0.5 },
      }),
    )!;
    expect(ruleExpr(bare, scope)).not.toContain('Infinity');
  });
});
