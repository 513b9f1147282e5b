/**
 * A keyed work queue for reconcile loops: a key queued twice before it runs runs once; a key being worked on that
 * is queued again runs again after (never two workers on one key); failures retry with exponential backoff.
 */
export interface WorkQueueOptions {
  readonly concurrency?: number;
  /** First retry delay; doubles up to maxBackoffMs. */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly onError?: (key: string, error: unknown) => void;
}

export class WorkQueue {
  private readonly worker: (key: string) => Promise<void>;
  private readonly opts: Required<Omit<WorkQueueOptions, 'onError'>> & Pick<WorkQueueOptions, 'onError'>;
  private readonly pending = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;
  private readonly active = new Set<string>();
  private readonly again = new Set<string>();
  private readonly failures = new Map<string, number>();
  /** Timed adds: the timer and when it fires (wall-clock ms, for comparing delays only). */
  private readonly timers = new Map<string, { readonly timer: NodeJS.Timeout; readonly at: number }>();
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  private pumpScheduled = false;

  constructor(worker: (key: string) => Promise<void>, opts: WorkQueueOptions = {}) {
    this.worker = worker;
    this.opts = {
      concurrency: opts.concurrency ?? 4,
      baseBackoffMs: opts.baseBackoffMs ?? 200,
      maxBackoffMs: opts.maxBackoffMs ?? 30_000,
      onError: opts.onError,
    };
  }

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.again.add(key);
      return;
    }
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.order.push(key);
    // Start on the next microtask, so keys queued together in one turn coalesce.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      queueMicrotask(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  /**
   * Queue `key` after `ms` (a timed retry or a follow-up check). A key already waiting keeps the earlier of the two
   * times: a check due sooner (a failback surge's) is not put off by a later one waiting (a crash loop's toleration).
   */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const at = Date.now() + ms;
    const was = this.timers.get(key);
    if (was) {
      if (was.at <= at) return;
      clearTimeout(was.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { timer, at });
  }

  get size(): number {
    return this.pending.size + this.active.size;
  }

  /** Keys waiting on a timer (a timed retry or follow-up check), not yet queued: not counted in `size`. */
  get scheduled(): number {
    return this.timers.size;
  }

  /** Resolves when nothing is queued or running (timed retries not counted). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    this.pending.clear();
    this.order.length = 0;
    this.head = 0;
  }

  private pump(): void {
    while (this.active.size < this.opts.concurrency && this.head < this.order.length) {
      const key = this.order[this.head++]!;
      if (!this.pending.delete(key)) continue;
      this.active.add(key);
      void this.run(key);
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
    if (this.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async run(key: string): Promise<void> {
    try {
      // Each reconcile starts in a turn of its own: on SQLite a reconcile's reads are synchronous and its awaits
      // resolve as microtasks, so a queue of thousands of keys would otherwise run from one turn to the next without
      // letting the event loop poll its sockets, and API requests would wait for the whole queue.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.worker(key);
      this.failures.delete(key);
    } catch (e) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.opts.onError?.(key, e);
      this.addAfter(key, Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** (n - 1)));
    } finally {
      this.active.delete(key);
      if (this.again.delete(key)) this.add(key);
      this.pump();
    }
  }
}
