/**
 * The simulated cloud: the embedded default runtime polis delivers to (DESIGN.md decision 5). Other domains import
 * from here only.
 */
export { SimCloud, type ChangeListener, type SimCloudOptions } from './sim-cloud.ts';
export { SimCluster, type EditableObject } from './sim-cluster.ts';
export type { Reachability } from './cluster-runtime.ts';
export type { SimClusterSpec, SimNodeSpec } from './cluster-spec.ts';
export { SimUnreachableError } from './sim-errors.ts';
export { DEFAULT_SANDBOX, createSandbox } from './sandbox.ts';
export { DEFAULT_TIMINGS, type MsRange, type SimTimings } from './timings.ts';
export type { PodPhase, PodView } from './pod.ts';
export { POD_LOG_LINES, formatLogLine, type LogLine, type LogQuery } from './pod-logs.ts';
export { RUN_SECONDS_ANNOTATION } from './pod-template.ts';
export {
  DEFAULT_LOAD_PROFILE,
  type ClusterServingMetrics,
  type ComponentMetrics,
  type LoadProfile,
  type ServingMetrics,
} from './load-model.ts';
export {
  citizenPeak,
  constant,
  daily,
  loadCraneSeries,
  rateAt,
  series,
  type LoadScenario,
  type MeasuredSeries,
} from './load-scenarios.ts';
export { LATENCY_BUCKETS_SECONDS, SIM_METRICS_CONTENT_TYPE, simMetricsText } from './metrics-exposition.ts';
export { cronProblem, nextFire, parseCron, type CronSchedule } from '../kernel/cron.ts';
export {
  CallMesh,
  DEFAULT_MESH_PROFILE,
  type MeshCall,
  type MeshDeclaration,
  type MeshProfile,
  type MeshSnapshot,
} from './call-mesh.ts';
export {
  ComponentRefSchema,
  FAULT_TYPES,
  FaultScenarioSchema,
  FaultSpecSchema,
  componentKey,
  type ActiveFault,
  type ComponentRef,
  type FaultScenario,
  type FaultSpec,
  type FaultType,
} from './fault-spec.ts';
export { FaultTargetError, SimFaults } from './fault-injector.ts';
export {
  SimTelemetry,
  type TelemetryLogLine,
  type SeenPod,
  type TelemetryChange,
  type TelemetryEvent,
  type TelemetrySeries,
  type TelemetrySignal,
} from './telemetry.ts';
export { applyLoad, simLoadControl, type LoadApplied, type LoadControl, type LoadTarget } from './load-control.ts';
