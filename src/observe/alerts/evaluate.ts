import type { Message } from '../../kernel/messages/index.ts';
import { alertMessage } from './alert-messages.ts';
import type {
  BaselineExpr,
  BurnRateExpr,
  CompiledRule,
  Comparison,
  Severity,
  ThresholdExpr,
  TrendExpr,
} from './rules.ts';
import type { SignalWindows } from './signal-windows.ts';
import type { AlertSignal, AlertTarget, SeriesLabels } from './signals.ts';
import { ALERT_SIGNALS, labelKey, seriesKey } from './signals.ts';

export type AlertState = 'pending' | 'firing' | 'resolved';

/** One alert: a rule's condition on one target, as Prometheus keeps it (pending until `for` has passed). */
export interface Alert {
  /** `<rule id>|<target's labels>`: stable across evaluations. */
  readonly key: string;
  readonly rule: string;
  readonly ruleId: string;
  /** The department the alert is about (its target's); absent for a cluster's (platform readers only). */
  readonly tenant?: string;
  readonly severity: Severity;
  readonly labels: SeriesLabels;
  readonly state: AlertState;
  /** Epoch ms: when the condition became true (pending from then). */
  readonly activeAt: number;
  readonly firedAt?: number;
  readonly resolvedAt?: number;
  /** The value that decided (an aggregate, or the long window's burn rate). */
  readonly value?: number;
  readonly message: Message;
  readonly description?: { readonly zh: string; readonly en: string };
  /** Set while a firing cluster alert holds this symptom back: shown, never silent. */
  readonly inhibitedBy?: { readonly key: string; readonly rule: string; readonly cluster: string };
}

/** A change worth telling: an alert began firing, or a firing alert resolved. */
export interface AlertTransition {
  readonly type: 'fired' | 'resolved';
  readonly alert: Alert;
}

export interface EvaluationInput {
  readonly rules: readonly CompiledRule[];
  readonly targets: readonly AlertTarget[];
  readonly windows: SignalWindows;
  /** Epoch ms. */
  readonly now: number;
  /** The alerts of the previous evaluation, by key. */
  readonly previous: ReadonlyMap<string, Alert>;
  /** How long a resolved alert stays listed (default 15 minutes). */
  readonly resolvedRetentionMs?: number;
  /**
   * Whether rules share a series' baseline buckets within the evaluation (BaselineMemo; the same decisions). Off by
   * default: at 10,000 applications holding every target's buckets through the round cost more than reading them
   * again (bench/alerts: 743 ms shared against 682 ms, same run), at 2,000 it saved 10 %. Reading each target's
   * baseline rules together, target by target, would share without holding; not done.
   */
  readonly shareBaselines?: boolean;
}

export interface EvaluationResult {
  readonly alerts: Map<string, Alert>;
  readonly transitions: AlertTransition[];
}

/**
 * One evaluation (pure; the clock is `now`): every rule on every target it selects, the pending → firing →
 * resolved state machine with `for` durations, then inhibition (a firing cluster-unreachable alert holds back
 * the symptom alerts of components placed on that cluster, and says so on them).
 */
