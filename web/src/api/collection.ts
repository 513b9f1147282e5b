import type { ApiError } from './api-error.ts';
import { api } from './client.ts';
import { followWatch } from './follow-watch.ts';
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

  private run(signal: AbortSignal): Promise<void> {
    const recent = this.opts.recent;
    return followWatch<T>(
      this.opts.path,
      {
        start: async (signal, relist) => {
          // The watch starts from the first page's revision: changes made while later pages were read are
          // replayed, and the reducer drops whatever is older than what a later page already showed.
          const from =
            recent === undefined
              ? await this.list(signal, relist)
              : await headLess(this.opts.path, relist ? 0 : recent, signal);
          this.set({ loading: false, error: undefined });
          return from;
        },
        onEvent: (e) => this.enqueue([e]),
        onBookmark: (rv) => this.setRevision(rv),
        onEnd: () => this.flush(),
        report: (patch) => this.set(patch),
      },
      signal,
    );
  }
}

/** The store's head revision less `back` (at least 1): where a watch of the recent changes starts. */
export async function headLess(path: string, back: number, signal: AbortSignal): Promise<string> {
  const head = await api<{ metadata: { resourceVersion: string } }>(`${path}${path.includes('?') ? '&' : '?'}limit=1`, {
    signal,
  });
  return String(Math.max(1, Number(head.metadata.resourceVersion) - back));
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
