/**
 * polis's replica decision for one component of an `autoscaling` policy: the reactive HPA decision, raised by the
 * scheduled floor and by the forecast, within [minReplicas, maxReplicas]. Pure: the controller gathers the inputs,
 * calls {@link decide}, stores the history and (unless previewing) applies the count.
 */
import type { AutoscalingProperties } from './autoscaling-policy.ts';
import { hpaRecommend, resolveBehavior, withScale, type HpaHistory, type MetricSample } from './hpa-algorithm.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { num } from './hpa-metrics.ts';
import { DAY_MS } from './period-detection.ts';
import { joinSentences, replicasPart } from './reason-parts.ts';
import { forecastWithDetail, type PeriodEstimate } from './prediction.ts';
import { scheduledFloor } from './schedules.ts';

/** One component's entry of the `autoscaling` policy. */
export type ComponentAutoscaling = AutoscalingProperties['components'][number];

/** An observed metric: for CPU and requests the mean over the ready pods that reported, for latency the one value. */
export interface ObservedMetric {
  readonly value: number | undefined;
  /** Of the ready pods, how many reported (per-pod metrics; default: all ready pods). */
  readonly reporting?: number;
}

/** What was observed for each target of the policy; a target without an observation is unavailable. */
export interface ObservedMetrics {
  /** Mean CPU use in percent of the pods' request. */
  readonly cpuUtilization?: ObservedMetric;
  /** Mean requests per second per pod. */
  readonly requestsPerReplica?: ObservedMetric;
  /** The component's latency in ms (an object metric: p95 or whichever the target means). */
  readonly latencyMs?: ObservedMetric;
}

/** The component's total load, oldest first, at a regular step: in the unit of `perReplicaCapacity`. */
export interface LoadHistory {
  readonly samples: readonly number[];
  readonly stepMs: number;
}

export interface AutoscalerInputs {
  readonly now: number;
  readonly current: number;
  readonly ready: number;
  readonly metrics: ObservedMetrics;
  readonly history: HpaHistory;
  /** For prediction: e.g. requests/s of the whole component, or its CPU in percent of one pod's request. */
  readonly loadHistory?: LoadHistory;
  /** How much load one replica serves at target (e.g. 60 req/s, or the CPU target of 60 for CPU in percent). */
  readonly perReplicaCapacity?: number;
  /** Passed through: the caller records the decision without acting on it, so no scale event is recorded. */
  readonly preview?: boolean;
}

export interface AutoscalerDecision {
  /** clamp(max(reactive, scheduled, predicted), minReplicas, maxReplicas). */
  readonly desired: number;
  /** The HPA decision on the metrics (stabilized, rate-limited). */
  readonly reactive: number;
  /** The floor of the open schedule windows (0 when none). */
  readonly scheduled: number;
  /** Replicas for the forecast peak over the horizon (0 when prediction is off or finds no cycle). */
  readonly predicted: number;
  /** Every decision carries its reason: which source set the count, and what each source said (English). */
  readonly reason: string;
  /**
   * `reason` as a coded message (docs/messages.md): the head and each source's sentence, each a code with its
   * parameters, so the console and the CLI show it in the reader's language.
   */
  readonly detail: Message;
  /** Pass it back on the next decision. */
  readonly history: HpaHistory;
  readonly preview: boolean;
  /** The detected cycle behind `predicted`, when prediction ran. */
  readonly period?: PeriodEstimate;
}

/** Prediction's horizon when the policy names none: enough for new pods to start and warm up. */
export const DEFAULT_HORIZON_MINUTES = 15;

/**
 * Decides the component's replicas at `inputs.now`. Prediction and schedules only ever raise the reactive decision;
 * bounds apply last. A workload at 0 replicas with minReplicas above 0 is left at 0 (autoscaling disabled, as in
 * Kubernetes).
 */
