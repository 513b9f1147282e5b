import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { autoscalingPropertiesSchema } from './autoscaling-policy.ts';
import { decide, type AutoscalerInputs, type ComponentAutoscaling } from './autoscaler.ts';
import { EMPTY_HISTORY, hpaDecide, type HpaHistory } from './hpa-algorithm.ts';
import { DAY_MS, MINUTE_MS } from './period-detection.ts';

const at = (iso: string) => new Date(iso).getTime();
// Monday 2026-03-02, 08:00 UTC (16:00 in Shanghai).
const NOW = at('2026-03-02T08:00:00Z');
const settled = (replicas: number): HpaHistory => ({
  ...EMPTY_HISTORY,
  recommendations: [{ at: NOW - 3_600_000, replicas }],
});

/** A component entry as the policy schema accepts it (parsed, so the tests use the real shape). */
function component(extra: Partial<ComponentAutoscaling> = {}): ComponentAutoscaling {
  const entry = { name: 'web', minReplicas: 2, maxReplicas: 20, targets: { cpuUtilization: 60 }, ...extra };
  return autoscalingPropertiesSchema.parse({ components: [entry] }).components[0]!;
}

const inputs = (o: Partial<AutoscalerInputs> & { current: number; cpu?: number }): AutoscalerInputs => ({
  now: NOW,
  ready: o.current,
  metrics: { cpuUtilization: { value: o.cpu ?? 60 } },
  history: settled(o.current),
  ...o,
});

// Office load in requests/s over a Shanghai day (UTC+8): quiet at night, peaks at 10:00 and 15:00 local.
const STEP = 5 * MINUTE_MS;
const officeRps = (t: number) => {
  const hour = (((t / 3_600_000 + 8) % 24) + 24) % 24;
  return 30 + 500 * Math.exp(-(((hour - 10) / 1.5) ** 2)) + 300 * Math.exp(-(((hour - 15) / 1.5) ** 2));
};
const loadHistory = (now: number, days = 7) => {
  const count = (days * DAY_MS) / STEP;
  return { stepMs: STEP, samples: Array.from({ length: count }, (_, i) => officeRps(now - (count - i) * STEP)) };
};

