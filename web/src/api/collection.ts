import type { ApiError } from './api-error.ts';
import { toApiError } from './api-error.ts';
import { api, reportUnauthorized } from './client.ts';
import { readWatch } from './watch-stream.ts';
import type { CollectionState, KubeObject, WatchEvent } from './watch-reducer.ts';
import { applyWatchEvents, emptyCollection, objectKey, retainKeys } from './watch-reducer.ts';

export interface CollectionOptions<T extends KubeObject, R> {
  /** The collection's path (`/apis/polis.io/v1/clusters`), with its own query (labelSelector …) if any. */
  readonly path: string;
  /** What to keep of each object (a table row), or undefined to leave it out. Default: the object. */
  readonly project?: (o: T) => R | undefined;
  /** Objects per list page (default 500): big estates arrive page by page and show as they come. */
  readonly pageSize?: number;
  /**
   * Instead of a list, only the changes of the last `recent` store revisions, then live ones: for "recent events",
   * where listing every event of a city would be wasteful.
   */
  readonly recent?: number;
}

export interface CollectionSnapshot<R> {
  readonly state: CollectionState<R>;
  /** True until the first full list has arrived. */
  readonly loading: boolean;
  /** The watch is connected (false while reconnecting). */
  readonly live: boolean;
  /** Why the list or the watch failed (a 403 stops; other errors are retried). */
  readonly error?: ApiError;
}

const FLUSH_MS = 80;
const MAX_BACKOFF_MS = 30_000;

/**
 * A list-then-watch of one collection, shared by every component that shows it: list (paged), then watch from the
 * list's resourceVersion, resume from the last revision seen when the stream ends, list again on 410 Gone. Events
 * are applied in batches (every 80 ms) so that a busy controller does not re-render the page per event.
 */
export class Collection<T extends KubeObject, R = T> {
  private snapshot: CollectionSnapshot<R> = { state: emptyCollection<R>(), loading: true, live: false };
  private readonly listeners = new Set<() => void>();
  private pending: WatchEvent<T>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private abort: AbortController | undefined;
  private readonly project: (o: T) => R | undefined;
  private seen: Set<string> | undefined;
  private readonly opts: CollectionOptions<T, R>;

