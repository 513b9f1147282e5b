import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { Store } from '../resources/store.ts';
import type { ApplicationHolding } from './usage.ts';

const PAGE = 1000;

/**
 * What every application holds (requests, placement, share), by department, loaded once and kept current from the
 * change feed, so that a usage report over 10,000 applications reads no application from the store (the console's
 * departments page and big screen ask for it on every change). `holdings()` is a read barrier: it answers only once
 * the index has seen every commit made before the call, so a report after a write counts that write.
 */
export class HoldingIndex<H = ApplicationHolding> {
  /** `tenant/name` → its department and holding. */
  readonly #byKey = new Map<string, { readonly tenant: string; readonly holding: H }>();
  #sub: Subscription | undefined;
  #loading: Promise<void> | undefined;
  readonly #deps: { store: Store; feed: ChangeFeed; holding: (obj: StoredObject) => H };

  /** `holding`: what is kept of each application (the usage report's holding; the summary's row, see app-summary.ts). */
  constructor(deps: { store: Store; feed: ChangeFeed; holding: (obj: StoredObject) => H }) {
    this.#deps = deps;
  }

  /** Loads the index (once; later calls wait for the same load). */
  start(): Promise<void> {
    this.#loading ??= this.#load().catch((e: unknown) => {
      // A failed load is retried by the next caller.
      this.#loading = undefined;
      throw e;
    });
    return this.#loading;
  }

  stop(): void {
    this.#sub?.close();
    this.#sub = undefined;
    this.#loading = undefined;
    this.#byKey.clear();
  }

  /** Each department's holdings (only those named, or all), as of now: every earlier commit is counted. */
  async holdings(tenants: 'all' | readonly string[]): Promise<Map<string, H[]>> {
    await this.start();
    const target = await this.#deps.store.currentRevision();
    await this.#deps.feed.sync();
    // The subscription may still be catching up from the store (just started): wait until it has passed target.
    while (this.#sub && this.#sub.position() < target) await new Promise((r) => setTimeout(r, 1));
    const wanted = tenants === 'all' ? undefined : new Set(tenants);
    const out = new Map<string, H[]>();
    for (const { tenant, holding } of this.#byKey.values()) {
      if (wanted && !wanted.has(tenant)) continue;
      let list = out.get(tenant);
      if (!list) out.set(tenant, (list = []));
      list.push(holding);
    }
    return out;
  }

  /** Applications indexed now (for tests and /metrics). */
  get size(): number {
    return this.#byKey.size;
  }

  async #load(): Promise<void> {
    const from = await this.#deps.store.currentRevision();
    let cont: string | undefined;
    do {
      // Read at or after `from`: an object changed meanwhile is read newer here and its event re-applied (same result).
      const page = await this.#deps.store.list({ kind: 'Application', limit: PAGE, continue: cont });
      for (const o of page.items) this.#apply(o, false);
      cont = page.continue;
    } while (cont);
    this.#sub = this.#deps.feed.subscribe({
      from,
      filter: { kind: 'Application' },
      onEvent: (e) => this.#apply(e.object, e.type === 'DELETED'),
      // Behind compaction: load again from the store.
      onError: () => {
        this.stop();
        void this.start().catch(() => undefined);
      },
    });
  }

  #apply(o: StoredObject, deleted: boolean): void {
    const key = `${o.metadata.tenant ?? ''}/${o.metadata.name}`;
    if (deleted) this.#byKey.delete(key);
    else this.#byKey.set(key, { tenant: o.metadata.tenant ?? '', holding: this.#deps.holding(o) });
  }
}
