import { describe, expect, it } from 'vitest';
import { isKnownCode, renderMessage, type Message } from '../kernel/messages/index.ts';
import { autoscalingPropertiesSchema } from './autoscaling-policy.ts';
import { decide, type ComponentAutoscaling } from './autoscaler.ts';
import { EMPTY_HISTORY, hpaDecide, type HpaHistory, type HpaInput, type MetricSample } from './hpa-algorithm.ts';
import { detectPeriod, MINUTE_MS } from './period-detection.ts';

/** Every code inside a message, depth first: the decision's structure, as the console and the CLI receive it. */
function codes(m: Message): string[] {
  const out = [m.code];
  for (const v of Object.values(m.params ?? {})) {
    if (Array.isArray(v)) for (const x of v as Message[]) out.push(...codes(x));
    else if (typeof v === 'object' && v !== null) out.push(...codes(v as Message));
  }
  return out;
}

const T0 = Date.UTC(2026, 2, 2, 1, 0, 0);
const settled = (replicas: number): HpaHistory => ({
  ...EMPTY_HISTORY,
  recommendations: [{ at: T0 - 3_600_000, replicas }],
});
const sample = (name: string, value: number | undefined, target: number, unit: string): MetricSample => ({
  name,
  value,
  target,
  unit,
});
const hpa = (o: Partial<HpaInput> & { current: number; metrics: MetricSample[] }) =>
  hpaDecide({ now: T0, ready: o.current, min: 1, max: 100, history: settled(o.current), ...o });

function component(extra: Partial<ComponentAutoscaling> = {}): ComponentAutoscaling {
  const entry = { name: 'web', minReplicas: 2, maxReplicas: 20, targets: { cpuUtilization: 60 }, ...extra };
  return autoscalingPropertiesSchema.parse({ components: [entry] }).components[0]!;
}

describe('the autoscaler decision reasons are coded messages', () => {
  it('codes a metric proposal limited by a rate policy, with its English unchanged', () => {
    const d = hpa({ current: 5, metrics: [sample('cpu', 182, 60, '%')] });
    expect(d.detail.message).toBe(d.reason);
    expect(d.reason).toBe('cpu 182% of target 60% → 16 replicas; limited to 10 by scale-up policy 100% per 15s');
    expect(d.detail.code).toBe('MessageList');
    expect(codes(d.detail)).toEqual([
      'MessageList',
      'MetricProposes',
      'MetricObserved',
      'MetricCpu',
      'ReplicaMany',
      'LimitedByScaleUpPolicy',
      'RatePercent',
    ]);
    expect(renderMessage(d.detail, 'zh')).toBe(
      'CPU 182%（目标 60%） → 16 个副本；扩容策略（每 15 秒 100%）将其限制为 10',
    );
  });

  it('codes the highest of several metrics and the others as a list', () => {
    const d = hpa({
      current: 4,
      metrics: [sample('cpu', 30, 60, '%'), sample('requests', 150, 100, ' req/s')],
    });
    expect(d.reason).toBe('requests 150 req/s of target 100 req/s → 6 replicas (highest; cpu → 2)');
    expect(d.detail.code).toBe('HpaHighest');
    expect(codes(d.detail)).toContain('UnitRequestsPerSecond');
    expect(renderMessage(d.detail, 'zh')).toBe('请求数 150 次/秒（目标 100 次/秒） → 6 个副本（最高；CPU → 2）');
  });

  it('codes the bounds, an unavailable metric and no metric at all', () => {
    expect(hpa({ current: 30, max: 20, metrics: [] }).detail).toMatchObject({
      code: 'HpaAboveMax',
      params: { current: 30, max: 20 },
    });
    expect(hpa({ current: 0, min: 1, metrics: [] }).detail.code).toBe('HpaDisabledAtZero');
    const none = hpa({ current: 3, metrics: [] });
    expect(codes(none.detail)).toEqual(['HpaStays', 'HpaNoMetric']);
    const unavailable = hpa({ current: 3, metrics: [sample('latency', undefined, 200, ' ms')] });
    expect(codes(unavailable.detail)).toEqual(['HpaStays', 'MetricUnavailable', 'MetricLatency']);
    expect(renderMessage(unavailable.detail, 'zh')).toBe('延迟不可用 → 保持 3');
  });

  it('codes the conservative pass over pods without a sample', () => {
    const d = hpa({ current: 4, metrics: [{ ...sample('cpu', 120, 60, '%'), reporting: 3 }] });
    expect(codes(d.detail)).toContain('MetricRecomputed');
    expect(codes(d.detail)).toContain('PodsMissingAtZero');
    expect(d.reason).toContain('counting 1 pod without a sample at 0%');
  });

  it("codes polis's decision: head, source and each source's sentence", () => {
    const d = decide(component(), {
      now: T0,
      current: 5,
      ready: 5,
      metrics: { cpuUtilization: { value: 120 } },
      history: settled(5),
      preview: true,
    });
    expect(d.reason).toBe(
      '5 → 10 replicas, set by the metrics (preview: not applied). Reactive 10: cpu 120% of target 60% → 10 replicas.',
    );
    expect(d.detail.message).toBe(d.reason);
    expect(codes(d.detail).slice(0, 6)).toEqual([
      'AutoscaleDecision',
      'SentenceThen',
      'AutoscaleHeadPreview',
      'ReplicasChange',
      'SetByMetrics',
      'ReactiveSays',
    ]);
    expect(renderMessage(d.detail, 'zh')).toBe(
      '5 → 10 个副本，由指标决定（预览：未执行）。响应式 10：CPU 120%（目标 60%） → 10 个副本。',
    );
  });

  it('codes why prediction found no cycle', () => {
    const d = decide(component({ prediction: { enabled: true } } as Partial<ComponentAutoscaling>), {
      now: T0,
      current: 4,
      ready: 4,
      metrics: { cpuUtilization: { value: 60 } },
      history: settled(4),
      loadHistory: { stepMs: 5 * MINUTE_MS, samples: Array.from({ length: 12 }, () => 100) },
      perReplicaCapacity: 60,
    });
    expect(codes(d.detail)).toEqual(expect.arrayContaining(['PredictionNoCycle', 'PeriodTooShort', 'SpanHours']));
    expect(renderMessage(d.detail, 'zh')).toContain('预测：无周期：需要两天的历史，现有 1 小时');
    const flat = detectPeriod(
      Array.from({ length: 3 * 288 }, () => 100),
      5 * MINUTE_MS,
    );
    expect(flat.detail.code).toBe('PeriodNone');
  });

  it('uses only codes the catalogue knows', () => {
    const d = hpa({
      current: 10,
      metrics: [sample('cpu', 10, 60, '%')],
      behavior: { scaleDown: { selectPolicy: 'Disabled' } },
    });
    expect(codes(d.detail).filter((c) => !isKnownCode(c))).toEqual([]);
    expect(codes(d.detail)).toContain('ScaleDownDisabled');
  });
});
