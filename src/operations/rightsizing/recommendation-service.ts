import type { ApplicationSpec, ComponentSpec } from '../../apps/application-kind.ts';
import { componentDemands } from '../../apps/render/index.ts';
import { namespaceOf } from '../../delivery/namespace.ts';
import { ConflictError, NotFoundError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import { formatBytes, formatCpu } from '../../kernel/quantity.ts';
import type { MetricsSource } from '../../observe/index.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { RequestContext, ResourceService } from '../../resources/service.ts';
import type { LedgerStore } from '../../resources/ledger-store.ts';
import { DEFAULT_OFFSET_MINUTES, intervalKeys } from '../metering/meter-buckets.ts';
import { memoryHistory } from './memory-history.ts';
import type { Sample } from './percentile-profile.ts';
import { recommend, type Prices, type Recommendation } from './recommendation.ts';
import { VPA } from './vpa-constants.ts';

/** How far back the recommender reads: the VPA's memory window, 8 × 24 h (it covers Crane's 168 h too). */
export const HISTORY_MS = VPA.memoryIntervalMs * VPA.memoryIntervalCount;
/** The step of the history read from the metrics source. */
export const HISTORY_STEP_MS = 5 * 60_000;
/** Prices when the caller names none: the sandbox's private clusters' list (yuan per core-hour and GiB-hour). */
export const DEFAULT_PRICES: Prices = { cpuCoreHour: 0.12, memoryGiBHour: 0.016 };

/** The recommendations of one application. */
export interface ApplicationRecommendations {
  readonly tenant: string;
  readonly application: string;
  readonly components: readonly Recommendation[];
  /** Σ of the components' savings, yuan a month. */
  readonly savingYuanPerMonth: number;
}

const PAGE = 500;

/**
 * Reads each component's CPU use from the metrics source (utilization × the request of one replica, 5-minute steps
 * over 8 days) and its memory use from metering's hour roll-ups (memory-history.ts), and asks the pure recommender
 * (recommendation.ts). Without measured memory the memory request is kept (the note RightsizingNoMemoryHistory).
 */
export class RecommendationService {
  readonly #resources: ResourceService;
  readonly #metrics: MetricsSource | undefined;
  readonly #ledger: LedgerStore | undefined;
  readonly #offset: number;
  readonly #now: () => number;

  constructor(deps: {
    resources: ResourceService;
    metrics?: MetricsSource;
    ledger?: LedgerStore;
    offsetMinutes?: number;
    now: () => number;
  }) {
    this.#resources = deps.resources;
    this.#metrics = deps.metrics;
    this.#ledger = deps.ledger;
    this.#offset = deps.offsetMinutes ?? DEFAULT_OFFSET_MINUTES;
    this.#now = deps.now;
  }

  async forApplication(obj: StoredObject, prices: Prices): Promise<ApplicationRecommendations> {
    const tenant = obj.metadata.tenant ?? '';
    const name = obj.metadata.name;
    const spec = obj.spec as ApplicationSpec;
    const now = this.#now();
    const from = now - HISTORY_MS;
    const namespace = namespaceOf(tenant, name, obj.status);
    const components: Recommendation[] = [];
    const metered = this.#ledger
      ? await this.#ledger.meterRows({
          period: 'hour',
          from: intervalKeys(from, this.#offset).hour,
          to: intervalKeys(now, this.#offset).hour,
          tenants: [tenant],
        })
      : [];
    for (const d of componentDemands(spec)) {
      if (d.replicas <= 0 || d.workloadKind === 'Job' || d.workloadKind === 'CronJob') continue;
      const cpu: Sample[] = [];
      if (this.#metrics) {
        const util = await this.#metrics.history(
          { tenant, app: name, namespace, component: d.name },
          'cpuUtilization',
          from,
          now,
          HISTORY_STEP_MS,
        );
        util.forEach((u, i) => {
          if (Number.isFinite(u))
            cpu.push({ at: from + i * HISTORY_STEP_MS, value: (u * d.perReplica.cpuMilli) / 1000 });
        });
      }
      components.push(
        recommend(
          {
            component: d.name,
            replicas: d.replicas,
            current: { cpuMilli: d.perReplica.cpuMilli, memoryBytes: d.perReplica.memoryBytes },
            stepMs: HISTORY_STEP_MS,
            cpu,
            memory: memoryHistory(metered, name, d.name, {
              offsetMinutes: this.#offset,
              stepMs: HISTORY_STEP_MS,
              fromMs: from,
              toMs: now,
            }),
          },
          prices,
          now,
        ),
      );
    }
    const saving = components.reduce((s, c) => s + c.savingYuanPerMonth, 0);
    return { tenant, application: name, components, savingYuanPerMonth: Math.round(saving * 100) / 100 };
  }

  /** Every application of these departments (all when undefined), largest saving first. */
  async forDepartments(tenants: readonly string[] | undefined, prices: Prices): Promise<ApplicationRecommendations[]> {
    if (tenants?.length === 0) return [];
    const out: ApplicationRecommendations[] = [];
    let cont: string | undefined;
    do {
      const page = await this.#resources.list({ kind: 'Application', tenants, limit: PAGE, continue: cont });
      for (const obj of page.items) out.push(await this.forApplication(obj, prices));
      cont = page.continue;
    } while (cont);
    return out.sort(
      (a, b) =>
        b.savingYuanPerMonth - a.savingYuanPerMonth ||
        a.tenant.localeCompare(b.tenant) ||
        a.application.localeCompare(b.application),
    );
  }

  /**
   * Applies the recommendation of one component: its CPU and memory requests (properties, or the resource trait
   * where one sets them) become the recommended ones, through the normal write path: admission, a new generation,
   * a new revision (revertible with rollback), an audit entry with the verb `rightsize`.
   */
  async apply(
    ctx: RequestContext,
    tenant: string,
    name: string,
    component: string,
    prices: Prices,
    opts: { dryRun?: boolean } = {},
  ): Promise<{ object: StoredObject; recommendation: Recommendation }> {
    const obj = await this.#resources.get('Application', tenant, name);
    const rec = (await this.forApplication(obj, prices)).components.find((c) => c.component === component);
    if (!rec) throw new NotFoundError(msg('RecommendationNotFound', { component, application: name }));
    const r = rec.recommended;
    if (r.profile === 'current' || (r.cpuMilli === rec.current.cpuMilli && r.memoryBytes === rec.current.memoryBytes))
      throw new ConflictError(msg('RecommendationNoChange', { component }));
    const cpu = formatCpu(r.cpuMilli);
    const memory = formatBytes(r.memoryBytes);
    const object = await this.#resources.patchWith(
      ctx,
      { kind: 'Application', tenant, name },
      (current) => {
        const next = structuredClone(current!) as unknown as { spec: { components: ComponentSpec[] } };
        next.spec.components = next.spec.components.map((c) =>
          c.name === component ? withRequests(c, cpu, memory) : c,
        );
        return next;
      },
      { dryRun: opts.dryRun, auditVerb: 'rightsize' },
    );
    return { object, recommendation: rec };
  }
}

/** The component with its requests set: in its resource trait where that sets them, else in its properties. */
function withRequests(c: ComponentSpec, cpu: string, memory: string): ComponentSpec {
  const traits = c.traits ?? [];
  const i = traits.findIndex((t) => t.type === 'resource');
  if (i >= 0) {
    const p = { ...(traits[i]!.properties ?? {}) } as Record<string, unknown>;
    if (p.cpu !== undefined || p.memory !== undefined) Object.assign(p, { cpu, memory });
    else p.requests = { ...((p.requests as object | undefined) ?? {}), cpu, memory };
    return { ...c, traits: traits.map((t, k) => (k === i ? { ...t, properties: p } : t)) };
  }
  return { ...c, properties: { ...(c.properties ?? {}), cpu, memory } };
}
