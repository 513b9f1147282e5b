import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * Request-rate scenarios for one application component, as data: a scenario is evaluated at a time, so replaying a
 * week in virtual time costs no more than the instants asked for.
 */
export type LoadScenario =
  | { readonly kind: 'constant'; readonly rps: number }
  | {
      readonly kind: 'daily';
      readonly base: number;
      readonly peak: number;
      /** Hours of the day (0–24, fractions allowed) at which the rate peaks. */
      readonly peakHours: readonly number[];
      /** Half-width of each peak in hours: the rate is back to base this far from it. */
      readonly widthHours: number;
      /** Offset of the local day from UTC (8 for China Standard Time). */
      readonly utcOffsetHours: number;
    }
  | {
      readonly kind: 'citizenPeak';
      readonly base: number;
      /** The rate during the peak is base × factor. */
      readonly factor: number;
      readonly startMs: number;
      readonly durationMs: number;
      /** Time to climb to the peak and to fall back after it. */
      readonly rampMs: number;
    }
  | {
      readonly kind: 'series';
      readonly points: readonly number[];
      readonly stepMs: number;
      /** When the first point applies; undefined means when the scenario is set. */
      readonly startMs: number | undefined;
      readonly scale: number;
      /** Start again from the first point after the last (else hold the last). */
      readonly loop: boolean;
    };

/** The same rate at all times. */
export function constant(rps: number): LoadScenario {
  return { kind: 'constant', rps: nonNegative(rps, 'rps') };
}

/** A daily curve: `base` at night, rising smoothly (a cosine bell) to `peak` at each of `peakHours`. */
export function daily(o: {
  base: number;
  peak: number;
  peakHours?: readonly number[];
  widthHours?: number;
  utcOffsetHours?: number;
}): LoadScenario {
  return {
    kind: 'daily',
    base: nonNegative(o.base, 'base'),
    peak: nonNegative(o.peak, 'peak'),
    peakHours: o.peakHours ?? [10, 15],
    widthHours: o.widthHours ?? 3,
    utcOffsetHours: o.utcOffsetHours ?? 0,
  };
}

/**
 * A citizens' rush (an enrolment or a subsidy opening at nine): `base`, then base × factor from `start` for
 * `durationMs`, with linear ramps of `rampMs` (default a tenth of the duration, at most a minute).
 */
export function citizenPeak(o: {
  base: number;
  factor: number;
  start: Date | string | number;
  durationMs: number;
  rampMs?: number;
}): LoadScenario {
  return {
    kind: 'citizenPeak',
    base: nonNegative(o.base, 'base'),
    factor: nonNegative(o.factor, 'factor'),
    startMs: new Date(o.start).getTime(),
    durationMs: nonNegative(o.durationMs, 'durationMs'),
    rampMs: o.rampMs ?? Math.min(60_000, o.durationMs / 10),
  };
}

/**
 * A replay of measured points one `stepMs` apart, linearly interpolated. `scale` multiplies every point;
 * `peakRps` instead scales the series so that its highest point is that rate.
 */
export function series(
  points: readonly number[],
  stepMs: number,
  o: { startMs?: number; scale?: number; peakRps?: number; loop?: boolean } = {},
): LoadScenario {
  if (points.length === 0) throw new RangeError('a series needs at least one point');
  if (!(stepMs > 0)) throw new RangeError(`stepMs must be positive, got ${stepMs}`);
  let highest = 0;
  for (const p of points) if (p > highest) highest = p;
  const scale = o.peakRps !== undefined ? (highest > 0 ? o.peakRps / highest : 0) : (o.scale ?? 1);
  return { kind: 'series', points, stepMs, startMs: o.startMs, scale, loop: o.loop ?? true };
}

const HOUR = 3_600_000;

/** The request rate of `s` at `atMs`; `originMs` is when it was set (where a series without a start begins). */
export function rateAt(s: LoadScenario, atMs: number, originMs: number): number {
  switch (s.kind) {
    case 'constant':
      return s.rps;
    case 'daily': {
      const hour = (((atMs / HOUR + s.utcOffsetHours) % 24) + 24) % 24;
      let bell = 0;
      for (const peak of s.peakHours) {
        const d = Math.min(Math.abs(hour - peak), 24 - Math.abs(hour - peak));
        if (d < s.widthHours) bell = Math.max(bell, Math.cos((Math.PI * d) / (2 * s.widthHours)) ** 2);
      }
      return s.base + (s.peak - s.base) * bell;
    }
    case 'citizenPeak': {
      const t = atMs - s.startMs;
      const end = s.durationMs;
      let shape = 0;
      if (t >= 0 && t < end) shape = s.rampMs > 0 ? Math.min(1, t / s.rampMs) : 1;
      else if (t >= end && t < end + s.rampMs) shape = 1 - (t - end) / s.rampMs;
      return s.base * (1 + (s.factor - 1) * shape);
    }
    case 'series': {
      const n = s.points.length;
      let pos = (atMs - (s.startMs ?? originMs)) / s.stepMs;
      if (pos <= 0) return s.points[0]! * s.scale;
      if (s.loop) pos %= n;
      else if (pos >= n - 1) return s.points[n - 1]! * s.scale;
      const i = Math.floor(pos);
      const a = s.points[i]!;
      const b = s.points[(i + 1) % n]!;
      return (a + (b - a) * (pos - i)) * s.scale;
    }
  }
}

/** A measured series: values at a regular step from `startMs`. */
export interface MeasuredSeries {
  readonly points: number[];
  readonly stepMs: number;
  readonly startMs: number;
}

/**
 * Reads one of Crane's production series (`ts,value`, unix seconds, gzip-compressed CSV) onto a regular grid: the
 * step is the commonest gap between samples, and a missing sample is interpolated from its neighbours.
 */
export function loadCraneSeries(path: string): MeasuredSeries {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const rows: [number, number][] = [];
  for (const line of text.split('\n')) {
    const [ts, value] = line.split(',');
    const t = Number(ts);
    const v = Number(value);
    if (line.trim() === '' || !Number.isFinite(t) || !Number.isFinite(v)) continue;
    rows.push([t * 1000, v]);
  }
  if (rows.length < 2) throw new RangeError(`${path} holds fewer than two samples`);
  rows.sort((a, b) => a[0] - b[0]);
  const gaps = new Map<number, number>();
  for (let i = 1; i < rows.length; i++) {
    const d = rows[i]![0] - rows[i - 1]![0];
    if (d > 0) gaps.set(d, (gaps.get(d) ?? 0) + 1);
  }
  const stepMs = [...gaps].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0];
  const startMs = rows[0]![0];
  const count = Math.floor((rows[rows.length - 1]![0] - startMs) / stepMs) + 1;
  const points = new Array<number>(count);
  let j = 0;
  for (let i = 0; i < count; i++) {
    const t = startMs + i * stepMs;
    while (j + 1 < rows.length && rows[j + 1]![0] <= t) j++;
    const [t0, v0] = rows[j]!;
    const next = rows[j + 1];
    points[i] = next === undefined || t0 === t ? v0 : v0 + ((next[1] - v0) * (t - t0)) / (next[0] - t0);
  }
  return { points, stepMs, startMs };
}

function nonNegative(n: number, name: string): number {
  if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`${name} must be a number >= 0, got ${n}`);
  return n;
}
