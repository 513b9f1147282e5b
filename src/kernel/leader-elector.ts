import { performance } from 'node:perf_hooks';
import {
  afterAttempt,
  DEFAULT_LEASE_TIMING,
  nextWakeIn,
  onTick,
  renewingEpoch,
  type Fence,
  type LeaderChange,
  type LeaderState,
  type LeaseRequest,
  type LeaseState,
  type LeaseTiming,
  type Step,
} from './leader-lease.ts';

/** Where leases live (the Store implements it). */
export interface LeaseBackend {
  acquireLease(req: LeaseRequest): Promise<LeaseState>;
  releaseLease(name: string, holder: string, epoch: number): Promise<void>;
}

export interface LeaderElectorOptions {
  readonly leases: LeaseBackend;
  readonly name: string;
  readonly holder: string;
  readonly timing?: Partial<LeaseTiming>;
  /**
   * Called when this replica wins a term (start the controllers). It runs beside the lease, which keeps being renewed
   * meanwhile: a start that waits on a hung cluster must not cost the term it was won in.
   */
  readonly onElected: (fence: Fence) => Promise<void> | void;
  /** Called when the term ended (lost, expired unrenewed, or stop), after any onElected under way (stop them). */
  readonly onLost: (fence: Fence) => Promise<void> | void;
  readonly log?: (msg: string, err?: unknown) => void;
  /** Monotonic milliseconds (default performance.now); tests inject their own. */
  readonly now?: () => number;
}

/**
 * The shell around leader-lease.ts: attempts the lease on a timer, and runs `onElected`/`onLost` one at a time, in
 * order. `fence()` names the term this replica was last elected in, for controller writes: once that term is over
 * the store refuses them, whatever this process still believes.
 */
export class LeaderElector {
  readonly #opts: LeaderElectorOptions;
  readonly #timing: LeaseTiming;
  readonly #now: () => number;
  #state: LeaderState = { role: 'follower' };
  #epoch = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #cycle: Promise<void> = Promise.resolve();
  /** onElected and onLost, one at a time and in order, apart from the lease's own cycle. */
  #work: Promise<void> = Promise.resolve();

  constructor(opts: LeaderElectorOptions) {
    this.#opts = opts;
    this.#timing = { ...DEFAULT_LEASE_TIMING, ...opts.timing };
    this.#now = opts.now ?? (() => performance.now());
  }

  get isLeader(): boolean {
    return this.#state.role === 'leader';
  }

  /** The term this replica was last elected in (epoch 0 before its first: no write passes that fence). */
  fence(): Fence {
    return { name: this.#opts.name, holder: this.#opts.holder, epoch: this.#epoch };
  }

  /** Makes the first attempt (and, when it wins, runs onElected) before resolving; then keeps trying. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#attempt();
    await this.#work;
  }

  /**
   * Stops attempting. With `release` (default) a held term ends now in the database and onLost runs; without it
   * (tests standing for a paused process) the term just runs out, and nothing here reacts.
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#cycle;
    if (opts.release === false || this.#state.role !== 'leader') return this.#work;
    const fence = this.fence();
    this.#state = { role: 'follower' };
    await this.#run('lost');
    await this.#opts.leases.releaseLease(fence.name, fence.holder, fence.epoch).catch((e: unknown) => {
      this.#opts.log?.(`releasing the ${fence.name} lease failed (it expires on its own)`, e);
    });
  }

  #attempt(): Promise<void> {
    this.#cycle = this.#cycle.then(async () => {
      if (!this.#running) return;
      const sentAt = this.#now();
      let outcome: LeaseState | undefined;
      try {
        // Bounded: a database that stops answering (a partition that drops packets, no reset) would otherwise hold
        // this cycle forever, and a leader cut off that way would never reach its renew deadline and step down.
        outcome = await answeredWithin(
          this.#opts.leases.acquireLease({
            name: this.#opts.name,
            holder: this.#opts.holder,
            epoch: renewingEpoch(this.#state),
            ttlMs: this.#timing.leaseMs,
          }),
          this.#timing.renewMs,
        );
      } catch (e) {
        this.#opts.log?.(`the ${this.#opts.name} lease could not be renewed or taken`, e);
      }
      if (!this.#running) return;
      await this.#apply(afterAttempt(this.#state, sentAt, outcome, this.#timing));
      await this.#apply(onTick(this.#state, this.#now()));
      this.#schedule();
    });
    return this.#cycle;
  }

  #schedule(): void {
    if (!this.#running) return;
    const wait = nextWakeIn(this.#state, this.#now(), this.#timing);
    const due = this.#now() + wait;
    this.#timer = setTimeout(() => {
      // Step down first if the renew deadline passed while waiting; then try again. A timer that fires late woke a
      // process that stalled (a long synchronous task, a paused VM), not one cut off from the database: it asks the
      // database first, and keeps its term when it still holds it there.
      const stalled = this.#now() - due > this.#timing.retryMs;
      if (!stalled) this.#cycle = this.#cycle.then(() => this.#apply(onTick(this.#state, this.#now())));
      void this.#attempt();
    }, wait);
    this.#timer.unref();
  }

  /** Takes the step; its changes are queued on the work chain, not awaited, so renewals go on while they run. */
  async #apply(step: Step): Promise<void> {
    const before = this.fence();
    this.#state = step.state;
    for (const change of step.changes) {
      if (change === 'lost') void this.#run('lost', before);
      else if (step.state.role === 'leader') {
        this.#epoch = step.state.epoch;
        void this.#run('elected');
      }
    }
  }

  /** Queues a change behind those under way; resolves when it (and they) ran. */
  #run(change: Exclude<LeaderChange, 'none'>, fence: Fence = this.fence()): Promise<void> {
    this.#work = this.#work.then(async () => {
      try {
        if (change === 'elected') await this.#opts.onElected(fence);
        else await this.#opts.onLost(fence);
      } catch (e) {
        this.#opts.log?.(
          `${change === 'elected' ? 'starting' : 'stopping'} the ${this.#opts.name} leader's work failed`,
          e,
        );
      }
    });
    return this.#work;
  }

  /** Resolves when the changes queued so far (an election's start, a loss's stop) have run. */
  settled(): Promise<void> {
    return this.#work;
  }
}

/** `p`, or a rejection once `ms` passed without an answer (the late answer is then ignored). */
function answeredWithin<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  p.catch(() => undefined);
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
