import type { Resources } from '../kernel/resources.ts';

/**
 * Free capacity per cluster while one pass of placement runs: copied from the clusters' `free`, given back when a
 * request's own current replicas are re-placed, taken as decisions use it. Clusters are addressed by their index in
 * the pass (name order). The clusters' own objects are never changed.
 */
export class CapacityLedger {
  readonly #cpu: Float64Array;
  readonly #memory: Float64Array;
  readonly #pods: Float64Array;

  constructor(free: readonly Resources[]) {
    this.#cpu = Float64Array.from(free, (f) => f.cpuMilli);
    this.#memory = Float64Array.from(free, (f) => f.memoryBytes);
    this.#pods = Float64Array.from(free, (f) => f.pods);
  }

  get size(): number {
    return this.#cpu.length;
  }

  /** How many more replicas of `perReplica` fit on cluster `i`: every dimension counts; a replica is at least one pod. */
  room(i: number, perReplica: Resources): number {
    let n = Math.floor(this.#pods[i]! / podsOf(perReplica));
    if (perReplica.cpuMilli > 0) n = Math.min(n, Math.floor(this.#cpu[i]! / perReplica.cpuMilli));
    if (perReplica.memoryBytes > 0) n = Math.min(n, Math.floor(this.#memory[i]! / perReplica.memoryBytes));
    return n > 0 ? n : 0;
  }

  /** Which dimensions lack room for one replica on cluster `i`, as bits: 1 cpu, 2 memory, 4 pods (see SHORT_TEXT). */
  short(i: number, perReplica: Resources): number {
    return (
      (perReplica.cpuMilli > this.#cpu[i]! ? 1 : 0) |
      (perReplica.memoryBytes > this.#memory[i]! ? 2 : 0) |
      (podsOf(perReplica) > this.#pods[i]! ? 4 : 0)
    );
  }

  take(i: number, perReplica: Resources, replicas: number): void {
    this.#cpu[i]! -= perReplica.cpuMilli * replicas;
    this.#memory[i]! -= perReplica.memoryBytes * replicas;
    this.#pods[i]! -= podsOf(perReplica) * replicas;
  }

  give(i: number, perReplica: Resources, replicas: number): void {
    this.take(i, perReplica, -replicas);
  }

  /** What remains free on cluster `i`. */
  free(i: number): Resources {
    return { cpuMilli: this.#cpu[i]!, memoryBytes: this.#memory[i]!, pods: this.#pods[i]! };
  }
}

/** A replica is a pod even when its requests say 0 pods; without this an empty request would fit anywhere, endlessly. */
function podsOf(perReplica: Resources): number {
  return perReplica.pods > 1 ? perReplica.pods : 1;
}

/** The dimensions of a `short` mask as text, e.g. SHORT_TEXT[3] = "cpu, memory". */
export const SHORT_TEXT: readonly string[] = Array.from({ length: 8 }, (_, mask) =>
  ['cpu', 'memory', 'pods'].filter((_d, bit) => mask & (1 << bit)).join(', '),
);
