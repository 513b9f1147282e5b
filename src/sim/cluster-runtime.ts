import { ClusterEvents } from './cluster-events.ts';
import type { ClusterCapacity, ClusterHealth, WorkloadStatus } from '../clusters/driver.ts';
import type { Manifest } from '../kernel/manifest.ts';
import { clusterCapacity } from './cluster-capacity.ts';
import type { ClusterContext, KubeletFaults } from './cluster-context.ts';
import type { SimClusterSpec } from './cluster-spec.ts';
import { CONTROLLERS } from './controllers.ts';
import { newHpaState, observeHpaTarget, syncHpa, type HpaState } from './hpa-controller.ts';
import { USAGE_SAMPLE_MS } from './metrics-server.ts';
import type { LoadReader } from './load-model.ts';
import { NodePool } from './nodes.ts';
import { createObject, deleteObject, writeLive, type ObjectHost } from './object-writes.ts';
import { ObjectStore, type StoredObject } from './object-store.ts';
import type { SimPod } from './pod.ts';
import { deletePod, trySchedule } from './pod-lifecycle.ts';
import { Rng } from './random.ts';
import { groupKey, ServingGroup } from './serving.ts';
import type { SimTimings } from './timings.ts';
import { serverDefaults } from './server-defaults.ts';
import { componentOf, Workload } from './workload.ts';

type Json = Record<string, unknown>;

/** What the cloud lends each cluster: time, the event queue, the load model and change notification. */
export interface CloudHooks {
  readonly timings: SimTimings;
  readonly load: LoadReader & { usedCpuMilli(namespace: string, component: string, cluster: string): number };
  now(): number;
  schedule(at: number, run: () => void): void;
  changed(cluster: string, namespace: string): void;
}

/** Reachable; down (unreachable and not serving); partitioned (unreachable from polis, still serving). */
export type Reachability = 'up' | 'down' | 'partitioned';

const SERVING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * The inside of one simulated cluster: its objects, nodes, pods and controllers. Controllers are level-triggered:
 * anything that may matter to a workload requeues it, and all requeued workloads are reconciled once, in the
 * order asked, at the same instant.
 */
export class ClusterRuntime implements ClusterContext, ObjectHost {
  readonly name: string;
  readonly spec: SimClusterSpec;
  readonly timings: SimTimings;
  readonly rng: Rng;
  readonly store = new ObjectStore();
  readonly nodes = new NodePool();
  readonly faults: KubeletFaults = { crashImages: new Set(), pullFailures: new Set() };
  readonly load: CloudHooks['load'];
  readonly pending = new Set<SimPod>();
  readonly events = new ClusterEvents();
  readonly groups = new Map<string, ServingGroup>();
  readonly hpas = new Map<string, HpaState>();
  state: Reachability = 'up';
  removed = false;
  private readonly hooks: CloudHooks;
  private readonly live = new Map<string, Workload>();
  private readonly dirty = new Set<Workload>();
  private syncScheduled = false;
  private retryScheduled = false;
  private hpaLoop = false;
  private metricsLoop = false;
  private reconciling: Workload | undefined;
  private revision = 0;
  private ipCounter = 0;

  constructor(spec: SimClusterSpec, hooks: CloudHooks, seed: number) {
    this.spec = spec;
    this.name = spec.name;
    this.hooks = hooks;
    this.timings = hooks.timings;
    this.load = hooks.load;
    this.rng = new Rng(seed);
    for (const n of spec.nodes) this.nodes.add(n);
  }

  get down(): boolean {
    return this.state === 'down';
  }

  now(): number {
    return this.hooks.now();
  }

  at(time: number, run: () => void): void {
    this.hooks.schedule(time, () => {
      if (!this.removed) run();
    });
  }

  requeue(w: Workload): void {
    if (w === this.reconciling) return;
    this.dirty.add(w);
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    this.at(this.now(), () => this.sync());
  }

  changed(namespace: string): void {
    this.hooks.changed(this.name, namespace);
  }

  capacityFreed(): void {
    if (this.retryScheduled || this.pending.size === 0) return;
    this.retryScheduled = true;
    this.at(this.now(), () => {
      this.retryScheduled = false;
      for (const pod of [...this.pending]) trySchedule(this, pod);
    });
  }

  workload(key: string): Workload | undefined {
    return this.live.get(key);
  }

  workloads(): Iterable<Workload> {
    return this.live.values();
  }

  nextResourceVersion(): string {
    return String(++this.revision);
  }

  createObject(manifest: Manifest): StoredObject {
    return createObject(this, manifest);
  }

  deleteObject(key: string): void {
    deleteObject(this, key);
  }

  writeObject(stored: StoredObject, obj: Json): void {
    writeLive(this, stored, obj);
  }

  writeStatus(stored: StoredObject, status: Json): void {
    const text = JSON.stringify(status);
    if (text === stored.statusText) return;
    stored.status = status;
    stored.statusText = text;
    const meta = stored.obj.metadata as Json;
    stored.obj = { ...stored.obj, metadata: { ...meta, resourceVersion: this.nextResourceVersion() } };
  }

