import { systemClock, type Clock } from '../../../kernel/clock.ts';
import { InputError } from '../../../kernel/errors.ts';
import type {
  ClusterSignals,
  ComponentRef,
  ComponentSignals,
  HistorySignal,
  MetricsSource,
  NodeSignals,
  ProblemListener,
  SignalName,
} from '../../metrics-source.ts';
import { historyGrid } from '../../metrics-source.ts';
import { PrometheusApi, type InstantSample } from './prometheus-api.ts';
import {
  CPU_THROTTLED_QUERY,
  DEFAULT_QUERIES,
  MEMORY_OF_LIMIT_QUERY,
  NODE_CPU_BY_NODE_QUERY,
  NODE_CPU_QUERY,
  NODE_PODS_CPU_QUERY,
  expandQuery,
  windowProblem,
} from './queries.ts';

export interface PrometheusSourceConfig {
  /** Base URL of Prometheus or Thanos Query, e.g. `http://thanos-query.monitoring:9090`. */
  readonly url: string;
  /** PromQL templates replacing the defaults (see DEFAULT_QUERIES for the placeholders). */
  readonly queries?: Partial<Record<SignalName, string>>;
  /** Per request (default 5000). Requests run in parallel, so `signals` takes about this long at worst. */
  readonly timeoutMs?: number;
  readonly bearerToken?: string;
  /** The rate window (`$window`, default `1m`: four scrapes at Prometheus's usual 15 s). */
  readonly window?: string;
  /** Where per-cluster series without a `cluster` label go (one cluster's own Prometheus); default `default`. */
  readonly clusterName?: string;
  /** The evaluation time of `signals` (default: the system clock). */
  readonly clock?: Clock;
  readonly onProblem?: ProblemListener;
  /** For tests: the fetch to use. */
  readonly fetch?: typeof fetch;
}

const SIGNALS: readonly SignalName[] = ['cpuUtilization', 'requestsPerSecond', 'latencyP99Ms', 'readyPods'];

/** Prometheus refuses a range query of more than 11,000 points per series. */
const MAX_RANGE_POINTS = 11_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

type Outcome = { ok: true; samples: InstantSample[] } | { ok: false; reason: string };

/**
 * Signals from a Prometheus HTTP API: one PromQL template per signal, evaluated per cluster (`by (cluster)`) and
 * in total. Nothing throws out of `signals` or `history`: a query that fails or times out leaves its signal
 * absent, with the reason in `reasons` and told to `onProblem`.
 */
export class PrometheusMetricsSource implements MetricsSource {
  readonly name = 'prometheus';
  readonly queries: Readonly<Record<SignalName, string>>;
  private readonly api: PrometheusApi;
  private readonly window: string;
  private readonly clusterName: string;
  private readonly clock: Clock;
  private readonly onProblem: ProblemListener | undefined;

