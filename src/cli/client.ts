import type { StatusBody } from './cli-errors.ts';
import { ApiError, CliError, EXIT } from './cli-errors.ts';
import type { SseEvent } from './sse.ts';
import { parseSse } from './sse.ts';

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** A string is sent as is (with contentType); anything else as JSON. */
  readonly body?: unknown;
  readonly contentType?: string;
}

/** A watch event as polis streams it. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: Record<string, unknown>;
  /** The revision of the event (the SSE id). */
  readonly revision?: string;
}

/** Turns a server-sent ERROR event's body into an error with the same exit code as the HTTP status would give. */
export function watchEventError(object: Record<string, unknown>): ApiError {
  const body = object as Partial<StatusBody>;
  const status = typeof body.code === 'number' ? body.code : 500;
  const hint =
    status === 410
      ? 'the watch fell too far behind the server’s history; run the command again to start from now'
      : undefined;
  return new ApiError(status, body, { hint });
}

/** The polis HTTP API over global fetch: JSON in and out, errors as ApiError, network failures exit 6. */
export class PolisClient {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly signal: AbortSignal | undefined;
  constructor(server: string, token: string | undefined, signal?: AbortSignal) {
    this.server = server;
    this.token = token;
    this.signal = signal;
  }

  url(path: string, query: Readonly<Record<string, QueryValue>> = {}): string {
    const u = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u.toString();
  }

  async get<T>(path: string, query?: Readonly<Record<string, QueryValue>>): Promise<T> {
    return this.request<T>('GET', path, { query });
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
    }
    const res = await this.fetch(this.url(path, opts.query), { method, headers, body, signal: this.signal });
    const text = await res.text().catch((e: unknown) => {
      throw this.unreachable(e);
    });
    if (!res.ok) throw this.apiError(res.status, text);
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(`the server at ${this.server} answered ${method} ${path} with something that is not JSON`, {
        exitCode: EXIT.unreachable,
        hint: 'is this address a polis server? polis version shows what answers there',
      });
    }
  }

  /**
   * GET a text answer as it arrives (a log, followed), chunk by chunk, until the server ends it or the client's
   * signal aborts.
   */
  async stream(
    path: string,
    query: Readonly<Record<string, QueryValue>>,
    onText: (text: string) => void,
  ): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/plain' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.fetch(this.url(path, query), { headers, signal: this.signal });
    if (!res.ok) throw this.apiError(res.status, await res.text().catch(() => ''));
    if (!res.body) return;
    try {
      for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) onText(chunk);
    } catch (err) {
      if (this.signal?.aborted) return;
      throw this.unreachable(err);
    }
  }

  /** GET a file (an export): its bytes and the file name the server suggests. */
  async download(
    path: string,
    query?: Readonly<Record<string, QueryValue>>,
  ): Promise<{ data: Buffer; filename?: string; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.fetch(this.url(path, query), { headers, signal: this.signal });
    if (!res.ok) throw this.apiError(res.status, await res.text().catch(() => ''));
    const data = Buffer.from(await res.arrayBuffer());
    const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
    return { data, ...(filename ? { filename } : {}), headers: res.headers };
  }

  /**
   * Streams a watch (`?watch=true`, server-sent events) until the signal aborts or the server ends the stream.
   * Returns the last revision seen, to resume from.
   */
  async watch(
    path: string,
    query: Readonly<Record<string, QueryValue>>,
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.fetch(this.url(path, { ...query, watch: true }), { headers, signal });
    if (!res.ok) throw this.apiError(res.status, await res.text().catch(() => ''));
    if (!res.body) return undefined;
    let last: string | undefined = typeof query.resourceVersion === 'string' ? query.resourceVersion : undefined;
    try {
      for await (const e of parseSse(res.body.pipeThrough(new TextDecoderStream()))) {
        const parsed = parseEvent(e);
        if (!parsed) continue;
        if (parsed.type === 'ERROR') throw watchEventError(parsed.object);
        if (e.id !== undefined) last = e.id;
        onEvent(parsed);
      }
    } catch (err) {
      if (signal.aborted) return last;
      if (err instanceof CliError) throw err;
      throw this.unreachable(err);
    }
    return last;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (e) {
      throw this.unreachable(e, init.signal ?? undefined);
    }
  }

  private unreachable(e: unknown, signal: AbortSignal | undefined = this.signal): CliError {
    if (signal?.aborted) return new CliError('interrupted', { exitCode: EXIT.interrupted });
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (e as Error).message;
    return new CliError(`cannot reach the polis server at ${this.server} (${why})`, {
      exitCode: EXIT.unreachable,
      hint: 'is it running (polis serve)? check the address with polis whoami, or set POLIS_SERVER',
    });
  }

  private apiError(status: number, text: string): ApiError {
    let body: Partial<StatusBody> = {};
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object') body = parsed as Partial<StatusBody>;
    } catch {
      body = { message: `the server answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}` };
    }
    if (typeof body.message !== 'string') body = { ...body, message: `the server answered ${status}` };
    return new ApiError(status, body, { hint: hintFor(status, body) });
  }
}

function parseEvent(e: SseEvent): WatchEvent | undefined {
  if (!e.data) return undefined;
  let payload: { type?: string; object?: unknown };
  try {
    payload = JSON.parse(e.data) as { type?: string; object?: unknown };
  } catch {
    return undefined;
  }
  const type = (payload.type ?? e.event) as WatchEvent['type'];
  if (!['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'].includes(type)) return undefined;
  return { type, object: (payload.object ?? {}) as Record<string, unknown>, revision: e.id };
}

function hintFor(status: number, body: Partial<StatusBody>): string | undefined {
  if (status === 401)
    return 'your token is missing, expired or revoked: run polis login SERVER --token-file FILE (a new token: polis token create, by an admin)';
  if (status === 403 && body.reason === 'QuotaExceeded')
    return 'the department’s quota is used up: free some, or ask the platform admin to raise it (polis describe tenant NAME)';
  if (status === 403)
    return 'polis whoami shows your role bindings; ask your department admin for the role named above';
  if (status === 410) return 'the history you asked for was compacted away; run the command again';
  if (status >= 500)
    return body.requestId ? `the server log has details under request id ${body.requestId}` : undefined;
  return undefined;
}
