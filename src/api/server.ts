import { WriteProbe } from '../resources/write-probe.ts';
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import Fastify from 'fastify';
import { AuthenticationError, NotAllowedError } from '../kernel/errors.ts';
import { authorize } from '../tenancy/authorization.ts';
import { principalOf } from '../tenancy/request-principal.ts';
import type { OidcLogin } from '../tenancy/oidc-routes.ts';
import { registerOidcRoutes } from '../tenancy/oidc-routes.ts';
import type { ChangeFeed } from '../resources/change-feed.ts';
import type { KindRegistry } from '../resources/registry.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { BindingIndex } from '../tenancy/binding-index.ts';
import type { Authenticator } from '../tenancy/identity.ts';
import '../tenancy/request-principal.ts';
import { registerTenancyRoutes } from '../tenancy/routes.ts';
import { registerAuditRoutes } from '../audit/routes.ts';
import type { UsageReport } from '../tenancy/usage-report.ts';
import { registerUsageRoutes } from '../tenancy/usage-routes.ts';
import { registerApplicationSummaryRoutes } from '../apps/app-summary-routes.ts';
import { registerSearchRoutes } from '../names/search-routes.ts';
import type { TokenService } from '../tenancy/token-service.ts';
import { registerApplyRoutes } from './apply-routes.ts';
import { registerApplicationRoutes } from '../apps/routes.ts';
import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import { registerDeliveryRoutes } from '../delivery/routes.ts';
import { registerClusterRoutes } from '../clusters/routes.ts';
import { registerSandboxRoutes, type SandboxRouteDeps } from '../clusters/sandbox-routes.ts';
import type { Clock } from '../kernel/clock.ts';
import type { SimCloud } from '../sim/index.ts';
import type { MetricsSource } from '../observe/index.ts';
import { registerObserveRoutes } from '../observe/routes.ts';
import { registerPodRoutes } from '../observe/pod-routes.ts';
import { registerAppEventRoutes } from '../observe/app-events-routes.ts';
import { registerHistoryRoutes, type HistoryService } from '../observe/index.ts';
import { type AlertController, registerAlertRoutes } from '../observe/alerts/index.ts';
import type { Notifier } from '../observe/notify/index.ts';
import type { IncidentController } from '../observe/incidents/incident-controller.ts';
import { registerIncidentRoutes } from '../observe/incidents/routes.ts';
import { registerTopologyRoutes } from '../observe/topology/routes.ts';
import { registerFaultRoutes, type FaultControl } from '../sim/fault-routes.ts';
import { registerMarketRoutes } from '../market/routes.ts';
import { simCallSeries } from '../observe/sources/simulated/sim-observation.ts';
import type { CallSource } from '../market/sharing-calls.ts';
import type { ObservedEdge } from '../observe/topology/topology.ts';
import { registerOptimizationRoutes } from '../operations/optimization-routes.ts';
import { registerBillingRoutes } from '../operations/billing/routes.ts';
import { registerUtilizationRoutes } from '../operations/utilization-routes.ts';
import { registerBodyParsers } from './bodies.ts';
import { lazyRequestLogger } from './request-logger.ts';
import { armBodyTimeout } from './body-timeout.ts';
import { registerDiscovery } from './discovery.ts';
import { errorBody, sendError } from './error-body.ts';
import { registerConsole } from './console-static.ts';
import type { Metrics } from './metrics.ts';
import type { WatchGuard } from './watch-guard.ts';
import { registerKindRoutes } from './resource-routes.ts';
import type { BackupDeps } from '../backup/backup-jobs.ts';
import { registerBackupRoutes } from '../backup/backup-routes.ts';
import { versionInfo } from './kube/kube-discovery.ts';
import { registerKubeRoutes } from './kube/kube-routes.ts';
import { kubeStatusFields } from './kube/kube-status.ts';
import { markRequest } from '../kernel/change-trace.ts';
import { msg } from '../kernel/messages/index.ts';

