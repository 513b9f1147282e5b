/**
 * The leads tried on the faults the ranking misses (docs/observe.md, "Why Train Ticket is missed"), measured
 * without the labels choosing anything: for every fault other than a CPU one, how the injected service stands among
 * all services on one signal at a time, by one change statistic at a time. A signal that carries the fault puts its
 * root first (or among the first three) far more often than chance (1 or 3 in the number of services).
 *
 * Statistics, per pod series, the strongest of a service's pods:
 * - `z`: the method's own change (src/observe/demarcation/change.ts: the most deviant value of the 5 minutes after
 *   against the median of the 5 before, over the noise learned from the hour before);
 * - `relative`: |mean after − mean before| / mean before, for services that go from little to nothing;
 * - `rankTest`: a Mann–Whitney rank test of the 5 minutes after against the hour before (|z|; ties share their
 *   rank, so a latency quantile that sits on a histogram bucket, or one request's latency, weighs no more than its
 *   rank);
 * - `band`: the share of the minutes after outside the hour before's 5 %–95 % band.
 * Ties count against the root (it is ranked behind every service scoring as much as it), so a signal that is flat at
 * 0 in most services does not look informative.
 *
 * And the call graph the Train Ticket days do not ship, inferred from traffic: a service's likely callers and
 * callees are the services whose requests a minute correlate most with its own over the day; the lead is the largest
 * rise of their client (outbound) latency at the fault, as a delay or failure at the service would show at its callers.
 */
import { changeOf, cleanPoints } from '../../src/observe/demarcation/change.ts';
import type { DemarcationOptions } from '../../src/observe/demarcation/index.ts';
import { quantile } from '../../src/observe/demarcation/robust.ts';
import { inputAt, type NezhaDay, type NezhaFault } from './nezha.ts';
import { round } from './results.ts';

type Statistic = (after: readonly number[], before: readonly number[], hour: readonly number[]) => number;

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** Mann–Whitney's U of `a` against `b` as a z-score (positive: `a` ranks higher); mid-ranks for ties. */
export function rankTestZ(a: readonly number[], b: readonly number[]): number {
  const all = [...a.map((v) => [v, 0] as const), ...b.map((v) => [v, 1] as const)].sort((x, y) => x[0] - y[0]);
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]![0] === all[i]![0]) j++;
    const t = j - i;
    tieTerm += t ** 3 - t;
    for (let k = i; k < j; k++) if (all[k]![1] === 0) rankSumA += (i + j + 1) / 2;
    i = j;
  }
  const n1 = a.length;
  const n2 = b.length;
  const n = n1 + n2;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  return variance > 0 ? (u - (n1 * n2) / 2) / Math.sqrt(variance) : 0;
}

export const STATISTICS: Readonly<Record<string, Statistic>> = {
  relative: (after, before) => Math.abs(mean(after) - mean(before)) / Math.max(Math.abs(mean(before)), 1e-9),
  rankTest: (after, _before, hour) => Math.abs(rankTestZ(after, hour)),
  band: (after, _before, hour) => {
    const lo = quantile(hour, 0.05);
    const hi = quantile(hour, 0.95);
    return after.filter((v) => v < lo || v > hi).length / after.length;
  },
};

/** The root's place among the services' scores, ties counted against it; beyond the last when it has no score. */
export function pessimisticRank(scores: ReadonlyMap<string, number>, root: string): number {
  const mine = scores.get(root);
  if (mine === undefined || !Number.isFinite(mine)) return scores.size + 1;
  return [...scores.values()].filter((v) => v >= mine).length;
}

const leadFaults = (day: NezhaDay): readonly NezhaFault[] => day.faults.filter((f) => !f.type.startsWith('cpu'));

