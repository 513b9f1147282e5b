import { open, type FileHandle } from 'node:fs/promises';

/**
 * How many fdatasync calls of the log may run at once (each on its own file descriptor, on libuv's thread pool of
 * four). One more commit while all are running waits for the first to end, then shares the next with every commit
 * until then.
 */
export const MAX_CONCURRENT_SYNCS = 3;

/**
 * Makes a SQLite database's write-ahead log durable off the event loop. node:sqlite is synchronous: with
 * synchronous=FULL the fsync of every commit blocks the whole process (about 6 ms on these disks), so nothing else
 * (parsing the next requests, running the next batch) can happen meanwhile. Group commit instead commits a batch
 * with synchronous=NORMAL (the WAL frames reach the OS, not the disk) and then calls `sync()`, an fdatasync of the
 * WAL file on libuv's thread pool; the batch is acknowledged only once that resolved.
 *
 * Each `sync()` starts its own fdatasync at once while fewer than `maxConcurrent` run: a commit made while one runs
 * no longer waits for it to end and then for a whole second one (a flush of two fdatasyncs was the tail of the
 * writes benchmark; on these disks overlapping calls are not serialized, see docs/store.md). Past that, callers share the
 * next one to start. A call resolves only after every call started before it has ended, so acknowledgements keep
 * commit order.
 *
 * After a failed fdatasync the kernel may have dropped the dirty pages it could not write, and a later fdatasync
 * can then succeed without them: every later `sync()` fails with the first error (as PostgreSQL stops on a failed
 * fsync), so nothing is acknowledged that may not be on disk; a restart recovers from what the disk holds. The
 * kernel reports a writeback error once per open file description, to the first fdatasync through it that checks:
 * each concurrent call therefore has a descriptor of its own (all opened together, before the first call), so a
 * call that overlapped a failed writeback hears of it itself, and a call that ends after an earlier-started call
 * failed fails too.
 */
export class WalSync {
  readonly #path: string;
  readonly #maxConcurrent: number;
  #handles: Promise<FileHandle[]> | undefined;
  /** Descriptors no running call uses (filled once the handles are open). */
  #free: FileHandle[] | undefined;
  #running = 0;
  /** Settles when every call started so far has ended (successful or not). */
  #tail: Promise<void> = Promise.resolve();
  /** Callers waiting for a descriptor: they share the next call to start. */
  #next: { promise: Promise<void>; start: () => void } | undefined;
  #failed: unknown;
  #closed = false;
  #syncs = 0;

  /** `databaseFile` is the main database file; its log is `<databaseFile>-wal`. */
  constructor(databaseFile: string, maxConcurrent = MAX_CONCURRENT_SYNCS) {
    this.#path = `${databaseFile}-wal`;
    this.#maxConcurrent = Math.max(1, maxConcurrent);
  }

  /** How many fdatasync calls ran (commits per fdatasync show how many shared one). */
  get syncs(): number {
    return this.#syncs;
  }

  /** Resolves once every WAL frame written before this call is on disk. */
  sync(): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#running < this.#maxConcurrent) return this.#start();
    // Every descriptor is busy: wait for the first to come free, sharing that call with everyone until then.
    if (this.#next === undefined) {
      let start!: () => void;
      const promise = new Promise<void>((resolve, reject) => {
        start = () => {
          this.#next = undefined;
          this.#start().then(resolve, reject);
        };
      });
      this.#next = { promise, start };
    }
    return this.#next.promise;
  }

  /** Waits for the running fdatasync calls and closes the log's file handles. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#next?.start();
    await this.#tail;
    const handles = this.#handles;
    this.#handles = undefined;
    const open = handles ? await handles.catch(() => []) : [];
    await Promise.all(open.map((h) => h.close().catch(() => undefined)));
  }

  /** One fdatasync, started now on a free descriptor; its result waits for every call started before it. */
  #start(): Promise<void> {
    this.#running++;
    const call = this.#once().finally(() => {
      this.#running--;
      this.#next?.start();
    });
    const earlier = this.#tail;
    const ordered = Promise.all([
      earlier,
      call.then(
        () => undefined,
        (e: unknown) => ({ error: e }),
      ),
    ]).then(([, own]) => {
      // A call started earlier (or this one) failed: what this one flushed may rely on pages that write dropped.
      if (this.#failed !== undefined) throw this.#failed;
      // This one did not run (the store closed first).
      if (own !== undefined) throw own.error;
    });
    this.#tail = ordered.catch(() => undefined);
    return ordered;
  }

  async #once(): Promise<void> {
    if (this.#closed) throw new Error('the store is closed');
    let handle: FileHandle | undefined;
    try {
      // The log exists from the first commit on and stays (same inode) while this process's connection is open:
      // SQLite deletes it only when the last connection closes, and truncating or restarting it keeps the file.
      // Every descriptor is opened before the first fdatasync, so each sees every writeback error from then on.
      this.#handles ??= openAll(this.#path, this.#maxConcurrent);
      const handles = await this.#handles;
      this.#free ??= [...handles];
      handle = this.#free.pop();
      if (handle === undefined) throw new Error('no free descriptor for the log flush');
      this.#syncs++;
      await handle.datasync();
    } catch (e) {
      this.#failed ??= e;
      throw e;
    } finally {
      if (handle) this.#free!.push(handle);
    }
  }
}

/** `count` descriptors of `path`, or none: when one cannot be opened, those that were are closed again. */
async function openAll(path: string, count: number): Promise<FileHandle[]> {
  const opened = await Promise.allSettled(Array.from({ length: count }, () => open(path, 'r+')));
  const handles = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = opened.find((r) => r.status === 'rejected');
  if (failure === undefined) return handles;
  await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  throw failure.reason;
}
