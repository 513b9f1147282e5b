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

/** A pod's CPU rise that is a symptom: at least this much (cores, and relative to its level), beyond its traffic. */
const CPU_FLOOR = { abs: 0.05, rel: 0.5 };
/** A node busier than this share of its allocatable CPU is saturated (pods on it queue for CPU). */
const NODE_SATURATED = 0.9;
/**
 * A node's CPU risen this much (share of its allocatable) over its own level, and to at least twice it beyond what
 * its pods' CPU explains, is taken by something outside its pods (node-cpu-above-normal's 30 points and 2x, as the
 * alert rule reads it): a hog of 90 % of a quiet node's cores is one at once, though the node, under 95 % with its
 * samples' jitter, crosses the saturation threshold in every sample only later or never.
 */
const NODE_RISE = 0.3;

/** A series' finite points up to `now`: those of the confirmation window (recent) and of the baseline before it. */
function splitPoints(s: Series, now: number, o: DetectOptions): { recent: number[]; base: number[] } {
  const recent: number[] = [];
  const base: number[] = [];
  for (const [t, v] of s.points) {
    if (v === null || !Number.isFinite(v) || t > now) continue;
    if (t > now - o.confirmSeconds) recent.push(v);
    else if (t > now - o.confirmSeconds - o.baselineSeconds) base.push(v);
  }
  return { recent, base };
}

/**
 * How much the CPU of the pods on `node` rose: the sum of their latest samples' medians over the sum of their
 * baseline medians (a pod new on the node counts from nothing; 1 when the node has no pods or none rose).
 */
function podsCpuRise(obs: Observation, node: string, now: number, o: DetectOptions): number {
  const onNode = new Set(obs.pods.filter((p) => p.node === node).map((p) => p.name));
  if (onNode.size === 0) return 1;
  let before = 0;
  let after = 0;
  for (const s of obs.series) {
    if (s.on !== 'pod' || s.signal !== 'cpu' || !onNode.has(s.name)) continue;
    const { recent, base } = splitPoints(s, now, o);
    before += base.length ? median(base) : 0;
    after += recent.length ? median(recent) : 0;
  }
  if (!(after > before)) return 1;
  return before > 0 ? after / before : Infinity;
}

/**
 * How much a component's traffic rose: the median request rate of the latest samples over the baseline's (1 when
 * it fell or is not measured).
 */
function trafficRise(series: readonly Series[], component: string, now: number, o: DetectOptions): number {
  const s = series.find((x) => x.on === 'component' && x.name === component && x.signal === 'requests');
  if (!s) return 1;
  const { recent, base } = splitPoints(s, now, o);
  const before = median(base);
  const after = median(recent);
  return before > 0 && after > before ? after / before : 1;
}

/** Warning reasons that are symptoms by themselves. */
const WARNINGS = new Set(['NodeNotReady', 'ClusterUnreachable', 'BackOff', 'OOMKilling', 'CrashLoopBackOff']);

/**
 * The symptoms firing at `now` (epoch seconds): latency, errors and memory risen past their baseline in every one
 * of the latest samples, a pod's CPU risen beyond what its traffic explains, a node newly saturated or its CPU taken
 * beyond what its pods explain, restarts, a node not ready, a cluster unreachable, warning events. Pure and deterministic:
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
      case 'cpu': {
        // A pod's CPU risen past its baseline by more than its traffic explains (CPU per request up by half):
        // something in it spins. A traffic surge raises CPU and requests together and is no symptom.
        if (s.on !== 'pod') break;
        const threshold = level + Math.max(o.sigmas * madSigma(values), CPU_FLOOR.abs, CPU_FLOOR.rel * level);
        if (!recent.every((p) => p[1] > threshold)) break;
        const load = trafficRise(obs.series, subject.name, now, o);
        if (median(recent.map((p) => p[1])) / Math.max(level, CPU_FLOOR.abs) >= (1 + CPU_FLOOR.rel) * load)
          fire(threshold, recent[recent.length - 1]![1]);
        break;
      }
      case 'nodeCpu': {
        // A node newly saturated (the platform's node CPU rule), whatever uses it.
        const spread = o.sigmas * madSigma(values);
        const threshold = Math.max(NODE_SATURATED, level + Math.max(spread, 0.1));
        if (level < NODE_SATURATED && recent.every((p) => p[1] >= threshold)) {
          fire(threshold, recent[recent.length - 1]![1]);
          break;
        }
        // Or taken by something outside its pods (node-cpu-above-normal): far above its own level and at twice it
        // beyond its pods' rise, saturated or not.
        const departed = level + Math.max(spread, NODE_RISE);
        if (!recent.every((p) => p[1] > departed)) break;
        const rise = median(recent.map((p) => p[1])) / Math.max(level, 0.01);
        if (rise >= 2 * Math.max(1, podsCpuRise(obs, s.name, now, o))) fire(departed, recent[recent.length - 1]![1]);
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
