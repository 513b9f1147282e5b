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

/**
 * The phases of one group-commit batch (src/resources/sql/group-commit.ts), for bench/writes: where a write's time
 * goes between its request and its answer. Published on its own channel, only while something subscribes.
 */
export interface BatchPhaseMark {
  /** When the batch started (ms since the epoch, as `ChangePhaseMark.at`). */
  readonly at: number;
  /** Its jobs, one after another, up to the commit (ms; the event loop is held meanwhile on SQLite). */
  readonly runMs: number;
  /** The counter update and COMMIT (ms; on SQLite synchronous, so the event loop is held). */
  readonly commitMs: number;
  /** From the commit until the batch was acknowledged: the durable flush, and earlier batches' (ms). */
  readonly flushMs: number;
  /**
   * From the commit until its own durable flush resolved (SQLite: the fdatasync of the log), earlier batches' not
   * waited for; `flushMs` minus this is the wait for earlier batches and for the event loop. Absent without a flush.
   */
  readonly syncMs?: number;
  /** Per job of the batch: how long it queued before it started to run (ms). */
  readonly queuedMs: readonly number[];
}

export const BATCH_TRACE_CHANNEL = 'polis:batch-phase';

const batchTrace = channel(BATCH_TRACE_CHANNEL);

/** Whether anything listens to the batch phases. */
export function tracingBatches(): boolean {
  return batchTrace.hasSubscribers;
}

export function markBatch(mark: BatchPhaseMark): void {
  if (batchTrace.hasSubscribers) batchTrace.publish(mark);
}

/** The clock of the marks: milliseconds since the epoch, to a fraction of one. */
export const traceNow = now;
