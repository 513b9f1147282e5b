import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_HISTORY, hpaDecide, type Behavior, type HpaHistory, type ScalingRules } from './hpa-algorithm.ts';

const T0 = Date.UTC(2026, 2, 2);

const policy = fc.record({
  type: fc.constantFrom('Pods' as const, 'Percent' as const),
  value: fc.integer({ min: 1, max: 200 }),
  periodSeconds: fc.integer({ min: 1, max: 120 }),
});
const rules: fc.Arbitrary<ScalingRules> = fc.record(
  {
    stabilizationWindowSeconds: fc.integer({ min: 0, max: 600 }),
    selectPolicy: fc.constantFrom('Max' as const, 'Min' as const, 'Disabled' as const),
    policies: fc.array(policy, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const behavior: fc.Arbitrary<Behavior | undefined> = fc.option(
  fc.record({ scaleUp: rules, scaleDown: rules }, { requiredKeys: [] }),
  { nil: undefined },
);
const bounds = fc
  .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 60 }))
  .filter(([min, max]) => min <= max);
/** A run of decisions: seconds since the previous one, the load in pod-percents, how many pods are ready. */
/** Mostly every pod, sometimes a part (integers: fast-check's doubles crowd at the ends of their range). */
const share = fc.oneof(
  { weight: 3, arbitrary: fc.constant(1) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 100 }).map((p) => p / 100) },
);
const steps = fc.array(
  fc.record({
    gap: fc.oneof(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 400 })),
    load: fc.integer({ min: 0, max: 6000 }),
    readyShare: share,
    reportingShare: share,
  }),
  { minLength: 1, maxLength: 40 },
);

interface Trace {
  at: number;
  current: number;
  desired: number;
  recommended: number | undefined;
}

/** Runs the HPA over `run`, applying every decision, the load shared by the replicas (CPU target 60%). */
function simulate(o: {
  min: number;
  max: number;
  start: number;
  behavior: Behavior | undefined;
  run: { gap: number; load: number; readyShare: number; reportingShare: number }[];
}): Trace[] {
  let history: HpaHistory = EMPTY_HISTORY;
  let current = o.start;
  let now = T0;
  const trace: Trace[] = [];
  for (const step of o.run) {
    now += step.gap * 1000;
    const ready = Math.round(current * step.readyShare);
    const reporting = Math.round(ready * step.reportingShare);
    const d = hpaDecide({
      now,
      current,
      ready,
      min: o.min,
      max: o.max,
      metrics: [{ name: 'cpu', value: current > 0 ? step.load / current : undefined, target: 60, reporting }],
      behavior: o.behavior,
      history,
    });
    trace.push({ at: now, current, desired: d.desired, recommended: d.recommended });
    history = d.history;
    current = d.desired;
  }
  return trace;
}

const scenario = fc
  .tuple(bounds, fc.integer({ min: 0, max: 80 }), behavior, steps)
  .map(([[min, max], start, b, run]) => ({ min, max, start, behavior: b, run }));

describe('HPA properties', () => {
  it('always decides within [minReplicas, maxReplicas] (a workload at 0 with minReplicas > 0 aside)', () => {
    fc.assert(
      fc.property(scenario, (o) => {
        for (const t of simulate(o)) {
          if (t.current === 0 && o.min > 0) expect(t.desired).toBe(0);
          else {
            expect(t.desired).toBeGreaterThanOrEqual(o.min);
            expect(t.desired).toBeLessThanOrEqual(o.max);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never scales down below a recommendation made within the scale-down window', () => {
    fc.assert(
      fc.property(scenario, (o) => {
        const windowMs = (o.behavior?.scaleDown?.stabilizationWindowSeconds ?? 300) * 1000;
        const trace = simulate(o);
        trace.forEach((t, i) => {
          if (t.desired >= t.current || t.current > o.max) return;
          for (const earlier of trace.slice(0, i + 1)) {
            if (earlier.recommended === undefined || earlier.at <= t.at - windowMs) continue;
            expect(t.desired).toBeGreaterThanOrEqual(Math.min(earlier.recommended, t.current));
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never scales up faster than the scale-up policy allows', () => {
    const single = fc
      .tuple(bounds, fc.integer({ min: 1, max: 40 }), policy, steps)
      .map(([[min, max], start, p, run]) => ({
        min,
        max,
        start: Math.max(start, min),
        p,
        behavior: { scaleUp: { policies: [p] } } satisfies Behavior,
        run,
      }));
    fc.assert(
      fc.property(single, (o) => {
        const trace = simulate(o);
        trace.forEach((t, i) => {
          if (t.desired <= t.current || t.current < o.min) return;
          // The count at the start of the period: after every decision at or before now − period.
          const cutoff = t.at - o.p.periodSeconds * 1000;
          const before = trace.slice(0, i).filter((e) => e.at <= cutoff);
          const start = before.length > 0 ? before.at(-1)!.desired : trace[0]!.current;
          const allowed = o.p.type === 'Pods' ? start + o.p.value : Math.ceil(start * (1 + o.p.value / 100));
          expect(t.desired).toBeLessThanOrEqual(Math.max(t.current, allowed));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same inputs give the same decision and history', () => {
    fc.assert(
      fc.property(scenario, (o) => {
        expect(simulate(o)).toEqual(simulate(structuredClone(o)));
      }),
      { numRuns: 100 },
    );
  });
});
