import { rateAt, type LoadScenario } from './load-scenarios.ts';
import { groupKey, type ServingGroup } from './serving.ts';

/** What one request costs a component and how fast it answers when idle. */
export interface LoadProfile {
  /** CPU one request costs, in millicore-seconds (20 is 20 ms of one core). */
  readonly cpuMilliPerRequest: number;
  readonly baseLatencyMs: number;
  /** p99 over p50 when idle. */
  readonly p99Factor: number;
  /** Share of requests that fail even below capacity. */
  readonly baseErrorRate: number;
}

export const DEFAULT_LOAD_PROFILE: LoadProfile = {
  cpuMilliPerRequest: 20,
  baseLatencyMs: 50,
  p99Factor: 3,
  baseErrorRate: 0,
};

/** Golden signals of one component in one cluster (or in total). */
export interface ServingMetrics {
  readonly rps: number;
  /** CPU used over CPU requested by the ready pods (1 = 100% of requests, as the HPA counts it). */
  readonly cpuUtilization: number;
  readonly cpuUsedMilli: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Share of requests that fail, 0–1. */
  readonly errorRate: number;
  readonly readyPods: number;
}

export interface ClusterServingMetrics extends ServingMetrics {
  readonly cluster: string;
  /** False when the cluster is down: its pods take no traffic. */
  readonly serving: boolean;
}

export interface ComponentMetrics {
  readonly namespace: string;
  readonly component: string;
  readonly at: string;
  /** Requests per second the citizens send, before any fail. */
  readonly offeredRps: number;
  /** By cluster name, in name order. */
  readonly clusters: Readonly<Record<string, ClusterServingMetrics>>;
  readonly total: ServingMetrics;
}

/** Where the load model reads the ready pods of a component, cluster by cluster. */
export interface ServingSource {
  now(): number;
  groups(namespace: string, component: string): readonly { cluster: string; serving: boolean; group: ServingGroup }[];
}

/** The part of the load model a cluster's HPA controller reads. */
export interface LoadReader {
  /** CPU utilization (of requests) of the component's ready pods in `cluster`; undefined when it has none. */
  utilization(namespace: string, component: string, cluster: string): number | undefined;
}

/** Queueing stops growing past this utilization of capacity: latency is capped near 20× base. */
const RHO_CAP = 0.95;

/**
 * Cloud-wide load per application component. Offered load (scenario × factor) splits across clusters in
 * proportion to their ready serving pods (a down cluster's pods take none; a partitioned one's do). Per cluster,
 * demand = rps × cost; ρ = demand / CPU the ready pods can spend. Latency p50 = base · (1 + ρ²/(1−ρ)) with ρ
 * capped at 0.95, p99 = p50 · p99Factor · (1 + ρ); past capacity the excess fails (errorRate = 1 − 1/ρ).
 * Everything is a function of the clock and the pods, computed when asked: deterministic and cheap.
 */
export class LoadModel implements LoadReader {
  private readonly source: ServingSource;
  private readonly scenarios = new Map<string, { scenario: LoadScenario; origin: number; profile: LoadProfile }>();
  private readonly factors = new Map<string, { factor: number; untilMs: number | undefined }>();

  constructor(source: ServingSource) {
    this.source = source;
  }

  setScenario(namespace: string, component: string, scenario: LoadScenario, profile: Partial<LoadProfile> = {}): void {
    this.scenarios.set(groupKey(namespace, component), {
      scenario,
      origin: this.source.now(),
      profile: { ...DEFAULT_LOAD_PROFILE, ...profile },
    });
  }

  clearScenario(namespace: string, component: string): void {
    this.scenarios.delete(groupKey(namespace, component));
  }

  /** Multiplies the component's offered load by `factor`, until `untilMs` (epoch ms) when given. */
  setLoadFactor(namespace: string, component: string, factor: number, untilMs?: number): void {
    if (!(factor >= 0)) throw new RangeError(`a load factor must be >= 0, got ${factor}`);
    this.factors.set(groupKey(namespace, component), { factor, untilMs });
  }

