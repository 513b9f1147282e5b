import { markRevisions } from '../kernel/change-trace.ts';
import { GoneError } from '../kernel/errors.ts';
import type { ChangeEvent, CommittedChanges, Store } from './store.ts';

export interface WatchFilter {
  readonly kind: string;
  /** Only these tenants ('' for platform kinds); undefined = all. */
  readonly tenants?: readonly string[];
  readonly name?: string;
  readonly match?: (event: ChangeEvent) => boolean;
}

export interface Subscription {
  /** The newest revision this subscription has passed, delivered or filtered out (for bookmarks). */
  position(): number;
  /** Stops delivery; idempotent. */
  close(): void;
}

export interface SubscribeOptions {
  /** Deliver events with revision > from. */
  readonly from: number;
  readonly filter: WatchFilter;
  readonly onEvent: (event: ChangeEvent) => void;
  /**
   * Called once the events delivered together have each gone to `onEvent`, when at least one did: a watch stream
   * sends them then, in one socket write. "Together" is every commit handed over in one turn of synchronous work and
   * its promise jobs (one durable flush acknowledges a run of group commits, each handed over on its own), and one
   * read's events: the call waits for the end of that turn (process.nextTick), so a burst of commits costs each
   * stream one write, not one per commit.
   */
  readonly onBatchEnd?: () => void;
  /** Called once when the subscription cannot continue (e.g. 410 Gone); it is closed by then. */
  readonly onError: (error: Error) => void;
}

interface Subscriber extends SubscribeOptions {
  cursor: number;
  live: boolean;
  closed: boolean;
}

export interface ChangeFeedOptions {
  readonly store: Store;
  /** How often to look for changes written by other polis replicas (ms). Local writes wake the feed at once. */
  readonly pollMs?: number;
  /** Events kept in memory for watchers that resume from a recent revision (older ones read the store). */
  readonly bufferSize?: number;
  /**
   * Longest a batch end waits for the commits the store says follow (CommittedChanges.more), ms; 0 never waits.
   * Default 10.
   */
  readonly holdMs?: number;
}

/**
 * Tails the store's change events in revision order and fans them out to watchers. One reader per process serves
 * any number of watchers; a watcher resuming from an older revision catches up from the store first (410 Gone when
 * that history was compacted) and then joins the live stream without gap or repeat.
 */
export class ChangeFeed {
  private readonly store: Store;
  private readonly pollMs: number;
  private readonly bufferSize: number;
  private readonly buffer: ChangeEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  /** The subscribers by the kind they watch: an event is offered only to its kind's, not matched against all. */
  private readonly byKind = new Map<string, Set<Subscriber>>();
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private running = false;
  private pumping: Promise<void> | undefined;
  private again = false;
  /** Events delivered to watchers since start (for /metrics). */
  delivered = 0;
  /** Main-thread CPU spent passing this process's commits to their subscribers (µs, for /metrics). */
  private deliveryCpuMicros = 0;
  /** Subscribers that got events in this turn and wait for their `onBatchEnd` (see SubscribeOptions). */
  private readonly batchEnds = new Set<Subscriber>();
  private readonly holdMs: number;
  /** Set while batch ends wait for the commits that follow (at most holdMs). */
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(opts: ChangeFeedOptions) {
    this.store = opts.store;
    this.pollMs = opts.pollMs ?? 1000;
    this.bufferSize = opts.bufferSize ?? 1000;
    this.holdMs = opts.holdMs ?? 10;
  }

