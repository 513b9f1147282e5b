import type { ClusterRuntime } from './cluster-runtime.ts';
import { componentKey, type ActiveFault, type ComponentRef } from './fault-spec.ts';
import type { SimPod } from './pod.ts';

/**
 * Calls between application components, as a service mesh sees them: each component serves the citizens' load
 * (its scenario) plus the calls of its callers, and makes `perRequest` calls to each callee for every request it
 * serves. Computed on demand from the pods that are ready, the faults in force and the clock, callees first, so a
 * slow or failing callee shows in its callers' latency and errors as it would in Istio's `istio_requests_total`
 * and `istio_request_duration_milliseconds` (reporter=source for an edge, reporter=destination for what a component
 * serves).
 */

export interface MeshProfile {
  /** CPU one request costs, millicore-seconds. */
  readonly cpuMilliPerRequest: number;
  readonly baseLatencyMs: number;
  /** p99 over p50 when idle. */
  readonly p99Factor: number;
  /** Share of requests that fail when all is well. */
  readonly baseErrorRate: number;
  /** Memory of one pod at rest, when its template requests none (else 40% of its request). */
  readonly memoryBaseBytes: number;
}

export const DEFAULT_MESH_PROFILE: MeshProfile = {
  cpuMilliPerRequest: 20,
  baseLatencyMs: 40,
  p99Factor: 3,
  baseErrorRate: 0.001,
  memoryBaseBytes: 256 * 1024 ** 2,
};

export interface MeshCall {
  readonly to: ComponentRef;
  /** Calls per request served; default 1. */
  readonly perRequest?: number;
}

export interface MeshDeclaration extends ComponentRef {
  readonly profile?: Partial<MeshProfile>;
  readonly calls?: readonly MeshCall[];
}

export interface PodSample {
  readonly name: string;
  readonly component: string;
  readonly node: string;
  readonly cluster: string;
  readonly ready: boolean;
  readonly cpuCores: number;
  readonly memoryBytes: number;
  /** The container's memory limit (the request-sized limit a leak is OOMKilled at); 0 when it has none. */
  readonly memoryLimitBytes: number;
  readonly restarts: number;
  readonly phase: string;
  /** What the pod serves (Istio's reporter=destination, per pod): latency and the share that fails. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

export interface ComponentSample {
  readonly key: string;
  /** Requests served per second (what reached it). */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
  readonly readyPods: number;
  /** Share of its own errors (not its callees'): for its logs. */
  readonly ownErrorRate: number;
  readonly ownLatencyMs: number;
}

export interface EdgeSample {
  readonly from: string;
  readonly to: string;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

export interface NodeSample {
  readonly name: string;
  readonly cluster: string;
  readonly ready: boolean;
  /** 0–1 of allocatable. */
  readonly cpu: number;
  /** The CPU its pods use, 0–1 of allocatable (`cpu` less what runs outside them: a hog on the node). */
  readonly podsCpu: number;
  readonly memory: number;
}

export interface MeshSnapshot {
  readonly at: number;
  readonly components: ReadonlyMap<string, ComponentSample>;
  readonly edges: readonly EdgeSample[];
  readonly pods: readonly PodSample[];
  readonly nodes: readonly NodeSample[];
  readonly clusters: readonly { readonly name: string; readonly reachable: boolean; readonly serving: boolean }[];
}

/** What the mesh reads of the cloud. */
export interface MeshWorld {
  now(): number;
  runtimes(): readonly ClusterRuntime[];
  /** Citizens' requests per second to the component (its load scenario). */
  offeredRps(namespace: string, component: string): number;
  faults(): readonly ActiveFault[];
}

/** Queueing stops growing here: latency is capped near 20× base, the excess fails. */
const RHO_CAP = 0.95;
/** Extra delay of a call that lost packets and retransmitted (TCP's minimum retransmission timeout). */
const RETRANSMIT_MS = 200;

export class CallMesh {
  private readonly declared = new Map<string, { ref: ComponentRef; profile: MeshProfile; calls: MeshCall[] }>();
  /** Callee → its callers, kept with `declared` (a component's load model asks for its callers at every sample). */
  private readonly callersOf = new Map<string, Set<string>>();
  private readonly world: MeshWorld;

  constructor(world: MeshWorld) {
    this.world = world;
  }

