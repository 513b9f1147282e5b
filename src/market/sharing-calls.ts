import type { FastifyInstance } from 'fastify';
import type { Clock } from '../kernel/clock.ts';
import { InputError, NotAllowedError, codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { namespaceOf } from '../delivery/namespace.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import { MARKET_API_VERSION } from './market-kinds.ts';
import type { APISubscriptionSpec, SharedAPISpec } from './sharing-kinds.ts';

const BASE = `/apis/${MARKET_API_VERSION}`;

/** Calls per second from one component to another over time (`namespace/component` keys, points [epoch s, rps]). */
export interface CallSeries {
  readonly from: string;
  readonly to: string;
  readonly points: ReadonlyArray<readonly [number, number]>;
  /** Of those, failed calls per second (5xx responses), where measured. */
  readonly errorPoints?: ReadonlyArray<readonly [number, number]>;
}

/**
 * Where measured calls between components come from: the simulated mesh, or Prometheus with Istio's request
 * metrics (prometheus-calls.ts). A source that throws counts as not measured.
 */
export type CallSource = (fromS: number, toS: number) => readonly CallSeries[] | Promise<readonly CallSeries[]>;

export interface CallCount {
  /** Calls in the window: the rate integrated over its samples (each held until the next, the last for one step). */
  readonly calls: number;
  /** The latest rate, calls per second. */
  readonly perSecond: number;
  readonly errorRate?: number;
  readonly measured: boolean;
}

/**
 * The calls from any component of namespace `from` to component `to` (`namespace/component`) in [fromS, toS]:
 * what one subscription's application made to the API (pure).
 */
export function countCalls(
  series: readonly CallSeries[],
  from: string,
  to: string,
  fromS: number,
  toS: number,
): CallCount {
  let calls = 0;
  let perSecond = 0;
  let measured = false;
  let errors: number | undefined;
  const integrate = (points: ReadonlyArray<readonly [number, number]>) => {
    const pts = points.filter(([t]) => t >= fromS && t <= toS);
    const step = pts.length > 1 ? pts[1]![0] - pts[0]![0] : 15;
    let sum = 0;
    pts.forEach(([t, v], i) => {
      const next = i + 1 < pts.length ? pts[i + 1]![0] : Math.min(toS, t + step);
      sum += v * Math.max(0, next - t);
    });
    return { pts, sum };
  };
  for (const s of series) {
    if (s.to !== to || !s.from.startsWith(`${from}/`)) continue;
    const { pts, sum } = integrate(s.points);
    if (pts.length === 0) continue;
    measured = true;
    calls += sum;
    perSecond += pts[pts.length - 1]![1];
    if (s.errorPoints) errors = (errors ?? 0) + integrate(s.errorPoints).sum;
  }
  return {
    calls: Math.round(calls),
    perSecond: Math.round(perSecond * 1000) / 1000,
    ...(errors !== undefined && calls > 0 ? { errorRate: Math.round((errors / calls) * 10_000) / 10_000 } : {}),
    measured,
  };
}

/**
 * Calls counted per subscription, where traffic is measured: the owner sees every subscription to its API
 * (`…/sharedapis/{name}/calls`), a subscriber its own (`…/apisubscriptions/{name}/calls`). Each is authorized as a
 * read of the object in its own department, so neither shows anything of a department the caller cannot read.
 */
export function registerSharingCallRoutes(
  app: FastifyInstance,
  deps: { store: Store; resources: ResourceService; clock: Clock; calls?: CallSource },
): void {
  const windowOf = (q: unknown): number => {
    const raw = (q as { minutes?: string } | undefined)?.minutes;
    if (raw === undefined) return 60;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 10_080) {
      const m = msg('SharingCallsWindow', { value: String(raw) });
      throw new InputError(m, [codedCause('minutes', m)]);
    }
    return n;
  };
  const count = async (owner: string, api: string, department: string, application: string, minutes: number) => {
    const a = await deps.store.get({ kind: 'SharedAPI', tenant: owner, name: api });
    const sub = await deps.store.get({ kind: 'Application', tenant: department, name: application });
    const toS = Math.floor(deps.clock.now().getTime() / 1000);
    const fromS = toS - minutes * 60;
    if (!a || !deps.calls) return { calls: 0, perSecond: 0, measured: false };
    const aspec = a.spec as SharedAPISpec;
    const target = await deps.store.get({ kind: 'Application', tenant: owner, name: aspec.application });
    const to = `${namespaceOf(owner, aspec.application, target?.status)}/${aspec.component}`;
    let series: readonly CallSeries[];
    try {
      series = await deps.calls(fromS, toS);
    } catch {
      // Prometheus did not answer: not measured now (the next request asks again).
      return { calls: 0, perSecond: 0, measured: false };
    }
    return countCalls(series, namespaceOf(department, application, sub?.status), to, fromS, toS);
  };
  const must = (req: Parameters<typeof principalOf>[0], kind: string, tenant: string, name: string) => {
    const d = authorize(principalOf(req), { verb: 'get', kind, category: 'workload', scope: 'tenant', tenant, name });
    if (!d.allowed) throw new NotAllowedError(d.detail);
  };

  app.get(
    `${BASE}/tenants/:tenant/sharedapis/:name/calls`,
    { schema: { tags: ['market'], summary: 'Calls to this shared API per subscription, where traffic is measured' } },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      must(req, 'SharedAPI', tenant, name);
      const minutes = windowOf(req.query);
      const api = await deps.resources.get('SharedAPI', tenant, name);
      const subs = (
        (api.status as { subscribers?: Array<Record<string, string>> } | undefined)?.subscribers ?? []
      ).filter((s) => s.phase === 'Approved');
      const items = [];
      for (const s of subs)
        items.push({
          department: s.department,
          subscription: s.subscription,
          application: s.application,
          ...(await count(tenant, name, s.department!, s.application!, minutes)),
        });
      return { kind: 'SharedAPICalls', api: name, minutes, items };
    },
  );

  app.get(
    `${BASE}/tenants/:tenant/apisubscriptions/:name/calls`,
    { schema: { tags: ['market'], summary: "Calls this subscription's application made to the API" } },
    async (req) => {
      const { tenant, name } = req.params as { tenant: string; name: string };
      must(req, 'APISubscription', tenant, name);
      const minutes = windowOf(req.query);
      const s = await deps.resources.get('APISubscription', tenant, name);
      const spec = s.spec as APISubscriptionSpec;
      return {
        kind: 'APISubscriptionCalls',
        subscription: name,
        api: spec.api,
        minutes,
        ...(await count(spec.department, spec.api, tenant, spec.application, minutes)),
      };
    },
  );
}
