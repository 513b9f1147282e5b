import type { Manifest } from '../../../kernel/manifest.ts';
import { msg } from '../../../kernel/messages/index.ts';
import type {
  ApplyOptions,
  ApplyReport,
  ClusterCapacity,
  ClusterDriver,
  ClusterEvent,
  ClusterHealth,
  EventQuery,
  ClusterPermission,
  LogRequest,
  Owner,
  PodInfo,
  PruneReport,
  Resources,
  WorkloadStatus,
} from '../../driver.ts';
import {
  OWNER_LABELS,
  ClusterForbiddenError,
  ClusterUnreachableError,
  NamespaceOwnedError,
  otherNamespaceOwner,
  targetNamespaces,
} from '../../driver.ts';
import type { CacheScope } from './cluster-cache.ts';
import { ClusterCache, ownerIndexKey } from './cluster-cache.ts';
import type { ResourceInfo } from './discovery.ts';
import { objectPath, RENDERED_KINDS } from './discovery.ts';
import { EVENT_PAGES, eventListPath, newestEvents } from './event-list.ts';
import { failureMessage } from './api-errors.ts';
import type { KubeResponse } from './kube-http.ts';
import { KubeHttp, statusMessage } from './kube-http.ts';
import { parseKubeconfig } from './kubeconfig.ts';
import type { PodSummary } from './pod-summary.ts';
import { clusterCapacity, metricsUsage } from './node-summary.ts';
import type { AppliedRecord, ApplyDeps } from './object-apply.ts';
import { applyManifests } from './object-apply.ts';
import type { PruneDeps } from './object-prune.ts';
import { ownerObjects, pruneObjects } from './object-prune.ts';
import { WORKLOAD_KINDS, workloadStatus } from './workload-status.ts';

type Json = Record<string, unknown>;

export interface KubernetesDriverOptions {
  /** Every request (and the opening of a watch) gives up after this long: the cluster is then unreachable. */
  readonly requestTimeoutMs?: number;
  /** The server-side apply field manager. */
  readonly fieldManager?: string;
  /**
   * How long the watch cache is trusted without hearing from the API server (an event, a bookmark, any answer);
   * after that a call first checks the server is still there. A watch silent this long is opened again.
   */
  readonly staleAfterMs?: number;
  /** How long pods may be failing before their workload is Failed or Degraded (the simulated cloud's 30 s). */
  readonly failureGraceMs?: number;
}

interface Connection {
  readonly http: KubeHttp;
  readonly cache: ClusterCache;
}

const METRICS = 'metrics.k8s.io/v1beta1';
/** Version and API groups are looked at again this often by health(); metrics-server's own resolution is 15 s. */
const VERSION_EVERY_MS = 10 * 60_000;
const METRICS_EVERY_MS = 15_000;

/**
 * The ClusterDriver of a real Kubernetes cluster, reached through a kubeconfig (token, client certificate or basic
 * credentials; loaded on first use). Writes are server-side apply as `polis`; what the cluster holds is kept by
 * watches (objects polis manages, pods, nodes), so that a reconcile finding nothing to change, observe() and
 * capacity() make no request in the steady state. Every failure to reach the cluster, and refused credentials,
 * throw ClusterUnreachableError naming this cluster and nothing else.
 */
export class KubernetesDriver implements ClusterDriver {
  readonly cluster: string;
  private readonly loadKubeconfig: () => Promise<string>;
  private readonly timeoutMs: number;
  private readonly fieldManager: string;
  private readonly staleAfterMs: number;
  private readonly failureGraceMs: number;
  private readonly listeners = new Set<(namespace: string) => void>();
  private readonly applied = new Map<string, AppliedRecord>();
  private readonly extraKinds = new Map<string, ResourceInfo>();
  private conn: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private closed = false;
  private suspect = false;
  /** Whether the last readiness check found the API server ready. */
  private wasReady = false;
  private lastHeard = 0;
  private version: { value: string; at: number } | undefined;
  private groupsAt = 0;
  private metrics: { used: Resources | undefined; at: number } | undefined;