  /** Declares (or replaces) a component's profile and calls. Components never declared serve with the defaults. */
  declare(d: MeshDeclaration): void {
    const key = componentKey(d);
    for (const c of this.declared.get(key)?.calls ?? []) this.callersOf.get(componentKey(c.to))?.delete(key);
    for (const c of d.calls ?? []) {
      const to = componentKey(c.to);
      (this.callersOf.get(to) ?? this.callersOf.set(to, new Set()).get(to)!).add(key);
    }
    this.declared.set(key, {
      ref: { namespace: d.namespace, component: d.component },
      profile: { ...DEFAULT_MESH_PROFILE, ...d.profile },
      calls: [...(d.calls ?? [])],
    });
  }

  /** The declared calls, caller → callee, by key. */
  edges(): { from: string; to: string; perRequest: number }[] {
    const out = [];
    for (const [from, d] of [...this.declared].sort(byKey))
      for (const c of d.calls) out.push({ from, to: componentKey(c.to), perRequest: c.perRequest ?? 1 });
    return out;
  }

  profile(key: string): MeshProfile {
    return this.declared.get(key)?.profile ?? DEFAULT_MESH_PROFILE;
  }

  /**
   * Requests per second the component's callers send it beyond its citizens' load (each caller's own load and its
   * callers', times calls per request, less what network loss drops), as `snapshot` counts them. A call that closes
   * a cycle is not followed.
   */
  callerRps(namespace: string, component: string): number {
    return this.inbound(componentKey({ namespace, component }), new Set());
  }

  /**
   * What the faults in force do to the component itself now: latency added to each request (ms), the share of its
   * requests that fail, and the CPU cores a hog takes in each of its pods. The load model adds these to its golden
   * signals, so the metrics, alerts and autoscaler see the faults the incidents see.
   */
  faultsOn(namespace: string, component: string): { latencyMs: number; errorRate: number; hogCoresPerPod: number } {
    const key = componentKey({ namespace, component });
    const fx = effects(this.world.faults(), this.world.now());
    return {
      latencyMs: fx.latencyMs.get(key) ?? 0,
      errorRate: fx.errorRate.get(key) ?? 0,
      hogCoresPerPod: fx.componentHogCores.get(key) ?? 0,
    };
  }

  /** The component's declared calls now: callee, calls per request, and the share a network loss drops. */
  callsOf(namespace: string, component: string): { to: ComponentRef; perRequest: number; loss: number }[] {
    const key = componentKey({ namespace, component });
    const calls = this.declared.get(key)?.calls ?? [];
    if (calls.length === 0) return [];
    const fx = effects(this.world.faults(), this.world.now());
    return calls.map((c) => ({
      to: c.to,
      perRequest: c.perRequest ?? 1,
      loss: fx.loss.get(`${key}>${componentKey(c.to)}`) ?? 0,
    }));
  }

  /**
   * Run-queue slowdown (>= 1) of the component's ready pods in `cluster`, averaged: a pod on a node past 70 % busy
   * (a CPU hog on the node, noisy neighbours) answers up to 5x slower, as in `snapshot`. 1 while no node hog is in
   * force (then only the component's own load presses on its nodes, which the load model's queueing already counts).
   */
  contention(namespace: string, component: string, cluster: string): number {
    const now = this.world.now();
    const fx = effects(this.world.faults(), now);
    if (fx.nodeHogCores.size === 0) return 1;
    if (this.pressureMemo?.at !== now) {
      const nodes = new Map<string, number>();
      for (const n of this.snapshot().nodes) nodes.set(`${n.cluster}/${n.name}`, n.cpu);
      this.pressureMemo = { at: now, nodes };
    }
    const rt = this.world.runtimes().find((r) => r.name === cluster);
    if (rt === undefined) return 1;
    let n = 0;
    let slow = 0;
    for (const w of rt.workloads()) {
      if (w.namespace !== namespace || w.component !== component || w.kind === 'Job' || w.kind === 'CronJob') continue;
      for (const pod of w.pods) {
        if (pod.deleted || !servingPod({ pod, rt })) continue;
        const pressure = this.pressureMemo.nodes.get(`${cluster}/${pod.node!.name}`) ?? 0;
        slow += 1 + (4 * Math.max(0, pressure - 0.7)) / 0.3;
        n++;
      }
    }
    return n > 0 ? slow / n : 1;
  }

