import { describe, expect, it } from 'vitest';
import type { Alert } from './evaluate.ts';
import { evaluateAlerts, windowsOf } from './evaluate.ts';
import { BUILTIN_RULES, PLATFORM_RULES, SLO_RULES } from './rules.ts';
import type { CompiledRule } from './rules.ts';
import { ruleExpr } from './prometheus-export.ts';
import { RingSignalWindows } from './signal-windows.ts';
import type { AlertTarget } from './signals.ts';
import { seriesKey } from './signals.ts';
import { DEFAULT_SLO } from './slo-policy.ts';

const S = 1000;
const M = 60 * S;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const web = { tenant: 'edu', app: 'portal', component: 'web' };
const webTarget: AlertTarget = { scope: 'component', labels: web, clusters: ['gov-east'], slo: DEFAULT_SLO };
const east: AlertTarget = { scope: 'cluster', labels: { cluster: 'gov-east' } };

function windows(): RingSignalWindows {
  const w = new RingSignalWindows();
  for (const [signal, ms] of windowsOf(BUILTIN_RULES)) w.want(signal, ms);
  return w;
}

/** Samples every 15 s from `from` to `to` of requests with the given error ratio (and p99). */
function traffic(w: RingSignalWindows, from: number, to: number, errorRatio: number, p99 = 100): void {
  for (let t = from; t <= to; t += 15 * S) {
    w.record(seriesKey('requestsPerSecond', web), t, 100);
    w.record(seriesKey('errorsPerSecond', web), t, 100 * errorRatio);
    w.record(seriesKey('slowSample', web), t, p99 > DEFAULT_SLO.latency.thresholdMs ? 1 : 0);
  }
}

function run(
  w: RingSignalWindows,
  now: number,
  previous: ReadonlyMap<string, Alert> = new Map(),
  rules: readonly CompiledRule[] = BUILTIN_RULES,
  targets: readonly AlertTarget[] = [webTarget, east],
) {
  return evaluateAlerts({ rules, targets, windows: w, now, previous });
}

describe('SLO burn-rate alerts', () => {
  it('pages at 14.4x when both the hour and the last 5 minutes burn, not on a short spike alone', () => {
    const w = windows();
    // An hour at 0.1 % errors (burn 1x), then 5 minutes at 10 %: the hour burns ~ 8.6x, below 14.4x.
    traffic(w, T0, T0 + 60 * M, 0.001);
    traffic(w, T0 + 60 * M + 15 * S, T0 + 65 * M, 0.1);
    let r = run(w, T0 + 65 * M);
    // (The 6x and 1x pairs do fire: this service has no more than these 65 minutes behind it.)
    expect([...r.alerts.keys()].filter((k) => k.startsWith('builtin:slo-availability-14.4x'))).toEqual([]);
    // Another 25 minutes at 50 %: the hour burns ~ 250x, the last 5 minutes 500x.
    traffic(w, T0 + 65 * M + 15 * S, T0 + 90 * M, 0.5);
    r = run(w, T0 + 90 * M);
    const fired = r.transitions.filter((t) => t.type === 'fired').map((t) => t.alert.rule);
    expect(fired).toContain('slo-availability-burn-14-4x');
    const page = r.alerts.get(`builtin:slo-availability-14.4x|{app="portal",component="web",tenant="edu"}`)!;
    expect(page.severity).toBe('page');
    expect(page.message.code).toBe('AlertAvailabilityBudgetBurn');
    expect(page.message.params).toMatchObject({ target: 'edu/portal/web', factor: 14.4, long: '1h', short: '5m' });
  });

  it('resolves when the short window recovers, even though the hour still burns', () => {
    const w = windows();
    traffic(w, T0, T0 + 60 * M, 0.5);
    const first = run(w, T0 + 60 * M);
    expect(first.transitions.map((t) => t.alert.rule)).toContain('slo-availability-burn-14-4x');
    traffic(w, T0 + 60 * M + 15 * S, T0 + 70 * M, 0);
    const second = run(w, T0 + 70 * M, first.alerts);
    const resolved = second.transitions.filter((t) => t.type === 'resolved').map((t) => t.alert.rule);
    expect(resolved).toContain('slo-availability-burn-14-4x');
  });

  it('resolves each pair once its short window is clean after a fault: the 6x in ~30 min, the 1x ticket in ~6 h', () => {
    const w = windows();
    // Six hours well (0.05 %), then 20 minutes at 50 % errors, then well again; evaluated every minute.
    traffic(w, T0, T0 + 6 * 60 * M, 0.0005);
    let alerts = new Map<string, Alert>();
    const fired = new Map<string, number>();
    const resolved = new Map<string, number>();
    const end = T0 + 6 * 60 * M + 20 * M;
    for (let t = T0 + 6 * 60 * M + M; t <= end + 7 * 60 * M; t += M) {
      traffic(w, t - 45 * S, t, t <= end ? 0.5 : 0.0005);
      const r = run(w, t, alerts, SLO_RULES);
      alerts = r.alerts;
      for (const x of r.transitions) (x.type === 'fired' ? fired : resolved).set(x.alert.rule, t);
    }
    for (const rule of ['slo-availability-burn-14-4x', 'slo-availability-burn-6x', 'slo-availability-burn-1x'])
      expect(fired.get(rule), rule).toBeLessThanOrEqual(end);
    // After the fault: the 14.4x within its 5 minutes, the 6x within its 30 (the 6 h still burns at ~28x), the
    // ticket within its 6 hours (a bucket of each window's 20 later at most).
    const after = (rule: string) => (resolved.get(rule)! - end) / M;
    expect(after('slo-availability-burn-14-4x')).toBeLessThanOrEqual(5 + 1);
    expect(after('slo-availability-burn-6x')).toBeLessThanOrEqual(30 + 2);
    expect(after('slo-availability-burn-1x')).toBeLessThanOrEqual(6 * 60 + 18);
    expect(after('slo-availability-burn-6x')).toBeGreaterThan(5);
  });

  it('reads latency as the share of samples whose p99 is over the threshold', () => {
    const w = windows();
    traffic(w, T0, T0 + 60 * M, 0, 5600);
    const r = run(w, T0 + 60 * M, new Map(), SLO_RULES);
    expect(r.transitions.map((t) => t.alert.message.code)).toContain('AlertLatencyBudgetBurn');
  });

  it('gives no SLO alert to a component without objectives', () => {
    const w = windows();
    traffic(w, T0, T0 + 60 * M, 0.5);
    const worker: AlertTarget = { scope: 'component', labels: web };
    expect(run(w, T0 + 60 * M, new Map(), SLO_RULES, [worker]).alerts.size).toBe(0);
  });
});

