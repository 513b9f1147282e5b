import type { Clock } from '../kernel/clock.ts';
import { ClusterRuntime, type CloudHooks } from './cluster-runtime.ts';
import type { SimClusterSpec } from './cluster-spec.ts';
import { CallMesh, type MeshSnapshot } from './call-mesh.ts';
import { componentKey } from './fault-spec.ts';
import { EventQueue } from './event-queue.ts';
import { SimFaults } from './fault-injector.ts';
import { LoadModel, type ComponentMetrics, type LoadProfile } from './load-model.ts';
import type { LoadScenario } from './load-scenarios.ts';
import { hashString } from './random.ts';
import { groupKey } from './serving.ts';
import { SimCluster } from './sim-cluster.ts';
import { SimTelemetry } from './telemetry.ts';
import { DEFAULT_TIMINGS, type SimTimings } from './timings.ts';

/** Called when something about workloads in a namespace of a cluster changed (at most once per instant each). */
export type ChangeListener = (cluster: string, namespace: string) => void;

export interface SimCloudOptions {
  readonly clock: Clock;
  /** Seeds every random draw (pull delays, names, uids); the same seed replays the same run. Default 1. */
  readonly seed?: number;
  readonly timings?: Partial<SimTimings>;
}

/** A clock the cloud can move itself: ManualClock, for virtual time. */
interface SettableClock extends Clock {
  set(at: Date | string): void;
}

/**
 * The simulated cloud: clusters of nodes that accept Kubernetes manifests, run pods through start-up, serve load
 * and fail on command, all on one injected clock. Work is a queue of timed events ordered by (time, sequence), so
 * a run is deterministic: `tick()` runs what is due now, `advance(ms)` moves a ManualClock event by event (a week
 * of traffic in seconds), `start()` follows the real clock on a timer.
 */
export class SimCloud {
  readonly clock: Clock;
  readonly seed: number;
  readonly timings: SimTimings;
  private readonly queue = new EventQueue();
  private readonly clusterMap = new Map<string, SimCluster>();
  private readonly loadModel: LoadModel;
  private readonly hooks: CloudHooks;
  private readonly listeners = new Set<ChangeListener>();
  private readonly changed = new Map<string, Set<string>>();
  private processingAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private telemetryStep: number | undefined;
  /** Calls between components (Istio-like traffic per edge), fed by the load model and the faults. */
  readonly mesh: CallMesh;
  /** Faults added on command or by a scenario. */
  readonly faults: SimFaults;
  /** What a monitoring stack would scrape; recording starts with startTelemetry(). */
  readonly telemetry: SimTelemetry;

  constructor(options: SimCloudOptions) {
    this.clock = options.clock;
    this.seed = options.seed ?? 1;
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.loadModel = new LoadModel({
      now: () => this.now(),
      groups: (namespace, component) => this.groups(namespace, component),
    });
    const load = this.loadModel;
    this.hooks = {
      timings: this.timings,
      load: {
        utilization: (ns, component, cluster) => load.utilization(ns, component, cluster),
        usedCpuMilli: (ns, component, cluster) => load.usedCpuMilli(ns, component, cluster),
      },
      now: () => this.now(),
      schedule: (at, run) => this.queue.push(at, run),
      changed: (cluster, namespace) => this.markChanged(cluster, namespace),
    };
    const runtimes = () => this.clusters().map((c) => c.runtime);
    this.mesh = new CallMesh({
      now: () => this.now(),
      runtimes,
      offeredRps: (ns, component) => load.offeredRps(ns, component),
      faults: () => this.faults.list(),
    });
    // One cloud: the golden signals (metrics, alerts, autoscaling) carry the mesh's calls and faults.
    load.attachMesh(this.mesh);
    this.telemetry = new SimTelemetry(this.seed);
    this.telemetry.sink = (w, text) => void this.clusterMap.get(w.cluster)?.writeLog(w, text);
    this.faults = new SimFaults({
      now: () => this.now(),
      runtime: (name) => this.clusterMap.get(name)?.runtime,
      runtimes,
      schedule: (at, run) => this.queue.push(at, run),
      mesh: this.mesh,
      telemetry: this.telemetry,
    });
  }

