/**
 * Watch streams: newline-delimited JSON events, replay from a resourceVersion (an ERROR event carrying a 410 Expired
 * Status when that is older than the kept history, as a real server reports it mid-stream), label and field selectors
 * (an object that stops or starts matching is sent as DELETED or ADDED), BOOKMARK events and timeoutSeconds.
 */
import type { ServerResponse } from 'node:http';
import { type ResourceDef, apiVersionOf } from './resources.ts';
import type { Matcher } from './selectors.ts';
import type { Store, StoreEvent } from './store.ts';
import type { KubeObject } from './types.ts';

export interface WatchParams {
  def: ResourceDef;
  namespace: string | undefined;
  matches: Matcher;
  resourceVersion: string | undefined;
  bookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds: number | undefined;
  bookmarkMs: number;
}

type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** An open watch stream; `silence` stops its output (a hung server), `end` closes it cleanly. */
export interface WatchStream {
  readonly silenced: boolean;
  silence(): void;
  end(): void;
  destroy(): void;
}

/**
 * The JSON text of each stored object version, made once however many watches send it (a stored version is never
 * changed: a change stores a new one). Objects copied for a list are not stored versions and are simply encoded.
 */
const encoded = new WeakMap<object, string>();
function encode(object: unknown): string {
  if (typeof object !== 'object' || object === null) return JSON.stringify(object);
  let text = encoded.get(object);
  if (text === undefined) encoded.set(object, (text = JSON.stringify(object)));
  return text;
}

export function serveWatch(res: ServerResponse, store: Store, p: WatchParams, onClose: () => void): WatchStream {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  // kube-apiserver flushes the headers at once: a watch is open before its first event.
  res.flushHeaders();
  let silent = false;
  let pending = '';
  const flush = (): void => {
    if (pending !== '' && !silent && !res.writableEnded) res.write(pending);
    pending = '';
  };
  const finish = (): void => {
    flush();
    res.end();
  };
  const send = (type: WatchEventType, object: unknown): void => {
    // The same text as JSON.stringify({ type, object }).
    if (silent || res.writableEnded) return;
    // Events of one turn of the event loop leave in one write (one syscall), as a buffered writer would send them.
    if (pending === '') process.nextTick(flush);
    pending += `{"type":${JSON.stringify(type)},"object":${encode(object)}}\n`;
  };
  const inScope = (o: KubeObject | undefined): boolean =>
    o !== undefined && (p.namespace === undefined || o.metadata?.namespace === p.namespace) && p.matches(o);
  const bookmark = (annotations?: Record<string, string>): void =>
    send('BOOKMARK', {
      kind: p.def.kind,
      apiVersion: apiVersionOf(p.def),
      metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) },
    });

  // A real API server's watch cache sends bookmarks (about once a minute) only to watches of a resource type that
  // had events since the watch began: a quiet type's watch hears nothing at all.
  let hadEvents = false;
  const onEvent = (e: StoreEvent): void => {
    if (e.def !== p.def) return;
    hadEvents = true;
    const now = inScope(e.object);
    const before = inScope(e.prev);
    if (e.type === 'ADDED' && now) send('ADDED', e.object);
    else if (e.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', e.object);
      else if (now) send('ADDED', e.object);
      else if (before) send('DELETED', e.object);
    } else if (e.type === 'DELETED' && before) send('DELETED', e.object);
  };

  const rv = p.resourceVersion;
  let unsubscribe: () => void = () => {};
  if (rv === undefined || rv === '' || rv === '0' || p.sendInitialEvents) {
    for (const o of store.list(p.def, p.namespace)) if (inScope(o)) send('ADDED', o);
    if (p.sendInitialEvents && p.bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    unsubscribe = store.subscribe(onEvent);
  } else {
    const since = store.eventsSince(Number(rv));
    if ('expired' in since) {
      send('ERROR', {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: since.expired,
        reason: 'Expired',
        code: 410,
      });
      finish();
    } else {
      for (const e of since) onEvent(e);
      unsubscribe = store.subscribe(onEvent);
    }
  }

  const timers: NodeJS.Timeout[] = [];
  if (p.bookmarks) timers.push(setInterval(() => hadEvents && bookmark(), p.bookmarkMs));
  if (p.timeoutSeconds !== undefined) timers.push(setTimeout(finish, p.timeoutSeconds * 1000));
  const cleanup = (): void => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    onClose();
  };
  res.on('close', cleanup);
  return {
    get silenced() {
      return silent;
    },
    silence: () => {
      silent = true;
    },
    end: finish,
    destroy: () => res.destroy(),
  };
}
