import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { applicationKind } from './apps/application-kind.ts';
import { applicationUsage } from './apps/application-usage.ts';
import { createMetrics } from './api/metrics.ts';
import { HoldingIndex } from './tenancy/holding-index.ts';
import { QuotaIndex } from './tenancy/quota-index.ts';
import { applicationHolding, createUsageReport } from './tenancy/usage-report.ts';
import { buildServer } from './api/server.ts';
import { prometheusCallSource } from './market/prometheus-calls.ts';
import { WatchGuard } from './api/watch-guard.ts';
import { MeterController } from './operations/metering/meter-controller.ts';
import { simMemoryUse } from './observe/sources/simulated/sim-observation.ts';
import { prometheusMemoryUse } from './observe/sources/prometheus/memory-use.ts';
import { BillingController, type BudgetAlert } from './operations/billing/billing-controller.ts';
import { billingKinds } from './operations/billing/billing-kinds.ts';
import type { Clock } from './kernel/clock.ts';
import { systemClock } from './kernel/clock.ts';
import type { Config } from './kernel/config.ts';
import { setLocalCluster } from './placement/topology-policy.ts';
import { loggerOptions } from './kernel/logger.ts';
import { ChangeFeed } from './resources/change-feed.ts';
import { openStore, storeKindOf } from './resources/open-store.ts';
import { KindRegistry } from './resources/registry.ts';
import { ResourceService } from './resources/service.ts';
import type { Store } from './resources/store.ts';
import type { UsageFunction } from './tenancy/admission.ts';
import { quotaAdmission, tenantDeletionGuard, tenantHierarchy, tenantMustExist } from './tenancy/admission.ts';
import { BindingIndex } from './tenancy/binding-index.ts';
import { bootstrapPlatformAdmin } from './tenancy/bootstrap.ts';
import { tenancyKinds } from './tenancy/kinds.ts';
import { createSecretCipher, generateSecretKey, parseSecretKey } from './tenancy/secret-cipher.ts';
import type { Authenticator } from './tenancy/identity.ts';
import { oidcAuthenticator } from './tenancy/oidc-authenticator.ts';
import { parseGroupBindings } from './tenancy/oidc-groups.ts';
import { OidcClient } from './tenancy/oidc-login.ts';
import type { OidcLogin } from './tenancy/oidc-routes.ts';
import { tokenAuthenticator } from './tenancy/token-authenticator.ts';
import { TokenService } from './tenancy/token-service.ts';
import { seedDemoCity, seedDemoLoad } from './demo-city.ts';
import { prefetchRevisions, recordRevision, applicationRevisionKind } from './apps/revisions.ts';
import { placementAdmission } from './apps/policy-validation.ts';
import { applicationNamespaceAdmission } from './apps/app-namespace.ts';
import { clusterKind } from './clusters/cluster-kind.ts';
import { displayNameKind, displayNameUnique } from './names/display-name-kind.ts';
import { ClusterDirectory } from './clusters/cluster-directory.ts';
import { driverFactory } from './clusters/driver-factory.ts';
import { seedSandboxClusters } from './clusters/sandbox.ts';
import { DELIVERY_FINALIZER, DeliveryController } from './delivery/delivery-controller.ts';
import { ScalingController } from './scaling/scaling-controller.ts';
import { eventKind } from './events/event-kind.ts';
import { IncidentController } from './observe/incidents/incident-controller.ts';
import { incidentKind } from './observe/incidents/incident-kind.ts';
import { servedObservationSource, simObservationSource } from './observe/sources/simulated/sim-incident-source.ts';
import { declaredAppHolding } from './observe/topology/declared-apps.ts';
import { eventsGoWithTheirTenant } from './events/event-admission.ts';
import { DEFAULT_SANDBOX, SimCloud } from './sim/index.ts';
import { startRetention } from './audit/retention.ts';
import type { MetricsSource } from './observe/index.ts';
import { componentTargetsOf, createHistory, createMetricsSource, type History } from './observe/index.ts';
import { AlertController, alertApp, alertRuleKind } from './observe/alerts/index.ts';
import { alertNotice, incidentNotice, Notifier, notificationChannelKind, silenceKind } from './observe/notify/index.ts';
import { BackupStatus, type BackupDeps } from './backup/backup-jobs.ts';
import { registerBackupMetrics } from './backup/backup-metrics.ts';
import { BackupScheduler } from './backup/backup-scheduler.ts';
import { parseCron } from './kernel/cron.ts';
import { msg } from './kernel/messages/index.ts';
import { LeaderElector } from './kernel/leader-elector.ts';
import { memberTimingFor, ShardMember, type MemberTiming } from './kernel/shard-member.ts';
import { SharedRoom } from './delivery/shared-room.ts';
import { RemoteSim } from './clusters/drivers/remote-sim/remote-sim-driver.ts';
import { RedeliveryRelay } from './delivery/redelivery-relay.ts';
import { EventRecorder } from './events/event-recorder.ts';
import { leaseTimingFor } from './kernel/leader-lease.ts';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { marketKinds } from './market/market-kinds.ts';
import { marketAdmission } from './market/market-admission.ts';
import { assessmentAdmission, assessmentPolicyKind } from './operations/assessment/assessment-policy.ts';
import { MarketController } from './market/market-controller.ts';
import { provisionerSet, SimulatedMiddleware } from './market/provisioners/index.ts';