  offeredRps(namespace: string, component: string): number {
    const key = groupKey(namespace, component);
    const s = this.scenarios.get(key);
    if (s === undefined) return 0;
    const now = this.source.now();
    const f = this.factors.get(key);
    const factor = f === undefined || (f.untilMs !== undefined && now >= f.untilMs) ? 1 : f.factor;
    return rateAt(s.scenario, now, s.origin) * factor;
  }

  /**
   * The load the component's scenario offers at `atMs` (past or future; manual load factors left out), or
   * undefined without a scenario: the city's demand as a function of time, for a history from before recording.
   */
  scenarioRps(namespace: string, component: string, atMs: number): number | undefined {
    const s = this.scenarios.get(groupKey(namespace, component));
    return s === undefined ? undefined : rateAt(s.scenario, atMs, s.origin);
  }

  componentMetrics(namespace: string, component: string): ComponentMetrics {
    const profile = this.scenarios.get(groupKey(namespace, component))?.profile ?? DEFAULT_LOAD_PROFILE;
    const offered = this.offeredRps(namespace, component);
    const groups = this.source.groups(namespace, component);
    let servingPods = 0;
    for (const g of groups) if (g.serving) servingPods += g.group.readyPods;
    const clusters: Record<string, ClusterServingMetrics> = {};
    let rps = 0;
    let errors = 0;
    let used = 0;
    let requested = 0;
    let latencyWeighted = 0;
    let p99 = 0;
    for (const g of groups) {
      const share = g.serving && servingPods > 0 ? g.group.readyPods / servingPods : 0;
      const m = clusterMetrics(g.group, offered * share, profile, g.serving);
      clusters[g.cluster] = { cluster: g.cluster, serving: g.serving, ...m };
      rps += m.rps;
      errors += m.rps * m.errorRate;
      used += m.cpuUsedMilli;
      if (g.serving) requested += g.group.cpuRequestMilli;
      latencyWeighted += m.rps * m.latencyP50Ms;
      if (m.rps > 0) p99 = Math.max(p99, m.latencyP99Ms);
    }
    const unserved = servingPods === 0 ? offered : 0;
    const idle = rps === 0;
    return {
      namespace,
      component,
      at: new Date(this.source.now()).toISOString(),
      offeredRps: offered,
      clusters,
      total: {
        rps: rps + unserved,
        cpuUtilization: requested > 0 ? used / requested : 0,
        cpuUsedMilli: used,
        latencyP50Ms: idle ? profile.baseLatencyMs : latencyWeighted / rps,
        latencyP99Ms: idle ? profile.baseLatencyMs * profile.p99Factor : p99,
        errorRate: rps + unserved > 0 ? (errors + unserved) / (rps + unserved) : 0,
        readyPods: servingPods,
      },
    };
  }

  utilization(namespace: string, component: string, cluster: string): number | undefined {
    const m = this.componentMetrics(namespace, component).clusters[cluster];
    return m === undefined || m.readyPods === 0 ? undefined : m.cpuUtilization;
  }
}

function clusterMetrics(g: ServingGroup, rps: number, p: LoadProfile, serving: boolean): ServingMetrics {
  const demand = rps * p.cpuMilliPerRequest;
  const capacity = serving ? g.cpuCapacityMilli : 0;
  const rho = capacity > 0 ? demand / capacity : demand > 0 ? Infinity : 0;
  const used = Math.min(demand, capacity);
  const r = Math.min(rho, RHO_CAP);
  const p50 = p.baseLatencyMs * (1 + (r * r) / (1 - r));
  const errorRate = rps === 0 ? 0 : rho > 1 ? 1 - (1 - p.baseErrorRate) / rho : p.baseErrorRate;
  return {
    rps,
    cpuUtilization: g.cpuRequestMilli > 0 ? used / g.cpuRequestMilli : capacity > 0 ? used / capacity : 0,
    cpuUsedMilli: used,
    latencyP50Ms: p50,
    latencyP99Ms: p50 * p.p99Factor * (1 + r),
    errorRate,
    readyPods: g.readyPods,
  };
}
