import type { ApiError } from '../../api/api-error.ts';
import { headLess } from '../../api/collection.ts';
import { followWatch } from '../../api/follow-watch.ts';
import type { PolisEvent } from '../../api/types.ts';
import { objectKey } from '../../api/watch-reducer.ts';

/**
 * The newest `limit` items, newest first, one per key: a bounded buffer (an event seen again, its count raised,
 * moves to the front instead of being added twice). Memory stays at `limit` items however long it runs.
 */
export class BoundedList<T> {
  private items: T[] = [];
  private readonly limit: number;
  private readonly key: (t: T) => string;

  constructor(limit: number, key: (t: T) => string) {
    this.limit = limit;
    this.key = key;
  }

  push(item: T): void {
    const k = this.key(item);
    const at = this.items.findIndex((i) => this.key(i) === k);
    if (at !== -1) this.items.splice(at, 1);
    this.items.unshift(item);
    if (this.items.length > this.limit) this.items.length = this.limit;
  }

  remove(key: string): void {
    const at = this.items.findIndex((i) => this.key(i) === key);
    if (at !== -1) this.items.splice(at, 1);
  }

  /** A copy, newest first. */
  values(): readonly T[] {
    return [...this.items];
  }

  get size(): number {
    return this.items.length;
  }
}

export interface EventFeedSnapshot {
  readonly latest: readonly PolisEvent[];
  readonly warnings: readonly PolisEvent[];
  readonly live: boolean;
  readonly error?: ApiError;
}

const FLUSH_MS = 250;

/**
 * The latest events and the latest Warning events, live: the changes of the last `recent` store revisions, then
 * the watch. Unlike a collection it holds only two bounded lists (never every event of a day), and it publishes
 * at most four times a second. `stop()` ends the stream and its timers.
 */
export class EventFeed {
  private readonly latest: BoundedList<PolisEvent>;
  private readonly warnings: BoundedList<PolisEvent>;
  private snapshot: EventFeedSnapshot = { latest: [], warnings: [], live: false };
  private readonly listeners = new Set<() => void>();
  private abort: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dirty = false;
  private readonly opts: { path: string; recent: number; limit: number };

  constructor(opts: { path: string; recent: number; limit: number }) {
    this.opts = opts;
    const key = (e: PolisEvent) => objectKey(e.metadata);
    this.latest = new BoundedList(opts.limit, key);
    this.warnings = new BoundedList(opts.limit, key);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): EventFeedSnapshot => this.snapshot;

  start(): void {
    if (this.abort) return;
    this.abort = new AbortController();
    void this.run(this.abort.signal);
  }

  stop(): void {
    this.abort?.abort();
    this.abort = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  /** Applies one watch event (exposed for tests). */
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', e: PolisEvent): void {
    const key = objectKey(e.metadata);
    if (type === 'DELETED') {
      this.latest.remove(key);
      this.warnings.remove(key);
    } else {
      this.latest.push(e);
      if (e.spec.type === 'Warning') this.warnings.push(e);
    }
    this.dirty = true;
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    this.set({ latest: this.latest.values(), warnings: this.warnings.values() });
  }

  private set(patch: Partial<EventFeedSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }

  private run(signal: AbortSignal): Promise<void> {
    return followWatch<PolisEvent>(
      this.opts.path,
      {
        // The last `recent` revisions first; afresh (a stall, compacted history) from the head: the lists keep
        // what they hold.
        start: (signal, relist) => headLess(this.opts.path, relist ? 0 : this.opts.recent, signal),
        onEvent: (e) => this.apply(e.type, e.object),
        report: (patch) => this.set(patch),
      },
      signal,
    );
  }
}
