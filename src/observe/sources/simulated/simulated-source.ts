import type { ComponentMetrics, SimCloud } from '../../../sim/index.ts';
import type {
  ClusterSignals,
  ComponentRef,
  ComponentSignals,
  HistorySignal,
  MetricsSource,
  NodeSignals,
} from '../../metrics-source.ts';
import { historyGrid } from '../../metrics-source.ts';
import { slicer } from '../../../kernel/loop-slices.ts';
import { SampleRing } from './sample-ring.ts';

export interface SimulatedSourceOptions {
  readonly sim: SimCloud;
  /** Samples kept per component for `history` (default 10,080: a week of minute samples). */
  readonly capacity?: number;
  /** A sample closer than this to the previous one is not kept (default 0: every distinct instant is). */
  readonly minIntervalMs?: number;
  /** How old a sample may be and still answer for an instant of `history` (default 5 minutes, as Prometheus). */
  readonly lookbackMs?: number;
  /**
   * Calls `record()` on a timer of this period (real time; the timer does not keep the process alive) until
   * `close()`. Leave it out in virtual time and call `record()` after each step instead.
   */
  readonly recordEveryMs?: number;
  /**
   * Answer `history` of requests per second before the first recorded sample with the load the component's scenario
   * offered then (default false: NaN, as a Prometheus with no data). The composition root turns it on for the
   * sandbox, whose simulated city existed before the process, as a Prometheus retention would tell.
   */
  readonly pastFromScenario?: boolean;
}

/**
 * Metrics read straight from the simulated cloud's load model, exact at the sim's present. The sim keeps no
 * past, so the source keeps its own: a ring of samples per component, taken whenever `signals` is asked and at
 * each `record()` (call it on a timer, or after each step of a virtual-time run, to give `history` a series).
 */
export class SimulatedMetricsSource implements MetricsSource {
  readonly name = 'simulated';
  private readonly sim: SimCloud;
  private readonly capacity: number;
  private readonly minIntervalMs: number;
  private readonly lookbackMs: number;
  private readonly pastFromScenario: boolean;
  /**
   * Per component sampled: its ring, made at its first sample with a value. Until then only `since` is kept, the
   * first instant sampled: an estate of thousands of applications waiting for room costs a few bytes each, not a
   * ring of NaN samples each.
   */
  private readonly rings = new Map<string, { ref: ComponentRef; ring?: SampleRing; since?: number }>();
  private timer: NodeJS.Timeout | undefined;
  /** A timer's pass in slices is running (the next tick is skipped, not stacked). */
  private recording = false;

  constructor(options: SimulatedSourceOptions) {
    this.sim = options.sim;
    this.capacity = options.capacity ?? 10_080;
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.lookbackMs = options.lookbackMs ?? 300_000;
    this.pastFromScenario = options.pastFromScenario ?? false;
    if (options.recordEveryMs !== undefined && options.recordEveryMs > 0) {
      this.timer = setInterval(() => void this.recordInSlices(), options.recordEveryMs);
      this.timer.unref();
    }
  }

  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  signals(ref: ComponentRef): Promise<ComponentSignals | undefined> {
    return Promise.resolve(this.sample(ref, this.sim.now()));
  }

  nodeCpu(): Promise<ReadonlyMap<string, number>> {
    return Promise.resolve(this.sim.nodeCpu());
  }

  nodes(): Promise<readonly NodeSignals[]> {
    return Promise.resolve(this.sim.nodeUse());
  }

  /** Components with a ring of samples (those measured at least once); for tests. */
  get ringCount(): number {
    let n = 0;
    for (const e of this.rings.values()) if (e.ring) n++;
    return n;
  }

  /** Starts keeping samples of a component at each `record()` without waiting for a first `signals` call. */
  track(ref: ComponentRef): void {
    this.entryOf(ref);
  }

  /** Samples every component asked about or tracked so far, stamped `now` (default: the sim's present). */
  record(now: number = this.sim.now()): void {
    for (const { ref } of this.rings.values()) this.sample(ref, now);
  }

  /**
   * `record()` on the timer of a serving process: the same samples, stamped with the instant it began, taken in
   * slices that give the event loop back every few milliseconds (loop-slices.ts); at ten thousand applications one
   * pass held the loop for about 100 ms, and API requests waited behind it. A sample that a `signals` call made at a
   * later instant meanwhile is kept, and this one for the component skipped (the ring keeps time order).
   */
  private async recordInSlices(now: number = this.sim.now()): Promise<void> {
    if (this.recording) return;
    this.recording = true;
    try {
      const pause = slicer();
      for (const { ref } of this.rings.values()) {
        this.sample(ref, now);
        const wait = pause();
        if (wait) await wait;
      }
    } finally {
      this.recording = false;
    }
  }

