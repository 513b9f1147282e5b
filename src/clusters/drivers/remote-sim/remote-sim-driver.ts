import type { Manifest } from '../../../kernel/manifest.ts';
import type { Message } from '../../../kernel/messages/index.ts';
import type { ComponentMetrics, LoadApplied, LoadControl, LoadTarget, SimClusterSpec } from '../../../sim/index.ts';
import type { ServedSimReader } from '../../../observe/index.ts';
import type { ComponentTarget } from '../../../observe/history/history-probe.ts';
import type { Sample } from '../../../observe/history/signals.ts';
import type { Observation } from '../../../observe/incidents/symptoms.ts';
import type { DeclaredCalls } from '../../../observe/sources/simulated/sim-incident-source.ts';
import type { ObservedEdge } from '../../../observe/topology/topology.ts';
import type { CallSeries } from '../../../market/sharing-calls.ts';
import { FaultTargetError } from '../../../sim/fault-injector.ts';
import type { ActiveFault, FaultScenario, FaultSpec } from '../../../sim/fault-spec.ts';
import type { FaultControl } from '../../../sim/fault-routes.ts';
import type { Fault } from '../../sandbox-routes.ts';
import type {
  ApplyOptions,
  ApplyReport,
  ClusterCapacity,
  ClusterDriver,
  ClusterEvent,
  ClusterHealth,
  EventQuery,
  LogRequest,
  Owner,
  PodInfo,
  PruneReport,
  WorkloadStatus,
} from '../../driver.ts';
import { ClusterUnreachableError, NamespaceOwnedError } from '../../driver.ts';
import type { ChangesAnswer } from './sim-server.ts';

/**
 * The ClusterDriver of a simulated cluster in a simulated cloud served by another process (`polis sim serve`,
 * POLIS_SIM_URL; sim-server.ts): the same calls as the embedded driver, over HTTP on loopback. The sim process not
 * answering is the cluster being unreachable. Following a pod's log is a stream of JSON lines (sim-server.ts).
 */
export class RemoteSimDriver implements ClusterDriver {
  readonly cluster: string;
  readonly #remote: RemoteSim;
  readonly #spec: SimClusterSpec;
  #added = false;

  constructor(remote: RemoteSim, cluster: string, spec: SimClusterSpec) {
    this.#remote = remote;
    this.cluster = cluster;
    this.#spec = spec;
  }