/** Per statistic and signal, the share (%) of non-CPU faults whose root is first, and among the first three. */
export function signalLeads(
  days: readonly NezhaDay[],
  opts: DemarcationOptions,
): { faults: number; services: number; table: Record<string, Record<string, string>> } {
  const ranks = new Map<string, number[]>();
  let faults = 0;
  for (const day of days) {
    const componentOf = new Map((day.input.pods ?? []).map((p) => [p.name, p.component]));
    for (const f of leadFaults(day)) {
      faults++;
      const input = inputAt(day, f.at, opts.historySeconds, opts.postSeconds);
      const scores = new Map<string, Map<string, number>>();
      const put = (key: string, service: string, v: number): void => {
        const m = scores.get(key) ?? scores.set(key, new Map()).get(key)!;
        m.set(service, Math.max(m.get(service) ?? Number.NEGATIVE_INFINITY, v));
      };
      for (const s of input.series) {
        const service = s.on === 'pod' ? componentOf.get(s.name) : undefined;
        if (service === undefined) continue;
        const signal = s.variant !== undefined ? `${s.signal} ${s.variant}` : s.signal;
        const change = changeOf(s, f.at, opts);
        if (change && !change.silent) put(`z|${signal}`, service, change.z);
        const points = cleanPoints(s);
        const hour = points.filter(([t]) => t < f.at).map(([, v]) => v);
        const before = points.filter(([t]) => t >= f.at - opts.preSeconds && t < f.at).map(([, v]) => v);
        const after = points.filter(([t]) => t >= f.at && t <= f.at + opts.postSeconds).map(([, v]) => v);
        if (before.length === 0 || after.length === 0 || hour.length < 10) continue;
        for (const [name, stat] of Object.entries(STATISTICS))
          put(`${name}|${signal}`, service, stat(after, before, hour));
      }
      for (const [key, m] of scores)
        (ranks.get(key) ?? ranks.set(key, []).get(key)!).push(pessimisticRank(m, f.service));
    }
  }
  const table: Record<string, Record<string, string>> = {};
  for (const key of [...ranks.keys()].sort()) {
    const [stat, signal] = key.split('|') as [string, string];
    const r = ranks.get(key)!;
    const share = (k: number): number => round((100 * r.filter((x) => x <= k).length) / faults);
    (table[stat] ??= {})[signal] = `top-1 ${share(1)}%, top-3 ${share(3)}%`;
  }
  const services = new Set(days.flatMap((d) => d.pods.map((p) => p.service))).size;
  return { faults, services, table };
}

/** Pearson's correlation; 0 when either side is flat. */
function correlation(a: readonly number[], b: readonly number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * Each service's `k` likeliest neighbours in the call graph: the services whose requests a minute over the whole day
 * correlate most with its own (label-blind: the traffic, not the faults).
 */
export function trafficNeighbours(day: NezhaDay, k: number): Map<string, string[]> {
  const minute = (t: number): number => Math.floor(t / 60);
  const minutes = [...new Set(day.pods.flatMap((p) => p.times.map(minute)))].sort((a, b) => a - b);
  const index = new Map(minutes.map((m, i) => [m, i]));
  const load = new Map<string, number[]>();
  for (const p of day.pods) {
    const v = load.get(p.service) ?? load.set(p.service, new Array<number>(minutes.length).fill(0)).get(p.service)!;
    const ops = p.columns['PodWorkload(Ops)'] ?? [];
    p.times.forEach((t, i) => {
      if (Number.isFinite(ops[i])) v[index.get(minute(t))!]! += ops[i]!;
    });
  }
  const out = new Map<string, string[]>();
  for (const [s, mine] of load)
    out.set(
      s,
      [...load]
        .filter(([o]) => o !== s)
        .map(([o, theirs]) => [o, correlation(mine, theirs)] as const)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, k)
        .map(([o]) => o),
    );
  return out;
}

/** Share (%) of non-CPU faults whose root is first, and among the first three, by its traffic neighbours' client latency rise. */
export function callGraphLead(
  days: readonly NezhaDay[],
  opts: DemarcationOptions,
  k = 3,
): { faults: number; top1: number; top3: number } {
  const ranks: number[] = [];
  for (const day of days) {
    const neighbours = trafficNeighbours(day, k);
    const componentOf = new Map((day.input.pods ?? []).map((p) => [p.name, p.component]));
    for (const f of leadFaults(day)) {
      const input = inputAt(day, f.at, opts.historySeconds, opts.postSeconds);
      const outbound = new Map<string, number>();
      for (const s of input.series) {
        const service = s.on === 'pod' ? componentOf.get(s.name) : undefined;
        if (service === undefined || s.signal !== 'outboundLatency') continue;
        const change = changeOf(s, f.at, opts);
        if (change && !change.silent) outbound.set(service, Math.max(outbound.get(service) ?? 0, change.z));
      }
      const scores = new Map(
        [...neighbours].map(([s, ns]) => [s, Math.max(0, ...ns.map((n) => outbound.get(n) ?? 0))] as const),
      );
      ranks.push(pessimisticRank(scores, f.service));
    }
  }
  const share = (n: number): number => round((100 * ranks.filter((x) => x <= n).length) / ranks.length);
  return { faults: ranks.length, top1: share(1), top3: share(3) };
}
