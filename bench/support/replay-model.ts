/**
 * A deterministic replay of one component's measured load against an autoscaler, in virtual time: the autoscaling
 * quality model behind bench/elasticity-quality.ts (the model, its definitions and their reasons are in
 * docs/benchmarks.md, section elasticity-quality).
 *
 * Units: demand is in "replicas at target", the replicas that would run the minute's load at exactly the CPU target
 * (one replica serves 1.0). CPU utilization in percent of a pod's request is demand / ready replicas × target.
 */
import { decide, type ComponentAutoscaling } from '../../src/scaling/autoscaler.ts';
import { EMPTY_HISTORY, hpaDecide, type HpaHistory } from '../../src/scaling/hpa-algorithm.ts';

/** The measurement definitions, shared by every strategy. */
export interface ReplayModel {
  /** The CPU target of every strategy, in percent of a pod's request. */
  readonly targetPercent: number;
  /** A minute violates when utilization exceeds the target by more than this many percentage points. */
  readonly violationPoints: number;
  /** The simulation step; the HPA evaluates on each one, polis on each metric arrival (every minute). */
  readonly tickMs: number;
  /** From a scale-up decision until the new pod serves (image pull, start, readiness). */
  readonly startupMs: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** The strategies run this long before the evaluated window, to settle; it is not measured. */
  readonly settleMinutes: number;
}

export const REPLAY_MODEL: ReplayModel = {
  targetPercent: 60,
  violationPoints: 10,
  tickMs: 15_000,
  startupMs: 60_000,
  minReplicas: 1,
  maxReplicas: 40,
  settleMinutes: 120,
};

const MINUTE_MS = 60_000;

/** One component's load: a demand per minute, of which the minutes from `evalStart` on are measured. */
export interface ComponentLoad {
  readonly name: string;
  readonly source: 'crane' | 'planetlab';
  /** Replicas at target, one value per minute. */
  readonly demand: Float64Array;
  /** The first measured minute; the minutes before are history (the predictor's warm-up). */
  readonly evalStart: number;
  /** Epoch ms of minute 0. */
  readonly startMs: number;
}

/** An autoscaling strategy, as data (it crosses to worker threads). */
export type Strategy =
  | { readonly kind: 'static'; readonly name: string; readonly replicas: number }
  | { readonly kind: 'hpa'; readonly name: string }
  | {
      readonly kind: 'polis';
      readonly name: string;
      readonly component: ComponentAutoscaling;
      /** Load history for prediction: means over this many minutes (only when prediction is enabled). */
      readonly historyStepMinutes?: number;
      /** The controller keeps at most this many days of load history (default 14: enough to find a weekly cycle). */
      readonly historyDays?: number;
      /** perReplicaCapacity passed to `decide` is the target × this (below 1: a safety margin). */
      readonly capacityFactor?: number;
    };

/** What one replay measured over the evaluated window. */
export interface ReplayStats {
  readonly minutes: number;
  readonly violationMinutes: number;
  /** Σ over evaluated minutes of the replicas held (ready and starting: a starting pod holds its request). */
  readonly allocated: number;
  /** Σ over evaluated minutes of the demand, in the same unit. */
  readonly used: number;
  /** Scale events (a decision that changed the count). */
  readonly changes: number;
  /** polis predictive only (else 0): measured decisions, those with a cycle found, those the forecast raised. */
  readonly decisions: number;
  readonly withCycle: number;
  readonly raisedByPrediction: number;
}

interface Observation {
  readonly now: number;
  readonly measured: boolean;
  readonly minute: number;
  readonly current: number;
  readonly ready: number;
  /** Mean CPU utilization over the previous minute, in percent of request, and how many pods reported it. */
  readonly cpu: { readonly value: number; readonly reporting: number };
}

interface Controller {
  readonly everyTicks: number;
  readonly initial?: number;
  readonly prediction?: { decisions: number; withCycle: number; raisedByPrediction: number };
  decide(o: Observation): number;
}

