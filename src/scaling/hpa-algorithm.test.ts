import { describe, expect, it } from 'vitest';
import {
  EMPTY_HISTORY,
  hpaDecide,
  hpaRecommend,
  type Behavior,
  type HpaHistory,
  type HpaInput,
  type MetricSample,
} from './hpa-algorithm.ts';

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const s = (seconds: number) => T0 + seconds * 1000;
const cpu = (value: number | undefined, target = 60, reporting?: number): MetricSample => ({
  name: 'cpu',
  value,
  target,
  unit: '%',
  ...(reporting !== undefined ? { reporting } : {}),
});
/** A history whose only recommendation is long past every window: no stabilization, no rate history. */
const settled = (replicas: number): HpaHistory => ({ ...EMPTY_HISTORY, recommendations: [{ at: s(-3600), replicas }] });
const decide = (o: Partial<HpaInput> & { current: number; metrics: MetricSample[] }) =>
  hpaDecide({ now: T0, ready: o.current, min: 1, max: 100, history: settled(o.current), ...o });

describe('the replica formula: desired = ceil(current × value / target)', () => {
  it('doubles at twice the target and halves at half of it (Kubernetes docs: 200m of 100m, 50m of 100m)', () => {
    expect(decide({ current: 4, metrics: [{ name: 'cpu', value: 200, target: 100, unit: 'm' }] }).desired).toBe(8);
    expect(decide({ current: 4, metrics: [{ name: 'cpu', value: 50, target: 100, unit: 'm' }] }).desired).toBe(2);
  });

  it('rounds up and says why in a sentence', () => {
    const d = decide({ current: 5, metrics: [cpu(182)] });
    // 5 × 182 / 60 = 15.17 → 16, but scale-up allows max(+100%, +4) = 10 per 15 s.
    expect(d.desired).toBe(10);
    expect(d.recommended).toBe(16);
    expect(d.reason).toBe('cpu 182% of target 60% → 16 replicas; limited to 10 by scale-up policy 100% per 15s');
  });

  it('names the pod policy when it is the larger allowance', () => {
    const d = decide({ current: 2, metrics: [cpu(270)] });
    expect(d.desired).toBe(6);
    expect(d.reason).toBe('cpu 270% of target 60% → 9 replicas; limited to 6 by scale-up policy 4 pods per 15s');
  });

  it('takes the highest proposal over several metrics', () => {
    const d = decide({
      current: 4,
      metrics: [cpu(30), { name: 'requests', value: 150, target: 100, unit: ' req/s' }],
    });
    expect(d.desired).toBe(6);
    expect(d.reason).toBe('requests 150 req/s of target 100 req/s → 6 replicas (highest; cpu → 2)');
  });

  it('scales an object metric (latency) by the ready pods', () => {
    const latency: MetricSample = { name: 'latency', value: 300, target: 200, unit: ' ms', scope: 'object' };
    expect(decide({ current: 4, ready: 4, metrics: [latency] }).desired).toBe(6);
  });
});

describe('tolerance', () => {
  it('changes nothing within the default 10% either way', () => {
    for (const value of [55, 57, 63, 65]) {
      const d = decide({ current: 10, metrics: [cpu(value)] });
      expect(d.desired).toBe(10);
    }
    expect(decide({ current: 10, metrics: [cpu(63)] }).reason).toBe(
      'cpu 63% of target 60% is within the 10% tolerance → stays at 10 replicas',
    );
  });

  it('acts just outside it', () => {
    expect(decide({ current: 10, metrics: [cpu(67)] }).desired).toBe(12);
    expect(decide({ current: 10, metrics: [cpu(53)] }).desired).toBe(9);
  });

  it('takes a configured tolerance', () => {
    expect(decide({ current: 10, tolerance: 0.2, metrics: [cpu(70)] }).desired).toBe(10);
    expect(decide({ current: 10, tolerance: 0, metrics: [cpu(61)] }).desired).toBe(11);
  });
});

