/**
 * The store's ledger: metering roll-ups and closed cost days (src/operations/metering, src/operations/billing;
 * docs/operations.md). Rows, not objects: they never enter the change feed or the audit chain, and writes to them
 * advance no revision. Idempotent by construction: a meter tick is recorded only after the tick it names as its
 * predecessor (compare-and-set on the last tick), and a cost day is closed at most once per cluster.
 */
export interface LedgerStore {
  /** The epoch ms of the last recorded meter tick, or undefined before the first. */
  lastMeterTick(): Promise<number | undefined>;
  /**
   * Adds `tick`'s rows (already weighted by their minutes) in one transaction, if and only if the last recorded
   * tick is still `tick.since` (undefined: none yet); returns false, writing nothing, otherwise (another replica,
   * or this one before a restart, recorded it or a later one).
   */
  recordMeterTick(tick: MeterTick): Promise<boolean>;
  /** Usage rows of one period kind between two interval keys (inclusive), for the departments named (or all). */
  meterRows(query: MeterQuery): Promise<MeterRow[]>;
  /**
   * Usage rows of one period kind summed per interval, department and cluster (the utilization series), for the
   * departments named (or all).
   */
  meterTotals(query: MeterQuery): Promise<MeterTotalRow[]>;
  /** Cluster capacity rows of one period kind between two interval keys (inclusive). */
  capacityRows(query: Omit<MeterQuery, 'tenants'>): Promise<CapacityRow[]>;
  /** Deletes usage and capacity rows of `period` whose key sorts before `before`; returns how many went. */
  pruneMeter(period: MeterPeriod, before: string): Promise<number>;
  /**
   * Writes a day's cost lines and the clusters' totals in one transaction, unless the day is already closed for
   * any of those clusters (then nothing is written and false is returned).
   */
  closeCostDay(day: string, totals: readonly CostTotalRow[], lines: readonly CostLineRow[]): Promise<boolean>;
  /** Cost lines of the days between `from` and `to` (inclusive, YYYY-MM-DD), for the departments named (or all). */
  costLines(query: { from: string; to: string; tenants?: readonly string[] }): Promise<CostLineRow[]>;
  /** The closed (day, cluster) totals between `from` and `to` (inclusive). */
  costTotals(query: { from: string; to: string }): Promise<CostTotalRow[]>;
}

export type MeterPeriod = 'hour' | 'day' | 'month';

/** One bucket a tick's minutes fall in: `hour` '2026-12-06T19', `day` '2026-12-06', `month` '2026-12' (local time). */
export interface MeterBucket {
  readonly period: MeterPeriod;
  readonly start: string;
  readonly minutes: number;
}

/**
 * One component on one cluster at one instant: per-replica sums over its replicas there. CPU in millicores, memory
 * and storage in MiB (integers; MiB-minutes stay exact in a double for centuries of a large estate).
 */
export interface MeterSample {
  readonly tenant: string;
  readonly app: string;
  readonly component: string;
  readonly cluster: string;
  readonly replicas: number;
  readonly cpuRequest: number;
  readonly cpuLimit: number;
  readonly cpuUsage: number;
  /** Σ over replicas of max(request, usage). */
  readonly cpuMax: number;
  readonly memRequest: number;
  readonly memLimit: number;
  readonly memUsage: number;
  readonly memMax: number;
  readonly storage: number;
}

/** A cluster's allocatable capacity at one instant: millicores and MiB. */
export interface CapacitySample {
  readonly cluster: string;
  readonly cpu: number;
  readonly mem: number;
}

export interface MeterTick {
  /** This tick's instant (epoch ms) and the last recorded one it follows (undefined: the first). */
  readonly at: number;
  readonly since: number | undefined;
  /** The buckets of (since, at] with their minutes; every sample and capacity counts `minutes` times in each. */
  readonly buckets: readonly MeterBucket[];
  readonly samples: readonly MeterSample[];
  readonly capacity: readonly CapacitySample[];
}

export interface MeterQuery {
  readonly period: MeterPeriod;
  readonly from: string;
  readonly to: string;
  readonly tenants?: readonly string[];
}

/** A roll-up row: every figure is value × minutes summed over the interval (replica-minutes, millicore-minutes…). */
export interface MeterRow {
  readonly period: MeterPeriod;
  readonly start: string;
  readonly tenant: string;
  readonly app: string;
  readonly component: string;
  readonly cluster: string;
  readonly minutes: number;
  readonly replicaMinutes: number;
  readonly cpuRequest: number;
  readonly cpuLimit: number;
  readonly cpuUsage: number;
  readonly cpuMax: number;
  readonly memRequest: number;
  readonly memLimit: number;
  readonly memUsage: number;
  readonly memMax: number;
  readonly storage: number;
}

/** Roll-ups summed over a department's series on one cluster: value × minutes, as in MeterRow. */
export interface MeterTotalRow {
  readonly period: MeterPeriod;
  readonly start: string;
  readonly tenant: string;
  readonly cluster: string;
  readonly replicaMinutes: number;
  readonly cpuRequest: number;
  readonly cpuUsage: number;
  readonly memRequest: number;
  readonly memUsage: number;
}

export interface CapacityRow {
  readonly period: MeterPeriod;
  readonly start: string;
  readonly cluster: string;
  readonly minutes: number;
  /** Millicore-minutes and MiB-minutes. */
  readonly cpu: number;
  readonly mem: number;
}

/** One cost line of a closed day; `cluster` '' for marketplace charges and credits (fen may then be negative). */
export interface CostLineRow {
  readonly day: string;
  readonly cluster: string;
  readonly vendor: string;
  readonly tenant: string;
  readonly app: string;
  readonly component: string;
  readonly item: string;
  readonly fen: number;
}

export interface CostTotalRow {
  readonly day: string;
  readonly cluster: string;
  readonly totalFen: number;
}
