import type { ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { markRevisions, tracingChanges } from '../kernel/change-trace.ts';

const CRLF = Buffer.from('\r\n', 'latin1');

/**
 * One watch frame, encoded once: an event shared by a hundred watchers is one Buffer (and one chunk-framed copy),
 * not a string that each watcher's socket encodes again.
 */
export class WatchFrame {
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
 * Writes frames to one watch response. Once the response's head has gone out, a frame goes straight to the socket,
 * already chunk-framed: one socket write of a shared Buffer per frame, where ServerResponse.write makes four (size,
 * CRLF, data, CRLF) and encodes the string again for each watcher. `res.end()` still writes the last chunk, so
 * keep-alive and the end of the stream stay the server's. A response whose socket is not yet its own (a pipelined
 * request behind another) or not a network socket (an injected request) goes through `res.write`.
 *
 * Frames written together leave in one socket write, not a system call each: the first corks the socket until
 * `flush()` (the feed has passed a commit's events to every subscriber) or, at the latest, until the turn's
 * synchronous work is done (a bookmark, a heartbeat, a catch-up from the store). (The socket's cork, not the
 * response's: ServerResponse.uncork sends each buffered chunk with writes of its own.)
 */
export class WatchFrameWriter {
  readonly #res: ServerResponse;
  #corked: Socket | undefined;
  /** With change tracing on: the revisions of the event frames waiting in the cork (kernel/change-trace.ts). */
  #traced: { after: number; through: number } | undefined;

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  /** Bytes written and not yet taken by the kernel (what a slow reader leaves unread). */
  get unsent(): number {
    return this.#res.writableLength;
  }

  get ended(): boolean {
    return this.#res.writableEnded || this.#res.destroyed;
  }

  /** Writes a frame; `revision` names the change event it carries (for change tracing). */
  write(frame: WatchFrame, revision?: number): void {
    const res = this.#res;
    const socket = res.socket;
    // The head is out and nothing of the response waits in its own buffer: the socket is the stream's. (Not a
    // connection's socket, such as an injected request's stand-in: the response's own write path.)
    const direct = socket instanceof Socket && res.headersSent && res.writableLength === socket.writableLength;
    if (direct && this.#corked === undefined) {
      this.#corked = socket;
      socket.cork();
      process.nextTick(() => this.#uncork());
    }
    if (!direct) res.write(frame.bytes);
    else socket.write(res.chunkedEncoding ? frame.chunk : frame.bytes);
    if (revision !== undefined && tracingChanges()) {
      if (!direct) markRevisions('written', revision - 1, revision);
      else if (this.#traced) this.#traced.through = revision;
      else this.#traced = { after: revision - 1, through: revision };
    }
  }

  /** Sends what this turn wrote so far now, instead of when the turn's synchronous work is done. */
  flush(): void {
    this.#uncork();
  }

  #uncork(): void {
    const socket = this.#corked;
    this.#corked = undefined;
    if (socket && !socket.destroyed) socket.uncork();
    const traced = this.#traced;
    this.#traced = undefined;
    if (traced) markRevisions('written', traced.after, traced.through);
  }
}