describe('missing metrics and not-yet-ready pods (Kubernetes replica calculator cases)', () => {
  it('counts pods without a sample at 0% on a scale-up: 2 pods, one at 190% of target, stays (95%)', () => {
    const d = decide({ current: 2, metrics: [cpu(190, 100, 1)] });
    expect(d.desired).toBe(2);
    expect(d.reason).toContain('counting 1 pod without a sample at 0% gives 95%, within the 10% tolerance');
  });

  it('counts pods without a sample at 100% of target on a scale-down: one at 60% of 100% → 80% → 2', () => {
    const d = decide({ current: 2, metrics: [cpu(60, 100, 1)] });
    expect(d.desired).toBe(2);
    expect(d.reason).toContain('gives 80%');
  });

  it('does not scale when the ratio is exactly on target, whatever is missing', () => {
    expect(decide({ current: 2, metrics: [cpu(100, 100, 1)] }).desired).toBe(2);
  });

  it('counts not-yet-ready pods at 0% on a scale-up: 3 pods, 1 unready, 60% of 30% → 4', () => {
    const d = decide({ current: 3, ready: 2, metrics: [cpu(60, 30)] });
    expect(d.desired).toBe(4);
    expect(d.reason).toBe(
      'cpu 60% of target 30% on 2 of 3 pods; counting 1 not-yet-ready pod at 0% gives 40% → 4 replicas',
    );
  });

  it('does not scale when counting unready pods reverses the direction: 40% of 30% on 1 of 3 pods', () => {
    const d = decide({ current: 3, ready: 1, metrics: [cpu(40, 30)] });
    expect(d.desired).toBe(3);
    expect(d.reason).toContain('gives 13.3%, which reverses the direction → stays at 3 replicas');
  });

  it('leaves not-yet-ready pods out of a scale-down: 5 pods, 3 ready at 30% of 50% → 2', () => {
    expect(decide({ current: 5, ready: 3, metrics: [cpu(30, 50)] }).desired).toBe(2);
  });

  it('combines both on a scale-up: 1 unready, 1 missing, 200% of 50% on the last → 4', () => {
    expect(decide({ current: 3, ready: 2, metrics: [cpu(200, 50, 1)] }).desired).toBe(4);
  });

  it('does not scale when no ready pod reported', () => {
    const d = decide({ current: 3, metrics: [cpu(200, 50, 0)] });
    expect(d.desired).toBe(3);
    expect(d.reason).toBe('cpu: no ready pod reported a sample → stays at 3');
  });

  it('does not scale down while a metric is unavailable, but still scales up', () => {
    const down = decide({ current: 6, metrics: [cpu(20), { name: 'requests', value: undefined, target: 50 }] });
    expect(down.desired).toBe(6);
    expect(down.reason).toContain('not scaling down while requests is unavailable');
    const up = decide({ current: 6, metrics: [cpu(120), { name: 'requests', value: undefined, target: 50 }] });
    expect(up.desired).toBe(12);
  });
});

