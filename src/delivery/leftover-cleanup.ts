import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import type { ClusterStatus } from '../clusters/cluster-kind.ts';
import { ClusterUnreachableError } from '../clusters/driver.ts';
import { ConflictError } from '../kernel/errors.ts';
import type { Owner } from '../kernel/ownership.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';

const PENDING_CLEANUP = 'pendingCleanup';

export interface LeftoverCleanupDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly clusters: ClusterDirectory;
  /** Records that what an application left on a cluster was removed. */
  readonly cleaned: (owner: Owner, cluster: string) => void;
  readonly log?: (msg: string, err?: unknown) => void;
}

/**
 * What deleted applications left on clusters that were unreachable when they were deleted: listed on the Cluster
 * (`status.pendingCleanup`) and removed once that cluster is reachable again, unless the application was created
 * anew meanwhile (its own reconcile then owns those objects).
 */
export class LeftoverCleanup {
  private readonly deps: LeftoverCleanupDeps;

  constructor(deps: LeftoverCleanupDeps) {
    this.deps = deps;
  }

  /** Records on the Cluster that an application's objects wait there for cleanup. */
  async add(cluster: string, owner: Owner): Promise<void> {
    await this.update(cluster, (list) =>
      list.some((o) => o.tenant === owner.tenant && o.app === owner.app) ? undefined : [...list, owner],
    );
  }

  /** When a cluster is reachable again, removes what deleted applications left there. */
  async returned(cluster: string): Promise<void> {
    try {
      const obj = await this.deps.store.get({ kind: 'Cluster', tenant: '', name: cluster });
      const pending = ((obj?.status as Record<string, unknown> | undefined)?.[PENDING_CLEANUP] ?? []) as Owner[];
      if (pending.length === 0) return;
      const driver = this.deps.clusters.driver(cluster);
      if (!driver) return;
      const done: Owner[] = [];
      for (const o of pending) {
        try {
          // An application re-created since then owns these objects again: leave them to its reconcile.
          const back = await this.deps.store.get({ kind: 'Application', tenant: o.tenant, name: o.app });
          if (!back) await driver.prune(o, new Set());
          done.push(o);
        } catch (e) {
          if (e instanceof ClusterUnreachableError) break;
          throw e;
        }
      }
      if (done.length === 0) return;
      await this.update(cluster, (list) =>
        list.filter((o) => !done.some((d) => d.tenant === o.tenant && d.app === o.app)),
      );
      for (const o of done) this.deps.cleaned(o, cluster);
    } catch (e) {
      this.deps.log?.(`cleanup on ${cluster} failed`, e);
    }
  }

  private async update(cluster: string, change: (list: Owner[]) => Owner[] | undefined): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const obj = await this.deps.store.get({ kind: 'Cluster', tenant: '', name: cluster });
      if (!obj) return;
      const list = ((obj.status as ClusterStatus & Record<string, unknown>)?.[PENDING_CLEANUP] ?? []) as Owner[];
      const next = change(list);
      if (!next) return;
      try {
        await this.deps.resources.patch(
          { actor: 'system:delivery', requestId: `reconcile-cluster/${cluster}` },
          { kind: 'Cluster', tenant: '', name: cluster },
          { metadata: { resourceVersion: obj.metadata.resourceVersion }, status: { [PENDING_CLEANUP]: next } },
          { subresource: 'status' },
        );
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
  }
}
