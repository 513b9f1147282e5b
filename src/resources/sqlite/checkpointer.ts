import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

/**
 * How often the checkpointer copies the log into the database (ms). SQLite's own automatic checkpoint (every 1,000
 * pages of log) would run about as often under a steady write load; this only moves it to another thread.
 */
export const CHECKPOINT_INTERVAL_MS = 200;

/**
 * The main connection's own automatic checkpoint, kept as a fallback (pages of log): it runs only when the
 * checkpointer fell this far behind (stopped, failed, or starved), so the log cannot grow without bound.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** SQLite's default automatic checkpoint (pages of log), restored on the main connection if the checkpointer fails. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/**
 * The worker's code, plain JavaScript that runs as a script or as a module (a worker inherits `--input-type=module`,
 * hence `process.getBuiltinModule`, not `require`): its own connection to the database file, and a
 * PASSIVE checkpoint every interval. A passive checkpoint waits for no reader or writer (the main connection keeps
 * writing meanwhile); it fsyncs the log before copying and the database after, as SQLite's automatic one does.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
let db;
let checkpoint;
let stopped = false;
let timer;
const stop = (e) => {
  stopped = true;
  clearTimeout(timer);
  try { db?.close(); } catch {}
  if (e !== undefined) parentPort.postMessage({ failed: String((e && e.message) || e) });
  parentPort.close();
};
try {
  db = new DatabaseSync(workerData.file);
  // Opening waits for the main connection's locks (its first migration, say); this thread may wait, it holds
  // nothing up. A passive checkpoint never calls the busy handler.
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA synchronous = FULL');
  db.exec('PRAGMA wal_autocheckpoint = 0');
  checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
} catch (e) {
  stop(e);
}
const tick = () => {
  if (stopped) return;
  try {
    const row = checkpoint.get();
    parentPort.postMessage({ checkpointed: Number(row.checkpointed) });
  } catch (e) {
    // SQLITE_BUSY (another checkpoint runs): try again at the next tick. Anything else: stop and say so.
    if ((e.errcode & 0xff) !== 5) return stop(e);
  }
  timer = setTimeout(tick, workerData.intervalMs);
};
if (!stopped) {
  timer = setTimeout(tick, workerData.intervalMs);
  parentPort.on('message', (m) => {
    if (m === 'close' && !stopped) stop();
  });
}
`;

/**
 * Checkpoints a SQLite database in WAL mode on a worker thread, so the copy of the log into the database and its two
 * fsyncs never stop the event loop. node:sqlite is synchronous: with SQLite's automatic checkpoint, the commit that
 * crosses 1,000 pages of log runs the whole checkpoint inside itself, on the event loop, and every request and
 * batch of the process waits for it (tens of ms under load; a tail of the writes benchmark). Durability is SQLite's
 * own: a checkpoint only copies frames that are already durable in the log, and a crash in the middle of one is
 * recovered from the log on the next open.
 */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<unknown>;
  #checkpoints = 0;
  #failed: unknown;
  #closed = false;

  /**
   * `file` is the database file; `onFailure` runs once if the worker fails (the caller turns the main connection's
   * automatic checkpoint back on).
   */
  constructor(file: string, onFailure: (error: unknown) => void, intervalMs = CHECKPOINT_INTERVAL_MS) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs } });
    this.#worker.unref();
    this.#exited = once(this.#worker, 'exit');
    const fail = (e: unknown): void => {
      if (this.#failed !== undefined) return;
      this.#failed = e;
      onFailure(e);
    };
    this.#worker.on('message', (m: { checkpointed?: number; failed?: string }) => {
      if (m.failed !== undefined) fail(new Error(`the SQLite checkpointer stopped: ${m.failed}`));
      else if ((m.checkpointed ?? 0) > 0) this.#checkpoints++;
    });
    this.#worker.on('error', fail);
  }

  /** How many checkpoints copied at least one page (for tests). */
  get checkpoints(): number {
    return this.#checkpoints;
  }

  /** The error the worker failed with, if it did. */
  get failure(): unknown {
    return this.#failed;
  }

  /** Stops the worker after its current checkpoint and closes its connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A worker that failed has closed its connection and ended by itself; one that runs closes it on this message.
    // Referenced again, so that this process waits for the worker's exit instead of ending with the close unsettled.
    this.#worker.ref();
    this.#worker.postMessage('close');
    await this.#exited;
  }
}
