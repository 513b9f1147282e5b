/**
 * Reads the Nezha fault-injection data (../shared/data/nezha, see its README) into polis's demarcation input: one
 * component per service (each has one pod here), nodes told apart by the node metrics their pods report (pods on one
 * node report the same node series), the call graph where the day has one (Online Boutique; Train Ticket's days ship
 * none), and the labelled faults.
 *
 * Two flaws of the data are handled here, by rules that do not look at the labels:
 * - times are read from each row's `Time` text (the wall clock of the collector, UTC), not from its `TimeStamp`
 *   number, which is off by 2·10⁸ s and out of order for one pod (adservice, 2022-08-22);
 * - a fault's time is its `inject_time` text in the same clock: the `inject_timestamp` number of 24 Train Ticket
 *   faults on 2023-01-29 is 8 hours off (local time read as UTC), and one is a copy of the previous fault's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DemarcationInput, Series } from '../../src/observe/demarcation/index.ts';

export const NEZHA_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'nezha');

export const NEZHA_DAYS = {
  'online-boutique': ['2022-08-22', '2022-08-23'],
  'train-ticket': ['2023-01-29', '2023-01-30'],
} as const;
export type NezhaSystem = keyof typeof NEZHA_DAYS;

export interface NezhaFault {
  readonly system: NezhaSystem;
  readonly day: string;
  /** Epoch seconds. */
  readonly at: number;
  /** The service the fault was injected into (the root cause). */
  readonly service: string;
  readonly type: string;
}

/** One pod's columns in the data set's own units (for the baseline, which must see what the data says). */
export interface RawPod {
  readonly service: string;
  readonly pod: string;
  readonly times: readonly number[];
  /** Column name → values (NaN where empty). */
  readonly columns: Readonly<Record<string, readonly number[]>>;
}

export interface NezhaDay {
  readonly system: NezhaSystem;
  readonly day: string;
  readonly faults: readonly NezhaFault[];
  readonly pods: readonly RawPod[];
  /** The whole day as demarcation input (cut it per fault with `inputAt`). */
  readonly input: DemarcationInput;
}

/** "2022-08-22 03:51:19.79 +0000 UTC m=+0.3" or "2022-08-22 03:53:54" → epoch seconds. */
function wallClock(text: string): number {
  return Date.parse(`${text.slice(0, 19).replace(' ', 'T')}Z`) / 1000;
}

/** The service of a pod name (its Deployment: the name less the ReplicaSet hash and pod suffix). */
export function serviceOf(pod: string): string {
  return pod.split('-').slice(0, -2).join('-');
}

const COLUMN_SERIES: readonly {
  column: string;
  signal: Series['signal'];
  quantile?: number;
  variant?: string;
  factor: number;
}[] = [
  { column: 'CpuUsage(m)', signal: 'cpu', factor: 1 / 1000 },
  { column: 'MemoryUsage(Mi)', signal: 'memory', factor: 2 ** 20 },
  { column: 'SyscallRead', signal: 'io', variant: 'read', factor: 1 },
  { column: 'SyscallWrite', signal: 'io', variant: 'write', factor: 1 },
  { column: 'NetworkReceiveBytes', signal: 'network', variant: 'receive', factor: 1 },
  { column: 'NetworkTransmitBytes', signal: 'network', variant: 'transmit', factor: 1 },
  { column: 'PodServerLatencyP90(s)', signal: 'latency', quantile: 0.9, factor: 1 },
  { column: 'PodServerLatencyP95(s)', signal: 'latency', quantile: 0.95, factor: 1 },
  { column: 'PodServerLatencyP99(s)', signal: 'latency', quantile: 0.99, factor: 1 },
  { column: 'PodClientLatencyP90(s)', signal: 'outboundLatency', quantile: 0.9, factor: 1 },
  { column: 'PodClientLatencyP95(s)', signal: 'outboundLatency', quantile: 0.95, factor: 1 },
  { column: 'PodClientLatencyP99(s)', signal: 'outboundLatency', quantile: 0.99, factor: 1 },
  { column: 'PodWorkload(Ops)', signal: 'requests', factor: 1 / 60 },
  // PodSuccessRate(%) is 0 in every row of all four days: it carries nothing and is left out.
];

/** Pod-level columns (the baseline's metrics): everything but the node's. */
export const POD_COLUMNS = [
  'CpuUsage(m)',
  'CpuUsageRate(%)',
  'MemoryUsage(Mi)',
  'MemoryUsageRate(%)',
  'SyscallRead',
  'SyscallWrite',
  'NetworkReceiveBytes',
  'NetworkTransmitBytes',
  'PodClientLatencyP90(s)',
  'PodServerLatencyP90(s)',
  'PodClientLatencyP95(s)',
  'PodServerLatencyP95(s)',
  'PodClientLatencyP99(s)',
  'PodServerLatencyP99(s)',
  'PodWorkload(Ops)',
  'PodSuccessRate(%)',
] as const;

function readCsvGz(path: string): string[][] {
  return gunzipSync(readFileSync(path))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
}

