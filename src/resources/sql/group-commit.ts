import type { Kysely, Transaction } from 'kysely';
import { markBatch, markRevisions, traceNow, tracingBatches } from '../../kernel/change-trace.ts';
import type { CommitCounts } from '../store.ts';
import type { ReadCache } from './read-cache.ts';
import type { BatchRunner, CounterRow, Schema } from './schema.ts';
import { BatchState, RecentWrites, SAVEPOINT, StatementTemplates, type BatchEvent } from './store-tx.ts';

/** The change events of one commit: every revision in (`after`, the last event's], in revision order. */
export interface CommittedBatch {
  readonly after: number;
  readonly events: readonly BatchEvent[];
}

/** One write waiting for its turn: what to run inside the shared transaction, and whom to tell how it ended. */
interface Job {
  /** When it was queued (traceNow), only while batch phases are traced (bench/writes). */
  readonly queuedAt: number | undefined;
  readonly run: (trx: Transaction<Schema>, state: BatchState) => Promise<unknown>;
  /** Takes its savepoint only before a write more of its code may follow (BatchState.jobGuarded). */
  readonly lazy: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export interface GroupCommitOptions {
  /** Opens the database transaction of one batch (BEGIN IMMEDIATE on SQLite, BEGIN on PostgreSQL). */
  readonly db: Kysely<Schema>;
  /** First statement of each batch: the writer lock and the counter row under it. */
  readonly lockWriter: (trx: Transaction<Schema>) => Promise<CounterRow>;
  /** Turns a storage error into the error callers see (StoreUnavailableError for a full disk …). */
  readonly classify: (error: unknown) => unknown;
  /** Most jobs in one commit, so a long queue still gives readers (and the lock) a turn. */
  readonly maxBatch?: number;
  /**
   * Last statement of a batch that advanced the revision, inside its transaction: writes the counter (PostgreSQL:
   * with pg_notify, which the server delivers to other replicas only once the commit succeeded, and never for a
   * rolled-back batch). Absent: `BatchState.writeCounter`.
   */
  readonly advanceCounter?: (trx: Transaction<Schema>, revision: number) => Promise<void>;
  /**
   * Called after a commit that advanced the revision (this process's watchers wake at once), with the change events
   * it wrote when they are every revision after `after` (a snapshot load advances the revision without events).
   * `more`: other writes of this process are queued, running or waiting for their own acknowledgement, so more
   * commits follow at once (a change feed holds its watch batches for them).
   */
  readonly afterCommit?: (revision: number, committed?: CommittedBatch, more?: boolean) => void;
  /** Runs a batch's transaction; absent: `db.transaction().execute(fn)`. */
  readonly transaction?: (fn: (trx: Transaction<Schema>) => Promise<void>) => Promise<void>;
  /**
   * When the commit itself is not durable (SQLite's batches, see sqlite/wal-sync.ts): resolves once everything
   * committed before the call is. A batch's jobs resolve (and `afterCommit` runs) only after that, in commit order,
   * while the next batch already runs.
   */
  readonly durable?: () => Promise<void>;
  /** Runs a batch's hot statements directly on the connection it holds (SqlDialectHooks.runInBatch). */
  readonly runInBatch?: BatchRunner;
  /** The store's read cache, which a batch's jobs read objects from when it is certain (BatchState.cachedBody). */
  readonly cache?: ReadCache;
}

/** Thrown out of the batch transaction to roll it back when its first job failed (nothing else is in it yet). */
class FirstJobFailed extends Error {
  constructor() {
    super('the first job of a batch failed');
  }
}

/**
 * Group commit: writes queue here and run one after another inside one database transaction, each in a savepoint
 * of its own, and one commit makes the whole batch durable. Writes that arrive while a batch runs join it until it
 * commits; the rest form the next batch. Guarantees:
 * - jobs run strictly one at a time, in arrival order, each seeing every earlier job's writes, so optimistic
 *   concurrency (resourceVersion checks) is exactly what it is with one transaction per write;
 * - a job that throws is rolled back to its savepoint (or, as a batch's first job, with the whole transaction) and
 *   rejected once the batch has ended; it takes nothing of the others with it;
 * - a job's promise resolves only after the commit that holds it returned, that is once it is durable (with
 *   `durable`, once that resolved too); when that commit (or flush) fails, every job in it is rejected with its error.
 * With `durable`, the next batch may run (and readers may see a batch) while the previous batch's flush is running;
 * acknowledgements and `afterCommit` wait for it.
 */
export class GroupCommit {
  readonly #opts: GroupCommitOptions;
  readonly #maxBatch: number;
  readonly #queue: Job[] = [];
  #draining = false;
  /** With `durable`: settles when the last committed batch has been acknowledged or failed. */
  #tail: Promise<void> = Promise.resolve();
  #commits = 0;
  #transactions = 0;
  /** Jobs submitted and not yet resolved or rejected. */
  #open = 0;
  /** What the last batches committed, for reading recent changes back without the database (StoreTx.changesAfter). */
  readonly #recent = new RecentWrites();
  readonly #statements: StatementTemplates;

