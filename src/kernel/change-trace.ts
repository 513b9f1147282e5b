import { channel } from 'node:diagnostics_channel';

/**
 * Where the time of a change goes on its way from a write request to the watchers (bench/watch-fanout): each phase is
 * published on one diagnostics channel, and only while something subscribes to it, so the marks cost one check
 * otherwise. Phases:
 * - `received`, `responded`: an API request was read (its headers) and answered (`request` is its x-request-id);
 * - `committed`: the transaction holding revisions (`after`, `through`] committed (before the durable flush);
 * - `notified`: the change feed has those revisions (from this process's commit, or read from the store);
 * - `written`: one watch stream handed the frames of those revisions to its socket (one mark per stream and write).
 */
export type ChangePhase = 'received' | 'responded' | 'committed' | 'notified' | 'written';

export interface ChangePhaseMark {
  readonly phase: ChangePhase;
  /** Milliseconds since the epoch, to a fraction of one (comparable with another process's on this machine). */
  readonly at: number;
  readonly request?: string;
  readonly after?: number;
  readonly through?: number;
}

/** The channel's name, for a subscriber (`diagnostics_channel.subscribe`). */
export const CHANGE_TRACE_CHANNEL = 'polis:change-phase';

const trace = channel(CHANGE_TRACE_CHANNEL);

/** Whether anything listens: callers skip building a mark when not. */
export function tracingChanges(): boolean {
  return trace.hasSubscribers;
}

export function markRequest(phase: 'received' | 'responded', request: string): void {
  if (trace.hasSubscribers) trace.publish({ phase, at: now(), request } satisfies ChangePhaseMark);
}

/** Marks revisions (`after`, `through`]; nothing when the range is empty. */
export function markRevisions(phase: 'committed' | 'notified' | 'written', after: number, through: number): void {
  if (trace.hasSubscribers && through > after)
    trace.publish({ phase, at: now(), after, through } satisfies ChangePhaseMark);
}

const now = (): number => performance.timeOrigin + performance.now();
