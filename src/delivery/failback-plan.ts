import { msg } from '../kernel/messages/index.ts';
import type { FailoverRecord } from '../failover/failback.ts';
import { failbackSettings, noteFailover, originsReady, surgePlacement } from '../failover/failback.ts';
import type { AppStatus } from './app-status.ts';
import { RUN_TO_COMPLETION } from './app-status.ts';
import type { DeliveryPlan, PlanInput } from './desired-state.ts';
import { planDelivery } from './desired-state.ts';
import type { EventNotes } from './event-notes.ts';

/** How often a surge looks whether the origins' replicas are ready (make-before-break's second half). */
export const SURGE_RECHECK_MS = 5_000;

export interface FailbackPlan {
  readonly plan: DeliveryPlan;
  readonly failover?: FailoverRecord;
  /** Reconcile again after this long: when the origins' stabilization period ends. */
  readonly recheckInMs?: number;
}

/**
 * Failover and failback around placement. Clusters the application leaves because they became unhealthy are
 * remembered with the placement before; once they have been healthy for the failover policy's stabilization
 * period (automatic by default), the placement goes back, make-before-break: first a surge that keeps every
 * cluster's replicas and adds the origins' back, then, once those are ready, the placement from before alone.
 * Clusters in `draining` are left on purpose (the data bureau drains them): they are not recorded as origins.
 */
export function planFailback(
  base: Omit<PlanInput, 'current'> & { readonly generation: number },
  sticky: DeliveryPlan,
  previous: AppStatus | undefined,
  healthy: ReadonlySet<string>,
  healthOf: (cluster: string) => { readonly state: string; readonly since: string } | undefined,
  now: string,
  notes: EventNotes,
  draining: ReadonlySet<string> = new Set(),
): FailbackPlan {
  const targets = new Set(sticky.clusters.map((c) => c.cluster));
  const before = previous?.placement ?? {};
  const left = [...clustersOf(before)].filter((c) => !targets.has(c) && !healthy.has(c));
  // Moving off a draining cluster is not a failover: nothing to fail back to when the drain ends.
  const dropped = left.filter((c) => !draining.has(c));
  const drained = left.filter((c) => draining.has(c));
  if (drained.length > 0)
    notes.add('Normal', 'Draining', undefined, msg('DrainingFrom', { clusters: drained.join(', ') }));
  let record = noteFailover(previous?.failover, before, dropped, now, previous?.observedGeneration ?? 0);
  if (dropped.length > 0)
    notes.add('Warning', 'FailedOver', undefined, msg('FailedOverFrom', { clusters: dropped.join(', ') }));
  // A new spec places afresh: the failover is over (this is also how a manual failback is done).
  if (record && previous && record.generation !== base.generation) record = undefined;
  if (!record) return { plan: sticky };
  const settings = failbackSettings(
    base.spec.policies?.find((p) => p.type === 'failover')?.properties as Record<string, unknown> | undefined,
  );
  const waits = record.origins.map((c) => {
    const h = healthOf(c);
    return h?.state === 'Ready' ? settings.stabilizationMs - (Date.parse(now) - Date.parse(h.since)) : Infinity;
  });
  const wait = settings.mode === 'manual' ? Infinity : Math.max(...waits);
  if (wait > 0) {
    // While no origin is schedulable, placement already leaves them out: nothing to hold back.
    if (record.origins.every((c) => !healthy.has(c))) {
      return { plan: sticky, failover: record, ...recheck(wait) };
    }
    // Until then the origins take nothing new, even if healthy again: no flapping back and forth.
    const origins = new Set(record.origins);
    const held = planDelivery({
      ...base,
      current: before,
      candidates: base.candidates.map((c) => (origins.has(c.name) ? { ...c, healthy: false } : c)),
    });
    return { plan: held.ok ? held : sticky, failover: record, ...recheck(wait) };
  }
  const target = planDelivery({ ...base, current: record.before });
  if (!target.ok) return { plan: sticky, failover: record };
  const targetPlacement = replicasOf(target.placement);
  // Tasks and cron-tasks run in one cluster at a time: they move with the surge, and are not waited for.
  const single = new Set(
    target.demands.filter((d) => d.workloadKind && RUN_TO_COMPLETION.has(d.workloadKind)).map((d) => d.name),
  );
  const readyOn = (component: string, cluster: string) =>
    previous?.components.find((c) => c.name === component)?.clusters.find((c) => c.cluster === cluster)
      ?.readyReplicas ?? 0;
  if (record.phase === 'failing-back' && originsReady(targetPlacement, record.origins, readyOn, single)) {
    notes.add('Normal', 'FailedBack', undefined, msg('FailedBackTo', { clusters: record.origins.join(', ') }));
    return { plan: target };
  }
  // Make before break: every cluster keeps what runs there now, and the origins get theirs back.
  const surge = planDelivery({ ...base, current: before, fixed: surgePlacement(before, targetPlacement, single) });
  if (!surge.ok) return { plan: sticky, failover: record };
  if (record.phase !== 'failing-back')
    notes.add('Normal', 'FailingBack', undefined, msg('FailingBackTo', { clusters: record.origins.join(', ') }));
  record = { ...record, phase: 'failing-back' };
  // Look again soon: nothing else may come to say the origins' replicas are ready (the next full resync is minutes
  // away), and until then the surplus runs beside them.
  return { plan: surge, failover: record, recheckInMs: SURGE_RECHECK_MS };
}

function recheck(waitMs: number): { recheckInMs?: number } {
  return Number.isFinite(waitMs) ? { recheckInMs: waitMs + 100 } : {};
}

/** The clusters a placement has replicas on. */
export function clustersOf(placement: Readonly<Record<string, Readonly<Record<string, number>>>>): Set<string> {
  const out = new Set<string>();
  for (const byCluster of Object.values(placement))
    for (const [cluster, n] of Object.entries(byCluster)) if (n > 0) out.add(cluster);
  return out;
}

/** Replicas per component per cluster of a placement decision. */
export function replicasOf(
  placement: Readonly<Record<string, { readonly replicas: Readonly<Record<string, number>> }>>,
) {
  return Object.fromEntries(Object.entries(placement).map(([c, p]) => [c, p.replicas]));
}