  /** Runs `run` at `at` (epoch ms) in virtual time, in order with the cloud's own events. */
  schedule(at: number, run: () => void): void {
    this.queue.push(at, run);
  }

  /** Scrapes the call mesh every `stepMs` from now on (faults' OOM kills are applied at each scrape). */
  startTelemetry(stepMs = 15_000): void {
    if (this.telemetryStep !== undefined) return;
    this.telemetryStep = stepMs;
    const scrape = (at: number): void => {
      const snap = this.mesh.snapshot();
      this.lastSnapshot = snap;
      this.memoryByComponent = undefined;
      this.faults.enforce(snap);
      this.telemetry.record(snap);
      this.queue.push(at + stepMs, () => scrape(at + stepMs));
    };
    const first = Math.ceil(this.now() / stepMs) * stepMs;
    this.queue.push(first, () => scrape(first));
  }

  private lastSnapshot: MeshSnapshot | undefined;
  /** memoryOfLimit per component of the last scrape, made at its first read. */
  private memoryByComponent: Map<string, number> | undefined;

  /**
   * The highest working set over its memory limit among the component's ready pods at the last scrape (what
   * metrics-server and cAdvisor give of a real pod); undefined before a scrape or without a pod with a limit.
   */
  memoryOfLimit(namespace: string, component: string): number | undefined {
    if (this.memoryByComponent === undefined) {
      const by = (this.memoryByComponent = new Map<string, number>());
      for (const p of this.lastSnapshot?.pods ?? [])
        if (p.ready && p.memoryLimitBytes > 0)
          by.set(p.component, Math.max(by.get(p.component) ?? 0, p.memoryBytes / p.memoryLimitBytes));
    }
    return this.memoryByComponent.get(componentKey({ namespace, component }));
  }

  /**
   * Every ready node at the last scrape: its CPU used over its allocatable, and its pods' (0–1); what the node rules
   * read (node-cpu-above-normal).
   */
  nodeUse(): Array<{ cluster: string; node: string; cpu: number; podsCpu: number }> {
    return (this.lastSnapshot?.nodes ?? [])
      .filter((n) => n.ready)
      .map((n) => ({ cluster: n.cluster, node: n.name, cpu: n.cpu, podsCpu: n.podsCpu }));
  }

  /** Per cluster, the CPU its busiest ready node used over its allocatable at the last scrape (0–1). */
  nodeCpu(): Map<string, number> {
    const out = new Map<string, number>();
    for (const n of this.lastSnapshot?.nodes ?? [])
      if (n.ready) out.set(n.cluster, Math.max(out.get(n.cluster) ?? 0, n.cpu));
    return out;
  }

  /** The simulation's present (epoch ms): the time of the event being processed, else the clock's. */
  now(): number {
    return this.processingAt ?? this.clock.now().getTime();
  }

  addCluster(spec: SimClusterSpec): SimCluster {
    if (this.clusterMap.has(spec.name)) throw new RangeError(`cluster ${spec.name} already exists`);
    // Each cluster draws from its own generator, so adding one does not change what the others do.
    const cluster = new SimCluster(new ClusterRuntime(spec, this.hooks, hashString(spec.name, this.seed)));
    this.clusterMap.set(spec.name, cluster);
    return cluster;
  }

  removeCluster(name: string): void {
    const c = this.clusterMap.get(name);
    if (c === undefined) return;
    c.runtime.removed = true;
    this.clusterMap.delete(name);
    this.changed.delete(name);
  }

  cluster(name: string): SimCluster | undefined {
    return this.clusterMap.get(name);
  }

