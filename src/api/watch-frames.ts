import type { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { markRevisions, tracingChanges } from '../kernel/change-trace.ts';

const CRLF = Buffer.from('\r\n', 'latin1');

let frameIds = 0;

/**
 * One watch frame, encoded once: an event shared by a hundred watchers is one Buffer (and one chunk-framed copy),
 * not a string that each watcher's socket encodes again.
 */
export class WatchFrame {
  /** Names the frame in the key of a joined run (see `joined`). */
  readonly id = frameIds++;
  readonly bytes: Buffer;
  #chunk: Buffer | undefined;

  constructor(text: string) {
    this.bytes = Buffer.from(text, 'utf8');
  }

  /** The frame as one HTTP/1.1 chunk (size line, data, CRLF), built on first use and shared from then on. */
  get chunk(): Buffer {
    return (this.#chunk ??= Buffer.concat([
      Buffer.from(`${this.bytes.length.toString(16)}\r\n`, 'latin1'),
      this.bytes,
      CRLF,
    ]));
  }
}

/**
 * Runs of frames joined into one Buffer, shared by every stream that sends the same run in this turn: the watchers
 * of one format and filter get the same events of a commit, joined once rather than once per watcher. Emptied once
 * the turn's synchronous work is done.
 */
const joinedRuns = new Map<string, Buffer>();

function joined(frames: readonly WatchFrame[], chunked: boolean): Buffer {
  const piece = (f: WatchFrame) => (chunked ? f.chunk : f.bytes);
  if (frames.length === 1) return piece(frames[0]!);
  const key = `${chunked ? 'c' : 'r'}${frames.map((f) => f.id).join(',')}`;
  let run = joinedRuns.get(key);
  if (run === undefined) {
    if (joinedRuns.size === 0) process.nextTick(() => joinedRuns.clear());
    joinedRuns.set(key, (run = Buffer.concat(frames.map(piece))));
  }
  return run;
}

/**
 * Writes frames to one watch response. Frames wait until `flush()` (the feed has passed the turn's commits to every
 * subscriber) or, at the latest, until the turn's synchronous work is done (a bookmark, a heartbeat, a catch-up from
 * the store), and then leave in **one socket write**: one Buffer, already chunk-framed and, for a run of several
 * frames, joined once for every stream that sends the same run. ServerResponse.write would make four writes per
 * frame (size, CRLF, data, CRLF) and encode the string again for each watcher. `end()` sends what waits, then
 * `res.end()` writes the last chunk, so keep-alive and the end of the stream stay the server's. A response whose
 * socket is not yet its own (a pipelined request behind another) or not a network socket (an injected request) gets
 * its frames through `res.write`.
 */
export class WatchFrameWriter {
  readonly #res: ServerResponse;
  #pending: WatchFrame[] = [];
  #pendingBytes = 0;
  #flushQueued = false;
  /** The revisions of the pending event frames, for change tracing (kernel/change-trace.ts). */
  #revisions: { first: number; last: number } | undefined;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** Bytes written and not yet taken by the kernel (what a slow reader leaves unread), the waiting frames included. */
  get unsent(): number {
    return this.#res.writableLength + this.#pendingBytes;
  }

  get ended(): boolean {
    return this.#res.writableEnded || this.#res.destroyed;
  }

  /**
   * Queues a frame; `revision` names the change event it carries (for change tracing). The frame leaves at the next
   * `flush()` or, unless `byFlush` (the change feed's events: its batch end flushes them), once the turn's
   * synchronous work is done.
   */
  write(frame: WatchFrame, revision?: number, byFlush = false): void {
    this.#pending.push(frame);
    this.#pendingBytes += frame.bytes.length;
    if (revision !== undefined) {
      if (this.#revisions) this.#revisions.last = revision;
      else this.#revisions = { first: revision, last: revision };
    }
    if (!this.#flushQueued && !byFlush) {
      this.#flushQueued = true;
      process.nextTick(() => this.flush());
    }
  }

  /** Sends the waiting frames now. */
  flush(): void {
    this.#flushQueued = false;
    const frames = this.#pending;
    const revisions = this.#revisions;
    if (frames.length === 0) return;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#revisions = undefined;
    if (this.ended) return;
    const res = this.#res;
    const socket = res.socket;
    // The head is out and nothing of the response waits in its own buffer: the socket is the stream's.
    if (socket instanceof Socket && res.headersSent && res.writableLength === socket.writableLength)
      socket.write(joined(frames, res.chunkedEncoding));
    else for (const f of frames) res.write(f.bytes);
    if (revisions && tracingChanges()) markRevisions('written', revisions.first - 1, revisions.last);
  }

  /** Sends the waiting frames and ends the response. */
  end(): void {
    this.flush();
    this.#res.end();
  }
}
