import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FaultTargetError } from '../../../sim/fault-injector.ts';
import type { FaultScenario, FaultSpec } from '../../../sim/fault-spec.ts';
import type { SimCloud, SimClusterSpec } from '../../../sim/index.ts';
import { ClusterUnreachableError, NamespaceOwnedError } from '../../driver.ts';
import { SimulatedDriver } from '../simulated/simulated-driver.ts';
import type { LogRequest, Owner } from '../../driver.ts';
import { servedObservation } from './served-observation.ts';

/** Driver calls the simulated cloud serves over HTTP (the ClusterDriver methods without callbacks). */
export const REMOTE_CALLS = [
  'apply',
  'applyUnchanged',
  'prune',
  'inventory',
  'observe',
  'read',
  'capacity',
  'pods',
  'logs',
  'events',
  'health',
];

/** Workload changes kept for long polls (`GET /v1/changes?after=N`): at least this many, at most twice. */
const CHANGES_KEPT = 10_000;

/** The answer to `GET /v1/changes`: the number of the last change, and the namespaces changed since the one asked. */
export interface ChangesAnswer {
  readonly seq: number;
  readonly changes: readonly { readonly cluster: string; readonly namespace: string }[];
}

export interface SimServer {
  readonly url: string;
  /** The number of the last workload change (what a client's `RemoteSim.heard` waits for). */
  changeSeq(): number;
  close(): Promise<void>;
}

/**
 * One simulated cloud for several polis replicas (POLIS_SIM_URL): each replica's driver for a simulated cluster
 * calls it here instead of an embedded cloud of its own, so an application applied by any replica lands in one
 * cloud, once. Loopback only; plain JSON: `POST /v1/clusters/NAME` (the cluster's spec, added when absent),
 * `POST /v1/clusters/NAME/CALL` (arguments as a JSON array), `POST /v1/calls` (several calls, see batch), `GET /v1/changes?after=N` (workload changes, long poll; 410 Gone when
 * they are no longer all kept, then `GET /v1/changes?after=N&relist=1` answers every namespace changed since),
 * `POST /v1/clusters/NAME/follow` ([owner, request]: a pod's log as it is written, one JSON object a line), and the
 * cloud's load and metrics (served-observation.ts).
 */