describe('threshold rules', () => {
  const saturated = PLATFORM_RULES.find((r) => r.name === 'component-saturated')!;

  it('goes pending, then fires once its for duration has passed, then resolves', () => {
    const w = windows();
    const key = seriesKey('cpuUtilization', web);
    for (let t = T0; t <= T0 + 90 * S; t += 15 * S) w.record(key, t, 0.97);
    // The minute's average is over 90 % from 60 s: pending, its minute of `for` not yet up.
    const a = run(w, T0 + 90 * S, new Map(), [saturated]);
    expect([...a.alerts.values()].map((x) => x.state)).toEqual(['pending']);
    expect(a.transitions).toEqual([]);
    for (let t = T0 + 105 * S; t <= T0 + 3 * M; t += 15 * S) w.record(key, t, 0.97);
    const b = run(w, T0 + 3 * M, a.alerts, [saturated]);
    expect(b.transitions.map((t) => [t.type, t.alert.state])).toEqual([['fired', 'firing']]);
    expect(b.transitions[0]!.alert.message).toMatchObject({ code: 'AlertSaturated', params: { percent: 97 } });
    for (let t = T0 + 3 * M + 15 * S; t <= T0 + 5 * M; t += 15 * S) w.record(key, t, 0.3);
    const c = run(w, T0 + 5 * M, b.alerts, [saturated]);
    expect(c.transitions.map((t) => t.type)).toEqual(['resolved']);
    // Listed as resolved for a while, then gone.
    const d = run(w, T0 + 30 * M, c.alerts, [saturated]);
    expect(d.alerts.size).toBe(0);
  });

  /**
   * Each platform page, a round every 15 s: a fault that lasts pages within 2 minutes of its first bad sample, a
   * blip shorter than the rule's window and `for` (one missed probe, a kubelet restart, a CPU burst) never does.
   */
  const pages: Array<{
    rule: string;
    signal: 'clusterUnreachable' | 'nodesNotReady' | 'crashLooping' | 'cpuUtilization' | 'cpuThrottled';
    labels: Record<string, string>;
    good: number;
    bad: number;
    blipS: number;
  }> = [
    {
      rule: 'cluster-unreachable',
      signal: 'clusterUnreachable',
      labels: { cluster: 'gov-east' },
      good: 0,
      bad: 1,
      blipS: 45,
    },
    { rule: 'node-not-ready', signal: 'nodesNotReady', labels: { cluster: 'gov-east' }, good: 0, bad: 1, blipS: 45 },
    { rule: 'crash-loop', signal: 'crashLooping', labels: web, good: 0, bad: 1, blipS: 45 },
    { rule: 'component-saturated', signal: 'cpuUtilization', labels: web, good: 0.5, bad: 1, blipS: 90 },
    // A ticket, held to the same: pinned at its CPU limit (throttled in every period) for 2 minutes, not a burst.
    { rule: 'cpu-throttled', signal: 'cpuThrottled', labels: web, good: 0.1, bad: 1, blipS: 45 },
  ];
  for (const p of pages)
    it(`${p.rule}: pages within 2 minutes of a lasting fault, not on a ${p.blipS} s blip`, () => {
      const rule = [PLATFORM_RULES.find((r) => r.name === p.rule)!];
      /** Rounds from T0 for 20 minutes, bad from `from` for `lastingS`; the time of the first firing, if any. */
      const firstFiring = (lastingS: number): number | undefined => {
        const w = windows();
        let alerts = new Map<string, Alert>();
        const from = T0 + 10 * M;
        for (let t = T0; t <= T0 + 20 * M; t += 15 * S) {
          const bad = t >= from && t < from + lastingS * S;
          w.record(seriesKey(p.signal, p.labels), t, bad ? p.bad : p.good);
          const r = run(w, t, alerts, rule);
          alerts = r.alerts;
          if (r.transitions.some((x) => x.type === 'fired')) return (t - from) / S;
        }
        return undefined;
      };
      expect(firstFiring(p.blipS)).toBeUndefined();
      expect(firstFiring(600)).toBeLessThanOrEqual(120);
    });

  it('lets a department rule read only its own department’s series', () => {
    const w = windows();
    const tax = { tenant: 'tax', app: 'portal', component: 'web' };
    for (const labels of [web, tax]) w.record(seriesKey('cpuUtilization', labels), T0, 0.99);
    const rule: CompiledRule = { ...saturated, id: 'edu/hot', name: 'hot', tenant: 'edu', forMs: 0 };
    const r = run(w, T0, new Map(), [rule], [webTarget, { scope: 'component', labels: tax }]);
    expect([...r.alerts.values()].map((a) => a.tenant)).toEqual(['edu']);
  });
});

