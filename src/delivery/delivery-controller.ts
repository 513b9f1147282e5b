import type { ApplicationSpec } from '../apps/application-kind.ts';
import { APPROVALS_ANNOTATION, parseApprovals } from '../apps/approvals.ts';
import { revisionName } from '../apps/revisions.ts';
import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import type { ClusterStatus } from '../clusters/cluster-kind.ts';
import type { WorkloadStatus } from '../clusters/driver.ts';
import type { Owner } from '../kernel/ownership.ts';
import { ClusterUnreachableError } from '../clusters/driver.ts';
import { EventRecorder } from '../events/event-recorder.ts';
import type { Clock } from '../kernel/clock.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import { WorkQueue } from '../kernel/work-queue.ts';
import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { AppStatus, Observation } from './app-status.ts';
import type { SchedulingCaps } from './app-status.ts';
import { applicationStatus, schedulablePlacement, schedulingCaps } from './app-status.ts';
import type { ClusterPlan } from './desired-state.ts';
import { planDelivery } from './desired-state.ts';
import type { NamespaceQuota } from './namespace.ts';
import { ownerOf } from './namespace.ts';
import { StatusBatcher } from './status-batcher.ts';
import type { FailoverRecord } from '../failover/failback.ts';
import { failbackSettings, noteFailover, originsReady, surgePlacement } from '../failover/failback.ts';
import { crashLoopFailover, crashLoopToleration } from '../failover/component-failover.ts';
import { advanceWorkflow } from './workflow.ts';
import type { BurstLimits, BurstUse } from '../placement/burst-limits.ts';
import { burstAllowance } from '../placement/burst-limits.ts';
import { BurstLedger, burstReport } from './burst-ledger.ts';
import type { AutoscalingProperties } from '../scaling/autoscaling-policy.ts';

export const DELIVERY_FINALIZER = 'polis.io/delivery';

export interface DeliveryDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly feed: ChangeFeed;
  readonly clock: Clock;
  readonly clusters: ClusterDirectory;
  /** Every application is reconciled again this often even without a change (0: never). */
  readonly resyncMs?: number;
  readonly concurrency?: number;
  /** Events older than this are pruned (default 6 h). */
  readonly eventTtlMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
}

/** Counters for tests, benchmarks and /metrics. */
export interface DeliveryStats {
  reconciles: number;
  statusWrites: number;
  applies: number;
  objectsChanged: number;
  prunes: number;
  errors: number;
}

interface Memory {
  /** Per cluster: the hash of what was last applied there. */
  applied: Map<string, string>;
  /** Resource version of the status we last wrote (to skip our own change events). */
  writtenVersion?: string;
  /** The last observations, for workflow health checks. */
  observations: Map<string, Observation>;
  /** Some replicas found no room in the last reconcile: retried when a cluster's capacity changes. */
  unplaced?: boolean;
  /** Where clusters recently could not schedule this application's replicas (see schedulingCaps). */
  schedulingCaps?: SchedulingCaps;
}

const PENDING_CLEANUP = 'pendingCleanup';

/**
 * The delivery controller: a level-triggered loop per application. Placement → render → apply through each
 * cluster's driver → prune what is no longer desired → observe → Application status. Drift inside a cluster is
 * undone; deletion is never blocked by an unreachable cluster (what is left there is cleaned when it returns).
 */
export class DeliveryController {
  readonly stats: DeliveryStats = {
    reconciles: 0,
    statusWrites: 0,
    applies: 0,
    objectsChanged: 0,
    prunes: 0,
    errors: 0,
  };
  private readonly deps: DeliveryDeps;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  private readonly statuses: StatusBatcher;
  private readonly memory = new Map<string, Memory>();
  private readonly byNamespace = new Map<string, string>();
  private readonly burst = new BurstLedger(async (tenant) =>
    (await this.listAll('Application', tenant)).map((a) => ({ name: a.metadata.name, status: a.status })),
  );
  private sub?: Subscription;
  private timers: NodeJS.Timeout[] = [];
  private unlisten: (() => void)[] = [];