  /** Every cluster, by name. */
  clusters(): SimCluster[] {
    return [...this.clusterMap.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Runs every event due at the clock's present, in order; listeners hear once per instant. */
  tick(): void {
    this.runUntil(this.clock.now().getTime(), undefined);
  }

  /**
   * Moves a ManualClock forward by `ms`, stopping at each event's time to run it there, then leaves the clock at
   * now + ms.
   */
  advance(ms: number): void {
    const clock = this.clock as Partial<SettableClock>;
    if (typeof clock.set !== 'function') throw new TypeError('advance() needs a clock it can set, such as ManualClock');
    const target = this.clock.now().getTime() + ms;
    this.runUntil(target, clock as SettableClock);
    clock.set(new Date(target));
  }

  /** Follows the real clock: a tick every `intervalMs` until stop(). The timer does not keep the process alive. */
  start(intervalMs = 100): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        process.emitWarning(`simulated cloud tick failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Subscribes to workload changes; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events waiting in the queue (for tests and benchmarks). */
  get pendingEvents(): number {
    return this.queue.size;
  }

  // The load model, cloud-wide and keyed by {namespace, component}.

  setScenario(namespace: string, component: string, scenario: LoadScenario, profile?: Partial<LoadProfile>): void {
    this.loadModel.setScenario(namespace, component, scenario, profile);
  }

  clearScenario(namespace: string, component: string): void {
    this.loadModel.clearScenario(namespace, component);
  }

  setLoadFactor(namespace: string, component: string, factor: number, untilMs?: number): void {
    this.loadModel.setLoadFactor(namespace, component, factor, untilMs);
  }

  offeredRps(namespace: string, component: string): number {
    return this.loadModel.offeredRps(namespace, component);
  }

  /** The scenario's offered load at any instant (LoadModel.scenarioRps). */
  scenarioRps(namespace: string, component: string, atMs: number): number | undefined {
    return this.loadModel.scenarioRps(namespace, component, atMs);
  }

  componentMetrics(namespace: string, component: string): ComponentMetrics {
    return this.loadModel.componentMetrics(namespace, component);
  }

  private groups(namespace: string, component: string) {
    const key = groupKey(namespace, component);
    const out = [];
    // Asked for every component on every metrics sample: only the clusters holding it are sorted, not all of them.
    for (const c of this.clusterMap.values()) {
      const group = c.runtime.groups.get(key);
      if (group !== undefined) out.push({ cluster: c.name, serving: c.runtime.state !== 'down', group });
    }
    return out.length > 1 ? out.sort((a, b) => (a.cluster < b.cluster ? -1 : 1)) : out;
  }

  private runUntil(until: number, clock: SettableClock | undefined): void {
    let failure: unknown;
    for (;;) {
      const at = this.queue.peekTime();
      if (at === undefined || at > until) break;
      if (clock !== undefined && at > clock.now().getTime()) clock.set(new Date(at));
      this.processingAt = at;
      try {
        for (let e = this.queue.popDue(at); e !== undefined; e = this.queue.popDue(at)) e.run();
      } finally {
        this.processingAt = undefined;
      }
      failure ??= this.flush();
    }
    // Changes made outside any event (a delete through the API) are told at the end of the run.
    failure ??= this.flush();
    if (failure !== undefined) throw failure;
  }

  private markChanged(cluster: string, namespace: string): void {
    let set = this.changed.get(cluster);
    if (set === undefined) this.changed.set(cluster, (set = new Set()));
    set.add(namespace);
  }

  /** Tells listeners what changed at this instant; a listener's error is kept and rethrown once the run is done. */
  private flush(): unknown {
    if (this.changed.size === 0) return undefined;
    const batch = [...this.changed].map(([c, namespaces]) => [c, [...namespaces]] as const);
    this.changed.clear();
    let failure: unknown;
    for (const [cluster, namespaces] of batch) {
      for (const ns of namespaces) {
        for (const listener of [...this.listeners]) {
          try {
            listener(cluster, ns);
          } catch (e) {
            failure ??= e;
          }
        }
      }
    }
    return failure;
  }
}