  constructor(opts: CollectionOptions<T, R>) {
    this.opts = opts;
    this.project = opts.project ?? ((o: T) => o as unknown as R);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): CollectionSnapshot<R> => this.snapshot;

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
  }

  private set(patch: Partial<CollectionSnapshot<R>>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }

  private enqueue(events: WatchEvent<T>[], now = false): void {
    for (const e of events) {
      this.pending.push(e);
      if (this.seen && e.type !== 'DELETED') this.seen.add(objectKey(e.object.metadata));
    }
    if (now) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    const state = applyWatchEvents(this.snapshot.state, events, this.project);
    if (state !== this.snapshot.state) this.set({ state });
  }

  private setRevision(rv: string): void {
    if (Number(rv) > Number(this.snapshot.state.resourceVersion))
      this.snapshot = { ...this.snapshot, state: { ...this.snapshot.state, resourceVersion: rv } };
  }

  /** Lists every page; returns the first page's resourceVersion (where the watch starts). */
  private async list(signal: AbortSignal, relist: boolean): Promise<string> {
    const size = this.opts.pageSize ?? 500;
    const sep = this.opts.path.includes('?') ? '&' : '?';
    let cont: string | undefined;
    let first: string | undefined;
    this.seen = relist ? new Set() : undefined;
    do {
      const page = await api<{ metadata: { resourceVersion: string; continue?: string }; items: T[] }>(
        `${this.opts.path}${sep}limit=${size}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
        { signal },
      );
      first ??= page.metadata.resourceVersion;
      this.enqueue(
        page.items.map((object) => ({ type: 'ADDED', object })),
        true,
      );
      // Big collections show their first pages while the rest arrive (each page is applied at once).
      cont = page.metadata.continue;
    } while (cont);
    if (relist && this.seen) this.set({ state: retainKeys(this.snapshot.state, this.seen) });
    this.seen = undefined;
    return first ?? '0';
  }

  private async run(signal: AbortSignal): Promise<void> {
    let from: string | undefined;
    let backoff = 1000;
    let relist = false;
    let stalls = 0;
    while (!signal.aborted) {
      try {
        if (from === undefined) {
          if (this.opts.recent !== undefined) {
            const head = await api<{ metadata: { resourceVersion: string } }>(
              `${this.opts.path}${this.opts.path.includes('?') ? '&' : '?'}limit=1`,
              { signal },
            );
            const now = Number(head.metadata.resourceVersion);
            from = relist ? String(now) : String(Math.max(1, now - this.opts.recent));
            this.set({ loading: false, error: undefined });
          } else {
            // The watch starts from the first page's revision: changes made while later pages were read are
            // replayed, and the reducer drops whatever is older than what a later page already showed.
            from = await this.list(signal, relist);
            this.set({ loading: false, error: undefined });
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        const error = toApiError(e);
        this.set({ error, live: false });
        if (error.code === 401 || error.code === 403 || error.code === 404) return;
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      const sep = this.opts.path.includes('?') ? '&' : '?';
      this.set({ live: true, error: undefined });
      let progressed = false;
      const end = await readWatch<T>(
        `${this.opts.path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${from}`,
        {
          onEvent: (e, revision) => {
            progressed = true;
            backoff = 1000;
            if (revision) from = revision;
            this.enqueue([e]);
          },
          onBookmark: (rv) => {
            progressed = true;
            backoff = 1000;
            from = rv;
            this.setRevision(rv);
          },
        },
        signal,
      );
      if (signal.aborted) return;
      this.flush();
      this.set({ live: false });
      // A watch that ends twice in a row before delivering anything (the server drops a stream whose replay of a
      // burst overflows its buffer, docs/api.md) would be resumed from the same revision for ever: list instead.
      stalls = progressed ? 0 : stalls + 1;
      if (stalls >= 2 && this.opts.recent === undefined) {
        stalls = 0;
        from = undefined;
        relist = true;
        continue;
      }
      if (end.kind === 'error') {
        if (end.error.code === 410 || end.error.reason === 'ResourceVersionTooLarge') {
          // The history since `from` was compacted, or `from` is newer than the server's store (a restore):
          // list again and drop what was deleted meanwhile.
          from = undefined;
          relist = true;
          continue;
        }
        this.set({ error: end.error });
        if (end.error.code === 401) reportUnauthorized(end.error);
        if (end.error.code === 401 || end.error.code === 403) return;
      }
      await sleep(end.kind === 'closed' ? 200 : backoff, signal);
      if (end.kind === 'error') backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

const registry = new Map<
  string,
  { collection: Collection<KubeObject, unknown>; users: number; stopTimer?: ReturnType<typeof setTimeout> }
>();

/** How long an unused collection keeps watching, so that going back to a page is instant. */
const GRACE_MS = 20_000;

/**
 * The shared collection for `key` (created and started on first use). Call the returned release when done; the
 * watch stops once nobody has used it for a while.
 */
export function acquireCollection<T extends KubeObject, R>(
  key: string,
  opts: CollectionOptions<T, R>,
): { collection: Collection<T, R>; release: () => void } {
  let entry = registry.get(key);
  if (!entry) {
    entry = { collection: new Collection(opts) as unknown as Collection<KubeObject, unknown>, users: 0 };
    registry.set(key, entry);
  }
  const e = entry;
  if (e.stopTimer) clearTimeout(e.stopTimer);
  e.stopTimer = undefined;
  e.users++;
  e.collection.start();
  let released = false;
  return {
    collection: e.collection as unknown as Collection<T, R>,
    release: () => {
      if (released) return;
      released = true;
      e.users--;
      if (e.users > 0) return;
      e.stopTimer = setTimeout(() => {
        if (e.users > 0) return;
        e.collection.stop();
        registry.delete(key);
      }, GRACE_MS);
    },
  };
}

/** Stops and forgets every collection (at logout: the next user must not see the last one's objects). */
export function resetCollections(): void {
  for (const e of registry.values()) {
    if (e.stopTimer) clearTimeout(e.stopTimer);
    e.collection.stop();
  }
  registry.clear();
}
