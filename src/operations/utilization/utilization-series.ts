import { InputError, codedCause } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import type { CapacityRow, MeterPeriod, MeterTotalRow } from '../../resources/ledger-store.ts';
import { MINUTE_MS, intervalKeys } from '../metering/meter-buckets.ts';

const HOUR_MS = 60 * MINUTE_MS;
const MIB = 1024 * 1024;
/** The shortest and longest range: an hour, 90 days. */
export const MIN_RANGE_HOURS = 1;
export const MAX_RANGE_HOURS = 90 * 24;
/** Ranges up to two days are drawn per hour, longer ones per day (month on request). */
const HOURLY_UP_TO_HOURS = 48;
/** Hour roll-ups are kept 14 days by default (MeterController.hourRetentionDays): older hours are gone. */
export const DEFAULT_HOUR_RETENTION_DAYS = 14;
const ACCEPTED_RANGE = 'a length from 1h to 90d, as <n>h or <n>d (1h, 24h, 7d, 30d, 90d)';

/** A validated range: its text, length in hours and the roll-up it is drawn from. */
export interface UtilizationRange {
  readonly range: string;
  readonly hours: number;
  readonly step: MeterPeriod;
}

/**
 * Parses `range` (default 24h) and `step` (default: hour up to two days, else day). A bad one is a 422 naming
 * `query.range` or `query.step` with what is accepted; hours past the retention are refused, not drawn empty.
 */
export function parseUtilizationRange(
  range: string | undefined,
  step: string | undefined,
  hourRetentionDays = DEFAULT_HOUR_RETENTION_DAYS,
): UtilizationRange {
  const text = range ?? '24h';
  const m = /^([1-9]\d{0,4})([hd])$/.exec(text);
  const hours = m ? Number(m[1]) * (m[2] === 'd' ? 24 : 1) : NaN;
  if (!(hours >= MIN_RANGE_HOURS && hours <= MAX_RANGE_HOURS)) {
    const e = msg('UtilizationRangeInvalid', { value: text, accepted: ACCEPTED_RANGE });
    throw new InputError(e, [codedCause('query.range', e)], { invalid: true });
  }
  const chosen = step ?? (hours <= HOURLY_UP_TO_HOURS ? 'hour' : 'day');
  const hourOk = hours <= hourRetentionDays * 24;
  if (chosen !== 'day' && chosen !== 'month' && !(chosen === 'hour' && hourOk)) {
    const accepted = hourOk ? 'hour, day or month' : `day or month (hour roll-ups are kept ${hourRetentionDays} days)`;
    const e = msg('UtilizationStepInvalid', { value: chosen, range: text, accepted });
    throw new InputError(e, [codedCause('query.step', e)], { invalid: true });
  }
  return { range: text, hours, step: chosen };
}

/** The interval keys (local time) of `step` that the `hours` before `now` touch, oldest first, ending with now's. */
export function intervalsOf(now: number, hours: number, step: MeterPeriod, offsetMinutes: number): string[] {
  const out: string[] = [];
  const stride = step === 'hour' ? HOUR_MS : 24 * HOUR_MS;
  for (let t = now - hours * HOUR_MS + MINUTE_MS; ; t += stride) {
    const key = intervalKeys(Math.min(t, now), offsetMinutes)[step];
    if (out.at(-1) !== key) out.push(key);
    if (t >= now) break;
  }
  return out;
}

/** CPU in cores and memory in bytes per interval; null where the interval was not metered. */
export interface ResourceSeries {
  readonly cpu: (number | null)[];
  readonly memory: (number | null)[];
}

/** One cluster or department over the range. */
export interface UtilizationLine {
  readonly requested: ResourceSeries;
  readonly used: ResourceSeries;
  /** Cluster: allocatable; department: its quota (absent when it has none, or on a view that may not see it). */
  readonly capacity?: ResourceSeries;
  /** requested / capacity and used / capacity (with capacity), and used / requested. */
  readonly ratios: {
    readonly requested?: ResourceSeries;
    readonly used?: ResourceSeries;
    readonly usedOfRequested: ResourceSeries;
  };
}

export interface UtilizationHistoryInput {
  readonly intervals: readonly string[];
  /** Usage summed per interval, department and cluster (only the departments the reader may see). */
  readonly totals: readonly MeterTotalRow[];
  /** Clusters' capacity rows of the range: they also say how many minutes of each interval were metered. */
  readonly capacity: readonly CapacityRow[];
  /** Departments to show even without rows, with their quota (millicores, bytes; absent: unlimited). */
  readonly departments: ReadonlyMap<string, { readonly cpuMilli?: number; readonly memoryBytes?: number }>;
  /** Whether clusters' capacity (and so everything placed on them) may be shown: platform-wide readers only. */
  readonly platform: boolean;
}