describe('inhibition', () => {
  it('holds back the symptoms of components on an unreachable cluster, and says by what', () => {
    const w = windows();
    const down = (from: number, to: number) => {
      for (let t = from; t <= to; t += 15 * S) {
        w.record(seriesKey('clusterUnreachable', { cluster: 'gov-east' }), t, 1);
        w.record(seriesKey('crashLooping', web), t, 1);
      }
      traffic(w, from, to, 1);
    };
    down(T0, T0 + 3 * M);
    const first = run(w, T0 + 3 * M);
    down(T0 + 3 * M + 15 * S, T0 + 60 * M);
    const second = run(w, T0 + 60 * M, first.alerts);
    const all = [...second.alerts.values()];
    const dead = all.find((a) => a.rule === 'cluster-unreachable')!;
    expect(dead.state).toBe('firing');
    expect(dead.inhibitedBy).toBeUndefined();
    const symptoms = all.filter((a) => a.labels.component === 'web' && a.state === 'firing');
    expect(symptoms.length).toBeGreaterThan(0);
    for (const s of symptoms)
      expect(s.inhibitedBy).toEqual({ key: dead.key, rule: 'cluster-unreachable', cluster: 'gov-east' });
  });
});

describe('RingSignalWindows', () => {
  it('aggregates over the window and forgets what fell out of it', () => {
    const w = new RingSignalWindows({ slots: 10 });
    for (let i = 0; i < 20; i++) w.record('x', T0 + i * M, i);
    // Not wanted: the first read makes the ring, with the newest sample only.
    expect(w.aggregate('x', 10 * M, 'count', T0 + 19 * M)).toBe(1);
    for (let i = 20; i < 40; i++) w.record('x', T0 + i * M, i);
    expect(w.aggregate('x', 10 * M, 'max', T0 + 39 * M)).toBe(39);
    expect(w.aggregate('x', 10 * M, 'min', T0 + 39 * M)).toBe(30);
    expect(w.aggregate('x', 10 * M, 'count', T0 + 39 * M)).toBe(10);
    expect(w.aggregate('x', 10 * M, 'last', T0 + 39 * M)).toBe(39);
    expect(w.aggregate('x', 10 * M, 'avg', T0 + 80 * M)).toBeUndefined();
    const kept = new RingSignalWindows({ slots: 10 });
    kept.want('x', 10 * M);
    for (let i = 0; i < 20; i++) kept.record('x', T0 + i * M, i);
    expect(kept.aggregate('x', 10 * M, 'avg', T0 + 19 * M)).toBe(14.5);
  });
});

describe('latency-degraded (a departure from the component’s own normal)', () => {
  const rule = PLATFORM_RULES.find((r) => r.id === 'builtin:latency-degraded')!;
  const p99 = (w: RingSignalWindows, from: number, to: number, ms: (t: number) => number) => {
    for (let t = from; t <= to; t += 15 * S) w.record(seriesKey('latencyP99Ms', web), t, ms(t));
  };
  /** Evaluates every 15 s from `from` to `to`; the rounds at which the rule fires. */
  const rounds = (w: RingSignalWindows, from: number, to: number, ms: (t: number) => number) => {
    let prev: ReadonlyMap<string, Alert> = new Map();
    const fired: number[] = [];
    for (let t = from; t <= to; t += 15 * S) {
      p99(w, t, t, ms);
      const r = run(w, t, prev, [rule]);
      prev = r.alerts;
      if (r.transitions.some((x) => x.type === 'fired')) fired.push(t);
    }
    return { fired, alerts: prev };
  };
  const H6 = 6 * 60 * M;
  // A normal with some noise: 60–80 ms.
  const normal = (t: number) => 70 + 10 * Math.sin(t / 47_000);

  it('fires on a step to 3× the normal within about 2 minutes, with the baseline in its message', () => {
    const w = windows();
    p99(w, T0, T0 + H6, normal);
    const { fired, alerts } = rounds(w, T0 + H6 + 15 * S, T0 + H6 + 5 * M, () => 250);
    expect(fired.length).toBe(1);
    expect(fired[0]! - (T0 + H6)).toBeLessThanOrEqual(2 * M);
    const a = [...alerts.values()][0]!;
    expect(a.severity).toBe('ticket');
    expect(a.message.code).toBe('AlertBaselineDeparted');
    expect(a.message.params).toMatchObject({ target: 'edu/portal/web', value: 250, factor: 2, floor: 100 });
    expect(Number(a.message.params?.baseline)).toBeGreaterThan(60);
    expect(Number(a.message.params?.baseline)).toBeLessThan(80);
  });

  it('does not fire on a blip of 45 s, nor on a step too small in absolute terms (2.5× of 40 ms)', () => {
    const w = windows();
    p99(w, T0, T0 + H6, normal);
    const blip = rounds(w, T0 + H6 + 15 * S, T0 + H6 + 10 * M, (t) => (t <= T0 + H6 + 45 * S ? 900 : normal(t)));
    expect(blip.fired).toEqual([]);
    const low = windows();
    p99(low, T0, T0 + H6, () => 40);
    expect(rounds(low, T0 + H6 + 15 * S, T0 + H6 + 10 * M, () => 100).fired).toEqual([]);
  });

  it('does not fire on a slow diurnal rise (p99 doubling over 6 hours), nor without 3 buckets of history', () => {
    const w = windows();
    const rise = (t: number) => 60 + (60 * (t - T0)) / (12 * 60 * M);
    expect(rounds(w, T0, T0 + 12 * 60 * M, rise).fired).toEqual([]);
    const fresh = windows();
    expect(rounds(fresh, T0, T0 + 30 * M, (t) => (t < T0 + 15 * M ? 50 : 500)).fired).toEqual([]);
  });

  it('keeps its normal through an earlier fault of 15 minutes', () => {
    const w = windows();
    p99(w, T0, T0 + H6, (t) => (t > T0 + 2 * 60 * M && t < T0 + 2 * 60 * M + 15 * M ? 600 : normal(t)));
    expect(rounds(w, T0 + H6 + 15 * S, T0 + H6 + 3 * M, () => 300).fired.length).toBe(1);
  });
});

