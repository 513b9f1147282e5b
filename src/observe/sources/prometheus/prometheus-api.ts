/** One series of an instant query's vector. */
export interface InstantSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One series of a range query's matrix; times in epoch ms. */
export interface RangeSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly points: readonly (readonly [number, number])[];
}

export interface PrometheusApiOptions {
  /** Base URL of a Prometheus (or Thanos Query) server; a path prefix such as `/prometheus/` is kept. */
  readonly url: string;
  readonly timeoutMs: number;
  readonly bearerToken?: string;
  /** For tests: the fetch to use (default: global fetch). */
  readonly fetch?: typeof fetch;
}

/** A query that failed: the server refused it, answered with an error, or did not answer in time. */
export class PrometheusQueryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrometheusQueryError';
  }
}

/**
 * The two endpoints of the Prometheus HTTP API the metrics seam needs (`/api/v1/query`, `/api/v1/query_range`),
 * POSTed as forms so that long queries fit. Every call is bounded by `timeoutMs`, sent to the server as its own
 * evaluation timeout too. Throws PrometheusQueryError; the source turns that into an absent signal.
 */
export class PrometheusApi {
  private readonly base: string;
  private readonly options: PrometheusApiOptions;

  constructor(options: PrometheusApiOptions) {
    this.options = options;
    this.base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  }

  async instant(query: string, timeMs: number): Promise<InstantSample[]> {
    const data = await this.call('api/v1/query', { query, time: seconds(timeMs) });
    if (data.resultType === 'scalar') return [{ metric: {}, value: toNumber((data.result as unknown[])[1]) }];
    if (data.resultType !== 'vector') throw new PrometheusQueryError(`expected a vector, got a ${data.resultType}`);
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      value: toNumber(r.value[1]),
    }));
  }

  async range(query: string, startMs: number, endMs: number, stepMs: number): Promise<RangeSeries[]> {
    const data = await this.call('api/v1/query_range', {
      query,
      start: seconds(startMs),
      end: seconds(endMs),
      step: seconds(stepMs),
    });
    if (data.resultType !== 'matrix') throw new PrometheusQueryError(`expected a matrix, got a ${data.resultType}`);
    return (data.result as { metric: Record<string, string>; values: [number, string][] }[]).map((r) => ({
      metric: r.metric,
      points: r.values.map(([t, v]) => [Math.round(t * 1000), toNumber(v)] as const),
    }));
  }

  private async call(path: string, params: Record<string, string>): Promise<{ resultType: string; result: unknown }> {
    const { timeoutMs, bearerToken } = this.options;
    const body = new URLSearchParams({ ...params, timeout: seconds(timeoutMs) });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (bearerToken) headers.authorization = `Bearer ${bearerToken}`;
    const url = new URL(path, this.base);
    let response: Response;
    let text: string;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      const why = timedOut ? `no answer within ${timeoutMs} ms` : errorText(e);
      throw new PrometheusQueryError(`${url.origin}${url.pathname}: ${why}`, { cause: e });
    }
    let parsed: { status?: string; data?: { resultType: string; result: unknown }; error?: string };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PrometheusQueryError(`${url.pathname}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!response.ok || parsed.status !== 'success' || parsed.data === undefined) {
      throw new PrometheusQueryError(`${url.pathname}: HTTP ${response.status}: ${parsed.error ?? text.slice(0, 200)}`);
    }
    return parsed.data;
  }
}

function seconds(ms: number): string {
  return String(ms / 1000);
}

/** Prometheus sends sample values as strings, with NaN and ±Inf spelled out. */
function toNumber(v: unknown): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof Error ? `${e.message} (${cause.message})` : e.message;
}
