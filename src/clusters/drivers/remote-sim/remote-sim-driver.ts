import type { Manifest } from '../../../kernel/manifest.ts';
import type { Message } from '../../../kernel/messages/index.ts';
import type { SimClusterSpec } from '../../../sim/index.ts';
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

/**
 * The ClusterDriver of a simulated cluster in a simulated cloud served by another process (`polis sim serve`,
 * POLIS_SIM_URL; sim-server.ts): the same calls as the embedded driver, over HTTP on loopback. The sim process not
 * answering is the cluster being unreachable. Following a pod's log is not served remotely (reading it is).
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
    const base = `${this.#remote.url}/v1/clusters/${encodeURIComponent(this.cluster)}`;
    let r: Response;
    try {
      if (!this.#added) {
        const added = await fetch(base, {
          method: 'POST',
          body: JSON.stringify(this.#spec),
          signal: AbortSignal.timeout(10_000),
        });
        await added.arrayBuffer();
        this.#added = added.ok;
      }
      r = await fetch(`${base}/${call}`, {
        method: 'POST',
        body: JSON.stringify(args),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      throw new ClusterUnreachableError(
        this.cluster,
        `simulated cloud at ${this.#remote.url}: ${(e as Error).message}`,
      );
    }
    const body = (await r.json()) as {
      result?: T;
      error?: string;
      why?: Message;
      message?: string;
      namespace?: string;
      owner?: { tenant: string; app: string };
    };
    if (r.ok) return (body.result ?? undefined) as T;
    if (body.error === 'unreachable') throw new ClusterUnreachableError(this.cluster, body.why ?? 'unreachable');
    if (body.error === 'namespaceOwned') throw new NamespaceOwnedError(this.cluster, body.namespace!, body.owner!);
    throw new Error(body.message ?? `simulated cloud answered ${r.status}`);
  }

  apply(manifests: readonly Manifest[], options: ApplyOptions): Promise<ApplyReport> {
    return this.#call('apply', [manifests, options]);
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
  followLogs(): Promise<(() => void) | undefined> {
    return Promise.resolve(undefined);
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
export class RemoteSim {
  readonly url: string;
  readonly #listeners = new Set<(cluster: string, namespace: string) => void>();
  #polling = false;
  #abort?: AbortController;

  constructor(url: string) {
    this.url = url.replace(/\/+$/, '');
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

  async #send<T>(method: string, path: string, body?: unknown, accept: readonly number[] = []): Promise<T> {
    const r = await fetch(`${this.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await r.json()) as T & { error?: string; path?: string; message?: string };
    if (r.ok || accept.includes(r.status)) return json;
    if (json.error === 'faultTarget') throw new FaultTargetError(json.path ?? '', json.message ?? '');
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

  async #poll(): Promise<void> {
    this.#polling = true;
    let after = -1;
    while (this.#listeners.size > 0) {
      this.#abort = new AbortController();
      try {
        const r = await fetch(`${this.url}/v1/changes?after=${after}`, { signal: this.#abort.signal });
        const body = (await r.json()) as { seq: number; changes: { cluster: string; namespace: string }[] };
        // The first answer only says where the cloud is; its backlog happened before anyone listened.
        if (after >= 0) for (const c of body.changes) for (const l of [...this.#listeners]) l(c.cluster, c.namespace);
        after = body.seq;
      } catch {
        if (this.#listeners.size > 0) await new Promise((r) => setTimeout(r, 1_000).unref());
      }
    }
    this.#polling = false;
  }
}
