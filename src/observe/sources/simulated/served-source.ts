import type { ComponentMetrics } from '../../../sim/index.ts';
import type { ComponentTarget, HistoryProbe } from '../../history/history-probe.ts';
import type { Sample } from '../../history/signals.ts';
import type { ComponentRef, ComponentSignals, HistorySignal, MetricsSource } from '../../metrics-source.ts';
import { historyGrid } from '../../metrics-source.ts';
import { SampleRing } from './sample-ring.ts';
import { toSignals } from './simulated-source.ts';

/**
 * A simulated cloud another process serves (POLIS_SIM_URL, `polis sim serve`), as observation reads it: the same
 * load model, sampled over loopback, so every replica reads the one cloud's metrics and none a private copy.
 */
export interface ServedSimReader {
  /** The load model's metrics of each component, at the served cloud's present (epoch ms). */
  componentMetrics(
    refs: readonly { namespace: string; component: string }[],
  ): Promise<{ now: number; items: readonly ComponentMetrics[] }>;
  /** The component's scenario load on the grid `fromMs … toMs` by `stepMs` (null where it has none). */
  scenarioRps(
    namespace: string,
    component: string,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<readonly (number | null)[]>;
  /** What the history sampler records of `targets`, clusters and nodes now (SimulatedHistoryProbe, served). */
  historySample(targets: readonly ComponentTarget[]): Promise<Sample[]>;
  /** Memory used by each component's ready pods per cluster (`namespace/component` NUL cluster → bytes). */
  memoryUse(): Promise<ReadonlyMap<string, number>>;
}

export interface ServedSourceOptions {
  readonly reader: ServedSimReader;
  /** Samples kept per component for `history` (default 10,080). */
  readonly capacity?: number;
  /** How old a sample may be and still answer for an instant of `history` (default 5 minutes). */
  readonly lookbackMs?: number;
  /** Samples every component asked about on a timer of this period (real time, unref'd) until `close()`. */
  readonly recordEveryMs?: number;
  /** Before the first recorded sample, answer requests per second from the component's scenario (as the embedded). */
  readonly pastFromScenario?: boolean;
  /** Told when the served cloud cannot be read; must not throw. */
  readonly onProblem?: (ref: ComponentRef | undefined, reason: string) => void;
}

/**
 * The simulated metrics source over a served cloud: `signals` reads the one cloud now (undefined, the caller
 * holding its last decision, when it does not answer); `history` from the samples this replica took, as the
 * embedded source keeps them.
 */
export class ServedMetricsSource implements MetricsSource {
  readonly name = 'simulated';
  readonly #opts: ServedSourceOptions;
  readonly #rings = new Map<string, { ref: ComponentRef; ring: SampleRing }>();
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: ServedSourceOptions) {
    this.#opts = opts;
    if (opts.recordEveryMs !== undefined && opts.recordEveryMs > 0) {
      this.#timer = setInterval(() => void this.record(), opts.recordEveryMs);
      this.#timer.unref();
    }
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async signals(ref: ComponentRef): Promise<ComponentSignals | undefined> {
    return (await this.#read([ref]))[0];
  }

  /** Samples every component asked about so far, in one call to the served cloud. */
  async record(): Promise<void> {
    await this.#read([...this.#rings.values()].map((e) => e.ref));
  }

  async history(
    ref: ComponentRef,
    signal: HistorySignal,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<number[]> {
    const ring = this.#rings.get(keyOf(ref))?.ring;
    const first = ring?.firstAt ?? Infinity;
    const grid = historyGrid(fromMs, toMs, stepMs);
    let past: readonly (number | null)[] = [];
    if (this.#opts.pastFromScenario && signal === 'requestsPerSecond' && grid.length > 0 && grid[0]! < first) {
      past = await this.#opts.reader
        .scenarioRps(ref.namespace, ref.component, fromMs, Math.min(toMs, first), stepMs)
        .catch((e: unknown) => {
          this.#opts.onProblem?.(ref, (e as Error).message);
          return [];
        });
    }
    return grid.map((t, i) => {
      const recorded = ring?.at(t, this.#opts.lookbackMs ?? 300_000)?.[signal];
      if (recorded !== undefined) return recorded;
      if (t < first) return past[i] ?? NaN;
      return NaN;
    });
  }

  async #read(refs: readonly ComponentRef[]): Promise<(ComponentSignals | undefined)[]> {
    if (refs.length === 0) return [];
    let answer: { now: number; items: readonly ComponentMetrics[] };
    try {
      answer = await this.#opts.reader.componentMetrics(
        refs.map((r) => ({ namespace: r.namespace, component: r.component })),
      );
    } catch (e) {
      this.#opts.onProblem?.(refs.length === 1 ? refs[0] : undefined, (e as Error).message);
      return refs.map(() => undefined);
    }
    return refs.map((ref, i) => {
      const m = answer.items[i];
      const signals = m ? toSignals(m, answer.now) : undefined;
      const ring = this.#ringOf(ref);
      if (answer.now >= ring.lastAt)
        ring.push({
          at: answer.now,
          cpuUtilization: signals?.cpuUtilization ?? NaN,
          requestsPerSecond: signals?.requestsPerSecond ?? NaN,
        });
      return signals;
    });
  }

  #ringOf(ref: ComponentRef): SampleRing {
    const key = keyOf(ref);
    let entry = this.#rings.get(key);
    if (entry === undefined)
      this.#rings.set(key, (entry = { ref, ring: new SampleRing(this.#opts.capacity ?? 10_080) }));
    return entry.ring;
  }
}

/** The history sampler's probe over a served cloud: what the embedded probe reads, read there; nothing on failure. */
export class ServedHistoryProbe implements HistoryProbe {
  readonly #reader: ServedSimReader;
  readonly #log?: (message: string, err: unknown) => void;
  constructor(reader: ServedSimReader, log?: (message: string, err: unknown) => void) {
    this.#reader = reader;
    this.#log = log;
  }

  async sample(targets: readonly ComponentTarget[]): Promise<Sample[]> {
    try {
      return await this.#reader.historySample(targets);
    } catch (e) {
      this.#log?.('sampling the served simulated cloud failed', e);
      return [];
    }
  }
}

function keyOf(ref: ComponentRef): string {
  return `${ref.namespace}\u0000${ref.component}`;
}