describe('decide', () => {
  it('is the HPA decision when no schedule or prediction applies, and says so', () => {
    const d = decide(component(), inputs({ current: 5, cpu: 120 }));
    expect(d).toMatchObject({ desired: 10, reactive: 10, scheduled: 0, predicted: 0, preview: false });
    expect(d.reason).toBe('5 → 10 replicas, set by the metrics. Reactive 10: cpu 120% of target 60% → 10 replicas.');
    expect(d.history.scaleUps).toEqual([{ at: NOW, change: 5 }]);
  });

  it('raises to an open schedule window, and never lowers a higher reactive decision', () => {
    const c = component({
      schedules: [
        { name: 'afternoon', cron: '0 16 * * 1-5', timezone: 'Asia/Shanghai', durationMinutes: 60, minReplicas: 12 },
      ],
    });
    const quiet = decide(c, inputs({ current: 4, cpu: 30 }));
    expect(quiet).toMatchObject({ desired: 12, reactive: 2, scheduled: 12 });
    expect(quiet.reason).toBe(
      '4 → 12 replicas, set by the schedule. Reactive 2: cpu 30% of target 60% → 2 replicas. ' +
        'Schedule "afternoon" sets the floor 12 until 2026-03-02T09:00:00.000Z.',
    );
    const busy = decide(c, inputs({ current: 10, cpu: 96 }));
    expect(busy).toMatchObject({ desired: 16, reactive: 16, scheduled: 12 });
    const later = decide(c, inputs({ now: at('2026-03-02T09:00:00Z'), current: 12, cpu: 30 }));
    expect(later.scheduled).toBe(0);
    expect(later.reason).toContain('No schedule window is open');
  });

  it('raises ahead of a daily peak the forecast sees coming', () => {
    // 09:00 in Shanghai: load is rising towards the 10:00 peak.
    const now = at('2026-03-02T01:00:00Z');
    const c = component({ prediction: { enabled: true, horizonMinutes: 60 } });
    const d = decide(c, {
      ...inputs({ now, current: 4, cpu: 60 }),
      loadHistory: loadHistory(now),
      perReplicaCapacity: 60,
    });
    expect(d.reactive).toBe(4);
    // The peak of the next hour is 530 req/s: 9 replicas at 60 req/s each.
    expect(d.predicted).toBe(9);
    expect(d.desired).toBe(9);
    expect(d.period?.periodMs).toBe(DAY_MS);
    expect(d.reason).toMatch(/^4 → 9 replicas, set by the prediction\. /);
    expect(d.reason).toMatch(/Prediction 9: daily cycle \(strength 1\) forecasts a peak of 5\d\d in the next 60 min/);
  });

  it('lets prediction abstain without a cycle, and says why', () => {
    const c = component({ prediction: { enabled: true } });
    const flat = { stepMs: STEP, samples: new Array<number>((3 * DAY_MS) / STEP).fill(100) };
    const d = decide(c, { ...inputs({ current: 4 }), loadHistory: flat, perReplicaCapacity: 60 });
    expect(d.predicted).toBe(0);
    expect(d.desired).toBe(4);
    expect(d.reason).toContain('Prediction: no cycle');
    expect(decide(c, inputs({ current: 4 })).reason).toContain('Prediction: no load history');
  });

  it('keeps within the bounds, naming the bound that decided', () => {
    const c = component({
      maxReplicas: 8,
      schedules: [{ cron: '0 * * * *', durationMinutes: 60, minReplicas: 30 }],
    });
    const d = decide(c, inputs({ current: 4 }));
    expect(d).toMatchObject({ desired: 8, scheduled: 30 });
    expect(d.reason).toMatch(/^4 → 8 replicas, set by maxReplicas 8\. /);
  });

  it('passes preview through: the same decision, marked, with no scale event recorded', () => {
    const c = component();
    const real = decide(c, inputs({ current: 5, cpu: 120 }));
    const preview = decide(c, inputs({ current: 5, cpu: 120, preview: true }));
    expect(preview.desired).toBe(real.desired);
    expect(preview.preview).toBe(true);
    expect(preview.reason).toMatch(/^5 → 10 replicas, set by the metrics \(preview: not applied\)\. /);
    expect(preview.history.scaleUps).toEqual([]);
    expect(preview.history.recommendations).toEqual(real.history.recommendations);
  });

  it('records the applied change, schedule raises included, for the rate policies of the next decision', () => {
    const c = component({ schedules: [{ cron: '0 * * * *', durationMinutes: 60, minReplicas: 12 }] });
    const first = decide(c, inputs({ current: 4, cpu: 60 }));
    expect(first.history.scaleUps).toEqual([{ at: NOW, change: 8 }]);
    // Five seconds later the load doubles: 100% per 15 s from the 4 of the period's start allows 8, below 12.
    const next = decide(c, inputs({ now: NOW + 5000, current: 12, cpu: 120, history: first.history }));
    expect(next.reactive).toBe(12);
    expect(next.reason).toContain('limited to 12 by scale-up policy 100% per 15s (8 added in that period already)');
  });

  it('maps every target: requests per replica per pod, latency for the whole component', () => {
    const c = component({ targets: { requestsPerReplica: 50, latencyMs: 200 } });
    const d = decide(c, {
      ...inputs({ current: 4 }),
      metrics: { requestsPerReplica: { value: 75, reporting: 4 }, latencyMs: { value: 500 } },
    });
    expect(d.reactive).toBe(8);
    expect(d.reason).toContain('latency 500 ms of target 200 ms → 10 replicas (highest; requests → 6)');
    const missing = decide(c, { ...inputs({ current: 6 }), metrics: { requestsPerReplica: { value: 10 } } });
    expect(missing.desired).toBe(6);
    expect(missing.reason).toContain('not scaling down while latency is unavailable');
  });

  it('leaves a workload at 0 replicas at 0 (autoscaling disabled)', () => {
    const c = component({ schedules: [{ cron: '0 * * * *', durationMinutes: 60, minReplicas: 5 }] });
    expect(decide(c, inputs({ current: 0, cpu: 300 }))).toMatchObject({ desired: 0, reactive: 0 });
  });

  it('only ever raises the reactive decision: desired = clamp(max(reactive, scheduled, predicted))', () => {
    const arbitrary = fc.record({
      min: fc.integer({ min: 0, max: 10 }),
      span: fc.integer({ min: 1, max: 30 }),
      current: fc.integer({ min: 0, max: 40 }),
      cpu: fc.integer({ min: 0, max: 400 }),
      floor: fc.integer({ min: 0, max: 50 }),
      minute: fc.integer({ min: 0, max: 59 }),
      hour: fc.integer({ min: 0, max: 23 }),
      capacity: fc.integer({ min: 20, max: 200 }),
      predict: fc.boolean(),
    });
    fc.assert(
      fc.property(arbitrary, (o) => {
        const now = at('2026-03-02T00:00:00Z') + (o.hour * 60 + o.minute) * MINUTE_MS;
        const c = component({
          minReplicas: o.min,
          maxReplicas: o.min + o.span,
          schedules: [{ cron: '0 */3 * * *', timezone: 'Asia/Shanghai', durationMinutes: 90, minReplicas: o.floor }],
          prediction: { enabled: o.predict, horizonMinutes: 30 },
        });
        const given = {
          ...inputs({ now, current: o.current, cpu: o.cpu }),
          loadHistory: loadHistory(now, 3),
          perReplicaCapacity: o.capacity,
        };
        const d = decide(c, given);
        const hpa = hpaDecide({
          now,
          current: o.current,
          ready: o.current,
          min: o.min,
          max: o.min + o.span,
          metrics: [{ name: 'cpu', value: o.cpu, target: 60 }],
          history: given.history,
        });
        expect(d.reactive).toBe(hpa.desired);
        if (o.current === 0 && o.min > 0) {
          expect(d.desired).toBe(0);
          return;
        }
        expect(d.desired).toBeGreaterThanOrEqual(hpa.desired);
        expect(d.desired).toBe(Math.min(o.min + o.span, Math.max(o.min, d.reactive, d.scheduled, d.predicted)));
        if (!o.predict) expect(d.predicted).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe('docs/autoscaling.md', () => {
  it('shows a policy that the schema accepts', () => {
    const text = readFileSync(fileURLToPath(new URL('../../docs/autoscaling.md', import.meta.url)), 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(text)?.[1];
    const policy = (parse(block!) as { policies: { properties: unknown }[] }).policies[0]!;
    const parsed = autoscalingPropertiesSchema.safeParse(policy.properties);
    expect(parsed.success).toBe(true);
  });
});
