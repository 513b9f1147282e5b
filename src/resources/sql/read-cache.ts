/**
 * The stored text of recently read objects, kept current by the change events in revision order, so that a read
 * answers from memory instead of a round trip to the database (PostgreSQL; see docs/deploy.md). Consistency:
 * - `head`: every change event up to it has been applied to every entry held; an entry also knows the revision it
 *   is exact at (`at`, the database's revision when it was read), and events at or below that pass it by;
 * - an entry is filled only when it is exact at a revision at or after `head` (else events it missed are gone);
 * - a read outside a write answers from an entry only once `head` has reached the database's revision as of a
 *   moment after the read began (a coalesced `select revision`, as kube-apiserver's consistent reads from its watch
 *   cache ask etcd for its current revision): a write acknowledged anywhere (any replica) before the read began is
 *   seen, exactly as when the object is read from the database;
 * - a read inside a write batch (which holds the writer lock, so nothing newer than the batch's start exists) answers
 *   from an entry when `head` has reached the batch's start and no job of the batch has written that key.
 * No entry is answered without these checks; any doubt (a gap, compaction) reads the database.
 */
export interface CachedEntry {
  /** The object's stored text; null when it did not exist. */
  body: string | null;
  /** The revision the entry is exact at. */
  at: number;
}

/** One change event as the cache applies it: the object's identity (`bodyKey`) and its text after the change. */
export interface CacheEvent {
  readonly revision: number;
  readonly id: string;
  /** The stored text after the change; null for a removal. */
  readonly body: string | null;
}

export class ReadCache {
  readonly #entries = new Map<string, CachedEntry>();
  readonly #capacity: number;
  #head: number;
  hits = 0;
  misses = 0;
  /** Reads that waited for other processes' change events (cached-reads.ts). */
  catchUps = 0;
  resets = 0;

  constructor(capacity: number, head = 0) {
    this.#capacity = capacity;
    this.#head = head;
  }

  /** Every change event up to this revision has been applied. */
  get head(): number {
    return this.#head;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Applies every event in (`after`, last], given in revision order with none missing; those up to `head` were
   * applied already. When `after` is beyond `head`, nothing is applied and false is returned: there is a gap, which
   * a read of the events from the database fills.
   */
  apply(after: number, events: readonly CacheEvent[]): boolean {
    if (after > this.#head) return false;
    for (const e of events) {
      if (e.revision <= this.#head) continue;
      const entry = this.#entries.get(e.id);
      if (entry !== undefined && entry.at < e.revision) {
        entry.body = e.body;
        entry.at = e.revision;
      }
      this.#head = e.revision;
    }
    return true;
  }

  /** Forgets every entry and starts over at `head` (changes were compacted away before the cache read them). */
  reset(head: number): void {
    this.resets++;
    this.#entries.clear();
    this.#head = head;
  }

  /** The entry for `id`, or undefined. Marks it recently used. */
  lookup(id: string): CachedEntry | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry;
  }

  /** Keeps `body` as read from the database when it was at revision `at`, if that is not older than `head`. */
  fill(id: string, body: string | null, at: number): void {
    if (this.#capacity === 0 || at < this.#head) return;
    // Nothing held, so no entry can have missed an event: start at this revision.
    if (this.#entries.size === 0) this.#head = at;
    const entry = this.#entries.get(id);
    if (entry !== undefined) {
      if (entry.at < at) {
        entry.body = body;
        entry.at = at;
      }
      return;
    }
    this.#entries.set(id, { body, at });
    if (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/**
 * Reads the database's current revision (or anything else read alike: the live members, for fence checks) for any
 * number of callers: a caller gets the answer of a read that began after it called (so the answer covers every
 * commit made before the call), shared with every caller that arrived while the previous read was running. At most
 * two reads are in flight.
 */
export class RevisionReader<T = number> {
  readonly #read: () => Promise<T>;
  #running: Promise<T> | undefined;
  #next: Promise<T> | undefined;
  /** Reads started. */
  reads = 0;

  constructor(read: () => Promise<T>) {
    this.#read = read;
  }

  current(): Promise<T> {
    if (this.#running === undefined) return this.#start();
    // The running read may have begun before this call: wait for it, then share the next one.
    if (this.#next === undefined) {
      const after = this.#running;
      this.#next = after.then(
        () => this.#start(),
        () => this.#start(),
      );
    }
    return this.#next;
  }

  #start(): Promise<T> {
    this.#next = undefined;
    this.reads++;
    const p = this.#read();
    this.#running = p;
    const done = (): void => {
      if (this.#running === p) this.#running = undefined;
    };
    p.then(done, done);
    return p;
  }
}