/** The version of this build, from package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Polis {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly resources: ResourceService;
  readonly feed: ChangeFeed;
  /** Open watch streams: their limits and what they dropped or ended. */
  readonly watches: WatchGuard;
  readonly tokens: TokenService;
  /** The embedded simulated cloud, when the sandbox is on. */
  readonly sim?: SimCloud;
  /** The simulated cloud another process serves (POLIS_SIM_URL), instead of `sim`. */
  readonly servedSim?: RemoteSim;
  /** Incidents with a verdict, from the simulated cloud's telemetry (src/observe/incidents). */
  readonly incidents?: IncidentController;
  /** Where decisions read metrics: the simulated cloud, or Prometheus (POLIS_PROMETHEUS_URL). */
  readonly metricsSource?: MetricsSource;
  /** Metric history (docs/observe.md); in virtual time, call `history.sampler.tick()` after each step. */
  readonly history: History;
  readonly clusters: ClusterDirectory;
  readonly delivery: DeliveryController;
  /** This replica's membership among those running the sharded controllers (several replicas on PostgreSQL). */
  readonly member?: ShardMember;
  /** Leader election of the global controllers. */
  readonly elector: LeaderElector;
  /** What the marketplace calls to have an application delivered again (by whichever replica owns it). */
  readonly relay: RedeliveryRelay;
  /** The autoscaler, when there is a metrics source. */
  readonly scaling?: ScalingController;
  /** Scheduled backups, when configured (config.backup) and this process runs the controllers. */
  readonly backups?: BackupScheduler;
  /** The marketplace controller: instances and bindings (src/market). */
  readonly market: MarketController;
  /** SLO and alert evaluation (call `tick()` in virtual time), and the notifier it tells. */
  readonly alerts: AlertController;
  readonly notifier: Notifier;
  /** Metering and billing (src/operations): sampled and closed by the controllers, or called directly in tests. */
  readonly meter: MeterController;
  readonly billing: BillingController;
  /** The simulated cloud's middleware, where bindings on simulated instances get their credentials. */
  readonly middleware?: SimulatedMiddleware;
  /** Where the first platform-admin token was written, when this start created it. */
  readonly adminTokenFile?: string;
  readonly demoTokensFile?: string;
  /** The URL it listens on, when started with `listen`. */
  readonly url?: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly clock?: Clock;
  /**
   * Fair sharing of the private cloud (docs/sharing.md; default on). Off only to measure the first-come,
   * first-served behaviour it replaced (bench/fair-sharing).
   */
  readonly fairSharing?: boolean;
  /** Listen on config.host:config.port (false: build only, for `inject` in tests). */
  readonly listen?: boolean;
  readonly feedPollMs?: number;
  readonly bookmarkMs?: number;
  /**
   * Drive the simulated cloud and the controllers' timers yourself (tests and benchmarks in virtual time): no
   * real-time ticking, no heartbeat or resync timers. Call `sim.advance`, `clusters.probeAll` and
   * `delivery.idle()` instead.
   */
  readonly virtualTime?: boolean;
  /** Told when a department's budget reaches a threshold (notification channels hook in here). */
  readonly onBudgetAlert?: (alert: BudgetAlert) => void | Promise<void>;
  /** Run the cluster and delivery controllers (default: config.controllers; API-only tests turn them off). */
  readonly controllers?: boolean;
  /**
   * Shard the per-application controllers across live replicas (default: config.sharding, else on with
   * PostgreSQL); `shardTiming` shortens membership terms in tests.
   */
  readonly sharding?: boolean;
  readonly shardTiming?: Partial<MemberTiming>;
  /** Write the server log (at info, credentials redacted as always) to this stream instead; tests read it. */
  readonly logStream?: { write(line: string): void };
  /**
   * Drive this simulated cloud instead of creating one (a benchmark restarting polis on the same data folder keeps
   * the clusters and their pods; bench/fair-sharing). Ignored without the sandbox.
   */
  readonly sim?: SimCloud;
  /** Alerts: evaluation period (default 15 s; none in virtual time) and whether loopback receivers may be sent to. */
  readonly alerts?: { readonly intervalMs?: number; readonly allowPrivate?: boolean };
  /** The marketplace: reuse this simulated middleware (a restart in a test), and its retry settings. */
  readonly market?: {
    readonly middleware?: SimulatedMiddleware;
    readonly maxAttempts?: number;
    readonly retryBaseMs?: number;
  };
}