  constructor(cluster: string, loadKubeconfig: () => Promise<string>, options: KubernetesDriverOptions = {}) {
    this.cluster = cluster;
    this.loadKubeconfig = loadKubeconfig;
    this.timeoutMs = options.requestTimeoutMs ?? 5000;
    this.fieldManager = options.fieldManager ?? 'polis';
    this.staleAfterMs = options.staleAfterMs ?? 90_000;
    this.failureGraceMs = options.failureGraceMs ?? 30_000;
  }

  async apply(manifests: readonly Manifest[], options: ApplyOptions): Promise<ApplyReport> {
    const c = await this.fresh('objects');
    // Another application's namespace is never written into, nor taken over. The namespaces polis manages are
    // watched (by the managed-by label), so this costs no request.
    const namespaces = c.cache.informer('v1', 'Namespace');
    for (const ns of targetNamespaces(manifests)) {
      const live = namespaces?.get(undefined, ns)?.obj.metadata as { labels?: Record<string, string> } | undefined;
      const other = otherNamespaceOwner(live?.labels, options.owner);
      if (other) throw new NamespaceOwnedError(this.cluster, ns, other);
    }
    return applyManifests(this.applyDeps(c), manifests, options);
  }

  async prune(owner: Owner, keep: ReadonlySet<string>): Promise<PruneReport> {
    const c = await this.fresh('objects');
    return pruneObjects(this.pruneDeps(c), owner, keep);
  }

  async inventory(owner: Owner): Promise<string[]> {
    const c = await this.fresh('objects');
    return (await ownerObjects(this.pruneDeps(c), owner)).map((o) => o.key);
  }