export interface ServerDeps {
  readonly store: Store;
  readonly registry: KindRegistry;
  readonly resources: ResourceService;
  readonly feed: ChangeFeed;
  readonly bindings: BindingIndex;
  readonly authenticators: readonly Authenticator[];
  readonly tokens: TokenService;
  readonly metrics: Metrics;
  readonly clusters: ClusterDirectory;
  readonly clock: Clock;
  /** The simulated cloud, when the sandbox runs. */
  readonly sim?: SimCloud;
  /** A simulated cloud served by another process (POLIS_SIM_URL): its faults, for the sandbox routes. */
  readonly servedSim?: {
    readonly faults: FaultControl;
    clusterFault: NonNullable<SandboxRouteDeps['clusterFault']>;
    readonly setLoad?: NonNullable<SandboxRouteDeps['load']>['setLoad'];
    /** Its mesh's calls, for the marketplace's call counts and the topology's observed edges. */
    readonly callSeries?: CallSource;
    observedEdges?(): Promise<ObservedEdge[]>;
    /** Its Prometheus exposition (`GET /api/v1/sandbox/metrics`). */
    metricsText?(): Promise<string>;
  };
  /** Incidents with a verdict (when the sandbox runs). */
  readonly incidents?: IncidentController;
  readonly metricsSource?: MetricsSource;
  /** The usage report (over the feed-kept holding index); by default one that lists applications per call. */
  readonly usage?: UsageReport;
  /** Metric history (polis's own or Prometheus), for the history API and the Prometheus-compatible endpoint. */
  readonly history?: HistoryService;
  /** Calls between components for the marketplace's counts (Prometheus/Istio); default: the simulated mesh. */
  readonly calls?: CallSource;
  /** Alert evaluation and notification (src/observe/alerts, src/observe/notify). */
  readonly alerts?: AlertController;
  readonly notifier?: Notifier;
  readonly version: string;
  /** Largest accepted body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** How long a client may take to send a body (ms, default 30 s). */
  readonly requestTimeoutMs?: number;
  readonly watches: WatchGuard;
  readonly logger?: FastifyServerOptions['logger'];
  readonly bookmarkMs?: number;
  /** Online backups (GET /api/v1/backup). */
  readonly backup?: BackupDeps;
  /** Serve HTTPS with this PEM certificate and key (kubectl sends tokens over HTTPS only). */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer };
  /** Sign-in through an OpenID Connect provider from the console (absent: API tokens only). */
  readonly oidcLogin?: OidcLogin;
}

