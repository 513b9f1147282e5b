/** The HTTP front of the fake API server: authentication, fault injection, the request log, routing. */
import { recordEvent } from './events.ts';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { authenticate, unauthorized } from './auth.ts';
import { startControllers } from './controller-manager.ts';
import { GarbageCollector } from './garbage-collector.ts';
import { kubeconfigFor } from './kubeconfig.ts';
import { Registry } from './registry.ts';
import { Rbac } from './rbac.ts';
import { type HandlerDeps, authorize, handleResource, rbacAllows, verbOf } from './resource-handler.ts';
import { forbidden } from './auth.ts';
import { apiVersions, findByKind, groupDocument, groupList, resourceList } from './resources.ts';
import { parseRoute } from './routes.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { KubeError, methodNotAllowed, notFound, pathNotFound } from './status.ts';
import { PodLogs } from './pod-logs.ts';
import { Store } from './store.ts';
import type { DownMode, FakeKube, FakeKubeOptions, FakeRequest } from './types.ts';
import { startingAnswer } from './starting.ts';
import { type WatchStream, serveWatch } from './watch.ts';
import { copyJson } from './copy.ts';

const READS = new Set(['get', 'list', 'watch']);
const HEALTH_PATHS = new Set(['/version', '/readyz', '/livez', '/healthz']);