/** Evaluates `rule` every 15 s from `from` to `to` with the web's memory(t) sampled: the rounds it fired at. */
function memoryRounds(rule: CompiledRule, from: number, to: number, memory: (t: number) => number) {
  const w = windows();
  let prev: ReadonlyMap<string, Alert> = new Map();
  const fired: number[] = [];
  for (let t = from; t <= to; t += 15 * S) {
    w.record(seriesKey('memoryOfLimit', web), t, memory(t));
    const r = run(w, t, prev, [rule]);
    prev = r.alerts;
    if (r.transitions.some((x) => x.type === 'fired')) fired.push(t);
  }
  return { fired, alerts: prev };
}

describe('memory-near-limit', () => {
  const rule = PLATFORM_RULES.find((r) => r.id === 'builtin:memory-near-limit')!;
  expect(rule.severity).toBe('ticket');
  const rounds = (from: number, to: number, memory: (t: number) => number) =>
    memoryRounds(rule, from, to, memory).fired;

  it('fires on a leak that climbs to its OOM kill again and again, within 2 minutes of first reaching 90 %', () => {
    // From 40 % to the limit in 3 minutes, killed, again.
    const leak = (t: number) => 0.4 + 0.6 * (((t - T0) % (3 * M)) / (3 * M));
    const fired = rounds(T0, T0 + 10 * M, leak);
    expect(fired.length).toBe(1);
    expect(fired[0]! - (T0 + 2.5 * M)).toBeLessThanOrEqual(2 * M + 15 * S);
  });

  it('does not fire on a container at 80 % with peaks to 88 %; one excursion to 95 % is a ticket 2 minutes on', () => {
    expect(rounds(T0, T0 + 10 * M, (t) => (Math.floor((t - T0) / M) % 3 === 0 ? 0.88 : 0.8))).toEqual([]);
    // Within 10 % of its OOM kill once: worth a look (a ticket), not debounced away.
    const once = rounds(T0, T0 + 10 * M, (t) => (t >= T0 + M && t < T0 + M + 30 * S ? 0.95 : 0.5));
    expect(once).toEqual([T0 + 3 * M]);
  });
});

describe('node-cpu-saturated', () => {
  const rule = PLATFORM_RULES.find((r) => r.id === 'builtin:node-cpu-saturated')!;
  const rounds = (cpu: (t: number) => number) => {
    const w = windows();
    let prev: ReadonlyMap<string, Alert> = new Map();
    const fired: number[] = [];
    for (let t = T0; t <= T0 + 10 * M; t += 15 * S) {
      w.record(seriesKey('nodeCpuMax', { cluster: 'gov-east' }), t, cpu(t));
      const r = run(w, t, prev, [rule]);
      prev = r.alerts;
      for (const x of r.transitions) if (x.type === 'fired') fired.push(t);
    }
    return { fired, alerts: [...prev.values()] };
  };

  it('pages the cluster (no department) within about 2 minutes of a node held at 97 %', () => {
    const { fired, alerts } = rounds((t) => (t >= T0 + M ? 0.97 : 0.5));
    expect(fired.length).toBe(1);
    expect(fired[0]! - (T0 + M)).toBeLessThanOrEqual(2 * M);
    expect(alerts[0]!.tenant).toBeUndefined();
    expect(alerts[0]!.message.code).toBe('AlertNodeCpuSaturated');
  });

  it('does not page on a 45 s burst, nor at 90 %', () => {
    expect(rounds((t) => (t >= T0 + M && t < T0 + M + 45 * S ? 1 : 0.5)).fired).toEqual([]);
    expect(rounds(() => 0.9).fired).toEqual([]);
  });
});