export function evaluateAlerts(input: EvaluationInput): EvaluationResult {
  const steps = evaluateAlertsInSteps(input);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * `evaluateAlerts` in steps: the generator stops after every `every` rule-and-target evaluations and returns the
 * same result at its end. Still pure (no clock, no I/O): a caller that holds an event loop (AlertController) yields
 * to it between steps, so an estate of ten thousand applications is not evaluated in one synchronous stretch that
 * holds every API request behind it.
 */
export function* evaluateAlertsInSteps(input: EvaluationInput, every = 250): Generator<void, EvaluationResult> {
  const { now, previous, windows } = input;
  let evaluated = 0;
  const retention = input.resolvedRetentionMs ?? 15 * 60_000;
  const alerts = new Map<string, Alert>();
  const transitions: AlertTransition[] = [];
  // With shareBaselines, a series' baseline buckets read once a round, whichever rules compare with them.
  const baselines = input.shareBaselines === true ? baselineMemo() : undefined;
  const byScope = new Map<string, AlertTarget[]>();
  for (const t of input.targets) {
    const list = byScope.get(t.scope) ?? [];
    list.push(t);
    byScope.set(t.scope, list);
  }
  for (const rule of input.rules) {
    const scope = rule.expr.kind === 'burnRate' ? 'component' : ALERT_SIGNALS[rule.expr.signal];
    for (const target of byScope.get(scope) ?? []) {
      if (++evaluated % every === 0) yield;
      if (!selects(rule, target)) continue;
      const value =
        rule.expr.kind === 'threshold'
          ? thresholdValue(rule.expr, target, windows, now)
          : rule.expr.kind === 'baseline'
            ? baselineValue(rule.expr, target, windows, now, baselines)
            : rule.expr.kind === 'trend'
              ? trendValue(rule.expr, target, windows, now)
              : burnValue(rule.expr, target, windows, now);
      const key = `${rule.id}|${labelKey(target.labels)}`;
      const before = previous.get(key);
      const active = value !== undefined;
      if (!active) {
        if (before?.state === 'firing') {
          const resolved: Alert = { ...before, state: 'resolved', resolvedAt: now, inhibitedBy: undefined };
          alerts.set(key, resolved);
          transitions.push({ type: 'resolved', alert: resolved });
        } else if (before?.state === 'resolved' && now - (before.resolvedAt ?? now) < retention)
          alerts.set(key, before);
        continue;
      }
      const activeAt = before && before.state !== 'resolved' ? before.activeAt : now;
      const firing = now - activeAt >= rule.forMs;
      const alert: Alert = {
        key,
        rule: rule.name,
        ruleId: rule.id,
        ...(target.labels.tenant !== undefined ? { tenant: target.labels.tenant } : {}),
        severity: rule.severity,
        labels: target.labels,
        state: firing ? 'firing' : 'pending',
        activeAt,
        ...(firing ? { firedAt: before?.state === 'firing' ? before.firedAt : now } : {}),
        value: value.value,
        message: alertMessage(rule, target, value.value, value.slo, value.baseline, value.trend, value.load),
        ...(rule.description ? { description: rule.description } : {}),
      };
      alerts.set(key, alert);
      if (firing && before?.state !== 'firing') transitions.push({ type: 'fired', alert });
    }
  }
  // Resolved alerts whose rule or target is gone are kept for the retention too; firing ones resolve.
  for (const [key, before] of previous) {
    if (alerts.has(key)) continue;
    if (before.state === 'firing') {
      const resolved: Alert = { ...before, state: 'resolved', resolvedAt: now, inhibitedBy: undefined };
      alerts.set(key, resolved);
      transitions.push({ type: 'resolved', alert: resolved });
    } else if (before.state === 'resolved' && now - (before.resolvedAt ?? now) < retention) alerts.set(key, before);
  }
  inhibit(alerts, input.targets, input.rules);
  // An alert held back by inhibition and now released is told as it fires (it was never sent).
  for (const [key, a] of alerts) {
    const before = previous.get(key);
    if (a.state === 'firing' && !a.inhibitedBy && before?.state === 'firing' && before.inhibitedBy)
      transitions.push({ type: 'fired', alert: a });
  }
  // A transition reports the alert as it stands after inhibition.
  return { alerts, transitions: transitions.map((t) => ({ ...t, alert: alerts.get(t.alert.key) ?? t.alert })) };
}

/** The windows each signal must keep for `rules` (RingSignalWindows.want). */
export function windowsOf(rules: readonly CompiledRule[]): Array<[AlertSignal, number]> {
  const out: Array<[AlertSignal, number]> = [];
  for (const r of rules) {
    const e = r.expr;
    if (e.kind === 'threshold') out.push([e.signal, e.windowMs]);
    else if (e.kind === 'baseline') {
      out.push([e.signal, e.windowMs], [e.signal, e.baselineMs]);
      if (e.minRequests !== undefined) out.push(['requestsPerSecond', e.windowMs]);
      if (e.loadRelative) {
        const load = e.loadSignal ?? 'requestsPerSecond';
        out.push([load, e.windowMs], [load, e.baselineMs]);
      }
    } else if (e.kind === 'trend') {
      out.push([e.signal, e.windowMs]);
      if (e.abovePeak) out.push([e.signal, e.abovePeak.windowMs]);
    } else
      for (const w of [e.longMs, e.shortMs])
        for (const s of ['requestsPerSecond', 'errorsPerSecond', 'slowSample'] as const) out.push([s, w]);
  }
  return out;
}

function selects(rule: CompiledRule, target: AlertTarget): boolean {
  // A department's rule reads its own series only; a cluster belongs to no department.
  if (rule.tenant !== undefined && target.labels.tenant !== rule.tenant) return false;
  const s = rule.selector;
  return (
    (s.app === undefined || s.app === target.labels.app) &&
    (s.component === undefined || s.component === target.labels.component) &&
    (s.cluster === undefined || s.cluster === target.labels.cluster) &&
    (s.tenant === undefined || s.tenant === target.labels.tenant)
  );
}

interface Value {
  readonly value: number;
  readonly slo?: number;
  /** A baseline rule's baseline. */
  readonly baseline?: number;
  /** A load-relative baseline rule's request rate over its own normal (1 when flat or unknown). */
  readonly load?: number;
  /** A trend rule's newest sample, slope (per minute) and minutes until the line reaches the threshold. */
  readonly trend?: Trend;
}

export interface Trend {
  readonly last: number;
  readonly perMinute: number;
  readonly minutesToThreshold: number;
  /** The target's normal peak (TrendExpr.abovePeak), when the rule asks for one. */
  readonly normalPeak?: number;
}

function thresholdValue(e: ThresholdExpr, t: AlertTarget, w: SignalWindows, now: number): Value | undefined {
  const v = w.aggregate(seriesKey(e.signal, t.labels), e.windowMs, e.aggregate, now);
  return v !== undefined && compare(v, e.op, e.threshold) ? { value: v } : undefined;
}

/** The averages of the buckets of `baselineMs` that end before `now − excludeMs`, ascending. */
function baselineBuckets(e: BaselineExpr, buckets: ReadonlyArray<readonly [number, number]>, now: number): number[] {
  return buckets
    .filter(([end]) => end <= now - e.excludeMs)
    .map(([, avg]) => avg)
    .sort((a, b) => a - b);
}

/** The normal `e.statistic` takes of ascending bucket averages; undefined with fewer than `minBuckets` of them. */
function normalOf(e: BaselineExpr, avgs: readonly number[]): number | undefined {
  if (avgs.length < Math.max(1, e.minBuckets)) return undefined;
  if (e.statistic === 'max') return avgs[avgs.length - 1]!;
  const mid = avgs.length >> 1;
  return avgs.length % 2 ? avgs[mid]! : (avgs[mid - 1]! + avgs[mid]!) / 2;
}

/**
 * A target's own normal of a signal (BaselineExpr): the median (or, with `statistic: 'max'`, the highest) of the
 * averages of the buckets of `baselineMs` that end before `now − excludeMs`; undefined with fewer than `minBuckets`
 * of them.
 */
export function robustBaseline(e: BaselineExpr, key: string, w: SignalWindows, now: number): number | undefined {
  return normalOf(e, baselineBuckets(e, w.bucketAverages?.(key, e.baselineMs, now) ?? [], now));
}

/**
 * The baseline buckets read in one evaluation, by target (the same object for every rule of the round): for each
 * signal, window and exclusion a rule asked, the averages of the buckets that end before the exclusion, ascending.
 * The windows and `now` are the same for every rule of a round, so the buckets several rules read (latency-degraded
 * and latency-shifted the p99's, latency-shifted and cpu-above-normal a request rate's) are read and sorted once; each
 * rule takes its own statistic and minimum count of them. An evaluation's memo, dropped with it; keyed by object, not
 * by a string built for each call (that cost as much as the reading it saved).
 */
export type BaselineMemo = Map<AlertTarget, MemoEntry[]>;

interface MemoEntry {
  readonly signal: AlertSignal;
  readonly baselineMs: number;
  readonly excludeMs: number;
  readonly avgs: readonly number[];
}

export const baselineMemo = (): BaselineMemo => new Map();

/** robustBaseline of the target's `signal`, its buckets remembered in `memo` (when given) for the evaluation. */
export function sharedBaseline(
  e: BaselineExpr,
  signal: AlertSignal,
  t: AlertTarget,
  key: string,
  w: SignalWindows,
  now: number,
  memo: BaselineMemo | undefined,
): number | undefined {
  if (memo === undefined) return robustBaseline(e, key, w, now);
  let entries = memo.get(t);
  if (entries === undefined) memo.set(t, (entries = []));
  for (const x of entries)
    if (x.signal === signal && x.baselineMs === e.baselineMs && x.excludeMs === e.excludeMs) return normalOf(e, x.avgs);
  const avgs = baselineBuckets(e, w.bucketAverages?.(key, e.baselineMs, now) ?? [], now);
  entries.push({ signal, baselineMs: e.baselineMs, excludeMs: e.excludeMs, avgs });
  return normalOf(e, avgs);
}

function baselineValue(
  e: BaselineExpr,
  t: AlertTarget,
  w: SignalWindows,
  now: number,
  memo?: BaselineMemo,
): Value | undefined {
  const key = seriesKey(e.signal, t.labels);
  const v = w.aggregate(key, e.windowMs, e.aggregate, now);
  if (v === undefined) return undefined;
  if (e.minRequests !== undefined) {
    const rps = w.aggregate(seriesKey('requestsPerSecond', t.labels), e.windowMs, 'avg', now);
    if (rps === undefined || (rps * e.windowMs) / 1000 < e.minRequests) return undefined;
  }
  // The cheap test first: most targets are nowhere near their floor.
  if (!(v > e.floor)) return undefined;
  const base = sharedBaseline(e, e.signal, t, key, w, now, memo);
  if (base === undefined) return undefined;
  if (!(v > e.factor * base && v > base + e.floor)) return undefined;
  if (!e.loadRelative) return { value: v, baseline: base };
  const load = loadDeparture(e, t, w, now, memo);
  return v > e.factor * base * Math.max(1, load) ? { value: v, baseline: base, load } : undefined;
}

/**
 * The target's load over the window against its own normal (robustBaseline of its load series: the request rate, or
 * `loadSignal`): how much of a departure the load explains. 1 without a load series or a normal (a worker: its load
 * counts as flat).
 */
export function loadDeparture(
  e: BaselineExpr,
  t: AlertTarget,
  w: SignalWindows,
  now: number,
  memo?: BaselineMemo,
): number {
  const signal = e.loadSignal ?? 'requestsPerSecond';
  const key = seriesKey(signal, t.labels);
  const rps = w.aggregate(key, e.windowMs, 'avg', now);
  if (rps === undefined) return 1;
  const base = sharedBaseline(e, signal, t, key, w, now, memo);
  return base !== undefined && base > 0 ? rps / base : 1;
}

/**
 * TrendExpr's decision: the least-squares line through the bucket averages of the window (a bucket holds the
 * samples of windowMs/slots, one at the collector's 15 s over 3 minutes), at `now + horizonMs`, against the
 * threshold. Undefined (not active) with fewer than `minSamples` buckets, a flat or falling line, a newest
 * sample under `floor`, or a fall among the buckets of the last `risingMs` (or a newest one not above every bucket
 * before them).
 */
function trendValue(e: TrendExpr, t: AlertTarget, w: SignalWindows, now: number): Value | undefined {
  const key = seriesKey(e.signal, t.labels);
  const last = w.aggregate(key, e.windowMs, 'last', now);
  if (last === undefined || last < e.floor) return undefined;
  // The cheap test first, without reading the buckets out: a newest sample above every bucket before the last
  // risingMs is above the window's lowest sample. A flat series (most of them) stops here. (Unknown after a restore
  // that kept no extremes of the window: then the buckets decide.)
  const lowest = w.aggregate(key, e.windowMs, 'min', now);
  if (lowest !== undefined && !(last > lowest)) return undefined;
  const points = w.bucketAverages?.(key, e.windowMs, now) ?? [];
  if (points.length < Math.max(2, e.minSamples)) return undefined;
  // Rising now: the buckets of the last risingMs never fall, and the newest is above all before them.
  let earlierMax = -Infinity;
  let previous = -Infinity;
  for (const [end, v] of points) {
    if (end <= now - e.risingMs) earlierMax = Math.max(earlierMax, v);
    else if (v < previous || (e.strictlyRising && v === previous)) return undefined;
    previous = v;
  }
  if (!(previous > earlierMax)) return undefined;
  const fit = leastSquares(points, now);
  if (fit === undefined || !(fit.slope > 0)) return undefined;
  const projected = fit.atNow + fit.slope * e.horizonMs;
  if (projected < e.threshold) return undefined;
  let normalPeak: number | undefined;
  if (e.abovePeak) {
    normalPeak = peakBaseline(e.abovePeak, key, w, now);
    if (normalPeak === undefined || !(last >= normalPeak + e.abovePeak.over)) return undefined;
  }
  const perMinute = fit.slope * 60_000;
  return {
    value: projected,
    trend: {
      last,
      perMinute,
      minutesToThreshold: Math.max(0, (e.threshold - last) / perMinute),
      ...(normalPeak !== undefined ? { normalPeak } : {}),
    },
  };
}

/**
 * A target's normal peak (TrendExpr.abovePeak): the median of the maxima of the buckets of its window that end
 * before `now − excludeMs`; undefined with fewer than `minBuckets` of them.
 */
export function peakBaseline(
  p: NonNullable<TrendExpr['abovePeak']>,
  key: string,
  w: SignalWindows,
  now: number,
): number | undefined {
  const maxima = (w.bucketMaxima?.(key, p.windowMs, now) ?? [])
    .filter(([end]) => end <= now - p.excludeMs)
    .map(([, v]) => v)
    .sort((a, b) => a - b);
  if (maxima.length < Math.max(1, p.minBuckets)) return undefined;
  const mid = maxima.length >> 1;
  return maxima.length % 2 ? maxima[mid]! : (maxima[mid - 1]! + maxima[mid]!) / 2;
}

/** The least-squares line through (time, value) points: its slope (per ms) and its value at `now`. */
export function leastSquares(
  points: ReadonlyArray<readonly [number, number]>,
  now: number,
): { slope: number; atNow: number } | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  let mx = 0;
  let my = 0;
  for (const [x, y] of points) {
    mx += x - now;
    my += y;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    const dx = x - now - mx;
    sxy += dx * (y - my);
    sxx += dx * dx;
  }
  if (!(sxx > 0)) return undefined;
  const slope = sxy / sxx;
  return { slope, atNow: my - slope * mx };
}