/** Loads one day. */
export function loadNezhaDay(system: NezhaSystem, day: string): NezhaDay {
  const dir = join(NEZHA_DIR, day);
  const list = JSON.parse(readFileSync(join(dir, 'fault_list.json'), 'utf8')) as Record<
    string,
    { inject_time: string; inject_pod: string; inject_type: string }[]
  >;
  const faults = Object.values(list)
    .flat()
    .map((f) => ({ system, day, at: wallClock(f.inject_time), service: serviceOf(f.inject_pod), type: f.inject_type }))
    .sort((a, b) => a.at - b.at);

  const pods: RawPod[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('_metric.csv.gz')) continue;
    const [header, ...rows] = readCsvGz(join(dir, file));
    const pod = file.replace('_metric.csv.gz', '');
    const order = rows.map((r) => ({ t: wallClock(r[0]!), r })).sort((a, b) => a.t - b.t);
    const columns: Record<string, number[]> = {};
    header!.forEach((h, i) => {
      if (i >= 3) columns[h] = order.map(({ r }) => (r[i] === '' || r[i] === undefined ? Number.NaN : Number(r[i])));
    });
    pods.push({ service: serviceOf(pod), pod, times: order.map((o) => o.t), columns });
  }

  // Nodes: pods whose node series agree at (nearly) every shared instant are on one node.
  const nodeKey = (p: RawPod, i: number): string =>
    `${p.columns['NodeCpuUsageRate(%)']![i]!.toFixed(4)}|${p.columns['NodeMemoryUsageRate(%)']![i]!.toFixed(4)}`;
  const nodeOf = new Map<string, string>();
  const nodeSeries: Series[] = [];
  let n = 0;
  for (const p of pods) {
    if (nodeOf.has(p.pod)) continue;
    const name = `node-${++n}`;
    nodeOf.set(p.pod, name);
    const mine = new Map(p.times.map((t, i) => [t, nodeKey(p, i)]));
    for (const q of pods) {
      if (nodeOf.has(q.pod)) continue;
      let same = 0;
      let both = 0;
      q.times.forEach((t, i) => {
        const k = mine.get(t);
        if (k === undefined) return;
        both++;
        if (k === nodeKey(q, i)) same++;
      });
      if (both > 0 && same / both >= 0.9) nodeOf.set(q.pod, name);
    }
    nodeSeries.push(
      {
        on: 'node',
        name,
        signal: 'nodeCpu',
        points: p.times.map((t, i) => [t, p.columns['NodeCpuUsageRate(%)']![i]! / 100]),
      },
      {
        on: 'node',
        name,
        signal: 'nodeMemory',
        points: p.times.map((t, i) => [t, p.columns['NodeMemoryUsageRate(%)']![i]! / 100]),
      },
    );
  }

  const series: Series[] = [...nodeSeries];
  for (const p of pods)
    for (const c of COLUMN_SERIES) {
      const values = p.columns[c.column];
      if (!values) continue;
      series.push({
        on: 'pod',
        name: p.pod,
        signal: c.signal,
        ...(c.quantile !== undefined ? { quantile: c.quantile } : {}),
        ...(c.variant !== undefined ? { variant: c.variant } : {}),
        points: p.times.map((t, i) => [t, Number.isFinite(values[i]!) ? values[i]! * c.factor : null]),
      });
    }

  const services = new Set(pods.map((p) => p.service));
  // Edge latencies (Online Boutique only), p50 of each caller_callee column: measured at the caller (source_50, what
  // the caller waits) and at the callee (destination_50, what the callee spends), as Istio's source and destination
  // reporters give them.
  for (const [file, side] of [
    ['source_50.csv.gz', 'source'],
    ['destination_50.csv.gz', 'destination'],
  ] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const [header, ...rows] = readCsvGz(path);
    const order = rows.map((r) => ({ t: wallClock(r[0]!), r }));
    header!.forEach((h, i) => {
      if (i < 2) return;
      const [from, to] = h.split('_');
      if (!from || !to || !services.has(from) || !services.has(to)) return;
      const points = order.map(({ t, r }): [number, number | null] => [t, r[i] === '' ? null : Number(r[i])]);
      series.push(
        side === 'source'
          ? { on: 'component', name: from, signal: 'outboundLatency', quantile: 0.5, peer: to, points }
          : { on: 'component', name: to, signal: 'latency', quantile: 0.5, variant: `from ${from}`, points },
      );
    });
  }
  const dep = join(dir, 'dependency.csv.gz');
  const edges = existsSync(dep)
    ? readCsvGz(dep)
        .slice(1)
        .filter(([a, b]) => services.has(a!) && services.has(b!))
        .map(([from, to]) => ({ from: from!, to: to! }))
    : [];

  const nodeNames = [...new Set(nodeOf.values())];
  const input: DemarcationInput = {
    at: 0,
    scope: { department: system, application: system },
    clusters: [{ name: system }],
    nodes: nodeNames.map((name) => ({ name, cluster: system })),
    components: [...services].sort().map((name) => ({ name, application: system, department: system })),
    pods: pods.map((p) => ({ name: p.pod, component: p.service, node: nodeOf.get(p.pod)! })),
    edges,
    series,
    changes: [],
    events: [],
  };
  return { system, day, faults, pods, input };
}

/** The day's input for one incident: the series cut to `[at - history, at + post]`, as polis would record it. */
export function inputAt(day: NezhaDay, at: number, historySeconds: number, postSeconds: number): DemarcationInput {
  const from = at - historySeconds;
  const to = at + postSeconds;
  return {
    ...day.input,
    at,
    series: day.input.series.map((s) => ({ ...s, points: s.points.filter(([t]) => t >= from && t <= to) })),
  };
}