  constructor(deps: DeliveryDeps) {
    this.deps = deps;
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      concurrency: deps.concurrency ?? 8,
      onError: (key, e) => {
        this.stats.errors++;
        deps.log?.(`reconcile ${key} failed`, e);
      },
    });
    this.statuses = new StatusBatcher(deps.resources, { actor: 'system:delivery', requestId: 'delivery-status' });
    this.events = new EventRecorder({
      resources: deps.resources,
      clock: deps.clock,
      component: 'delivery',
      log: deps.log,
    });
  }

  async start(): Promise<void> {
    const from = await this.deps.store.currentRevision();
    this.sub = this.deps.feed.subscribe({
      from,
      filter: { kind: 'Application' },
      onEvent: (e) => {
        const key = `${e.object.metadata.tenant}/${e.object.metadata.name}`;
        if (e.type !== 'DELETED' && this.memory.get(key)?.writtenVersion === e.object.metadata.resourceVersion) return;
        this.queue.add(key);
      },
      onError: (err) => {
        this.deps.log?.('application watch failed; resyncing', err);
        void this.resyncAll();
      },
    });
    this.unlisten.push(
      this.deps.clusters.onChange((cluster, change) => {
        if (change === 'added') this.listenTo(cluster);
        if (change === 'health' || change === 'added' || change === 'removed') {
          void this.cleanupReturned(cluster);
          void this.resyncAll();
        } else if (change === 'capacity') this.requeueUnplaced();
      }),
    );
    for (const name of this.deps.clusters.names()) this.listenTo(name);
    await this.resyncAll();
    const resync = this.deps.resyncMs ?? 5 * 60_000;
    if (resync > 0) this.every(resync, () => void this.resyncAll());
    this.every(10 * 60_000, () => void this.events.prune(this.deps.eventTtlMs ?? 6 * 3_600_000));
  }

  stop(): void {
    this.sub?.close();
    for (const t of this.timers) clearInterval(t);
    for (const off of this.unlisten) off();
    this.queue.stop();
  }

  /** Resolves when no reconcile is queued or running and their events are written. */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.events.idle();
  }

  enqueue(tenant: string, name: string): void {
    this.queue.add(`${tenant}/${name}`);
  }

  /** Queues every application (a full resync). */
  async resyncAll(): Promise<number> {
    let cont: string | undefined;
    let n = 0;
    do {
      const page = await this.deps.store.list({ kind: 'Application', limit: 1000, continue: cont });
      for (const o of page.items) {
        this.queue.add(`${o.metadata.tenant}/${o.metadata.name}`);
        n++;
      }
      cont = page.continue;
    } while (cont);
    return n;
  }

  /** A cluster's workload changes (pods ready, lost, rolled) bring the owning application back to the queue. */
  private listenTo(cluster: string): void {
    const off = this.deps.clusters.driver(cluster)?.watchWorkloads?.((namespace) => {
      const key = this.byNamespace.get(namespace);
      if (key) this.queue.add(key);
    });
    if (off) this.unlisten.push(off);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private requeueUnplaced(): void {
    for (const [key, m] of this.memory) if (m.unplaced) this.queue.add(key);
  }

  /** One reconcile of one application. Safe to repeat at any point; writes only what changed. */
  async reconcile(key: string): Promise<void> {
    this.stats.reconciles++;
    const slash = key.indexOf('/');
    const tenant = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const app = await this.deps.store.get({ kind: 'Application', tenant, name });
    const owner = ownerOf(tenant, name);
    if (!app) {
      this.forget(key, owner);
      return;
    }
    this.byNamespace.set(owner.namespace, key);
    const mem = this.memory.get(key) ?? { applied: new Map(), observations: new Map() };
    this.memory.set(key, mem);
    if (app.metadata.deletionTimestamp) {
      await this.finalize(app, owner, mem);
      return;
    }
    if (!(app.metadata.finalizers ?? []).includes(DELIVERY_FINALIZER)) {
      await this.deps.resources.patch(this.ctx(key), keyOf(app), {
        metadata: { finalizers: [...(app.metadata.finalizers ?? []), DELIVERY_FINALIZER] },
      });
      return; // the write brings this application back through the queue
    }
    await this.deliver(app, owner, mem, key);
  }

  private async deliver(app: StoredObject, owner: Owner, mem: Memory, key: string): Promise<void> {
    const spec = app.spec as ApplicationSpec;
    // A status the autoscaler wrote before the first delivery holds only `scaling`: no delivery state yet.
    const stored = app.status as Partial<AppStatus> | undefined;
    const previous = stored?.placement ? (stored as AppStatus) : undefined;
    const scaling = stored?.scaling;
    const generation = app.metadata.generation;
    const revision = revisionName(owner.app, generation);
    const nowMs = this.deps.clock.now().getTime();
    const now = new Date(nowMs).toISOString();
    const failoverProps = spec.policies?.find((p) => p.type === 'failover')?.properties as
      Record<string, unknown> | undefined;
    const failoverOn = failoverProps?.enabled !== false;
    // With failover off, the clusters the application runs on keep it even while unhealthy: nothing moves.
    const running = clustersOf(previous?.placement ?? {});
    const candidates = this.deps.clusters
      .candidates()
      .map((c) => (failoverOn || c.healthy || !running.has(c.name) ? c : { ...c, healthy: true }));
    const healthyNames = new Set(candidates.filter((c) => c.healthy).map((c) => c.name));
    const crash = crashLoopFailover({
      previous: previous?.crashLoops,
      components: previous?.components ?? [],
      generation,
      now,
      tolerationMs: failoverOn ? crashLoopToleration(failoverProps) : Infinity,
    });

    // Workflow: which deploy steps this generation has reached, judged by the last observations.
    const workflow = advanceWorkflow(spec, previous?.workflow, {
      generation,
      approvals: parseApprovals(app.metadata.annotations?.[APPROVALS_ANNOTATION]),
      now,
      stepHealthy: () => observedHealthy(mem, previous, generation),
    });
    const tenantObj = await this.deps.store.get({ kind: 'Tenant', tenant: '', name: owner.tenant });
    const tenantSpec = tenantObj?.spec as { quota?: NamespaceQuota; burst?: BurstLimits } | undefined;
    const capped = schedulingCaps(previous, mem.schedulingCaps ?? new Map(), nowMs);
    mem.schedulingCaps = capped.caps;
    const burst = burstAllowance({
      application: (spec.policies?.find((p) => p.type === 'autoscaling')?.properties as AutoscalingProperties)?.burst,
      department: tenantSpec?.burst,
      departmentUse: await this.burst.othersUse(owner.tenant, owner.app),
      now: nowMs,
    });
    const base = {
      owner,
      spec,
      revision,
      candidates,
      steps: workflow.reached,
      quota: tenantSpec?.quota,
      replicas: autoscaled(scaling),
      ...(burst.allowance ? { burst: burst.allowance } : {}),
      ...(Object.keys(crash.avoid).length ? { avoid: crash.avoid } : {}),
      ...(capped.byComponent ? { roomCap: capped.byComponent } : {}),
    };
    const sticky = planDelivery({ ...base, current: previous ? schedulablePlacement(previous) : {} });
    if (!sticky.ok) {
      this.event(owner, 'Warning', 'RenderFailed', sticky.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
      return;
    }
    const notes = new EventNotes();
    for (const m of crash.moved) notes.add('Warning', 'ComponentFailedOver', undefined, m);
    if (crash.recheckInMs !== undefined) this.queue.addAfter(key, crash.recheckInMs);
    const { plan, failover } = this.failback({ ...base, generation }, sticky, previous, healthyNames, now, notes);
    this.reserveDelta(previous, plan, candidates);

    // Apply to every target cluster in parallel; an unreachable one is noted and retried, never fatal.
    const observations = new Map<string, Observation>();
    const applyErrors = new Map<string, string>();
    const targets = new Set(plan.clusters.map((c) => c.cluster));
    await Promise.all(
      plan.clusters.map((cp) => this.applyToCluster(owner, cp, mem, observations, applyErrors, healthyNames, notes)),
    );

    // Clusters the application left: removed once the application is healthy elsewhere (make-before-break),
    // and never while unreachable (it may still be serving); a frozen step's clusters stay as they are.
    const had = new Set([...(previous?.clusters ?? []), ...(previous?.pendingRemoval ?? [])]);
    const pendingRemoval: string[] = [];
    const status0 = applicationStatus({
      generation,
      revision,
      placement: plan.placement,
      componentTypes: Object.fromEntries(spec.components.map((c) => [c.name, c.type])),
      observations,
      workflow,
      clusters: [...targets].sort(),
      pendingRemoval: [],
      applyErrors,
      previous,
      now,
    });
    const frozen = workflow.finished ? new Set<string>() : new Set(previous?.clusters ?? []);
    for (const cluster of [...had].sort()) {
      if (targets.has(cluster) || frozen.has(cluster)) continue;
      const driver = this.deps.clusters.driver(cluster);
      if (!driver || !status0.healthy || !healthyNames.has(cluster)) {
        if (driver || this.deps.clusters.names().includes(cluster)) pendingRemoval.push(cluster);
        continue;
      }
      try {
        const pruned = await driver.prune(owner, new Set());
        this.stats.prunes++;
        mem.applied.delete(cluster);
        notes.add('Normal', 'Removed', cluster, `${pruned.deleted.length} object(s)`);
      } catch (e) {
        if (!(e instanceof ClusterUnreachableError)) throw e;
        pendingRemoval.push(cluster);
      }
    }
    const clusters = [...new Set([...targets, ...frozen])].sort();
    const per = new Map(plan.demands.map((d) => [d.name, d.perReplica]));
    const bursting = burstReport({
      placement: plan.placement,
      perReplica: (c) => per.get(c),
      clusters: new Map(candidates.map((c) => [c.name, c])),
      decision: burst,
      was: previous?.burst,
    });
    this.burst.record(owner.tenant, owner.app, bursting.use);
    for (const n of bursting.notes) notes.add(n.type, n.reason, undefined, n.message);
    const status: AppStatus = {
      ...status0,
      clusters,
      ...(pendingRemoval.length ? { pendingRemoval } : {}),
      ...(scaling ? { scaling } : {}),
      ...(failover ? { failover } : {}),
      ...(bursting.status ? { burst: bursting.status } : {}),
      ...(crash.records.length ? { crashLoops: crash.records } : {}),
    };
    mem.observations = observations;
    mem.unplaced = status.components.some((c) => (c.unplaced ?? 0) > 0);
    placementNote(notes, previous, status);
    for (const n of notes.grouped()) this.event(owner, n.type, n.reason, n.message, n.cluster);
    await this.writeStatus(app, status, mem);
    if (workflow.suspended) this.scheduleSuspendCheck(spec, key);
    // What this generation delivered so far runs: go on with the workflow's next step at once.
    else if (!workflow.finished && observedHealthy(mem, status, generation)) this.queue.add(key);
  }

  private async applyToCluster(
    owner: Owner,
    cp: ClusterPlan,
    mem: Memory,
    observations: Map<string, Observation>,
    applyErrors: Map<string, string>,
    healthy: ReadonlySet<string>,
    notes: EventNotes,
  ): Promise<void> {
    const driver = this.deps.clusters.driver(cp.cluster);
    if (!driver) {
      observations.set(cp.cluster, { unreachable: 'no driver for this cluster' });
      return;
    }
    try {
      const changedSpec = mem.applied.get(cp.cluster) !== cp.hash;
      const report = await driver.apply(cp.manifests, { owner, createOnlyPaths: cp.createOnlyPaths });
      this.stats.applies++;
      const changed = report.applied.filter((a) => a.action !== 'unchanged');
      this.stats.objectsChanged += changed.length;
      if (report.failed.length > 0) {
        applyErrors.set(cp.cluster, report.failed.map((f) => `${f.key}: ${f.message}`).join('; '));
        notes.add('Warning', 'ApplyFailed', cp.cluster, applyErrors.get(cp.cluster)!);
      }
      if (changed.length > 0) {
        const what = changed.map((a) => `${a.action} ${shortKey(a.key)}`).join(', ');
        notes.add(changedSpec ? 'Normal' : 'Warning', changedSpec ? 'Applied' : 'DriftRepaired', cp.cluster, what);
      }
      if (changedSpec) {
        const keep = new Set(cp.manifests.map((m) => keyString(m)));
        const pruned = await driver.prune(owner, keep);
        this.stats.prunes++;
        if (pruned.deleted.length > 0)
          notes.add('Normal', 'Pruned', cp.cluster, pruned.deleted.map(shortKey).join(', '));
      }
      if (report.failed.length === 0) mem.applied.set(cp.cluster, cp.hash);
      observations.set(cp.cluster, await driver.observe(owner));
    } catch (e) {
      if (!(e instanceof ClusterUnreachableError)) throw e;
      mem.applied.delete(cp.cluster);
      observations.set(cp.cluster, { unreachable: e.message });
      if (healthy.has(cp.cluster)) notes.add('Warning', 'ClusterUnreachable', cp.cluster, e.message);
    }
  }

  /** Deleting: remove the objects from every reachable cluster, note the unreachable ones, drop the finalizer. */
  private async finalize(app: StoredObject, owner: Owner, mem: Memory): Promise<void> {
    const leftBehind: string[] = [];
    for (const cluster of this.deps.clusters.names()) {
      const driver = this.deps.clusters.driver(cluster);
      if (!driver) continue;
      try {
        await driver.prune(owner, new Set());
      } catch (e) {
        if (!(e instanceof ClusterUnreachableError)) throw e;
        leftBehind.push(cluster);
      }
    }
    for (const cluster of leftBehind) await this.addPendingCleanup(cluster, owner);
    const key = `${owner.tenant}/${owner.app}`;
    const ctx = this.ctx(key);
    mem.applied.clear();
    const finalizers = (app.metadata.finalizers ?? []).filter((f) => f !== DELIVERY_FINALIZER);
    await this.deps.resources
      .patch(ctx, keyOf(app), { metadata: { finalizers, resourceVersion: app.metadata.resourceVersion } })
      .catch(ignoreNotFound);
    if (leftBehind.length)
      this.deps.log?.(`${key}: deleted; objects left on unreachable ${leftBehind.join(', ')} are cleaned on return`);
  }

  private async listAll(kind: string, tenant: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    let cont: string | undefined;
    do {
      const page = await this.deps.store.list({ kind, tenant, limit: 1000, continue: cont });
      out.push(...page.items);
      cont = page.continue;
    } while (cont);
    return out;
  }

  /** Records on the Cluster that an application's objects wait there for cleanup. */
  private async addPendingCleanup(cluster: string, owner: Owner): Promise<void> {
    await this.updateClusterCleanup(cluster, (list) =>
      list.some((o) => o.tenant === owner.tenant && o.app === owner.app) ? undefined : [...list, owner],
    );
  }

  /** When a cluster is reachable again, removes what deleted applications left there. */
  private async cleanupReturned(cluster: string): Promise<void> {
    try {
      const obj = await this.deps.store.get({ kind: 'Cluster', tenant: '', name: cluster });
      const pending = ((obj?.status as Record<string, unknown> | undefined)?.[PENDING_CLEANUP] ?? []) as Owner[];
      if (pending.length === 0) return;
      const driver = this.deps.clusters.driver(cluster);
      if (!driver) return;
      const done: Owner[] = [];
      for (const o of pending) {
        try {
          // An application re-created since then owns these objects again: leave them to its reconcile.
          const back = await this.deps.store.get({ kind: 'Application', tenant: o.tenant, name: o.app });
          if (!back) await driver.prune(o, new Set());
          done.push(o);
        } catch (e) {
          if (e instanceof ClusterUnreachableError) break;
          throw e;
        }
      }
      if (done.length === 0) return;
      await this.updateClusterCleanup(cluster, (list) =>
        list.filter((o) => !done.some((d) => d.tenant === o.tenant && d.app === o.app)),
      );
      for (const o of done)
        this.event(o, 'Normal', 'CleanedUp', `removed what was left on ${cluster} after deletion`, cluster);
    } catch (e) {
      this.deps.log?.(`cleanup on ${cluster} failed`, e);
    }
  }

  private async updateClusterCleanup(cluster: string, change: (list: Owner[]) => Owner[] | undefined): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const obj = await this.deps.store.get({ kind: 'Cluster', tenant: '', name: cluster });
      if (!obj) return;
      const list = ((obj.status as ClusterStatus & Record<string, unknown>)?.[PENDING_CLEANUP] ?? []) as Owner[];
      const next = change(list);
      if (!next) return;
      try {
        await this.deps.resources.patch(
          this.ctx(`cluster/${cluster}`),
          { kind: 'Cluster', tenant: '', name: cluster },
          { metadata: { resourceVersion: obj.metadata.resourceVersion }, status: { [PENDING_CLEANUP]: next } },
          { subresource: 'status' },
        );
        return;
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
  }

  /**
   * Failover and failback around placement. Clusters the application leaves because they became unhealthy are
   * remembered with the placement before; once they have been healthy for the failover policy's stabilization
   * period (automatic by default), the placement goes back, make-before-break: first a surge that keeps every
   * cluster's replicas and adds the origins' back, then, once those are ready, the placement from before alone.
   */
  private failback(
    base: Omit<Parameters<typeof planDelivery>[0], 'current'> & { readonly generation: number },
    sticky: Extract<ReturnType<typeof planDelivery>, { ok: true }>,
    previous: AppStatus | undefined,
    healthy: ReadonlySet<string>,
    now: string,
    notes: EventNotes,
  ): { plan: Extract<ReturnType<typeof planDelivery>, { ok: true }>; failover?: FailoverRecord } {
    const targets = new Set(sticky.clusters.map((c) => c.cluster));
    const before = previous?.placement ?? {};
    const dropped = [...clustersOf(before)].filter((c) => !targets.has(c) && !healthy.has(c));
    let record = noteFailover(previous?.failover, before, dropped, now, previous?.observedGeneration ?? 0);
    if (dropped.length > 0) notes.add('Warning', 'FailedOver', undefined, `moved off unhealthy ${dropped.join(', ')}`);
    // A new spec places afresh: the failover is over (this is also how a manual failback is done).
    if (record && previous && record.generation !== base.generation) record = undefined;
    if (!record) return { plan: sticky };
    const settings = failbackSettings(
      base.spec.policies?.find((p) => p.type === 'failover')?.properties as Record<string, unknown> | undefined,
    );
    const waits = record.origins.map((c) => {
      const h = this.deps.clusters.health(c);
      return h?.state === 'Ready' ? settings.stabilizationMs - (Date.parse(now) - Date.parse(h.since)) : Infinity;
    });
    const wait = settings.mode === 'manual' ? Infinity : Math.max(...waits);
    if (wait > 0) {
      // While no origin is schedulable, placement already leaves them out: nothing to hold back.
      if (record.origins.every((c) => !healthy.has(c))) {
        if (Number.isFinite(wait)) this.queue.addAfter(`${base.owner.tenant}/${base.owner.app}`, wait + 100);
        return { plan: sticky, failover: record };
      }
      // Until then the origins take nothing new, even if healthy again: no flapping back and forth.
      const origins = new Set(record.origins);
      const held = planDelivery({
        ...base,
        current: before,
        candidates: base.candidates.map((c) => (origins.has(c.name) ? { ...c, healthy: false } : c)),
      });
      if (Number.isFinite(wait)) this.queue.addAfter(`${base.owner.tenant}/${base.owner.app}`, wait + 100);
      return { plan: held.ok ? held : sticky, failover: record };
    }
    const target = planDelivery({ ...base, current: record.before });
    if (!target.ok) return { plan: sticky, failover: record };
    const targetPlacement = replicasOf(target.placement);
    const readyOn = (component: string, cluster: string) =>
      previous?.components.find((c) => c.name === component)?.clusters.find((c) => c.cluster === cluster)
        ?.readyReplicas ?? 0;
    if (record.phase === 'failing-back' && originsReady(targetPlacement, record.origins, readyOn)) {
      notes.add('Normal', 'FailedBack', undefined, `back on ${record.origins.join(', ')}`);
      return { plan: target };
    }
    // Make before break: every cluster keeps what runs there now, and the origins get theirs back.
    const surge = planDelivery({ ...base, current: before, fixed: surgePlacement(before, targetPlacement) });
    if (!surge.ok) return { plan: sticky, failover: record };
    if (record.phase !== 'failing-back')
      notes.add('Normal', 'FailingBack', undefined, `starting replicas again on ${record.origins.join(', ')}`);
    record = { ...record, phase: 'failing-back' };
    return { plan: surge, failover: record };
  }

  /** Replicas on burst clusters and their cost per hour, by department (for /metrics). */
  burstByDepartment(): Map<string, BurstUse> {
    return this.burst.byDepartment();
  }

  private reserveDelta(
    previous: AppStatus | undefined,
    plan: Extract<ReturnType<typeof planDelivery>, { ok: true }>,
    candidates: ReturnType<ClusterDirectory['candidates']>,
  ): void {
    if (candidates.length === 0) return;
    for (const d of plan.demands) {
      const now = plan.placement[d.name]?.replicas ?? {};
      const before = previous?.placement[d.name] ?? {};
      for (const cluster of new Set([...Object.keys(now), ...Object.keys(before)])) {
        const delta = (now[cluster] ?? 0) - (before[cluster] ?? 0);
        if (delta === 0) continue;
        this.deps.clusters.reserve(cluster, {
          cpuMilli: d.perReplica.cpuMilli * delta,
          memoryBytes: d.perReplica.memoryBytes * delta,
          pods: d.perReplica.pods * delta,
        });
      }
    }
  }

  private async writeStatus(app: StoredObject, status: AppStatus, mem: Memory): Promise<void> {
    if (JSON.stringify(app.status ?? null) === JSON.stringify(status)) return;
    const r = await this.statuses.write({ ...app, metadata: { ...app.metadata }, status });
    if (r.ok) {
      mem.writtenVersion = r.object.metadata.resourceVersion;
      this.stats.statusWrites++;
      return;
    }
    // The application changed meanwhile: its change event queues it again.
    if (!(r.error instanceof ConflictError) && !(r.error instanceof NotFoundError)) throw r.error;
  }

  private scheduleSuspendCheck(spec: ApplicationSpec, key: string): void {
    const steps = (spec as { workflow?: { steps?: { type: string; properties?: Record<string, unknown> }[] } }).workflow
      ?.steps;
    if (steps?.some((s) => s.type === 'suspend' && s.properties?.duration)) this.queue.addAfter(key, 1000);
  }

  /** Records an event without waiting for it: events are batched and written apart from the reconcile. */
  private event(
    owner: Pick<Owner, 'tenant' | 'app'>,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    cluster?: string,
  ): void {
    void this.events.record({
      tenant: owner.tenant,
      involved: { kind: 'Application', name: owner.app, apiVersion: 'core.oam.dev/v1beta1' },
      type,
      reason,
      message,
      cluster,
    });
  }

  private forget(key: string, owner: Owner): void {
    this.memory.delete(key);
    this.burst.record(owner.tenant, owner.app, undefined);
    this.byNamespace.delete(owner.namespace);
  }

  private ctx(key: string) {
    return { actor: 'system:delivery', requestId: `reconcile-${key}` };
  }
}

/**
 * What one reconcile did, gathered so that it becomes one Event per reason (the clusters named in its message)
 * rather than one per cluster: fewer writes, and one line to read.
 */
class EventNotes {
  private readonly notes: { type: 'Normal' | 'Warning'; reason: string; cluster?: string; text: string }[] = [];

  add(type: 'Normal' | 'Warning', reason: string, cluster: string | undefined, text: string): void {
    this.notes.push({ type, reason, cluster, text });
  }

  grouped(): { type: 'Normal' | 'Warning'; reason: string; message: string; cluster?: string }[] {
    const by = new Map<string, typeof this.notes>();
    for (const n of this.notes) by.set(`${n.type}/${n.reason}`, [...(by.get(`${n.type}/${n.reason}`) ?? []), n]);
    return [...by.values()].map((ns) => {
      const sorted = [...ns].sort((a, b) => ((a.cluster ?? '') < (b.cluster ?? '') ? -1 : 1));
      const clusters = new Set(sorted.map((n) => n.cluster));
      return {
        type: sorted[0]!.type,
        reason: sorted[0]!.reason,
        message: sorted.map((n) => (n.cluster ? `${n.cluster}: ${n.text}` : n.text)).join('; '),
        ...(clusters.size === 1 && sorted[0]!.cluster ? { cluster: sorted[0]!.cluster } : {}),
      };
    });
  }
}

/** A Placed event when the replicas per cluster changed, with where each component now runs. */
function placementNote(notes: EventNotes, previous: AppStatus | undefined, status: AppStatus): void {
  if (JSON.stringify(previous?.placement ?? {}) === JSON.stringify(status.placement)) return;
  const text = Object.entries(status.placement)
    .map(([c, m]) => {
      const where = Object.entries(m)
        .map(([cl, n]) => `${cl} ${n}`)
        .join(', ');
      return `${c}: ${where || 'nowhere'}`;
    })
    .join('; ');
  notes.add('Normal', 'Placed', undefined, text);
}

function clustersOf(placement: Readonly<Record<string, Readonly<Record<string, number>>>>): Set<string> {
  const out = new Set<string>();
  for (const byCluster of Object.values(placement))
    for (const [cluster, n] of Object.entries(byCluster)) if (n > 0) out.add(cluster);
  return out;
}

function replicasOf(placement: Readonly<Record<string, { readonly replicas: Readonly<Record<string, number>> }>>) {
  return Object.fromEntries(Object.entries(placement).map(([c, p]) => [c, p.replicas]));
}

/** The replica counts the autoscaler decided (status.scaling), unless it only previews. */
function autoscaled(scaling: AppStatus['scaling']): Record<string, number> | undefined {
  if (!scaling || scaling.preview) return undefined;
  return Object.fromEntries(Object.entries(scaling.components).map(([c, d]) => [c, d.desired]));
}

function keyOf(app: StoredObject) {
  return { kind: app.kind, tenant: app.metadata.tenant ?? '', name: app.metadata.name };
}

function keyString(m: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${m.apiVersion}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

/** `apps/v1/Deployment/ns/web` → `Deployment/web`. */
function shortKey(key: string): string {
  const parts = key.split('/');
  return `${parts.at(-3)}/${parts.at(-1)}`;
}

function ignoreNotFound(e: unknown): undefined {
  if (e instanceof NotFoundError) return undefined;
  throw e;
}

/**
 * Whether what this generation delivered so far runs: every workload observed in the last reconcile, on every
 * cluster, is running. A deploy step waits for it before the workflow moves on.
 */
function observedHealthy(mem: Memory, previous: AppStatus | undefined, generation: number): boolean {
  if (!previous || previous.observedGeneration !== generation) return false;
  if (mem.observations.size === 0) return false;
  for (const obs of mem.observations.values()) {
    if (!Array.isArray(obs)) return false;
    if ((obs as readonly WorkloadStatus[]).some((w) => w.phase !== 'Running' && w.phase !== 'Succeeded')) return false;
  }
  return true;
}
