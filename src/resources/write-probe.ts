import type { Clock } from '../kernel/clock.ts';
import type { Store } from './store.ts';
import { StoreUnavailableError } from './store-errors.ts';
import type { StoreFailureReason } from './store-errors.ts';

export type WriteProbeResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: StoreFailureReason; readonly ioCode: string; readonly message: string };

/**
 * Whether the store can write, for readiness: one `store.probeWrite()` at most every `intervalMs` (a small commit),
 * the last answer served in between; concurrent callers share one probe.
 */
export class WriteProbe {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  #last: { atMs: number; result: WriteProbeResult } | undefined;
  #running: Promise<WriteProbeResult> | undefined;

  constructor(store: Store, clock: Clock, intervalMs = 5_000) {
    this.#store = store;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
  }

  async check(): Promise<WriteProbeResult> {
    const now = this.#clock.now().getTime();
    if (this.#last && now - this.#last.atMs < this.#intervalMs) return this.#last.result;
    this.#running ??= this.#probe(now).finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #probe(now: number): Promise<WriteProbeResult> {
    let result: WriteProbeResult;
    try {
      await this.#store.probeWrite();
      result = { ok: true };
    } catch (e) {
      result =
        e instanceof StoreUnavailableError
          ? { ok: false, reason: e.failure.reason, ioCode: e.failure.ioCode, message: e.message }
          : { ok: false, reason: 'StoreUnavailable', ioCode: 'unknown', message: (e as Error).message };
    }
    this.#last = { atMs: now, result };
    return result;
  }
}