  /** Throws InputError for a configuration that could never work (a bad URL, window or signal name). */
  constructor(config: PrometheusSourceConfig) {
    const causes = configProblems(config);
    if (causes.length > 0) throw new InputError('the Prometheus metrics source is misconfigured', causes);
    this.api = new PrometheusApi({
      url: config.url,
      timeoutMs: config.timeoutMs ?? 5000,
      ...(config.bearerToken ? { bearerToken: config.bearerToken } : {}),
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
    this.queries = { ...DEFAULT_QUERIES, ...config.queries };
    this.window = config.window ?? '1m';
    this.clusterName = config.clusterName ?? 'default';
    this.clock = config.clock ?? systemClock;
    this.onProblem = config.onProblem;
  }

  async signals(ref: ComponentRef): Promise<ComponentSignals | undefined> {
    const at = this.clock.now().getTime();
    const [results, memory, throttled] = await Promise.all([
      Promise.all(SIGNALS.flatMap((s) => [this.instant(ref, s, 'cluster', at), this.instant(ref, s, '', at)])),
      this.query(expandQuery(MEMORY_OF_LIMIT_QUERY, ref, { by: '', window: this.window }), at),
      this.query(expandQuery(CPU_THROTTLED_QUERY, ref, { by: '', window: this.window }), at),
    ]);
    const per = (i: number) => results[2 * i]!;
    const total = (i: number) => results[2 * i + 1]!;
    const ready = SIGNALS.indexOf('readyPods');
    const readyTotal = total(ready);
    if (!readyTotal.ok) {
      this.tell(ref, 'readyPods', readyTotal.reason);
      return undefined;
    }
    const perReady = per(ready);
    if (readyTotal.samples.length === 0 && (!perReady.ok || perReady.samples.length === 0)) return undefined;
    const reasons: Partial<Record<SignalName, string>> = {};
    const perCluster: Record<string, Mutable<ClusterSignals>> = {};
    const clusterOf = (s: InstantSample) => s.metric.cluster ?? this.clusterName;
    if (perReady.ok) for (const s of perReady.samples) perCluster[clusterOf(s)] = { readyPods: finite(s.value) ?? 0 };
    const out: Mutable<ComponentSignals> = {
      at,
      readyPods: single(readyTotal.samples) ?? 0,
      perCluster,
    };
    SIGNALS.forEach((signal, i) => {
      const t = total(i);
      const p = per(i);
      const failure = !t.ok ? t.reason : !p.ok ? `per cluster: ${p.reason}` : undefined;
      if (failure !== undefined) {
        reasons[signal] = failure;
        this.tell(ref, signal, failure);
      }
      if (signal === 'readyPods') return;
      if (t.ok) {
        const value = single(t.samples);
        if (value !== undefined) out[signal] = value;
        else if (t.samples.length > 1) reasons[signal] = `the total query returned ${t.samples.length} series`;
        else reasons[signal] ??= 'no data';
      }
      if (p.ok) {
        for (const s of p.samples) {
          const value = finite(s.value);
          if (value === undefined) continue;
          (perCluster[clusterOf(s)] ??= { readyPods: 0 })[signal] = value;
        }
      }
    });
    // Alerts only: absent when the query fails or finds no container with a limit.
    const memoryOfLimit = memory.ok ? single(memory.samples) : undefined;
    if (memoryOfLimit !== undefined) out.memoryOfLimit = memoryOfLimit;
    // Alerts only: absent when the query fails or no container runs under a CPU limit (no CFS periods).
    const cpuThrottled = throttled.ok ? single(throttled.samples) : undefined;
    if (cpuThrottled !== undefined) out.cpuThrottled = cpuThrottled;
    if (Object.keys(reasons).length > 0) out.reasons = reasons;
    return out;
  }

  async nodeCpu(): Promise<ReadonlyMap<string, number>> {
    const r = await this.query(NODE_CPU_QUERY.replaceAll('$window', this.window), this.clock.now().getTime());
    const out = new Map<string, number>();
    if (r.ok)
      for (const s of r.samples) {
        const v = finite(s.value);
        if (v !== undefined) out.set(s.metric.cluster ?? this.clusterName, v);
      }
    return out;
  }

  async nodes(): Promise<readonly NodeSignals[]> {
    const at = this.clock.now().getTime();
    const [cpu, pods] = await Promise.all([
      this.query(NODE_CPU_BY_NODE_QUERY.replaceAll('$window', this.window), at),
      this.query(NODE_PODS_CPU_QUERY.replaceAll('$window', this.window), at),
    ]);
    if (!cpu.ok) return [];
    const key = (m: Readonly<Record<string, string>>) => `${m.cluster ?? this.clusterName}/${m.node ?? ''}`;
    const podsCpu = new Map<string, number>();
    if (pods.ok)
      for (const s of pods.samples) {
        const v = finite(s.value);
        if (v !== undefined) podsCpu.set(key(s.metric), v);
      }
    const out: NodeSignals[] = [];
    for (const s of cpu.samples) {
      const v = finite(s.value);
      if (v === undefined || !s.metric.node) continue;
      const p = podsCpu.get(key(s.metric));
      out.push({
        cluster: s.metric.cluster ?? this.clusterName,
        node: s.metric.node,
        cpu: v,
        ...(p !== undefined ? { podsCpu: p } : {}),
      });
    }
    return out;
  }

  async history(
    ref: ComponentRef,
    signal: HistorySignal,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<number[]> {
    const grid = historyGrid(fromMs, toMs, stepMs);
    if (grid.length === 0) return [];
    const values = grid.map(() => NaN);
    const query = expandQuery(this.queries[signal], ref, { by: '', window: this.window });
    try {
      for (let first = 0; first < grid.length; first += MAX_RANGE_POINTS) {
        const last = Math.min(grid.length, first + MAX_RANGE_POINTS) - 1;
        const series = await this.api.range(query, grid[first]!, grid[last]!, stepMs);
        if (series.length > 1) throw new Error(`the total query returned ${series.length} series`);
        for (const [t, v] of series[0]?.points ?? []) {
          const i = Math.round((t - fromMs) / stepMs);
          if (i >= 0 && i < values.length) values[i] = finite(v) ?? NaN;
        }
      }
      return values;
    } catch (e) {
      this.tell(ref, 'history', `${signal}: ${(e as Error).message}`);
      return [];
    }
  }

  private async instant(ref: ComponentRef, signal: SignalName, by: string, at: number): Promise<Outcome> {
    try {
      return await this.query(expandQuery(this.queries[signal], ref, { by, window: this.window }), at);
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
  }

  private async query(query: string, at: number): Promise<Outcome> {
    try {
      return { ok: true, samples: await this.api.instant(query, at) };
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
  }

  private tell(ref: ComponentRef, signal: SignalName | 'history', reason: string): void {
    try {
      this.onProblem?.(ref, signal, reason);
    } catch {
      // A listener's failure must not become the caller's.
    }
  }
}

/** The value of a query that should give one series, when it gave exactly one finite value. */
function single(samples: readonly InstantSample[]): number | undefined {
  return samples.length === 1 ? finite(samples[0]!.value) : undefined;
}

function finite(v: number): number | undefined {
  return Number.isFinite(v) ? v : undefined;
}

function configProblems(config: PrometheusSourceConfig): { path: string; message: string }[] {
  const causes: { path: string; message: string }[] = [];
  try {
    const u = new URL(config.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    causes.push({ path: 'url', message: `"${config.url}" is not an http(s) URL (e.g. http://127.0.0.1:9090)` });
  }
  const window = windowProblem(config.window ?? '1m');
  if (window !== undefined) causes.push({ path: 'window', message: window });
  for (const key of Object.keys(config.queries ?? {})) {
    if (!SIGNALS.includes(key as SignalName)) {
      causes.push({ path: `queries.${key}`, message: `not a signal; expected one of ${SIGNALS.join(', ')}` });
    }
  }
  if (config.timeoutMs !== undefined && !(config.timeoutMs > 0)) {
    causes.push({ path: 'timeoutMs', message: `must be a positive number of ms, got ${config.timeoutMs}` });
  }
  return causes;
}