  constructor(opts: GroupCommitOptions) {
    this.#opts = opts;
    this.#maxBatch = opts.maxBatch ?? 256;
    this.#statements = new StatementTemplates(opts.runInBatch);
  }

  get counts(): CommitCounts {
    return { commits: this.#commits, transactions: this.#transactions };
  }

  /** Resolves once every committed batch has been acknowledged (or failed); call before closing the database. */
  async idle(): Promise<void> {
    await this.#tail;
  }

  /**
   * Queues `run` and resolves with its result once the commit holding it is durable. `lazy`: `run` writes only
   * through `BatchState.beforeWrite` (SqlStoreTx), so its savepoint can wait for a write that needs one.
   */
  submit<T>(run: (trx: Transaction<Schema>, state: BatchState) => Promise<T>, lazy = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#open++;
      let settled = false;
      const settle = () => {
        if (!settled) this.#open--;
        settled = true;
      };
      this.#queue.push({
        queuedAt: tracingBatches() ? traceNow() : undefined,
        run,
        lazy,
        resolve: (v) => {
          settle();
          resolve(v as T);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      if (!this.#draining) {
        this.#draining = true;
        // Start after the I/O already waiting has been read: on SQLite a batch runs without yielding to I/O (the
        // driver is synchronous), so requests that arrived together join one batch only if all are parsed first.
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        await this.#batch();
        // Let the requests that arrived during the commit queue up for the next batch.
        if (this.#queue.length > 0) await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.#draining = false;
    }
  }

  /** One database transaction: jobs from the queue until it is empty (or the cap), then one commit. */
  async #batch(): Promise<void> {
    const done: Array<{ job: Job; value: unknown }> = [];
    // Refused jobs hear of it when the batch ends, not before: a caller that retries on a conflict then reads the
    // state the batch committed, instead of re-reading the old state and conflicting again inside the same batch.
    const refused: Array<{ job: Job; error: unknown }> = [];
    /** The job running now; when the batch fails around it, it fails with the batch. */
    let current: Job | undefined;
    let firstFailure: { job: Job; error: unknown } | undefined;
    let advanced: number | undefined;
    let committed: CommittedBatch | undefined;
    let batchState: BatchState | undefined;
    const trace = tracingBatches() ? { at: traceNow(), ranAt: 0, queuedMs: [] as number[] } : undefined;
    try {
      const transaction =
        this.#opts.transaction ??
        ((fn: (trx: Transaction<Schema>) => Promise<void>) => this.#opts.db.transaction().execute(fn));
      await transaction(async (trx) => {
        const state = (batchState = new BatchState(
          await this.#opts.lockWriter(trx),
          this.#recent,
          this.#statements,
          this.#opts.cache,
        ));
        while (this.#queue.length > 0 && done.length + refused.length < this.#maxBatch) {
          const first = done.length === 0;
          const job = (current = this.#queue.shift()!);
          if (trace && job.queuedAt !== undefined) trace.queuedMs.push(traceNow() - job.queuedAt);
          // The first job needs no savepoint: if it fails, the transaction holds nothing else and is rolled back.
          state.jobGuarded = first || !job.lazy;
          if (!first && !job.lazy) {
            // Ended jobs' held-back writes go before the savepoint, which must not undo them, and before this job's
            // statements, which may read them.
            await state.sendDeferred(trx);
            await this.#statements.raw(trx, SAVEPOINT);
          }
          const mark = state.mark();
          let value: unknown;
          try {
            value = await job.run(trx, state);
          } catch (e) {
            // Held-back writes of earlier jobs that failed (sent by this job's read or savepoint) aborted the
            // transaction: the batch fails with them, whatever this job made of it.
            if (state.deferredError !== undefined) throw state.deferredError;
            state.restore(mark);
            if (first) {
              // Rejected once the rollback has happened, so nothing of it is visible by then.
              firstFailure = { job, error: e };
              throw new FirstJobFailed();
            }
            if (state.jobGuarded) {
              await this.#statements.raw(trx, 'rollback to savepoint group_commit_job');
            } else {
              // A lazy job that took no savepoint wrote nothing that stays, unless a statement of it failed, which
              // aborts the whole transaction (PostgreSQL): then this statement fails too, and the batch fails with
              // the job's own error.
              try {
                await this.#statements.raw(trx, SAVEPOINT);
              } catch {
                throw e;
              }
            }
            current = undefined;
            refused.push({ job, error: this.#opts.classify(e) });
            continue;
          }
          // Savepoints are not released: each job's stays on the stack until the commit, and the next job's, of the
          // same name, goes above it (`rollback to` finds the newest). Releasing would cost a statement per write (a
          // round trip on PostgreSQL, inside the serial part of the batch) and saves nothing: a released
          // subtransaction's work is kept until the commit all the same.
          current = undefined;
          done.push({ job, value });
        }
        await state.sendDeferred(trx);
        // A job that caught the failure of held-back writes (its read sent them) must not let the batch commit: on
        // PostgreSQL a COMMIT of an aborted transaction rolls it back without an error.
        if (state.deferredError !== undefined) throw state.deferredError;
        if (trace) trace.ranAt = traceNow();
        if (state.revision !== state.startRevision) {
          if (this.#opts.advanceCounter) await this.#opts.advanceCounter(trx, state.revision);
          else await state.writeCounter(trx);
        }
        advanced = state.revision !== state.startRevision ? state.revision : undefined;
        if (advanced !== undefined && state.events.length === advanced - state.startRevision)
          committed = {
            after: state.startRevision,
            events: [...state.events].sort((a, b) => a.revision - b.revision),
          };
      });
    } catch (e) {
      for (const r of refused) r.job.reject(r.error);
      if (firstFailure) {
        firstFailure.job.reject(this.#opts.classify(firstFailure.error));
        return;
      }
      // The lock, a savepoint or the commit failed: none of the batch is durable, and each of its jobs fails. When
      // not even the lock could be taken, every waiting job fails with it rather than waiting its own turn to.
      const error = this.#opts.classify(e);
      const failed = [...done.map((d) => d.job), ...(current ? [current] : [])];
      if (failed.length === 0 && refused.length === 0) failed.push(...this.#queue.splice(0));
      for (const job of failed) job.reject(error);
      return;
    }
    if (batchState && advanced !== undefined) markRevisions('committed', batchState.startRevision, advanced);
    // Committed: its revisions are never taken again.
    if (batchState) this.#recent.committed(batchState.written);
    const committedAt = trace ? traceNow() : 0;
    let syncedAt: number | undefined;
    const acknowledge = (): void => {
      if (trace)
        markBatch({
          at: trace.at,
          runMs: trace.ranAt - trace.at,
          commitMs: committedAt - trace.ranAt,
          flushMs: traceNow() - committedAt,
          ...(syncedAt !== undefined ? { syncMs: syncedAt - committedAt } : {}),
          queuedMs: trace.queuedMs,
        });
      this.#commits++;
      this.#transactions += done.length;
      const more = this.#open > done.length + refused.length;
      if (advanced !== undefined) this.#opts.afterCommit?.(advanced, committed, more);
      for (const d of done) d.job.resolve(d.value);
      for (const r of refused) r.job.reject(r.error);
    };
    const durable = this.#opts.durable;
    if (durable === undefined) {
      acknowledge();
      return;
    }
    // Not awaited: the next batch runs while this one's log is flushed. The flush asked for now covers this commit
    // and every earlier one; waiting for the previous batch too keeps acknowledgements in commit order.
    const synced = durable();
    if (trace)
      void synced.then(
        () => (syncedAt = traceNow()),
        () => undefined,
      );
    const flushed = Promise.all([this.#tail, synced]);
    this.#tail = flushed.then(acknowledge, (e: unknown) => {
      const error = this.#opts.classify(e);
      for (const d of done) d.job.reject(error);
      for (const r of refused) r.job.reject(r.error);
    });
    // Chained by the next batch, which must not fail because a listener of this one threw.
    this.#tail = this.#tail.catch(() => undefined);
  }
}
