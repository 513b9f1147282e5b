import { performance } from 'node:perf_hooks';
import { applicationShardKey, memberSet, ownerOf, type MemberSet } from './shard-assignment.ts';

/** Where membership lives (the Store implements it). */
export interface MemberBackend {
  heartbeatMember(req: { id: string; epoch: number; ttlMs: number }): Promise<{
    readonly epoch: number;
    readonly live: readonly string[];
  }>;
  leaveMember(id: string, epoch: number): Promise<void>;
}

export interface MemberTiming {
  /** How long a heartbeat keeps a member live, by the database clock (15 s, like the lease). */
  readonly ttlMs: number;
  /** How often a member renews (5 s). */
  readonly renewMs: number;
  /**
   * A member that has not renewed for this long (10 s) owns nothing in its own eyes, before the database can let
   * its membership expire: it stops acting before another replica takes its applications. Its writes are fenced
   * in the store either way.
   */
  readonly renewDeadlineMs: number;
}

export const DEFAULT_MEMBER_TIMING: MemberTiming = { ttlMs: 15_000, renewMs: 5_000, renewDeadlineMs: 10_000 };

/** Membership timed like the lease (POLIS_LEASE_MS): a term of `leaseMs`, renewed every third, deadline at two. */
export function memberTimingFor(leaseMs: number): MemberTiming {
  return { ttlMs: leaseMs, renewMs: Math.round(leaseMs / 3), renewDeadlineMs: Math.round((leaseMs * 2) / 3) };
}

export interface ShardMemberOptions {
  readonly members: MemberBackend;
  /** A name unique to this process (host, pid, random). */
  readonly id: string;
  readonly timing?: Partial<MemberTiming>;
  readonly log?: (msg: string, err?: unknown) => void;
  /** Monotonic milliseconds (default performance.now). */
  readonly now?: () => number;
}

/** What a member sees after a heartbeat that changed the live set (or its own epoch). */
export interface MembershipChange {
  readonly before: readonly string[];
  readonly live: readonly string[];
  readonly epoch: number;
}

/**
 * One replica's membership in the set of replicas that run the sharded controllers: renews its row on a timer,
 * keeps the live set the database last returned, and answers which applications it owns (rendezvous hashing over
 * that set, src/kernel/shard-assignment.ts). Listeners hear when the set changes, to take up the applications
 * gained and let go of those lost. `fence()` names the member and epoch its writes carry; the store refuses them
 * once it is no longer live or no longer owns the application, whatever this process still believes.
 */
export class ShardMember {
  readonly id: string;
  readonly #opts: ShardMemberOptions;
  readonly #timing: MemberTiming;
  readonly #now: () => number;
  readonly #listeners = new Set<(change: MembershipChange) => void | Promise<void>>();
  #epoch = 0;
  #set: MemberSet = memberSet([]);
  #validUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #cycle: Promise<void> = Promise.resolve();
  /** Listener calls, one at a time and in order, apart from the heartbeats (a long resync must not delay them). */
  #work: Promise<void> = Promise.resolve();

  constructor(opts: ShardMemberOptions) {
    this.#opts = opts;
    this.id = opts.id;
    this.#timing = { ...DEFAULT_MEMBER_TIMING, ...opts.timing };
    this.#now = opts.now ?? (() => performance.now());
  }

  /** The live members as this replica last saw them (empty once its renew deadline passed). */
  get live(): readonly string[] {
    return this.#current() ? this.#set.names : [];
  }

  get epoch(): number {
    return this.#epoch;
  }

  /** Whether this replica handles the application now (by its own view; the store checks again in each write). */
  owns(tenant: string, name: string): boolean {
    return this.#current() && ownerOf(applicationShardKey(tenant, name), this.#set) === this.id;
  }

  fence(): { member: string; epoch: number } {
    return { member: this.id, epoch: this.#epoch };
  }

  /** Calls `listener` after each heartbeat that changed the live set; returns a function that unsubscribes. */
  onChange(listener: (change: MembershipChange) => void | Promise<void>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Joins (the first heartbeat, and its listeners, before resolving), then renews on a timer. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.heartbeat();
    await this.#work;
  }

  /** Resolves when the listener calls queued so far have run. */
  settled(): Promise<void> {
    return this.#work;
  }

  /** Stops renewing; with `leave` (default) removes the row now, so the others take over at their next heartbeat. */
  async stop(opts: { leave?: boolean } = {}): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#cycle;
    const epoch = this.#epoch;
    this.#validUntil = 0;
    if (opts.leave === false || epoch === 0) return;
    await this.#opts.members.leaveMember(this.id, epoch).catch((e: unknown) => {
      this.#opts.log?.('leaving the members table failed (the row expires on its own)', e);
    });
  }

  /** One renewal now (the timer calls it; tests may too). */
  heartbeat(): Promise<void> {
    this.#cycle = this.#cycle.then(async () => {
      if (!this.#running) return;
      const sentAt = this.#now();
      try {
        const view = await this.#opts.members.heartbeatMember({
          id: this.id,
          epoch: this.#epoch,
          ttlMs: this.#timing.ttlMs,
        });
        if (!this.#running) return;
        const before = this.live;
        const epochBefore = this.#epoch;
        this.#epoch = view.epoch;
        this.#set = memberSet(view.live);
        // Counted from when the request was sent: the row was renewed no earlier than that.
        this.#validUntil = view.live.includes(this.id) ? sentAt + this.#timing.renewDeadlineMs : 0;
        const live = this.live;
        if (epochBefore !== view.epoch || !sameMembers(before, live)) this.#emit({ before, live, epoch: view.epoch });
      } catch (e) {
        this.#opts.log?.('the membership heartbeat failed', e);
        if (!this.#current()) {
          const before = this.#set.names;
          this.#set = memberSet([]);
          if (before.length) this.#emit({ before, live: [], epoch: this.#epoch });
        }
      }
      this.#schedule();
    });
    return this.#cycle;
  }

  #current(): boolean {
    return this.#now() < this.#validUntil;
  }

  #schedule(): void {
    if (!this.#running) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.heartbeat(), this.#timing.renewMs);
    this.#timer.unref();
  }

  #emit(change: MembershipChange): void {
    this.#work = this.#work.then(async () => {
      for (const l of this.#listeners) {
        try {
          await l(change);
        } catch (e) {
          this.#opts.log?.('a membership listener failed', e);
        }
      }
    });
  }
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((m, i) => m === b[i]);
}