  async #call<T>(call: string, args: unknown[]): Promise<T> {
    let r: { status: number; body: unknown };
    try {
      // The spec goes along until the cloud has answered once: it adds the cluster when it lacks it.
      r = await this.#remote.call(this.cluster, this.#added ? undefined : this.#spec, call, args);
      this.#added = true;
    } catch (e) {
      throw new ClusterUnreachableError(
        this.cluster,
        `simulated cloud at ${this.#remote.url}: ${(e as Error).message}`,
      );
    }
    const body = r.body as {
      result?: T;
      error?: string;
      why?: Message;
      message?: string;
      namespace?: string;
      owner?: { tenant: string; app: string };
    };
    if (r.status === 200) return (body.result ?? undefined) as T;
    if (body.error === 'unreachable') throw new ClusterUnreachableError(this.cluster, body.why ?? 'unreachable');
    if (body.error === 'namespaceOwned') throw new NamespaceOwnedError(this.cluster, body.namespace!, body.owner!);
    throw new Error(body.message ?? `simulated cloud answered ${r.status}`);
  }

  apply(manifests: readonly Manifest[], options: ApplyOptions): Promise<ApplyReport> {
    return this.#call('apply', [manifests, options]);
  }
  async applyUnchanged(owner: Owner, digest: string): Promise<ApplyReport | undefined> {
    return (await this.#call<ApplyReport | null>('applyUnchanged', [owner, digest])) ?? undefined;
  }
  prune(owner: Owner, keep: ReadonlySet<string>): Promise<PruneReport> {
    return this.#call('prune', [owner, [...keep]]);
  }
  inventory(owner: Owner): Promise<string[]> {
    return this.#call('inventory', [owner]);
  }
  observe(owner: Owner): Promise<WorkloadStatus[]> {
    return this.#call('observe', [owner]);
  }
  read(apiVersion: string, kind: string, namespace: string, name: string): Promise<Manifest | undefined> {
    return this.#call('read', [apiVersion, kind, namespace, name]);
  }
  capacity(): Promise<ClusterCapacity> {
    return this.#call('capacity', []);
  }
  pods(owner: Owner): Promise<PodInfo[]> {
    return this.#call('pods', [owner]);
  }
  logs(owner: Owner, request: LogRequest): Promise<string[] | undefined> {
    return this.#call('logs', [owner, request]);
  }
  events(owner: Owner, query: EventQuery): Promise<ClusterEvent[]> {
    return this.#call('events', [owner, query]);
  }
  async followLogs(
    owner: Owner,
    request: LogRequest,
    onLine: (line: string) => void,
    onEnd: () => void,
  ): Promise<(() => void) | undefined> {
    const abort = new AbortController();
    let r: Response;
    try {
      // Adds the cluster first when this replica has not called it yet (a follow may be its first call).
      if (!this.#added) await this.#call('health', []);
      r = await fetch(`${this.#remote.url}/v1/clusters/${encodeURIComponent(this.cluster)}/follow`, {
        method: 'POST',
        body: JSON.stringify([owner, request]),
        signal: abort.signal,
      });
    } catch (e) {
      throw new ClusterUnreachableError(
        this.cluster,
        `simulated cloud at ${this.#remote.url}: ${(e as Error).message}`,
      );
    }
    if (!r.ok || !r.body) {
      const body = (await r.json().catch(() => ({}))) as { error?: string; why?: Message; message?: string };
      if (body.error === 'unreachable') throw new ClusterUnreachableError(this.cluster, body.why ?? 'unreachable');
      throw new Error(body.message ?? `simulated cloud answered ${r.status}`);
    }
    const lines = jsonLines(r.body);
    const first = await lines.next().catch(() => undefined);
    const head = first && !first.done ? (first.value as { following?: boolean; missing?: boolean }) : undefined;
    if (!head?.following) {
      abort.abort();
      return undefined;
    }
    let stopped = false;
    void (async () => {
      try {
        for await (const o of lines) {
          const m = o as { line?: string; end?: boolean };
          if (typeof m.line === 'string') onLine(m.line);
          if (m.end) break;
        }
      } catch {
        // Aborted (stopped) or the served cloud went away: either ends the stream.
      }
      if (!stopped) onEnd();
    })();
    return () => {
      stopped = true;
      abort.abort();
    };
  }
  async health(): Promise<ClusterHealth> {
    try {
      return await this.#call<ClusterHealth>('health', []);
    } catch (e) {
      return { reachable: false, ready: false, message: (e as Error).message };
    }
  }
  watchWorkloads(listener: (namespace: string) => void): () => void {
    return this.#remote.onChange((cluster, namespace) => {
      if (cluster === this.cluster) listener(namespace);
    });
  }
}

/**
 * One simulated cloud served at `url`: the drivers of its clusters share one long poll of its workload changes,
 * running while any of them listens.
 */
/** The objects of a newline-delimited JSON body, one by one. */
async function* jsonLines(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield JSON.parse(line);
    }
  }
  if (buffer.trim()) yield JSON.parse(buffer);
}

