import type { ClusterSpec } from '../../clusters/cluster-kind.ts';
import { EventRecorder } from '../../events/event-recorder.ts';
import type { Clock } from '../../kernel/clock.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { CatalogItemSpec, MarketInstanceSpec, ServiceBindingSpec } from '../../market/market-kinds.ts';
import { PLATFORM_SPACE } from '../../market/market-kinds.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { ResourceService } from '../../resources/service.ts';
import type { Store } from '../../resources/store.ts';
import { DEFAULT_OFFSET_MINUTES, dayStart, daysOfMonth, intervalKeys } from '../metering/meter-buckets.ts';
import type { SharedPool } from './allocation.ts';
import { buildBill, newThresholds, yuanText } from './bill.ts';
import type { BudgetSpec, CostPolicySpec } from './billing-kinds.ts';
import { COST_POLICY_NAME, DEFAULT_THRESHOLDS } from './billing-kinds.ts';
import type { CostDay, MarketFee, PricedCluster } from './cost-day.ts';
import { costDay, pool } from './cost-day.ts';

const SYSTEM = { actor: 'system:billing', requestId: 'billing' };
const PAGE = 1000;
/** How far back unclosed metered days are looked for. */
const LOOKBACK_DAYS = 40;
/** The pool of the platform's own components (department `platform`, not a shared instance). */
export const PLATFORM_POOL = 'platform';

/** A budget threshold reached: what the notification channels are given (the hook below). */
export interface BudgetAlert {
  readonly tenant: string;
  readonly budget: string;
  readonly month: string;
  readonly threshold: number;
  readonly spentFen: number;
  readonly budgetFen: number;
  readonly forecastFen: number;
}

export interface BillingControllerDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly clock: Clock;
  readonly offsetMinutes?: number;
  /** Called once per budget, month and threshold reached (notification channels hook in here). */
  readonly onBudgetAlert?: (alert: BudgetAlert) => void | Promise<void>;
  /** How often, in real time, days are closed and budgets checked when started (default 10 minutes). */
  readonly intervalMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
}

/**
 * Closes each metered day once it is over (cost lines per cluster and the marketplace's fees, written once, so a
 * restart repeats nothing), and checks every department's budget against its month to date (docs/operations.md).
 */
export class BillingController {
  readonly #deps: BillingControllerDeps;
  readonly #events: EventRecorder;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<unknown> | undefined;

