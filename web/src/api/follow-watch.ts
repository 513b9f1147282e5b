import type { ApiError } from './api-error.ts';
import { toApiError } from './api-error.ts';
import { reportUnauthorized } from './client.ts';
import type { KubeObject, WatchEvent } from './watch-reducer.ts';
import { readWatch } from './watch-stream.ts';

const MAX_BACKOFF_MS = 30_000;

export interface FollowHooks<T extends KubeObject> {
  /**
   * Where the watch starts: a list's resourceVersion, or the store's head less some revisions. `relist` is true
   * after the history was compacted (410), the server was restored, or the watch stalled: start afresh.
   */
  start(signal: AbortSignal, relist: boolean): Promise<string>;
  onEvent(e: WatchEvent<T>): void;
  onBookmark?(resourceVersion: string): void;
  /** After each stream ends, before anything else is said (flush what is pending). */
  onEnd?(): void;
  /** The watch's state for the page: connected, and why it is not. */
  report(patch: { live?: boolean; error?: ApiError | undefined }): void;
}

/**
 * Follows one collection's watch for as long as `signal` lives: start, watch from there, resume from the last
 * revision seen when the stream ends, start afresh on 410 Gone or a restored server, back off on errors, and stop
 * on 401 (the session is over), 403 (not allowed) and a 404 at the start (no such collection).
 */
export async function followWatch<T extends KubeObject>(
  path: string,
  hooks: FollowHooks<T>,
  signal: AbortSignal,
): Promise<void> {
  const sep = path.includes('?') ? '&' : '?';
  let from: string | undefined;
  let backoff = 1000;
  let relist = false;
  let stalls = 0;
  while (!signal.aborted) {
    if (from === undefined) {
      try {
        from = await hooks.start(signal, relist);
        relist = false;
      } catch (e) {
        if (signal.aborted) return;
        const error = toApiError(e);
        hooks.report({ error, live: false });
        if (error.code === 401 || error.code === 403 || error.code === 404) return;
        await sleep(backoff, signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
    }
    hooks.report({ live: true, error: undefined });
    let progressed = false;
    const end = await readWatch<T>(
      `${path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${from}`,
      {
        onEvent: (e, revision) => {
          progressed = true;
          backoff = 1000;
          if (revision) from = revision;
          hooks.onEvent(e);
        },
        onBookmark: (rv) => {
          progressed = true;
          backoff = 1000;
          from = rv;
          hooks.onBookmark?.(rv);
        },
      },
      signal,
    );
    if (signal.aborted) return;
    hooks.onEnd?.();
    hooks.report({ live: false });
    // A watch that ends twice in a row before delivering anything (the server drops a stream whose replay of a
    // burst overflows its buffer, docs/api.md) would be resumed from the same revision for ever: start afresh.
    stalls = progressed ? 0 : stalls + 1;
    if (stalls >= 2) {
      stalls = 0;
      from = undefined;
      relist = true;
      continue;
    }
    if (end.kind === 'error') {
      if (end.error.code === 410 || end.error.reason === 'ResourceVersionTooLarge') {
        // The history since `from` was compacted, or `from` is newer than the server's store (a restore).
        from = undefined;
        relist = true;
        continue;
      }
      hooks.report({ error: end.error });
      if (end.error.code === 401) reportUnauthorized(end.error);
      if (end.error.code === 401 || end.error.code === 403) return;
    }
    await sleep(end.kind === 'closed' ? 200 : backoff, signal);
    if (end.kind === 'error') backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

/** Waits `ms`, or less when `signal` aborts; leaves no listener behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
