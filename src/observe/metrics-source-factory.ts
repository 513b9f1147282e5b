import type { SimCloud } from '../sim/index.ts';
import type { MetricsSource } from './metrics-source.ts';
import { PrometheusMetricsSource, type PrometheusSourceConfig } from './sources/prometheus/prometheus-source.ts';
import { ServedMetricsSource, type ServedSourceOptions } from './sources/simulated/served-source.ts';
import { SimulatedMetricsSource, type SimulatedSourceOptions } from './sources/simulated/simulated-source.ts';

/** Which metrics backend to read, as the composition root chooses it from configuration. */
export type MetricsSourceConfig =
  | ({ readonly kind: 'simulated'; readonly sim: SimCloud } & Omit<SimulatedSourceOptions, 'sim'>)
  | ({ readonly kind: 'served-sim' } & ServedSourceOptions)
  | ({ readonly kind: 'prometheus' } & PrometheusSourceConfig);

/**
 * The one place that names the metrics backends (DESIGN.md decision 4). Throws InputError for a Prometheus
 * configuration that could never work; never afterwards.
 */
export function createMetricsSource(config: MetricsSourceConfig): MetricsSource {
  if (config.kind === 'simulated') return new SimulatedMetricsSource(config);
  if (config.kind === 'served-sim') return new ServedMetricsSource(config);
  return new PrometheusMetricsSource(config);
}
