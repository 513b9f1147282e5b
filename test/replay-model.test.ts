import { describe, expect, it } from 'vitest';
import type { ComponentAutoscaling } from '../src/scaling/autoscaler.ts';
import {
  blockMeans,
  componentLoad,
  replay,
  REPLAY_MODEL,
  toMinutes,
  type ComponentLoad,
  type Strategy,
} from '../bench/support/replay-model.ts';

const DAY = 1440;
const START = Date.UTC(2026, 0, 5);

/** A load whose last `evalMinutes` are measured. */
function load(demand: readonly number[], evalMinutes: number): ComponentLoad {
  return {
    name: 'test',
    source: 'crane',
    demand: Float64Array.from(demand),
    evalStart: demand.length - evalMinutes,
    startMs: START,
  };
}

const POLIS: ComponentAutoscaling = {
  name: 'test',
  minReplicas: 1,
  maxReplicas: 40,
  targets: { cpuUtilization: 60 },
  tolerance: 0,
  behavior: { scaleUp: { policies: [{ type: 'Pods', value: 40, periodSeconds: 60 }] } },
};
const reactive: Strategy = { kind: 'polis', name: 'reactive', component: POLIS };

describe('series on a one-minute grid', () => {
  it('averages a finer series over each minute and holds a coarser one over its interval', () => {
    expect(toMinutes([1, 2, 3, 4, 5, 6, 7, 8, 9], 15_000)).toEqual([2.5, 6.5]);
    expect(toMinutes([1, 2], 300_000)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
    expect(toMinutes([3, 4], 60_000)).toEqual([3, 4]);
    expect(() => toMinutes([1], 7_000)).toThrow(/does not divide a minute/);
  });

  it('gives the load history as block means in CPU percent of one pod summed over the pods', () => {
    expect(blockMeans(Float64Array.from([1, 2, 3, 4, 5]), 2, 60)).toEqual([90, 210]);
  });

  it('scales the measured window so that its peak needs the given replicas, and refuses short or idle series', () => {
    const minutes = [...new Array<number>(DAY).fill(50), ...new Array<number>(DAY).fill(5), 10];
    const l = componentLoad('x', 'crane', minutes, {
      startMs: START,
      evalDays: 1,
      peakReplicas: 20,
      minHistoryMinutes: DAY,
    })!;
    expect(l.evalStart).toBe(DAY + 1);
    expect(Math.max(...l.demand.subarray(l.evalStart))).toBe(20);
    // History before the window keeps the same scale, so it may exceed the window's peak.
    expect(l.demand[0]).toBe(100);
    const o = { startMs: START, evalDays: 1, peakReplicas: 20, minHistoryMinutes: DAY };
    expect(componentLoad('short', 'crane', new Array<number>(DAY + 10).fill(1), o)).toBeUndefined();
    expect(
      componentLoad('idle', 'crane', [...new Array<number>(DAY).fill(1), ...new Array<number>(DAY).fill(0)], o),
    ).toBe(undefined);
  });
});

describe('replay', () => {
  it('holds static sizing constant: violations only where demand exceeds the count × (target + 10) / target', () => {
    const demand = [
      ...new Array<number>(300).fill(10),
      ...new Array<number>(60).fill(23),
      ...new Array<number>(40).fill(24),
    ];
    const s = replay(load(demand, 200), { kind: 'static', name: 'static', replicas: 20 });
    // 20 replicas at 70% of request serve 20 × 70 / 60 = 23.3 replicas at target.
    expect(s).toMatchObject({ minutes: 200, violationMinutes: 40, allocated: 4000, changes: 0 });
    expect(s.used).toBeCloseTo(100 * 10 + 60 * 23 + 40 * 24);
  });

  it('costs a reactive autoscaler two minutes on a step: one of metric lag, one of start-up', () => {
    const demand = [...new Array<number>(300).fill(4), ...new Array<number>(100).fill(10)];
    const s = replay(load(demand, 200), reactive);
    expect(s).toMatchObject({ violationMinutes: 2, changes: 1 });
    // Starting pods hold their request: the count is 10 from the minute the step is seen.
    expect(s.allocated).toBe(100 * 4 + 4 + 99 * 10);
  });

  it('costs the HPA a third minute on the same step: its default rate limit doubles the count, 15 s later the rest', () => {
    const demand = [...new Array<number>(300).fill(4), ...new Array<number>(100).fill(10)];
    const s = replay(load(demand, 200), { kind: 'hpa', name: 'hpa' });
    expect(s).toMatchObject({ violationMinutes: 3, changes: 2 });
  });

  it('removes replicas at once on a scale-down, after the stabilization window', () => {
    const demand = [...new Array<number>(300).fill(10), ...new Array<number>(100).fill(4)];
    const s = replay(load(demand, 200), reactive);
    // The drop is seen a minute late; the default 300 s window (recommendations strictly newer) holds 10 four more.
    expect(s.violationMinutes).toBe(0);
    expect(s.allocated).toBe(100 * 10 + 5 * 10 + 95 * 4);
  });

  it('scales ahead of a daily surge with prediction, which the reactive path can only follow', () => {
    // Four days of history and one measured day: 2 replicas' worth, 16 from 09:00 to 12:00.
    const day = Array.from({ length: DAY }, (_, m) => (m >= 540 && m < 720 ? 16 : 2));
    const demand = Array.from({ length: 5 }, () => day).flat();
    const predictive: Strategy = {
      kind: 'polis',
      name: 'predictive',
      component: { ...POLIS, prediction: { enabled: true, horizonMinutes: 15 } },
      historyStepMinutes: 10,
    };
    const r = replay(load(demand, DAY), reactive);
    const p = replay(load(demand, DAY), predictive);
    expect(r.violationMinutes).toBe(2);
    // The forecast smooths past samples over ±10 min, so ten minutes ahead it asks for 12 replicas, not 16: the
    // first minute of so sharp a step still runs hot. The count is 16 from the next decision on.
    expect(p.violationMinutes).toBe(1);
    expect(p.withCycle).toBe(DAY);
    expect(p.raisedByPrediction).toBeGreaterThan(0);
    expect(r.decisions).toBe(0);
  });

  it('is deterministic', () => {
    const demand = Array.from({ length: 3 * DAY }, (_, m) => 5 + 4 * Math.sin(m / 37) + ((m * 7919) % 13) / 4);
    const a = replay(load(demand, DAY), { kind: 'hpa', name: 'hpa' });
    expect(replay(load(demand, DAY), { kind: 'hpa', name: 'hpa' })).toEqual(a);
    expect(REPLAY_MODEL.targetPercent).toBe(60);
  });
});