/** The composition root: store, kinds, admission, change feed, authentication and the HTTP API, from config. */
export async function startPolis(config: Config, opts: StartOptions = {}): Promise<Polis> {
  const clock = opts.clock ?? systemClock;
  setLocalCluster(config.localCluster);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const cipher = createSecretCipher(await loadSecretKey(config));
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  const registry = new KindRegistry();
  for (const def of [
    ...tenancyKinds(cipher),
    applicationKind,
    applicationRevisionKind,
    clusterKind,
    eventKind,
    incidentKind,
    displayNameKind,
    ...marketKinds,
    assessmentPolicyKind,
    alertRuleKind,
    notificationChannelKind(cipher),
    silenceKind,
    ...billingKinds,
  ])
    registry.register(def);
  const usage = new Map<string, UsageFunction>([['Application', applicationUsage]]);
  const feed = new ChangeFeed({ store, pollMs: opts.feedPollMs });
  const quotaIndex = new QuotaIndex({ store, feed, usageByKind: usage });
  const resources = new ResourceService({
    store,
    registry,
    clock,
    admission: [
      tenantMustExist,
      displayNameUnique,
      tenantHierarchy,
      eventsGoWithTheirTenant,
      tenantDeletionGuard,
      quotaAdmission(usage, quotaIndex),
      placementAdmission,
      applicationNamespaceAdmission,
      marketAdmission,
      assessmentAdmission,
      recordRevision,
    ],
    admissionPrefetch: [prefetchRevisions],
    // Where delivery runs, a new Application carries its finalizer from the start (no second write to add it).
    ...((opts.controllers ?? config.controllers)
      ? { createFinalizers: new Map([['Application', [DELIVERY_FINALIZER]]]) }
      : {}),
  });
  await feed.start();
  // Not awaited: a large estate takes a while to sum, and quota admission sums the department itself until then.
  void quotaIndex.start().catch(() => undefined);
  const bindings = new BindingIndex({ store, feed });
  await bindings.start();
  const tokens = new TokenService({ resources, clock });

  let adminTokenFile: string | undefined;
  const adminToken = await bootstrapPlatformAdmin({ store, resources, tokens });
  if (adminToken) adminTokenFile = await writePrivate(join(config.dataDir, 'admin.token'), `${adminToken}\n`);
  let demoTokensFile: string | undefined;
  if (config.demo) {
    const demoTokens = await seedDemoCity({ resources, tokens });
    if (demoTokens)
      demoTokensFile = await writePrivate(
        join(config.dataDir, 'demo-tokens.json'),
        `${JSON.stringify(demoTokens, null, 2)}\n`,
      );
  }

  // Controllers report failures they retry; a served instance logs them, an embedded one (tests) stays quiet.
  const log = (msg: string, err?: unknown) => {
    if (opts.listen && config.logLevel !== 'silent') console.warn(`polis: ${msg}`, err ?? '');
  };
  // With POLIS_SIM_URL the sandbox's clusters live in a simulated cloud another process serves (polis sim serve).
  const remoteSim = config.sandbox && config.simUrl ? new RemoteSim(config.simUrl) : undefined;
  const sim =
    config.sandbox && !remoteSim ? (opts.sim ?? new SimCloud({ clock, seed: config.sandboxSeed })) : undefined;
  if (sim || remoteSim) await seedSandboxClusters(store, resources, DEFAULT_SANDBOX);
  if (sim && config.demo) seedDemoLoad(sim);
  if (sim && !opts.virtualTime) sim.startTelemetry();
  // Decisions read metrics from the simulated cloud in the sandbox, else from Prometheus when configured.
  const metricsSource: MetricsSource | undefined =
    config.prometheusUrl && (config.metrics === 'prometheus' || (!sim && !remoteSim))
      ? createMetricsSource({
          kind: 'prometheus',
          url: config.prometheusUrl,
          bearerToken: config.prometheusToken,
          window: config.metricsWindow,
          clock,
          onProblem: (ref, signal, why) => log(`metrics ${ref.namespace}/${ref.component} ${signal}: ${why}`),
        })
      : sim
        ? createMetricsSource({
            kind: 'simulated',
            sim,
            pastFromScenario: true,
            ...(opts.virtualTime ? {} : { recordEveryMs: 15_000 }),
          })
        : remoteSim
          ? createMetricsSource({
              kind: 'served-sim',
              reader: remoteSim,
              pastFromScenario: true,
              recordEveryMs: 15_000,
              onProblem: (ref, why) => log(`metrics from the served simulated cloud ${ref?.namespace ?? ''}: ${why}`),
            })
          : undefined;
  // Metric history: range queries go to Prometheus when it is configured, else polis keeps its own in the store,
  // sampled from the simulated cloud by the replica that runs the controllers.
  // The components history samples, kept from the change feed (no application parsed for it).
  const historyTargets = new HoldingIndex({ store, feed, holding: componentTargetsOf });
  const history: History = createHistory({
    store,
    targets: async () => [...(await historyTargets.holdings('all')).values()].flat(2),
    clock,
    sim,
    ...(remoteSim ? { servedSim: remoteSim } : {}),
    ...(config.prometheusUrl && (config.metrics === 'prometheus' || (!sim && !remoteSim))
      ? {
          prometheus: {
            url: config.prometheusUrl,
            bearerToken: config.prometheusToken,
            window: config.metricsWindow,
            queries: config.historyQueries,
          },
        }
      : {}),
    log: (m, e) => log(`${m}: ${(e as Error).message}`),
  });
  // Controllers run only while this replica holds the `controllers` lease, and every write they make carries the
  // term it was won in: the store refuses it once the term is over (docs/deploy.md, Several replicas).
  const holder = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const elector = new LeaderElector({
    leases: store,
    name: 'controllers',
    holder,
    timing: leaseTimingFor(config.leaseMs),
    onElected: () => startControllers(),
    onLost: () => loseControllers(),
    log,
  });
  const controllerResources = resources.fenced(() => elector.fence());
  const controllers = opts.controllers ?? config.controllers;
  // Several replicas: delivery and scaling run in every replica for the applications it owns (rendezvous hashing
  // over the live members), their writes fenced by membership and ownership; the rest stays with the leader.
  const member =
    controllers && (opts.sharding ?? config.sharding ?? storeKindOf(config.databaseUrl) === 'postgres')
      ? new ShardMember({
          members: store,
          id: holder,
          timing: opts.shardTiming ?? memberTimingFor(config.leaseMs),
          log,
        })
      : undefined;
  const shardResources = member ? resources.sharded(() => member.fence()) : controllerResources;
  const clusters = new ClusterDirectory({
    store,
    resources: controllerResources,
    feed,
    clock,
    drivers: driverFactory({ sim, remoteSim, resources }),
    heartbeatMs: opts.virtualTime ? 0 : config.heartbeatMs,
    health: config.health,
    log,
    ...(member ? { writesStatus: () => elector.isLeader } : {}),
  });
  const delivery = new DeliveryController({
    store,
    resources: shardResources,
    feed,
    clock,
    clusters,
    resyncMs: opts.virtualTime ? 0 : config.resyncMs,
    ...(opts.virtualTime ? { virtualTime: true } : {}),
    fairSharing: opts.fairSharing ?? true,
    log,
    attachments: (owner, app) => market.attachments(owner, app),
    ...(member ? { shard: member, room: new SharedRoom({ store, clusters, shard: () => member.fence() }) } : {}),
  });
  // Redelivery the marketplace asks for reaches the application's owner at once, on this replica or another.
  const relay = new RedeliveryRelay({
    ...(member ? { shard: member } : {}),
    enqueue: (tenant, app) => delivery.enqueue(tenant, app),
    events: new EventRecorder({ resources: controllerResources, clock, component: 'market', log }),
  });
  const middleware = sim ? (opts.market?.middleware ?? new SimulatedMiddleware()) : opts.market?.middleware;
  const market: MarketController = new MarketController({
    store,
    resources: controllerResources,
    feed,
    clock,
    provisioners: provisionerSet(middleware),
    drivers: (cluster) => clusters.driver(cluster),
    redeliver: (tenant, app) => relay.redeliver(tenant, app),
    maxAttempts: opts.market?.maxAttempts,
    retryBaseMs: opts.market?.retryBaseMs,
    log,
  });
  const meter = new MeterController({
    store,
    clock,
    metrics: metricsSource,
    // Memory use from where CPU comes from: Prometheus when it is the metrics source, else the simulated cloud.
    ...(metricsSource?.name === 'prometheus' && config.prometheusUrl
      ? {
          memoryUse: prometheusMemoryUse({
            url: config.prometheusUrl,
            bearerToken: config.prometheusToken,
            query: config.meterMemoryQuery,
            clock,
          }),
        }
      : sim
        ? { memoryUse: () => simMemoryUse(sim) }
        : remoteSim
          ? { memoryUse: () => remoteSim.memoryUse() }
          : {}),
    log,
  });
  const billing = new BillingController({
    store,
    resources: controllerResources,
    clock,
    onBudgetAlert: opts.onBudgetAlert,
    log,
  });
  const scaling = metricsSource
    ? new ScalingController({
        store,
        feed,
        clock,
        metrics: metricsSource,
        intervalMs: opts.virtualTime ? 0 : 1000,
        resources: shardResources,
        log,
        ...(member ? { owns: (tenant: string, app: string) => member.owns(tenant, app) } : {}),
      })
    : undefined;
  if (sim && controllers && !opts.virtualTime) sim.start(250);
  // SLOs and alerts, and who is told (docs/observe.md): evaluated every 15 s where the controllers run. Their rows
  // (alerts, windows, notification records) are written under the leader's term, as the controllers' objects are.
  // Without controllers nothing here evaluates or notifies on its own (a test may drive a round by hand).
  const alertState = controllers ? store.alertState.fenced(() => elector.fence()) : store.alertState;
  const notifier = new Notifier({
    store,
    resources: controllerResources,
    clock,
    allowPrivate: opts.alerts?.allowPrivate ?? config.notifyAllowPrivate,
    state: alertState,
    log,
  });
  // One usage report for alerts, /metrics and /usage, over applications indexed from the change feed (loaded now,
  // in the background: the first report waits for it).
  const holdings = new HoldingIndex({ store, feed, holding: applicationHolding });
  void holdings.start().catch(() => undefined);
  const usageReport = createUsageReport({ resources, holdings });
  // What alert rounds read of each application, kept from the change feed (no full list parsed every 15 s).
  const alertApps = new HoldingIndex({ store, feed, holding: alertApp });
  const alerts = new AlertController({
    store,
    applications: async () => [...(await alertApps.holdings('all')).values()].flat(),
    clock,
    metrics: metricsSource,
    burst: () => delivery.burstByDepartment(),
    usage: () => usageReport.departments('all'),
    intervalMs: opts.virtualTime ? 0 : (opts.alerts?.intervalMs ?? 15_000),
    state: alertState,
    log,
  });
  alerts.onTransition((t) => void notifier.notify(alertNotice(t.alert, t.type, clock.now().getTime())));
  // Incidents from the sandbox's telemetry: scraped every 15 s (in virtual time, a test starts it and evaluates);
  // each department's incident is notified once when it opens, to the owner its verdict names.
  // With POLIS_SIM_URL the served cloud's telemetry, read by whichever replica leads (one cloud, one set of incidents).
  // The applications' declared calls and owners come from an index kept from the change feed: a scrape parses none.
  const declaredIndex = sim || remoteSim ? new HoldingIndex({ store, feed, holding: declaredAppHolding }) : undefined;
  const declared = async () => [...(await declaredIndex!.holdings('all')).values()].flat();
  const observation = sim
    ? simObservationSource(sim, declared)
    : remoteSim
      ? servedObservationSource(remoteSim, declared)
      : undefined;
  const incidents = observation
    ? new IncidentController({
        resources: controllerResources,
        clock,
        source: observation,
        log,
        onOpened: (o) => void notifier.notify(incidentNotice(o, clock.now().getTime())),
      })
    : undefined;

  const authenticators: Authenticator[] = [tokenAuthenticator({ store, clock })];
  let oidcLogin: OidcLogin | undefined;
  if (config.oidc) {
    const c = config.oidc;
    const client = new OidcClient({ issuer: c.issuer, clientId: c.audience, clientSecret: c.clientSecret }, { clock });
    const oidc = oidcAuthenticator(
      { ...c, groupBindings: parseGroupBindings(c.groupBindings) },
      { clock, discoverJwksUri: async () => (await client.discovery()).jwks_uri },
    );
    await oidc.load();
    authenticators.push(oidc);
    oidcLogin = { client, scopes: c.scopes ?? 'openid profile', verify: oidc.verify };
  }
  const watches = new WatchGuard({
    feed,
    principal: (user, granted) => bindings.principal(user, granted),
    clock,
    limits: config.watch,
  });
  watches.start();
  const metrics = createMetrics({
    store,
    feed,
    watches,
    delivery: delivery.stats,
    deliveryQueued: () => delivery.queued,
    deliveryScheduled: () => delivery.scheduled,
    burst: () => delivery.burstByDepartment(),
    failedRequests: () => resources.failedRequestCounts,
    fencedWrites: () => resources.fencedWriteCounts,
    leader: () => elector.isLeader,
    sharing: () => usageReport.departments('all'),
  });
  const backupStatus = new BackupStatus();
  registerBackupMetrics(metrics.registry, backupStatus);
  const backup: BackupDeps = {
    store,
    meta: { polisVersion: VERSION, sourceStore: storeKindOf(config.databaseUrl) },
    now: () => clock.now(),
    status: backupStatus,
  };
  const app = await buildServer({
    store,
    registry,
    resources,
    feed,
    bindings,
    authenticators,
    tokens,
    metrics,
    clusters,
    clock,
    sim,
    ...(remoteSim ? { servedSim: remoteSim } : {}),
    incidents,
    metricsSource,
    history: history.service,
    // Calls between components, counted per subscription by the marketplace: Istio's metrics in Prometheus when
    // Prometheus is where metrics come from, else the simulated mesh (server.ts).
    ...(config.prometheusUrl && (config.metrics === 'prometheus' || (!sim && !remoteSim))
      ? {
          calls: prometheusCallSource({
            url: config.prometheusUrl,
            bearerToken: config.prometheusToken,
            window: config.metricsWindow,
            query: config.callsQuery,
            errorsQuery: config.callErrorsQuery,
          }),
        }
      : {}),
    alerts,
    notifier,
    version: VERSION,
    bodyLimit: config.bodyLimit,
    requestTimeoutMs: config.requestTimeoutMs,
    watches,
    logger: opts.logStream
      ? { ...loggerOptions('info'), stream: opts.logStream }
      : opts.listen
        ? loggerOptions(config.logLevel)
        : false,
    bookmarkMs: opts.bookmarkMs,
    backup,
    https: config.tls
      ? { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) }
      : undefined,
    oidcLogin,
    usage: usageReport,
  });
  const compaction = setInterval(
    () =>
      void store
        .compact(config.eventsRetained)
        .catch((e: unknown) => app.log.warn({ err: e }, 'event compaction failed')),
    60_000,
  );
  compaction.unref();
  // Summaries of rate-limited failed requests, once their window has ended (see ResourceService.recordFailure).
  const refusalFlush = setInterval(
    () =>
      void resources
        .flushRefusals()
        .catch((e: unknown) => app.log.warn({ err: e }, 'writing suppressed refusals to the audit log failed')),
    5_000,
  );
  refusalFlush.unref();
  // Audit retention: archive, then prune, entries older than the setting; only under the leader's term.
  const retention =
    controllers && config.audit.retentionDays !== undefined
      ? startRetention({
          store,
          clock,
          retentionDays: config.audit.retentionDays,
          archiveDir: config.audit.archiveDir ?? join(config.dataDir, 'audit-archive'),
          log: app.log,
          leads: () => elector.isLeader,
        })
      : undefined;
  // One process takes the scheduled backups: the one that runs the controllers (until leader election).
  const backups =
    config.backup && controllers
      ? new BackupScheduler({
          ...backup,
          clock,
          dir: config.backup.dir,
          schedule: parseCron(config.backup.schedule, 'POLIS_BACKUP_SCHEDULE'),
          timeZone: config.backup.timeZone,
          retention: { keep: config.backup.keep, keepDays: config.backup.keepDays },
          status: backupStatus,
          log: (level, msg, fields) => app.log[level](fields, msg),
        })
      : undefined;
  // The controllers (and retention and scheduled backups above) start when this replica wins the lease: at once on
  // SQLite (one process) or when no other replica holds it. A replica that loses its term stops them and stops
  // contending (controllers are not restarted in one process): restart it to let it stand again.
  let controllersRunning = false;
  let controllersStopped = false;
  async function startControllers(): Promise<void> {
    if (controllersRunning || controllersStopped) return;
    controllersRunning = true;
    if (!member) {
      await clusters.start();
      await market.startIndexes();
      await delivery.start();
    }
    await market.start();
    if (!member) await scaling?.start();
    alerts.start();
    await notifier.start();
    if (incidents && !opts.virtualTime) incidents.start();
    if (backups && !opts.virtualTime) backups.start();
    if (!opts.virtualTime) history.sampler?.start();
    if (!opts.virtualTime) {
      meter.start();
      billing.start();
    }
  }
  async function stopControllers(): Promise<void> {
    if (!controllersRunning) return;
    controllersRunning = false;
    controllersStopped = true;
    // Those that stop at once first: a wait below on a database that does not answer (a replica cut off from it)
    // must not leave delivery, heartbeats or scaling running meanwhile. With sharding, delivery, heartbeats and
    // scaling belong to the shard member (stopShards), not to the leader's term.
    if (!member) scaling?.stop();
    alerts.stop();
    notifier.stop();
    market.stop();
    if (!member) {
      delivery.stop();
      clusters.stop();
    }
    backups?.stop();
    await backups?.idle();
    await history.sampler?.stop();
    await meter.stop();
    await billing.stop();
    await incidents?.stop();
  }
  // The sharded controllers: every replica with controllers on, for the applications it owns, leader or not.
  async function startShards(m: ShardMember): Promise<void> {
    m.onChange((c) => {
      const moved = msg('ShardsMoved', { member: m.id, members: c.live.length, before: c.before.length });
      app.log.info({ code: moved.code, params: moved.params }, moved.message);
    });
    await m.start();
    await clusters.start();
    // Delivery's attachments (binding and API key Secrets, network paths) read the marketplace's indexes, kept on
    // every replica that delivers: the marketplace's reconciling is the leader's, its indexes are not.
    await market.startIndexes();
    await delivery.start();
    await scaling?.start();
  }
  async function stopShards(m: ShardMember): Promise<void> {
    scaling?.stop();
    delivery.stop();
    clusters.stop();
    await m.stop();
  }
  async function loseControllers(): Promise<void> {
    if (!controllersRunning) return;
    const lost = msg('LeaseLost', { lease: 'controllers' });
    app.log.warn({ code: lost.code, params: lost.params }, lost.message);
    await stopControllers();
    void elector.stop({ release: false });
  }
  if (member) await startShards(member);
  if (controllers) await elector.start();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    clearInterval(compaction);
    clearInterval(refusalFlush);
    await elector.stop();
    await stopControllers();
    if (member) await stopShards(member);
    market.close();
    await retention?.stop();
    sim?.stop();
    metricsSource?.close?.();
    watches.stop();
    bindings.stop();
    holdings.stop();
    alertApps.stop();
    declaredIndex?.stop();
    historyTargets.stop();
    quotaIndex.stop();
    feed.stop();
    await app.close();
    await resources.flushRefusals(undefined, true).catch(() => undefined);
    await store.close();
  };
  let url: string | undefined;
  if (opts.listen) {
    try {
      url = await app.listen({ host: config.host, port: config.port });
    } catch (e) {
      await stop();
      throw e;
    }
  }
  return {
    app,
    store,
    resources,
    feed,
    watches,
    tokens,
    sim,
    ...(remoteSim ? { servedSim: remoteSim } : {}),
    incidents,
    metricsSource,
    history,
    clusters,
    delivery,
    member,
    elector,
    relay,
    scaling,
    backups,
    market,
    alerts,
    notifier,
    meter,
    billing,
    middleware,
    adminTokenFile,
    demoTokensFile,
    url,
    stop,
  };
}

/** The secret-encryption key: from config, from the key file, or created in the data folder (mode 0600). */
async function loadSecretKey(config: Config) {
  if (config.secretKey) return parseSecretKey(config.secretKey);
  const file = config.secretKeyFile ?? join(config.dataDir, 'secret.key');
  try {
    return parseSecretKey(await readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || config.secretKeyFile) throw e;
    const key = generateSecretKey();
    await writePrivate(file, `${key}\n`);
    return parseSecretKey(key);
  }
}

async function writePrivate(file: string, content: string): Promise<string> {
  await writeFile(file, content, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
