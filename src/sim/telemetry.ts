import type { MeshSnapshot } from './call-mesh.ts';
import { hashString, Rng } from './random.ts';

/**
 * What a monitoring stack would have scraped from the simulated cloud: series sampled every step (with the noise a
 * real scrape has, drawn from the cloud's seed so a run replays exactly), warning events, rollouts, and log lines a
 * fault writes. Series of a cluster polis cannot reach are not recorded (they fall silent, as they would).
 */

/** What a series measures; the names of docs/observe.md's signal table. */
export type TelemetrySignal =
  | 'latency'
  | 'errors'
  | 'requests'
  | 'cpu'
  | 'memory'
  | 'restarts'
  | 'outboundLatency'
  | 'outboundErrors'
  | 'outboundRequests'
  | 'nodeCpu'
  | 'nodeMemory'
  | 'nodeReady'
  | 'reachable';

export interface TelemetrySeries {
  readonly on: 'component' | 'pod' | 'node' | 'cluster';
  readonly name: string;
  readonly signal: TelemetrySignal;
  readonly quantile?: number;
  /** For outbound signals: the callee. */
  readonly peer?: string;
  /** `[epoch seconds, value]`, oldest first. */
  readonly points: readonly (readonly [number, number])[];
}

export interface TelemetryEvent {
  /** Epoch seconds. */
  readonly at: number;
  readonly on: 'component' | 'pod' | 'node' | 'cluster';
  readonly name: string;
  /** Kubernetes' reason: NodeNotReady, BackOff, OOMKilling, ClusterUnreachable … */
  readonly reason: string;
  readonly type: 'Warning' | 'Normal';
}

export interface TelemetryChange {
  readonly at: number;
  readonly component: string;
  readonly revision?: string;
  readonly kind: 'rollout' | 'config' | 'scale';
}

export interface TelemetryLogLine {
  readonly at: number;
  readonly pod: string;
  readonly level: 'error' | 'warn' | 'info';
  readonly text: string;
}

interface Stored {
  readonly meta: Omit<TelemetrySeries, 'points'>;
  points: [number, number][];
}

/** Where pods and components were last seen, so a pod that vanished is still known (its series went silent). */
export interface SeenPod {
  readonly name: string;
  readonly component: string;
  readonly node: string;
  readonly cluster: string;
  readonly lastSeen: number;
}

const MAX_EVENTS = 20_000;
const MAX_LOG_LINES = 200;

export class SimTelemetry {
  private readonly store = new Map<string, Stored>();
  private readonly rng: Rng;
  private readonly eventLog: TelemetryEvent[] = [];
  private readonly changeLog: TelemetryChange[] = [];
  private readonly logs = new Map<string, TelemetryLogLine[]>();
  private readonly pods = new Map<string, SeenPod>();
  private readonly components = new Set<string>();
  private readonly nodeCluster = new Map<string, string>();
  private prevNodeReady = new Map<string, boolean>();
  private prevReachable = new Map<string, boolean>();
  private prevPhase = new Map<string, string>();
  /** Seconds of history kept. */
  readonly retainSeconds: number;
  /**
   * Where a component's lines also go: the pods' own logs (SimCloud writes them through SimCluster.writeLog), so
   * `polis logs` shows the error lines a fault produces. A line of no pod goes to every pod of the component seen.
   */
  sink?: (where: { cluster: string; namespace: string; pod: string }, text: string) => void;

  constructor(seed: number, retainSeconds = 3 * 3600) {
    this.rng = new Rng(hashString('telemetry', seed));
    this.retainSeconds = retainSeconds;
  }

