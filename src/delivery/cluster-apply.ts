import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import { ClusterForbiddenError, ClusterUnreachableError, NamespaceOwnedError } from '../clusters/driver.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Owner } from '../kernel/ownership.ts';
import type { WorkloadStatus } from '../clusters/driver.ts';
import type { ApplyProblem, Observation } from './app-status.ts';
import type { ClusterPlan } from './desired-state.ts';
import type { EventNotes } from './event-notes.ts';

/** What one application's delivery remembers per cluster between reconciles. */
export interface AppliedMemory {
  /** Per cluster: the hash of what was last applied there. */
  readonly applied: Map<string, string>;
}

/** Counters the delivery controller keeps for tests, benchmarks and /metrics. */
export interface ApplyCounters {
  applies: number;
  /** Of those, applies the cluster answered unchanged without the manifests (ClusterDriver.applyUnchanged). */
  appliesUnchanged: number;
  objectsChanged: number;
  prunes: number;
}

/** What applying one cluster's plan found, gathered over all target clusters of one reconcile. */
export interface ApplyOutcome {
  readonly observations: Map<string, Observation>;
  readonly applyErrors: Map<string, ApplyProblem>;
}

/**
 * Applies one cluster's share of an application through its driver, prunes what the new spec no longer renders,
 * and observes the workloads. An unreachable cluster is noted (and an event recorded while it counts as healthy),
 * never fatal; what the cluster refused is an apply error for the status.
 */
export async function applyToCluster(
  clusters: ClusterDirectory,
  owner: Owner,
  cp: ClusterPlan,
  mem: AppliedMemory,
  out: ApplyOutcome,
  healthy: ReadonlySet<string>,
  notes: EventNotes,
  stats: ApplyCounters,
  /**
   * Asked right before each write to the cluster (apply, prune): throws when this replica's term or its hold on the
   * application is over (ResourceService.checkFence), so a deposed owner stops before it writes.
   */
  guard: () => Promise<void>,
  /** Take over fields another field manager applied (the application's polis.io/force-conflicts annotation). */
  force = false,
): Promise<void> {
  const driver = clusters.driver(cp.cluster);
  if (!driver) {
    const detail = msg('NoDriver');
    out.observations.set(cp.cluster, { unreachable: detail.message, detail });
    return;
  }
  try {
    const changedSpec = mem.applied.get(cp.cluster) !== cp.hash;
    await guard();
    // The same plan as the last apply here, and the cluster can tell nothing it left has changed since: the
    // manifests are not sent again (a steady application's resync). Any change there, and they are.
    const known =
      !changedSpec && !force && driver.applyUnchanged ? await driver.applyUnchanged(owner, cp.hash) : undefined;
    const report =
      known ??
      (await driver.apply(cp.manifests, {
        owner,
        createOnlyPaths: cp.createOnlyPaths,
        digest: cp.hash,
        ...(force ? { force } : {}),
      }));
    stats.applies++;
    if (known) stats.appliesUnchanged++;
    const changed = report.applied.filter((a) => a.action !== 'unchanged');
    stats.objectsChanged += changed.length;
    if (report.failed.length > 0) {
      const failures = report.failed.map((f) => msg('ObjectRefused', { object: f.key, error: f.message }));
      const detail = msg('ApplyFailedObjects', { failures });
      out.applyErrors.set(cp.cluster, { reason: 'ApplyFailed', message: detail.message, detail });
      notes.add('Warning', 'ApplyFailed', cp.cluster, detail);
    }
    if (changed.length > 0) {
      // Kinds and names only: which way each changed (created, configured) is no word to translate.
      const objects = changed.map((a) => shortKey(a.key)).join(', ');
      if (changedSpec) notes.add('Normal', 'Applied', cp.cluster, msg('AppliedObjects', { objects }));
      else notes.add('Warning', 'DriftRepaired', cp.cluster, msg('DriftRepairedObjects', { objects }));
    }
    if (changedSpec) {
      const keep = new Set(cp.manifests.map((m) => keyString(m)));
      await guard();
      const pruned = await driver.prune(owner, keep);
      stats.prunes++;
      if (pruned.deleted.length > 0)
        notes.add(
          'Normal',
          'Pruned',
          cp.cluster,
          msg('PrunedObjects', { objects: pruned.deleted.map(shortKey).join(', ') }),
        );
    }
    if (report.failed.length === 0) mem.applied.set(cp.cluster, cp.hash);
    // The workloads in each of the application's namespaces there (a topology's namespace of its own beside its own).
    const seen: WorkloadStatus[] = [];
    for (const namespace of cp.namespaces.length ? cp.namespaces : [owner.namespace])
      seen.push(...(await driver.observe(namespace === owner.namespace ? owner : { ...owner, namespace })));
    out.observations.set(cp.cluster, seen);
  } catch (e) {
    if (e instanceof NamespaceOwnedError) {
      // Not a takeover: the application stays off this cluster's namespace, and says whose it is.
      mem.applied.delete(cp.cluster);
      out.applyErrors.set(cp.cluster, {
        reason: e.reason,
        message: e.message,
        detail: e.detail,
        params: { namespace: e.namespace, tenant: e.owner.tenant, application: e.owner.app },
      });
      out.observations.set(cp.cluster, []);
      notes.add('Warning', e.reason, cp.cluster, e.detail);
      return;
    }
    if (e instanceof ClusterForbiddenError) {
      // Nothing is delivered where polis may not watch what it delivers: an apply error, not an unreachable cluster.
      mem.applied.delete(cp.cluster);
      out.applyErrors.set(cp.cluster, { reason: 'PermissionDenied', message: e.message, detail: e.detail });
      out.observations.set(cp.cluster, { unreachable: e.message, detail: e.detail });
      notes.add('Warning', 'PermissionDenied', cp.cluster, e.detail);
      return;
    }
    if (!(e instanceof ClusterUnreachableError)) throw e;
    mem.applied.delete(cp.cluster);
    out.observations.set(cp.cluster, { unreachable: e.message, detail: e.detail });
    // The note is on its cluster already: "gov-west: unreachable: the cluster is down", the name said once.
    if (healthy.has(cp.cluster))
      notes.add('Warning', 'ClusterUnreachable', cp.cluster, msg('UnreachableBecause', { detail: e.why }));
  }
}

function keyString(m: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${m.apiVersion}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

/** `apps/v1/Deployment/ns/web` → `Deployment/web`. */
function shortKey(key: string): string {
  const parts = key.split('/');
  return `${parts.at(-3)}/${parts.at(-1)}`;
}
