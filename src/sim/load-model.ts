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
  /**
   * Share of the CFS periods (100 ms) in which the ready pods under a CPU limit were throttled, over all ready pods
   * (a pod without a limit is never throttled), 0–1: cAdvisor's container_cpu_cfs_throttled_periods_total over
   * container_cpu_cfs_periods_total. Absent without ready pods, or when none runs under a CPU limit.
   */
  readonly cpuThrottled?: number;
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
  /** Requests per second sent to it, before any fail: the citizens' and, with the mesh attached, its callers' calls. */
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

/**
 * What the call mesh (call-mesh.ts) adds to a component's own load, read at each computation so that the golden
 * signals here (what metrics, alerts, history and the autoscaler read) and the mesh's per-edge series (what the
 * incidents read) come from the same traffic and the same faults: the calls its callers make, the faults in force
 * on it, its calls to its callees, and node contention.
 */
export interface MeshInfluence {
  callerRps(namespace: string, component: string): number;
  faultsOn(namespace: string, component: string): { latencyMs: number; errorRate: number; hogCoresPerPod: number };
  callsOf(
    namespace: string,
    component: string,
  ): readonly { to: { namespace: string; component: string }; perRequest: number; loss: number }[];
  contention(namespace: string, component: string, cluster: string): number;
}

const NO_MESH: MeshInfluence = {
  callerRps: () => 0,
  faultsOn: () => ({ latencyMs: 0, errorRate: 0, hogCoresPerPod: 0 }),
  callsOf: () => [],
  contention: () => 1,
};

/** Extra delay of a call that lost packets and retransmitted (TCP's minimum retransmission timeout), as the mesh. */
const RETRANSMIT_MS = 200;

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
 * With the call mesh attached (`attachMesh`), the offered load includes the callers' calls, a CPU hog's cores are
 * used and taken from capacity, node contention slows the queue, injected latency and errors add to the
 * component's own, and each callee's latency and errors (through any network loss: retransmissions, dropped calls)
 * add to its callers', as a caller waits on and fails with its callees.
 * Everything is a function of the clock and the pods, computed when asked: deterministic and cheap.
 */
export class LoadModel implements LoadReader {
  private readonly source: ServingSource;
  private readonly scenarios = new Map<string, { scenario: LoadScenario; origin: number; profile: LoadProfile }>();
  private readonly factors = new Map<string, { factor: number; untilMs: number | undefined }>();

  private mesh: MeshInfluence = NO_MESH;

  constructor(source: ServingSource) {
    this.source = source;
  }

  /** Reads the call mesh's traffic and faults from now on (SimCloud attaches its own). */
  attachMesh(mesh: MeshInfluence): void {
    this.mesh = mesh;
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
    return this.metrics(namespace, component, true, new Map());
  }

  utilization(namespace: string, component: string, cluster: string): number | undefined {
    const m = this.metrics(namespace, component, false, new Map()).clusters[cluster];
    return m === undefined || m.readyPods === 0 ? undefined : m.cpuUtilization;
  }

  /** CPU the component's ready pods in `cluster` use, millicores (its load and any hog's cores). */
  usedCpuMilli(namespace: string, component: string, cluster: string): number {
    return this.metrics(namespace, component, false, new Map()).clusters[cluster]?.cpuUsedMilli ?? 0;
  }

  /**
   * `withCalls` false leaves the callees out (CPU does not depend on them); `memo` holds the callees computed in
   * this computation (undefined while one is being computed: a call that closes a cycle counts as a healthy callee).
   */
  private metrics(
    namespace: string,
    component: string,
    withCalls: boolean,
    memo: Map<string, ComponentMetrics | undefined>,
  ): ComponentMetrics {
    const key = groupKey(namespace, component);
    memo.set(key, undefined);
    const profile = this.scenarios.get(key)?.profile ?? DEFAULT_LOAD_PROFILE;
    const offered = this.offeredRps(namespace, component) + this.mesh.callerRps(namespace, component);
    const faults = this.mesh.faultsOn(namespace, component);
    const calls: CallEffect = { p50: 0, p99: 0, ok: 1 };
    if (withCalls)
      for (const call of this.mesh.callsOf(namespace, component)) {
        const k = groupKey(call.to.namespace, call.to.component);
        const callee = memo.has(k) ? memo.get(k) : this.metrics(call.to.namespace, call.to.component, true, memo);
        const t = callee?.total;
        const calleeErr = t === undefined ? 0 : t.readyPods === 0 ? 1 : t.errorRate;
        const edgeErr = 1 - (1 - calleeErr) * (1 - call.loss);
        calls.p50 += call.perRequest * ((t?.latencyP50Ms ?? 0) + call.loss * RETRANSMIT_MS * 2);
        calls.p99 += call.perRequest * ((t?.latencyP99Ms ?? 0) + (call.loss > 0 ? RETRANSMIT_MS * 5 : 0));
        calls.ok *= (1 - edgeErr) ** Math.min(1, call.perRequest);
      }
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
    let throttledPods = 0;
    let limited = false;
    for (const g of groups) {
      const share = g.serving && servingPods > 0 ? g.group.readyPods / servingPods : 0;
      const contention = g.serving && g.group.readyPods > 0 ? this.mesh.contention(namespace, component, g.cluster) : 1;
      const m = clusterMetrics(g.group, offered * share, profile, g.serving, faults, contention, calls);
      clusters[g.cluster] = { cluster: g.cluster, serving: g.serving, ...m };
      rps += m.rps;
      errors += m.rps * m.errorRate;
      used += m.cpuUsedMilli;
      if (g.serving) requested += g.group.cpuRequestMilli;
      throttledPods += (m.cpuThrottled ?? 0) * m.readyPods;
      if (m.cpuThrottled !== undefined) limited = true;
      latencyWeighted += m.rps * m.latencyP50Ms;
      if (m.rps > 0) p99 = Math.max(p99, m.latencyP99Ms);
    }
    const unserved = servingPods === 0 ? offered : 0;
    const idle = rps === 0;
    const out: ComponentMetrics = {
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
        ...(servingPods > 0 && limited ? { cpuThrottled: throttledPods / servingPods } : {}),
      },
    };
    memo.set(key, out);
    return out;
  }
}