  /** Records one scrape of the mesh's state. */
  record(s: MeshSnapshot): void {
    const t = Math.round(s.at / 1000);
    const reachable = new Map(s.clusters.map((c) => [c.name, c.reachable]));
    for (const c of s.clusters) {
      this.put({ on: 'cluster', name: c.name, signal: 'reachable' }, t, c.reachable ? 1 : 0);
      const was = this.prevReachable.get(c.name);
      if (was === true && !c.reachable) this.event(t, 'cluster', c.name, 'ClusterUnreachable');
      this.prevReachable.set(c.name, c.reachable);
    }
    for (const n of s.nodes) {
      this.nodeCluster.set(n.name, n.cluster);
      if (!reachable.get(n.cluster)) continue;
      const was = this.prevNodeReady.get(n.name);
      if (was === true && !n.ready) this.event(t, 'node', n.name, 'NodeNotReady');
      this.prevNodeReady.set(n.name, n.ready);
      this.put({ on: 'node', name: n.name, signal: 'nodeReady' }, t, n.ready ? 1 : 0);
      if (!n.ready) continue;
      this.put({ on: 'node', name: n.name, signal: 'nodeCpu' }, t, clamp01(n.cpu * this.noise(0.03)));
      this.put({ on: 'node', name: n.name, signal: 'nodeMemory' }, t, clamp01(n.memory * this.noise(0.005)));
    }
    const visible = new Set<string>();
    for (const p of s.pods) {
      if (!reachable.get(p.cluster)) continue;
      visible.add(p.component);
      this.pods.set(p.name, { name: p.name, component: p.component, node: p.node, cluster: p.cluster, lastSeen: t });
      const was = this.prevPhase.get(p.name);
      if (p.phase === 'CrashLoopBackOff' && was !== 'CrashLoopBackOff') {
        this.event(t, 'pod', p.name, 'BackOff');
        this.log(p.component, { at: t, pod: p.name, level: 'error', text: 'Back-off restarting failed container' });
      }
      this.prevPhase.set(p.name, p.phase);
      this.put({ on: 'pod', name: p.name, signal: 'restarts' }, t, p.restarts);
      if (!p.ready) continue;
      this.put({ on: 'pod', name: p.name, signal: 'cpu' }, t, Math.max(0, p.cpuCores * this.noise(0.04)));
      this.put({ on: 'pod', name: p.name, signal: 'memory' }, t, p.memoryBytes * this.noise(0.003));
      const rps = s.components.get(p.component)?.rps ?? 0;
      if (rps <= 0) continue;
      const n = Math.max(1, (rps * 15) / Math.max(1, s.components.get(p.component)!.readyPods));
      const err = p.errorRate + this.gauss() * Math.sqrt((p.errorRate * (1 - p.errorRate)) / n);
      this.put({ on: 'pod', name: p.name, signal: 'errors' }, t, clamp01(err));
      this.put({ on: 'pod', name: p.name, signal: 'latency', quantile: 0.5 }, t, (p.p50Ms * this.noise(0.05)) / 1000);
    }
    for (const [key, c] of s.components) {
      if (!visible.has(key)) continue;
      this.components.add(key);
      const n = Math.max(1, c.rps * 15);
      this.put(
        { on: 'component', name: key, signal: 'requests' },
        t,
        Math.max(0, c.rps * this.noise(1 / Math.sqrt(n))),
      );
      if (c.rps <= 0) continue;
      const err = c.errorRate + this.gauss() * Math.sqrt((c.errorRate * (1 - c.errorRate)) / n);
      this.put({ on: 'component', name: key, signal: 'errors' }, t, clamp01(err));
      this.put(
        { on: 'component', name: key, signal: 'latency', quantile: 0.5 },
        t,
        (c.p50Ms * this.noise(0.04)) / 1000,
      );
      this.put(
        { on: 'component', name: key, signal: 'latency', quantile: 0.99 },
        t,
        (c.p99Ms * this.noise(0.08)) / 1000,
      );
      if (c.ownErrorRate > 0.02)
        this.log(key, {
          at: t,
          pod: '',
          level: 'error',
          text: `HTTP 500: ${Math.round(c.ownErrorRate * 100)}% of requests failed`,
        });
      if (c.ownLatencyMs > 1000)
        this.log(key, { at: t, pod: '', level: 'warn', text: `slow requests: ${Math.round(c.ownLatencyMs)} ms` });
    }
    for (const e of s.edges) {
      if (!visible.has(e.from) || e.rps <= 0) continue;
      const n = Math.max(1, e.rps * 15);
      const base = { on: 'component' as const, name: e.from, peer: e.to };
      this.put({ ...base, signal: 'outboundRequests' }, t, Math.max(0, e.rps * this.noise(1 / Math.sqrt(n))));
      const err = e.errorRate + this.gauss() * Math.sqrt((e.errorRate * (1 - e.errorRate)) / n);
      this.put({ ...base, signal: 'outboundErrors' }, t, clamp01(err));
      this.put({ ...base, signal: 'outboundLatency', quantile: 0.5 }, t, (e.p50Ms * this.noise(0.04)) / 1000);
      // The tail too, as Istio's per-edge histogram gives it: retransmissions and a slow callee's tail show there first.
      this.put({ ...base, signal: 'outboundLatency', quantile: 0.99 }, t, (e.p99Ms * this.noise(0.08)) / 1000);
      if (e.errorRate > 0.02)
        this.log(e.from, {
          at: t,
          pod: '',
          level: 'error',
          text: `upstream ${e.to}: ${Math.round(e.errorRate * 100)}% of calls failed (503 upstream connect error or disconnect/reset before headers)`,
        });
    }
    this.trim(t);
  }

