import type { ParsedInput, Series, SignalKind } from '../demarcation/index.ts';
import { madSigma, median } from '../demarcation/robust.ts';

/**
 * What the incident engine sees at one evaluation: the demarcation input without its `at` and `scope` (the
 * inventory of clusters, nodes, components and pods, the call edges, series, changes and events of a window).
 */
export type Observation = Omit<ParsedInput, 'at' | 'scope'>;

/** One anomalous signal or warning, about a component, node or cluster: what an alert would say. */
export interface Symptom {
  /** Stable identity: the same series firing again is the same symptom. */
  readonly id: string;
  readonly on: 'component' | 'node' | 'cluster';
  readonly name: string;
  readonly signal: SignalKind | 'event';
  /** For an outbound signal, the callee; for an event, its reason. */
  readonly detail?: string;
  /** Epoch seconds: the first sample past the threshold, or the event's time. */
  readonly since: number;
  readonly value: number;
  /** The level it is compared with (median of the baseline) and the threshold it crossed. */
  readonly baseline: number;
  readonly threshold: number;
}

/**
 * Where symptoms come from. The alerts engine feeds fired alerts here once merged; until then the incident engine
 * derives them from the signals directly with detectSymptoms.
 */
export interface SymptomSource {
  symptoms(obs: Observation, now: number): readonly Symptom[];
}

export interface DetectOptions {
  /** Seconds of baseline before the samples being judged. */
  readonly baselineSeconds: number;
  /** Seconds of the latest samples that must all be past the threshold (two scrapes at 15 s). */
  readonly confirmSeconds: number;
  /** Robust standard deviations above the baseline's median. */
  readonly sigmas: number;
}

export const DEFAULT_DETECT: DetectOptions = { baselineSeconds: 600, confirmSeconds: 30, sigmas: 5 };

/** Per signal: the smallest rise that is a symptom, absolute and relative to the baseline (a priori, not fitted). */
const FLOORS: Partial<Record<SignalKind, { abs: number; rel: number }>> = {
  latency: { abs: 0.02, rel: 0.3 },
  outboundLatency: { abs: 0.02, rel: 0.3 },
  errors: { abs: 0.03, rel: 0 },
  outboundErrors: { abs: 0.03, rel: 0 },
  memory: { abs: 32 * 1024 ** 2, rel: 0.15 },
};

/** Warning reasons that are symptoms by themselves. */
const WARNINGS = new Set(['NodeNotReady', 'ClusterUnreachable', 'BackOff', 'OOMKilling', 'CrashLoopBackOff']);

/**
 * The symptoms firing at `now` (epoch seconds): latency, errors and memory risen past their baseline in every one
 * of the latest samples, restarts, a node not ready, a cluster unreachable, warning events. Pure and deterministic:
 * the thresholds are a priori (DEFAULT_DETECT, FLOORS), the same input gives the same list in the same order.
 */
export function detectSymptoms(obs: Observation, now: number, o: DetectOptions = DEFAULT_DETECT): Symptom[] {
  const podComponent = new Map(obs.pods.map((p) => [p.name, p.component]));
  const out = new Map<string, Symptom>();
  const add = (s: Symptom): void => {
    const had = out.get(s.id);
    if (!had || s.since < had.since) out.set(s.id, s);
  };
  for (const s of obs.series) {
    const subject = subjectOf(s, podComponent);
    if (!subject) continue;
    const pts = s.points
      .filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]) && p[0] <= now)
      .sort((a, b) => a[0] - b[0]);
    const recent = pts.filter((p) => p[0] > now - o.confirmSeconds);
    const base = pts.filter((p) => p[0] <= now - o.confirmSeconds && p[0] > now - o.confirmSeconds - o.baselineSeconds);
    if (recent.length < 2 || base.length < 5) continue;
    const id = `${subject.on}/${subject.name}/${s.signal}${s.peer ? `>${s.peer}` : ''}${s.quantile ? `@${s.quantile}` : ''}`;
    const values = base.map((p) => p[1]);
    const level = median(values);
    const fire = (threshold: number, value: number): void =>
      add({
        id,
        ...subject,
        signal: s.signal,
        ...(s.peer !== undefined ? { detail: s.peer } : {}),
        since: recent[0]![0],
        value,
        baseline: level,
        threshold,
      });
    switch (s.signal) {
      case 'nodeReady':
      case 'reachable':
        if (level >= 0.5 && recent.every((p) => p[1] < 0.5)) fire(0.5, 0);
        break;
      case 'restarts': {
        const before = Math.max(...values);
        const after = recent[recent.length - 1]![1];
        if (after > before) fire(before, after);
        break;
      }
      default: {
        const floor = FLOORS[s.signal];
        if (!floor) break;
        const threshold = level + Math.max(o.sigmas * madSigma(values), floor.abs, floor.rel * Math.abs(level));
        if (recent.every((p) => p[1] > threshold)) fire(threshold, recent[recent.length - 1]![1]);
      }
    }
  }
  for (const e of obs.events) {
    if (!WARNINGS.has(e.reason) || e.at > now || e.at <= now - 2 * o.confirmSeconds) continue;
    const subject =
      e.on === 'pod'
        ? podComponent.has(e.name)
          ? { on: 'component' as const, name: podComponent.get(e.name)! }
          : undefined
        : { on: e.on, name: e.name };
    if (!subject) continue;
    add({
      id: `${subject.on}/${subject.name}/event>${e.reason}`,
      ...subject,
      signal: 'event',
      detail: e.reason,
      since: e.at,
      value: 1,
      baseline: 0,
      threshold: 1,
    });
  }
  return [...out.values()].sort((a, b) => a.since - b.since || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function subjectOf(
  s: Series,
  podComponent: ReadonlyMap<string, string>,
): { on: 'component' | 'node' | 'cluster'; name: string } | undefined {
  if (s.on === 'pod') {
    const c = podComponent.get(s.name);
    return c === undefined ? undefined : { on: 'component', name: c };
  }
  return { on: s.on, name: s.name };
}

/** The signals the engine re-checks to tell whether a symptom still fires (by the threshold it crossed). */
export function stillFiring(sym: Symptom, obs: Observation, now: number, confirmSeconds: number): boolean {
  if (sym.signal === 'event') return sym.since > now - 4 * confirmSeconds;
  const podComponent = new Map(obs.pods.map((p) => [p.name, p.component]));
  for (const s of obs.series) {
    if (s.signal !== sym.signal || (s.peer ?? undefined) !== (sym.signal.startsWith('outbound') ? sym.detail : s.peer))
      continue;
    const subject = subjectOf(s, podComponent);
    if (!subject || subject.on !== sym.on || subject.name !== sym.name) continue;
    const recent = s.points.filter((p) => p[0] > now - 2 * confirmSeconds && p[0] <= now && p[1] !== null);
    if (recent.length === 0) continue;
    const v = recent[recent.length - 1]![1]!;
    if (sym.signal === 'nodeReady' || sym.signal === 'reachable') {
      if (v < 0.5) return true;
    } else if (sym.signal === 'restarts') {
      if (recent.length > 1 && v > recent[0]![1]!) return true;
    } else if (v > sym.threshold) return true;
  }
  return false;
}
