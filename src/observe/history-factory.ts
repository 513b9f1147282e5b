import type { Clock } from '../kernel/clock.ts';
import type { Store } from '../resources/store.ts';
import type { SimCloud } from '../sim/index.ts';
import { HistorySampler } from './history/history-sampler.ts';
import { listTargets } from './history/history-sampler.ts';
import type { ComponentTarget } from './history/history-probe.ts';
import { HistoryService } from './history/history-service.ts';
import { HistoryWriter } from './history/history-writer.ts';
import { StoreHistory } from './history/store-history.ts';
import { PrometheusHistory } from './sources/prometheus/prometheus-history.ts';
import { ServedHistoryProbe, type ServedSimReader } from './sources/simulated/served-source.ts';
import { SimulatedHistoryProbe } from './sources/simulated/simulated-probe.ts';

export interface HistoryConfig {
  readonly store: Store;
  /** The components the sampler reads (HistorySamplerDeps.targets); absent, listed from the store. */
  readonly targets?: () => Promise<ComponentTarget[]>;
  readonly clock: Clock;
  /** The simulated cloud the sampler reads (the embedded default). */
  readonly sim?: SimCloud;
  /** A simulated cloud another process serves (POLIS_SIM_URL), sampled there when there is no embedded one. */
  readonly servedSim?: ServedSimReader;
  /** With Prometheus configured, range queries go to it and polis samples nothing itself. */
  readonly prometheus?: {
    readonly url: string;
    readonly bearerToken?: string;
    readonly window?: string;
    readonly queries?: Readonly<Record<string, string>>;
  };
  readonly log?: (message: string, err: unknown) => void;
}

/** The history service, and the sampler that feeds polis's own history (none with Prometheus or without a source). */
export interface History {
  readonly service: HistoryService;
  readonly sampler?: HistorySampler;
}

/** The one place that chooses where history is read and written (DESIGN.md decision 4). */
export function createHistory(config: HistoryConfig): History {
  if (config.prometheus) {
    const backend = new PrometheusHistory({
      ...config.prometheus,
      inventory: {
        components: () => listTargets(config.store),
        clusters: async () => {
          const page = await config.store.list({ kind: 'Cluster', limit: 1000 });
          return page.items.map((c) => ({ cluster: c.metadata.name, nodes: [] }));
        },
      },
    });
    return { service: new HistoryService(backend, config.clock) };
  }
  const writer = new HistoryWriter(config.store.metricHistory);
  const service = new HistoryService(
    new StoreHistory({ store: config.store.metricHistory, clock: config.clock, writer }),
    config.clock,
  );
  const probe = config.sim
    ? new SimulatedHistoryProbe(config.sim)
    : config.servedSim
      ? new ServedHistoryProbe(config.servedSim, config.log)
      : undefined;
  if (!probe) return { service };
  const sampler = new HistorySampler({
    store: config.store,
    ...(config.targets ? { targets: config.targets } : {}),
    probe,
    writer,
    clock: config.clock,
    ...(config.log ? { log: config.log } : {}),
  });
  return { service, sampler };
}
