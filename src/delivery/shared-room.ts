import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import { ConflictError } from '../kernel/errors.ts';
import type { Resources } from '../kernel/resources.ts';
import type { ShardFence, Store } from '../resources/store.ts';

export interface SharedRoomDeps {
  readonly store: Store;
  readonly clusters: ClusterDirectory;
  /** The member the reservations are made as (fenced like its writes). */
  readonly shard: () => ShardFence;
  /** How long a reservation holds unless renewed, by the database clock (default 10 s, as the local one). */
  readonly ttlMs?: number;
}

/**
 * Placement's room shared between replicas (docs/deploy.md, Several replicas). Before delivery applies a
 * placement that grows an application on some clusters, the growth is reserved in the store in one transaction
 * that checks every replica's reservations against the room the cluster last reported; a reservation that does not
 * fit fails, and delivery places again with the reservations read afresh. The clusters' `free` room counts every
 * replica's reservations (ClusterDirectory.setSharedReservations) instead of this process's alone.
 */
export class SharedRoom {
  readonly #deps: SharedRoomDeps;
  #last = new Map<string, Resources>();
  /** Reservations that failed for lack of room (placed again), for tests and /metrics. */
  conflicts = 0;

  constructor(deps: SharedRoomDeps) {
    this.#deps = deps;
  }

  /** Reads every replica's unexpired reservations; true when some cluster's went down (room came back). */
  async refresh(): Promise<boolean> {
    const next = await this.#deps.store.capacityReserved();
    let freed = false;
    for (const [cluster, r] of this.#last) {
      const n = next.get(cluster);
      if (!n || n.cpuMilli < r.cpuMilli || n.memoryBytes < r.memoryBytes || n.pods < r.pods) freed = true;
    }
    this.#last = next;
    this.#deps.clusters.setSharedReservations(next);
    return freed;
  }

  /**
   * Reserves what a placement adds per cluster (entries with nothing to add are left out). False when another
   * placement took the room first: the reservations are read again, and the caller places again.
   */
  async reserve(application: string, growth: ReadonlyMap<string, Resources>): Promise<boolean> {
    const clusters: { cluster: string; delta: Resources; observedFree: Resources }[] = [];
    for (const [cluster, delta] of growth) {
      if (delta.cpuMilli <= 0 && delta.memoryBytes <= 0 && delta.pods <= 0) continue;
      const observedFree = this.#deps.clusters.observedFree(cluster);
      if (observedFree) clusters.push({ cluster, delta, observedFree });
    }
    if (clusters.length === 0) return true;
    try {
      await this.#deps.store.reserveCapacity({
        application,
        clusters,
        ttlMs: this.#deps.ttlMs ?? 10_000,
        shard: this.#deps.shard(),
      });
    } catch (e) {
      if (!(e instanceof ConflictError) || e.causes[0]?.code !== 'CapacityTaken') throw e;
      this.conflicts++;
      await this.refresh();
      return false;
    }
    await this.refresh();
    return true;
  }
}