/**
 * Replays `load` against `strategy`. Each tick: pending pods whose start-up is over become ready; on an evaluation
 * tick the autoscaler sees the previous minute's mean utilization (the metric lags by one sample) and sets the count
 * (new pods start, a scale-down removes starting pods first and is immediate); then the tick's demand is served by
 * the ready pods. A minute is a violation when any of its ticks runs above target + violationPoints.
 */
export function replay(load: ComponentLoad, strategy: Strategy, model: ReplayModel = REPLAY_MODEL): ReplayStats {
  const { demand, evalStart } = load;
  const perMinute = Math.round(MINUTE_MS / model.tickMs);
  const startupTicks = Math.ceil(model.startupMs / model.tickMs);
  const ctl = controller(strategy, load, model, perMinute);
  const limit = (model.targetPercent + model.violationPoints) / model.targetPercent;
  const first = Math.max(1, evalStart - model.settleMinutes);
  const clamp = (n: number) => Math.min(model.maxReplicas, Math.max(model.minReplicas, n));
  let current = ctl.initial ?? clamp(Math.ceil(demand[first - 1]! - 1e-9));
  let ready = current;
  const pending: { at: number; count: number }[] = [];
  let prevUtil = (demand[first - 1]! / ready) * model.targetPercent;
  let prevReadyEnd = ready;
  const stats = { minutes: 0, violationMinutes: 0, allocated: 0, used: 0, changes: 0 };

  for (let m = first; m < demand.length; m++) {
    const d = demand[m]!;
    const measured = m >= evalStart;
    let violated = false;
    let utilSum = 0;
    let held = 0;
    for (let s = 0; s < perMinute; s++) {
      const tick = m * perMinute + s;
      while (pending.length > 0 && pending[0]!.at <= tick) ready += pending.shift()!.count;
      if (tick % ctl.everyTicks === 0) {
        const desired = ctl.decide({
          now: load.startMs + tick * model.tickMs,
          measured,
          minute: m,
          current,
          ready,
          cpu: { value: prevUtil, reporting: Math.min(ready, prevReadyEnd) },
        });
        if (desired !== current) {
          if (measured) stats.changes++;
          if (desired > current) pending.push({ at: tick + startupTicks, count: desired - current });
          else {
            let drop = current - desired;
            while (drop > 0 && pending.length > 0) {
              const last = pending[pending.length - 1]!;
              const take = Math.min(drop, last.count);
              last.count -= take;
              drop -= take;
              if (last.count === 0) pending.pop();
            }
            ready -= drop;
          }
          current = desired;
        }
      }
      if (d > ready * limit) violated = true;
      utilSum += (d / ready) * model.targetPercent;
      held += current;
    }
    prevUtil = utilSum / perMinute;
    prevReadyEnd = ready;
    if (measured) {
      stats.minutes++;
      if (violated) stats.violationMinutes++;
      stats.allocated += held / perMinute;
      stats.used += d;
    }
  }
  return { ...stats, ...(ctl.prediction ?? { decisions: 0, withCycle: 0, raisedByPrediction: 0 }) };
}

