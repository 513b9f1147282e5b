import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
/**
 * Whether a component is saturated: a pure judgement over what the metrics say now and since when a signal has
 * been over its threshold (the caller keeps that `watch` and hands it back; time comes from the caller's clock).
 */

/** The thresholds, exported so tests and docs name the same numbers. */
export const SATURATION_RULES = {
  /** CPU used over CPU requested by the ready pods (the HPA's utilization) at or above this share… */
  cpuUtilization: 0.9,
  /** …or p99 latency over the application's objective, for at least this long. */
  sustainMs: 60_000,
} as const;

export type SaturationSignal = 'cpu' | 'latency';

/** A saturated component, as status carries it (reason code `Saturated` with these parameters). */
export interface Saturation {
  readonly signal: SaturationSignal;
  /** The value when the component turned saturated: CPU as a share of requests, latency in ms. */
  readonly value: number;
  readonly threshold: number;
  /** When the signal went over its threshold (ISO 8601). */
  readonly since: string;
}

/** Since when each signal has been over its threshold without a break (epoch ms). */
export type SaturationWatch = Readonly<Partial<Record<SaturationSignal, number>>>;

export interface SaturationInput {
  readonly now: number;
  /** CPU used over requested of the ready pods (0.9 = 90%); absent without ready pods. */
  readonly cpuUtilization?: number;
  readonly latencyP99Ms?: number;
  /** The application's latency objective in ms, when it declares one. */
  readonly latencyObjectiveMs?: number;
  readonly watch: SaturationWatch;
}

/**
 * Judges saturation at `now`. A signal counts once it has stayed over its threshold for `sustainMs`; CPU is named
 * before latency when both count. A signal back under its threshold (or absent) ends its watch at once.
 */
export function judgeSaturation(
  input: SaturationInput,
  rules: { cpuUtilization: number; sustainMs: number } = SATURATION_RULES,
): { watch: SaturationWatch; saturated?: Saturation } {
  const over: [SaturationSignal, number | undefined, number | undefined][] = [
    ['cpu', input.cpuUtilization, rules.cpuUtilization],
    ['latency', input.latencyP99Ms, input.latencyObjectiveMs],
  ];
  const watch: Partial<Record<SaturationSignal, number>> = {};
  let saturated: Saturation | undefined;
  for (const [signal, value, threshold] of over) {
    if (value === undefined || threshold === undefined) continue;
    const isOver = signal === 'cpu' ? value >= threshold : value > threshold;
    if (!isOver) continue;
    const since = input.watch[signal] ?? input.now;
    watch[signal] = since;
    if (!saturated && input.now - since >= rules.sustainMs) {
      saturated = { signal, value: Math.round(value * 1000) / 1000, threshold, since: new Date(since).toISOString() };
    }
  }
  return { watch, ...(saturated ? { saturated } : {}) };
}

/** The `Saturated` reason's message, coded (SaturatedCpu, SaturatedLatency). */
export function saturationMessage(component: string, s: Saturation): Message {
  return s.signal === 'cpu'
    ? msg('SaturatedCpu', {
        component,
        percent: Math.round(s.value * 100),
        threshold: Math.round(s.threshold * 100),
        since: s.since,
      })
    : msg('SaturatedLatency', { component, ms: Math.round(s.value), threshold: s.threshold, since: s.since });
}

/** The English fallback of the `Saturated` reason (the console renders the code with its parameters). */
export function saturationText(component: string, s: Saturation): string {
  return saturationMessage(component, s).message;
}