  private pressureMemo: { at: number; nodes: Map<string, number> } | undefined;

  private inbound(key: string, visiting: Set<string>): number {
    if (visiting.has(key)) return 0;
    visiting.add(key);
    let rps = 0;
    const callers = this.callersOf.get(key);
    const fx = callers?.size ? effects(this.world.faults(), this.world.now()) : undefined;
    for (const from of callers ?? [])
      for (const c of this.declared.get(from)?.calls ?? []) {
        if (componentKey(c.to) !== key) continue;
        const [ns, comp] = splitKey(from);
        const served = this.world.offeredRps(ns, comp) + this.inbound(from, visiting);
        rps += served * (c.perRequest ?? 1) * (1 - (fx?.loss.get(`${from}>${key}`) ?? 0));
      }
    visiting.delete(key);
    return rps;
  }

  /** Every component's, edge's, pod's and node's state now. Deterministic: no randomness (noise is the telemetry's). */
  snapshot(): MeshSnapshot {
    const now = this.world.now();
    const faults = this.world.faults();
    const runtimes = this.world.runtimes();
    const podsOf = new Map<string, { pod: SimPod; rt: ClusterRuntime }[]>();
    for (const rt of runtimes)
      for (const w of rt.workloads()) {
        if (w.kind === 'Job' || w.kind === 'CronJob') continue;
        const key = `${w.namespace}/${w.component}`;
        const list = podsOf.get(key) ?? podsOf.set(key, []).get(key)!;
        for (const pod of w.pods) if (pod.node !== undefined && !pod.deleted) list.push({ pod, rt });
      }
    const keys = [...new Set([...this.declared.keys(), ...podsOf.keys()])].sort();
    const fx = effects(faults, now);

    // Node pressure: the CPU its pods use at the last computed load plus hogs, over allocatable (first pass uses
    // demand from the offered load; good enough for a contention penalty).
    const rps = this.flows(keys, fx);
    const nodeUse = new Map<string, number>();
    const podCpu = new Map<SimPod, number>();
    for (const key of keys) {
      const pods = (podsOf.get(key) ?? []).filter((p) => servingPod(p));
      const cost = this.profile(key).cpuMilliPerRequest;
      const hog = (fx.componentHogCores.get(key) ?? 0) * 1000;
      for (const p of pods) {
        const share = pods.length > 0 ? (rps.get(key) ?? 0) / pods.length : 0;
        const used = Math.min(p.pod.template.servingCpuMilli, share * cost + hog);
        podCpu.set(p.pod, used);
        const nk = `${p.rt.name}/${p.pod.node!.name}`;
        nodeUse.set(nk, (nodeUse.get(nk) ?? 0) + used);
      }
    }
    const pressureOf = (rt: ClusterRuntime, node: string): number => {
      const n = rt.nodes.get(node);
      if (!n) return 0;
      const hog = (fx.nodeHogCores.get(`${rt.name}/${node}`) ?? 0) * 1000;
      return Math.min(1, ((nodeUse.get(`${rt.name}/${node}`) ?? 0) + hog) / n.spec.cpuMilli);
    };

    // Callees first.
    const order = this.topoOrder(keys);
    const components = new Map<string, ComponentSample>();
    const podServed = new Map<SimPod, { p50: number; p99: number; err: number }>();
    const edges: EdgeSample[] = [];
    for (const key of order) {
      const profile = this.profile(key);
      const served = rps.get(key) ?? 0;
      const pods = (podsOf.get(key) ?? []).filter((p) => servingPod(p));
      const hog = (fx.componentHogCores.get(key) ?? 0) * 1000;
      let capacity = 0;
      let slowdown = 0;
      const podSlow = new Map<SimPod, number>();
      for (const p of pods) {
        const cap = Math.max(0, p.pod.template.servingCpuMilli - hog);
        capacity += cap;
        // Run-queue delay on a node past 70% busy: up to 5× at saturation (a noisy neighbour, a hog).
        const pressure = pressureOf(p.rt, p.pod.node!.name);
        const slow = 1 + (4 * Math.max(0, pressure - 0.7)) / 0.3;
        podSlow.set(p.pod, slow);
        slowdown += cap * slow;
      }
      const demand = served * profile.cpuMilliPerRequest;
      const rho = capacity > 0 ? demand / capacity : served > 0 ? Infinity : 0;
      const r = Math.min(rho, RHO_CAP);
      const contention = capacity > 0 ? slowdown / capacity : 1;
      const extra = fx.latencyMs.get(key) ?? 0;
      const ownP50 = profile.baseLatencyMs * (1 + (r * r) / (1 - r)) * contention + extra;
      const ownP99 = profile.baseLatencyMs * (1 + (r * r) / (1 - r)) * contention * profile.p99Factor * (1 + r) + extra;
      const injected = fx.errorRate.get(key) ?? 0;
      const overload = rho > 1 ? 1 - 1 / rho : 0;
      const own =
        pods.length === 0 && served > 0 ? 1 : 1 - (1 - profile.baseErrorRate) * (1 - injected) * (1 - overload);
      const queue = profile.baseLatencyMs * (1 + (r * r) / (1 - r));
      let callP50 = 0;
      let callP99 = 0;
      let ok = 1 - own;
      for (const call of this.declared.get(key)?.calls ?? []) {
        const to = componentKey(call.to);
        const callee = components.get(to);
        const per = call.perRequest ?? 1;
        const loss = fx.loss.get(`${key}>${to}`) ?? 0;
        const calleeP50 = callee?.p50Ms ?? 0;
        const calleeP99 = callee?.p99Ms ?? 0;
        const calleeErr = callee === undefined ? 1 : callee.readyPods === 0 ? 1 : callee.errorRate;
        const edgeErr = 1 - (1 - calleeErr) * (1 - loss);
        const edgeP50 = calleeP50 + loss * RETRANSMIT_MS * 2;
        const edgeP99 = calleeP99 + (loss > 0 ? RETRANSMIT_MS * 5 : 0);
        edges.push({ from: key, to, rps: served * per, p50Ms: edgeP50, p99Ms: edgeP99, errorRate: edgeErr });
        callP50 += per * edgeP50;
        callP99 += per * edgeP99;
        ok *= (1 - edgeErr) ** Math.min(1, per);
      }
      const p50 = ownP50 + callP50;
      const p99 = ownP99 + callP99;
      for (const [pod, slow] of podSlow)
        podServed.set(pod, {
          p50: queue * slow + extra + callP50,
          p99: queue * slow * profile.p99Factor * (1 + r) + extra + callP99,
          err: served > 0 ? 1 - ok : 0,
        });
      components.set(key, {
        key,
        rps: served,
        p50Ms: p50,
        p99Ms: Math.max(p50, p99),
        errorRate: served > 0 ? 1 - ok : 0,
        readyPods: pods.length,
        ownErrorRate: own,
        ownLatencyMs: ownP50,
      });
    }

    const pods: PodSample[] = [];
    for (const key of keys)
      for (const { pod, rt } of podsOf.get(key) ?? []) {
        const leak = fx.leakBytesPerMs.get(key);
        const since = Math.max(leak?.since ?? now, pod.readyAt >= 0 ? pod.readyAt : pod.since);
        const grown = leak && pod.ready ? leak.rate * Math.max(0, now - since) : 0;
        pods.push({
          name: pod.name,
          component: key,
          node: pod.node!.name,
          cluster: rt.name,
          ready: servingPod({ pod, rt }),
          cpuCores: (podCpu.get(pod) ?? 0) / 1000,
          memoryBytes: pod.ready ? restingMemory(pod, this.profile(key)) + grown : 0,
          memoryLimitBytes: Math.max(0, pod.template.memoryBytes),
          restarts: pod.restarts,
          phase: pod.phase,
          p50Ms: podServed.get(pod)?.p50 ?? 0,
          p99Ms: podServed.get(pod)?.p99 ?? 0,
          errorRate: podServed.get(pod)?.err ?? 0,
        });
      }
    pods.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

    const nodes: NodeSample[] = [];
    for (const rt of runtimes)
      for (const n of rt.nodes.list) {
        const mem = pods
          .filter((p) => p.cluster === rt.name && p.node === n.name)
          .reduce((a, p) => a + p.memoryBytes, 0);
        nodes.push({
          name: n.name,
          cluster: rt.name,
          ready: n.ready,
          cpu: pressureOf(rt, n.name),
          podsCpu: Math.min(1, (nodeUse.get(`${rt.name}/${n.name}`) ?? 0) / n.spec.cpuMilli),
          memory: Math.min(1, mem / n.spec.memoryBytes),
        });
      }
    const clusters = runtimes.map((rt) => ({
      name: rt.name,
      reachable: rt.state === 'up' && !rt.removed,
      serving: rt.state !== 'down',
    }));
    return { at: now, components, edges, pods, nodes, clusters };
  }