describe('error-ratio-elevated (errors above the component’s own normal, without the burn-rate windows)', () => {
  const rule = PLATFORM_RULES.find((r) => r.id === 'builtin:error-ratio-elevated')!;
  const H6 = 6 * 60 * M;
  // Error ratios of a component serving `rps` requests a second (5 unless told).
  const ratio = (w: RingSignalWindows, from: number, to: number, r: (t: number) => number, rps = 5) => {
    for (let t = from; t <= to; t += 15 * S) {
      w.record(seriesKey('errorRatio', web), t, r(t));
      w.record(seriesKey('requestsPerSecond', web), t, rps);
    }
  };
  const rounds = (w: RingSignalWindows, from: number, to: number, r: (t: number) => number, rps = 5) => {
    let prev: ReadonlyMap<string, Alert> = new Map();
    const fired: number[] = [];
    for (let t = from; t <= to; t += 15 * S) {
      ratio(w, t, t, r, rps);
      const x = run(w, t, prev, [rule]);
      prev = x.alerts;
      if (x.transitions.some((y) => y.type === 'fired')) fired.push(t);
    }
    return { fired, alerts: prev };
  };

  it('pages on a lasting 10 % of errors within 2 minutes, with the normal in its message', () => {
    const w = windows();
    ratio(w, T0, T0 + H6, () => 0.001);
    const { fired, alerts } = rounds(w, T0 + H6 + 15 * S, T0 + H6 + 10 * M, () => 0.1);
    expect(fired.length).toBe(1);
    expect(fired[0]! - (T0 + H6)).toBeLessThanOrEqual(2 * M);
    const a = [...alerts.values()][0]!;
    expect(a.severity).toBe('page');
    expect(a.message.code).toBe('AlertErrorRatioElevated');
    expect(a.message.params).toMatchObject({ target: 'edu/portal/web', percent: 10, baseline: 0.1, floor: 5 });
  });

  it('does not fire on a 45 s blip of 50 %, nor on 4 % (under the 5-point floor), nor on its usual 6 %', () => {
    const w = windows();
    ratio(w, T0, T0 + H6, () => 0);
    const end = T0 + H6 + 10 * M;
    expect(rounds(w, T0 + H6 + 15 * S, end, (t) => (t <= T0 + H6 + 45 * S ? 0.5 : 0)).fired).toEqual([]);
    const small = windows();
    ratio(small, T0, T0 + H6, () => 0);
    expect(rounds(small, T0 + H6 + 15 * S, end, () => 0.04).fired).toEqual([]);
    const usual = windows();
    ratio(usual, T0, T0 + H6, () => 0.06);
    expect(rounds(usual, T0 + H6 + 15 * S, end, () => 0.1).fired).toEqual([]);
    // Twice its usual 6 % and 5 points over it: it does.
    expect(rounds(usual, end + 15 * S, end + 10 * M, () => 0.2).fired.length).toBe(1);
  });

  it('needs a normal: a component without 3 buckets of history does not page', () => {
    const w = windows();
    expect(rounds(w, T0, T0 + 30 * M, (t) => (t < T0 + 15 * M ? 0 : 0.3)).fired).toEqual([]);
  });

  it('leaves a component of fewer than 20 requests a minute to its SLO: a few failed calls are chance', () => {
    const w = windows();
    ratio(w, T0, T0 + H6, () => 0, 0.2);
    // 12 requests a minute, half of them failing for 10 minutes: no page from this rule.
    expect(rounds(w, T0 + H6 + 15 * S, T0 + H6 + 10 * M, () => 0.5, 0.2).fired).toEqual([]);
    // The same at 30 requests a minute pages.
    const busier = windows();
    ratio(busier, T0, T0 + H6, () => 0, 0.5);
    expect(rounds(busier, T0 + H6 + 15 * S, T0 + H6 + 10 * M, () => 0.5, 0.5).fired.length).toBe(1);
  });
});

describe('memory-leak-predicted (the working set’s trend reaches the limit within 15 minutes)', () => {
  const rule = PLATFORM_RULES.find((r) => r.id === 'builtin:memory-leak-predicted')!;
  const rounds = (from: number, to: number, memory: (t: number) => number) => memoryRounds(rule, from, to, memory);
  const start = T0 + 10 * M;
  /** At rest at 40 % of the limit, then growing `perMinute` of the limit a minute from `start`, killed at 100 %. */
  const leak = (perMinute: number) => (t: number) =>
    t <= start ? 0.4 : Math.min(1, 0.4 + (perMinute * (t - start)) / M);

  it('pages a slow leak (10 % of the limit a minute) within 2 minutes, minutes before the OOM kill', () => {
    const { fired, alerts } = rounds(T0, start + 10 * M, leak(0.1));
    expect(fired.length).toBe(1);
    expect(fired[0]! - start).toBeLessThanOrEqual(2 * M);
    // The kill comes at 6 minutes: the page is at least 3 minutes ahead of it.
    expect(start + 6 * M - fired[0]!).toBeGreaterThanOrEqual(3 * M);
    const a = [...alerts.values()][0]!;
    expect(a.severity).toBe('page');
    expect(a.message.code).toBe('AlertMemoryLeakPredicted');
    expect(a.message.params).toMatchObject({ target: 'edu/portal/web', horizon: '15m' });
    // The line over 3 minutes (rest, then the rise) gives less than the leak's 10 points a minute: a lower bound.
    expect(Number(a.message.params?.perMinute)).toBeGreaterThan(3);
    expect(Number(a.message.params?.perMinute)).toBeLessThanOrEqual(10);
  });

  it('pages a fast leak (50 % a minute) within a minute', () => {
    const { fired } = rounds(T0, start + 5 * M, leak(0.5));
    expect(fired.length).toBe(1);
    expect(fired[0]! - start).toBeLessThanOrEqual(M);
  });

  it('does not fire on a flat container at 85 %, a 30 s blip to 95 %, a growth too slow to matter, nor at 30 %', () => {
    expect(rounds(T0, T0 + 20 * M, () => 0.85).fired).toEqual([]);
    const blip = (t: number) => (t > start && t <= start + 30 * S ? 0.95 : 0.6);
    expect(rounds(T0, start + 10 * M, blip).fired).toEqual([]);
    // 2 % of the limit a minute from 60 %: 20 minutes to the limit, beyond the 15-minute horizon.
    expect(rounds(T0, start + 5 * M, (t) => (t <= start ? 0.6 : 0.6 + (0.02 * (t - start)) / M)).fired).toEqual([]);
    // A container starting up, climbing fast from nothing to 30 %, is under the floor.
    expect(rounds(T0, T0 + 5 * M, (t) => Math.min(0.3, (0.2 * (t - T0)) / M)).fired).toEqual([]);
  });
});

