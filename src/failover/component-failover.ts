import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
/**
 * Application-level failover (pure): a component that keeps crashing in one cluster while it runs healthy in
 * another is moved off that cluster once the failover policy's `crashLoopTolerationSeconds` have passed. The
 * crash is then the cluster's (a node image, a local dependency, a configuration drifted there), not the
 * application's: a component failing everywhere is left where it is, since moving it would not help.
 *
 * The cluster stays avoided for that component until the application changes (a new generation, which is how a
 * fix or a manual failback arrives); the other components are not affected.
 */

/** Reasons of a workload that will not get better by itself in that cluster. */
const CRASH_REASONS: ReadonlySet<string> = new Set(['CrashLoopBackOff']);

export const DEFAULT_CRASH_LOOP_TOLERATION_MS = 120_000;

/** One component crash-looping in one cluster: since when, and when it was moved (then the cluster is avoided). */
export interface CrashLoopRecord {
  readonly component: string;
  readonly cluster: string;
  readonly reason: string;
  /** ISO time it was first seen crash-looping. */
  readonly since: string;
  /** ISO time it was moved off the cluster; absent while still tolerated. */
  readonly movedAt?: string;
  /** The application generation the record belongs to. */
  readonly generation: number;
}

/** What placement needs of a component's clusters, from the last status. */
export interface ComponentObservation {
  readonly name: string;
  readonly clusters: readonly {
    readonly cluster: string;
    readonly readyReplicas: number;
    readonly phase: string;
    readonly reason?: string;
  }[];
}

export interface CrashLoopDecision {
  readonly records: readonly CrashLoopRecord[];
  /** Clusters each component must not be placed on, with the reason shown for them. */
  readonly avoid: Readonly<Record<string, Readonly<Record<string, Message>>>>;
  /** Components just moved, for events: "web off gov-east (CrashLoopBackOff for 120 s; healthy on gov-west)". */
  readonly moved: readonly Message[];
  /** When to look again (ms from now) for a record still tolerated; undefined when none is. */
  readonly recheckInMs?: number;
}

export function crashLoopFailover(input: {
  readonly previous: readonly CrashLoopRecord[] | undefined;
  readonly components: readonly ComponentObservation[];
  readonly generation: number;
  readonly now: string;
  readonly tolerationMs: number;
}): CrashLoopDecision {
  const now = Date.parse(input.now);
  const kept = new Map<string, CrashLoopRecord>();
  for (const r of input.previous ?? [])
    if (r.generation === input.generation) kept.set(`${r.component}/${r.cluster}`, r);
  const records: CrashLoopRecord[] = [];
  const moved: Message[] = [];
  let recheckInMs: number | undefined;
  for (const c of input.components) {
    const healthyOn = c.clusters.filter((x) => x.phase === 'Running' && x.readyReplicas > 0).map((x) => x.cluster);
    for (const x of c.clusters) {
      const key = `${c.name}/${x.cluster}`;
      const had = kept.get(key);
      kept.delete(key);
      if (had?.movedAt) {
        records.push(had);
        continue;
      }
      const crashing = x.reason !== undefined && CRASH_REASONS.has(x.reason) && x.phase !== 'Running';
      if (!crashing) continue; // recovered, or never crashed: nothing to remember
      const record = had ?? {
        component: c.name,
        cluster: x.cluster,
        reason: x.reason!,
        since: input.now,
        generation: input.generation,
      };
      const waited = now - Date.parse(record.since);
      if (waited >= input.tolerationMs && healthyOn.length > 0) {
        records.push({ ...record, movedAt: input.now });
        moved.push(
          msg('CrashLoopMoved', {
            component: c.name,
            cluster: x.cluster,
            reason: record.reason,
            seconds: Math.round(waited / 1000),
            healthyOn: healthyOn.join(', '),
          }),
        );
      } else {
        records.push(record);
        const left = Math.max(1000, input.tolerationMs - waited);
        recheckInMs = recheckInMs === undefined ? left : Math.min(recheckInMs, left);
      }
    }
  }
  // Moved records whose cluster no longer appears (the component left it) are what keeps it away.
  for (const r of kept.values()) if (r.movedAt) records.push(r);
  records.sort((a, b) => (`${a.component}/${a.cluster}` < `${b.component}/${b.cluster}` ? -1 : 1));
  const avoid: Record<string, Record<string, Message>> = {};
  for (const r of records) {
    if (!r.movedAt) continue;
    (avoid[r.component] ??= {})[r.cluster] = msg('CrashLoopAvoided', { component: r.component, reason: r.reason });
  }
  return { records, avoid, moved, ...(recheckInMs !== undefined ? { recheckInMs } : {}) };
}

/** The toleration of a failover policy's properties, in ms. */
export function crashLoopToleration(properties: Record<string, unknown> | undefined): number {
  const s = properties?.crashLoopTolerationSeconds;
  return typeof s === 'number' && s >= 0 ? s * 1000 : DEFAULT_CRASH_LOOP_TOLERATION_MS;
}
