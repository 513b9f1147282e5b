/**
 * Which applications a resync queues. A resync lists every application this replica owns; how many of them it
 * reconciles depends on why it runs:
 *
 * - `full`: every one (a cluster's health changed, a watch failed, a caller asked): anything may place differently.
 * - `periodic`: all but those that only wait for room and hold nothing in any cluster, unchanged since their last
 *   reconcile (nothing to repair; a capacity or health change, or a change of their own, queues them).
 * - `changed`: only those this replica has not reconciled at their current version: after the live replicas changed
 *   (a rebalance), the applications it gained, or that changed while another replica held them. One it kept and
 *   already reconciled at that version is left alone: the rebalance changed nothing about it, and reconciling every
 *   kept application at each join was most of a replica's first delivery when replicas start one after another.
 *
 * Each scope queues at least what the next one does (full ⊇ periodic ⊇ changed), so calls that share one listing
 * take the widest of their scopes (widerScope).
 */
export type ResyncScope = 'full' | 'periodic' | 'changed';

/** What the delivery controller remembers of an application's last reconcile, as far as a resync asks. */
export interface ResyncMemory {
  /** Some replicas found no room in the last reconcile. */
  readonly unplaced?: boolean;
  /** The last reconcile left nothing of it in any cluster. */
  readonly holdsNothing?: boolean;
  /** Resource version of the application as the last reconcile left it (read, or with the status it wrote). */
  readonly reconciledVersion?: string;
}

/** Whether a resync of `scope` queues an application listed at `resourceVersion`, given what is remembered of it. */
export function resyncQueues(scope: ResyncScope, mem: ResyncMemory | undefined, resourceVersion: string): boolean {
  if (scope === 'full' || !mem) return true;
  const unchanged = mem.reconciledVersion !== undefined && mem.reconciledVersion === resourceVersion;
  if (scope === 'changed') return !unchanged;
  return !(unchanged && mem.unplaced === true && mem.holdsNothing === true);
}

const RANK: Record<ResyncScope, number> = { changed: 0, periodic: 1, full: 2 };

/** The scope of one listing shared by calls of scopes `a` and `b`: the one that queues more. */
export function widerScope(a: ResyncScope, b: ResyncScope): ResyncScope {
  return RANK[a] >= RANK[b] ? a : b;
}