  constructor(deps: BillingControllerDeps) {
    this.#deps = deps;
    this.#events = new EventRecorder({
      resources: deps.resources,
      clock: deps.clock,
      component: 'billing',
      log: deps.log,
    });
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.run()
        .catch((e: unknown) => this.#deps.log?.('billing run failed', e))
        .finally(() => (this.#running = undefined));
    }, this.#deps.intervalMs ?? 600_000);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
    await this.#events.idle();
  }

  /** Closes the finished days and checks budgets. */
  async run(): Promise<{ closed: string[]; alerts: BudgetAlert[] }> {
    const closed = await this.closeDays();
    const alerts = await this.checkBudgets();
    return { closed, alerts };
  }

  get #offset(): number {
    return this.#deps.offsetMinutes ?? DEFAULT_OFFSET_MINUTES;
  }

  /** Every metered day before today (local) not yet closed, oldest first; returns the days it closed. */
  async closeDays(): Promise<string[]> {
    const now = this.#deps.clock.now().getTime();
    const today = intervalKeys(now, this.#offset).day;
    const from = intervalKeys(now - LOOKBACK_DAYS * 86_400_000, this.#offset).day;
    const ledger = this.#deps.store.ledger;
    const yesterday = intervalKeys(now - 86_400_000, this.#offset).day;
    const metered = await ledger.capacityRows({ period: 'day', from, to: yesterday });
    const done = new Set((await ledger.costTotals({ from, to: yesterday })).map((t) => t.day));
    const days = [...new Set(metered.map((r) => r.start))].filter((d) => d < today && !done.has(d)).sort();
    const closed: string[] = [];
    for (const day of days) {
      const result = await this.costOf(day);
      if (await ledger.closeCostDay(day, result.totals, result.lines)) closed.push(day);
    }
    return closed;
  }

  /** The cost lines of one day from what the meter recorded and the estate, policy and prices now (not written). */
  async costOf(day: string): Promise<CostDay> {
    const ledger = this.#deps.store.ledger;
    const [usage, capacity, clusters, policies, tenants, instances, bindings, items] = await Promise.all([
      ledger.meterRows({ period: 'day', from: day, to: day }),
      ledger.capacityRows({ period: 'day', from: day, to: day }),
      this.#list('Cluster'),
      this.#list('CostPolicy'),
      this.#list('Tenant'),
      this.#list('MarketInstance'),
      this.#list('ServiceBinding'),
      this.#list('CatalogItem'),
    ]);
    const policy = (policies.find((p) => p.metadata.name === COST_POLICY_NAME)?.spec ?? {}) as CostPolicySpec;
    const month = day.slice(0, 7);
    const days = daysOfMonth(month);
    const start = dayStart(day, this.#offset);
    // Shared instances: the platform's instances marked shared, and the departments bound to each.
    const sharedApp = new Map<string, string>();
    const pools = new Map<string, SharedPool>();
    const departments = tenants.map((t) => t.metadata.name).filter((t) => t !== PLATFORM_SPACE);
    for (const i of instances) {
      const spec = i.spec as MarketInstanceSpec;
      if (i.metadata.tenant !== PLATFORM_SPACE || !spec.shared) continue;
      const app =
        (i.status as { application?: string } | undefined)?.application ?? spec.application ?? i.metadata.name;
      const members = bindings
        .filter(
          (b) => (b.spec as ServiceBindingSpec).shared && (b.spec as ServiceBindingSpec).instance === i.metadata.name,
        )
        .map((b) => b.metadata.tenant!);
      sharedApp.set(app, app);
      pools.set(app, pool(app, PLATFORM_SPACE, members, policy.sharedInstances));
    }
    pools.set(PLATFORM_POOL, pool(PLATFORM_POOL, PLATFORM_SPACE, departments, policy.platform));
    // Everything else the platform runs is the platform pool's.
    const poolOf = (tenant: string, app: string) =>
      tenant !== PLATFORM_SPACE ? undefined : (sharedApp.get(app) ?? PLATFORM_POOL);
    return costDay({
      day,
      dayOfMonth: days.indexOf(day) + 1,
      daysInMonth: days.length,
      hours: 24,
      clusters: clusters.map((c) => pricedCluster(c)),
      usage,
      capacity,
      basis: policy.basis ?? 'max',
      idle: policy.idle ?? 'line',
      pools,
      poolOf,
      fees: marketFees(
        items,
        [...instances, ...(await this.#departed('MarketInstance', start))],
        [...bindings, ...(await this.#departed('ServiceBinding', start))],
        { start, end: dayStart(nextDay(day), this.#offset) },
      ),
    });
  }

  /** Checks every Budget against its department's month to date; alerts each threshold once a month. */
  async checkBudgets(): Promise<BudgetAlert[]> {
    const now = this.#deps.clock.now().getTime();
    const month = intervalKeys(now, this.#offset).month;
    const days = daysOfMonth(month);
    const budgets = await this.#list('Budget');
    const alerts: BudgetAlert[] = [];
    for (const b of budgets) {
      const tenant = b.metadata.tenant!;
      const spec = b.spec as BudgetSpec;
      const status = (b.status ?? {}) as { month?: string; alerted?: number[] };
      const rows = await this.#deps.store.ledger.costLines({ from: days[0]!, to: days.at(-1)!, tenants: [tenant] });
      const bill = buildBill(tenant, month, days.length, rows);
      const budgetFen = Math.round(spec.amount * 100);
      const alerted = status.month === month ? (status.alerted ?? []) : [];
      const reached = newThresholds(bill.totalFen, budgetFen, spec.thresholds ?? DEFAULT_THRESHOLDS, alerted);
      for (const threshold of reached) {
        const alert: BudgetAlert = {
          tenant,
          budget: b.metadata.name,
          month,
          threshold,
          spentFen: bill.totalFen,
          budgetFen,
          forecastFen: bill.forecastFen,
        };
        alerts.push(alert);
        const params = {
          budget: b.metadata.name,
          month,
          percent: threshold,
          spent: yuanText(bill.totalFen),
          amount: yuanText(budgetFen),
        };
        void this.#events.record({
          tenant,
          involved: { kind: 'Budget', name: b.metadata.name, apiVersion: 'polis.io/v1' },
          type: 'Warning',
          reason: threshold >= 100 ? 'BudgetExceeded' : 'BudgetThreshold',
          detail: threshold >= 100 ? msg('BudgetExceeded', params) : msg('BudgetThresholdReached', params),
        });
        await Promise.resolve(this.#deps.onBudgetAlert?.(alert)).catch((e: unknown) =>
          this.#deps.log?.('budget alert hook failed', e),
        );
      }
      const next = {
        month,
        spent: bill.totalFen / 100,
        forecast: bill.forecastFen / 100,
        percent: budgetFen > 0 ? Math.round((bill.totalFen * 1000) / budgetFen) / 10 : 0,
        alerted: [...alerted, ...reached].sort((x, y) => x - y),
      };
      if (JSON.stringify(next) !== JSON.stringify(b.status ?? {}))
        await this.#deps.resources
          .replaceStatus(SYSTEM, { ...b, status: next })
          .catch((e: unknown) => this.#deps.log?.('budget status not written', e));
    }
    await this.#events.idle();
    return alerts;
  }

  /**
   * Instances or bindings removed since `since` (epoch ms), rebuilt from the audit log: the spec their creation
   * recorded, created when it was, gone from the moment their deletion was asked for. A day's fees then count an
   * instance deleted that day for the hours it ran (the audit log is kept far longer than the days left to close).
   */
  async #departed(kind: string, since: number): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const seen = new Set<string>();
    let after: number | undefined;
    for (;;) {
      const page = await this.#deps.store.queryAudit({
        kind,
        since: new Date(since).toISOString(),
        outcome: 'success',
        limit: PAGE,
        ...(after !== undefined ? { after } : {}),
      });
      for (const e of page.items) {
        const key = `${e.tenant}/${e.name}`;
        if (e.changes !== null || seen.has(key)) continue;
        seen.add(key);
        const history = (
          await this.#deps.store.queryAudit({ kind, tenant: e.tenant, name: e.name, outcome: 'success', limit: PAGE })
        ).items.filter((h) => h.seq <= e.seq);
        // The last creation before this removal (a name may have been used before).
        const created = history
          .filter(
            (h) =>
              (h.changes as { spec?: unknown } | null)?.spec !== undefined &&
              (h.changes as { metadata?: { creationTimestamp?: string } }).metadata?.creationTimestamp,
          )
          .at(-1);
        if (!created) continue;
        const c = created.changes as { spec: unknown; metadata: { creationTimestamp: string } };
        const marked = history.find(
          (h) =>
            h.seq > created.seq &&
            (h.changes as { metadata?: { deletionTimestamp?: string } } | null)?.metadata?.deletionTimestamp,
        );
        out.push({
          apiVersion: 'market.polis.io/v1',
          kind,
          metadata: {
            name: e.name,
            tenant: e.tenant,
            creationTimestamp: c.metadata.creationTimestamp,
            deletionTimestamp: marked?.time ?? e.time,
          },
          spec: c.spec,
        } as unknown as StoredObject);
      }
      if (page.next === undefined) break;
      after = page.next;
    }
    return out;
  }

  async #list(kind: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let cont: string | undefined;
    do {
      const page = await this.#deps.store.list({ kind, limit: PAGE, continue: cont });
      out.push(...page.items);
      cont = page.continue;
    } while (cont);
    return out;
  }
}

/** A Cluster object's price list (absent prices are 0; burst clusters pay as they go unless told otherwise). */
export function pricedCluster(c: StoredObject): PricedCluster {
  const spec = c.spec as ClusterSpec;
  const p = spec.prices;
  const burst = spec.role === 'burst';
  return {
    name: c.metadata.name,
    vendor: spec.vendor,
    burst,
    prices: {
      cpuCoreHour: p?.cpuCoreHour ?? 0,
      memoryGiBHour: p?.memoryGiBHour ?? 0,
      storageGiBMonth: p?.storageGiBMonth ?? 0,
      burstPremiumPercent: p?.burstPremiumPercent ?? 0,
      billing: p?.billing ?? (burst ? 'usage' : 'capacity'),
    },
    fixedMonthlyFen: Math.round((p?.fixedMonthly ?? 0) * 100),
  };
}

/** The day after `day` (YYYY-MM-DD). */
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** The part of [start, end) during which an object existed (creation to the start of its deletion). */
export function existedFraction(o: StoredObject, window?: { readonly start: number; readonly end: number }): number {
  if (!window) return 1;
  const created = o.metadata.creationTimestamp ? Date.parse(o.metadata.creationTimestamp) : -Infinity;
  const gone = o.metadata.deletionTimestamp ? Date.parse(o.metadata.deletionTimestamp) : Infinity;
  const from = Math.max(window.start, created);
  const to = Math.min(window.end, gone);
  return to > from ? (to - from) / (window.end - window.start) : 0;
}

/**
 * The marketplace's paid fees of a day: an instance-month price per instance (a shared instance's fee split among
 * the departments bound to it that day), a binding-month price per binding, credited to the item's publisher. With
 * a window (the day), each fee counts the part of the day its instance (binding-month: its binding) existed, so an
 * instance made or deleted mid-day pays for the hours it ran, and one made after the day pays nothing for it.
 * `instances` and `bindings` include those removed since the day began (see BillingController#departed).
 */
export function marketFees(
  items: readonly StoredObject[],
  instances: readonly StoredObject[],
  bindings: readonly StoredObject[],
  window?: { readonly start: number; readonly end: number },
): MarketFee[] {
  const fees: MarketFee[] = [];
  const itemOf = new Map(items.map((i) => [i.metadata.name, i.spec as CatalogItemSpec]));
  for (const i of instances) {
    const spec = i.spec as MarketInstanceSpec;
    const item = itemOf.get(spec.item);
    if (!item || item.price.model === 'free' || !item.price.amount) continue;
    const ran = existedFraction(i, window);
    if (ran <= 0) continue;
    const monthlyFen = Math.round(item.price.amount * 100);
    const bound = bindings.filter((b) => {
      const s = b.spec as ServiceBindingSpec;
      return (
        s.instance === i.metadata.name &&
        (spec.shared ? s.shared === true : b.metadata.tenant === i.metadata.tenant && !s.shared) &&
        existedFraction(b, window) > 0
      );
    });
    const fraction = (f: number) => (window ? { fraction: f } : {});
    if (item.price.model === 'instance-month') {
      const subscribers = spec.shared ? bound.map((b) => b.metadata.tenant!) : [i.metadata.tenant!];
      fees.push({
        item: spec.item,
        instance: i.metadata.name,
        publisher: item.publisher,
        monthlyFen,
        subscribers,
        ...fraction(ran),
      });
    } else
      for (const b of bound)
        fees.push({
          item: spec.item,
          instance: i.metadata.name,
          publisher: item.publisher,
          monthlyFen,
          subscribers: [b.metadata.tenant!],
          ...fraction(Math.min(ran, existedFraction(b, window))),
        });
  }
  return fees;
}
