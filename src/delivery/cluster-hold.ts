import type { AppStatus } from './app-status.ts';
import { clustersOf } from './failback-plan.ts';

/**
 * The clusters an application is on (its placement, the clusters it was delivered to, those it waits to leave)
 * whose health is still Unknown: not probed yet since polis started, or just registered. While any is, delivery
 * holds the application as it is: nothing applied, moved, pruned or counted as failed over, no status written.
 * The cluster's first heartbeat (a health change) reconciles it again. An Unknown cluster that never answers
 * becomes Unreachable after its `unreachableAfter` missed heartbeats, and failover then works as usual.
 */
export function unprobedClusters(
  previous: AppStatus | undefined,
  healthOf: (cluster: string) => { readonly state: string } | undefined,
): string[] {
  if (!previous) return [];
  const on = new Set([
    ...clustersOf(previous.placement),
    ...(previous.clusters ?? []),
    ...(previous.pendingRemoval ?? []),
  ]);
  return [...on].filter((c) => healthOf(c)?.state === 'Unknown').sort();
}

/**
 * Whether the objects an application left on `cluster` may be removed now (all of them, namespace and volumes
 * included). Only when the cluster answers Ready this moment and the application runs healthy elsewhere. An
 * application that keeps data in volumes (PersistentVolumeClaims) also keeps its namespace on a cluster it left by
 * failover that is still on record, until failback brings it back or a new spec places it afresh: the data is
 * there. One without volumes is removed at once, so that nothing runs twice (a cron-task's leftover CronJob would
 * fire beside its replacement). A cluster that is only unreachable, or was unknown at start-up, is never cleaned.
 */
export function leftoverRemovable(args: {
  readonly cluster: string;
  readonly ready: boolean;
  readonly appHealthy: boolean;
  readonly failoverOrigins: readonly string[];
  readonly holdsVolumes: boolean;
}): boolean {
  if (!args.ready || !args.appHealthy) return false;
  return !(args.holdsVolumes && args.failoverOrigins.includes(args.cluster));
}

/** Whether what an application renders keeps data in volumes: a PersistentVolumeClaim, or a StatefulSet's claims. */
export function holdsVolumes(manifests: readonly { readonly kind: string; readonly spec?: unknown }[]): boolean {
  return manifests.some(
    (m) =>
      m.kind === 'PersistentVolumeClaim' ||
      (m.kind === 'StatefulSet' &&
        Array.isArray((m.spec as { volumeClaimTemplates?: unknown } | undefined)?.volumeClaimTemplates) &&
        ((m.spec as { volumeClaimTemplates: unknown[] }).volumeClaimTemplates.length ?? 0) > 0),
  );
}
