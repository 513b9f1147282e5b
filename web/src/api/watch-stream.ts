import { ApiError, apiErrorFrom, responseError } from './api-error.ts';
import { authHeaders } from './client.ts';
import { SseParser } from './sse.ts';
import type { KubeObject, WatchEvent } from './watch-reducer.ts';

export interface WatchHandlers<T extends KubeObject> {
  onEvent(e: WatchEvent<T>, revision: string | undefined): void;
  /** A BOOKMARK: nothing changed up to this resourceVersion. */
  onBookmark(resourceVersion: string): void;
}

/** How a watch stream ended: the server closed it, or it refused or broke it with an error. */
export type WatchEnd = { readonly kind: 'closed' } | { readonly kind: 'error'; readonly error: ApiError };

/**
 * One watch over server-sent events (`GET …?watch=true`, docs/api.md "Watch"), read with fetch so that the bearer
 * token goes in a header (EventSource cannot send one). Resolves when the stream ends; a 410 Gone, before the
 * stream or as an ERROR event, comes back as an error with code 410, which tells the caller to list again.
 */
export async function readWatch<T extends KubeObject>(
  url: string,
  handlers: WatchHandlers<T>,
  signal: AbortSignal,
): Promise<WatchEnd> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'text/event-stream', ...authHeaders() }, signal, cache: 'no-store' });
  } catch (e) {
    if (signal.aborted) return { kind: 'closed' };
    return { kind: 'error', error: new ApiError(0, 'NetworkError', (e as Error).message) };
  }
  if (!res.ok || !res.body) return { kind: 'error', error: await responseError(res) };
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { kind: 'closed' };
      for (const sse of parser.push(value)) {
        if (sse.event === 'ERROR') {
          let body: unknown;
          try {
            body = (JSON.parse(sse.data) as { object?: unknown }).object;
          } catch {
            body = undefined;
          }
          return { kind: 'error', error: apiErrorFrom(500, body, sse.data) };
        }
        let parsed: { type?: string; object?: T };
        try {
          parsed = JSON.parse(sse.data) as { type?: string; object?: T };
        } catch {
          continue;
        }
        if (sse.event === 'BOOKMARK') {
          const rv = parsed.object?.metadata?.resourceVersion ?? sse.id;
          if (rv) handlers.onBookmark(rv);
          continue;
        }
        const type = parsed.type ?? sse.event;
        if ((type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') && parsed.object?.metadata)
          handlers.onEvent({ type, object: parsed.object }, sse.id);
      }
    }
  } catch (e) {
    if (signal.aborted) return { kind: 'closed' };
    return { kind: 'error', error: new ApiError(0, 'NetworkError', (e as Error).message) };
  } finally {
    reader.releaseLock();
  }
}
