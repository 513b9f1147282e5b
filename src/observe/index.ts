/** Observability: where decisions read metrics. Other domains import from here only. */
export type {
  ClusterSignals,
  ComponentRef,
  ComponentSignals,
  HistorySignal,
  MetricsSource,
  ProblemListener,
  SignalName,
} from './metrics-source.ts';
export { MAX_HISTORY_POINTS, historyGrid } from './metrics-source.ts';
export { createMetricsSource, type MetricsSourceConfig } from './metrics-source-factory.ts';
export { createHistory, type History, type HistoryConfig } from './history-factory.ts';
export { componentTargetsOf } from './history/history-sampler.ts';
export type { HistoryService } from './history/history-service.ts';
export { registerHistoryRoutes, PROMETHEUS_PREFIX } from './history/history-routes.ts';
export type { ServedSimReader } from './sources/simulated/served-source.ts';
