import type { ApplicationSpec } from '../../apps/application-kind.ts';
import { storageOf } from '../../apps/application-usage.ts';
import { componentDemands, componentLimits } from '../../apps/render/index.ts';
import type { ClusterStatus } from '../../clusters/cluster-kind.ts';
import { namespaceOf } from '../../delivery/namespace.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { MetricsSource } from '../../observe/index.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { Store } from '../../resources/store.ts';
import { DEFAULT_OFFSET_MINUTES, MINUTE_MS, intervalKeys, tickBuckets } from './meter-buckets.ts';
import type { MeasuredUse, MeteredApplication } from './meter-sample.ts';
import { capacitySamples, meterSamples, useKey } from './meter-sample.ts';

const PAGE = 1000;
const COMPONENT_CACHE_LIMIT = 50_000;
/** Components whose signals are read at once. */
const SIGNAL_CONCURRENCY = 32;

export interface MeterControllerDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Where measured CPU comes from (the simulated cloud's or Prometheus); absent: usage is not measured. */
  readonly metrics?: MetricsSource;
  /**
   * Memory used now by each component's ready pods per cluster (`namespace/component` NUL cluster → bytes), read once
   * a tick (the simulated cloud's; absent: memory use is not measured and counts 0).
   */
  readonly memoryUse?: () => ReadonlyMap<string, number> | Promise<ReadonlyMap<string, number>>;
  /** Local time's offset east of UTC in minutes: where hours, days and months begin (default UTC+8). */
  readonly offsetMinutes?: number;
  /** The longest gap one tick fills with its sample after an outage (default 60 minutes). */
  readonly maxGapMinutes?: number;
  /** Days hour roll-ups are kept (default 14); day and month roll-ups are kept for good. */
  readonly hourRetentionDays?: number;
  /** The sampling interval in real time when started (default one minute). */
  readonly intervalMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
}

export interface TickOutcome {
  /** The minute metered (epoch ms). */
  readonly at: number;
  /** False when this minute (or a later one) was already recorded: nothing was added. */
  readonly recorded: boolean;
  readonly samples: number;
}

/**
 * Samples every replica's requests, limits and usage once a minute and adds them to the hour, day and month roll-ups
 * (docs/operations.md). Each tick covers the minutes since the last recorded tick, read from the store and
 * compare-and-set there, so a restart (or a second replica) neither loses nor counts a minute twice.
 */
export class MeterController {
  readonly #deps: MeterControllerDeps;
  readonly #components = new Map<string, MeteredApplication['components']>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<unknown> | undefined;
  #prunedThrough: string | undefined;