/** A registered route, for the isolation test and the OpenAPI document. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly public: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without authentication (health, version, docs). */
    public?: boolean;
  }
  interface FastifyInstance {
    polisRoutes: RouteEntry[];
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** How long past its advertised keep-alive timeout the server keeps an idle socket open (see buildServer). */
export const KEEP_ALIVE_GRACE_MS = 30_000;

/** Builds the HTTP API with every route registered; the caller listens (or uses `inject` in tests). */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const bodyTimeoutMs = deps.requestTimeoutMs ?? 30_000;
  // An HTTPS server is typed as another Fastify instance; routes and hooks are the same, so it is used as one.
  const app = Fastify({
    ...(deps.https ? { https: { cert: deps.https.cert, key: deps.https.key } } : {}),
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 300 },
    // Each request's logger is made when it first writes (request-logger.ts); without a logger there is none to make.
    ...(deps.logger ? { childLoggerFactory: lazyRequestLogger } : {}),
    // Node's own limit for receiving a whole request (slow headers too); bodies get a 408 with a reason from
    // armBodyTimeout before this backstop fires. Node checks it every connectionsCheckingInterval.
    requestTimeout: bodyTimeoutMs + 30_000,
    http: { connectionsCheckingInterval: Math.min(30_000, Math.max(1000, bodyTimeoutMs)) },
  } as FastifyServerOptions) as unknown as FastifyInstance;
  // A keep-alive socket is held this long past the advertised `Keep-Alive: timeout` (Fastify's keepAliveTimeout,
  // 72 s; Node's own margin is 1 s): a client may send on it until just before the advertised time, and a long
  // synchronous stretch (a large apply) can delay reading that request past Node's margin, when the expired idle
  // timer, run before I/O, would close the socket on an unread request (ECONNRESET at the client; docs/api.md).
  (app.server as { keepAliveTimeoutBuffer?: number }).keepAliveTimeoutBuffer = KEEP_ALIVE_GRACE_MS;
  app.decorate('polisRoutes', [] as RouteEntry[]);
  app.addHook('onRoute', (route) => {
    // The API reference (swagger-ui's own routes) is readable without a token, like /openapi.json.
    if (route.url.startsWith('/docs')) route.config = { ...route.config, public: true };
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      app.polisRoutes.push({ method, url: route.url, public: route.config?.public === true });
    }
  });
  registerBodyParsers(app);
  // Route schemas document the API (OpenAPI); input is checked by polis's own parsers, whose errors name the
  // field, the problem and what is accepted.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setErrorHandler((error, _req, reply) => sendError(reply, error));
  app.setNotFoundHandler((req, reply) => {
    const body = errorBody({ code: 'FST_ERR_NOT_FOUND' }, req);
    return reply.code(404).send({
      ...body,
      ...kubeStatusFields(body),
      message: `no route ${req.method} ${req.url.split('?')[0]}; GET /apis lists the served kinds, /docs the whole API`,
    });
  });

  app.addHook('onRequest', async (req, reply) => {
    markRequest('received', String(req.id));
    reply.header('x-request-id', req.id);
    armBodyTimeout(req, reply, bodyTimeoutMs);
    // Authentication runs here, before the body is read: a request without credentials gets 401 at once.
    if (req.routeOptions.config?.public || req.routeOptions.url === undefined) return;
    let identity;
    for (const a of deps.authenticators) {
      identity = await a.authenticate(req.headers);
      if (identity) break;
    }
    if (!identity) throw new AuthenticationError(msg('CredentialsMissing'));
    await deps.feed.idle();
    const principal = deps.bindings.principal(identity.user, identity.groupBindings);
    if (!principal) throw new AuthenticationError(msg('UserUnknownOrDisabled', { user: identity.user }));
    req.identity = identity;
    req.principal = principal;
  });
  app.addHook('onResponse', async (req, reply) => {
    markRequest('responded', String(req.id));
    deps.metrics.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'polis API',
        version: deps.version,
        description:
          'Kubernetes-style resources for departments, applications and the platform. Authenticate with "Authorization: Bearer <token>".',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'none' } });

  const pub = { config: { public: true }, schema: { hide: true } };
  registerConsole(app, { version: deps.version });
  app.get('/openapi.json', pub, async () => app.swagger());
  app.get('/healthz', pub, async () => ({ status: 'ok' }));
  // Public probes say only whether the server serves; internals (revision, store errors) stay in the log.
  const writeProbe = new WriteProbe(deps.store, deps.clock);
  app.get('/readyz', pub, async (req, reply) => {
    try {
      await deps.store.currentRevision();
      // Reads alone would stay green on a read-only data directory: a rate-limited write probe must pass too.
      const writable = await writeProbe.check();
      if (!writable.ok) {
        req.log.warn({ reason: writable.reason, ioCode: writable.ioCode }, 'not ready: the store cannot write');
        return reply.code(503).send({ status: 'unavailable', reason: writable.reason, ioCode: writable.ioCode });
      }
      return { status: 'ready' };
    } catch (e) {
      req.log.warn({ err: e }, 'readiness: the store does not answer');
      return reply.code(503).send({ status: 'unavailable', reason: 'StoreUnavailable' });
    }
  });
  // Metrics name every department (burst figures): a platform-wide reader's token is needed (docs/security.md).
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const p = principalOf(req);
    if (!authorize(p, { verb: 'list', kind: 'Metrics', category: 'workload', scope: 'tenant' }).allowed)
      throw new NotAllowedError(
        `user "${p.user}" may not read /metrics: it shows every department; needs a platform-wide viewer, auditor or platform-admin binding`,
      );
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  // Kubernetes' version.Info, with polis's own `version` beside it.
  app.get('/version', pub, async () => versionInfo(deps.version));

  registerDiscovery(app, deps.registry, deps.version);
  registerKubeRoutes(app, {
    registry: deps.registry,
    resources: deps.resources,
    clock: deps.clock,
    version: deps.version,
  });
  for (const def of deps.registry.all())
    registerKindRoutes(app, def, {
      resources: deps.resources,
      feed: deps.feed,
      store: deps.store,
      watches: deps.watches,
      bookmarkMs: deps.bookmarkMs,
      clock: deps.clock,
    });
  registerApplyRoutes(app, { resources: deps.resources });
  registerTenancyRoutes(app, { store: deps.store, resources: deps.resources, tokens: deps.tokens });
  registerAuditRoutes(app, { store: deps.store, resources: deps.resources, now: () => deps.clock.now() });
  registerOidcRoutes(app, { oidc: deps.oidcLogin, principal: (u, g) => deps.bindings.principal(u, g) });
  registerUsageRoutes(app, { resources: deps.resources, usage: deps.usage });
  registerApplicationSummaryRoutes(app, { store: deps.store, feed: deps.feed });
  registerSearchRoutes(app, { resources: deps.resources });
  registerApplicationRoutes(app, { store: deps.store, resources: deps.resources });
  registerDeliveryRoutes(app, { resources: deps.resources, clusters: deps.clusters });
  registerClusterRoutes(app, { resources: deps.resources });
  registerSandboxRoutes(app, {
    store: deps.store,
    resources: deps.resources,
    clock: deps.clock,
    sim: deps.sim,
    ...(deps.servedSim ? { clusterFault: (n, f) => deps.servedSim!.clusterFault(n, f) } : {}),
    ...(deps.servedSim?.setLoad ? { load: { setLoad: deps.servedSim.setLoad.bind(deps.servedSim) } } : {}),
  });
  registerObserveRoutes(app, {
    resources: deps.resources,
    metrics: deps.metricsSource,
    sim: deps.sim,
    ...(deps.servedSim?.metricsText ? { simMetricsText: () => deps.servedSim!.metricsText!() } : {}),
  });
  registerHistoryRoutes(app, { history: deps.history });
  registerAlertRoutes(app, { store: deps.store, alerts: deps.alerts, notifier: deps.notifier, clock: deps.clock });
  registerFaultRoutes(app, { store: deps.store, clock: deps.clock, sim: deps.sim, faults: deps.servedSim?.faults });
  registerIncidentRoutes(app, { incidents: deps.incidents });
  registerTopologyRoutes(app, {
    resources: deps.resources,
    sim: deps.sim,
    ...(deps.servedSim?.observedEdges ? { observedEdges: () => deps.servedSim!.observedEdges!() } : {}),
  });
  registerPodRoutes(app, { resources: deps.resources, clusters: deps.clusters, store: deps.store, clock: deps.clock });
  registerAppEventRoutes(app, { resources: deps.resources, clusters: deps.clusters });
  if (deps.backup) registerBackupRoutes(app, { ...deps.backup, resources: deps.resources });
  registerMarketRoutes(app, {
    store: deps.store,
    resources: deps.resources,
    clock: deps.clock,
    ...(deps.calls
      ? { calls: deps.calls }
      : deps.sim
        ? { calls: simCallSeries(deps.sim) }
        : deps.servedSim?.callSeries
          ? { calls: (fromS: number, toS: number) => deps.servedSim!.callSeries!(fromS, toS) }
          : {}),
  });
  registerOptimizationRoutes(app, {
    resources: deps.resources,
    metrics: deps.metricsSource,
    ledger: deps.store.ledger,
    now: () => deps.clock.now().getTime(),
  });
  registerBillingRoutes(app, { store: deps.store, clock: deps.clock });
  registerUtilizationRoutes(app, { store: deps.store, clock: deps.clock });
  await app.ready();
  return app;
}