/** Starts a fake Kubernetes API server on 127.0.0.1 and a free port. Call stop() when done. */
export async function startFakeKube(opts: FakeKubeOptions = {}): Promise<FakeKube> {
  const store = new Store(opts.historyLimit ?? 1000);
  const registry = new Registry(store);
  const gc = new GarbageCollector(registry, {
    ...(opts.namespaceTerminationMs !== undefined ? { namespaceTerminationMs: opts.namespaceTerminationMs } : {}),
  });
  const deps: HandlerDeps = { registry, gc, opts, ...(opts.rbac ? { rbac: new Rbac(opts.rbac) } : {}) };
  const controllers = startControllers(registry, gc, opts);
  const version = opts.version ?? { major: '1', minor: '31', gitVersion: 'v1.31.4' };

  const logs = new PodLogs();
  const requests: FakeRequest[] = [];
  let byVerb: Record<string, number> = {};
  let down: DownMode = false;
  let hangMs = 60_000;
  let startingLists: 403 | 500 = 403;
  const hung = new Set<{ res: ServerResponse; timer: NodeJS.Timeout }>();
  const watches = new Set<WatchStream>();
  let url = '';
  let stopped = false;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      ...headers,
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const route = parseRoute(u.pathname);
    const hasName = route.type === 'resource' && route.name !== undefined;
    const verb = route.type === 'resource' ? verbOf(req.method ?? 'GET', hasName, u.searchParams) : 'get';
    const entry: FakeRequest = {
      method: req.method ?? 'GET',
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      verb,
      contentType: req.headers['content-type'],
      ...(route.type === 'resource'
        ? {
            resource: route.def.resource,
            group: route.def.group,
            ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
            ...(route.name !== undefined ? { name: route.name } : {}),
            ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
          }
        : {}),
    };
    requests.push(entry);
    if (route.type === 'resource') byVerb[verb] = (byVerb[verb] ?? 0) + 1;
    res.on('finish', () => (entry.status = res.statusCode));

    if (down === 'hang') {
      const h = { res, timer: setTimeout(() => (hung.delete(h), res.destroy()), hangMs) };
      hung.add(h);
      return;
    }
    if (down === 'unavailable') {
      send(
        res,
        503,
        new KubeError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request').toStatus(),
      );
      return;
    }

    const user = authenticate(req, opts);
    if (user === null || (user === undefined && !HEALTH_PATHS.has(u.pathname))) {
      send(res, 401, unauthorized().toStatus());
      return;
    }
    const starting =
      down === 'starting'
        ? startingAnswer(route, verb, user ?? 'system:anonymous', u.pathname, startingLists)
        : undefined;
    if (starting) {
      req.resume();
      send(res, starting.status, starting.body);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();

    switch (route.type) {
      case 'health':
        return send(res, 200, 'ok');
      case 'version':
        return send(res, 200, {
          ...version,
          gitCommit: '0000000000000000000000000000000000000000',
          gitTreeState: 'clean',
          buildDate: '2024-12-10T11:37:05Z',
          goVersion: 'go1.22.9',
          compiler: 'gc',
          platform: 'linux/amd64',
        });
      case 'api':
        return send(res, 200, apiVersions(new URL(url).host));
      case 'apis':
        return send(res, 200, groupList());
      case 'group': {
        const doc = groupDocument(route.group);
        return doc ? send(res, 200, doc) : send(res, 404, pathNotFound().toStatus());
      }
      case 'resourceList':
        return send(res, 200, resourceList(route.group, route.version));
      case 'notFound':
        return send(res, 404, pathNotFound().toStatus());
    }

    const attrs = {
      verb,
      def: route.def,
      ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
      ...(route.name !== undefined ? { name: route.name } : {}),
      ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
    };
    authorize(deps, user ?? 'system:anonymous', attrs);
    // Server-side apply of an object that does not exist yet creates it: RBAC asks for create as well as patch.
    const isApply = (req.headers['content-type'] ?? '').startsWith('application/apply-patch');
    if (verb === 'patch' && isApply && route.name !== undefined && !route.subresource) {
      const exists = store.get(route.def, route.namespace, route.name) !== undefined;
      const asCreate = { ...attrs, verb: 'create' as const };
      if (!exists && !rbacAllows(deps, asCreate)) throw forbidden(user ?? 'system:anonymous', asCreate);
    }
    if (route.subresource === 'log') {
      if (verb !== 'get') throw methodNotAllowed();
      return logs.serve(res, store, route.def, route.namespace ?? '', route.name ?? '', u.searchParams);
    }
    if (verb === 'watch') {
      const q = u.searchParams;
      const label = parseLabelSelector(q.get('labelSelector') ?? undefined);
      const field = parseFieldSelector(q.get('fieldSelector') ?? undefined, route.def.kind);
      const timeout = q.get('timeoutSeconds');
      const stream = serveWatch(
        res,
        store,
        {
          def: route.def,
          namespace: route.namespace,
          matches: (o) => label(o) && field(o),
          resourceVersion: q.get('resourceVersion') ?? undefined,
          bookmarks: q.get('allowWatchBookmarks') === 'true',
          sendInitialEvents: q.get('sendInitialEvents') === 'true',
          timeoutSeconds: timeout !== null ? Number(timeout) : undefined,
          bookmarkMs: opts.bookmarkMs ?? 60_000,
        },
        () => watches.delete(stream),
      );
      watches.add(stream);
      return;
    }
    const answer = handleResource(
      deps,
      {
        method: req.method ?? 'GET',
        def: route.def,
        ...(route.namespace !== undefined ? { namespace: route.namespace } : {}),
        ...(route.name !== undefined ? { name: route.name } : {}),
        ...(route.subresource !== undefined ? { subresource: route.subresource } : {}),
        query: u.searchParams,
        contentType: req.headers['content-type'],
        body,
        user: user ?? 'system:anonymous',
        userAgent: req.headers['user-agent'],
      },
      verb,
    );
    send(res, answer.status, answer.body, answer.headers);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (e instanceof KubeError) return send(res, e.code, e.toStatus());
      send(
        res,
        500,
        new KubeError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`).toStatus(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
  let listening = true;
  /** Stops listening (connection refused) or listens again on the same port. */
  const listen = async (on: boolean): Promise<void> => {
    if (on === listening || stopped) return;
    listening = on;
    if (!on) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  };

  const defFor = (apiVersion: string, kind: string) => {
    const def = findByKind(apiVersion, kind);
    if (!def) throw new Error(`fake-kube does not serve ${apiVersion} ${kind}`);
    return def;
  };

  return {
    url,
    kubeconfig: (k = {}) => {
      const basic = opts.basic?.[0];
      if (k.auth === 'basic' && !basic) throw new Error('kubeconfig({auth: "basic"}) needs options.basic');
      return kubeconfigFor(
        url,
        k.auth === 'basic' && basic ? basic : { token: (opts.tokens ?? ['fake-token'])[0] ?? '' },
        k.context,
      );
    },
    requests,
    counts: () => {
      let reads = 0;
      let writes = 0;
      for (const [v, n] of Object.entries(byVerb)) {
        if (READS.has(v)) reads += n;
        else writes += n;
      }
      return { reads, writes, byVerb: { ...byVerb } };
    },
    resetCounts: () => {
      byVerb = {};
    },
    get: (apiVersion, kind, namespace, name) => store.get(defFor(apiVersion, kind), namespace, name),
    edit: (apiVersion, kind, namespace, name, change, manager = 'kubectl-edit') => {
      const def = defFor(apiVersion, kind);
      const before = store.get(def, namespace, name);
      if (!before) throw notFound(def, name);
      const after = copyJson(before);
      change(after);
      const { status: _s, ...rest } = after;
      const { status: _b, ...restBefore } = before;
      if (!isDeepStrictEqual(rest, restBefore)) registry.update(def, namespace, name, after, { manager });
      // A status change goes through the status subresource, as `kubectl edit --subresource=status` would.
      if (def.status && !isDeepStrictEqual(after.status, before.status)) {
        const current = registry.get(def, namespace, name);
        current.status = after.status;
        registry.update(def, namespace, name, current, { manager, subresource: 'status' });
      }
    },
    setDown: async (mode, o = {}) => {
      down = mode;
      hangMs = o.timeoutMs ?? 60_000;
      startingLists = o.lists ?? 403;
      for (const w of watches) {
        if (mode === 'hang') w.silence();
        else if (mode === 'unavailable' || mode === 'starting') w.end();
        else if (mode === 'refused') w.destroy();
      }
      // Watches silenced by a hang are cut when it heals, so their clients re-watch from their last resourceVersion.
      if (mode === false) for (const w of watches) if (w.silenced) w.destroy();
      if (mode === 'refused') {
        for (const h of hung) {
          clearTimeout(h.timer);
          h.res.destroy();
        }
        hung.clear();
      }
      await listen(mode !== 'refused');
    },
    compact: () => store.compact(),
    writeLog: (namespace, pod, container, text) => logs.write(namespace, pod, container, text),
    recordEvent: (object, note) => recordEvent(registry, object, note),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      controllers.stop();
      gc.stop();
      for (const w of watches) w.destroy();
      for (const h of hung) {
        clearTimeout(h.timer);
        h.res.destroy();
      }
      hung.clear();
      if (!listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
