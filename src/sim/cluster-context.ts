import type { Manifest } from '../kernel/manifest.ts';
import type { ClusterEvents } from './cluster-events.ts';
import type { LoadReader } from './load-model.ts';
import type { NodePool } from './nodes.ts';
import type { ObjectStore, StoredObject } from './object-store.ts';
import type { SimPod } from './pod.ts';
import type { Rng } from './random.ts';
import type { SimTimings } from './timings.ts';
import type { Workload } from './workload.ts';

type Json = Record<string, unknown>;

/** Faults injected into one cluster's kubelets. */
export interface KubeletFaults {
  /** Images whose containers crash on start. */
  readonly crashImages: Set<string>;
  /** Images that cannot be pulled. */
  readonly pullFailures: Set<string>;
}

/** What the pods and controllers of one cluster share; the cluster runtime provides it. */
export interface ClusterContext {
  readonly name: string;
  readonly timings: SimTimings;
  readonly rng: Rng;
  readonly store: ObjectStore;
  readonly nodes: NodePool;
  readonly faults: KubeletFaults;
  readonly load: LoadReader;
  /** Unschedulable pods, oldest first. */
  readonly pending: Set<SimPod>;
  /** The Kubernetes Events the cluster's kubelets and scheduler record. */
  readonly events: ClusterEvents;
  /** Whether the cluster is down (its pods do not serve and its controllers pause their scaling). */
  readonly down: boolean;
  now(): number;
  /** Runs `run` at `time` unless the cluster has been removed by then. */
  at(time: number, run: () => void): void;
  /** Asks for the workload's controller to run (once per instant, however often asked). */
  requeue(w: Workload): void;
  /** Records that something about workloads in `namespace` changed, for the cloud's change listeners. */
  changed(namespace: string): void;
  /** Capacity was freed or added: unschedulable pods get another try. */
  capacityFreed(): void;
  workload(key: string): Workload | undefined;
  workloads(): Iterable<Workload>;
  /** Creates an object as a controller does (a CronJob's Job): no apply bookkeeping. */
  createObject(manifest: Manifest): StoredObject;
  deleteObject(key: string): void;
  /** A controller's write to an object's live fields (the HPA setting replicas); bumps generation on spec change. */
  writeObject(stored: StoredObject, obj: Json): void;
  /** Sets an object's status and its resourceVersion when the status changed. */
  writeStatus(stored: StoredObject, status: Json): void;
}
