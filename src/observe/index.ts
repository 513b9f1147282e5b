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
