import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireApplicationAccess } from '../../apps/application-access.ts';
import { applicationKind } from '../../apps/application-kind.ts';
import { ConflictError, NotAllowedError } from '../../kernel/errors.ts';
import { msg } from '../../kernel/messages/index.ts';
import { allowedTenants, authorize } from '../../tenancy/authorization.ts';
import { principalOf } from '../../tenancy/request-principal.ts';
import type { Matcher, SeriesScope } from './history-backend.ts';
import { DURATION_ACCEPTED, INSTANT_ACCEPTED, badParam, parseDuration, parseInstant } from './history-params.ts';
import { defaultStep, type HistoryService } from './history-service.ts';
import { SIGNALS, SIGNAL_NAMES, type SignalScope } from './signals.ts';

type Query = Readonly<Record<string, unknown>>;

/** Where the Prometheus-compatible endpoint lives: a Grafana data source URL is `<polis>/prometheus`. */
export const PROMETHEUS_PREFIX = '/prometheus/api/v1';

/**
 * The history API (`GET /api/v1/tenants/{tenant}/history`, `GET /api/v1/history` for platform-wide readers) and
 * the Prometheus-compatible endpoint (`/prometheus/api/v1/query_range`, `query`, `series`, `labels`,
 * `label/{name}/values`, GET or POST form), every answer within the caller's departments.
 */
export function registerHistoryRoutes(app: FastifyInstance, deps: { history?: HistoryService }): void {
  const service = (): HistoryService => {
    if (!deps.history) throw new ConflictError(msg('HistoryUnavailable'));
    return deps.history;
  };

  app.get(
    '/api/v1/tenants/:tenant/history',
    { schema: { tags: ['observe'], summary: "A department's, application's or component's history of one signal" } },
    async (req) => {
      const { tenant } = req.params as { tenant: string };
      requireApplicationAccess(req, 'list', tenant);
      const q = req.query as Query;
      const signal = signalParam(q, ['component']);
      const matchers: Matcher[] = [{ label: 'tenant', op: '=', value: tenant }];
      const app_ = optional(q, 'app');
      const component = optional(q, 'component');
      if (component !== undefined && app_ === undefined)
        throw badParam('app', '', 'an application name with component');
      if (app_ !== undefined) matchers.push({ label: 'app', op: '=', value: app_ });
      if (component !== undefined) matchers.push({ label: 'component', op: '=', value: component });
      const h = service();
      const { from, to, step } = rangeParams(h, q);
      const scope: SeriesScope = { tenants: [tenant], platform: false };
      return h.view(signal, matchers, app_ === undefined ? 'app' : 'component', scope, from, to, step);
    },
  );

  app.get(
    '/api/v1/history',
    {
      schema: {
        tags: ['observe'],
        summary: 'History of one signal per cluster, node or department (platform-wide readers)',
      },
    },
    async (req) => {
      const scope = scopeOf(req);
      if (!scope.platform || scope.tenants !== 'all') throw new NotAllowedError(msg('HistoryPlatformOnly'));
      const q = req.query as Query;
      const signal = signalParam(q, ['component', 'cluster', 'node']);
      const matchers: Matcher[] = [];
      for (const label of ['cluster', 'node', 'tenant', 'app', 'component']) {
        const v = optional(q, label);
        if (v !== undefined) matchers.push({ label, op: '=', value: v });
      }
      const kind = SIGNALS[signal]!.scope;
      const h = service();
      const { from, to, step } = rangeParams(h, q);
      const groupBy = kind === 'node' ? 'node' : kind === 'cluster' ? 'cluster' : 'tenant';
      return h.view(signal, matchers, groupBy, scope, from, to, step);
    },
  );

  void app.register(async (prom) => {
    // Grafana POSTs its queries as forms.
    prom.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of new URLSearchParams(body as string)) {
        const had = out[k];
        out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
      }
      done(null, out);
    });
    // Errors in the shape Prometheus clients read (status, errorType, error) beside polis's own fields.
    prom.addHook('onSend', async (_req, reply, payload) => {
      if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
      try {
        const body = JSON.parse(payload) as Record<string, unknown>;
        const errorType = reply.statusCode === 400 || reply.statusCode === 422 ? 'bad_data' : 'internal';
        return JSON.stringify({ ...body, status: 'error', errorType, error: body.message });
      } catch {
        return payload;
      }
    });
    const both = (path: string, summary: string, handler: (req: FastifyRequest, params: Query) => Promise<unknown>) => {
      const run = (req: FastifyRequest) => handler(req, { ...(req.query as Query), ...((req.body as Query) ?? {}) });
      prom.get(`${PROMETHEUS_PREFIX}${path}`, { schema: { tags: ['observe'], summary } }, run);
      prom.post(`${PROMETHEUS_PREFIX}${path}`, { schema: { tags: ['observe'], summary } }, run);
    };

    both('/query_range', 'Prometheus-compatible range query over the caller’s series', async (req, p) => {
      const h = service();
      const from = instantParam(p, 'start');
      const to = instantParam(p, 'end');
      const step = durationParam(p, 'step');
      const series = await h.rangeQuery(text(p, 'query'), scopeOf(req), from, to, step);
      return {
        status: 'success',
        data: {
          resultType: 'matrix',
          result: series
            .map((s) => ({
              metric: s.labels,
              values: s.values.flatMap((v, i) => (Number.isFinite(v) ? [[(from + i * step) / 1000, String(v)]] : [])),
            }))
            .filter((s) => s.values.length > 0),
        },
      };
    });

    both('/query', 'Prometheus-compatible instant query over the caller’s series', async (req, p) => {
      const h = service();
      const at = p.time === undefined || p.time === '' ? h.now() : instantParam(p, 'time');
      // The latest point within Prometheus's 5-minute lookback.
      const series = await h.rangeQuery(text(p, 'query'), scopeOf(req), at, at, 300_000);
      return {
        status: 'success',
        data: {
          resultType: 'vector',
          result: series
            .filter((s) => Number.isFinite(s.values[0]))
            .map((s) => ({ metric: s.labels, value: [at / 1000, String(s.values[0])] })),
        },
      };
    });

    both('/series', 'Prometheus-compatible series lookup over the caller’s series', async (req, p) => {
      const h = service();
      const { from, to } = lookupRange(h, p);
      const raw = p['match[]'];
      const selectors = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
      if (selectors.length === 0) throw badParam('match[]', '', 'at least one series selector');
      return { status: 'success', data: await h.series(selectors, scopeOf(req), from, to) };
    });

    both('/labels', 'Prometheus-compatible label names of the caller’s series', async (req, p) => {
      const h = service();
      const { from, to } = lookupRange(h, p);
      const names = new Set<string>();
      for (const l of await h.series(['{__name__=~".+"}'], scopeOf(req), from, to))
        for (const k of Object.keys(l)) names.add(k);
      return { status: 'success', data: [...names].sort() };
    });

    prom.get(
      `${PROMETHEUS_PREFIX}/label/:label/values`,
      { schema: { tags: ['observe'], summary: 'Prometheus-compatible values of one label of the caller’s series' } },
      async (req) => {
        const h = service();
        const { label } = req.params as { label: string };
        const { from, to } = lookupRange(h, req.query as Query);
        const values = new Set<string>();
        for (const l of await h.series(['{__name__=~".+"}'], scopeOf(req), from, to)) {
          const v = l[label];
          if (v !== undefined) values.add(v);
        }
        return { status: 'success', data: [...values].sort() };
      },
    );

    prom.get(
      `${PROMETHEUS_PREFIX}/status/buildinfo`,
      { schema: { tags: ['observe'], summary: 'What Grafana asks a Prometheus data source for first' } },
      async () => ({ status: 'success', data: { version: '2.53.0', application: 'polis' } }),
    );
  });
}

