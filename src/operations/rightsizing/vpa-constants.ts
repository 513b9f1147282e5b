/**
 * The Vertical Pod Autoscaler recommender's defaults, each with where kubernetes/autoscaler states it
 * (vertical-pod-autoscaler/pkg/recommender/…). polis's VPA-style recommendation uses them unchanged, so its figures
 * can be checked against the VPA's documented algorithm by hand (docs/operations.md, "The recommender").
 */
export const VPA = {
  /** model/aggregations_config.go DefaultCPUHistogramDecayHalfLife = 24 h. */
  cpuHalfLifeMs: 24 * 3_600_000,
  /** model/aggregations_config.go DefaultMemoryHistogramDecayHalfLife = 24 h. */
  memoryHalfLifeMs: 24 * 3_600_000,
  /** logic/recommender.go target-cpu-percentile and target-memory-percentile = 0.9. */
  targetPercentile: 0.9,
  /** logic/recommender.go recommendation-margin-fraction = 0.15. */
  safetyMargin: 0.15,
  /** model/aggregations_config.go DefaultMemoryAggregationInterval = 24 h: one memory peak per interval. */
  memoryIntervalMs: 24 * 3_600_000,
  /** model/aggregations_config.go DefaultMemoryAggregationIntervalCount = 8: memory history is 8 × 24 h. */
  memoryIntervalCount: 8,
  /** model/aggregations_config.go DefaultOOMBumpUpRatio = 1.2. */
  oomBumpRatio: 1.2,
  /** model/aggregations_config.go DefaultOOMMinBumpUp = 100 * 1024 * 1024 bytes. */
  oomMinBumpBytes: 100 * 1024 * 1024,
  /** logic/recommender.go pod-recommendation-min-cpu-millicores = 25. */
  minCpuMilli: 25,
  /** logic/recommender.go pod-recommendation-min-memory-mb = 250, taken as 250 × 1024 × 1024 bytes there. */
  minMemoryBytes: 250 * 1024 * 1024,
  /** model/aggregations_config.go DefaultHistogramBucketSizeGrowth = 0.05: each bucket 5% wider than the one before. */
  bucketGrowth: 0.05,
  /** model/aggregations_config.go cpuHistogramOptions: first bucket 0.01 core (its comment; later releases 0.001), max 1000 cores. */
  cpuFirstBucketCores: 0.01,
  cpuMaxCores: 1000,
  /** model/aggregations_config.go memoryHistogramOptions: first bucket 10 MB (1e7 bytes), max 1 TB (1e12). */
  memoryFirstBucketBytes: 1e7,
  memoryMaxBytes: 1e12,
  /** model/aggregate_container_state.go minSampleWeight = 0.1: a CPU sample weighs max(request in cores, 0.1). */
  minSampleWeight: 0.1,
  /** model/aggregations_config.go epsilon = 0.001 × minSampleWeight: a bucket lighter than this is empty. */
  epsilon: 0.0001,
  /** util/decaying_histogram.go maxDecayExponent = 100: past 2^100 the reference time moves forward. */
  maxDecayExponent: 100,
} as const;

/**
 * Crane's percentile prediction as its resource recommendation uses it (gocrane/crane, recommendation
 * configuration `resource`: cpu-request-percentile 0.99, cpu-request-margin-fraction 0.15, history 168 h).
 */
export const CRANE = {
  percentile: 0.99,
  margin: 0.15,
  historyMs: 168 * 3_600_000,
} as const;

/**
 * polis's guard against the OOM-bump loop (docs/operations.md): within one memory history (8 × 24 h), OOM kills
 * raise the memory recommendation at most this many times, each from the request the first OOM saw.
 */
export const MAX_OOM_BUMPS = 2;

/** A recommendation is offered as safe when the component would have run short at most this share of its minutes. */
export const MAX_RISK_SHARE = 0.01;