export function decide(component: ComponentAutoscaling, inputs: AutoscalerInputs): AutoscalerDecision {
  const { now, current } = inputs;
  const min = component.minReplicas;
  const max = component.maxReplicas;
  const preview = inputs.preview === true;
  const hpa = hpaRecommend({
    now,
    current,
    ready: inputs.ready,
    min,
    max,
    metrics: samples(component, inputs.metrics),
    tolerance: component.tolerance,
    behavior: component.behavior,
    history: inputs.history,
  });
  const reactive = hpa.desired;
  const sentences: Message[] = [msg('ReactiveSays', { replicas: reactive, reason: hpa.detail })];
  if (current === 0 && min > 0) {
    const detail = sentences[0]!;
    return {
      desired: 0,
      reactive,
      scheduled: 0,
      predicted: 0,
      reason: detail.message,
      detail,
      history: hpa.history,
      preview,
    };
  }

  const schedule = scheduledFloor(component.schedules ?? [], now);
  if (component.schedules?.length) {
    sentences.push(
      schedule.window === undefined
        ? msg('ScheduleNoneOpen')
        : msg('ScheduleFloor', {
            window: schedule.window,
            floor: schedule.floor,
            until: new Date(schedule.until!).toISOString(),
          }),
    );
  }
  const prediction = predict(component, inputs);
  if (prediction.sentence) sentences.push(prediction.sentence);

  const raw = Math.max(reactive, schedule.floor, prediction.replicas);
  const desired = Math.min(max, Math.max(min, raw));
  const source =
    desired === reactive
      ? msg('SetByMetrics')
      : desired === max && raw > max
        ? msg('SetByMaxReplicas', { max })
        : desired === min && raw < min
          ? msg('SetByMinReplicas', { min })
          : desired === schedule.floor
            ? msg('SetBySchedule')
            : msg('SetByPrediction');
  const change =
    desired === current
      ? msg('ReplicasStay', { replicas: replicasPart(desired) })
      : msg('ReplicasChange', { from: current, to: desired });
  const head = preview ? msg('AutoscaleHeadPreview', { change, source }) : msg('AutoscaleHead', { change, source });
  const detail = msg('AutoscaleDecision', { sentences: joinSentences([head, ...sentences]) });
  const rules = resolveBehavior(component.behavior);
  return {
    desired,
    reactive,
    scheduled: schedule.floor,
    predicted: prediction.replicas,
    reason: detail.message,
    detail,
    history: preview ? hpa.history : withScale(hpa.history, now, current, desired, rules),
    preview,
    ...(prediction.period ? { period: prediction.period } : {}),
  };
}

function samples(component: ComponentAutoscaling, observed: ObservedMetrics): MetricSample[] {
  const t = component.targets;
  const out: MetricSample[] = [];
  const add = (
    name: string,
    target: number | undefined,
    o: ObservedMetric | undefined,
    rest: Partial<MetricSample>,
  ) => {
    if (target !== undefined) out.push({ name, target, value: o?.value, reporting: o?.reporting, ...rest });
  };
  add('cpu', t.cpuUtilization, observed.cpuUtilization, { unit: '%' });
  add('requests', t.requestsPerReplica, observed.requestsPerReplica, { unit: ' req/s' });
  add('latency', t.latencyMs, observed.latencyMs, { unit: ' ms', scope: 'object' });
  return out;
}

/**
 * The forecast for a history object, computed once: the controller hands the same history object until a new bucket
 * is whole, so the period detection (an FFT over two weeks) runs once per bucket, not once per evaluation. The
 * result depends only on the (immutable) samples, so this stays a pure function.
 */
const forecasts = new WeakMap<LoadHistory, { steps: number; forecast: ReturnType<typeof forecastWithDetail> }>();
function memoForecast(history: LoadHistory, steps: number): ReturnType<typeof forecastWithDetail> {
  const hit = forecasts.get(history);
  if (hit && hit.steps === steps) return hit.forecast;
  const forecast = forecastWithDetail(history.samples, history.stepMs, steps);
  forecasts.set(history, { steps, forecast });
  return forecast;
}

function predict(
  component: ComponentAutoscaling,
  inputs: AutoscalerInputs,
): { replicas: number; sentence?: Message; period?: PeriodEstimate } {
  if (!component.prediction?.enabled) return { replicas: 0 };
  const history = inputs.loadHistory;
  const capacity = inputs.perReplicaCapacity;
  if (history === undefined || history.samples.length === 0)
    return { replicas: 0, sentence: msg('PredictionNoHistory') };
  if (!(capacity !== undefined && capacity > 0)) {
    return { replicas: 0, sentence: msg('PredictionNoCapacity') };
  }
  const minutes = component.prediction.horizonMinutes ?? DEFAULT_HORIZON_MINUTES;
  const steps = Math.max(1, Math.ceil((minutes * 60_000) / history.stepMs));
  const f = memoForecast(history, steps);
  if (f.period.periodMs === undefined)
    return { replicas: 0, sentence: msg('PredictionNoCycle', { why: f.period.detail }), period: f.period };
  const peak = Math.max(...f.values);
  // A hair of slack so that 180 / 60 is 3 replicas, not 4 by rounding noise.
  const replicas = Math.max(0, Math.ceil(peak / capacity - 1e-9));
  const cycle = f.period.periodMs === DAY_MS ? msg('CycleDaily') : msg('CycleWeekly');
  return {
    replicas,
    period: f.period,
    sentence: msg('PredictionPeak', {
      replicas,
      cycle,
      strength: num(f.period.strength),
      peak: num(peak),
      minutes,
      margin: num(f.margin),
      capacity: num(capacity),
    }),
  };
}
