import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { Store } from '../resources/store.ts';
import type { SharedAPISpec } from './sharing-kinds.ts';

const PAGE = 1000;

/**
 * The SharedAPIs each application publishes, loaded once and kept current from the change feed, so that delivery's
 * attachments (sharing-attachments.ts) read no listing of the department's SharedAPIs at every reconcile: at 100,000
 * applications that listing was a database query per reconcile, most of them answering nothing. Loaded on first use
 * in every replica that delivers (leader or not).
 *
 * Freshness: the feed hands each change to every subscriber in one synchronous pass, and a reconcile starts in a turn
 * of its own, so a reconcile queued by a SharedAPI's change (the sharing reconciler redelivers its application, here
 * or through a redelivery request that follows it in revision order) finds the change here.
 */
export class SharedAPIIndex {
  /** `tenant/application` → the SharedAPIs (by name) that publish it, being deleted or not. */
  readonly #byApp = new Map<string, Map<string, StoredObject>>();
  /** `tenant/name` → the application it was indexed under. */
  readonly #appOf = new Map<string, string>();
  #sub: Subscription | undefined;
  #loading: Promise<void> | undefined;
  readonly #deps: { readonly store: Store; readonly feed: ChangeFeed };
  /** Listings of SharedAPIs read from the store (for tests: once per load). */
  loads = 0;

  constructor(deps: { readonly store: Store; readonly feed: ChangeFeed }) {
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
    this.#byApp.clear();
    this.#appOf.clear();
  }

  /**
   * The SharedAPIs of department `tenant` that publish its application `app` and are not being deleted, by name
   * (what a listing of the department's SharedAPIs filtered to that application answers).
   */
  async of(tenant: string, app: string): Promise<StoredObject[]> {
    await this.start();
    const apis = this.#byApp.get(`${tenant}/${app}`);
    if (!apis) return [];
    return [...apis.values()]
      .filter((a) => !a.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  }

  async #load(): Promise<void> {
    const from = await this.#deps.store.currentRevision();
    this.loads++;
    let cont: string | undefined;
    do {
      // Read at or after `from`: an object changed meanwhile is read newer here and its event re-applied (same result).
      const page = await this.#deps.store.list({ kind: 'SharedAPI', limit: PAGE, continue: cont });
      for (const o of page.items) this.#apply(o, false);
      cont = page.continue;
    } while (cont);
    this.#sub = this.#deps.feed.subscribe({
      from,
      filter: { kind: 'SharedAPI' },
      onEvent: (e) => this.#apply(e.object, e.type === 'DELETED'),
      // Behind compaction: load again from the store.
      onError: () => {
        this.stop();
        void this.start().catch(() => undefined);
      },
    });
  }

  #apply(o: StoredObject, deleted: boolean): void {
    const tenant = o.metadata.tenant ?? '';
    const key = `${tenant}/${o.metadata.name}`;
    const was = this.#appOf.get(key);
    if (was !== undefined) {
      const apis = this.#byApp.get(was);
      apis?.delete(o.metadata.name);
      if (apis?.size === 0) this.#byApp.delete(was);
      this.#appOf.delete(key);
    }
    if (deleted) return;
    const app = `${tenant}/${(o.spec as SharedAPISpec).application}`;
    let apis = this.#byApp.get(app);
    if (!apis) this.#byApp.set(app, (apis = new Map()));
    apis.set(o.metadata.name, o);
    this.#appOf.set(key, app);
  }
}
