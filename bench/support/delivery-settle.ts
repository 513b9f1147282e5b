import type { ChildPolis } from '../../test/support/child-polis.ts';
import { processCpuSeconds, serverMetrics } from './process-memory.ts';

/** What the server reports of its delivery: queue depth, timed reconciles, store revision, reconciles so far. */
export interface DeliveryState {
  readonly queued: number;
  /**
   * Reconciles waiting on a timer (paced fair sharing, timed rechecks, retries): undefined from a server that does
   * not report them (a tree before polis_delivery_rechecks_scheduled).
   */
  readonly scheduled: number | undefined;
  readonly revision: number;
  readonly reconciles: number;
}

export async function deliveryState(polis: ChildPolis): Promise<DeliveryState> {
  const value = await serverMetrics(polis.url, polis.adminToken);
  const read = (name: string) => {
    const v = value?.(name);
    if (v === undefined) throw new Error(`${name} missing from the server's /metrics`);
    return v;
  };
  return {
    queued: read('polis_delivery_queue_depth'),
    scheduled: value?.('polis_delivery_rechecks_scheduled'),
    revision: read('polis_store_revision'),
    reconciles: read('polis_delivery_reconciles_total'),
  };
}

export interface Settle {
  /** Whether delivery settled within the limit. */
  readonly settled: boolean;
  /** Seconds from the call until it settled (or until the limit). */
  readonly sec: number;
  /** Server CPU seconds spent meanwhile. */
  readonly cpuSec: number;
  readonly state: DeliveryState;
}

/** Quiet reads in a row (1 s apart) that make delivery settled: queue empty, revision and reconciles unchanged. */
export const QUIET_READS = 3;

/**
 * Quiet reads in a row when the server does not report its timed reconciles: longer than the longest fair-sharing
 * pace (5 s, defaultSharingInterval), so that a wave of deferred reconciles is not taken for a settled server.
 */
export const QUIET_READS_UNTIMED = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the server has delivered what it was given: its delivery queue is empty, no reconcile waits on a
 * timer, and neither the store revision nor the reconcile count moved over QUIET_READS reads a second apart; at most
 * `limitSec` seconds. A condition, not a timed wait: a busy machine takes longer and a quiet one does not wait for
 * nothing. The timed reconciles matter: a contended estate's first pass defers most reconciles to the next paced
 * fair-sharing decision, so the queue empties and the revision holds still for seconds between two waves of
 * delivery (2026-12-07: "settled" 15-17 s after seeding, then 9,700 reconciles in the idle window).
 */
export async function settleDelivery(polis: ChildPolis, limitSec: number): Promise<Settle> {
  const t0 = performance.now();
  const cpu0 = processCpuSeconds(polis.pid);
  let last = await deliveryState(polis);
  let quiet = 0;
  let quietSince = t0;
  while ((performance.now() - t0) / 1000 < limitSec) {
    await sleep(1000);
    const next = await deliveryState(polis);
    const still =
      next.queued === 0 &&
      (next.scheduled ?? 0) === 0 &&
      next.revision === last.revision &&
      next.reconciles === last.reconciles;
    if (!still) quietSince = performance.now();
    quiet = still ? quiet + 1 : 0;
    last = next;
    if (quiet >= (next.scheduled === undefined ? QUIET_READS_UNTIMED : QUIET_READS))
      return { settled: true, sec: (quietSince - t0) / 1000, cpuSec: processCpuSeconds(polis.pid) - cpu0, state: last };
  }
  return {
    settled: false,
    sec: (performance.now() - t0) / 1000,
    cpuSec: processCpuSeconds(polis.pid) - cpu0,
    state: last,
  };
}
