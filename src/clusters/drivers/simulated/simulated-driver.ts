import { msg } from '../../../kernel/messages/index.ts';
import type { Manifest } from '../../../kernel/manifest.ts';
import { manifestKey } from '../../../kernel/manifest.ts';
import type { SimCloud, SimCluster } from '../../../sim/index.ts';
import { SimUnreachableError, formatLogLine } from '../../../sim/index.ts';
import type {
  AppliedObject,
  ApplyFailure,
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
import {
  ClusterUnreachableError,
  NamespaceOwnedError,
  OWNER_LABELS,
  otherNamespaceOwner,
  targetNamespaces,
} from '../../driver.ts';

/** Label values that keep an object through prune on update (garbage-collect policy). */
const GC_LABEL = 'polis.io/gc-strategy';

/** The ClusterDriver of one cluster of the embedded simulated cloud. Same manifests as a real cluster. */
export class SimulatedDriver implements ClusterDriver {
  readonly cluster: string;
  private readonly sim: SimCloud;
  /**
   * Per application (`tenant/app`), what its last apply with a digest left: the digest, and each object's key with
   * its resourceVersion right after (applyUnchanged).
   */
  private readonly acked = new Map<
    string,
    { readonly digest: string; readonly objects: readonly [string, string][] }
  >();

  constructor(sim: SimCloud, cluster: string) {
    this.sim = sim;
    this.cluster = cluster;
  }

  private target(): SimCluster {
    const c = this.sim.cluster(this.cluster);
    if (!c) throw new ClusterUnreachableError(this.cluster, msg('NoSuchSimCluster'));
    return c;
  }

  /** Runs `fn` against the cluster, turning the sim's unreachability into the driver's. */
  private call<T>(fn: (c: SimCluster) => T): Promise<T> {
    try {
      return Promise.resolve(fn(this.target()));
    } catch (e) {
      if (e instanceof SimUnreachableError) return Promise.reject(new ClusterUnreachableError(this.cluster, e.why));
      return Promise.reject(e);
    }
  }

  apply(manifests: readonly Manifest[], options: ApplyOptions): Promise<ApplyReport> {
    return this.call((c) => {
      // Another application's namespace is never written into, nor taken over.
      for (const ns of targetNamespaces(manifests)) {
        const other = otherNamespaceOwner(c.get(`v1/Namespace//${ns}`)?.metadata.labels, options.owner);
        if (other) throw new NamespaceOwnedError(this.cluster, ns, other);
      }
      const applied: AppliedObject[] = [];
      const failed: ApplyFailure[] = [];
      for (const m of manifests) {
        const key = manifestKey(m);
        try {
          const action = c.apply(m, { createOnlyPaths: options.createOnlyPaths?.[key] });
          applied.push({ key, action });
        } catch (e) {
          if (e instanceof SimUnreachableError) throw e;
          failed.push({ key, message: (e as Error).message });
        }
      }
      const app = `${options.owner.tenant}/${options.owner.app}`;
      this.acked.delete(app);
      if (options.digest !== undefined && failed.length === 0) {
        const objects: [string, string][] = [];
        for (const a of applied) {
          const rv = c.resourceVersion(a.key);
          if (rv === undefined) return { applied, failed };
          objects.push([a.key, rv]);
        }
        this.acked.set(app, { digest: options.digest, objects });
      }
      return { applied, failed };
    });
  }

  applyUnchanged(owner: Owner, digest: string): Promise<ApplyReport | undefined> {
    return this.call((c) => {
      const acked = this.acked.get(`${owner.tenant}/${owner.app}`);
      if (acked?.digest !== digest) return undefined;
      // Any write of an object (another manager's, a deletion, its status) moves or drops its resourceVersion.
      for (const [key, rv] of acked.objects) if (c.resourceVersion(key) !== rv) return undefined;
      return { applied: acked.objects.map(([key]) => ({ key, action: 'unchanged' as const })), failed: [] };
    });
  }

  prune(owner: Owner, keep: ReadonlySet<string>): Promise<PruneReport> {
    return this.call((c) => {
      const final = keep.size === 0;
      const deleted: string[] = [];
      const objects = c.list(undefined, selector(owner));
      // Namespaced objects first, the namespace last: deleting it takes whatever is left inside.
      objects.sort((a, b) => (a.kind === 'Namespace' ? 1 : 0) - (b.kind === 'Namespace' ? 1 : 0));
      for (const obj of objects) {
        const key = manifestKey(obj);
        if (keep.has(key)) continue;
        const gc = obj.metadata.labels?.[GC_LABEL];
        if (gc === 'never' || (gc === 'onAppDelete' && !final)) continue;
        if (obj.kind === 'Namespace' && gc === undefined && !final) continue;
        if (c.delete(key)) deleted.push(key);
      }
      return { deleted };
    });
  }

  inventory(owner: Owner): Promise<string[]> {
    return this.call((c) => c.list(undefined, selector(owner)).map((m) => manifestKey(m)));
  }

  observe(owner: Owner): Promise<WorkloadStatus[]> {
    return this.call((c) => c.workloads(owner.namespace, selector(owner)));
  }

  read(apiVersion: string, kind: string, namespace: string, name: string): Promise<Manifest | undefined> {
    return this.call((c) => {
      const live = c.get(`${apiVersion}/${kind}/${namespace}/${name}`);
      return live ? (structuredClone(live) as Manifest) : undefined;
    });
  }

  capacity(): Promise<ClusterCapacity> {
    return this.call((c) => c.capacity());
  }

  pods(owner: Owner): Promise<PodInfo[]> {
    return this.call((c) => ownPods(c, owner));
  }

  logs(owner: Owner, request: LogRequest): Promise<string[] | undefined> {
    return this.call((c) => {
      if (!ownPods(c, owner).some((p) => p.name === request.pod)) return undefined;
      const since = request.sinceSeconds === undefined ? undefined : this.sim.now() - request.sinceSeconds * 1000;
      const lines = c.podLog(owner.namespace, request.pod, {
        container: request.container,
        tail: request.tailLines,
        since,
      });
      return lines?.map(formatLogLine);
    });
  }

  followLogs(
    owner: Owner,
    request: LogRequest,
    onLine: (line: string) => void,
    onEnd: () => void,
  ): Promise<(() => void) | undefined> {
    return this.call((c) => {
      if (!ownPods(c, owner).some((p) => p.name === request.pod)) return undefined;
      return c.followPodLog(owner.namespace, request.pod, request.container, (l) => onLine(formatLogLine(l)), onEnd);
    });
  }

  events(owner: Owner, query: EventQuery): Promise<ClusterEvent[]> {
    return this.call((c) =>
      c.events(owner.namespace, query.limit, query.involvedObject).map((e) => ({
        namespace: e.namespace,
        name: e.name,
        involvedObject: { ...e.involvedObject },
        type: e.type,
        reason: e.reason,
        message: e.message,
        count: e.count,
        firstTimestamp: new Date(e.firstTimestamp).toISOString(),
        lastTimestamp: new Date(e.lastTimestamp).toISOString(),
      })),
    );
  }

  health(): Promise<ClusterHealth> {
    const c = this.sim.cluster(this.cluster);
    if (!c) return Promise.resolve({ reachable: false, ready: false, message: 'no such simulated cluster' });
    return Promise.resolve(c.health());
  }

  watchWorkloads(listener: (namespace: string) => void): () => void {
    return this.sim.onChange((cluster, namespace) => {
      if (cluster === this.cluster) listener(namespace);
    });
  }
}

function ownPods(c: SimCluster, owner: Owner): PodInfo[] {
  return c.pods(owner.namespace, selector(owner)).map((p) => ({
    namespace: p.namespace,
    name: p.name,
    ...(p.component !== undefined ? { component: p.component } : {}),
    phase: p.phase,
    ready: p.ready,
    restarts: p.restarts,
    ...(p.node !== undefined ? { node: p.node } : {}),
    createdAt: new Date(p.createdAt).toISOString(),
    ...(p.reason !== undefined ? { reason: p.reason } : {}),
    ...(p.lastTermination !== undefined ? { lastTermination: p.lastTermination } : {}),
    containers: p.containers,
  }));
}

function selector(owner: Owner): Record<string, string> {
  return { [OWNER_LABELS.app]: owner.app, [OWNER_LABELS.tenant]: owner.tenant };
}
