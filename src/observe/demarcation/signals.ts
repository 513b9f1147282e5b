import type { SignalKind } from './input.ts';

/** How a fault moves a signal, and how the method reads it. */
export interface SignalRule {
  /** Which way is bad: a rise, a fall, or either (CPU falls when a process hangs and rises when it spins). */
  readonly bad: 'up' | 'down' | 'either';
  /**
   * Whose fault it points at. `own`: a fault in the subject itself moves it (its latency, errors, CPU, memory,
   * restarts). `load`: it moves with the traffic the callers send, so it is weak evidence. `outbound`: it measures
   * the callees, so it is never the subject's own evidence; it explains the subject's latency or errors instead.
   * `node`, `cluster`: infrastructure signals.
   */
  readonly role: 'own' | 'load' | 'outbound' | 'node' | 'cluster';
  /** Weight of the signal in its subject's score: what a fault in the subject itself would move. */
  readonly weight: number;
  /** For latency and errors: the outbound signal whose rise explains a rise of this one (callers wait on callees). */
  readonly explainedBy?: SignalKind;
  /** Values outside are implausible (a latency of 1e15 s, a negative rate) and count as missing. */
  readonly plausible: readonly [number, number];
  /** The smallest change that can matter, absolute and relative to the level (the measurement's resolution). */
  readonly resolution: { readonly abs: number; readonly rel: number };
  /** Unit, for evidence. */
  readonly unit: string;
}

const HOUR = 3600;

/** The signal table (docs/observe.md, "Verdict method and its limits"). */
export const SIGNAL_RULES: Readonly<Record<SignalKind, SignalRule>> = {
  latency: {
    bad: 'up',
    role: 'own',
    weight: 1,
    explainedBy: 'outboundLatency',
    plausible: [0, HOUR],
    resolution: { abs: 0.001, rel: 0.01 },
    unit: 's',
  },
  errors: {
    bad: 'up',
    role: 'own',
    weight: 1,
    explainedBy: 'outboundErrors',
    plausible: [0, 1],
    resolution: { abs: 0.001, rel: 0 },
    unit: 'ratio',
  },
  cpu: {
    bad: 'either',
    role: 'own',
    weight: 1,
    plausible: [0, 4096],
    resolution: { abs: 0.001, rel: 0.01 },
    unit: 'cores',
  },
  memory: {
    bad: 'up',
    role: 'own',
    weight: 1,
    plausible: [0, 2 ** 50],
    resolution: { abs: 2 ** 20, rel: 0.01 },
    unit: 'bytes',
  },
  restarts: { bad: 'up', role: 'own', weight: 1, plausible: [0, 1e6], resolution: { abs: 0.5, rel: 0 }, unit: 'count' },
  requests: {
    bad: 'either',
    role: 'load',
    weight: 0.25,
    plausible: [0, 1e9],
    resolution: { abs: 0.01, rel: 0.01 },
    unit: 'req/s',
  },
  network: {
    bad: 'either',
    role: 'load',
    weight: 0.25,
    plausible: [0, 1e12],
    resolution: { abs: 1, rel: 0.01 },
    unit: 'B/s',
  },
  io: {
    bad: 'either',
    role: 'load',
    weight: 0.25,
    plausible: [0, 1e9],
    resolution: { abs: 0.01, rel: 0.01 },
    unit: '/s',
  },
  outboundLatency: {
    bad: 'up',
    role: 'outbound',
    weight: 0,
    plausible: [0, HOUR],
    resolution: { abs: 0.001, rel: 0.01 },
    unit: 's',
  },
  outboundErrors: {
    bad: 'up',
    role: 'outbound',
    weight: 0,
    plausible: [0, 1],
    resolution: { abs: 0.001, rel: 0 },
    unit: 'ratio',
  },
  nodeCpu: {
    bad: 'up',
    role: 'node',
    weight: 0.5,
    plausible: [0, 2],
    resolution: { abs: 0.01, rel: 0 },
    unit: 'ratio',
  },
  nodeMemory: {
    bad: 'up',
    role: 'node',
    weight: 0.5,
    plausible: [0, 2],
    resolution: { abs: 0.01, rel: 0 },
    unit: 'ratio',
  },
  nodeReady: {
    bad: 'down',
    role: 'node',
    weight: 2,
    plausible: [0, 1],
    resolution: { abs: 0.1, rel: 0 },
    unit: 'ready',
  },
  reachable: {
    bad: 'down',
    role: 'cluster',
    weight: 2,
    plausible: [0, 1],
    resolution: { abs: 0.1, rel: 0 },
    unit: 'reachable',
  },
};
