import { ClusterUnreachableError } from '../../driver.ts';
import type { ResourceInfo } from './discovery.ts';
import { collectionPath } from './discovery.ts';
import type { KubeHttp, KubeResponse, WatchEvent } from './kube-http.ts';
import { statusMessage } from './kube-http.ts';

type Json = Record<string, unknown>;

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface InformerOptions<T> {
  readonly http: KubeHttp;
  readonly resource: ResourceInfo;
  readonly labelSelector?: string;
  /** What is kept of each object (objects arrive whole; a pod needs a dozen fields). */
  readonly reduce: (obj: Json) => T;
  /** Called for every change after the first list: watch events, and differences found by a relist. */
  readonly onChange?: (type: ChangeType, next: T | undefined, prev: T | undefined) => void;
  /** Index keys of an object (e.g. `ns:<namespace>`), to find objects without scanning them all. */
  readonly index?: (value: T) => readonly string[];
  /**
   * A watch that hears nothing (no event, no bookmark) this long is opened again from the last resourceVersion,
   * without a relist and without counting as a fault (a quiet resource type gets no bookmarks).
   */
  readonly idleMs: number;
}

interface Entry<T> {
  readonly rv: string;
  readonly value: T;
}

export type InformerState = 'new' | 'synced' | 'unavailable';

/**
 * A list-then-watch cache of one resource (client-go's reflector, reduced): one paginated list, then a watch
 * from its resourceVersion with bookmarks, opened again when the server closes it, relisted when the server
 * says the version is gone (410), retried with back-off while the cluster cannot be reached. Reads never make a
 * request; `ensure()` makes the cache usable (listing or reconnecting now), or throws ClusterUnreachableError.
 */
export class Informer<T> {
  readonly resource: ResourceInfo;
  state: InformerState = 'new';
  /** Why the resource cannot be listed (403, 404), when `state` is unavailable. */
  problem: string | undefined;
  connected = false;
  /** The verb the API server refused (403) on this resource, until a list and watch succeed again. */
  denied: 'list' | 'watch' | undefined;
  private readonly opts: InformerOptions<T>;
  private readonly entries = new Map<string, Entry<T>>();
  private readonly indexed = new Map<string, Map<string, T>>();
  private rv = '';
  private stopWatch: (() => void) | undefined;
  private listing: Promise<void> | undefined;
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private refusedAt = 0;
  private stopped = false;

  constructor(opts: InformerOptions<T>) {
    this.opts = opts;
    this.resource = opts.resource;
  }

  /** The object `namespace/name` (`/name` when cluster-scoped), as reduced. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.entries.get(`${namespace ?? ''}/${name}`)?.value;
  }

  values(): IterableIterator<T> {
    return mapValues(this.entries.values());
  }

  /** Takes in an object the caller just wrote (the answer of its PATCH), ahead of the watch event. */
  put(obj: Json): void {
    const meta = obj.metadata as Json;
    const rv = String(meta.resourceVersion ?? '');
    const key = keyOf(meta);
    const old = this.entries.get(key);
    if (old && compareVersions(old.rv, rv) >= 0) return;
    this.set(key, { rv, value: this.opts.reduce(obj) });
  }

  forget(namespace: string | undefined, name: string): void {
    this.remove(`${namespace ?? ''}/${name}`);
  }

  /** Objects under one index key. */
  byIndex(key: string): T[] {
    const found = this.indexed.get(key);
    return found ? [...found.values()] : [];
  }