describe('the new rules in a Prometheus rule file', () => {
  const scope = { namespaces: ['edu--portal'] };
  it('writes error-ratio-elevated against the 5xx share’s median, and memory-leak-predicted as predict_linear', () => {
    const err = ruleExpr(
      PLATFORM_RULES.find((r) => r.name === 'error-ratio-elevated')!,
      scope,
    )!;
    expect(err).toContain('code=~"5.."');
    expect(err).toMatch(/^min_over_time\(.*\[1m:1m\]\) > 2 \* quantile_over_time\(0\.5, .*\[5h50m:5m\] offset 10m\)/);
    expect(err).toMatch(/\+ 0\.05 and avg_over_time\(.*http_requests_total.*\[1m:1m\]\) \* 60 >= 20$/);
    const mem = ruleExpr(
      PLATFORM_RULES.find((r) => r.name === 'memory-leak-predicted')!,
      scope,
    )!;
    expect(mem).toMatch(
      /^predict_linear\(\(.*container_memory_working_set_bytes.*\)\[3m:15s\], 900\) >= 1 and deriv\(/,
    );
    expect(mem).toContain(') >= 0.5 and ');
    expect(mem).toContain('offset 1m');
  });
});

/**
 * The load-relative baseline rules (latency-shifted, cpu-above-normal): a signal departing from its own normal by more
 * than its request rate does from its own, a round every 15 s after 6 hours of history.
 */
describe('load-relative departures from the component’s own normal', () => {
  const H6 = 6 * 60 * M;
  const shifted = PLATFORM_RULES.find((r) => r.id === 'builtin:latency-shifted')!;
  const cpuHigh = PLATFORM_RULES.find((r) => r.id === 'builtin:cpu-above-normal')!;
  /** Records `signal` and requests per second (unless rps gives undefined: a worker) every 15 s in [from, to]. */
  const sample = (
    w: RingSignalWindows,
    signal: 'latencyP99Ms' | 'cpuUtilization',
    from: number,
    to: number,
    v: (t: number) => number,
    rps: (t: number) => number | undefined,
  ) => {
    for (let t = from; t <= to; t += 15 * S) {
      w.record(seriesKey(signal, web), t, v(t));
      const r = rps(t);
      if (r !== undefined) w.record(seriesKey('requestsPerSecond', web), t, r);
    }
  };
  /** Six hours of `normal`, then rounds for 10 minutes of `after` from T0 + 6 h: the seconds to each firing. */
  const fires = (
    rule: CompiledRule,
    signal: 'latencyP99Ms' | 'cpuUtilization',
    normal: (t: number) => number,
    after: (t: number) => number,
    rps: (t: number) => number | undefined = () => 50,
  ) => {
    const w = windows();
    sample(w, signal, T0, T0 + H6, normal, rps);
    let prev: ReadonlyMap<string, Alert> = new Map();
    const fired: number[] = [];
    for (let t = T0 + H6 + 15 * S; t <= T0 + H6 + 10 * M; t += 15 * S) {
      sample(w, signal, t, t, after, rps);
      const r = run(w, t, prev, [rule]);
      prev = r.alerts;
      for (const x of r.transitions) if (x.type === 'fired') fired.push((t - T0 - H6) / S);
    }
    return { fired, alerts: prev };
  };
  const noisy = (base: number) => (t: number) => base * (1 + 0.05 * Math.sin(t / 47_000));

  it('latency-shifted: a lasting 150 ms on a p99 of 190 ms (under latency-degraded’s 2x) tickets within 2 minutes', () => {
    const { fired, alerts } = fires(shifted, 'latencyP99Ms', noisy(190), () => 340);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeLessThanOrEqual(120);
    const a = [...alerts.values()][0]!;
    expect(a.severity).toBe('ticket');
    expect(a.message.code).toBe('AlertLatencyShifted');
    expect(a.message.params).toMatchObject({
      target: 'edu/portal/web',
      value: 340,
      loadRatio: 1,
      factor: 1.5,
      floor: 100,
    });
    // latency-degraded (2x) misses it: why this rule is there.
    const degraded = PLATFORM_RULES.find((r) => r.id === 'builtin:latency-degraded')!;
    expect(fires(degraded, 'latencyP99Ms', noisy(190), () => 340).fired).toEqual([]);
  });

  it('latency-shifted: not on a 45 s blip, nor under 100 ms added, nor on a rise its load explains', () => {
    const blipEnd = 45;
    expect(fires(shifted, 'latencyP99Ms', noisy(190), (t) => ((t - T0 - H6) / S <= blipEnd ? 900 : 190)).fired).toEqual(
      [],
    );
    // 1.5x but only 60 ms over a p99 of 120 ms.
    expect(fires(shifted, 'latencyP99Ms', noisy(120), () => 180).fired).toEqual([]);
    // A daily peak: the p99 at 1.8x its normal with the requests at 1.6x theirs (queueing follows the load).
    const peak = fires(
      shifted,
      'latencyP99Ms',
      noisy(190),
      () => 342,
      (t) => (t > T0 + H6 ? 80 : 50),
    );
    expect(peak.fired).toEqual([]);
    // The same p99 with the requests at 1.1x: beyond what the load explains, it does.
    expect(
      fires(
        shifted,
        'latencyP99Ms',
        noisy(190),
        () => 342,
        (t) => (t > T0 + H6 ? 55 : 50),
      ).fired,
    ).toHaveLength(1);
  });

  it('cpu-above-normal: a hog on a lightly loaded component (10 % to 50 % of requests) tickets within 2 minutes', () => {
    const { fired, alerts } = fires(cpuHigh, 'cpuUtilization', noisy(0.1), () => 0.5);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeLessThanOrEqual(120);
    const a = [...alerts.values()][0]!;
    expect(a.severity).toBe('ticket');
    expect(a.message.code).toBe('AlertCpuAboveNormal');
    expect(a.message.params).toMatchObject({ target: 'edu/portal/web', percent: 50, loadRatio: 1, floor: 25 });
    // Nobody is slowed, so nothing else fires: 50 % is far from component-saturated's 90 %.
    const saturated = PLATFORM_RULES.find((r) => r.id === 'builtin:component-saturated')!;
    expect(fires(saturated, 'cpuUtilization', noisy(0.1), () => 0.5).fired).toEqual([]);
  });

  it('cpu-above-normal: a worker without requests (its load flat) too; not a blip, a small rise, or a load peak', () => {
    expect(
      fires(
        cpuHigh,
        'cpuUtilization',
        noisy(0.05),
        () => 0.6,
        () => undefined,
      ).fired,
    ).toHaveLength(1);
    expect(fires(cpuHigh, 'cpuUtilization', noisy(0.1), (t) => ((t - T0 - H6) / S <= 45 ? 1 : 0.1)).fired).toEqual([]);
    // Twice the normal but 20 points over it.
    expect(fires(cpuHigh, 'cpuUtilization', noisy(0.2), () => 0.4).fired).toEqual([]);
    // The daily peak: CPU from 15 % to 60 % with the requests 4x.
    expect(
      fires(
        cpuHigh,
        'cpuUtilization',
        noisy(0.15),
        () => 0.6,
        (t) => (t > T0 + H6 ? 200 : 50),
      ).fired,
    ).toEqual([]);
  });
});

describe('the CPU and latency rules in a Prometheus rule file', () => {
  const scope = { namespaces: ['edu--portal'] };
  const expr = (name: string) =>
    ruleExpr(
      PLATFORM_RULES.find((r) => r.name === name)!,
      scope,
    )!;
  it('writes cpu-throttled over cAdvisor’s CFS counters', () => {
    const q = expr('cpu-throttled');
    expect(q).toMatch(/^min_over_time\(\(.*container_cpu_cfs_throttled_periods_total.*\)\[1m:1m\]\) >= 0\.5$/);
    expect(q).toContain('/ sum by (namespace, label_app_oam_dev_component) (rate(container_cpu_cfs_periods_total');
  });
  it('writes the load-relative rules against the request rate’s own median, at least 1', () => {
    const lat = expr('latency-shifted');
    expect(lat).toMatch(/^min_over_time\(\(histogram_quantile\(0\.99, .*\)\[1m:1m\]\) > 1\.5 \* quantile_over_time/);
    expect(lat).toContain('+ 100 and ');
    expect(lat).toContain(
      '* on(namespace, service) group_left (clamp_min(avg_over_time((sum by (namespace, service) (rate(http_requests_total',
    );
    const cpu = expr('cpu-above-normal');
    expect(cpu).toContain('container_cpu_usage_seconds_total');
    expect(cpu).toContain('+ 0.25 and ');
    expect(cpu).toContain('label_replace(');
    expect(cpu).toContain('on(namespace, label_app_oam_dev_component) group_left (clamp_min(');
  });
});

/**
 * memory-growing: a slow leak, long before its limit, told from a garbage collector's sawtooth by passing the
 * container's own normal peak (the median of its 18-minute maxima over 6 hours). Six hours of history, a round
 * every 15 s.
 */
describe('memory-growing (a leak past its own normal peak, at the limit within the hour)', () => {
  const rule = PLATFORM_RULES.find((r) => r.id === 'builtin:memory-growing')!;
  const H6 = 6 * 60 * M;
  const start = T0 + H6;
  /** Rounds from T0 to `start + after`: the seconds after `start` of each firing. */
  const fires = (memory: (t: number) => number, after = 15 * M) => {
    const { fired, alerts } = memoryRounds(rule, T0, start + after, memory);
    return { fired: fired.map((t) => (t - start) / S), alerts };
  };
  /** 100 MiB a minute into a 4 GiB limit from 40 %: 2.44 points a minute (the demo's e-invoice gateway). */
  const slowLeak = (t: number) => (t <= start ? 0.4 : Math.min(1, 0.4 + (0.0244 * (t - start)) / M));
  /** A garbage collector's sawtooth: from `low` up `amplitude` over `periodMs` less 15 s, then back. */
  const sawtooth = (low: number, amplitude: number, periodMs: number) => (t: number) =>
    low + amplitude * Math.min(1, ((t - T0) % periodMs) / (periodMs - 15 * S));

  it('tickets the slowest leak of the bench (2.4 points a minute from 40 %) within 2 minutes, 20 minutes before its kill', () => {
    const { fired, alerts } = fires(slowLeak);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeLessThanOrEqual(120);
    const a = [...alerts.values()][0]!;
    expect(a.severity).toBe('ticket');
    expect(a.message.code).toBe('AlertMemoryGrowing');
    expect(a.message.params).toMatchObject({ target: 'edu/portal/web', peak: 40, peakWindow: '6h', horizon: '1h' });
    // memory-leak-predicted (the kill within 15 minutes) waits minutes longer on the same leak.
    const predicted = PLATFORM_RULES.find((r) => r.id === 'builtin:memory-leak-predicted')!;
    const page = memoryRounds(predicted, T0, start + 15 * M, slowLeak).fired.map((t) => (t - start) / S);
    expect(page[0]).toBeGreaterThan(5 * 60);
  });

  it('does not fire on a sawtooth, however steep its rise: every cycle stops at its own peak', () => {
    // 35–55 % every 5 minutes (rising 4.4 points a minute, steeper than the leak), every 10 minutes, every 45 s.
    for (const [low, amp, period] of [
      [0.35, 0.2, 5 * M],
      [0.35, 0.2, 10 * M],
      [0.5, 0.1, 45 * S],
    ] as const)
      expect(fires(sawtooth(low, amp, period), 60 * M).fired).toEqual([]);
  });

  it('does fire on a leak under a sawtooth once it passes the peaks, and not on a step that holds nor a diurnal climb', () => {
    const saw = sawtooth(0.35, 0.1, 5 * M);
    // The leak (5 points a minute) on the sawtooth: past the old peaks within a rise or two.
    const under = fires((t) => saw(t) + (t <= start ? 0 : (0.05 * (t - start)) / M), 10 * M).fired;
    expect(under.length).toBeGreaterThanOrEqual(1);
    expect(under[0]).toBeLessThanOrEqual(5 * 60);
    // A step of 20 points that then holds (a new revision keeping more in memory): rising one round, not its `for`.
    expect(fires((t) => (t <= start ? 0.4 : 0.6)).fired).toEqual([]);
    // 20 points over 3 hours: a new high all along, but not at the limit within the hour.
    expect(fires((t) => 0.4 + (0.2 * Math.max(0, t - start)) / (180 * M), 60 * M).fired).toEqual([]);
  });

  it('needs a normal peak: a container without an hour of history does not fire', () => {
    const fired = memoryRounds(rule, start, start + 10 * M, (t) => 0.4 + (0.05 * (t - start)) / M).fired;
    expect(fired).toEqual([]);
  });
});

/** node-cpu-above-normal: a node's CPU against its own normal, beyond its pods' rise; six hours of history. */
describe('node-cpu-above-normal (a node taken by something outside its pods)', () => {
  const rule = PLATFORM_RULES.find((r) => r.id === 'builtin:node-cpu-above-normal')!;
  const node = { cluster: 'gov-west', node: 'gov-west-node-3' };
  const target: AlertTarget = { scope: 'node', labels: node };
  const H6 = 6 * 60 * M;
  const start = T0 + H6;
  const wave = (base: number) => (t: number) => base * (1 + 0.1 * Math.sin(t / 47_000));
  /** The node's CPU and its pods' every 15 s; the seconds after `start` of each firing. */
  const fires = (cpu: (t: number) => number, pods: (t: number) => number = cpu) => {
    const w = windows();
    let prev: ReadonlyMap<string, Alert> = new Map();
    const fired: number[] = [];
    for (let t = T0; t <= start + 10 * M; t += 15 * S) {
      w.record(seriesKey('nodeCpu', node), t, cpu(t));
      w.record(seriesKey('nodePodsCpu', node), t, pods(t));
      if (t <= start) continue;
      const r = run(w, t, prev, [rule], [target]);
      prev = r.alerts;
      for (const x of r.transitions) if (x.type === 'fired') fired.push((t - start) / S);
    }
    return { fired, alerts: prev };
  };
  const quiet = wave(0.05);

  it('tickets a hog of 90 % of a quiet node (5 % to 92 %, under node-cpu-saturated’s 95 %) within 2 minutes', () => {
    const { fired, alerts } = fires((t) => (t > start ? 0.92 : quiet(t)), quiet);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toBeLessThanOrEqual(120);
    const a = [...alerts.values()][0]!;
    expect(a.severity).toBe('ticket');
    expect(a.tenant).toBeUndefined();
    expect(a.message.code).toBe('AlertNodeCpuAboveNormal');
    expect(a.message.params).toMatchObject({ node: 'gov-west-node-3', cluster: 'gov-west', percent: 92, floor: 30 });
  });

  it('does not fire when its pods explain the rise, on a 45 s burst, or on a rise under 30 points', () => {
    // A daily peak: the node from 10 % to 45 % with its pods.
    expect(fires((t) => (t > start ? 0.45 : wave(0.1)(t))).fired).toEqual([]);
    // Pods rescheduled onto it (a node down elsewhere): the same.
    expect(fires((t) => (t > start ? 0.7 : quiet(t))).fired).toEqual([]);
    expect(fires((t) => (t > start && t <= start + 45 * S ? 1 : quiet(t)), quiet).fired).toEqual([]);
    expect(fires((t) => (t > start ? 0.3 : quiet(t)), quiet).fired).toEqual([]);
  });
});

describe('memory-growing and node-cpu-above-normal in a Prometheus rule file', () => {
  const expr = (name: string) =>
    ruleExpr(
      PLATFORM_RULES.find((r) => r.name === name)!,
      {},
    )!;
  it('writes memory-growing past the median of its 18-minute maxima, strictly rising', () => {
    const q = expr('memory-growing');
    expect(q).toMatch(/^predict_linear\(\(.*container_memory_working_set_bytes.*\)\[2m:15s\], 3600\) >= 1 and /);
    expect(q).toContain('[30s:15s])[1m:15s]) > 0');
    expect(q).toMatch(
      />= quantile_over_time\(0\.5, \(max_over_time\(\(.*\)\[18m:1m\]\)\)\[5h50m:18m\] offset 10m\) \+ 0\.02$/,
    );
  });
  it('writes node-cpu-above-normal per node against its pods’ CPU over allocatable', () => {
    const q = expr('node-cpu-above-normal');
    expect(q).toMatch(/^min_over_time\(\(1 - avg by \(cluster, node\) \(label_replace\(rate\(node_cpu_seconds_total/);
    expect(q).toContain('+ 0.3 and ');
    expect(q).toContain('container_cpu_usage_seconds_total');
    expect(q).toContain('kube_node_status_allocatable{resource="cpu"}');
    expect(q).toContain('clamp_min(avg_over_time((sum by (cluster, node)');
  });
});