export class RemoteSim implements ServedSimReader, LoadControl {
  readonly url: string;
  readonly #listeners = new Set<(cluster: string, namespace: string) => void>();
  #polling = false;
  #abort?: AbortController;
  /** How often the long poll fell further behind than the cloud keeps changes, and relisted (sim-server.ts). */
  relists = 0;
  /** The last change number the long poll has passed on (-1 before its first answer). */
  #heard = -1;
  readonly #hearing = new Set<{ seq: number; resolve: () => void }>();

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
  }

  /** Driver calls waiting for the next request (see call). */
  #batch: {
    item: { cluster: string; spec?: SimClusterSpec; call: string; args: unknown[] };
    resolve: (r: { status: number; body: unknown }) => void;
    reject: (e: unknown) => void;
  }[] = [];

  /**
   * One driver call on a cluster of the served cloud, answered with the status and body it has there. Calls made in
   * the same turn of the event loop (a replica's concurrent reconciles) go in one request (`POST /v1/calls`), so a
   * full resync of thousands of applications costs a few hundred round trips, not one per cluster call. A request
   * that fails fails every call in it.
   */
  call(
    cluster: string,
    spec: SimClusterSpec | undefined,
    call: string,
    args: unknown[],
  ): Promise<{ status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      if (this.#batch.length === 0) setImmediate(() => void this.#flush());
      this.#batch.push({ item: { cluster, ...(spec ? { spec } : {}), call, args }, resolve, reject });
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#batch;
    this.#batch = [];
    try {
      const r = await fetch(`${this.url}/v1/calls`, {
        method: 'POST',
        body: JSON.stringify(batch.map((b) => b.item)),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await r.json()) as { results?: { status: number; body: unknown }[]; message?: string };
      if (!r.ok || body.results?.length !== batch.length)
        throw new Error(body.message ?? `answered ${r.status} to ${batch.length} calls`);
      batch.forEach((b, i) => b.resolve(body.results![i]!));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  /** The served cloud's faults (`polis sim fault …` through any replica). */
  readonly faults: FaultControl = {
    list: async () => (await this.#send<{ items: ActiveFault[] }>('GET', '/v1/faults')).items,
    add: async (spec: FaultSpec) => (await this.#send<{ fault: ActiveFault }>('POST', '/v1/faults', spec)).fault,
    play: async (scenario: FaultScenario) =>
      (await this.#send<{ starts: number[] }>('POST', '/v1/faults/scenario', scenario)).starts,
    clearAll: async () => (await this.#send<{ cleared: number }>('DELETE', '/v1/faults')).cleared,
    clear: async (id: string) =>
      (await this.#send<{ cleared: boolean }>('DELETE', `/v1/faults/${encodeURIComponent(id)}`)).cleared,
  };

  /** Fails, partitions or restores one of its clusters (`polis sim fail|partition|restore`). */
  async clusterFault(name: string, fault: Fault): Promise<{ state: string } | { missing: readonly string[] }> {
    return this.#send('POST', `/v1/clusters/${encodeURIComponent(name)}/fault/${fault}`, {}, [404]);
  }

  /** `polis sim load` on the served cloud. */
  async setLoad(
    namespace: string,
    targets: readonly LoadTarget[],
    factor: number,
    untilMs?: number,
  ): Promise<readonly LoadApplied[]> {
    const body = { namespace, targets, factor, ...(untilMs === undefined ? {} : { untilMs }) };
    return (await this.#send<{ components: LoadApplied[] }>('POST', '/v1/load', body)).components;
  }

  componentMetrics(
    refs: readonly { namespace: string; component: string }[],
  ): Promise<{ now: number; items: readonly ComponentMetrics[] }> {
    return this.#send('POST', '/v1/metrics', { components: refs });
  }

  async scenarioRps(
    namespace: string,
    component: string,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<readonly (number | null)[]> {
    const body = { namespace, component, fromMs, toMs, stepMs };
    return (await this.#send<{ values: (number | null)[] }>('POST', '/v1/scenario-rps', body)).values;
  }

  async historySample(targets: readonly ComponentTarget[]): Promise<Sample[]> {
    return (await this.#send<{ samples: Sample[] }>('POST', '/v1/history-sample', { targets })).samples;
  }

  async memoryUse(): Promise<ReadonlyMap<string, number>> {
    return new Map((await this.#send<{ items: [string, number][] }>('GET', '/v1/memory')).items);
  }

  /** What the incident engine reads of the served cloud over [fromS, toS], the declared calls given to its mesh. */
  async observation(fromS: number, toS: number, declared: DeclaredCalls): Promise<Observation> {
    const body = { fromS, toS, calls: [...declared.calls], owners: [...declared.owners] };
    return (await this.#send<{ observation: Observation }>('POST', '/v1/observation', body)).observation;
  }

  /** The served mesh's calls between components over [fromS, toS] (the marketplace's call counts). */
  async callSeries(fromS: number, toS: number): Promise<readonly CallSeries[]> {
    return (await this.#send<{ items: CallSeries[] }>('POST', '/v1/call-series', { fromS, toS })).items;
  }

  /** The served cloud in Prometheus exposition format (what `GET /api/v1/sandbox/metrics` answers). */
  async metricsText(): Promise<string> {
    const r = await fetch(`${this.url}/v1/exposition`, { signal: AbortSignal.timeout(30_000) });
    if (!r.ok) throw new Error(`simulated cloud at ${this.url} answered ${r.status}`);
    return r.text();
  }

  /** The calls the served mesh saw last, as topology edges. */
  async observedEdges(): Promise<ObservedEdge[]> {
    return (await this.#send<{ edges: ObservedEdge[] }>('GET', '/v1/observed-edges')).edges;
  }

  async #send<T>(method: string, path: string, body?: unknown, accept: readonly number[] = []): Promise<T> {
    const r = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await r.json()) as T & { error?: string; path?: string; message?: string };
    if (r.ok || accept.includes(r.status)) return json;
    if (json.error === 'faultTarget') throw new FaultTargetError(json.path ?? '', json.message ?? '');
    if (json.error === 'invalid')
      throw new Error(`simulated cloud at ${this.url} refused ${path}: ${json.path ?? ''}: ${json.message ?? ''}`);
    throw new Error(json.message ?? `simulated cloud at ${this.url} answered ${r.status}`);
  }

  onChange(listener: (cluster: string, namespace: string) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#polling) void this.#poll();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#abort?.abort();
    };
  }

  /**
   * Resolves once the workload changes up to number `seq` (`SimServer.changeSeq()`) have been passed to the
   * listeners, or at once when nobody listens: a driver of virtual time waits for it after each step, so that what
   * the step changed is queued before it asks whether the controllers are idle.
   */
  heard(seq: number): Promise<void> {
    if (this.#listeners.size === 0 || this.#heard >= seq) return Promise.resolve();
    return new Promise((resolve) => this.#hearing.add({ seq, resolve }));
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    let after = -1;
    while (this.#listeners.size > 0) {
      this.#abort = new AbortController();
      try {
        let r = await fetch(`${this.url}/v1/changes?after=${after}`, { signal: this.#abort.signal });
        if (r.status === 410) {
          // Further behind than the cloud keeps changes: relist, every namespace changed since `after`, as a
          // Kubernetes informer relists when its watch's resourceVersion is gone.
          this.relists++;
          r = await fetch(`${this.url}/v1/changes?after=${after}&relist=1`, { signal: this.#abort.signal });
        }
        if (!r.ok) throw new Error(`simulated cloud at ${this.url} answered ${r.status} to a poll of its changes`);
        const body = (await r.json()) as ChangesAnswer;
        // The first answer only says where the cloud is; its backlog happened before anyone listened.
        if (after >= 0) for (const c of body.changes) for (const l of [...this.#listeners]) l(c.cluster, c.namespace);
        after = body.seq;
        this.#passed(after);
      } catch {
        if (this.#listeners.size > 0) await new Promise((r) => setTimeout(r, 1_000).unref());
      }
    }
    this.#polling = false;
    this.#passed(Number.POSITIVE_INFINITY);
  }

  #passed(seq: number): void {
    this.#heard = Math.max(this.#heard, seq);
    for (const w of [...this.#hearing])
      if (w.seq <= seq) {
        this.#hearing.delete(w);
        w.resolve();
      }
  }
}