function compare(v: number, op: Comparison, x: number): boolean {
  switch (op) {
    case '>':
      return v > x;
    case '>=':
      return v >= x;
    case '<':
      return v < x;
    case '<=':
      return v <= x;
    case '==':
      return v === x;
    default:
      return v !== x;
  }
}

/** The burn rate over one window: the bad fraction over the budget (1 − objective); undefined without data. */
export function burnRate(
  sli: BurnRateExpr['sli'],
  objective: number,
  labels: SeriesLabels,
  w: SignalWindows,
  windowMs: number,
  now: number,
): number | undefined {
  const budget = 1 - objective;
  if (!(budget > 0)) return undefined;
  if (sli === 'latency') {
    const slow = w.aggregate(seriesKey('slowSample', labels), windowMs, 'avg', now);
    return slow === undefined ? undefined : slow / budget;
  }
  const requests = w.aggregate(seriesKey('requestsPerSecond', labels), windowMs, 'sum', now);
  const errors = w.aggregate(seriesKey('errorsPerSecond', labels), windowMs, 'sum', now);
  if (requests === undefined || errors === undefined || !(requests > 0)) return undefined;
  return errors / requests / budget;
}

function burnValue(e: BurnRateExpr, t: AlertTarget, w: SignalWindows, now: number): Value | undefined {
  const objective = e.objective ?? (e.sli === 'latency' ? t.slo?.latency.objective : t.slo?.availability);
  if (objective === undefined) return undefined; // not a service, or objectives turned off
  const long = burnRate(e.sli, objective, t.labels, w, e.longMs, now);
  if (long === undefined || long < e.factor) return undefined;
  const short = burnRate(e.sli, objective, t.labels, w, e.shortMs, now);
  if (short === undefined || short < e.factor) return undefined;
  return { value: long, slo: objective };
}

function inhibit(alerts: Map<string, Alert>, targets: readonly AlertTarget[], rules: readonly CompiledRule[]): void {
  const dead = new Map<string, Alert>();
  for (const a of alerts.values())
    if (a.state === 'firing' && a.ruleId === 'builtin:cluster-unreachable' && a.labels.cluster)
      dead.set(a.labels.cluster, a);
  if (dead.size === 0) return;
  const symptom = new Set(rules.filter((r) => r.symptom).map((r) => r.id));
  const placement = new Map<string, readonly string[]>();
  for (const t of targets) if (t.scope === 'component' && t.clusters) placement.set(labelKey(t.labels), t.clusters);
  for (const [key, a] of alerts) {
    if (a.state === 'resolved' || !symptom.has(a.ruleId)) continue;
    const clusters = placement.get(labelKey(a.labels)) ?? [];
    const by = clusters.map((c) => dead.get(c)).find((x) => x !== undefined);
    if (by) alerts.set(key, { ...a, inhibitedBy: { key: by.key, rule: by.rule, cluster: by.labels.cluster! } });
  }
}
