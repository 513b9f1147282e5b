import type { CapacityRow, CostLineRow, CostTotalRow, MeterRow } from '../../resources/ledger-store.ts';
import type { AllocationPolicy, ChargeBasis, PriceList, SharedPool, SplitRule } from './allocation.ts';
import { allocateCluster } from './allocation.ts';
import { dailyShare, largestRemainder } from './largest-remainder.ts';

/** A cluster as the day's allocation needs it. */
export interface PricedCluster {
  readonly name: string;
  readonly vendor: string;
  readonly burst: boolean;
  readonly prices: PriceList;
  /** Fixed monthly cost in fen. */
  readonly fixedMonthlyFen: number;
}

/** A marketplace fee running on the day: who pays, who is credited, per month in fen. */
export interface MarketFee {
  readonly item: string;
  readonly instance: string;
  readonly publisher: string;
  readonly monthlyFen: number;
  /** The departments that pay it, split evenly (a shared instance's subscribers). */
  readonly subscribers: readonly string[];
  /** The part of the day the instance or binding existed (default 1: all of it). */
  readonly fraction?: number;
}

export interface CostDayInput {
  readonly day: string;
  /** 1-based day of its month and the month's length. */
  readonly dayOfMonth: number;
  readonly daysInMonth: number;
  /** The day's length in hours (24). */
  readonly hours: number;
  readonly clusters: readonly PricedCluster[];
  readonly usage: readonly MeterRow[];
  readonly capacity: readonly CapacityRow[];
  readonly basis: ChargeBasis;
  readonly idle: 'line' | 'spread';
  /** Shared pools by name; `poolOf` names the pool of a (department, application), if any. */
  readonly pools: ReadonlyMap<string, SharedPool>;
  poolOf(tenant: string, app: string): string | undefined;
  readonly fees: readonly MarketFee[];
}

export interface CostDay {
  readonly totals: CostTotalRow[];
  readonly lines: CostLineRow[];
}

const MINUTES_PER_HOUR = 60;

/**
 * One day's cost lines for every cluster and the marketplace (pure). Per cluster, what the meter recorded that
 * day on the chosen basis is priced by allocateCluster; capacity is the day's mean allocatable over the whole day
 * (a private cluster is paid for whether polis metered every minute or not). Marketplace fees for the day are
 * charged to subscribers and credited to publishers under cluster '', netting to zero.
 */
export function costDay(input: CostDayInput): CostDay {
  const totals: CostTotalRow[] = [];
  const lines: CostLineRow[] = [];
  const policy: AllocationPolicy = { idle: input.idle, pools: input.pools };
  const hoursInMonth = input.daysInMonth * 24;
  for (const c of input.clusters) {
    const cap = input.capacity.find((r) => r.cluster === c.name);
    const mean = (x: number) => (cap && cap.minutes > 0 ? x / cap.minutes : 0);
    const uses = input.usage
      .filter((r) => r.cluster === c.name)
      .map((r) => {
        const cpu = input.basis === 'request' ? r.cpuRequest : input.basis === 'usage' ? r.cpuUsage : r.cpuMax;
        const mem = input.basis === 'request' ? r.memRequest : input.basis === 'usage' ? r.memUsage : r.memMax;
        const pool = input.poolOf(r.tenant, r.app);
        return {
          tenant: r.tenant,
          app: r.app,
          component: r.component,
          coreHours: cpu / 1000 / MINUTES_PER_HOUR,
          memoryGiBHours: mem / 1024 / MINUTES_PER_HOUR,
          storageGiBHours: r.storage / 1024 / MINUTES_PER_HOUR,
          ...(pool ? { pool } : {}),
        };
      });
    const a = allocateCluster(
      {
        cluster: c.name,
        hours: input.hours,
        hoursInMonth,
        capacity: {
          coreHours: (mean(cap?.cpu ?? 0) / 1000) * input.hours,
          memoryGiBHours: (mean(cap?.mem ?? 0) / 1024) * input.hours,
        },
        prices: c.prices,
        burst: c.burst,
        fixedFen: dailyShare(c.fixedMonthlyFen, input.dayOfMonth, input.daysInMonth),
        uses,
      },
      policy,
    );
    totals.push({ day: input.day, cluster: c.name, totalFen: a.totalFen });
    for (const l of a.lines) lines.push({ day: input.day, cluster: c.name, vendor: c.vendor, ...l });
  }
  const market = new Map<string, CostLineRow>();
  const add = (tenant: string, app: string, component: string, item: string, fen: number) => {
    if (fen === 0) return;
    const key = `${tenant}\u0000${app}\u0000${component}\u0000${item}`;
    const had = market.get(key);
    market.set(key, {
      day: input.day,
      cluster: '',
      vendor: '',
      tenant,
      app,
      component,
      item,
      fen: (had?.fen ?? 0) + fen,
    });
  };
  for (const f of input.fees) {
    const fen = Math.round(dailyShare(f.monthlyFen, input.dayOfMonth, input.daysInMonth) * (f.fraction ?? 1));
    const subscribers = [...new Set(f.subscribers)].sort();
    if (fen <= 0 || subscribers.length === 0) continue;
    const parts = largestRemainder(
      fen,
      subscribers.map(() => 1),
    );
    subscribers.forEach((t, i) => add(t, f.item, f.instance, 'marketplace', parts[i]!));
    add(f.publisher, f.item, '', 'marketplace-credit', -fen);
  }
  if (market.size > 0) {
    totals.push({ day: input.day, cluster: '', totalFen: 0 });
    lines.push(...market.values());
  }
  return { totals, lines };
}

/** A split rule and weights as a pool (members filled in by the caller). */
export function pool(
  name: string,
  owner: string,
  members: readonly string[],
  rule: { rule: SplitRule; weights?: Readonly<Record<string, number>> } | undefined,
): SharedPool {
  return { name, owner, members, rule: rule?.rule ?? 'use', ...(rule?.weights ? { weights: rule.weights } : {}) };
}
