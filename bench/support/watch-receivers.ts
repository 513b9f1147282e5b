/**
 * Watch streams received in a worker thread of their own, over plain sockets: each read is copied and stamped with
 * the time it arrived, and nothing else happens until the run is over (no HTTP client, no stream machinery, no
 * parsing). The benchmark's writer runs on the main thread, so its requests and responses do not delay the
 * receipts; what is measured is when the bytes reached this process, not how busy the benchmark itself was.
 *
 * Used as `new WatchReceivers(...)` from the main thread; the same file is the worker's code.
 */
import { connect, type Socket } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** Milliseconds since the epoch, to a fraction of one: comparable across threads and processes on one machine. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export interface StreamTarget {
  readonly host: string;
  readonly port: number;
  /** Path and query of the watch request. */
  readonly path: string;
  readonly token: string;
  readonly streams: number;
}

/** One stream's reads: its raw bytes (head and chunk framing included) and, per read, where it ended and when. */
export interface StreamReads {
  readonly raw: Buffer;
  readonly reads: ReadonlyArray<{ readonly end: number; readonly at: number }>;
}

type Ask = { op: 'seen'; revision: number } | { op: 'collect' };
type Request = Ask & { id: number };
type Reply = { id?: number; opened?: true; error?: string; seen?: boolean; streams?: StreamReads[] };

/** The main thread's handle on the worker. */
export class WatchReceivers {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, (r: Reply) => void>();
  #next = 0;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (r: Reply) => {
      const done = r.id === undefined ? undefined : this.#waiting.get(r.id);
      if (done) {
        this.#waiting.delete(r.id!);
        done(r);
      }
    });
  }

  /** Opens `target.streams` watches and resolves once every one has answered 200. */
  static async open(target: StreamTarget): Promise<WatchReceivers> {
    const worker = new Worker(new URL(import.meta.url), { workerData: target });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (r: Reply) => (r.opened ? resolve() : reject(new Error(r.error))));
      worker.once('error', reject);
    });
    return new WatchReceivers(worker);
  }

  /** Whether every stream has an event with an id at or past `revision`. */
  async seen(revision: number): Promise<boolean> {
    return (await this.#ask({ op: 'seen', revision })).seen === true;
  }

  /** Closes the streams and hands over what each received. */
  async collect(): Promise<StreamReads[]> {
    const reply = await this.#ask({ op: 'collect' });
    await this.#worker.terminate();
    return reply.streams!.map((s) => ({ raw: Buffer.from(s.raw), reads: s.reads }));
  }

  #ask(req: Ask): Promise<Reply> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#worker.postMessage({ ...req, id });
    });
  }
}

/** The worker: one plain socket per stream, every read kept with its time. */
class Stream {
  readonly chunks: Buffer[] = [];
  readonly reads: Array<{ end: number; at: number }> = [];
  length = 0;
  socket: Socket | undefined;
  /** For `seen`: the reads scanned so far, the last bytes of them (an id line cut in two) and the highest id. */
  scanned = 0;
  tail = '';
  maxId = 0;

  open(t: StreamTarget): Promise<void> {
    return new Promise((resolve, reject) => {
      const buffer = Buffer.allocUnsafe(256 * 1024);
      const socket = connect({
        host: t.host,
        port: t.port,
        onread: {
          buffer,
          callback: (n: number, buf: Uint8Array) => {
            const at = epochNow();
            this.chunks.push(Buffer.from(buf.subarray(0, n)));
            this.length += n;
            this.reads.push({ end: this.length, at });
            if (this.reads.length === 1) {
              const head = this.chunks[0]!.toString('latin1', 0, 16);
              if (head.startsWith('HTTP/1.1 200')) resolve();
              else reject(new Error(`watch answered ${head}`));
            }
            return true;
          },
        },
      });
      this.socket = socket;
      socket.on('error', reject);
      socket.on('connect', () =>
        socket.write(
          `GET ${t.path} HTTP/1.1\r\nhost: ${t.host}:${t.port}\r\nauthorization: Bearer ${t.token}\r\n` +
            `accept: text/event-stream\r\n\r\n`,
        ),
      );
    });
  }