describe('stabilization windows', () => {
  it('waits 300 s by default before scaling down after a higher recommendation', () => {
    let history = EMPTY_HISTORY;
    const run = (at: number, value: number, current: number) => {
      const d = hpaDecide({ now: s(at), current, ready: current, min: 1, max: 20, metrics: [cpu(value)], history });
      history = d.history;
      return d;
    };
    expect(run(0, 60, 10).desired).toBe(10);
    // Load halves: the recommendation is 5, but 10 was recommended within the last 300 s.
    const held = run(60, 30, 10);
    expect(held.desired).toBe(10);
    expect(held.reason).toBe(
      'cpu 30% of target 60% → 5 replicas; held at 10 by the scale-down stabilization window (highest recommendation in the last 300s)',
    );
    expect(run(299, 30, 10).desired).toBe(10);
    // 300 s after the last recommendation of 10 it no longer counts.
    expect(run(300, 30, 10).desired).toBe(5);
  });

  it('holds at the highest recommendation of the window, not at the current count', () => {
    let history = settled(10);
    const run = (at: number, value: number) => {
      const d = hpaDecide({ now: s(at), current: 10, ready: 10, min: 1, max: 20, metrics: [cpu(value)], history });
      history = d.history;
      return d.desired;
    };
    expect(run(0, 48)).toBe(8);
    // 8 is applied by the caller; from 8 the later, lower recommendations are held at 8 for 300 s.
    const at8 = (at: number, value: number) => {
      const d = hpaDecide({ now: s(at), current: 8, ready: 8, min: 1, max: 20, metrics: [cpu(value)], history });
      history = d.history;
      return d.desired;
    };
    expect(at8(30, 24)).toBe(8);
    expect(at8(301, 24)).toBe(4);
  });

  it('with a scale-up window, scales up only to the lowest recommendation in it', () => {
    const behavior: Behavior = { scaleUp: { stabilizationWindowSeconds: 60 } };
    let history = settled(4);
    const run = (at: number, value: number) => {
      const d = hpaDecide({
        now: s(at),
        current: 4,
        ready: 4,
        min: 1,
        max: 20,
        metrics: [cpu(value)],
        behavior,
        history,
      });
      history = d.history;
      return d;
    };
    expect(run(0, 60).desired).toBe(4);
    const spike = run(10, 120);
    expect(spike.desired).toBe(4);
    expect(spike.reason).toContain(
      'held at 4 by the scale-up stabilization window (lowest recommendation in the last 60s)',
    );
    expect(run(40, 120).desired).toBe(4);
    // The recommendation of 4 at 0 s has left the window: the lowest is now 8.
    expect(run(61, 120).desired).toBe(8);
  });

  it('scales up at once by default (scale-up window 0 s)', () => {
    expect(
      hpaDecide({ now: T0, current: 4, ready: 4, min: 1, max: 20, metrics: [cpu(90)], history: EMPTY_HISTORY }).desired,
    ).toBe(6);
  });

  it('does not scale down on its first look at a workload (the window starts with the current count)', () => {
    const d = hpaDecide({
      now: T0,
      current: 10,
      ready: 10,
      min: 1,
      max: 20,
      metrics: [cpu(30)],
      history: EMPTY_HISTORY,
    });
    expect(d.desired).toBe(10);
    expect(d.history.recommendations).toEqual([
      { at: T0, replicas: 10 },
      { at: T0, replicas: 5 },
    ]);
  });
});

describe('rate policies', () => {
  // Kubernetes docs: "scaleDown: policies: Pods 4 per 60 s, Percent 10 per 60 s" — at 80 replicas 8 go, at 72
  // 10% is 7.2, rounded up to 8 removed; below 40 the Pods policy removes 4 at a time.
  const docs: Behavior = {
    scaleDown: {
      stabilizationWindowSeconds: 0,
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 60 },
        { type: 'Percent', value: 10, periodSeconds: 60 },
      ],
    },
  };

  it('scales down 80 → 72 → 64 … then 4 at a time below 40, one step a minute (the docs example)', () => {
    let current = 80;
    let history = settled(80);
    const seen: number[] = [];
    // The load stays at what 10 replicas serve at target: 80 pods at 7.5% of a 60% target.
    for (let minute = 0; current > 10 && minute < 30; minute++) {
      const metrics = [cpu(600 / current)];
      const d = hpaDecide({
        now: s(minute * 60),
        current,
        ready: current,
        min: 1,
        max: 100,
        metrics,
        behavior: docs,
        history,
      });
      history = d.history;
      current = d.desired;
      seen.push(current);
    }
    expect(seen.slice(0, 6)).toEqual([72, 64, 57, 51, 45, 40]);
    expect(seen.slice(6, 9)).toEqual([36, 32, 28]);
    expect(seen.at(-1)).toBe(10);
  });

  it('allows no further change within the period once its allowance is used', () => {
    let history = settled(80);
    const first = hpaDecide({
      now: T0,
      current: 80,
      ready: 80,
      min: 1,
      max: 100,
      metrics: [cpu(7.5)],
      behavior: docs,
      history,
    });
    expect(first.desired).toBe(72);
    history = first.history;
    const again = hpaDecide({
      now: s(30),
      current: 72,
      ready: 72,
      min: 1,
      max: 100,
      metrics: [cpu(7.5)],
      behavior: docs,
      history,
    });
    expect(again.desired).toBe(72);
    expect(again.reason).toContain('limited to 72 by scale-down policy 10% per 60s (8 removed in that period already)');
  });

  it('picks the smallest change with selectPolicy Min', () => {
    const behavior: Behavior = { scaleDown: { ...docs.scaleDown, selectPolicy: 'Min' } };
    const d = hpaDecide({
      now: T0,
      current: 80,
      ready: 80,
      min: 1,
      max: 100,
      metrics: [cpu(7.5)],
      behavior,
      history: settled(80),
    });
    expect(d.desired).toBe(76);
  });

  it('never scales down with selectPolicy Disabled', () => {
    const behavior: Behavior = { scaleDown: { selectPolicy: 'Disabled' } };
    const d = decide({ current: 10, metrics: [cpu(6)], behavior });
    expect(d.desired).toBe(10);
    expect(d.reason).toBe(
      'cpu 6% of target 60% → 1 replica; scale-down disabled (selectPolicy Disabled) → stays at 10',
    );
    // …and still scales up.
    expect(decide({ current: 10, metrics: [cpu(90)], behavior }).desired).toBe(15);
  });

  it('never scales up with scale-up selectPolicy Disabled', () => {
    const d = decide({ current: 3, metrics: [cpu(120)], behavior: { scaleUp: { selectPolicy: 'Disabled' } } });
    expect(d.desired).toBe(3);
  });

  it('limits scale-up by a slower policy and counts what was added within the period', () => {
    const behavior: Behavior = { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } };
    let history = settled(4);
    let current = 4;
    const out: number[] = [];
    for (const at of [0, 20, 40, 61, 121]) {
      const d = hpaDecide({
        now: s(at),
        current,
        ready: current,
        min: 1,
        max: 50,
        metrics: [cpu(600)],
        behavior,
        history,
      });
      history = d.history;
      current = d.desired;
      out.push(current);
    }
    expect(out).toEqual([6, 6, 6, 8, 10]);
  });

  it('caps at maxReplicas and raises to minReplicas, saying so', () => {
    const up = hpaDecide({ now: T0, current: 8, ready: 8, min: 2, max: 10, metrics: [cpu(120)], history: settled(8) });
    expect(up.desired).toBe(10);
    expect(up.reason).toBe('cpu 120% of target 60% → 16 replicas; capped at maxReplicas 10');
    const down = hpaDecide({ now: T0, current: 4, ready: 4, min: 3, max: 10, metrics: [cpu(10)], history: settled(4) });
    expect(down.desired).toBe(3);
    expect(down.reason).toBe('cpu 10% of target 60% → 1 replica; raised to minReplicas 3');
  });
});

