import { CPU_BUCKETS, DecayingHistogram, MEMORY_BUCKETS } from './decaying-histogram.ts';
import { MAX_OOM_BUMPS, VPA } from './vpa-constants.ts';

/** Requests of one replica (one container's worth, as polis renders a component). */
export interface Requests {
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

/** How the OOM bumps went: how many OOMs were seen and counted, and whether the loop guard held one back. */
export interface OomReport {
  readonly seen: number;
  readonly bumps: number;
  /** True when OOMs kept coming after MAX_OOM_BUMPS bumps: a leak or a limit below need, for a person to look at. */
  readonly loop: boolean;
}

/**
 * The VPA recommender for one container, fed in time order: CPU samples weighted by the request
 * (model/aggregate_container_state.go addCPUSample), one memory peak per 24 h interval kept in the histogram by
 * subtracting the old peak when a higher one comes (model/container.go addMemorySample), OOM kills recorded as an
 * artificial peak of max(used + 100 MiB, used × 1.2) (model/container.go RecordOOM).
 *
 * The OOM-bump loop, and polis's guard: VPA bases a bump on max(request, measured peak). Once the bump is applied
 * the request IS the bumped figure, so a container that keeps being killed (a leak, or a limit that the
 * recommendation does not raise) is bumped from its last bump, ×1.2 each time, without any measurement behind it:
 * ten kills give 1.2^10 ≈ 6.2 times the memory. polis bases every bump of one memory history (8 × 24 h) on the
 * request the FIRST kill of that history saw, and counts at most MAX_OOM_BUMPS of them; further kills raise
 * nothing and are reported (`loop`) so a person looks at the leak or the limit. With `guardOomLoop: false` the
 * recommender behaves as the VPA does (the benchmark and the test compare both).
 */
export class VpaRecommender {
  readonly cpu = new DecayingHistogram(CPU_BUCKETS, VPA.cpuHalfLifeMs);
  readonly memory = new DecayingHistogram(MEMORY_BUCKETS, VPA.memoryHalfLifeMs);
  #windowEnd = -1;
  #memoryPeak = 0;
  #oomPeak = 0;
  #lastCpuAt = -Infinity;
  #lastMemoryAt = -Infinity;
  #oomSeen = 0;
  #oomBumps = 0;
  #oomBase: { readonly at: number; readonly request: number } | undefined;
  readonly #guard: boolean;

  constructor(opts: { guardOomLoop?: boolean } = {}) {
    this.#guard = opts.guardOomLoop ?? true;
  }

  /** A CPU sample: cores used on average over the sample, and the request (cores) at that time. */
  addCpu(atMs: number, cores: number, requestCores: number): void {
    if (!(cores >= 0) || atMs <= this.#lastCpuAt) return; // invalid, duplicate or out of order: discarded
    this.cpu.add(cores, Math.max(requestCores, VPA.minSampleWeight), atMs);
    this.#lastCpuAt = atMs;
  }

  /** A memory sample (bytes in use, working set). */
  addMemory(atMs: number, bytes: number): void {
    if (!(bytes >= 0) || atMs < this.#lastMemoryAt) return;
    this.#memorySample(atMs, bytes, false);
  }

  /** An OOM kill at `atMs`, while the container's memory request was `requestBytes`. */
  recordOom(atMs: number, requestBytes: number): void {
    if (this.#windowEnd >= 0 && atMs < this.#windowEnd - VPA.memoryIntervalMs) return; // too old (RecordOOM)
    this.#oomSeen++;
    let base = requestBytes;
    if (this.#guard) {
      const history = VPA.memoryIntervalMs * VPA.memoryIntervalCount;
      if (this.#oomBase === undefined || atMs - this.#oomBase.at >= history) {
        this.#oomBase = { at: atMs, request: requestBytes };
        this.#oomBumps = 0;
      }
      if (this.#oomBumps >= MAX_OOM_BUMPS) return;
      base = this.#oomBase.request;
    }
    this.#oomBumps++;
    // VPA: the max of the request and the usage-based peak, never the earlier OOM estimate.
    const used = Math.max(base, this.#memoryPeak);
    const needed = Math.max(used + VPA.oomMinBumpBytes, used * VPA.oomBumpRatio);
    this.#memorySample(atMs, needed, true);
  }

  get oom(): OomReport {
    return { seen: this.#oomSeen, bumps: this.#oomBumps, loop: this.#guard && this.#oomSeen > this.#oomBumps };
  }

  /**
   * The target: the 90th percentile of each histogram plus the 15% margin, at least 25 millicores and 250 MiB
   * (logic/recommender.go, logic/estimator.go). A resource without samples keeps `fallback`.
   */
  target(fallback: Requests): Requests {
    const cpu = this.cpu.isEmpty()
      ? fallback.cpuMilli
      : Math.max(VPA.minCpuMilli, this.cpu.percentile(VPA.targetPercentile) * (1 + VPA.safetyMargin) * 1000);
    const memory = this.memory.isEmpty()
      ? fallback.memoryBytes
      : Math.max(VPA.minMemoryBytes, this.memory.percentile(VPA.targetPercentile) * (1 + VPA.safetyMargin));
    return { cpuMilli: cpu, memoryBytes: memory };
  }

  #memorySample(atMs: number, bytes: number, oom: boolean): void {
    this.#lastMemoryAt = Math.max(this.#lastMemoryAt, atMs);
    if (this.#windowEnd < 0) this.#windowEnd = atMs;
    let addPeak = false;
    if (atMs < this.#windowEnd) {
      const old = Math.max(this.#memoryPeak, this.#oomPeak);
      if (old !== 0 && bytes > old) {
        this.memory.subtract(old, 1, this.#windowEnd);
        addPeak = true;
      }
    } else {
      const i = VPA.memoryIntervalMs;
      this.#windowEnd += Math.floor((atMs - this.#windowEnd) / i) * i + i;
      this.#memoryPeak = 0;
      this.#oomPeak = 0;
      addPeak = true;
    }
    if (!addPeak) return;
    this.memory.add(bytes, 1, this.#windowEnd);
    if (oom) this.#oomPeak = bytes;
    else this.#memoryPeak = bytes;
  }
}
