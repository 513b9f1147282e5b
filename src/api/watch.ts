import type { FastifyReply, FastifyRequest } from 'fastify';
import { GoneError, InputError, ResourceVersionTooLargeError } from '../kernel/errors.ts';
import type { ChangeFeed } from '../resources/change-feed.ts';
import type { ChangeEvent } from '../resources/store.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { matchesSelector, selectorFromQuery } from '../resources/label-selector.ts';
import type { KindDefinition } from '../resources/registry.ts';
import { apiVersionOf } from '../resources/registry.ts';
import { withoutSensitive } from '../resources/sensitive.ts';
import type { Store } from '../resources/store.ts';
import { errorBody } from './error-body.ts';
import type { WatchGuard } from './watch-guard.ts';
import { WatchFrame, WatchFrameWriter } from './watch-frames.ts';
import type { Principal } from '../tenancy/authorization.ts';
import type { PolisError } from '../kernel/errors.ts';
import type { Query } from '../kernel/query-params.ts';
import { boolParam, intParam, stringParam } from '../kernel/query-params.ts';
import { parseFieldSelector } from './kube/kube-objects.ts';
import { kubeStatusFields } from './kube/kube-status.ts';

export interface WatchDeps {
  readonly feed: ChangeFeed;
  readonly store: Store;
  /** Rechecks open watches' rights, counts them per user, and bounds their lifetime and unread bytes. */
  readonly watches: WatchGuard;
  /** Interval of BOOKMARK events carrying the current revision (ms). */
  readonly bookmarkMs?: number;
}

const HEARTBEAT_MS = 15_000;
const KEEP_ALIVE = new WatchFrame(': keep-alive\n\n');

/**
 * How a watch is written: server-sent events (console, polis CLI) or the Kubernetes watch protocol (one JSON
 * `{type, object}` per line), objects in polis's view or the Kubernetes one, or as Table rows (`kubectl get -w`).
 */
export interface WatchFormat {
  readonly protocol: 'sse' | 'ndjson';
  /** The Kubernetes view of an object (`metadata.namespace`); applied after sensitive fields are removed. */
  readonly view?: (o: StoredObject) => unknown;
  /** Names a view other than the whole object (`rows`): frames are shared only between watchers of one view. */
  readonly variant?: string;
  /** Each event's object as a Table (its first with the column definitions). */
  readonly table?: (o: StoredObject, first: boolean) => unknown;
}

/** Frames of change events, shared by all watchers of one format while the event is alive. */
const frameCaches = new Map<string, WeakMap<ChangeEvent, WatchFrame>>();

/** The cache of one format's frames (one per protocol, view and variant). */
function frameCache(format: WatchFormat): WeakMap<ChangeEvent, WatchFrame> {
  const key = `${format.protocol}:${format.view ? 'kube' : 'polis'}:${format.variant ?? ''}`;
  let cache = frameCaches.get(key);
  if (cache === undefined) frameCaches.set(key, (cache = new WeakMap()));
  return cache;
}

function frameOf(protocol: WatchFormat['protocol'], type: string, revision: number, object: unknown): WatchFrame {
  const data = JSON.stringify({ type, object });
  return new WatchFrame(protocol === 'sse' ? `id: ${revision}\nevent: ${type}\ndata: ${data}\n\n` : `${data}\n`);
}

/**
 * Streams changes of one kind as server-sent events: `id:` is the revision (so EventSource resumes with
 * Last-Event-ID), `event:` the type (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR), `data:` `{type, object}`.
 * Without a resourceVersion the stream opens with ADDED for every current object, as a Kubernetes watch does.
 * A revision that was compacted away yields 410 Gone (before the stream starts) or an ERROR event with code 410.
 * Sensitive fields (Secret values) never appear in events.
 *
 * The stream ends cleanly after a jittered maximum duration (the client resumes from its last revision), ends with
 * an ERROR event (401/403) once `recheck` fails or the credential is revoked, and is dropped when the client leaves
 * more than the buffer limit unread. A user past the concurrent-watch limit gets 429 before the stream starts.
 */