  /** Requests per second each component serves: its citizens' load plus what its callers send, callers first. */
  private flows(keys: readonly string[], fx: Effects): Map<string, number> {
    const rps = new Map<string, number>();
    for (const key of keys) {
      const [ns, c] = splitKey(key);
      rps.set(key, this.world.offeredRps(ns, c));
    }
    for (const key of [...this.topoOrder(keys)].reverse()) {
      const served = rps.get(key) ?? 0;
      for (const call of this.declared.get(key)?.calls ?? []) {
        const to = componentKey(call.to);
        const loss = fx.loss.get(`${key}>${to}`) ?? 0;
        rps.set(to, (rps.get(to) ?? 0) + served * (call.perRequest ?? 1) * (1 - loss));
      }
    }
    return rps;
  }

  /** Callees before callers (a depth-first post-order); a call that closes a cycle is left out of the order. */
  private topoOrder(keys: readonly string[]): string[] {
    const out: string[] = [];
    const state = new Map<string, 1 | 2>();
    const visit = (k: string): void => {
      if (state.has(k)) return;
      state.set(k, 1);
      for (const c of this.declared.get(k)?.calls ?? []) visit(componentKey(c.to));
      state.set(k, 2);
      out.push(k);
    };
    for (const k of keys) visit(k);
    return out;
  }
}

/** Memory of a pod at rest: 40% of its request (its profile's figure when it requests none). */
function restingMemory(pod: SimPod, profile: MeshProfile): number {
  return pod.template.memoryBytes > 0 ? 0.4 * pod.template.memoryBytes : profile.memoryBaseBytes;
}

function servingPod(p: { pod: SimPod; rt: ClusterRuntime }): boolean {
  return p.pod.ready && p.rt.state !== 'down' && p.pod.node?.ready === true;
}

const byKey = (a: [string, unknown], b: [string, unknown]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

interface Effects {
  readonly latencyMs: Map<string, number>;
  readonly errorRate: Map<string, number>;
  readonly componentHogCores: Map<string, number>;
  readonly nodeHogCores: Map<string, number>;
  readonly leakBytesPerMs: Map<string, { rate: number; since: number }>;
  readonly loss: Map<string, number>;
}

/** What the faults in force do to the traffic, by component, node and edge. */
function effects(faults: readonly ActiveFault[], now: number): Effects {
  const fx: Effects = {
    latencyMs: new Map(),
    errorRate: new Map(),
    componentHogCores: new Map(),
    nodeHogCores: new Map(),
    leakBytesPerMs: new Map(),
    loss: new Map(),
  };
  const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);
  const orErr = (k: string, r: number): void =>
    void fx.errorRate.set(k, 1 - (1 - (fx.errorRate.get(k) ?? 0)) * (1 - r));
  for (const f of faults) {
    if (f.startedAt > now || (f.endsAt !== undefined && f.endsAt <= now)) continue;
    const s = f.spec;
    switch (s.type) {
      case 'latency':
      case 'slow-dependency':
        add(fx.latencyMs, componentKey(s.target), s.ms);
        break;
      case 'errors':
      case 'bad-rollout':
        orErr(componentKey(s.target), s.rate);
        break;
      case 'cpu-hog':
        if (s.target) add(fx.componentHogCores, componentKey(s.target), s.cores);
        else add(fx.nodeHogCores, `${s.cluster}/${s.node}`, s.cores);
        break;
      case 'memory-leak':
        fx.leakBytesPerMs.set(componentKey(s.target), {
          rate: (s.mibPerMinute * 1024 ** 2) / 60_000,
          since: f.startedAt,
        });
        break;
      case 'network-loss': {
        const k = `${componentKey(s.from)}>${componentKey(s.to)}`;
        fx.loss.set(k, 1 - (1 - (fx.loss.get(k) ?? 0)) * (1 - s.loss));
        break;
      }
      default:
        break;
    }
  }
  return fx;
}