/** What a component's calls add to each request it serves: latency (ms) and the share that succeeds. */
interface CallEffect {
  p50: number;
  p99: number;
  ok: number;
}

function clusterMetrics(
  g: ServingGroup,
  rps: number,
  p: LoadProfile,
  serving: boolean,
  faults: { latencyMs: number; errorRate: number; hogCoresPerPod: number },
  contention: number,
  calls: CallEffect,
): ServingMetrics {
  const demand = rps * p.cpuMilliPerRequest;
  // A hog in each pod spends its cores first (up to what the pod may use); the requests get the rest.
  const hog = serving ? Math.min(g.cpuCapacityMilli, faults.hogCoresPerPod * 1000 * g.readyPods) : 0;
  const capacity = serving ? g.cpuCapacityMilli - hog : 0;
  const rho = capacity > 0 ? demand / capacity : demand > 0 ? Infinity : 0;
  const used = Math.min(demand, capacity) + hog;
  const r = Math.min(rho, RHO_CAP);
  const queue = p.baseLatencyMs * (1 + (r * r) / (1 - r)) * contention;
  const p50 = queue + faults.latencyMs + calls.p50;
  const p99 = queue * p.p99Factor * (1 + r) + faults.latencyMs + calls.p99;
  const own = 1 - (1 - p.baseErrorRate) * (1 - faults.errorRate) * (rho > 1 ? 1 / rho : 1);
  const errorRate = rps === 0 ? 0 : 1 - (1 - own) * calls.ok;
  const base = g.cpuRequestMilli > 0 ? g.cpuRequestMilli : serving ? g.cpuCapacityMilli : 0;
  return {
    rps,
    cpuUtilization: base > 0 ? used / base : 0,
    cpuUsedMilli: used,
    latencyP50Ms: p50,
    latencyP99Ms: Math.max(p50, p99),
    errorRate,
    readyPods: g.readyPods,
    ...(serving && g.readyPods > 0 && g.limitedPods > 0
      ? {
          cpuThrottled:
            (g.limitedPods / g.readyPods) *
            throttledShare(
              g.cpuCapacityMilli / g.readyPods,
              Math.min(g.cpuCapacityMilli, faults.hogCoresPerPod * 1000 * g.readyPods) / g.readyPods,
              rps / g.readyPods,
              p.cpuMilliPerRequest,
            ),
        }
      : {}),
  };
}

/** The CFS period of a CPU limit (the kernel's default cpu.cfs_period_us, 100 ms), in seconds. */
const CFS_PERIOD_S = 0.1;

/**
 * The share of CFS periods in which a pod under a CPU limit of `limitMilli` is throttled (pure): it wants more than
 * its quota (limit × period) within the period. A hog's busy loop wants `hogMilli` throughout (at or past the
 * limit: every period); the requests arrive as a Poisson process of `rps` (each `costMilli` millicore-seconds) and
 * share what the hog leaves: a period is throttled when its arrivals need more than that, and every period once they
 * need it on average (the backlog never clears; a period's carry-over below that is left out). So a pod well under its
 * limit is rarely throttled, a small container (250m: one 20 ms request per period) is throttled in bursts before
 * it is saturated, as cAdvisor shows of real pods, and one pinned at its limit in nearly every period.
 */
export function throttledShare(limitMilli: number, hogMilli: number, rps: number, costMilli: number): number {
  if (!(limitMilli > 0)) return 0;
  const room = (limitMilli - hogMilli) * CFS_PERIOD_S; // millicore-seconds the requests may use in one period
  if (room <= 0) return 1;
  const lambda = rps * CFS_PERIOD_S;
  if (!(lambda > 0) || !(costMilli > 0)) return 0;
  // At or past the room on average the backlog never clears: every period uses its whole quota.
  if (lambda * costMilli >= room) return 1;
  return poissonAbove(lambda, Math.floor(room / costMilli));
}

/** P(N > k) for N ~ Poisson(lambda); a normal approximation past lambda 200, where e^−λ underflows. */
function poissonAbove(lambda: number, k: number): number {
  if (lambda > 200) {
    const z = (k + 0.5 - lambda) / Math.sqrt(lambda);
    return 1 - 0.5 * (1 + erf(z / Math.SQRT2));
  }
  let term = Math.exp(-lambda);
  let cdf = term;
  for (let i = 1; i <= k; i++) {
    term *= lambda / i;
    cdf += term;
    if (term < 1e-12 && i > lambda) break;
  }
  return Math.min(1, Math.max(0, 1 - cdf));
}

/** The error function (Abramowitz and Stegun 7.1.26, error < 1.5e-7). */
function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * z);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const v = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? v : -v;
}
