import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Resources } from '../kernel/resources.ts';
import type { BurstDecision, BurstUse } from '../placement/burst-limits.ts';
import { burstUse } from '../placement/burst-limits.ts';
import type { ClusterCandidate, ComponentPlacement } from '../placement/types.ts';
import type { AppStatus } from './app-status.ts';

/** An event a burst change calls for. */
export interface BurstNote {
  readonly type: 'Normal' | 'Warning';
  readonly reason: 'Bursting' | 'BurstReleased' | 'BurstLimited';
  readonly detail: Message;
}

/**
 * What a placement runs on burst clusters, as `status.burst`, and the events the change since the last status
 * calls for: Bursting when it starts, BurstReleased when it ends, BurstLimited when the limits start holding
 * replicas back (pure).
 */
export function burstReport(input: {
  readonly placement: Readonly<Record<string, ComponentPlacement>>;
  readonly perReplica: (component: string) => Resources | undefined;
  readonly clusters: ReadonlyMap<string, ClusterCandidate>;
  readonly decision: BurstDecision;
  readonly was: AppStatus['burst'];
}): { status: AppStatus['burst']; use: BurstUse; notes: BurstNote[] } {
  const { decision, was } = input;
  const replicas = Object.fromEntries(Object.entries(input.placement).map(([c, p]) => [c, p.replicas]));
  const use = burstUse(replicas, input.perReplica, input.clusters);
  const heldBack = Object.values(input.placement).reduce((s, p) => s + (p.burstHeldBack ?? 0), 0);
  const notes: BurstNote[] = [];
  const where = Object.entries(use.clusters)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  if (use.replicas > 0 && !was?.replicas)
    notes.push({
      type: 'Normal',
      reason: 'Bursting',
      detail: msg('Bursting', { replicas: use.replicas, clusters: where, yuanPerHour: use.yuanPerHour.toFixed(2) }),
    });
  if (use.replicas === 0 && was?.replicas)
    notes.push({ type: 'Normal', reason: 'BurstReleased', detail: msg('BurstReleased') });
  if (heldBack > 0 && !was?.heldBack)
    notes.push({
      type: 'Warning',
      reason: 'BurstLimited',
      detail: msg('BurstLimited', {
        replicas: heldBack,
        limits: decision.closedMessage ? [decision.closedMessage] : (decision.limitMessages ?? []),
      }),
    });
  const status =
    use.replicas === 0 && heldBack === 0
      ? undefined
      : {
          replicas: use.replicas,
          costPerHour: use.yuanPerHour,
          clusters: use.clusters,
          ...(heldBack > 0 ? { heldBack } : {}),
          ...(decision.limits.length ? { limits: decision.limits } : {}),
          ...(decision.limitMessages?.length ? { limitMessages: decision.limitMessages } : {}),
          ...(decision.closed ? { closed: decision.closed } : {}),
          ...(decision.closedMessage ? { closedMessage: decision.closedMessage } : {}),
        };
  return { status, use: { replicas: use.replicas, yuanPerHour: use.yuanPerHour }, notes };
}

/**
 * Each department's use of burst clusters, application by application, for department burst limits and /metrics.
 * A department's figures are read from its applications' statuses the first time they are needed, then kept
 * current by the delivery controller as it places.
 */
export class BurstLedger {
  private readonly byTenant = new Map<string, Map<string, BurstUse>>();
  private readonly loads = new Map<string, Promise<void>>();
  private readonly listApps: (tenant: string) => Promise<readonly { name: string; status: unknown }[]>;

  constructor(listApps: (tenant: string) => Promise<readonly { name: string; status: unknown }[]>) {
    this.listApps = listApps;
  }

  /** What the department's applications other than `app` run on burst clusters. */
  async othersUse(tenant: string, app: string): Promise<BurstUse> {
    let loading = this.loads.get(tenant);
    if (!loading) {
      loading = this.listApps(tenant).then((apps) => {
        const byApp = this.byTenant.get(tenant) ?? new Map<string, BurstUse>();
        for (const a of apps) {
          const b = (a.status as Partial<AppStatus> | undefined)?.burst;
          if (b?.replicas && !byApp.has(a.name))
            byApp.set(a.name, { replicas: b.replicas, yuanPerHour: b.costPerHour });
        }
        this.byTenant.set(tenant, byApp);
      });
      this.loads.set(tenant, loading);
    }
    await loading;
    return total(this.byTenant.get(tenant)!, app);
  }

  /** Records what an application runs on burst clusters now (nothing: forgets it). */
  record(tenant: string, app: string, use: BurstUse | undefined): void {
    const byApp = this.byTenant.get(tenant);
    if (!byApp) return; // not loaded yet: the first read takes it from the statuses
    if (use && use.replicas > 0) byApp.set(app, use);
    else byApp.delete(app);
  }

  /** Replicas on burst clusters and their cost per hour, by department. */
  byDepartment(): Map<string, BurstUse> {
    return new Map([...this.byTenant].map(([tenant, byApp]) => [tenant, total(byApp)]));
  }
}

function total(byApp: ReadonlyMap<string, BurstUse>, except?: string): BurstUse {
  let replicas = 0;
  let yuanPerHour = 0;
  for (const [name, u] of byApp) {
    if (name === except) continue;
    replicas += u.replicas;
    yuanPerHour += u.yuanPerHour;
  }
  return { replicas, yuanPerHour: Math.round(yuanPerHour * 100) / 100 };
}
