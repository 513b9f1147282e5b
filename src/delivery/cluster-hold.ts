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
 * included). Only when the cluster answers Ready this moment, the application runs healthy elsewhere, and the
 * cluster was not left by failover that is still on record: replicas moved off a cluster that failed keep their
 * namespace (and its PersistentVolumeClaims) there until failback brings them back, or a new spec places the
 * application afresh. A cluster that is only unreachable, or was unknown at start-up, is never cleaned.
 */
export function leftoverRemovable(args: {
  readonly cluster: string;
  readonly ready: boolean;
  readonly appHealthy: boolean;
  readonly failoverOrigins: readonly string[];
}): boolean {
  return args.ready && args.appHealthy && !args.failoverOrigins.includes(args.cluster);
}
