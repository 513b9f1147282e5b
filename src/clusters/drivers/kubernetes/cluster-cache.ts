import type { ClusterPermission } from '../../driver.ts';
import { OWNER_LABELS } from '../../driver.ts';
import type { ResourceInfo } from './discovery.ts';
import { Discovery, RENDERED_KINDS } from './discovery.ts';
import type { ChangeType } from './informer.ts';
import { Informer } from './informer.ts';
import type { KubeHttp } from './kube-http.ts';
import type { NodeSummary } from './node-summary.ts';
import { summarizeNode } from './node-summary.ts';
import type { PodSummary } from './pod-summary.ts';
import { summarizePod } from './pod-summary.ts';
import { WORKLOAD_KINDS } from './workload-status.ts';

type Json = Record<string, unknown>;

/** An object polis manages, as the watch keeps it (managedFields dropped). */
export interface OwnedObject {
  /** `apiVersion/kind/namespace/name`, with the apiVersion polis applied it with when it did (managedFields). */
  readonly key: string;
  readonly obj: Json;
}

export interface CacheOptions {
  readonly fieldManager: string;
  readonly idleMs: number;
  /** Something in this namespace changed that its application's status may show (or drift to repair). */
  readonly onNamespaceChange: (namespace: string) => void;
  /** Whether a change is polis's own write (its answer already taken in), which needs no second look. */
  readonly isOwnWrite: (key: string, resourceVersion: string) => boolean;
}

export type CacheScope = 'objects' | 'capacity';

/**
 * What the driver knows of one cluster, kept current by watches: the objects polis manages (every kind it
 * renders that the cluster serves, by the managed-by label; Jobs by the application label so a CronJob's Jobs are
 * seen too), every pod (capacity counts them all; workload status reads the application's) and every node.
 */
export class ClusterCache {
  readonly discovery: Discovery;
  private readonly http: KubeHttp;
  private readonly opts: CacheOptions;
  private readonly owned = new Map<string, Informer<OwnedObject>>();
  private pods: Informer<PodSummary> | undefined;
  private nodes: Informer<NodeSummary> | undefined;
  private starting: Promise<void> | undefined;

  constructor(http: KubeHttp, opts: CacheOptions) {
    this.http = http;
    this.opts = opts;
    this.discovery = new Discovery(http);
  }

  /** Lists what is not listed yet and reconnects broken watches; throws ClusterUnreachableError if it cannot. */
  async ensure(scope: CacheScope): Promise<void> {
    await (this.starting ??= this.start().catch((e: unknown) => {
      this.starting = undefined;
      throw e;
    }));
    const needed: ({ ensure(): Promise<void> } | undefined)[] =
      scope === 'capacity' ? [this.nodes, this.pods] : [...this.owned.values(), this.pods];
    await Promise.all(needed.map((i) => i?.ensure()));
  }

  /** The watched objects of `apiVersion`/`kind`, when that kind is watched and listed. */
  informer(apiVersion: string, kind: string): Informer<OwnedObject> | undefined {
    const i = this.owned.get(`${apiVersion}/${kind}`);
    return i?.state === 'synced' ? i : undefined;
  }

  /** Every listed informer of objects that inventory and prune read. */
  inventoryInformers(): Informer<OwnedObject>[] {
    const out: Informer<OwnedObject>[] = [];
    for (const r of RENDERED_KINDS) {
      const i = this.informer(r.apiVersion, r.kind);
      if (r.inventory && i) out.push(i);
    }
    return out;
  }

  /** Kinds the cluster serves but refused to list: read by request instead. */
  unlisted(): ResourceInfo[] {
    return [...this.owned.values()].filter((i) => i.state === 'unavailable').map((i) => i.resource);
  }

  /** Rights the API server refused on the resources watched (list or watch answered 403). */
  denied(): ClusterPermission[] {
    const all: ({ denied: string | undefined; resource: ResourceInfo } | undefined)[] = [
      ...this.owned.values(),
      this.pods,
      this.nodes,
    ];
    return all
      .flatMap((i) => (i?.denied ? [{ verb: i.denied, resource: i.resource.plural, group: i.resource.group }] : []))
      .filter(
        (p, i, list) =>
          list.findIndex((q) => q.verb === p.verb && q.resource === p.resource && q.group === p.group) === i,
      )
      .sort((a, b) => (`${a.group}/${a.resource}` < `${b.group}/${b.resource}` ? -1 : 1));
  }

  /** Refusals are asked again at the next ensure() (the server that refused may not have been ready). */
  retryRefused(): void {
    for (const i of [...this.owned.values(), this.pods, this.nodes]) i?.retryRefused();
  }

  podsIn(namespace: string): PodSummary[] {
    return this.pods?.byIndex(`ns:${namespace}`) ?? [];
  }