  constructor(deps: MeterControllerDeps) {
    this.#deps = deps;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.#running ??= this.tick()
        .catch((e: unknown) => this.#deps.log?.('metering tick failed', e))
        .finally(() => (this.#running = undefined));
    }, this.#deps.intervalMs ?? MINUTE_MS);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Meters the current minute (by the injected clock). */
  async tick(): Promise<TickOutcome> {
    const at = Math.floor(this.#deps.clock.now().getTime() / MINUTE_MS) * MINUTE_MS;
    const ledger = this.#deps.store.ledger;
    const since = await ledger.lastMeterTick();
    if (since !== undefined && since >= at) return { at, recorded: false, samples: 0 };
    const [apps, clusters] = await Promise.all([this.#applications(), this.#clusters()]);
    const metered = new Set(clusters.map((c) => c.name));
    const use = await this.#measuredUse(apps, metered);
    const samples = meterSamples(apps, use, metered);
    const buckets = tickBuckets(since, at, {
      offsetMinutes: this.#deps.offsetMinutes ?? DEFAULT_OFFSET_MINUTES,
      maxGapMinutes: this.#deps.maxGapMinutes ?? 60,
    });
    const recorded = await ledger.recordMeterTick({
      at,
      since,
      buckets,
      samples,
      capacity: capacitySamples(clusters),
    });
    if (recorded) await this.#pruneHours(at);
    return { at, recorded, samples: samples.length };
  }

  /** Once a local day: drops hour roll-ups older than the retention (their days and months stay). */
  async #pruneHours(at: number): Promise<void> {
    const offset = this.#deps.offsetMinutes ?? DEFAULT_OFFSET_MINUTES;
    const days = this.#deps.hourRetentionDays ?? 14;
    const before = intervalKeys(at - days * 86_400_000, offset).day;
    if (this.#prunedThrough === before) return;
    await this.#deps.store.ledger.pruneMeter('hour', `${before}T00`);
    this.#prunedThrough = before;
  }

  async #applications(): Promise<(MeteredApplication & { readonly namespace: string })[]> {
    const out: (MeteredApplication & { readonly namespace: string })[] = [];
    for await (const obj of this.#list('Application')) {
      const status = obj.status as { placement?: MeteredApplication['placement'] } | undefined;
      if (!status?.placement || Object.keys(status.placement).length === 0) continue;
      out.push({
        tenant: obj.metadata.tenant!,
        app: obj.metadata.name,
        namespace: namespaceOf(obj.metadata.tenant!, obj.metadata.name, obj.status),
        components: this.#componentsOf(obj),
        placement: status.placement,
      });
    }
    return out;
  }

  /** One replica's requests, limits and storage per component, by uid and generation (rendering is the cost). */
  #componentsOf(obj: StoredObject): MeteredApplication['components'] {
    const key = `${obj.metadata.uid}:${obj.metadata.generation}`;
    const cached = this.#components.get(key);
    if (cached) return cached;
    const spec = obj.spec as ApplicationSpec;
    const limits = componentLimits(spec);
    const storage = new Map(spec.components.map((c) => [c.name, storageOf(c)]));
    const components = Object.fromEntries(
      componentDemands(spec).map((d) => [
        d.name,
        {
          cpuRequest: d.perReplica.cpuMilli,
          memRequest: d.perReplica.memoryBytes,
          cpuLimit: limits[d.name]?.cpuMilli ?? 0,
          memLimit: limits[d.name]?.memoryBytes ?? 0,
          storageBytes: storage.get(d.name) ?? 0,
        },
      ]),
    );
    if (this.#components.size >= COMPONENT_CACHE_LIMIT) this.#components.delete(this.#components.keys().next().value!);
    this.#components.set(key, components);
    return components;
  }

  /** Clusters whose replicas are metered: known and not Unreachable, with their allocatable capacity. */
  async #clusters(): Promise<{ name: string; cpuMilli: number; memoryBytes: number }[]> {
    const out: { name: string; cpuMilli: number; memoryBytes: number }[] = [];
    for await (const c of this.#list('Cluster')) {
      const status = c.status as ClusterStatus | undefined;
      if (status?.health === 'Unreachable') continue;
      out.push({
        name: c.metadata.name,
        cpuMilli: status?.allocatable?.cpuMilli ?? 0,
        memoryBytes: status?.allocatable?.memoryBytes ?? 0,
      });
    }
    return out;
  }

  /**
   * Use per component and cluster: CPU as utilization × one replica's request × ready pods, from the metrics source;
   * memory as the ready pods' bytes, from `memoryUse`.
   */
  async #measuredUse(
    apps: readonly (MeteredApplication & { readonly namespace: string })[],
    metered: ReadonlySet<string>,
  ): Promise<Map<string, MeasuredUse>> {
    const out = new Map<string, MeasuredUse>();
    const memory = await Promise.resolve(this.#deps.memoryUse?.()).catch((e: unknown) => {
      this.#deps.log?.('memory use not read', e);
      return undefined;
    });
    if (memory)
      for (const a of apps)
        for (const [component, perCluster] of Object.entries(a.placement))
          for (const cluster of Object.keys(perCluster)) {
            const bytes = memory.get(`${a.namespace}/${component}\u0000${cluster}`);
            if (bytes !== undefined && metered.has(cluster))
              out.set(useKey(a.tenant, a.app, component, cluster), { memoryBytes: bytes });
          }
    const metrics = this.#deps.metrics;
    if (!metrics) return out;
    const work: (() => Promise<void>)[] = [];
    for (const a of apps)
      for (const component of Object.keys(a.placement)) {
        const c = a.components[component];
        if (!c) continue;
        work.push(async () => {
          const s = await metrics
            .signals({ tenant: a.tenant, app: a.app, namespace: a.namespace, component })
            .catch(() => undefined);
          for (const [cluster, sig] of Object.entries(s?.perCluster ?? {})) {
            if (!metered.has(cluster) || sig.cpuUtilization === undefined) continue;
            const k = useKey(a.tenant, a.app, component, cluster);
            out.set(k, { ...out.get(k), cpuMilli: sig.cpuUtilization * c.cpuRequest * sig.readyPods });
          }
        });
      }
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(SIGNAL_CONCURRENCY, work.length) }, async () => {
        while (next < work.length) await work[next++]!();
      }),
    );
    return out;
  }

  async *#list(kind: string): AsyncIterable<StoredObject> {
    let cont: string | undefined;
    do {
      const page = await this.#deps.store.list({ kind, limit: PAGE, continue: cont });
      yield* page.items;
      cont = page.continue;
    } while (cont);
  }
}
