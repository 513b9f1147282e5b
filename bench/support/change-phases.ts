/**
 * Where a change's time goes, from the marks the server published (src/kernel/change-trace.ts, collected with
 * POLIS_TRACE_FILE) and the benchmark's own times: each milestone of one change as milliseconds after its write was
 * sent. Server and benchmark times are both milliseconds since the epoch from performance.timeOrigin, so they compare
 * across the two processes to well under a millisecond.
 */
import type { ChangePhaseMark } from '../../src/kernel/change-trace.ts';

/** In the order a change passes them. */
export const MILESTONES = [
  'received',
  'committed',
  'notified',
  'firstWrite',
  'lastWrite',
  'responded',
  'response',
  'firstReceipt',
  'lastReceipt',
] as const;
export type Milestone = (typeof MILESTONES)[number];

/** What each milestone is, for the figures' descriptions. */
export const MILESTONE_MEANING: Record<Milestone, string> = {
  received: 'the server read the write request (its headers)',
  committed: 'the transaction holding the change committed (before the durable flush)',
  notified: 'the change feed had the change (after the flush)',
  firstWrite: 'the first watch stream handed the event to its socket',
  lastWrite: 'the last of the watch streams did',
  responded: 'the server finished the write response',
  response: 'the benchmark had the write response',
  firstReceipt: 'the first watcher had the event',
  lastReceipt: 'the last watcher had the event',
};

/** One change as the benchmark saw it (epoch milliseconds). */
export interface SentChange {
  readonly request: string;
  readonly revision: number;
  readonly sentAt: number;
  readonly respondedAt: number;
  /** When each watcher received the event (epoch ms; missing events left out). */
  readonly receipts: readonly number[];
}

/** The server's marks, indexed by request id and by revision. */
export class ChangeMarks {
  readonly #requests = { received: new Map<string, number>(), responded: new Map<string, number>() };
  readonly #revisions = {
    committed: new Map<number, number>(),
    notified: new Map<number, number>(),
    firstWrite: new Map<number, number>(),
    lastWrite: new Map<number, number>(),
  };
  /** Socket writes per revision: one per watch stream that carried it. */
  readonly writes = new Map<number, number>();

  constructor(marks: readonly ChangePhaseMark[]) {
    for (const m of marks) {
      if (m.phase === 'received' || m.phase === 'responded') {
        const byRequest = this.#requests[m.phase];
        if (!byRequest.has(m.request!)) byRequest.set(m.request!, m.at);
        continue;
      }
      for (let r = m.after! + 1; r <= m.through!; r++) {
        if (m.phase === 'written') {
          this.writes.set(r, (this.writes.get(r) ?? 0) + 1);
          const first = this.#revisions.firstWrite.get(r);
          if (first === undefined || m.at < first) this.#revisions.firstWrite.set(r, m.at);
          if (m.at > (this.#revisions.lastWrite.get(r) ?? -Infinity)) this.#revisions.lastWrite.set(r, m.at);
        } else if (!this.#revisions[m.phase].has(r)) this.#revisions[m.phase].set(r, m.at);
      }
    }
  }

  /** Each milestone of `c` in milliseconds after it was sent (undefined when no mark covers it). */
  milestones(c: SentChange): Record<Milestone, number | undefined> {
    const after = (t: number | undefined) => (t === undefined ? undefined : t - c.sentAt);
    return {
      received: after(this.#requests.received.get(c.request)),
      committed: after(this.#revisions.committed.get(c.revision)),
      notified: after(this.#revisions.notified.get(c.revision)),
      firstWrite: after(this.#revisions.firstWrite.get(c.revision)),
      lastWrite: after(this.#revisions.lastWrite.get(c.revision)),
      responded: after(this.#requests.responded.get(c.request)),
      response: after(c.respondedAt),
      firstReceipt: c.receipts.length ? after(Math.min(...c.receipts)) : undefined,
      lastReceipt: c.receipts.length ? after(Math.max(...c.receipts)) : undefined,
    };
  }
}