/**
 * The series a caller may read: the departments whose applications it may list, and the platform's own (clusters,
 * nodes) only for a platform-wide role that may list clusters.
 */
export function scopeOf(req: FastifyRequest): SeriesScope {
  const p = principalOf(req);
  const tenants = allowedTenants(p, 'list', 'Application', applicationKind.category);
  const platform =
    p.bindings.some((b) => b.tenant === undefined) &&
    authorize(p, { verb: 'list', kind: 'Cluster', category: 'infrastructure', scope: 'platform' }).allowed &&
    tenants === 'all';
  return { tenants, platform };
}

function optional(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || !/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(v))
    throw badParam(name, String(v), 'a name of lower-case letters, digits, "-" and "."');
  return v;
}

function text(p: Query, name: string): string {
  const v = p[name];
  if (typeof v !== 'string' || v.trim() === '')
    throw badParam(name, String(v ?? ''), 'a query such as sum(polis_component_requests_per_second)');
  return v;
}

function signalParam(q: Query, scopes: readonly SignalScope[]): string {
  const v = q.signal;
  const accepted = SIGNAL_NAMES.filter((n) => scopes.includes(SIGNALS[n]!.scope));
  if (typeof v !== 'string' || !accepted.includes(v))
    throw badParam('signal', String(v ?? ''), `one of ${accepted.join(', ')}`);
  return v;
}

function instantParam(p: Query, name: string): number {
  const v = p[name];
  const t = typeof v === 'string' ? parseInstant(v) : undefined;
  if (t === undefined) throw badParam(name, String(v ?? ''), INSTANT_ACCEPTED);
  return t;
}

function durationParam(p: Query, name: string): number {
  const v = p[name];
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined || ms <= 0) throw badParam(name, String(v ?? ''), DURATION_ACCEPTED);
  return ms;
}

/** `range` (1h by default, 5m to 90d) ending at `end` (now by default), in steps of `step` (about 240 points by default). */
function rangeParams(h: HistoryService, q: Query): { from: number; to: number; step: number } {
  const range = q.range === undefined ? 3_600_000 : durationParam(q, 'range');
  if (range < 300_000 || range > 90 * 86_400_000) throw badParam('range', String(q.range), 'a duration from 5m to 90d');
  const to = q.end === undefined ? h.now() : instantParam(q, 'end');
  const step = q.step === undefined ? defaultStep(range) : durationParam(q, 'step');
  const from = to - range;
  h.checkRange(from, to, step, { from: 'range', to: 'end', step: 'step' });
  return { from, to, step };
}

/** The optional start and end of a series or label lookup (the last 6 hours by default, as Grafana asks). */
function lookupRange(h: HistoryService, p: Query): { from: number; to: number } {
  const to = p.end === undefined || p.end === '' ? h.now() : instantParam(p, 'end');
  const from = p.start === undefined || p.start === '' ? to - 6 * 3_600_000 : instantParam(p, 'start');
  return { from, to };
}