describe('bounds and state', () => {
  it('brings a workload outside [min, max] to the bound at once', () => {
    expect(decide({ current: 30, max: 20, metrics: [cpu(60)] })).toMatchObject({
      desired: 20,
      reason: '30 replicas is above maxReplicas 20 → 20',
    });
    expect(decide({ current: 1, min: 3, metrics: [cpu(60)] }).desired).toBe(3);
  });

  it('leaves a workload at 0 replicas alone when minReplicas is above 0', () => {
    expect(decide({ current: 0, ready: 0, metrics: [cpu(500)] })).toMatchObject({ desired: 0 });
  });

  it('records the scale event it decides, and none in preview', () => {
    const d = hpaDecide({ now: T0, current: 4, ready: 4, min: 1, max: 20, metrics: [cpu(90)], history: settled(4) });
    expect(d.history.scaleUps).toEqual([{ at: T0, change: 2 }]);
    const p = hpaDecide({
      now: T0,
      current: 4,
      ready: 4,
      min: 1,
      max: 20,
      metrics: [cpu(90)],
      history: settled(4),
      preview: true,
    });
    expect(p.desired).toBe(6);
    expect(p.history.scaleUps).toEqual([]);
    expect(
      hpaRecommend({ now: T0, current: 4, ready: 4, min: 1, max: 20, metrics: [cpu(90)], history: settled(4) }).history
        .scaleUps,
    ).toEqual([]);
  });

  it('forgets what no window or period can see any more, and never mutates its input', () => {
    const history: HpaHistory = {
      recommendations: [
        { at: s(-400), replicas: 9 },
        { at: s(-100), replicas: 7 },
      ],
      scaleUps: [{ at: s(-20), change: 1 }],
      scaleDowns: [{ at: s(-5), change: 2 }],
    };
    const frozen = structuredClone(history);
    const d = hpaDecide({ now: T0, current: 5, ready: 5, min: 1, max: 20, metrics: [cpu(24)], history });
    expect(history).toEqual(frozen);
    expect(d.history.recommendations.map((r) => r.replicas)).toEqual([7, 2]);
    expect(d.desired).toBe(5);
  });
});
