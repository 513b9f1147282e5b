import { open, type FileHandle } from 'node:fs/promises';

/**
 * Makes a SQLite database's write-ahead log durable off the event loop. node:sqlite is synchronous: with
 * synchronous=FULL the fsync of every commit blocks the whole process (about 6 ms on these disks), so nothing else
 * (parsing the next requests, running the next batch) can happen meanwhile. Group commit instead commits a batch
 * with synchronous=NORMAL (the WAL frames reach the OS, not the disk) and then calls `sync()`, an fdatasync of the
 * WAL file on libuv's thread pool; the batch is acknowledged only once that resolved. One fdatasync flushes every
 * frame written before it started, so the commits that ask while one runs share the next one.
 *
 * After a failed fdatasync the kernel may have dropped the dirty pages it could not write, and a later fdatasync
 * can then succeed without them: every later `sync()` fails with the first error (as PostgreSQL stops on a failed
 * fsync), so nothing is acknowledged that may not be on disk; a restart recovers from what the disk holds.
 */
export class WalSync {
  readonly #path: string;
  #handle: Promise<FileHandle> | undefined;
  #running: Promise<void> | undefined;
  #next: Promise<void> | undefined;
  #failed: unknown;
  #closed = false;
  #syncs = 0;

  /** `databaseFile` is the main database file; its log is `<databaseFile>-wal`. */
  constructor(databaseFile: string) {
    this.#path = `${databaseFile}-wal`;
  }

  /** How many fdatasync calls ran (commits per fdatasync show how many shared one). */
  get syncs(): number {
    return this.#syncs;
  }

  /** Resolves once every WAL frame written before this call is on disk. */
  sync(): Promise<void> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    if (this.#running === undefined) {
      this.#running = this.#once().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    // The fdatasync running now may have started before the caller's frames were written: wait for the next one,
    // which every caller until then shares.
    this.#next ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#next = undefined;
        return this.sync();
      });
    return this.#next;
  }

  /** Waits for a running fdatasync and closes the log's file handle. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#next?.catch(() => undefined);
    await this.#running?.catch(() => undefined);
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle) await (await handle.catch(() => undefined))?.close();
  }

  async #once(): Promise<void> {
    if (this.#closed) throw new Error('the store is closed');
    try {
      // The log exists from the first commit on and stays (same inode) while this process's connection is open:
      // SQLite deletes it only when the last connection closes, and truncating or restarting it keeps the file.
      this.#handle ??= open(this.#path, 'r+');
      const handle = await this.#handle;
      this.#syncs++;
      await handle.datasync();
    } catch (e) {
      this.#failed ??= e;
      throw e;
    }
  }
}