  /** Lists if never listed, reconnects the watch if it is down; throws ClusterUnreachableError if it cannot. */
  async ensure(): Promise<void> {
    if (this.stopped) throw new Error(`the ${this.resource.plural} cache is closed`);
    // A resource the cluster refused to list is asked again only now and then; callers fall back meanwhile.
    if (this.state === 'unavailable' && Date.now() - this.refusedAt < 60_000) return;
    if (this.state === 'new' || this.state === 'unavailable') return this.relist();
    if (this.connected) return;
    if (this.listing) return this.listing;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const opened = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.stopWatch) this.watch();
    return opened;
  }

  /**
   * A refusal (403, 404) is asked again at the next ensure() rather than after a minute: the API server that
   * refused may have been starting, with its RBAC roles not loaded yet.
   */
  retryRefused(): void {
    if (this.state === 'unavailable') this.refusedAt = 0;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.connected = false;
    this.settle(new Error('closed'));
  }

  private relist(): Promise<void> {
    this.listing ??= this.list().finally(() => (this.listing = undefined));
    return this.listing;
  }

  private async list(): Promise<void> {
    this.stopWatch?.();
    this.stopWatch = undefined;
    this.connected = false;
    const fresh = new Map<string, Entry<T>>();
    let cont = '';
    let rv = '';
    do {
      const query = new URLSearchParams({ limit: '500' });
      if (this.opts.labelSelector) query.set('labelSelector', this.opts.labelSelector);
      if (cont) query.set('continue', cont);
      const answer = await this.opts.http.request('GET', `${collectionPath(this.resource)}?${query}`);
      if (answer.status === 410 && cont) {
        // The continue token expired mid-way: start over.
        fresh.clear();
        cont = '';
        continue;
      }
      // A server that cannot list right now (500 while it starts: `the server is currently unable to handle the
      // request`) is not a kind it refuses: the cache stays as it is and the list is tried again.
      if (answer.status >= 500)
        throw new ClusterUnreachableError(
          this.opts.http.cluster,
          `the API server could not list ${this.resource.plural} (${answer.status}): ${statusMessage(answer)}`,
        );
      if (answer.status !== 200) {
        this.denied = answer.status === 403 ? 'list' : undefined;
        this.state = 'unavailable';
        this.problem = statusMessage(answer);
        this.refusedAt = Date.now();
        return;
      }
      const body = answer.body as { items?: Json[]; metadata?: Json };
      for (const item of body.items ?? []) {
        const obj: Json = { apiVersion: this.resource.apiVersion, kind: this.resource.kind, ...item };
        const meta = (obj.metadata ?? {}) as Json;
        fresh.set(keyOf(meta), { rv: String(meta.resourceVersion ?? ''), value: this.opts.reduce(obj) });
      }
      cont = String(body.metadata?.continue ?? '');
      rv = String(body.metadata?.resourceVersion ?? '');
    } while (cont);
    const wasSynced = this.state === 'synced';
    const before = new Map(this.entries);
    for (const k of before.keys()) if (!fresh.has(k)) this.remove(k);
    for (const [k, e] of fresh) this.set(k, e);
    if (wasSynced && this.opts.onChange) {
      for (const [k, e] of fresh) {
        const old = before.get(k);
        if (!old) this.opts.onChange('ADDED', e.value, undefined);
        else if (old.rv !== e.rv) this.opts.onChange('MODIFIED', e.value, old.value);
      }
      for (const [k, e] of before) if (!fresh.has(k)) this.opts.onChange('DELETED', undefined, e.value);
    }
    this.rv = rv;
    this.state = 'synced';
    this.problem = undefined;
    if (this.stopped) return;
    // Listed means watching too: wait for the watch to open (a failure to open is retried in the background).
    const opened = new Promise<void>((resolve) => this.waiters.push({ resolve, reject: () => resolve() }));
    this.watch();
    await opened;
  }

  private watch(): void {
    const query = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      resourceVersion: this.rv,
      // Like client-go: the server ends the watch after a while (5–10 minutes) and it is opened again from the
      // last version, so a watch never outlives a load balancer's idea of an idle connection for long.
      timeoutSeconds: String(300 + Math.floor(Math.random() * 300)),
    });
    if (this.opts.labelSelector) query.set('labelSelector', this.opts.labelSelector);
    let gone = false;
    this.stopWatch = this.opts.http.watch(`${collectionPath(this.resource)}?${query}`, this.opts.idleMs, {
      onOpen: () => {
        this.connected = true;
        this.denied = undefined;
        this.failures = 0;
        this.settle();
      },
      onEvent: (e) => {
        if (gone) return;
        if (this.apply(e) === 'gone') {
          gone = true;
          this.stopWatch?.();
          this.ended({ status: 410, body: e.object, text: '' });
        }
      },
      onEnd: (why) => this.ended(why),
    });
  }

  /** Applies one watch event; 'gone' when the server says the version is too old (a relist is due). */
  private apply(e: WatchEvent): 'ok' | 'gone' {
    const meta = (e.object.metadata ?? {}) as Json;
    if (e.type === 'ERROR') return e.object.code === 410 ? 'gone' : 'ok';
    if (typeof meta.resourceVersion === 'string') this.rv = meta.resourceVersion;
    if (e.type === 'BOOKMARK') return 'ok';
    const key = keyOf(meta);
    const old = this.entries.get(key);
    if (e.type === 'DELETED') {
      this.remove(key);
      if (old) this.opts.onChange?.('DELETED', undefined, old.value);
      return 'ok';
    }
    if (e.type !== 'ADDED' && e.type !== 'MODIFIED') return 'ok';
    const obj = { apiVersion: this.resource.apiVersion, kind: this.resource.kind, ...e.object };
    const rv = String(meta.resourceVersion ?? '');
    // Our own write may already be here, taken from its answer: an event no newer changes nothing.
    if (old && compareVersions(old.rv, rv) >= 0) return 'ok';
    const value = this.opts.reduce(obj);
    this.set(key, { rv, value });
    this.opts.onChange?.(old ? 'MODIFIED' : 'ADDED', value, old?.value);
    return 'ok';
  }

  private set(key: string, entry: Entry<T>): void {
    const old = this.entries.get(key);
    if (old) this.unindex(key, old.value);
    this.entries.set(key, entry);
    for (const ix of this.opts.index?.(entry.value) ?? []) {
      let bucket = this.indexed.get(ix);
      if (!bucket) this.indexed.set(ix, (bucket = new Map()));
      bucket.set(key, entry.value);
    }
  }

  private remove(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.unindex(key, old.value);
  }

  private unindex(key: string, value: T): void {
    for (const ix of this.opts.index?.(value) ?? []) {
      const bucket = this.indexed.get(ix);
      bucket?.delete(key);
      if (bucket?.size === 0) this.indexed.delete(ix);
    }
  }

  private ended(why: KubeResponse | ClusterUnreachableError | undefined): void {
    this.stopWatch = undefined;
    this.connected = false;
    if (this.stopped) return;
    if (why === undefined) {
      this.watch(); // the server closed the watch (timeoutSeconds), or it was quiet: go on from the last version
      return;
    }
    if (!(why instanceof ClusterUnreachableError) && why.status === 403) {
      // Listed, but not allowed to watch: the cluster's role lacks the right. Callers read by request meanwhile,
      // the driver reports the missing right, and a list and watch are tried again after a while (ensure()).
      this.denied = 'watch';
      this.state = 'unavailable';
      this.problem = statusMessage(why);
      this.refusedAt = Date.now();
      this.settle();
      return;
    }
    if (!(why instanceof ClusterUnreachableError) && why.status === 410) {
      this.relist().then(
        () => this.settle(),
        (e: Error) => this.retryLater(e),
      );
      return;
    }
    const error =
      why instanceof ClusterUnreachableError
        ? why
        : new ClusterUnreachableError(
            this.opts.http.cluster,
            `watch of ${this.resource.plural} refused (${why.status}): ${statusMessage(why)}`,
          );
    this.retryLater(error);
  }

  private retryLater(error: Error): void {
    this.settle(error);
    if (this.stopped) return;
    this.failures++;
    const delay = Math.min(30_000, 500 * 2 ** Math.min(this.failures - 1, 6));
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopped || this.stopWatch || this.listing) return;
      if (this.state === 'synced') this.watch();
      else void this.relist().catch((e: Error) => this.retryLater(e));
    }, delay);
    this.retryTimer.unref();
  }

  private settle(error?: Error): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting)
      if (error) w.reject(error);
      else w.resolve();
  }
}

function keyOf(meta: Json): string {
  return `${typeof meta.namespace === 'string' ? meta.namespace : ''}/${String(meta.name)}`;
}

/**
 * Orders two resourceVersions. They are opaque to clients in general, but every API server in use (etcd's
 * revision) gives decimal integers; anything else compares as unordered (0), which takes the newer event.
 */
export function compareVersions(a: string, b: string): number {
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return a === b ? 0 : -1;
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

function* mapValues<T>(entries: IterableIterator<Entry<T>>): IterableIterator<T> {
  for (const e of entries) yield e.value;
}
