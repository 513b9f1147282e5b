import { z } from 'zod';
import type { ErrorCause } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { cronProblem } from '../kernel/cron.ts';
import { timeZoneProblem } from '../kernel/time-zone.ts';
import { scheduledFloor } from '../scaling/schedules.ts';
import { replicaCost } from './planner.ts';
import type { BurstAllowance, ClusterCandidate } from './types.ts';
import type { Resources } from '../kernel/resources.ts';

/** A window in which bursting is allowed: opens at each fire of `cron` (in `timezone`) for `durationMinutes`. */
const burstWindowSchema = z
  .object({
    name: z.string().min(1).optional(),
    cron: z.string().min(1),
    timezone: z.string().min(1).optional(),
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  })
  .strict();

/**
 * Limits on bursting into public cloud, for an application (its `autoscaling` policy's `burst`) or a department
 * (the Tenant's `spec.burst`). Absent fields do not limit; windows, when given, are the only times bursting is allowed.
 */
export const burstLimitsSchema = z
  .object({
    /** Replicas on burst clusters at most, all components together. */
    maxReplicas: z.number().int().min(0).optional(),
    /** What the replicas on burst clusters may cost per hour, at the clusters' prices, in yuan. */
    budgetYuanPerHour: z.number().nonnegative().optional(),
    windows: z.array(burstWindowSchema).optional(),
  })
  .strict();

export type BurstLimits = z.infer<typeof burstLimitsSchema>;

/** Cron and time-zone problems of the windows (the shape is checked by the schema). */
export function burstWindowCauses(limits: BurstLimits | undefined, at: string): ErrorCause[] {
  const causes: ErrorCause[] = [];
  (limits?.windows ?? []).forEach((w, j) => {
    const c = cronProblem(w.cron);
    if (c) causes.push({ path: `${at}.windows[${j}].cron`, message: c });
    const tz = w.timezone ? timeZoneProblem(w.timezone) : undefined;
    if (tz) causes.push({ path: `${at}.windows[${j}].timezone`, message: tz });
  });
  return causes;
}

/** What the department's other applications hold on burst clusters now. */
export interface BurstUse {
  readonly replicas: number;
  readonly yuanPerHour: number;
}

export interface BurstDecision {
  /** The allowance for this application's replicas on burst clusters; undefined when nothing limits them. */
  readonly allowance?: BurstAllowance;
  /** Which limits apply, for status and events: "application: 20 replicas", "department: ¥30/h (¥12.50/h used by others)" … */
  readonly limits: readonly string[];
  /** `limits`, coded (BurstLimitAppReplicas …). */
  readonly limitMessages?: readonly Message[];
  /** Set when no window is open: bursting is not allowed now. */
  readonly closed?: string;
  /** `closed`, coded (BurstClosedApp, BurstClosedDept). */
  readonly closedMessage?: Message;
}

function windowOpen(limits: BurstLimits, now: number): boolean {
  if (!limits.windows || limits.windows.length === 0) return true;
  return (
    scheduledFloor(
      limits.windows.map((w) => ({ ...w, minReplicas: 1 })),
      now,
    ).floor > 0
  );
}

/** Yuan with two decimals (the templates add ¥ and /h). */
const yuan = (x: number) => x.toFixed(2);

/**
 * The burst allowance of one application at `now` (epoch ms): the tighter of its own limits and what its
 * department's limits leave after the other applications' current burst use. Residency is not decided here: a
 * cluster outside residency is never eligible, whatever the allowance (src/placement/eligibility.ts).
 */
export function burstAllowance(input: {
  readonly application?: BurstLimits;
  readonly department?: BurstLimits;
  readonly departmentUse: BurstUse;
  readonly now: number;
}): BurstDecision {
  const { application: app, department: dept, departmentUse: used, now } = input;
  if (!app && !dept) return { limits: [] };
  const coded: Message[] = [];
  let maxReplicas = Infinity;
  let budget = Infinity;
  if (app?.maxReplicas !== undefined) {
    maxReplicas = app.maxReplicas;
    coded.push(msg('BurstLimitAppReplicas', { replicas: app.maxReplicas }));
  }
  if (app?.budgetYuanPerHour !== undefined) {
    budget = app.budgetYuanPerHour;
    coded.push(msg('BurstLimitAppBudget', { yuanPerHour: yuan(app.budgetYuanPerHour) }));
  }
  if (dept?.maxReplicas !== undefined) {
    maxReplicas = Math.min(maxReplicas, Math.max(0, dept.maxReplicas - used.replicas));
    coded.push(msg('BurstLimitDeptReplicas', { replicas: dept.maxReplicas, used: used.replicas }));
  }
  if (dept?.budgetYuanPerHour !== undefined) {
    budget = Math.min(budget, Math.max(0, dept.budgetYuanPerHour - used.yuanPerHour));
    coded.push(
      msg('BurstLimitDeptBudget', { yuanPerHour: yuan(dept.budgetYuanPerHour), used: yuan(used.yuanPerHour) }),
    );
  }
  const closedBy = [
    ['application', app],
    ['department', dept],
  ].find(([, l]) => l && !windowOpen(l as BurstLimits, now));
  if (closedBy) {
    const isApp = closedBy[0] === 'application';
    const windows = ((closedBy[1] as BurstLimits).windows ?? []).map((w) => w.name ?? w.cron).join(', ');
    const all = [...coded, msg(isApp ? 'BurstLimitAppWindows' : 'BurstLimitDeptWindows', { windows })];
    const closed = msg(isApp ? 'BurstClosedApp' : 'BurstClosedDept', { windows });
    return {
      allowance: { maxReplicas: 0, budgetYuanPerHour: 0 },
      limits: all.map((m) => m.message),
      limitMessages: all,
      closed: closed.message,
      closedMessage: closed,
    };
  }
  const limits = coded.map((m) => m.message);
  if (maxReplicas === Infinity && budget === Infinity) return { limits, limitMessages: coded };
  return { allowance: { maxReplicas, budgetYuanPerHour: budget }, limits, limitMessages: coded };
}

/** What a placement runs on burst clusters: replicas per cluster, in all, and their cost per hour (pure). */
export function burstUse(
  placement: Readonly<Record<string, Readonly<Record<string, number>>>>,
  perReplica: (component: string) => Resources | undefined,
  clusters: ReadonlyMap<string, ClusterCandidate>,
): BurstUse & { readonly clusters: Readonly<Record<string, number>> } {
  const byCluster: Record<string, number> = {};
  let replicas = 0;
  let yuanPerHour = 0;
  for (const [component, perCluster] of Object.entries(placement)) {
    const per = perReplica(component);
    for (const [name, n] of Object.entries(perCluster)) {
      const c = clusters.get(name);
      if (c?.role !== 'burst' || !(n > 0)) continue;
      byCluster[name] = (byCluster[name] ?? 0) + n;
      replicas += n;
      if (per) yuanPerHour += n * replicaCost(c, per);
    }
  }
  return { replicas, yuanPerHour: Math.round(yuanPerHour * 100) / 100, clusters: byCluster };
}
