import { describe, expect, it } from 'vitest';
import type { Alert } from './evaluate.ts';
import { evaluateAlerts, windowsOf } from './evaluate.ts';
import { ruleExpr } from './prometheus-export.ts';
import { BUILTIN_RULES, PLATFORM_RULES } from './rules.ts';
import { RingSignalWindows } from './signal-windows.ts';
import type { AlertTarget } from './signals.ts';
import { seriesKey } from './signals.ts';
import { DEFAULT_SLO } from './slo-policy.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.parse('2026-03-02T00:00:00Z');
const web = { tenant: 'edu', app: 'enrolment-portal', component: 'web' };
const target: AlertTarget = { scope: 'component', labels: web, clusters: ['gov-east'], slo: DEFAULT_SLO };
const aboveRange = PLATFORM_RULES.find((r) => r.id === 'builtin:latency-above-range')!;
const shifted = PLATFORM_RULES.find((r) => r.id === 'builtin:latency-shifted')!;
const degraded = PLATFORM_RULES.find((r) => r.id === 'builtin:latency-degraded')!;

/** A Crane-like load: 1 to 4 requests a second over a few hours, with a faster ripple. */
const load = (t: number) => 2.5 + 1.5 * Math.sin(t / (1.7 * H)) * Math.cos(t / (23 * M));
/** A front whose p99 is mostly its callees' (the demo's enrolment portal): 460-510 ms, hardly moved by its load. */
const frontP99 = (t: number) => 460 + 12 * load(t) + 4 * Math.sin(t / 37_000);
/** A queue near capacity: p99 = base · (1 + ρ²/(1 − ρ)) · (1 + ρ), ρ following the load (0.1-0.7). */
const queueP99 = (t: number) => {
  const rho = Math.min(0.95, load(t) / 5.8);
  return 150 * (1 + (rho * rho) / (1 - rho)) * (1 + rho);
};

/**
 * Six hours of `p99` (and the load), then ten minutes of rounds with `after` from T0 + 6 h (+ `shift`): the seconds
 * of each firing by rule.
 */
function fires(
  p99: (t: number) => number,
  after: (t: number, sinceMs: number) => number,
  rules = [aboveRange, shifted, degraded],
  rps: (t: number) => number = load,
  shift = 0,
) {
  const w = new RingSignalWindows();
  for (const [signal, ms] of windowsOf(BUILTIN_RULES)) w.want(signal, ms);
  const start = T0 + 6 * H + shift;
  const record = (t: number, v: number) => {
    w.record(seriesKey('latencyP99Ms', web), t, v);
    w.record(seriesKey('requestsPerSecond', web), t, rps(t));
  };
  for (let t = T0; t <= start; t += 15 * S) record(t, p99(t));
  let previous: ReadonlyMap<string, Alert> = new Map();
  const fired: Record<string, number[]> = {};
  for (let t = start + 15 * S; t <= start + 10 * M; t += 15 * S) {
    record(t, after(t, t - start));
    const r = evaluateAlerts({ rules, targets: [target], windows: w, now: t, previous });
    previous = r.alerts;
    for (const x of r.transitions) if (x.type === 'fired') (fired[x.alert.rule] ??= []).push((t - start) / S);
  }
  return { fired, alerts: previous };
}

describe('latency-above-range (above the top of the range its own load brought)', () => {
  it('tickets 150 ms added to a front’s steady 500 ms p99 within 2 minutes, where the median rules do not', () => {
    for (const shift of [0, 40 * M, 95 * M, 150 * M]) {
      const { fired, alerts } = fires(frontP99, (t) => frontP99(t) + 150, undefined, load, shift);
      expect(Object.keys(fired), `shift ${shift / M} min`).toEqual(['latency-above-range']);
      expect(fired['latency-above-range']![0]).toBeLessThanOrEqual(120);
      const a = [...alerts.values()].find((x) => x.rule === 'latency-above-range')!;
      expect(a.state).toBe('firing'); // still, 10 minutes on
      expect(a.severity).toBe('ticket');
      expect(a.message.code).toBe('AlertLatencyAboveRange');
      expect(a.message.params).toMatchObject({ target: 'edu/enrolment-portal/web', factor: 1.2, floor: 100 });
    }
  });

  it('not on a 45 s blip, nor under 100 ms added, nor when the load takes a queue up its own range or past it', () => {
    const blip = (t: number, since: number) => (since <= 45 * S ? frontP99(t) + 600 : frontP99(t));
    expect(fires(frontP99, blip, [aboveRange]).fired).toEqual({});
    expect(fires(frontP99, (t) => frontP99(t) + 80, [aboveRange]).fired).toEqual({});
    for (const shift of [0, 40 * M, 95 * M, 150 * M]) {
      // A queue whose p99 follows its load, through its daily range: never above its own highest normal by 20 %.
      expect(fires(queueP99, queueP99, [aboveRange], load, shift).fired).toEqual({});
      // The load 1.3x above anything in six hours, a queue's p99 with it (ρ from 0.44 at most to 0.58): the load
      // explains it. (Nearer capacity the p99 outruns the load, and component-saturated pages at 90 % CPU.)
      const more = (t: number) => load(t) * (t > T0 + 6 * H + shift ? 1.3 : 1);
      const queued = (t: number) => {
        const rho = Math.min(0.95, more(t) / 9);
        return 150 * (1 + (rho * rho) / (1 - rho)) * (1 + rho);
      };
      expect(fires(queued, queued, [aboveRange], more, shift).fired).toEqual({});
    }
  });

  it('needs 3 buckets of history, and exports as PromQL on the highest 18-minute averages', () => {
    const w = new RingSignalWindows();
    for (const [signal, ms] of windowsOf(BUILTIN_RULES)) w.want(signal, ms);
    for (let t = T0; t <= T0 + 30 * M; t += 15 * S) {
      w.record(seriesKey('latencyP99Ms', web), t, t > T0 + 25 * M ? 900 : 450);
      w.record(seriesKey('requestsPerSecond', web), t, 2);
    }
    const r = evaluateAlerts({
      rules: [aboveRange],
      targets: [target],
      windows: w,
      now: T0 + 30 * M,
      previous: new Map(),
    });
    expect(r.alerts.size).toBe(0);
    const q = ruleExpr(aboveRange, { namespaces: ['edu--enrolment-portal'] })!;
    expect(q).toContain('max_over_time((avg_over_time((');
    expect(q).toContain('[18m:1m]))[5h:18m] offset 1h)');
    expect(q).toContain(' > 1.2 * ');
    expect(q).toContain(' + 100');
  });
});
