import type { Clock } from '../../kernel/clock.ts';
import { historyGrid } from '../metrics-source.ts';
import { aggregateSeries } from './aggregate.ts';
import { combine } from './downsample.ts';
import type { HistoryBackend, Matcher, RangeSeries, SeriesScope } from './history-backend.ts';
import { badParam } from './history-params.ts';
import { parseSubset } from './promql-subset.ts';
import { SIGNALS, type Labels } from './signals.ts';
import { MAX_RANGE_MS } from './tiers.ts';

/** Prometheus refuses a range of more than 11,000 points per series; so does polis. */
export const MAX_POINTS = 11_000;

/** One series of the history API: its labels and [epoch seconds, value or null] per step. */
export interface HistorySeriesView {
  readonly labels: Labels;
  readonly values: (readonly [number, number | null])[];
}

/** What the history API answers for one signal over one range. */
export interface HistoryView {
  readonly kind: 'MetricHistory';
  readonly source: string;
  readonly signal: string;
  readonly unit: string;
  readonly from: string;
  readonly to: string;
  readonly stepSeconds: number;
  /** The spacing of the stored points read (15 s, 1 min or 1 h on polis's own history). */
  readonly resolutionSeconds: number;
  /** One per group (application, component, cluster or node), ordered by labels. */
  readonly series: HistorySeriesView[];
  /** The groups combined as the signal combines (sum of rates, the worst latency, the mean of ratios). */
  readonly total: (readonly [number, number | null])[];
}

/**
 * History queries over one backend, for the history API and the Prometheus-compatible endpoint. Every query is
 * bounded (90 days back, 11,000 points per series) and runs within the caller's scope.
 */
export class HistoryService {
  readonly backend: HistoryBackend;
  private readonly clock: Clock;

  constructor(backend: HistoryBackend, clock: Clock) {
    this.backend = backend;
    this.clock = clock;
  }

  now(): number {
    return this.clock.now().getTime();
  }

  /** Throws a 400 naming the parameter for a range that is empty, too long, too old or too fine. */
  checkRange(fromMs: number, toMs: number, stepMs: number, names = { from: 'start', to: 'end', step: 'step' }): void {
    if (!(stepMs > 0)) throw badParam(names.step, String(stepMs / 1000), 'a positive duration');
    if (toMs < fromMs) throw badParam(names.to, new Date(toMs).toISOString(), `a time not before ${names.from}`);
    if (toMs - fromMs > MAX_RANGE_MS)
      throw badParam(names.from, new Date(fromMs).toISOString(), 'a range of at most 90 days (the history kept)');
    if ((toMs - fromMs) / stepMs + 1 > MAX_POINTS)
      throw badParam(names.step, `${stepMs / 1000}s`, `a step giving at most ${MAX_POINTS} points over the range`);
  }

  /** A query of the PromQL subset (parseSubset) as a matrix. */
  async rangeQuery(text: string, scope: SeriesScope, fromMs: number, toMs: number, stepMs: number) {
    const parsed = parseSubset(text);
    if (!parsed.ok) throw badParam('query', text.slice(0, 200), parsed.problem);
    this.checkRange(fromMs, toMs, stepMs);
    const { series } = await this.backend.range(parsed.query.matchers, scope, fromMs, toMs, stepMs);
    const length = historyGrid(fromMs, toMs, stepMs).length;
    return parsed.query.aggregate ? aggregateSeries(series, parsed.query.aggregate, length) : series;
  }

  /** The series matching any of the selectors. */
  async series(selectors: readonly string[], scope: SeriesScope, fromMs: number, toMs: number): Promise<Labels[]> {
    const seen = new Map<string, Labels>();
    for (const s of selectors) {
      const parsed = parseSubset(s);
      if (!parsed.ok || parsed.query.aggregate) throw badParam('match[]', s.slice(0, 200), 'a series selector');
      for (const l of await this.backend.select(parsed.query.matchers, scope, fromMs, toMs))
        seen.set(JSON.stringify(Object.entries(l).sort()), l);
    }
    return [...seen.keys()].sort().map((k) => seen.get(k)!);
  }

  /** The history API's view of one signal: the matching series grouped by `groupBy`, and their total. */
  async view(
    signal: string,
    matchers: readonly Matcher[],
    groupBy: string,
    scope: SeriesScope,
    fromMs: number,
    toMs: number,
    stepMs: number,
  ): Promise<HistoryView> {
    const info = SIGNALS[signal]!;
    const all: Matcher[] = [{ label: '__name__', op: '=', value: signal }, ...matchers];
    const { series, resolutionMs } = await this.backend.range(all, scope, fromMs, toMs, stepMs);
    const grid = historyGrid(fromMs, toMs, stepMs);
    const op = info.combine === 'mean' ? 'avg' : info.combine;
    const groups: RangeSeries[] = aggregateSeries(series, { op, mode: 'by', labels: [groupBy] }, grid.length);
    const points = (values: readonly number[]) =>
      grid.map((t, i) => [t / 1000, Number.isFinite(values[i]!) ? values[i]! : null] as const);
    return {
      kind: 'MetricHistory',
      source: this.backend.name,
      signal,
      unit: info.unit,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      stepSeconds: stepMs / 1000,
      resolutionSeconds: resolutionMs / 1000,
      series: groups.map((g) => ({ labels: g.labels, values: points(g.values) })),
      total: points(
        combine(
          groups.map((g) => g.values),
          info.combine,
          grid.length,
        ),
      ),
    };
  }
}

/** A step giving about 240 points over the range, a multiple of 15 s. */
export function defaultStep(rangeMs: number): number {
  return Math.max(15_000, Math.ceil(rangeMs / 240 / 15_000) * 15_000);
}
