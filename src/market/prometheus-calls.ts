import { PrometheusApi, type RangeSeries } from '../observe/sources/prometheus/prometheus-api.ts';
import type { CallSeries, CallSource } from './sharing-calls.ts';

/**
 * Default PromQL of the calls between components: Istio's standard request counter, as a rate per source and
 * destination workload. `$window` is the rate window. Replace it with POLIS_CALLS_QUERY (its series must carry the
 * four labels below; `response_code` is matched by the error query).
 */
export const DEFAULT_CALLS_QUERY =
  'sum by (source_workload_namespace, source_workload, destination_workload_namespace, destination_workload) ' +
  '(rate(istio_requests_total[$window]))';

/** The same with only 5xx responses: what the error rate is measured from. */
export const DEFAULT_CALL_ERRORS_QUERY =
  'sum by (source_workload_namespace, source_workload, destination_workload_namespace, destination_workload) ' +
  '(rate(istio_requests_total{response_code=~"5.."}[$window]))';

export interface PrometheusCallsConfig {
  readonly url: string;
  readonly bearerToken?: string;
  /** Replaces DEFAULT_CALLS_QUERY (POLIS_CALLS_QUERY). */
  readonly query?: string;
  /** Replaces DEFAULT_CALL_ERRORS_QUERY (POLIS_CALL_ERRORS_QUERY); empty: no error rate. */
  readonly errorsQuery?: string;
  /** The rate window (POLIS_METRICS_WINDOW, default 1m). */
  readonly window?: string;
  /** The step of the range query, seconds (default 15; larger for long windows: at most 10,000 points). */
  readonly stepS?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * A Prometheus range result mapped to call series (pure): `namespace/component` keys from the source and
 * destination workload labels (polis renders each component as a workload named after it, so the workload name
 * is the component), points in epoch seconds. A series missing any of the four labels, or a non-finite sample, is
 * skipped; series landing on the same pair are added. With `errors` (the 5xx query's result), every pair gets its
 * error points, none where no call of it failed; without, no pair has any (the error rate is then not measured).
 */
export function callSeriesOf(result: readonly RangeSeries[], errors?: readonly RangeSeries[]): CallSeries[] {
  const key = (m: Readonly<Record<string, string>>): [string, string] | undefined => {
    const { source_workload_namespace: sn, source_workload: sw } = m;
    const { destination_workload_namespace: dn, destination_workload: dw } = m;
    if (!sn || !sw || !dn || !dw || sw === 'unknown' || dw === 'unknown') return undefined;
    return [`${sn}/${sw}`, `${dn}/${dw}`];
  };
  const add = (into: Map<string, Map<number, number>>, series: readonly RangeSeries[]) => {
    for (const s of series) {
      const k = key(s.metric);
      if (!k) continue;
      const id = `${k[0]}\u0000${k[1]}`;
      const points = into.get(id) ?? new Map<number, number>();
      into.set(id, points);
      for (const [ms, v] of s.points) {
        if (!Number.isFinite(v)) continue;
        const t = Math.round(ms / 1000);
        points.set(t, (points.get(t) ?? 0) + v);
      }
    }
  };
  const calls = new Map<string, Map<number, number>>();
  const errs = new Map<string, Map<number, number>>();
  add(calls, result);
  add(errs, errors ?? []);
  const out: CallSeries[] = [];
  for (const [id, points] of calls) {
    if (points.size === 0) continue;
    const [from, to] = id.split('\u0000') as [string, string];
    const sorted = [...points].sort((a, b) => a[0] - b[0]);
    const e = errs.get(id) ?? (errors ? new Map<number, number>() : undefined);
    out.push({
      from,
      to,
      points: sorted,
      ...(e ? { errorPoints: [...e].sort((a, b) => a[0] - b[0]) } : {}),
    });
  }
  return out;
}

/**
 * The calls between components read from Prometheus (Istio's `istio_requests_total`): one range query of the
 * window per request, plus one for 5xx responses. A failed query throws; the routes count that as not measured.
 */
export function prometheusCallSource(config: PrometheusCallsConfig): CallSource {
  const api = new PrometheusApi({
    url: config.url,
    timeoutMs: config.timeoutMs ?? 10_000,
    ...(config.bearerToken ? { bearerToken: config.bearerToken } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
  });
  const window = config.window ?? '1m';
  const fill = (q: string) => q.replace(/\$window\b/g, window);
  const query = fill(config.query ?? DEFAULT_CALLS_QUERY);
  const errorsQuery = config.errorsQuery ?? DEFAULT_CALL_ERRORS_QUERY;
  return async (fromS, toS) => {
    const step = Math.max(config.stepS ?? 15, Math.ceil((toS - fromS) / 10_000));
    const [calls, errors] = await Promise.all([
      api.range(query, fromS * 1000, toS * 1000, step * 1000),
      errorsQuery ? api.range(fill(errorsQuery), fromS * 1000, toS * 1000, step * 1000) : undefined,
    ]);
    return callSeriesOf(calls, errors);
  };
}
