import type { ApplyAction, ClusterCapacity, ClusterHealth, WorkloadStatus } from '../clusters/driver.ts';
import type { Manifest } from '../kernel/manifest.ts';
import { clone } from './apply-merge.ts';
import type { SimClusterSpec } from './cluster-spec.ts';
import type { ClusterRuntime, Reachability } from './cluster-runtime.ts';
import {
  addNode,
  clearCrashLoop,
  clearImagePullFailure,
  crashLoop,
  failImagePull,
  failNode,
  restoreNode,
} from './faults.ts';
import type { SimNodeSpec } from './nodes.ts';
import { applyManifest, deleteObject, mutateObject } from './object-writes.ts';
import type { StoredObject } from './object-store.ts';
import { podView, type PodView, type SimPod } from './pod.ts';
import { PodLog, appendPodLog, type LogLine, type LogQuery } from './pod-logs.ts';
import type { SimEvent } from './cluster-events.ts';
import { SimUnreachableError } from './sim-errors.ts';

/**
 * A live object as an operator edits it: free-form, like `kubectl edit` (typed loosely on purpose, so that a test
 * can write `o.spec.replicas = 5`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EditableObject = Record<string, any>;

/**
 * One simulated member cluster, as polis's driver sees it: a Kubernetes API (apply, get, list, delete, workload
 * status, capacity, health) that throws SimUnreachableError while the cluster is down or partitioned, and changes
 * nothing then. Fault controls (down, partition, failNode, crashLoop …) always work: they are the test's hand.
 */
export class SimCluster {
  readonly spec: SimClusterSpec;
  readonly name: string;
  /** The cluster's inside; for the cloud and the sim's own modules, not for polis. */
  readonly runtime: ClusterRuntime;

  constructor(runtime: ClusterRuntime) {
    this.runtime = runtime;
    this.spec = runtime.spec;
    this.name = runtime.name;
  }

  /** polis can reach the cluster's API. */
  get reachable(): boolean {
    return this.runtime.state === 'up';
  }

  get state(): Reachability {
    return this.runtime.state;
  }

  /** Server-side apply; see applyManifest. Throws InputError (invalid, unknown kind), NotFoundError (namespace). */
  apply(m: Manifest, opts: { createOnlyPaths?: readonly string[] } = {}): ApplyAction {
    this.check();
    return applyManifest(this.runtime, m, opts.createOnlyPaths);
  }

  /** Deletes by key (manifestKey); a Namespace takes its contents, a workload its pods. False when absent. */
  delete(key: string): boolean {
    this.check();
    return deleteObject(this.runtime, key);
  }

  /** The live object's resourceVersion (it moves at every write of the object or its status), or undefined. */
  resourceVersion(key: string): string | undefined {
    this.check();
    const meta = this.runtime.store.get(key)?.obj.metadata as { resourceVersion?: string } | undefined;
    return meta?.resourceVersion;
  }

  /** The live object with its status, or undefined. A copy: changing it changes nothing. */
  get(key: string): Manifest | undefined {
    this.check();
    const stored = this.runtime.store.get(key);
    return stored && view(stored);
  }

  /** Objects carrying every given label, in one namespace or all (undefined), sorted by key; read from indexes. */
  list(namespace: string | undefined, labels: Readonly<Record<string, string>> = {}): Manifest[] {
    this.check();
    return this.runtime.store.select(namespace, labels).map(view);
  }

  keys(namespace: string | undefined, labels: Readonly<Record<string, string>> = {}): string[] {
    this.check();
    return this.runtime.store.select(namespace, labels).map((s) => s.key);
  }

  /** An operator's in-cluster edit (kubectl edit), for drift tests; generation moves on a spec change. */
  mutate(key: string, change: (obj: EditableObject) => void): void {
    this.check();
    mutateObject(this.runtime, key, change);
  }

  /** Status of the workloads (Deployment, StatefulSet, DaemonSet, Job, CronJob) carrying the labels, by key. */
  workloads(namespace: string, labels: Readonly<Record<string, string>> = {}): WorkloadStatus[] {
    this.check();
    const out: WorkloadStatus[] = [];
    for (const s of this.runtime.store.select(namespace, labels)) {
      const w = this.runtime.workload(s.key);
      if (w !== undefined) out.push(this.runtime.report(w));
    }
    return out;
  }

  /** Pods of the workloads carrying the labels (what `kubectl get pods` would show), by workload then name. */
  pods(namespace: string, labels: Readonly<Record<string, string>> = {}): PodView[] {
    this.check();
    const out: PodView[] = [];
    for (const s of this.runtime.store.select(namespace, labels)) {
      const w = this.runtime.workload(s.key);
      if (w !== undefined) out.push(...[...w.pods].sort((a, b) => (a.name < b.name ? -1 : 1)).map(podView));
    }
    return out;
  }