  async start(): Promise<void> {
    this.head = await this.store.currentRevision();
    this.running = true;
    // Commits by this process and (PostgreSQL) by other replicas wake the feed at once; polling bounds the delay
    // when a notification is lost (the listening connection was down).
    this.unlisten = this.store.onCommit((changes) => this.committed(changes));
    this.timer = setInterval(() => this.nudge(), this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    this.running = false;
    this.unlisten?.();
    if (this.timer) clearInterval(this.timer);
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    for (const s of this.subscribers) s.closed = true;
    this.subscribers.clear();
    this.byKind.clear();
  }

  /** CPU time (seconds, this thread's) spent passing new events to their subscribers, watch streams' writes included. */
  get deliveryCpuSeconds(): number {
    return this.deliveryCpuMicros / 1e6;
  }

  /** The newest revision the feed has read. */
  get revision(): number {
    return this.head;
  }

  get watchers(): number {
    return this.subscribers.size;
  }

  /**
   * A commit's events, handed over by the store (this process's commits): delivered at once, without reading them
   * back, when they continue from what the feed has passed (a read in flight then skips them); otherwise (a gap:
   * another replica's commit in between) read from the store. Nothing waits for the store's connection, which on
   * SQLite the next batch of writes already holds.
   */
  private committed(changes: CommittedChanges | undefined): void {
    if (!this.running) return;
    if (changes === undefined || changes.after > this.head) {
      this.nudge();
      return;
    }
    this.take(changes.events, changes.more === true);
  }

  /**
   * Passes events in revision order that continue from the head (older ones, already passed, are skipped), then
   * ends the batch: at once, before the writes that made them are answered, unless `more` commits of this process
   * follow (a run of group commits one flush made durable, or a burst of writes each its own commit as its requests
   * trickle in). Then the batch ends wait for the last of them, at most `holdMs`, and a watch stream sends all their
   * events in one socket write instead of one per commit: that CPU goes to reading the next requests.
   */
  private take(events: readonly ChangeEvent[], more = false): void {
    markRevisions('notified', this.head, events.at(-1)?.revision ?? this.head);
    const cpu = process.threadCpuUsage();
    for (const e of events) {
      if (e.revision <= this.head) continue;
      this.buffer.push(e);
      this.head = e.revision;
      const watching = this.byKind.get(e.object.kind);
      if (watching) for (const s of watching) if (s.live && this.deliver(s, e) && s.onBatchEnd) this.batchEnds.add(s);
    }
    const spent = process.threadCpuUsage(cpu);
    this.deliveryCpuMicros += spent.user + spent.system;
    if (this.buffer.length > this.bufferSize) this.buffer.splice(0, this.buffer.length - this.bufferSize);
    if (more && this.holdMs > 0 && this.running) this.holdTimer ??= setTimeout(() => this.endBatches(), this.holdMs);
    else this.endBatches();
  }

  /** Each subscriber that got events since the last batch end sends them now (one socket write per stream). */
  private endBatches(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    if (this.batchEnds.size === 0) return;
    const cpu = process.threadCpuUsage();
    const ends = [...this.batchEnds];
    this.batchEnds.clear();
    for (const s of ends) if (!s.closed) s.onBatchEnd?.();
    const spent = process.threadCpuUsage(cpu);
    this.deliveryCpuMicros += spent.user + spent.system;
  }

  /** Read new events now (called after local commits). Coalesces concurrent calls. */
  nudge(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.again) {
        this.again = false;
        this.nudge();
      }
    });
  }

  /** Resolves when no read is in progress: every local commit acknowledged so far has been delivered. */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** Resolves once every commit made before the call has been read and delivered (tests, shutdown). */
  async sync(): Promise<void> {
    const target = await this.store.currentRevision();
    while (this.head < target && this.running) {
      this.nudge();
      await (this.pumping ?? new Promise((r) => setTimeout(r, 1)));
    }
  }

  subscribe(opts: SubscribeOptions): Subscription {
    const sub: Subscriber = { ...opts, cursor: opts.from, live: false, closed: false };
    this.subscribers.add(sub);
    let watching = this.byKind.get(sub.filter.kind);
    if (watching === undefined) this.byKind.set(sub.filter.kind, (watching = new Set()));
    watching.add(sub);
    void this.catchUp(sub);
    return {
      // A live subscriber has passed every event up to the head: those of other kinds are never offered to it.
      position: () => (sub.live && !sub.closed ? Math.max(sub.cursor, this.head) : sub.cursor),
      close: () => {
        sub.closed = true;
        this.remove(sub);
      },
    };
  }

  private remove(sub: Subscriber): void {
    this.subscribers.delete(sub);
    const watching = this.byKind.get(sub.filter.kind);
    watching?.delete(sub);
    if (watching?.size === 0) this.byKind.delete(sub.filter.kind);
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const events = await this.store.changesSince(this.head, 1000);
        if (events.length === 0) return;
        // Events handed over while the read ran (`committed`) moved the head on: those are skipped.
        this.take(events);
        if (events.length < 1000) return;
      }
    } catch (e) {
      if (e instanceof GoneError) {
        // This reader fell behind compaction (another replica compacted): resume from the current head.
        this.head = await this.store.currentRevision();
        for (const s of this.subscribers) this.fail(s, e);
      }
      // Transient store errors: the next nudge or poll tries again.
    }
  }

  private async catchUp(sub: Subscriber): Promise<void> {
    try {
      // Read from the store until the in-memory buffer covers the cursor.
      while (!sub.closed) {
        const oldestBuffered = this.buffer[0]?.revision ?? this.head + 1;
        if (sub.cursor >= oldestBuffered - 1 || sub.cursor >= this.head) break;
        const events = await this.store.changesSince(sub.cursor, 1000);
        if (events.length === 0) break;
        let sent = false;
        for (const e of events) {
          if (e.revision > this.head) break;
          if (this.deliver(sub, e)) sent = true;
        }
        // A catch-up's page leaves at once, in one write: nothing is held behind writes in flight here.
        if (sent && !sub.closed) sub.onBatchEnd?.();
      }
      if (sub.closed) return;
      let sent = false;
      for (const e of this.buffer) if (e.revision > sub.cursor && this.deliver(sub, e)) sent = true;
      sub.live = true;
      if (sent) sub.onBatchEnd?.();
    } catch (e) {
      this.fail(sub, e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Passes `e` to `sub` when it is new to it; true when `onEvent` got it. */
  private deliver(sub: Subscriber, e: ChangeEvent): boolean {
    if (sub.closed || e.revision <= sub.cursor) return false;
    sub.cursor = e.revision;
    if (!matches(sub.filter, e)) return false;
    this.delivered++;
    sub.onEvent(e);
    return true;
  }

  private fail(sub: Subscriber, error: Error): void {
    if (sub.closed) return;
    sub.closed = true;
    this.remove(sub);
    sub.onError(error);
  }
}

function matches(f: WatchFilter, e: ChangeEvent): boolean {
  const o = e.object;
  if (o.kind !== f.kind) return false;
  if (f.tenants && !f.tenants.includes(o.metadata.tenant ?? '')) return false;
  if (f.name !== undefined && o.metadata.name !== f.name) return false;
  return f.match ? f.match(e) : true;
}