  /** A new object is in the store: give it to its controller. */
  objectCreated(stored: StoredObject): void {
    const kind = stored.info.kind;
    if (CONTROLLERS[kind] !== undefined) {
      const w = new Workload(stored, this.now());
      this.live.set(w.key, w);
      this.attachGroup(w);
      this.requeue(w);
    } else if (kind === 'HorizontalPodAutoscaler') {
      this.hpas.set(stored.key, newHpaState());
      this.ensureHpaLoop();
      this.ensureMetricsLoop();
    } else {
      serverDefaults(stored, () => ++this.ipCounter);
    }
  }

  objectUpdated(stored: StoredObject): void {
    const w = this.live.get(stored.key);
    if (w === undefined) return;
    const component = componentOf(stored.obj);
    if (component !== w.component) {
      this.detachGroup(w);
      w.component = component;
      this.attachGroup(w);
    }
    this.requeue(w);
  }

  objectDeleted(stored: StoredObject): void {
    this.hpas.delete(stored.key);
    const w = this.live.get(stored.key);
    if (w === undefined) return;
    for (const key of w.cron?.jobs ?? []) deleteObject(this, key);
    for (const p of [...w.pods]) deletePod(this, p);
    this.detachGroup(w);
    this.live.delete(w.key);
    this.dirty.delete(w);
    if (w.parent !== undefined) this.requeue(w.parent);
    this.changed(w.namespace);
  }

  /** Status of one workload as the driver reports it. */
  report(w: Workload): WorkloadStatus {
    return CONTROLLERS[w.kind]!.report(this, w);
  }

  capacity(): ClusterCapacity {
    return clusterCapacity(this);
  }

  health(): ClusterHealth {
    const ready = this.nodes.readyNodes().length;
    return {
      reachable: true,
      ready: ready > 0,
      message: `${ready}/${this.nodes.list.length} nodes ready`,
      version: 'v1.30.0-polis-sim',
    };
  }

  /** Requeues every DaemonSet (the set of ready nodes changed). */
  nodesChanged(): void {
    for (const w of this.live.values()) if (w.kind === 'DaemonSet') this.requeue(w);
    this.capacityFreed();
  }

  private sync(): void {
    this.syncScheduled = false;
    while (this.dirty.size > 0) {
      const batch = [...this.dirty];
      this.dirty.clear();
      for (const w of batch) if (this.live.get(w.key) === w) this.reconcile(w);
    }
  }

  private reconcile(w: Workload): void {
    const controller = CONTROLLERS[w.kind]!;
    this.reconciling = w;
    try {
      controller.reconcile(this, w);
    } finally {
      this.reconciling = undefined;
    }
    const r = controller.report(this, w);
    const fingerprint = `${w.stored.statusText ?? ''}|${r.phase}|${r.reason ?? ''}`;
    if (fingerprint !== w.fingerprint) {
      w.fingerprint = fingerprint;
      this.changed(w.namespace);
    }
  }

  private ensureHpaLoop(): void {
    if (this.hpaLoop || this.hpas.size === 0) return;
    this.hpaLoop = true;
    this.at(this.now() + this.timings.hpaSyncMs, () => {
      this.hpaLoop = false;
      // A cluster that is down has no control plane to scale with.
      if (!this.down) {
        for (const [key, state] of this.hpas) {
          const hpa = this.store.get(key);
          if (hpa !== undefined) syncHpa(this, hpa, state);
        }
      }
      this.ensureHpaLoop();
    });
  }

  /**
   * The kubelets' CPU counters and metrics-server, while there are HPAs: every HPA target's usage is integrated each
   * USAGE_SAMPLE_MS and scraped at each whole multiple of the resolution.
   */
  private ensureMetricsLoop(): void {
    const resolution = this.timings.metricsResolutionMs;
    if (this.metricsLoop || this.hpas.size === 0 || !(resolution > 0)) return;
    this.metricsLoop = true;
    const step = Math.min(USAGE_SAMPLE_MS, resolution);
    const at = (Math.floor(this.now() / step) + 1) * step;
    this.at(at, () => {
      this.metricsLoop = false;
      if (!this.down) {
        const scrape = at % resolution === 0;
        for (const [key, state] of this.hpas) {
          const hpa = this.store.get(key);
          if (hpa !== undefined) observeHpaTarget(this, hpa, state, scrape);
        }
      }
      this.ensureMetricsLoop();
    });
  }

  private attachGroup(w: Workload): void {
    if (!SERVING_KINDS.has(w.kind)) return;
    const key = groupKey(w.namespace, w.component);
    let g = this.groups.get(key);
    if (g === undefined) this.groups.set(key, (g = new ServingGroup(w.namespace, w.component)));
    g.workloads++;
    w.group = g;
    for (const p of w.pods) {
      if (!p.ready) continue;
      g.readyPods++;
      g.cpuRequestMilli += p.template.cpuMilli;
      g.cpuCapacityMilli += p.template.servingCpuMilli;
      if (p.template.cpuLimited) g.limitedPods++;
    }
  }

  private detachGroup(w: Workload): void {
    const g = w.group;
    if (g === undefined) return;
    for (const p of w.pods) {
      if (!p.ready) continue;
      g.readyPods--;
      g.cpuRequestMilli -= p.template.cpuMilli;
      g.cpuCapacityMilli -= p.template.servingCpuMilli;
      if (p.template.cpuLimited) g.limitedPods--;
    }
    w.group = undefined;
    if (--g.workloads === 0) this.groups.delete(groupKey(g.namespace, g.component));
  }
}