  /** A warning (or normal) event, as Kubernetes would record it. */
  event(
    at: number,
    on: TelemetryEvent['on'],
    name: string,
    reason: string,
    type: TelemetryEvent['type'] = 'Warning',
  ): void {
    this.eventLog.push({ at, on, name, reason, type });
    if (this.eventLog.length > MAX_EVENTS) this.eventLog.splice(0, this.eventLog.length - MAX_EVENTS);
  }

  change(c: TelemetryChange): void {
    this.changeLog.push(c);
    if (this.changeLog.length > MAX_EVENTS) this.changeLog.splice(0, this.changeLog.length - MAX_EVENTS);
  }

  log(component: string, line: TelemetryLogLine): void {
    const lines = this.logs.get(component) ?? this.logs.set(component, []).get(component)!;
    lines.push(line);
    if (lines.length > MAX_LOG_LINES) lines.splice(0, lines.length - MAX_LOG_LINES);
    if (!this.sink) return;
    const namespace = component.slice(0, component.indexOf('/'));
    const text = `${line.level.toUpperCase()} ${line.text}`;
    const pods = line.pod
      ? [this.pods.get(line.pod)]
      : [...this.pods.values()].filter((p) => p.component === component);
    for (const p of pods) if (p) this.sink({ cluster: p.cluster, namespace, pod: p.name }, text);
  }

  /** Every series with its points in `[fromS, toS]` (epoch seconds). */
  series(fromS: number, toS: number): TelemetrySeries[] {
    const out: TelemetrySeries[] = [];
    for (const s of this.store.values()) {
      const points = s.points.slice(
        firstIndex(s.points, (t) => t >= fromS),
        firstIndex(s.points, (t) => t > toS),
      );
      if (points.length > 0) out.push({ ...s.meta, points });
    }
    return out;
  }

  events(fromS: number, toS: number): TelemetryEvent[] {
    return this.eventLog.filter((e) => e.at >= fromS && e.at <= toS);
  }

  changes(fromS: number, toS: number): TelemetryChange[] {
    return this.changeLog.filter((e) => e.at >= fromS && e.at <= toS);
  }

  /** The component's last log lines, oldest first. */
  logLines(component: string, sinceS = -Infinity): TelemetryLogLine[] {
    return (this.logs.get(component) ?? []).filter((l) => l.at >= sinceS);
  }

  /** Pods seen since `fromS`, components recorded, nodes by cluster. */
  inventory(fromS: number): {
    pods: SeenPod[];
    components: string[];
    nodes: { name: string; cluster: string }[];
  } {
    return {
      pods: [...this.pods.values()].filter((p) => p.lastSeen >= fromS).sort((a, b) => cmp(a.name, b.name)),
      components: [...this.components].sort(),
      nodes: [...this.nodeCluster].map(([name, cluster]) => ({ name, cluster })).sort((a, b) => cmp(a.name, b.name)),
    };
  }

  private put(meta: Omit<TelemetrySeries, 'points'>, t: number, v: number): void {
    const key = `${meta.on}|${meta.name}|${meta.signal}|${meta.quantile ?? ''}|${meta.peer ?? ''}`;
    let s = this.store.get(key);
    if (!s) this.store.set(key, (s = { meta, points: [] }));
    s.points.push([t, v]);
  }

  private trim(t: number): void {
    const floor = t - this.retainSeconds;
    for (const [k, s] of this.store) {
      if (s.points.length === 0 || s.points[0]![0] >= floor) continue;
      let i = 0;
      while (i < s.points.length && s.points[i]![0] < floor) i++;
      s.points = s.points.slice(i);
      if (s.points.length === 0) this.store.delete(k);
    }
    for (const [name, p] of this.pods) if (p.lastSeen < floor) this.pods.delete(name);
    const firstEvent = this.eventLog.findIndex((e) => e.at >= floor);
    if (firstEvent > 0) this.eventLog.splice(0, firstEvent);
  }

  /** A multiplicative noise factor around 1. */
  private noise(sd: number): number {
    return Math.max(0, 1 + sd * this.gauss());
  }

  /** A standard normal draw (Box–Muller). */
  private gauss(): number {
    const u = Math.max(this.rng.next(), 1e-12);
    const v = this.rng.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/** The first index whose time passes `test` (monotone over points in time order); the length when none does. */
function firstIndex(points: readonly (readonly [number, number])[], test: (t: number) => boolean): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (test(points[mid]![0])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