  async observe(owner: Owner): Promise<WorkloadStatus[]> {
    const c = await this.fresh('objects');
    const jobs = c.cache.informer('batch/v1', 'Job')?.byIndex(`ns:${owner.namespace}`) ?? [];
    const ctx = {
      pods: c.cache.podsIn(owner.namespace),
      jobs: jobs.map((j) => j.obj),
      now: Date.now(),
      failureGraceMs: this.failureGraceMs,
    };
    const out: WorkloadStatus[] = [];
    for (const r of RENDERED_KINDS) {
      if (!r.inventory || !WORKLOAD_KINDS.has(r.kind)) continue;
      for (const o of c.cache.informer(r.apiVersion, r.kind)?.byIndex(ownerIndexKey(owner.app, owner.tenant)) ?? []) {
        if ((o.obj.metadata as Json).namespace !== owner.namespace) continue;
        const status = workloadStatus(o.obj, ctx);
        if (status) out.push(status);
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async read(apiVersion: string, kind: string, namespace: string, name: string): Promise<Manifest | undefined> {
    const c = await this.fresh('objects');
    const info = await c.cache.discovery.resource(apiVersion, kind);
    if (!info) return undefined;
    const answer = await c.http.request('GET', objectPath(info, info.namespaced ? namespace : undefined, name));
    if (answer.status === 200) return answer.body as Manifest;
    if (answer.status === 404) return undefined;
    throw new Error(failureMessage(answer));
  }

  async remove(apiVersion: string, kind: string, namespace: string, name: string): Promise<boolean> {
    const c = await this.fresh('objects');
    const info = await c.cache.discovery.resource(apiVersion, kind);
    if (!info) return false;
    const answer = await c.http.request('DELETE', objectPath(info, info.namespaced ? namespace : undefined, name), {
      body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' },
    });
    this.applied.delete(`${apiVersion}/${kind}/${info.namespaced ? namespace : ''}/${name}`);
    // An object the watches do not select (a provisioning Job) stays in the cache as apply put it: forget it here.
    c.cache.informer(apiVersion, kind)?.forget(info.namespaced ? namespace : undefined, name);
    if (answer.status === 200 || answer.status === 202) return true;
    if (answer.status === 404) return false;
    throw new Error(failureMessage(answer));
  }

  async capacity(): Promise<ClusterCapacity> {
    const c = await this.fresh('capacity');
    const report = clusterCapacity(c.cache.allNodes(), c.cache.allPods());
    const used = await this.used(c, report.requested.pods);
    return used ? { ...report, used } : report;
  }

  async pods(owner: Owner): Promise<PodInfo[]> {
    const c = await this.fresh('objects');
    return ownPods(c.cache.podsIn(owner.namespace), owner);
  }

  /** The pod log path of one of the owner's pods, with the query; undefined when the owner has no such pod. */
  private async logPath(owner: Owner, request: LogRequest, follow: boolean) {
    const c = await this.fresh('objects');
    const pod = ownPods(c.cache.podsIn(owner.namespace), owner).find((p) => p.name === request.pod);
    if (pod === undefined) return undefined;
    const q = new URLSearchParams();
    q.set('container', request.container ?? pod.containers[0] ?? '');
    // Following starts from now: the lines so far are read first, without follow.
    if (follow) {
      q.set('follow', 'true');
      q.set('tailLines', '0');
    } else {
      if (request.tailLines !== undefined) q.set('tailLines', String(request.tailLines));
      if (request.sinceSeconds !== undefined) q.set('sinceSeconds', String(request.sinceSeconds));
    }
    const path = `/api/v1/namespaces/${encodeURIComponent(owner.namespace)}/pods/${encodeURIComponent(pod.name)}/log`;
    return { c, path: `${path}?${q.toString()}` };
  }

  async followLogs(
    owner: Owner,
    request: LogRequest,
    onLine: (line: string) => void,
    onEnd: () => void,
  ): Promise<(() => void) | undefined> {
    const at = await this.logPath(owner, request, true);
    if (at === undefined) return undefined;
    const answer = await at.c.http.streamLines(at.path, onLine, onEnd);
    if ('stop' in answer) return answer.stop;
    if (answer.status === 404) return undefined;
    throw new ClusterUnreachableError(this.cluster, statusMessage(answer));
  }

  async logs(owner: Owner, request: LogRequest): Promise<string[] | undefined> {
    const at = await this.logPath(owner, request, false);
    if (at === undefined) return undefined;
    const answer = await at.c.http.request('GET', at.path);
    if (answer.status === 404) return undefined;
    // A container not started yet has no log: Kubernetes answers 400 "waiting to start"; shown as no lines.
    if (answer.status === 400) return [];
    if (answer.status !== 200) throw new ClusterUnreachableError(this.cluster, statusMessage(answer));
    const text = answer.text.endsWith('\n') ? answer.text.slice(0, -1) : answer.text;
    return text === '' ? [] : text.split('\n');
  }

  async events(owner: Owner, query: EventQuery): Promise<ClusterEvent[]> {
    const c = await this.connection();
    const items: Json[] = [];
    let cont: string | undefined;
    for (let page = 0; page < EVENT_PAGES; page++) {
      const answer = await c.http.request('GET', eventListPath(owner.namespace, query, cont));
      // A namespace not created yet has no events.
      if (answer.status === 404) return [];
      if (answer.status !== 200) throw new ClusterUnreachableError(this.cluster, statusMessage(answer));
      const body = answer.body as { items?: Json[]; metadata?: { continue?: string } };
      items.push(...(body.items ?? []));
      cont = body.metadata?.continue || undefined;
      if (cont === undefined) break;
    }
    return newestEvents(items, query.limit);
  }

  async health(): Promise<ClusterHealth> {
    try {
      if (this.closed) throw new ClusterUnreachableError(this.cluster, msg('DriverClosed'));
      const c = await this.connection();
      const answer = await this.readiness(c);
      const ready = answer.status === 200;
      // Refusals heard while the server was not ready (a starting kube-apiserver answers 403 until its RBAC roles
      // are loaded) are asked again now that it is, before any is reported as a missing right.
      if (ready && !this.wasReady) c.cache.retryRefused();
      this.wasReady = ready;
      const now = Date.now();
      if (!this.version || now - this.version.at > VERSION_EVERY_MS) {
        const v = await c.http.request('GET', '/version');
        const git = (v.body as { gitVersion?: unknown } | undefined)?.gitVersion;
        if (v.status === 200 && typeof git === 'string') this.version = { value: git, at: now };
      }
      if (ready && now - this.groupsAt > VERSION_EVERY_MS) {
        await c.cache.discovery.refreshGroups();
        this.groupsAt = now;
      }
      // The watches polis delivers through, opened (once) here so that a role lacking a right shows at once.
      let denied: ClusterPermission[] = [];
      if (ready) {
        await c.cache.ensure('objects').catch((e: unknown) => {
          if (!(e instanceof ClusterUnreachableError)) throw e;
        });
        denied = c.cache.denied();
      }
      const nodes = [...c.cache.allNodes()];
      const message = !ready
        ? `the API server is not ready (${answer.status}): ${notReadyDetail(answer)}`
        : nodes.length > 0
          ? `${nodes.filter((n) => n.ready).length}/${nodes.length} nodes ready`
          : 'the API server is ready';
      return {
        reachable: true,
        ready,
        message,
        ...(denied.length ? { denied } : {}),
        ...(this.version ? { version: this.version.value } : {}),
      };
    } catch (e) {
      if (e instanceof ClusterUnreachableError) return { reachable: false, ready: false, message: e.message };
      throw e;
    }
  }

  /** The group-versions the cluster served at the last health check (`v1`, `apps/v1`, `metrics.k8s.io/v1beta1` …). */
  apiGroups(): string[] {
    return this.conn?.cache.discovery.groups() ?? [];
  }

  watchWorkloads(listener: (namespace: string) => void): () => void {
    this.listeners.add(listener);
    // Start the watches now, so that changes are heard before the first reconcile asks.
    void this.fresh('objects').catch(() => undefined);
    return () => this.listeners.delete(listener);
  }

  /** Stops every watch and closes the connections; every later call throws ClusterUnreachableError. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.conn?.cache.stop();
    this.conn?.http.close();
    this.conn = undefined;
  }

  /**
   * The connection with its cache ready for `scope`: listed, watches open, and the server heard from lately (else
   * asked now). Throws ClusterUnreachableError when any of that fails.
   */
  private async fresh(scope: CacheScope): Promise<Connection> {
    const c = await this.connection();
    await c.cache.ensure(scope);
    // Delivering where polis cannot watch what it delivers would report state it cannot see: refused outright.
    if (scope === 'objects') {
      const denied = c.cache.denied();
      if (denied.length > 0) {
        // A refusal counts only from a server that is ready: while one starts it refuses everything for a moment.
        const answer = await this.readiness(c);
        if (answer.status !== 200) {
          this.wasReady = false;
          c.cache.retryRefused();
          throw new ClusterUnreachableError(
            this.cluster,
            `the API server is not ready (${answer.status}): ${notReadyDetail(answer)}`,
          );
        }
        throw new ClusterForbiddenError(this.cluster, denied);
      }
    }
    if (this.suspect || Date.now() - this.lastHeard > this.staleAfterMs) await c.http.request('GET', '/version');
    return c;
  }

  /** /readyz, or /version where a managed cluster does not expose /readyz to every identity (404, 403). */
  private async readiness(c: Connection) {
    const answer = await c.http.request('GET', '/readyz');
    return answer.status === 404 || answer.status === 403 ? c.http.request('GET', '/version') : answer;
  }

  private async connection(): Promise<Connection> {
    if (this.closed) throw new ClusterUnreachableError(this.cluster, msg('DriverClosed'));
    if (this.conn) return this.conn;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<Connection> {
    let text: string;
    try {
      text = await this.loadKubeconfig();
    } catch (e) {
      throw new ClusterUnreachableError(this.cluster, `the kubeconfig could not be loaded: ${(e as Error).message}`);
    }
    const parsed = parseKubeconfig(text);
    if (!parsed.ok) {
      const why = parsed.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ');
      throw new ClusterUnreachableError(this.cluster, `the kubeconfig is refused: ${why}`);
    }
    let http: KubeHttp;
    try {
      http = await KubeHttp.create(this.cluster, parsed.kubeconfig, this.timeoutMs, {
        heard: () => {
          this.lastHeard = Date.now();
          this.suspect = false;
        },
        lost: () => {
          this.suspect = true;
        },
      });
    } catch (e) {
      if (e instanceof ClusterUnreachableError) throw e;
      throw new ClusterUnreachableError(this.cluster, `the kubeconfig cannot be used: ${(e as Error).message}`);
    }
    const cache = new ClusterCache(http, {
      fieldManager: this.fieldManager,
      idleMs: this.staleAfterMs,
      onNamespaceChange: (namespace) => {
        for (const l of this.listeners) l(namespace);
      },
      isOwnWrite: (key, rv) => this.applied.get(key)?.rv === rv,
    });
    if (this.closed) {
      http.close();
      throw new ClusterUnreachableError(this.cluster, msg('DriverClosed'));
    }
    this.conn = { http, cache };
    return this.conn;
  }

  private async used(c: Connection, pods: number): Promise<Resources | undefined> {
    if (!c.cache.discovery.serves(METRICS)) return undefined;
    const now = Date.now();
    if (this.metrics && now - this.metrics.at < METRICS_EVERY_MS) return this.metrics.used;
    const answer = await c.http.request('GET', `/apis/${METRICS}/nodes`);
    const used = answer.status === 200 ? metricsUsage(answer.body, pods) : undefined;
    this.metrics = { used, at: now };
    return used;
  }

  private applyDeps(c: Connection): ApplyDeps {
    return {
      http: c.http,
      cache: c.cache,
      fieldManager: this.fieldManager,
      applied: this.applied,
      extraKinds: this.extraKinds,
    };
  }

  private pruneDeps(c: Connection): PruneDeps {
    return {
      http: c.http,
      cache: c.cache,
      extraKinds: this.extraKinds,
      deleted: (key) => this.applied.delete(key),
    };
  }
}

/** The checks /readyz reports failed (`[-]poststarthook/rbac/bootstrap-roles failed: …`), else the answer's message. */
function notReadyDetail(answer: KubeResponse): string {
  const failed = answer.text
    .split('\n')
    .filter((l) => l.startsWith('[-]'))
    .map((l) => l.slice(3).replace(/: reason withheld$/, ''));
  return failed.length > 0 ? failed.join(', ') : statusMessage(answer);
}

/** The pods of the owner's application (by its name label) in its namespace, as PodInfo, by name. */
function ownPods(pods: readonly PodSummary[], owner: Owner): PodInfo[] {
  return pods
    .filter((p) => p.labels[OWNER_LABELS.app] === owner.app)
    .map((p) => ({
      namespace: p.namespace,
      name: p.name,
      ...(p.labels[OWNER_LABELS.component] !== undefined ? { component: p.labels[OWNER_LABELS.component] } : {}),
      phase: p.terminating ? 'Terminating' : p.phase,
      ready: p.ready,
      restarts: p.restarts,
      ...(p.node !== undefined ? { node: p.node } : {}),
      createdAt: p.createdAt,
      ...(p.failure !== undefined ? { reason: p.failure.reason } : {}),
      ...(p.lastTermination !== undefined ? { lastTermination: p.lastTermination } : {}),
      containers: p.containers,
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** A driver for one cluster; the kubeconfig is loaded (and checked) on first use. */
export function kubernetesDriver(
  cluster: string,
  loadKubeconfig: () => Promise<string>,
  options?: KubernetesDriverOptions,
): KubernetesDriver {
  return new KubernetesDriver(cluster, loadKubeconfig, options);
}