export async function serveWatch(
  req: FastifyRequest,
  reply: FastifyReply,
  def: KindDefinition,
  tenants: readonly string[] | undefined,
  deps: WatchDeps,
  recheck: (principal: Principal) => void,
  format: WatchFormat = { protocol: 'sse' },
): Promise<void> {
  const q = req.query as Query;
  const selector = selectorFromQuery(stringParam(q, 'labelSelector'));
  const name = parseFieldSelector(stringParam(q, 'fieldSelector')).name;
  const timeout = intParam(q, 'timeoutSeconds', 1, 86_400);
  const sse = format.protocol === 'sse';
  // Kubernetes sends bookmarks only to clients that ask; the console's SSE gets them unless it declines.
  const bookmarks = q.allowWatchBookmarks === undefined ? sse : boolParam(q, 'allowWatchBookmarks');
  // The WatchList protocol: the current objects, then a bookmark saying the initial events have ended.
  const initialEvents = q.sendInitialEvents === undefined ? undefined : boolParam(q, 'sendInitialEvents');
  const lastEventId = req.headers['last-event-id'];
  const rvText = stringParam(q, 'resourceVersion') ?? (typeof lastEventId === 'string' ? lastEventId : undefined);
  if (rvText !== undefined && !/^\d+$/.test(rvText)) {
    throw new InputError(`resourceVersion "${rvText}" is not valid`, [
      { path: 'query.resourceVersion', message: 'expected a resourceVersion returned by the server (a whole number)' },
    ]);
  }
  let from = rvText === undefined || rvText === '0' || initialEvents === true ? undefined : Number(rvText);
  const initial: StoredObject[] = [];
  if (initialEvents === false && from === undefined) {
    from = Number((await deps.store.list({ kind: def.kind, tenants, limit: 1 })).resourceVersion);
  } else if (from === undefined) {
    const page = await deps.store.list({ kind: def.kind, tenants, labelSelector: selector });
    from = Number(page.resourceVersion);
    initial.push(...page.items.filter((o) => name === undefined || o.metadata.name === name));
  } else if (from > deps.feed.revision) {
    // The feed may lag the store (a write on another replica): only a revision beyond the store's is refused.
    const current = await deps.store.currentRevision();
    if (from > current) {
      throw new ResourceVersionTooLargeError(`Too large resource version: ${from}, current: ${current}`, [
        {
          path: 'query.resourceVersion',
          message: `${from} is newer than the server's current revision ${current}: list again and watch from the list's metadata.resourceVersion`,
        },
      ]);
    }
  } else if (from < deps.feed.revision) {
    // Fail before the stream starts when the history is gone, so the client gets a plain 410.
    try {
      await deps.store.changesSince(from, 1);
    } catch (e) {
      if (e instanceof GoneError) throw e;
    }
  }

  const timers: NodeJS.Timeout[] = [];
  let closed = false;
  // Assigned once the initial objects are sent; ends (close) may come before that.
  let sub: { close(): void; position(): number } | undefined = undefined;
  const close = (error?: PolisError) => {
    if (closed) return;
    closed = true;
    sub?.close();
    watch.close();
    for (const t of timers) clearInterval(t);
    if (error) writeError(error);
    out.end();
  };
  const watch = deps.watches.open({
    identity: req.identity ?? { user: req.principal?.user ?? '', via: 'token' },
    recheck,
    end: close,
  });

  reply.hijack();
  const res = reply.raw;
  const writeError = (err: unknown) => {
    const body = errorBody(err, req);
    write(frameOf(format.protocol, 'ERROR', 0, sse ? body : { ...body, ...kubeStatusFields(body) }));
  };
  // A client that stops reading is dropped once it leaves more than the limit unsent, so memory stays bounded
  // (the limit plus one event). What is checked is the backlog before a frame, so one large event alone does not
  // drop a client that reads; a dropped client reconnects from its last revision, as after any end of stream.
  const out = new WatchFrameWriter(res);
  const write = (frame: WatchFrame, revision?: number, byFlush = false) => {
    if (out.ended) return;
    if (watch.overLimit(out.unsent)) {
      closed = true;
      sub?.close();
      watch.close();
      for (const t of timers) clearInterval(t);
      res.destroy();
      return;
    }
    out.write(frame, revision, byFlush);
    watch.buffered(out.unsent);
  };
  res.writeHead(200, {
    'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/json',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': String(req.id),
  });
  res.flushHeaders();
  let first = true;
  const shown = (o: StoredObject): unknown => {
    const safe = withoutSensitive(o, def.sensitiveFields);
    if (format.table) {
      const t = format.table(safe, first);
      first = false;
      return t;
    }
    return format.view ? format.view(safe) : safe;
  };
  const send = (type: string, revision: number, object: unknown) =>
    write(frameOf(format.protocol, type, revision, object));
  for (const o of initial) {
    if (closed) return;
    send('ADDED', from, shown(o));
  }
  if (closed) return;
  if (initialEvents) {
    send('BOOKMARK', from, {
      apiVersion: apiVersionOf(def),
      kind: def.kind,
      metadata: { resourceVersion: String(from), annotations: { 'k8s.io/initial-events-end': 'true' } },
    });
  }

  const bookmark = () => {
    const at = sub!.position();
    send('BOOKMARK', at, {
      apiVersion: apiVersionOf(def),
      kind: def.kind,
      metadata: { resourceVersion: String(at) },
    });
  };
  const cache = frameCache(format);
  sub = deps.feed.subscribe({
    from,
    filter: {
      kind: def.kind,
      tenants,
      name,
      match: selector ? (e) => matchesSelector(selector, e.object.metadata.labels) : undefined,
    },
    onEvent: (e) => {
      // Tables are per watcher (their AGE is of now); other events go to every watcher of their kind and format
      // alike: serialize each once, not once per watcher.
      // Their frames leave at the batch end (onBatchEnd), which the feed may hold while writes are in flight.
      if (format.table) return write(frameOf(format.protocol, e.type, e.revision, shown(e.object)), e.revision, true);
      let frame = cache.get(e);
      if (frame === undefined) cache.set(e, (frame = frameOf(format.protocol, e.type, e.revision, shown(e.object))));
      write(frame, e.revision, true);
    },
    // A commit's events leave together, in one socket write per stream, before the writes that made them are
    // answered; when more commits of this process follow at once (a burst), the feed ends the batch after the last
    // of them (at most its holdMs later), so the whole run costs each stream one write.
    onBatchEnd: () => out.flush(),
    onError: (err) => close(err as PolisError),
  });
  // SSE comments keep proxies from closing a quiet stream; the Kubernetes protocol has none (bookmarks serve).
  if (sse) timers.push(setInterval(() => write(KEEP_ALIVE), HEARTBEAT_MS));
  if (bookmarks) timers.push(setInterval(bookmark, deps.bookmarkMs ?? 5000));
  // The server's own limit (jittered, so streams opened together do not all end together) caps the client's.
  const lifetimeMs = Math.min(watch.lifetimeMs, timeout === undefined ? Infinity : timeout * 1000);
  timers.push(
    setTimeout(() => {
      // A last bookmark, so the client resumes from the newest revision instead of its last event's.
      if (bookmarks && !closed) bookmark();
      close();
    }, lifetimeMs),
  );
  for (const t of timers) t.unref();
  req.raw.on('close', () => close());
  res.on('error', () => close());
}
