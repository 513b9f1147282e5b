/**
 * Leader election by a lease row, the pure part: what a replica believes after each attempt and when it must act.
 * No I/O and no clock: `now` and `sentAt` are monotonic milliseconds the shell (leader-elector.ts) passes in. The
 * lease itself is timed by the database clock; a replica only ever measures durations on its own.
 */

/** The term a writer was elected in; every controller write carries it (Store TransactionOptions.fence). */
export interface Fence {
  readonly name: string;
  readonly holder: string;
  readonly epoch: number;
}

export interface LeaseRequest {
  readonly name: string;
  /** A name unique to this process (host, pid, random). */
  readonly holder: string;
  /** The term the holder renews (0 to take the lease anew). */
  readonly epoch: number;
  readonly ttlMs: number;
}

export interface LeaseState {
  readonly name: string;
  readonly holder: string;
  readonly epoch: number;
  /** Whether the requesting holder holds the lease now. */
  readonly held: boolean;
  /** Milliseconds until the lease expires, by the database clock (negative: expired). */
  readonly remainingMs: number;
}

export interface LeaseTiming {
  /** How long a granted lease lasts, by the database clock (client-go: 15 s). */
  readonly leaseMs: number;
  /** How often the leader renews (5 s). */
  readonly renewMs: number;
  /**
   * The leader steps down when it has not renewed for this long (10 s, client-go's renew deadline): before the lease
   * can expire in the database, so its controllers stop before another replica's start. Fencing, not this, is what
   * keeps a paused leader from writing; this keeps a live but cut-off one from trying.
   */
  readonly renewDeadlineMs: number;
  /** How often a follower tries to take the lease (2 s). */
  readonly retryMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = {
  leaseMs: 15_000,
  renewMs: 5_000,
  renewDeadlineMs: 10_000,
  retryMs: 2_000,
};

/** The timing of a lease lasting `leaseMs`, in DEFAULT_LEASE_TIMING's proportions (15 s: exactly it). */
export function leaseTimingFor(leaseMs: number): LeaseTiming {
  return {
    leaseMs,
    renewMs: Math.round(leaseMs / 3),
    renewDeadlineMs: Math.round((leaseMs * 2) / 3),
    retryMs: Math.round((leaseMs * 2) / 15),
  };
}

/** A replica's belief: follower, or leader in `epoch` until `validUntil` (monotonic ms) unless renewed. */
export type LeaderState =
  { readonly role: 'follower' } | { readonly role: 'leader'; readonly epoch: number; readonly validUntil: number };

/** What the shell must do: start controllers in a new term, stop them, or nothing. */
export type LeaderChange = 'elected' | 'lost' | 'none';

export interface Step {
  readonly state: LeaderState;
  /** Changes to carry out in order (a lost term and a new one may come together). */
  readonly changes: readonly LeaderChange[];
}

/** The outcome of one acquire attempt sent at `sentAt`; `undefined` when it failed (database unreachable). */
export function afterAttempt(
  state: LeaderState,
  sentAt: number,
  outcome: LeaseState | undefined,
  timing: LeaseTiming,
): Step {
  if (outcome === undefined) return { state, changes: [] }; // A leader keeps its term until validUntil (tick).
  if (!outcome.held) return state.role === 'leader' ? { state: FOLLOWER, changes: ['lost'] } : same(state);
  // Counted from when the request was sent, the earliest the database can have granted it.
  const validUntil = sentAt + Math.min(outcome.remainingMs, timing.leaseMs) - (timing.leaseMs - timing.renewDeadlineMs);
  const next: LeaderState = { role: 'leader', epoch: outcome.epoch, validUntil };
  if (state.role === 'follower') return { state: next, changes: ['elected'] };
  if (state.epoch !== outcome.epoch) return { state: next, changes: ['lost', 'elected'] };
  return { state: next, changes: [] };
}

/** At `now`: a leader that has not renewed in time steps down. */
export function onTick(state: LeaderState, now: number): Step {
  if (state.role === 'leader' && now >= state.validUntil) return { state: FOLLOWER, changes: ['lost'] };
  return same(state);
}

/** How long until the shell should attempt (renew or take) the lease again, or tick. */
export function nextWakeIn(state: LeaderState, now: number, timing: LeaseTiming): number {
  if (state.role === 'follower') return timing.retryMs;
  return Math.max(0, Math.min(timing.renewMs, state.validUntil - now));
}

/** The epoch to send with the next attempt: the held term's, or 0 to take the lease anew. */
export function renewingEpoch(state: LeaderState): number {
  return state.role === 'leader' ? state.epoch : 0;
}

const FOLLOWER: LeaderState = { role: 'follower' };

function same(state: LeaderState): Step {
  return { state, changes: [] };
}
