import type { Fence, LeaseRequest, LeaseState } from '../../kernel/leader-lease.ts';

/**
 * The lease terms this process's own attempts (Store.acquireLease) last found it holding, so a fence check before a
 * cluster write (Store.checkFence) can answer from memory instead of the database while a term certainly holds.
 *
 * Why that is safe: the lease row changes before it expires only by its holder (a renewal in the same term, or a
 * release), never by anyone else (sql/lease-rows.ts: a takeover needs `expires_at < now` by the database clock). An
 * attempt sent at local monotonic time `sentAt` that found the term held with `remainingMs` left saw the database's
 * clock at or after `sentAt`, so the term holds at least until `sentAt + remainingMs` (clocks advancing at the same
 * rate; `margin` covers their drift and the moment between the check and the write). The holder's own release goes
 * through the same store and forgets the term first. Anything else — another holder's term, a term past its time,
 * a release racing an attempt — is not known here and goes to the database, as before.
 */
export class HeldTerms {
  readonly #terms = new Map<string, { readonly holder: string; readonly epoch: number; readonly until: number }>();
  /** Per lease: bumped by every release, so an attempt sent before it cannot record its (older) answer after it. */
  readonly #versions = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Call before sending an attempt; pass the token to `observe` with its answer. */
  begin(name: string): { readonly sentAt: number; readonly version: number } {
    return { sentAt: this.#now(), version: this.#versions.get(name) ?? 0 };
  }

  /** Records what an attempt begun at `token` found. */
  observe(req: LeaseRequest, state: LeaseState, token: { readonly sentAt: number; readonly version: number }): void {
    if ((this.#versions.get(req.name) ?? 0) !== token.version) return;
    if (!state.held || state.remainingMs <= 0) {
      this.#terms.delete(req.name);
      return;
    }
    const until = token.sentAt + state.remainingMs - marginMs(req.ttlMs);
    this.#terms.set(req.name, { holder: state.holder, epoch: state.epoch, until });
  }

  /** Forgets the lease `name` (before its release is sent): checks go to the database until the next attempt. */
  forget(name: string): void {
    this.#versions.set(name, (this.#versions.get(name) ?? 0) + 1);
    this.#terms.delete(name);
  }

  /** Whether `fence` certainly still holds its term now (false: ask the database). */
  holds(fence: Fence): boolean {
    const t = this.#terms.get(fence.name);
    return t !== undefined && t.holder === fence.holder && t.epoch === fence.epoch && this.#now() < t.until;
  }
}

/** A fifth of the lease (3 s of the default 15 s), at least 100 ms. */
function marginMs(ttlMs: number): number {
  return Math.max(100, ttlMs / 5);
}