  allPods(): Iterable<PodSummary> {
    return this.pods?.values() ?? [];
  }

  allNodes(): Iterable<NodeSummary> {
    return this.nodes?.values() ?? [];
  }

  stop(): void {
    for (const i of this.owned.values()) i.stop();
    this.pods?.stop();
    this.nodes?.stop();
  }

  private async start(): Promise<void> {
    await this.discovery.groupsOnce();
    const found = await Promise.all(
      RENDERED_KINDS.filter((r) => this.discovery.serves(r.apiVersion)).map((r) =>
        this.discovery.resource(r.apiVersion, r.kind),
      ),
    );
    for (const info of found) {
      if (!info || this.owned.has(`${info.apiVersion}/${info.kind}`)) continue;
      this.owned.set(
        `${info.apiVersion}/${info.kind}`,
        new Informer<OwnedObject>({
          http: this.http,
          resource: info,
          labelSelector: info.kind === 'Job' ? OWNER_LABELS.app : `${OWNER_LABELS.managedBy}=polis`,
          reduce: (obj) => this.reduceOwned(obj),
          index: ownedIndex,
          idleMs: this.opts.idleMs,
          onChange: (type, next, prev) => this.ownedChanged(type, next, prev),
        }),
      );
    }
    const [pod, node] = await Promise.all([
      this.discovery.resource('v1', 'Pod'),
      this.discovery.resource('v1', 'Node'),
    ]);
    if (pod)
      this.pods = new Informer<PodSummary>({
        http: this.http,
        resource: pod,
        reduce: summarizePod,
        index: (p) => [`ns:${p.namespace}`],
        idleMs: this.opts.idleMs,
        onChange: (_type, next, prev) => this.podChanged(next, prev),
      });
    if (node)
      this.nodes = new Informer<NodeSummary>({
        http: this.http,
        resource: node,
        reduce: summarizeNode,
        idleMs: this.opts.idleMs,
      });
  }

  private reduceOwned(obj: Json): OwnedObject {
    const meta = (obj.metadata ?? {}) as Json;
    const { managedFields, ...rest } = meta;
    const mine = ((managedFields as Json[] | undefined) ?? []).find(
      (f) => f.manager === this.opts.fieldManager && f.operation === 'Apply',
    );
    const apiVersion = typeof mine?.apiVersion === 'string' ? mine.apiVersion : String(obj.apiVersion);
    const namespace = typeof rest.namespace === 'string' ? rest.namespace : '';
    return {
      key: `${apiVersion}/${String(obj.kind)}/${namespace}/${String(rest.name)}`,
      obj: { ...obj, metadata: rest },
    };
  }

  private ownedChanged(type: ChangeType, next: OwnedObject | undefined, prev: OwnedObject | undefined): void {
    const o = (next ?? prev)!;
    const meta = o.obj.metadata as Json;
    const namespace = o.obj.kind === 'Namespace' ? String(meta.name) : String(meta.namespace ?? '');
    if (WORKLOAD_KINDS.has(String(o.obj.kind))) {
      if (type !== 'MODIFIED' || fingerprint(next!.obj) !== fingerprint(prev!.obj))
        this.opts.onNamespaceChange(namespace);
      return;
    }
    // An edit or a deletion that polis did not make is drift: the application is looked at again.
    if (type === 'ADDED') return;
    if (next && this.opts.isOwnWrite(next.key, String(meta.resourceVersion))) return;
    this.opts.onNamespaceChange(namespace);
  }

  private podChanged(next: PodSummary | undefined, prev: PodSummary | undefined): void {
    const p = (next ?? prev)!;
    if (p.labels[OWNER_LABELS.app] === undefined) return;
    if (next && prev && podFingerprint(next) === podFingerprint(prev)) return;
    this.opts.onNamespaceChange(p.namespace);
  }
}

function ownedIndex(o: OwnedObject): string[] {
  const meta = o.obj.metadata as Json;
  const labels = (meta.labels ?? {}) as Record<string, string>;
  const out = [`ns:${String(meta.namespace ?? '')}`];
  const app = labels[OWNER_LABELS.app];
  const tenant = labels[OWNER_LABELS.tenant];
  if (app !== undefined && tenant !== undefined) out.push(ownerIndexKey(app, tenant));
  return out;
}

export function ownerIndexKey(app: string, tenant: string): string {
  return `owner:${app}\u0000${tenant}`;
}

function fingerprint(obj: Json): string {
  return `${String((obj.metadata as Json).generation)}|${JSON.stringify(obj.status ?? null)}`;
}

function podFingerprint(p: PodSummary): string {
  return `${p.node}|${p.phase}|${p.ready}|${p.terminating}|${p.failure?.reason}|${p.restarts}`;
}