  seen(revision: number): boolean {
    for (; this.scanned < this.chunks.length; this.scanned++) {
      const text = this.tail + this.chunks[this.scanned]!.toString('latin1');
      for (const m of text.matchAll(/^id: (\d+)\n/gm)) this.maxId = Math.max(this.maxId, Number(m[1]));
      this.tail = text.slice(-32);
    }
    return this.maxId >= revision;
  }
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const target = workerData as StreamTarget;
  const streams = Array.from({ length: target.streams }, () => new Stream());
  // One at a time, as the benchmark opened them before: the server sees the same sequence of requests.
  try {
    for (const s of streams) await s.open(target);
    port.postMessage({ opened: true } satisfies Reply);
  } catch (e) {
    port.postMessage({ error: String(e) } satisfies Reply);
  }
  port.on('message', (req: Request) => {
    if (req.op === 'seen') port.postMessage({ id: req.id, seen: streams.every((s) => s.seen(req.revision)) });
    else {
      for (const s of streams) s.socket?.destroy();
      port.postMessage({
        id: req.id,
        streams: streams.map((s) => ({ raw: Buffer.concat(s.chunks, s.length), reads: s.reads })),
      } satisfies Reply);
    }
  });
}

/** One stream's events: the id (revision) of each ADDED or MODIFIED event, when it arrived, and faults. */
export interface ParsedStream {
  /** Revision → the time (epoch ms) of the read that completed its event. */
  readonly received: Map<number, number>;
  /** Events repeated, out of order, or whose id is not their object's resourceVersion. */
  readonly disorder: number;
}

/**
 * Undoes the HTTP head and chunk framing of a stream's bytes, then splits the server-sent events; each counts as
 * received when the read holding its last byte arrived.
 */
export function parseStream(s: StreamReads): ParsedStream {
  const { raw, reads } = s;
  // Body pieces with the offset in `raw` where each starts.
  const pieces: Buffer[] = [];
  const starts: Array<{ body: number; raw: number }> = [];
  let bodyLength = 0;
  for (let pos = raw.indexOf('\r\n\r\n') + 4; pos > 3 && pos < raw.length;) {
    const line = raw.indexOf('\r\n', pos);
    if (line < 0) break;
    const size = parseInt(raw.toString('latin1', pos, line), 16);
    if (!(size > 0)) break;
    const end = Math.min(line + 2 + size, raw.length);
    pieces.push(raw.subarray(line + 2, end));
    starts.push({ body: bodyLength, raw: line + 2 });
    bodyLength += end - line - 2;
    pos = end + 2;
  }
  const body = Buffer.concat(pieces, bodyLength);
  const arrival = (bodyOffset: number): number => {
    const piece = lastAtOrBefore(starts, (p) => p.body <= bodyOffset);
    const rawOffset = starts[piece]!.raw + bodyOffset - starts[piece]!.body;
    // The first read that ends past the byte.
    return reads[lastAtOrBefore(reads, (r) => r.end <= rawOffset) + 1]!.at;
  };
  const received = new Map<number, number>();
  let last = 0;
  let disorder = 0;
  for (let from = 0, end: number; (end = body.indexOf('\n\n', from)) >= 0; from = end + 2) {
    let id: number | undefined;
    let type: string | undefined;
    let payload: string | undefined;
    for (const line of body.toString('utf8', from, end).split('\n')) {
      if (line.startsWith('id: ')) id = Number(line.slice(4));
      else if (line.startsWith('event: ')) type = line.slice(7);
      else if (line.startsWith('data: ')) payload = line.slice(6);
    }
    if (id === undefined || (type !== 'ADDED' && type !== 'MODIFIED')) continue;
    const object = (JSON.parse(payload ?? '{}') as { object?: { metadata?: { resourceVersion?: string } } }).object;
    if (Number(object?.metadata?.resourceVersion) !== id) disorder++;
    if (id <= last || received.has(id)) disorder++;
    last = Math.max(last, id);
    received.set(id, arrival(end + 1));
  }
  return { received, disorder };
}

/** The index of the last element for which `before` holds (the elements where it holds come first); -1 if none. */
function lastAtOrBefore<T>(xs: readonly T[], before: (x: T) => boolean): number {
  let lo = -1;
  let hi = xs.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (before(xs[mid]!)) lo = mid;
    else hi = mid;
  }
  return lo;
}