  /**
   * The namespace's Kubernetes Events, newest first, at most `limit`, optionally about one object: what
   * `kubectl get events -n NS` lists.
   */
  events(namespace: string, limit: number, about?: { kind?: string; name?: string }): SimEvent[] {
    this.check();
    return this.runtime.events.list(namespace, limit, about);
  }

  /**
   * What a pod's containers wrote (Kubernetes' pod log): undefined when there is no such pod, [] when it has
   * written nothing that matches. `since` is epoch ms on the cloud's clock.
   */
  podLog(namespace: string, pod: string, query: LogQuery = {}): LogLine[] | undefined {
    this.check();
    const p = this.findPod(namespace, pod);
    if (p === undefined) return undefined;
    return p.log?.read(query) ?? [];
  }

  /**
   * Calls `listener` with every line the pod's containers (or `container`) write from now on; undefined when there
   * is no such pod. Returns a function that stops.
   */
  followPodLog(
    namespace: string,
    pod: string,
    container: string | undefined,
    listener: (line: LogLine) => void,
    onEnd?: () => void,
  ): (() => void) | undefined {
    this.check();
    const p = this.findPod(namespace, pod);
    if (p === undefined) return undefined;
    p.log ??= new PodLog();
    return p.log.follow((l) => {
      if (container === undefined || l.container === container) listener(l);
    }, onEnd);
  }

  /**
   * The hook for what a running component writes (faults, load): appends a line to the log of a pod (by name) or,
   * with `pod` undefined, of every pod of the workloads in `namespace` carrying `labels`. Works whatever the
   * cluster's reachability (the pods go on writing). Returns how many pods got the line.
   */
  writeLog(
    target: { namespace: string; pod?: string; labels?: Readonly<Record<string, string>>; container?: string },
    text: string,
  ): number {
    const pods: SimPod[] = [];
    if (target.pod !== undefined) {
      const p = this.findPod(target.namespace, target.pod);
      if (p) pods.push(p);
    } else {
      for (const s of this.runtime.store.select(target.namespace, target.labels ?? {})) {
        pods.push(...(this.runtime.workload(s.key)?.pods ?? []));
      }
    }
    for (const p of pods) appendPodLog(p, this.runtime.now(), text, target.container);
    return pods.length;
  }

  private findPod(namespace: string, name: string): SimPod | undefined {
    for (const w of this.runtime.workloads()) {
      if (w.namespace !== namespace) continue;
      const p = w.pods.find((x) => x.name === name);
      if (p) return p;
    }
    return undefined;
  }

  capacity(): ClusterCapacity {
    this.check();
    return this.runtime.capacity();
  }

  /**
   * The health probe. Unlike the other calls it answers while the cluster is unreachable, with
   * `reachable: false`, since reporting that is its purpose.
   */
  health(): ClusterHealth {
    const state = this.runtime.removed ? 'down' : this.runtime.state;
    if (state !== 'up') {
      const e = new SimUnreachableError(this.name, state);
      return { reachable: false, ready: false, message: e.message, detail: e.detail };
    }
    return this.runtime.health();
  }

  /** The whole cluster stops: unreachable, and its pods serve no traffic. Nothing is deleted. */
  down(): void {
    this.runtime.state = 'down';
  }

  /** polis loses its route to the cluster; the cluster and its pods go on serving. */
  partition(): void {
    this.runtime.state = 'partitioned';
  }

  restore(): void {
    this.runtime.state = 'up';
  }

  failNode(name: string): void {
    failNode(this.runtime, name);
  }

  restoreNode(name: string): void {
    restoreNode(this.runtime, name);
  }

  addNode(spec: SimNodeSpec): void {
    addNode(this.runtime, spec);
  }

  crashLoop(image: string): void {
    crashLoop(this.runtime, image);
  }

  clearCrashLoop(image: string): void {
    clearCrashLoop(this.runtime, image);
  }

  failImagePull(image: string): void {
    failImagePull(this.runtime, image);
  }

  clearImagePullFailure(image: string): void {
    clearImagePullFailure(this.runtime, image);
  }

  private check(): void {
    const state = this.runtime.removed ? 'down' : this.runtime.state;
    if (state !== 'up') throw new SimUnreachableError(this.name, state);
  }
}

function view(stored: StoredObject): Manifest {
  const obj = clone(stored.obj);
  if (stored.status !== undefined) obj.status = clone(stored.status);
  return obj as unknown as Manifest;
}
