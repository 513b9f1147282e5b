import { describe, expect, it } from 'vitest';
import type { Alert } from './evaluate.ts';
import { evaluateAlerts, windowsOf } from './evaluate.ts';
import { BUILTIN_RULES, PLATFORM_RULES } from './rules.ts';
import { RingSignalWindows, type SignalWindows } from './signal-windows.ts';
import type { AlertTarget } from './signals.ts';
import { seriesKey } from './signals.ts';
import { DEFAULT_SLO } from './slo-policy.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.parse('2026-03-02T00:00:00Z');

/** A seeded generator (a linear congruential one): the same recording on every run. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

type Fault = (sinceFaultMs: number) => {
  addMs?: number;
  cpu?: number;
  errors?: number;
  load?: number;
  /** A front whose p99 is mostly its callees': hardly moved by its load. */
  front?: boolean;
};

/**
 * A component's golden signals every 15 s, as the collector records them: a daily-like load with noise, p99 and CPU
 * that follow it, and from hour 6 what happens to it (`fault`): latency added, CPU burnt, errors, more load.
 */
function recorder(w: RingSignalWindows, labels: AlertTarget['labels'], seed: number, fault: Fault) {
  const rnd = lcg(seed);
  return (t: number): void => {
    const f = t >= T0 + 6 * H ? fault(t - T0 - 6 * H) : {};
    const rps = (20 + 12 * Math.sin(t / (2.3 * H) + seed)) * (1 + 0.1 * rnd()) * (f.load ?? 1);
    const rho = Math.min(0.95, rps / 60);
    const own = fault(0).front ? 470 + 30 * rho : 150 * (1 + (rho * rho) / (1 - rho)) * (1 + rho);
    const p99 = own * (1 + 0.08 * rnd()) + (f.addMs ?? 0);
    w.record(seriesKey('requestsPerSecond', labels), t, rps);
    w.record(seriesKey('latencyP99Ms', labels), t, p99);
    w.record(seriesKey('cpuUtilization', labels), t, rho * 0.8 + (f.cpu ?? 0));
    const err = 0.002 * rnd() + (f.errors ?? 0);
    w.record(seriesKey('errorRatio', labels), t, err);
    w.record(seriesKey('errorsPerSecond', labels), t, rps * err);
    w.record(seriesKey('slowSample', labels), t, p99 > DEFAULT_SLO.latency.thresholdMs ? 1 : 0);
    w.record(seriesKey('readyPods', labels), t, 2);
  };
}

describe('a series’ baseline buckets read once a round (the latency rules, cpu-above-normal)', () => {
  const faults: Fault[] = [
    () => ({}),
    (ms) => ({ addMs: ms > 2 * M ? 180 : 0 }),
    (ms) => ({ addMs: ms > M ? 450 : 0 }),
    (ms) => ({ addMs: ms > M && ms < 20 * M ? 120 : 0, load: 1.4 }),
    (ms) => ({ cpu: ms > M ? 0.5 : 0 }),
    (ms) => ({ errors: ms > 3 * M ? 0.2 : 0 }),
    (ms) => ({ addMs: ms > M ? 300 : 0, cpu: ms > M ? 0.4 : 0 }),
    () => ({ load: 1.8 }),
    (ms) => ({ front: true, addMs: ms > M ? 220 : 0 }),
  ];
  const targets: AlertTarget[] = faults.map((_, i) => ({
    scope: 'component',
    labels: { tenant: `d${i % 3}`, app: `app${i}`, component: i % 2 ? 'web' : 'api' },
    clusters: ['gov-east'],
    slo: DEFAULT_SLO,
  }));
  const w = new RingSignalWindows();
  for (const [signal, ms] of windowsOf(BUILTIN_RULES)) w.want(signal, ms);
  const recorders = faults.map((f, i) => recorder(w, targets[i]!.labels, 17 + i, f));
  let recordedTo = T0 - 15 * S;
  /** Records every 15 s up to `now` (each test may run alone). */
  const upTo = (now: number) => {
    for (let t = recordedTo + 15 * S; t <= now; t += 15 * S) for (const r of recorders) r(t);
    recordedTo = Math.max(recordedTo, now);
  };

  it('decides exactly as each rule evaluated alone (no baseline shared), every round of the hour after 6 h', () => {
    let together: ReadonlyMap<string, Alert> = new Map();
    const alone = new Map(BUILTIN_RULES.map((r) => [r.id, new Map<string, Alert>() as ReadonlyMap<string, Alert>]));
    let fired = 0;
    for (let now = T0 + 6 * H; now <= T0 + 7 * H; now += 15 * S) {
      upTo(now);
      const all = evaluateAlerts({
        rules: BUILTIN_RULES,
        targets,
        windows: w,
        now,
        previous: together,
        shareBaselines: true,
      });
      // The default: every rule reading its own buckets, in one evaluation.
      expect(evaluateAlerts({ rules: BUILTIN_RULES, targets, windows: w, now, previous: together })).toEqual(all);
      together = all.alerts;
      const each = new Map<string, Alert>();
      const eachTransitions = [];
      for (const rule of BUILTIN_RULES) {
        const r = evaluateAlerts({ rules: [rule], targets, windows: w, now, previous: alone.get(rule.id)! });
        alone.set(rule.id, r.alerts);
        for (const [k, a] of r.alerts) each.set(k, a);
        eachTransitions.push(...r.transitions);
      }
      expect(new Map([...all.alerts].sort())).toEqual(new Map([...each].sort()));
      const byKey = (a: { alert: Alert; type: string }, b: { alert: Alert; type: string }) =>
        `${a.type}${a.alert.key}` < `${b.type}${b.alert.key}` ? -1 : 1;
      expect([...all.transitions].sort(byKey)).toEqual(eachTransitions.sort(byKey));
      fired += all.transitions.filter((x) => x.type === 'fired').length;
    }
    // The recording does make the baseline rules fire (the comparison is not between two empty sets).
    const rules = new Set([...together.values()].map((a) => a.rule));
    for (const r of [
      'latency-degraded',
      'latency-shifted',
      'latency-above-range',
      'cpu-above-normal',
      'error-ratio-elevated',
    ])
      expect(rules, r).toContain(r);
    expect(fired).toBeGreaterThan(5);
  });

  it('reads a series’ baseline buckets once a round, however many rules compare with it', () => {
    const now = T0 + 7 * H;
    upTo(now);
    const reads = new Map<string, number>();
    const counting: SignalWindows = {
      aggregate: (...a) => w.aggregate(...a),
      bucketAverages: (key, ms, at) => {
        if (ms === 6 * H) reads.set(key, (reads.get(key) ?? 0) + 1);
        return w.bucketAverages(key, ms, at);
      },
    };
    // The rules whose baselines leave the last 10 minutes out (latency-above-range leaves an hour: its own sort).
    const latency = PLATFORM_RULES.filter((r) =>
      ['latency-degraded', 'latency-shifted', 'cpu-above-normal'].includes(r.name),
    );
    expect(latency).toHaveLength(3);
    evaluateAlerts({ rules: latency, targets, windows: counting, now, previous: new Map(), shareBaselines: true });
    expect(reads.size).toBeGreaterThan(0);
    for (const [key, n] of reads) expect(n, key).toBe(1);
    expect([...reads.keys()].some((k) => k.startsWith('latencyP99Ms'))).toBe(true);
  });
});