  /**
   * The recorded samples; with `pastFromScenario`, for requests per second before the first recorded sample, the
   * load the component's scenario offered then (the simulated city existed before this process: a Prometheus would answer from its
   * retention). NaN where neither says anything.
   */
  history(ref: ComponentRef, signal: HistorySignal, fromMs: number, toMs: number, stepMs: number): Promise<number[]> {
    const entry = this.rings.get(keyOf(ref));
    const ring = entry?.ring;
    // The first instant sampled, with a value or not (a sample without one answers NaN, not the scenario).
    const first = Math.min(entry?.since ?? Infinity, ring?.firstAt ?? Infinity);
    const values = historyGrid(fromMs, toMs, stepMs).map((t) => {
      const recorded = ring?.at(t, this.lookbackMs)?.[signal];
      if (recorded !== undefined) return recorded;
      if (this.pastFromScenario && signal === 'requestsPerSecond' && t < first)
        return this.sim.scenarioRps(ref.namespace, ref.component, t) ?? NaN;
      return NaN;
    });
    return Promise.resolve(values);
  }

  private sample(ref: ComponentRef, at: number): ComponentSignals | undefined {
    const signals = toSignals(
      this.sim.componentMetrics(ref.namespace, ref.component),
      at,
      this.sim.memoryOfLimit(ref.namespace, ref.component),
    );
    const entry = this.entryOf(ref);
    if (signals === undefined && entry.ring === undefined) {
      // Nothing measured yet: all its samples would be NaN, which `history` answers from `since` alone.
      entry.since = Math.min(entry.since ?? Infinity, at);
      return undefined;
    }
    const ring = (entry.ring ??= new SampleRing(this.capacity));
    if (at - ring.lastAt >= this.minIntervalMs || at === ring.lastAt) {
      ring.push({
        at,
        cpuUtilization: signals?.cpuUtilization ?? NaN,
        requestsPerSecond: signals?.requestsPerSecond ?? NaN,
      });
    }
    return signals;
  }

  private entryOf(ref: ComponentRef): { ref: ComponentRef; ring?: SampleRing; since?: number } {
    const key = keyOf(ref);
    let entry = this.rings.get(key);
    if (entry === undefined) this.rings.set(key, (entry = { ref }));
    return entry;
  }
}

function keyOf(ref: ComponentRef): string {
  return `${ref.namespace}\u0000${ref.component}`;
}

/**
 * The load model's view reduced to the seam's: only clusters whose pods serve (a cluster that is down reports
 * nothing, as its Prometheus would not answer); requests only where pods took them; utilization only over ready
 * pods and latency only with requests, as a Prometheus query would give them. With no ready pod anywhere, the
 * offered load is reported as requests that all fail.
 */
export function toSignals(m: ComponentMetrics, at: number, memoryOfLimit?: number): ComponentSignals | undefined {
  if (Object.keys(m.clusters).length === 0) return undefined;
  const serving = Object.values(m.clusters).filter((c) => c.serving);
  const perCluster: Record<string, ClusterSignals> = {};
  let rps = 0;
  for (const c of serving) {
    rps += c.rps;
    perCluster[c.cluster] = {
      readyPods: c.readyPods,
      requestsPerSecond: c.rps,
      ...(c.readyPods > 0 ? { cpuUtilization: c.cpuUtilization } : {}),
      ...(c.rps > 0 ? { latencyP99Ms: c.latencyP99Ms } : {}),
    };
  }
  const ready = m.total.readyPods;
  if (ready === 0 && m.offeredRps > 0)
    // Nothing serves (a crash loop, every cluster down): the load it should take all fails, as its callers and
    // an ingress in front of it would count it.
    return { at, readyPods: 0, requestsPerSecond: m.offeredRps, errorRatio: 1, perCluster };
  return {
    at,
    readyPods: ready,
    requestsPerSecond: rps,
    ...(ready > 0 ? { cpuUtilization: m.total.cpuUtilization } : {}),
    ...(rps > 0 ? { latencyP99Ms: m.total.latencyP99Ms, errorRatio: m.total.errorRate } : {}),
    ...(ready > 0 && memoryOfLimit !== undefined ? { memoryOfLimit } : {}),
    ...(ready > 0 && m.total.cpuThrottled !== undefined ? { cpuThrottled: m.total.cpuThrottled } : {}),
    perCluster,
  };
}