export async function startSimServer(opts: {
  sim: SimCloud;
  host?: string;
  port?: number;
  /** Changes kept for long polls (default 10,000; tests make it small). */
  changesKept?: number;
}): Promise<SimServer> {
  const { sim } = opts;
  const drivers = new Map<string, SimulatedDriver>();
  const driver = (name: string) => {
    let d = drivers.get(name);
    if (!d) drivers.set(name, (d = new SimulatedDriver(sim, name)));
    return d;
  };
  const kept = opts.changesKept ?? CHANGES_KEPT;
  const changes: { seq: number; cluster: string; namespace: string }[] = [];
  /**
   * The number of the last change of each namespace, cluster by cluster: what a relist answers a client that fell
   * further behind than the changes kept (one entry per namespace the cloud ever changed, as the cloud holds them).
   */
  const lastChange = new Map<string, Map<string, number>>();
  let seq = 0;
  const waiting = new Set<() => void>();
  const offChange = sim.onChange((cluster, namespace) => {
    changes.push({ seq: ++seq, cluster, namespace });
    let last = lastChange.get(cluster);
    if (!last) lastChange.set(cluster, (last = new Map()));
    last.set(namespace, seq);
    // Trimmed in batches: one splice per `kept` changes, not a shift of the whole list per change.
    if (changes.length > 2 * kept) changes.splice(0, changes.length - kept);
    for (const wake of [...waiting]) wake();
  });
  /**
   * Whether the changes after `after` are no longer all kept (or `after` is from another run of the cloud): the
   * client is answered 410 Gone and relists, as a Kubernetes watch from a compacted resourceVersion is.
   */
  const gone = (after: number) => after >= 0 && (after > seq || after + 1 < (changes[0]?.seq ?? seq + 1));
  /** The namespaces changed after `after`, each once, from the last change of each (the relist's answer). */
  const changedSince = (after: number): ChangesAnswer => {
    const out: { cluster: string; namespace: string }[] = [];
    for (const [cluster, last] of lastChange)
      for (const [namespace, n] of last) if (n > after) out.push({ cluster, namespace });
    return { seq, changes: out };
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => send(res, 500, { error: 'internal', message: (e as Error).message }));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'GET' && url.pathname === '/v1/changes') {
      const after = Number(url.searchParams.get('after') ?? '0');
      if (url.searchParams.get('relist') === '1') {
        // Every namespace changed since `after` (all of them when the client's position means nothing here).
        send(res, 200, changedSince(after >= 0 && after <= seq ? after : 0));
        return;
      }
      // The first poll (after=-1) only learns where the cloud is: what happened before is not sent.
      if (after < 0) {
        send(res, 200, { seq, changes: [] });
        return;
      }
      if (!Number.isInteger(after) || gone(after)) {
        send(res, 410, { error: 'gone', seq });
        return;
      }
      // Numbers are consecutive: the changes after `after` are a tail of the list.
      const since = () => changes.slice(Math.max(0, after + 1 - (changes[0]?.seq ?? 0)));
      if (since().length === 0 && after === seq) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, 20_000);
          function done() {
            clearTimeout(timer);
            waiting.delete(done);
            resolve();
          }
          waiting.add(done);
          req.on('close', done);
        });
      }
      // Changes may have come faster than were kept while the client waited.
      if (gone(after)) send(res, 410, { error: 'gone', seq });
      else send(res, 200, { seq, changes: since().map((c) => ({ cluster: c.cluster, namespace: c.namespace })) });
      return;
    }
    if (await servedObservation(sim, req, res, url.pathname, () => readJson(req), send)) return;
    if (req.method === 'POST' && url.pathname === '/v1/calls') {
      send(res, 200, { results: await batch(await readJson(req)) });
      return;
    }
    if (parts[0] === 'v1' && parts[1] === 'faults') {
      await faults(req, res, parts.slice(2));
      return;
    }
    if (req.method !== 'POST' || parts[0] !== 'v1' || parts[1] !== 'clusters' || !parts[2]) {
      send(res, 404, { error: 'notFound' });
      return;
    }
    const name = decodeURIComponent(parts[2]);
    const body = await readJson(req);
    if (parts.length === 3) {
      if (!sim.cluster(name)) sim.addCluster(body as SimClusterSpec);
      send(res, 200, {});
      return;
    }
    const call = parts[3]!;
    if (call === 'fault' && ['fail', 'partition', 'restore'].includes(parts[4] ?? '')) {
      const cluster = sim.cluster(name);
      if (!cluster) {
        send(res, 404, { missing: sim.clusters().map((c) => c.name) });
        return;
      }
      if (parts[4] === 'fail') cluster.down();
      else if (parts[4] === 'partition') cluster.partition();
      else cluster.restore();
      send(res, 200, { state: cluster.state });
      return;
    }
    if (call === 'follow' && parts.length === 4) {
      const [owner, request] = (Array.isArray(body) ? body : []) as [Owner, LogRequest];
      await follow(driver(name), owner, request, res);
      return;
    }
    const answer = await run(name, call, (Array.isArray(body) ? body : []) as unknown[]);
    send(res, answer.status, answer.body);
  }
  /** One driver call on cluster `name`: the status and body its own request would be answered with. */
  async function run(name: string, call: string, args: unknown[]): Promise<{ status: number; body: unknown }> {
    if (!REMOTE_CALLS.includes(call)) return { status: 404, body: { error: 'notFound' } };
    if (call === 'prune') args[1] = new Set(args[1] as string[]);
    try {
      const d = driver(name) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      const result = await d[call]!(...args);
      return { status: 200, body: { result: result === undefined ? null : result } };
    } catch (e) {
      if (e instanceof ClusterUnreachableError) return { status: 503, body: { error: 'unreachable', why: e.why } };
      if (e instanceof NamespaceOwnedError)
        return { status: 409, body: { error: 'namespaceOwned', namespace: e.namespace, owner: e.owner } };
      return { status: 500, body: { error: 'internal', message: (e as Error).message } };
    }
  }
  /**
   * Several driver calls in one request (`POST /v1/calls`, [{cluster, spec?, call, args}]), answered in order with
   * the status and body each would have had alone: a replica's concurrent reconciles share round trips. A cluster
   * with a spec is added first when the cloud lacks it.
   */
  async function batch(items: unknown): Promise<{ status: number; body: unknown }[]> {
    const out: { status: number; body: unknown }[] = [];
    for (const item of Array.isArray(items) ? items : []) {
      const { cluster, spec, call, args } = (item ?? {}) as {
        cluster?: string;
        spec?: SimClusterSpec;
        call?: string;
        args?: unknown[];
      };
      if (typeof cluster !== 'string' || typeof call !== 'string') {
        out.push({ status: 400, body: { error: 'invalid', message: 'each call needs a cluster and a call' } });
        continue;
      }
      if (spec && !sim.cluster(cluster)) sim.addCluster(spec);
      out.push(await run(cluster, call, Array.isArray(args) ? args : []));
    }
    return out;
  }
  /** The sandbox's faults (src/sim/fault-routes.ts asks, after its own checks and before its audit entry). */
  async function faults(req: IncomingMessage, res: ServerResponse, rest: string[]): Promise<void> {
    const f = sim.faults;
    if (req.method === 'GET' && rest.length === 0) return send(res, 200, { items: f.list() });
    if (req.method === 'DELETE' && rest.length === 0) return send(res, 200, { cleared: f.clearAll() });
    if (req.method === 'DELETE' && rest.length === 1) return send(res, 200, { cleared: f.clear(rest[0]!) });
    if (req.method === 'POST') {
      const body = await readJson(req);
      try {
        if (rest.length === 0) return send(res, 200, { fault: f.add(body as FaultSpec) });
        if (rest[0] === 'scenario') return send(res, 200, { starts: f.play(body as FaultScenario) });
      } catch (e) {
        if (e instanceof FaultTargetError)
          return send(res, 400, { error: 'faultTarget', path: e.path, message: e.message });
        throw e;
      }
    }
    send(res, 404, { error: 'notFound' });
  }

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const addr = server.address() as { address: string; port: number };
  return {
    url: `http://${addr.address}:${addr.port}`,
    changeSeq: () => seq,
    async close() {
      offChange();
      for (const wake of [...waiting]) wake();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * Streams a pod's log to the response as newline-delimited JSON: `{"following":true}` first (or `{"missing":true}`
 * when the owner has no such pod), then `{"line":…}` per line, `{"end":true}` when the pod went away; stops
 * following when the client goes.
 */
async function follow(driver: SimulatedDriver, owner: Owner, request: LogRequest, res: ServerResponse): Promise<void> {
  const write = (o: unknown) => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify(o)}\n`);
  };
  let stop: (() => void) | undefined;
  try {
    stop = await driver.followLogs(
      owner,
      request,
      (line) => write({ line }),
      () => {
        write({ end: true });
        res.end();
      },
    );
  } catch (e) {
    if (e instanceof ClusterUnreachableError) send(res, 503, { error: 'unreachable', why: e.why });
    else send(res, 500, { error: 'internal', message: (e as Error).message });
    return;
  }
  if (!stop) {
    send(res, 200, { missing: true });
    return;
  }
  // The client may have gone while the follow was being opened.
  if (res.destroyed) return stop();
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  write({ following: true });
  res.on('close', () => stop());
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}