export interface UtilizationHistory {
  readonly departments: ({ readonly tenant: string } & UtilizationLine)[];
  readonly clusters: ({ readonly cluster: string } & UtilizationLine)[];
}

/**
 * Requested, used and capacity per interval for each department and cluster (pure). Figures are averages over
 * the interval's metered minutes (the roll-ups hold value × minutes); a department's clusters carry only that
 * department's own rows unless the view is platform-wide.
 */
export function utilizationHistory(input: UtilizationHistoryInput): UtilizationHistory {
  const index = new Map(input.intervals.map((k, i) => [k, i]));
  const n = input.intervals.length;
  const minutes = new Array<number>(n).fill(0);
  const capacity = new Map<string, { cpu: number[]; mem: number[] }>();
  for (const c of input.capacity) {
    const i = index.get(c.start);
    if (i === undefined) continue;
    minutes[i] = Math.max(minutes[i]!, c.minutes);
    const line = capacity.get(c.cluster) ?? { cpu: new Array<number>(n).fill(0), mem: new Array<number>(n).fill(0) };
    line.cpu[i]! += c.cpu;
    line.mem[i]! += c.mem;
    capacity.set(c.cluster, line);
  }
  type Sums = { cpuReq: number[]; cpuUse: number[]; memReq: number[]; memUse: number[] };
  const zero = (): Sums => ({
    cpuReq: new Array<number>(n).fill(0),
    cpuUse: new Array<number>(n).fill(0),
    memReq: new Array<number>(n).fill(0),
    memUse: new Array<number>(n).fill(0),
  });
  const byTenant = new Map<string, Sums>([...input.departments.keys()].map((t) => [t, zero()]));
  const byCluster = new Map<string, Sums>();
  for (const r of input.totals) {
    const i = index.get(r.start);
    if (i === undefined) continue;
    for (const [map, key] of [
      [byTenant, r.tenant],
      [byCluster, r.cluster],
    ] as const) {
      let s = map.get(key);
      if (!s) map.set(key, (s = zero()));
      s.cpuReq[i]! += r.cpuRequest;
      s.cpuUse[i]! += r.cpuUsage;
      s.memReq[i]! += r.memRequest;
      s.memUse[i]! += r.memUsage;
    }
  }
  // Averages over the metered minutes: millicore-minutes → cores, MiB-minutes → bytes.
  const avg = (sums: readonly number[], scale: number, digits: number): (number | null)[] =>
    sums.map((v, i) => (minutes[i]! > 0 ? round((v / minutes[i]!) * scale, digits) : null));
  const cores = (s: readonly number[]) => avg(s, 1 / 1000, 3);
  const bytes = (s: readonly number[]) => avg(s, MIB, 0);
  const ratio = (a: ResourceSeries, b: ResourceSeries): ResourceSeries => ({
    cpu: a.cpu.map((v, i) => div(v, b.cpu[i]!)),
    memory: a.memory.map((v, i) => div(v, b.memory[i]!)),
  });
  const line = (s: Sums, cap: ResourceSeries | undefined): UtilizationLine => {
    const requested = { cpu: cores(s.cpuReq), memory: bytes(s.memReq) };
    const used = { cpu: cores(s.cpuUse), memory: bytes(s.memUse) };
    return {
      requested,
      used,
      ...(cap ? { capacity: cap } : {}),
      ratios: {
        ...(cap ? { requested: ratio(requested, cap), used: ratio(used, cap) } : {}),
        usedOfRequested: ratio(used, requested),
      },
    };
  };
  const quotaLine = (q: { cpuMilli?: number; memoryBytes?: number } | undefined): ResourceSeries | undefined => {
    if (q?.cpuMilli === undefined && q?.memoryBytes === undefined) return undefined;
    const flat = (v: number | undefined) => minutes.map((m) => (m > 0 && v !== undefined ? v : null));
    return { cpu: flat(q.cpuMilli === undefined ? undefined : q.cpuMilli / 1000), memory: flat(q.memoryBytes) };
  };
  const clusterNames = new Set([...byCluster.keys(), ...(input.platform ? capacity.keys() : [])]);
  return {
    departments: [...byTenant]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tenant, s]) => ({ tenant, ...line(s, quotaLine(input.departments.get(tenant))) })),
    clusters: [...clusterNames].sort().map((cluster) => {
      const c = capacity.get(cluster);
      const cap = input.platform && c ? { cpu: cores(c.cpu), memory: bytes(c.mem) } : undefined;
      return { cluster, ...line(byCluster.get(cluster) ?? zero(), cap) };
    }),
  };
}

function div(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : round(a / b, 4);
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
