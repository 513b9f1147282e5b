/**
 * The downsampling tiers of polis's own history: 15 s points for 6 hours, 1-minute averages for 7 days, hourly
 * averages for 90 days. Each tier keeps its points in chunks of a fixed length (a row per series and chunk), so the
 * store holds a bounded number of rows per series whatever the sampling rate.
 */
export interface Tier {
  readonly index: number;
  /** Point spacing (ms). */
  readonly stepMs: number;
  /** How long its points are kept (ms). */
  readonly retentionMs: number;
  /** Length of one stored chunk (ms); a multiple of stepMs. */
  readonly chunkMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const TIERS: readonly Tier[] = [
  { index: 0, stepMs: 15_000, retentionMs: 6 * HOUR, chunkMs: HOUR },
  { index: 1, stepMs: MINUTE, retentionMs: 7 * DAY, chunkMs: 6 * HOUR },
  { index: 2, stepMs: HOUR, retentionMs: 90 * DAY, chunkMs: 10 * DAY },
];

/** The longest range a query may ask for (the coarsest tier's retention). */
export const MAX_RANGE_MS = TIERS[TIERS.length - 1]!.retentionMs;

/** The most stored points per series a query reads from one tier before it reads the next, coarser one. */
export const MAX_TIER_POINTS = 11_000;

/**
 * The tier a range query reads: the finest whose retention still reaches back to `fromMs` and that holds at most
 * MAX_TIER_POINTS points per series over the range (a week reads minutes, a month hours). The query's step does
 * not choose: points within a step are averaged, so the freshest tier also shows the last minutes.
 */
export function tierFor(nowMs: number, fromMs: number, toMs: number = nowMs): Tier {
  for (const tier of TIERS) {
    if (fromMs < nowMs - tier.retentionMs) continue;
    if ((toMs - fromMs) / tier.stepMs > MAX_TIER_POINTS) continue;
    return tier;
  }
  return TIERS[TIERS.length - 1]!;
}

/** The start of the chunk of `tier` holding the instant `t`. */
export function chunkStart(tier: Tier, t: number): number {
  return Math.floor(t / tier.chunkMs) * tier.chunkMs;
}

/** The instant a point of `tier` taken at `t` is filed under (the start of its step). */
export function slotOf(tier: Tier, t: number): number {
  return Math.floor(t / tier.stepMs) * tier.stepMs;
}