function controller(strategy: Strategy, load: ComponentLoad, model: ReplayModel, perMinute: number): Controller {
  switch (strategy.kind) {
    case 'static':
      return { everyTicks: perMinute, initial: strategy.replicas, decide: () => strategy.replicas };
    case 'hpa': {
      // Kubernetes' HPA with its defaults: evaluated every 15 s, tolerance 0.1, default behavior.
      let history: HpaHistory = EMPTY_HISTORY;
      return {
        everyTicks: Math.max(1, Math.round(15_000 / model.tickMs)),
        decide: (o) => {
          const r = hpaDecide({
            now: o.now,
            current: o.current,
            ready: o.ready,
            min: model.minReplicas,
            max: model.maxReplicas,
            metrics: [{ name: 'cpu', target: model.targetPercent, value: o.cpu.value, reporting: o.cpu.reporting }],
            history,
          });
          history = r.history;
          return r.desired;
        },
      };
    }
    case 'polis': {
      let history: HpaHistory = EMPTY_HISTORY;
      const predictive = strategy.component.prediction?.enabled === true;
      const step = strategy.historyStepMinutes ?? 1;
      const blocks = predictive ? blockMeans(load.demand, step, model.targetPercent) : [];
      const capacity = model.targetPercent * (strategy.capacityFactor ?? 1);
      const keep = Math.round(((strategy.historyDays ?? 14) * 1440) / step);
      let cached: { count: number; samples: number[] } = { count: -1, samples: [] };
      const prediction = { decisions: 0, withCycle: 0, raisedByPrediction: 0 };
      return {
        everyTicks: perMinute,
        ...(predictive ? { prediction } : {}),
        decide: (o) => {
          // The blocks complete before this minute; the same array while no new block lands.
          const count = Math.floor(o.minute / step);
          if (predictive && count !== cached.count)
            cached = { count, samples: blocks.slice(Math.max(0, count - keep), count) };
          const r = decide(strategy.component, {
            now: o.now,
            current: o.current,
            ready: o.ready,
            metrics: { cpuUtilization: o.cpu },
            history,
            ...(predictive
              ? { loadHistory: { samples: cached.samples, stepMs: step * MINUTE_MS }, perReplicaCapacity: capacity }
              : {}),
          });
          history = r.history;
          if (predictive && o.measured) {
            prediction.decisions++;
            if (r.period?.periodMs !== undefined) prediction.withCycle++;
            if (r.predicted > r.reactive && r.desired > r.reactive) prediction.raisedByPrediction++;
          }
          return r.desired;
        },
      };
    }
  }
}

/** Means of whole blocks of `step` minutes, in CPU percent of one pod's request summed over the pods. */
export function blockMeans(demand: Float64Array, step: number, targetPercent: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + step <= demand.length; i += step) {
    let sum = 0;
    for (let k = 0; k < step; k++) sum += demand[i + k]!;
    out.push((sum / step) * targetPercent);
  }
  return out;
}

/**
 * Puts samples `fromMs` apart on a one-minute grid: a finer series is averaged over each minute, a coarser one held
 * (each sample stands for its whole interval, as a monitoring average does). The steps must divide evenly.
 */
export function toMinutes(points: readonly number[], fromMs: number): number[] {
  if (fromMs === MINUTE_MS) return [...points];
  if (fromMs < MINUTE_MS) {
    const k = MINUTE_MS / fromMs;
    if (!Number.isInteger(k)) throw new RangeError(`a ${fromMs} ms step does not divide a minute`);
    const out: number[] = [];
    for (let i = 0; i + k <= points.length; i += k) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += points[i + j]!;
      out.push(sum / k);
    }
    return out;
  }
  const k = fromMs / MINUTE_MS;
  if (!Number.isInteger(k)) throw new RangeError(`a ${fromMs} ms step is not a whole number of minutes`);
  const out: number[] = [];
  for (const p of points) for (let j = 0; j < k; j++) out.push(p);
  return out;
}

/**
 * A component whose last `evalDays` are measured, scaled so that the peak of that window needs `peakReplicas`
 * replicas at target. Undefined when the series is too short or idle over the window.
 */
export function componentLoad(
  name: string,
  source: ComponentLoad['source'],
  minutes: readonly number[],
  o: { startMs: number; evalDays: number; peakReplicas: number; minHistoryMinutes: number },
): ComponentLoad | undefined {
  const evalMinutes = o.evalDays * 1440;
  const evalStart = minutes.length - evalMinutes;
  if (evalStart < o.minHistoryMinutes) return undefined;
  let peak = 0;
  for (let i = evalStart; i < minutes.length; i++) peak = Math.max(peak, minutes[i]!);
  if (!(peak > 0)) return undefined;
  const demand = Float64Array.from(minutes, (v) => (Math.max(0, v) * o.peakReplicas) / peak);
  return { name, source, demand, evalStart, startMs: o.startMs };
}
