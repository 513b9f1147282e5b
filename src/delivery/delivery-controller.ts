import type { ApplicationSpec } from '../apps/application-kind.ts';
import { APPROVALS_ANNOTATION, parseApprovals } from '../apps/approvals.ts';
import { revisionName } from '../apps/revisions.ts';
import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import type { WorkloadStatus } from '../clusters/driver.ts';
import type { Owner } from '../kernel/ownership.ts';
import { forcesConflicts } from '../kernel/ownership.ts';
import { ClusterUnreachableError } from '../clusters/driver.ts';
import { EventRecorder } from '../events/event-recorder.ts';
import type { Clock } from '../kernel/clock.ts';
import { causeDetail, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Resources } from '../kernel/resources.ts';
import { WorkQueue } from '../kernel/work-queue.ts';
import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import type { ApplyProblem, AppStatus, Observation } from './app-status.ts';
import type { RoomOf, SchedulingCaps } from './app-status.ts';
import { applicationStatus, schedulablePlacement, schedulingCaps } from './app-status.ts';
import { desiredDemands, placementDemands, planDelivery, sharingDemands } from './desired-state.ts';
import { memoPlan, type PlanMemo } from './plan-memo.ts';
import type { NamespaceQuota } from './namespace.ts';
import { ownerOf } from './namespace.ts';
import { resolveRefObjects } from './ref-objects.ts';
import { readStepValues } from './read-values.ts';
import { localClusterName } from '../placement/topology-policy.ts';
import { StatusBatcher } from './status-batcher.ts';
import { resyncQueues, widerScope, type ResyncScope } from './resync-scope.ts';
import { deliveryAnnotations, deliveryInputDigest } from './delivery-input.ts';
import { applyToCluster } from './cluster-apply.ts';
import { redeliveryRequested } from './redelivery-relay.ts';
import { EventNotes, placementNote } from './event-notes.ts';
import { clustersOf, planFailback, replicasOf } from './failback-plan.ts';
import { LeftoverCleanup } from './leftover-cleanup.ts';
import type { ApplicationShare, TenantSharingSpec } from './sharing-ledger.ts';
import { SharingLedger, priorityOf } from './sharing-ledger.ts';
import { sharingNotes, sharingStatus } from './sharing-status.ts';
import type { ClusterCandidate, ComponentDemand } from '../placement/types.ts';
import { CapacityLedger } from '../placement/capacity-ledger.ts';
import { holdsVolumes, leftoverRemovable, unprobedClusters } from './cluster-hold.ts';
import { crashLoopFailover, crashLoopToleration } from '../failover/component-failover.ts';
import { advanceWorkflow, appDependencies, readSteps, waitingOnApp, type StepEffect } from './workflow.ts';
import { expandWorkflow } from '../apps/workflow/expand.ts';
import { stepMessages } from '../apps/workflow/notification.ts';
import { recordOnlyNotifier, type StepNotifier } from './step-notifier.ts';
import type { BurstLimits, BurstUse } from '../placement/burst-limits.ts';
import { burstAllowance } from '../placement/burst-limits.ts';
import { BurstLedger, burstReport } from './burst-ledger.ts';
import type { AutoscalingProperties } from '../scaling/autoscaling-policy.ts';
import type { Attachments } from '../market/attachments.ts';
import type { SharedRoom } from './shared-room.ts';

export const DELIVERY_FINALIZER = 'polis.io/delivery';

export interface DeliveryDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly feed: ChangeFeed;
  readonly clock: Clock;
  readonly clusters: ClusterDirectory;
  /** Fair sharing of the private cloud (default true); false places first come, first served (a benchmark's baseline). */
  readonly fairSharing?: boolean;
  /** Every application is reconciled again this often even without a change (0: never). */
  readonly resyncMs?: number;
  /**
   * Virtual time (benchmarks, tests): timed rechecks (failback after the stabilization period, a tolerated crash
   * loop, a workflow wait…) come due by `clock`, not the wall clock, and are queued by `idle()` once due.
   */
  readonly virtualTime?: boolean;
  readonly concurrency?: number;
  /** Events older than this are pruned (default 6 h). */
  readonly eventTtlMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
  /** Where notification and webhook steps go (default: recorded as events only, nothing sent). */
  readonly notifier?: StepNotifier;
  /**
   * What the marketplace adds to an application (its bindings' Secrets, its instance's network paths), given the
   * Application as the reconcile read it.
   */
  readonly attachments?: (owner: Owner, app: StoredObject) => Promise<Attachments | undefined>;
  /**
   * Several replicas (docs/deploy.md): the applications this replica handles. Absent, it handles every one (one
   * process). Others' applications only feed its fair-sharing view.
   */
  readonly shard?: DeliveryShard;
  /** Several replicas: placement's room reserved in the store (absent: reserved in this process only). */
  readonly room?: SharedRoom;
}

/** Which applications this replica handles, and when that changes (a ShardMember). */
export interface DeliveryShard {
  owns(tenant: string, name: string): boolean;
  onChange(listener: () => void | Promise<void>): () => void;
}

/** Counters for tests, benchmarks and /metrics. */
export interface DeliveryStats {
  reconciles: number;
  statusWrites: number;
  applies: number;
  /** Of those, applies the cluster answered unchanged without the manifests (ClusterDriver.applyUnchanged). */
  appliesUnchanged: number;
  objectsChanged: number;
  prunes: number;
  errors: number;
  /** Reconciles put off until the next paced fair-sharing decision (SharingPace). */
  sharingDeferred: number;
  /** Reconciles that took their last plan again, its inputs unchanged (src/delivery/plan-memo.ts). */
  plansReused: number;
  /**
   * Reconciles by what queued them (the first trigger since the key's last reconcile began: an application change,
   * a resync, a workload change, room freed, a timed recheck...; `retry` after a failure). For diagnosing how many
   * reconciles a delivery takes (bench/scale-out prints them). `not-owned`: queued before a rebalance gave the
   * application to another replica, so the reconcile only looked that up.
   */
  readonly byTrigger: Record<string, number>;
}

/** What queued a reconcile (DeliveryStats.byTrigger). */
export type ReconcileTrigger =
  | 'app-new'
  | 'app-change'
  | 'redelivery'
  | 'external'
  | 'resync'
  | 'yield-others'
  | 'workload'
  | 'room'
  | 'ref-objects'
  | 'sharing-deferred'
  | 'crash-recheck'
  | 'failback-recheck'
  | 'reserve-conflict'
  | 'workflow-recheck'
  | 'waiting-on-app'
  | 'workflow-next'
  | 'status-conflict'
  | 'suspend-check';

interface Memory {
  /** Per cluster: the hash of what was last applied there. */
  applied: Map<string, string>;
  /** Resource version of the status we last wrote (to skip our own change events). */
  writtenVersion?: string;
  /**
   * What the last reconcile read of the application, or the status it wrote on it (deliveryInputDigest): a change
   * event with this digest (an annotation delivery does not read, nothing else) needs no reconcile.
   */
  seen?: string;
  /** The last observations, for workflow health checks. */
  observations: Map<string, Observation>;
  /** Some replicas found no room in the last reconcile: retried when a cluster's capacity changes. */
  unplaced?: boolean;
  /** The last reconcile left nothing of it in any cluster (nothing applied, held or waiting for removal). */
  holdsNothing?: boolean;
  /** Resource version of the application as the last reconcile left it (read, or with the status it wrote). */
  reconciledVersion?: string;
  /**
   * Some replicas run on a burst cluster: placed again when a cluster's capacity changes, so that they come back to
   * private room as soon as it frees (a borrower yields, an application shrinks), not at the next full resync.
   */
  onBurst?: boolean;
  /** Where clusters recently could not schedule this application's replicas (see schedulingCaps). */
  schedulingCaps?: SchedulingCaps;
  /** The application's owner (department, application, namespace) as last reconciled. */
  owner: Owner;
  /**
   * One of this controller's own writes of the application (its status, the finalizer) is in flight: change events
   * wait for its answer (heldDuring).
   */
  ownWrite?: { readonly held: StoredObject[] };
  /** Resource version of the application the last reconcile read (or its own finalizer write returned). */
  readVersion?: string;
  /** The last plan and the digest of its inputs: taken again while they are unchanged (plan-memo.ts). */
  plan?: PlanMemo;
}

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
    appliesUnchanged: 0,
    objectsChanged: 0,
    prunes: 0,
    errors: 0,
    sharingDeferred: 0,
    plansReused: 0,
    byTrigger: {},
  };
  /** The first trigger of each queued key since its last reconcile began, and of its timed one (byTrigger). */
  private readonly triggers = new Map<string, ReconcileTrigger>();
  private readonly timedTriggers = new Map<string, ReconcileTrigger>();
  private readonly deps: DeliveryDeps;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  private readonly statuses: StatusBatcher;
  private readonly memory = new Map<string, Memory>();
  private readonly byNamespace = new Map<string, string>();
  /** Each cluster's free room when its capacity last changed (roomFreed). */
  private readonly lastFree = new Map<string, Resources>();
  private readonly leftovers: LeftoverCleanup;
  private readonly sharing: SharingLedger;
  private readonly burst = new BurstLedger(async (tenant) =>
    (await this.listAll('Application', tenant)).map((a) => ({ name: a.metadata.name, status: a.status })),
  );
  private sub?: Subscription;
  /** Several replicas: requests from the leader's marketplace to deliver an application this replica owns. */
  private requests?: Subscription;
  private timers: NodeJS.Timeout[] = [];
  /** Virtual time: when each timed recheck comes due, by the clock (ms). */
  private readonly dueAt = new Map<string, number>();
  /** The full resync listing now, and the one that follows it (see resyncAll). */
  private resyncing?: Promise<number>;
  private resyncNext?: Promise<number>;
  /** The widest scope of the calls that wait for resyncNext. */
  private resyncNextScope?: ResyncScope;
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
    this.sharing = new SharingLedger({ now: () => deps.clock.now().getTime() });
    this.leftovers = new LeftoverCleanup({
      ...deps,
      cleaned: (o, cluster) => this.event(o, 'Normal', 'CleanedUp', msg('CleanedUpLeftovers', { cluster }), cluster),
    });
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
        if (!this.owns(key)) {
          this.observeOthers(key, e.type === 'DELETED' ? undefined : e.object);
          return;
        }
        const mem = this.memory.get(key);
        if (e.type !== 'DELETED' && mem?.ownWrite) {
          // Most likely the echo of this controller's own write: decided once the write answers (heldDuring).
          mem.ownWrite.held.push(e.object);
          return;
        }
        if (e.type !== 'DELETED' && this.unchangedForDelivery(key, e.object)) return;
        this.add(key, mem ? 'app-change' : 'app-new');
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
          void this.leftovers.returned(cluster);
          void this.resyncAll();
        } else if (change === 'capacity' && this.roomFreed(cluster)) this.requeueForRoom();
      }),
    );
    for (const name of this.deps.clusters.names()) this.listenTo(name);
    await this.rebuildSharing();
    const { shard, room } = this.deps;
    if (shard) {
      this.unlisten.push(shard.onChange(() => this.rebalanced()));
      this.requests = this.deps.feed.subscribe({
        from,
        filter: { kind: 'Event', match: (e) => redeliveryRequested(e) !== undefined },
        onEvent: (e) => {
          const key = redeliveryRequested(e);
          if (key && this.owns(key)) this.add(key, 'redelivery');
        },
        onError: (err) => {
          this.deps.log?.('redelivery requests watch failed; resyncing', err);
          void this.resyncAll();
        },
      });
    }
    if (room) {
      await room.refresh();
      // Reservations expire as clusters report what they hold: applications waiting for room look again.
      this.every(
        2000,
        () =>
          void room.refresh().then(
            (freed) => freed && this.requeueForRoom(),
            () => undefined,
          ),
      );
    }
    await this.resyncAll();
    const resync = this.deps.resyncMs ?? 5 * 60_000;
    if (resync > 0) this.every(resync, () => void this.resyncAll({ periodic: true }));
    this.every(10 * 60_000, () => void this.events.prune(this.deps.eventTtlMs ?? 6 * 3_600_000));
  }

  stop(): void {
    this.sub?.close();
    this.requests?.close();
    for (const t of this.timers) clearInterval(t);
    for (const off of this.unlisten) off();
    this.queue.stop();
  }

  /** Resolves when no reconcile is queued or running and their events are written (virtual time: due rechecks first). */
  async idle(): Promise<void> {
    if (this.deps.virtualTime) this.queueDue();
    await this.queue.idle();
    await this.events.idle();
  }

  /** The applications this controller holds state for (`tenant/name`): with shards, those it handled as owner. */
  handled(): string[] {
    return [...this.memory.keys()].sort();
  }

  /** Reconciles queued or running now (timed retries not counted): 0 once delivery has caught up. */
  get queued(): number {
    return this.queue.size;
  }

  /**
   * Reconciles waiting on a timer (a paced fair-sharing decision, a timed recheck, a retry's backoff): work that will
   * come without any change. Delivery has settled only when this is 0 as well as `queued`.
   */
  get scheduled(): number {
    return this.queue.scheduled;
  }

  enqueue(tenant: string, name: string): void {
    this.add(`${tenant}/${name}`, 'external');
  }

  /**
   * Queues every application (a full resync), from a listing that starts after the call. Calls while a listing runs
   * share the one that follows it: a burst of cluster changes (a hundred clusters answering their first probe, each a
   * `health` change) lists the applications twice, not once per change, which at scale was most of a first
   * delivery's work (a listing of every application per cluster per replica).
   *
   * The periodic one leaves out applications that only wait for room and hold nothing in any cluster: there is no
   * drift to repair, and a capacity change (requeueForRoom), a cluster's health change (a full resync) or a change of
   * their own queues them. An estate of thousands of applications waiting for room then costs no reconcile every few
   * minutes. After a rebalance only the applications this replica has not reconciled at their current version are
   * queued (src/delivery/resync-scope.ts). A shared listing takes the widest scope of the calls that share it.
   */
  resyncAll(opts: { readonly periodic?: boolean; readonly scope?: ResyncScope } = {}): Promise<number> {
    const scope = opts.scope ?? (opts.periodic ? 'periodic' : 'full');
    if (!this.resyncing) {
      this.resyncing = this.listAndQueue(scope).finally(() => (this.resyncing = undefined));
      return this.resyncing;
    }
    this.resyncNextScope = this.resyncNextScope ? widerScope(this.resyncNextScope, scope) : scope;
    this.resyncNext ??= this.resyncing
      .catch(() => 0)
      .then(() => {
        const next = this.resyncNextScope ?? scope;
        this.resyncNext = undefined;
        this.resyncNextScope = undefined;
        return this.resyncAll({ scope: next });
      });
    return this.resyncNext;
  }

  private async listAndQueue(scope: ResyncScope): Promise<number> {
    let cont: string | undefined;
    let n = 0;
    do {
      // Keys only: with several replicas most applications are another's, and none needs its body read here.
      const page = await this.deps.store.list({ kind: 'Application', limit: 1000, continue: cont, keysOnly: true });
      for (const o of page.keys ?? []) {
        const key = `${o.tenant}/${o.name}`;
        if (!this.owns(key)) continue;
        if (!resyncQueues(scope, this.memory.get(key), o.resourceVersion)) continue;
        this.add(key, 'resync');
        n++;
      }
      cont = page.continue;
    } while (cont);
    return n;
  }

  /** Whether `app` is, for delivery, what the last reconcile of `key` read or wrote (see Memory.seen). */
  private unchangedForDelivery(key: string, app: StoredObject): boolean {
    const mem = this.memory.get(key);
    if (!mem) return false;
    if (mem.writtenVersion === app.metadata.resourceVersion) return true;
    // A version no newer than the one the last reconcile read (revisions only grow): that reconcile saw it or later.
    if (mem.readVersion !== undefined && Number(app.metadata.resourceVersion) <= Number(mem.readVersion)) return true;
    return mem.seen !== undefined && mem.seen === deliveryInputDigest(app);
  }

  /** Whether this replica handles the application `tenant/name` (always, without shards). */
  private owns(key: string): boolean {
    if (!this.deps.shard) return true;
    const slash = key.indexOf('/');
    return this.deps.shard.owns(key.slice(0, slash), key.slice(slash + 1));
  }

  /**
   * The live replicas changed: let go of the applications another replica handles now (their memory; they are
   * still counted in fair sharing) and take up those this one gained, or that changed since it last reconciled them
   * (a resync of scope `changed`; those it kept as they were need nothing).
   */
  private async rebalanced(): Promise<void> {
    for (const key of [...this.memory.keys()]) {
      if (this.owns(key)) continue;
      this.memory.delete(key);
      for (const [namespace, k] of [...this.byNamespace]) if (k === key) this.byNamespace.delete(namespace);
    }
    await this.resyncAll({ scope: 'changed' });
  }

  /** Another replica's application: only its demand and placement, for this replica's fair-sharing decisions. */
  private observeOthers(key: string, a: StoredObject | undefined): void {
    if (this.deps.fairSharing === false) return;
    if (!a || a.metadata.deletionTimestamp) {
      this.sharing.remove(key);
      return;
    }
    // Per change event of every application in the estate: the roles only, not every cluster's candidate built.
    const isPrivate = (c: string) => this.deps.clusters.role(c) !== 'burst';
    const status = a.status as Partial<AppStatus> | undefined;
    try {
      const demands = sharingDemands(a.spec as ApplicationSpec, autoscaled(status?.scaling), () =>
        this.deps.clusters.candidates(),
      );
      this.sharing.setDemand(key, a.metadata.tenant ?? '', priorityOf(a.metadata.labels), demands);
      this.sharing.setPlacement(key, status?.placement ?? {}, isPrivate);
    } catch (e) {
      this.deps.log?.(`fair sharing: ${key} left out`, e);
    }
    // Owned applications that must give borrowed room back because of it are reconciled here.
    for (const other of this.sharing.takeYielding()) if (this.owns(other)) this.add(other, 'yield-others');
  }

  /** A cluster's workload changes (pods ready, lost, rolled) bring the owning application back to the queue. */
  private listenTo(cluster: string): void {
    const off = this.deps.clusters.driver(cluster)?.watchWorkloads?.((namespace) => {
      const key = this.byNamespace.get(namespace);
      if (key) this.add(key, 'workload');
    });
    if (off) this.unlisten.push(off);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /**
   * Whether `cluster` has more free room than when last asked (cpu, memory or pods): only then may an application
   * waiting for room fit where it did not. Capacity also changes as replicas are placed and start (room taken), and
   * requeueing thousands of waiting applications at each of those changes is work for nothing.
   */
  private roomFreed(cluster: string): boolean {
    const free = this.deps.clusters.candidate(cluster)?.free;
    const was = this.lastFree.get(cluster);
    if (free) this.lastFree.set(cluster, free);
    else this.lastFree.delete(cluster);
    return !free || !was || free.cpuMilli > was.cpuMilli || free.memoryBytes > was.memoryBytes || free.pods > was.pods;
  }

  private requeueForRoom(): void {
    for (const [key, m] of this.memory) if (m.unplaced || m.onBurst) this.add(key, 'room');
  }

  private add(key: string, trigger: ReconcileTrigger): void {
    if (!this.triggers.has(key)) this.triggers.set(key, trigger);
    this.queue.add(key);
  }

  private addAfter(key: string, ms: number, trigger: ReconcileTrigger): void {
    if (!this.timedTriggers.has(key)) this.timedTriggers.set(key, trigger);
    if (this.deps.virtualTime) {
      // The wall clock does not move with virtual time: a 60 s recheck would come after the run, or never.
      const at = this.deps.clock.now().getTime() + ms;
      const was = this.dueAt.get(key);
      if (was === undefined || at < was) this.dueAt.set(key, at);
      return;
    }
    this.queue.addAfter(key, ms);
  }

  /** Virtual time: queues the timed rechecks whose time has come by the clock. */
  private queueDue(): void {
    const now = this.deps.clock.now().getTime();
    for (const [key, at] of this.dueAt)
      if (at <= now) {
        this.dueAt.delete(key);
        this.queue.add(key);
      }
  }

  /**
   * Counts a reconcile of `key` under what queued it (byTrigger); one of an application another replica handles by
   * now (queued before a rebalance) only looks that up, and is counted as `not-owned`.
   */
  private countTrigger(key: string, owned: boolean): void {
    let t: string | undefined = this.triggers.get(key);
    if (t !== undefined) this.triggers.delete(key);
    else {
      t = this.timedTriggers.get(key) ?? 'retry';
      this.timedTriggers.delete(key);
    }
    if (!owned) t = 'not-owned';
    this.stats.byTrigger[t] = (this.stats.byTrigger[t] ?? 0) + 1;
  }

  /** One reconcile of one application. Safe to repeat at any point; writes only what changed. */
  async reconcile(key: string): Promise<void> {
    this.stats.reconciles++;
    const slash = key.indexOf('/');
    const tenant = key.slice(0, slash);
    const name = key.slice(slash + 1);
    this.countTrigger(key, this.owns(key));
    if (!this.owns(key)) {
      // Another replica handles it now (a rebalance while it was queued).
      this.memory.delete(key);
      return;
    }
    const app = await this.deps.store.get({ kind: 'Application', tenant, name });
    if (!app) {
      this.forget(key, tenant, name);
      return;
    }
    // The namespace recorded at the first delivery (or the legacy one of an application delivered before).
    const owner = ownerOf(tenant, name, app.status);
    this.byNamespace.set(owner.namespace, key);
    const mem: Memory = this.memory.get(key) ?? { applied: new Map(), observations: new Map(), owner };
    mem.owner = owner;
    mem.seen = deliveryInputDigest(app);
    mem.readVersion = app.metadata.resourceVersion;
    this.memory.set(key, mem);
    if (app.metadata.deletionTimestamp) {
      await this.finalize(app, owner, mem);
      return;
    }
    if (!(app.metadata.finalizers ?? []).includes(DELIVERY_FINALIZER)) {
      // The finalizer is stored before anything is applied; delivery goes on with what the patch returned (as the
      // reconcile its change event used to queue would have read), and that echo queues nothing.
      const patched = await this.heldDuring(
        key,
        mem,
        () =>
          this.deps.resources.patch(this.ctx(key), keyOf(app), {
            metadata: { finalizers: [...(app.metadata.finalizers ?? []), DELIVERY_FINALIZER] },
          }),
        (p) => {
          mem.seen = deliveryInputDigest(p);
          mem.readVersion = p.metadata.resourceVersion;
        },
      );
      if (patched.metadata.deletionTimestamp) {
        await this.finalize(patched, owner, mem);
        return;
      }
      await this.deliver(patched, owner, mem, key);
      return;
    }
    await this.deliver(app, owner, mem, key);
  }

  private async deliver(app: StoredObject, owner: Owner, mem: Memory, key: string): Promise<void> {
    // The workflow's own components (a step's objects, replication copies) join the application's.
    // read-object steps: what each reads now (an Application of this department, or an object in its namespaces).
    const readObjects = await readStepValues(readSteps(app.spec as ApplicationSpec), owner, app.metadata.namespace, {
      driver: (c) => this.deps.clusters.driver(c),
      localCluster: localClusterName(),
      application: (name) => this.deps.store.get({ kind: 'Application', tenant: owner.tenant, name }),
    });
    const expanded = expandWorkflow(app.spec as ApplicationSpec, {
      appName: owner.app,
      namespace: app.metadata.namespace,
      readObjects,
    }).spec;
    // ref-objects: the referenced objects, read from the department's own namespaces; until every one can be read,
    // nothing of the application is applied (never an empty or partial copy).
    const refs = await resolveRefObjects(expanded, owner, app.metadata.namespace, {
      driver: (c) => this.deps.clusters.driver(c),
      localCluster: localClusterName(),
    });
    if (!refs.ok) {
      this.event(owner, 'Warning', 'RefObjectsNotRead', msg('MessageList', { items: [...refs.problems] }));
      this.addAfter(key, 10_000, 'ref-objects');
      return;
    }
    const spec = refs.spec;
    // A status the autoscaler wrote before the first delivery holds only `scaling`: no delivery state yet.
    const stored = app.status as Partial<AppStatus> | undefined;
    const previous = stored?.placement ? (stored as AppStatus) : undefined;
    const scaling = stored?.scaling;
    const saturation = stored?.saturation && Object.keys(stored.saturation).length ? stored.saturation : undefined;
    // A cluster it is on that has not been probed yet (polis just started): hold, until its first heartbeat.
    if (unprobedClusters(previous, (c) => this.deps.clusters.health(c)).length > 0) return;
    const generation = app.metadata.generation;
    const revision = revisionName(owner.app, generation);
    const nowMs = this.deps.clock.now().getTime();
    const now = new Date(nowMs).toISOString();
    const failoverProps = spec.policies?.find((p) => p.type === 'failover')?.properties as
      Record<string, unknown> | undefined;
    const failoverOn = failoverProps?.enabled !== false;
    // With failover off, the clusters the application runs on keep it even while unhealthy: nothing moves.
    const running = clustersOf(previous?.placement ?? {});
    const kept: string[] = [];
    const candidates = this.deps.clusters.candidates().map((c) => {
      if (failoverOn || c.healthy || c.draining || !running.has(c.name)) return c;
      kept.push(c.name);
      return { ...c, healthy: true };
    });
    // What the plan memo knows of the candidates: the digest of the directory's (read in the same synchronous
    // stretch as the candidates; the same room as at the last plan gives the same digest, however often it changed
    // in between) and the unhealthy clusters failover-off keeps as healthy.
    const candidatesKey = `${this.deps.clusters.candidatesDigest()}:${kept.join(',')}`;
    const healthyNames = new Set(candidates.filter((c) => c.healthy).map((c) => c.name));
    // Draining is the data bureau's move, not a failure: no failover is recorded, nothing fails back.
    const draining = new Set(candidates.filter((c) => c.draining).map((c) => c.name));
    const crash = crashLoopFailover({
      previous: previous?.crashLoops,
      components: previous?.components ?? [],
      generation,
      now,
      tolerationMs: failoverOn ? crashLoopToleration(failoverProps) : Infinity,
    });

    // Workflow: which deploy steps this generation has reached, judged by the last observations.
    // depends-on-app: only applications of this department are read (the store key carries the tenant).
    const runningApps = new Set<string>();
    for (const name of new Set(appDependencies(spec))) {
      if (name === owner.app) continue;
      const other = await this.deps.store.get({ kind: 'Application', tenant: owner.tenant, name });
      if ((other?.status as { phase?: string } | undefined)?.phase === 'Running') runningApps.add(name);
    }
    const workflow = advanceWorkflow(spec, previous?.workflow, {
      generation,
      approvals: parseApprovals(deliveryAnnotations(app)?.[APPROVALS_ANNOTATION]),
      now,
      stepHealthy: () => observedHealthy(mem, previous, generation),
      appRunning: (name) => runningApps.has(name),
      objectRead: (step) => readObjects[step] !== undefined,
      context: { name: owner.app, namespace: app.metadata.namespace ?? 'default' },
    });
    const tenantObj = await this.deps.store.get({ kind: 'Tenant', tenant: '', name: owner.tenant });
    const tenantSpec = tenantObj?.spec as
      ({ quota?: NamespaceQuota; burst?: BurstLimits } & TenantSharingSpec) | undefined;
    const share = this.shareOf(key, app, tenantSpec, candidates);
    if (share && 'deferredMs' in share) {
      // A contended estate's fair-sharing decision is paced; this application changed since the last one and is
      // decided with the next (nothing of it is written meanwhile).
      this.stats.sharingDeferred++;
      this.addAfter(key, Math.ceil(share.deferredMs), 'sharing-deferred');
      return;
    }
    const capped = schedulingCaps(
      previous,
      mem.schedulingCaps ?? new Map(),
      nowMs,
      placementRoom(spec, scaling, previous, candidates),
    );
    mem.schedulingCaps = capped.caps;
    const burst = burstAllowance({
      application: (spec.policies?.find((p) => p.type === 'autoscaling')?.properties as AutoscalingProperties)?.burst,
      department: tenantSpec?.burst,
      departmentUse: await this.burst.othersUse(owner.tenant, owner.app),
      now: nowMs,
    });
    const attachments = await this.deps.attachments?.(owner, app);
    const base = {
      owner,
      spec,
      ...(attachments ? { attachments } : {}),
      revision,
      candidates,
      steps: workflow.reached,
      ...(app.metadata.namespace !== undefined ? { declaredNamespace: app.metadata.namespace } : {}),
      quota: tenantSpec?.quota,
      replicas: autoscaled(scaling),
      ...(burst.allowance ? { burst: burst.allowance } : {}),
      ...(Object.keys(crash.avoid).length ? { avoid: crash.avoid } : {}),
      ...(capped.byComponent ? { roomCap: capped.byComponent } : {}),
      ...(share ? { privateCap: share.privateCap } : {}),
    };
    const planned = memoPlan(
      mem.plan,
      { ...base, current: previous ? schedulablePlacement(previous) : {} },
      candidatesKey,
      planDelivery,
    );
    mem.plan = planned.memo;
    if (planned.reused) this.stats.plansReused++;
    const sticky = planned.result;
    if (!sticky.ok) {
      this.event(owner, 'Warning', 'RenderFailed', msg('MessageList', { items: sticky.errors.map(causeDetail) }));
      return;
    }
    const notes = new EventNotes();
    for (const m of crash.moved) notes.add('Warning', 'ComponentFailedOver', undefined, m);
    if (crash.recheckInMs !== undefined) this.addAfter(key, crash.recheckInMs, 'crash-recheck');
    const { plan, failover, recheckInMs } = planFailback(
      { ...base, generation },
      sticky,
      previous,
      healthyNames,
      (c) => this.deps.clusters.health(c),
      now,
      notes,
      draining,
    );
    if (recheckInMs !== undefined) this.addAfter(key, recheckInMs, 'failback-recheck');
    if (!(await this.reserveDelta(key, previous, plan, candidates))) {
      // Another replica took the room first: place again with the reservations read afresh.
      this.add(key, 'reserve-conflict');
      return;
    }
    // A topology's namespace of its own: workload changes there bring this application back too.
    for (const cp of plan.clusters) for (const ns of cp.namespaces) this.byNamespace.set(ns, key);

    // Apply to every target cluster in parallel; an unreachable one is noted and retried, never fatal.
    const outcome = { observations: new Map<string, Observation>(), applyErrors: new Map<string, ApplyProblem>() };
    const { observations, applyErrors } = outcome;
    const targets = new Set(plan.clusters.map((c) => c.cluster));
    // Cluster writes are outside the store's transactions: each is preceded by the fence check a store write gets.
    const appKey = keyOf(app);
    const guard = () => this.deps.resources.checkFence(appKey);
    await Promise.all(
      plan.clusters.map((cp) =>
        applyToCluster(
          this.deps.clusters,
          owner,
          cp,
          mem,
          outcome,
          healthyNames,
          notes,
          this.stats,
          guard,
          forcesConflicts(deliveryAnnotations(app)),
        ),
      ),
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
      workloadKinds: Object.fromEntries(plan.demands.map((d) => [d.name, d.workloadKind])),
      observations,
      workflow,
      clusters: [...targets].sort(),
      pendingRemoval: [],
      applyErrors,
      previous,
      now,
      saturation,
    });
    const frozen = workflow.finished ? new Set<string>() : new Set(previous?.clusters ?? []);
    const keepsData = plan.clusters.some((cp) => holdsVolumes(cp.manifests));
    for (const cluster of [...had].sort()) {
      if (targets.has(cluster) || frozen.has(cluster)) continue;
      const driver = this.deps.clusters.driver(cluster);
      const removable = leftoverRemovable({
        cluster,
        // A draining cluster is reachable and Ready: its leftovers go once the application is healthy elsewhere.
        ready:
          (healthyNames.has(cluster) || draining.has(cluster)) && this.deps.clusters.health(cluster)?.state === 'Ready',
        appHealthy: status0.healthy,
        // Data in volumes stays on a drained cluster as on a failover's origin: a maintenance step deletes no data.
        failoverOrigins: [...(failover?.origins ?? []), ...draining],
        holdsVolumes: keepsData,
      });
      if (!driver || !removable) {
        if (driver || this.deps.clusters.names().includes(cluster)) pendingRemoval.push(cluster);
        continue;
      }
      try {
        await guard();
        const pruned = await driver.prune(owner, new Set());
        this.stats.prunes++;
        mem.applied.delete(cluster);
        notes.add('Normal', 'Removed', cluster, msg('RemovedObjects', { count: pruned.deleted.length }));
      } catch (e) {
        if (!(e instanceof ClusterUnreachableError)) throw e;
        pendingRemoval.push(cluster);
      }
    }
    // Only clusters that hold something of it: a target where nothing could be applied is not listed.
    const holding = [...targets].filter((c) => Array.isArray(observations.get(c)) || previous?.clusters.includes(c));
    const clusters = [...new Set([...holding, ...frozen])].sort();
    const per = new Map(plan.demands.map((d) => [d.name, d.perReplica]));
    const bursting = burstReport({
      placement: plan.placement,
      perReplica: (c) => per.get(c),
      clusters: new Map(candidates.map((c) => [c.name, c])),
      decision: burst,
      was: previous?.burst,
    });
    this.burst.record(owner.tenant, owner.app, bursting.use);
    for (const n of bursting.notes) notes.add(n.type, n.reason, undefined, n.detail);
    const isPrivate = (c: string) => candidates.find((x) => x.name === c)?.role !== 'burst';
    this.sharing.setPlacement(key, replicasOf(plan.placement), isPrivate);
    const sharing = share && sharingStatus(share, plan.placement, priorityOf(app.metadata.labels));
    for (const n of sharingNotes(sharing, previous?.sharing)) notes.add('Warning', n.reason, undefined, n.detail);
    const status: AppStatus = {
      ...status0,
      namespace: owner.namespace,
      clusters,
      ...(pendingRemoval.length ? { pendingRemoval } : {}),
      ...(scaling ? { scaling } : {}),
      ...(saturation ? { saturation } : {}),
      ...(failover ? { failover } : {}),
      ...(bursting.status ? { burst: bursting.status } : {}),
      ...(crash.records.length ? { crashLoops: crash.records } : {}),
      ...(sharing ? { sharing } : {}),
    };
    mem.observations = observations;
    mem.unplaced = status.components.some((c) => (c.unplaced ?? 0) > 0);
    mem.holdsNothing = clusters.length === 0 && pendingRemoval.length === 0 && mem.applied.size === 0;
    mem.onBurst = Object.values(plan.placement).some((p) => Object.keys(p.replicas).some((c) => !isPrivate(c)));
    placementNote(notes, previous, status);
    for (const n of notes.grouped()) this.event(owner, n.type, n.reason, n.detail, n.cluster);
    await this.writeStatus(app, status, mem);
    for (const effect of workflow.effects ?? []) void this.notify(owner, app, effect);
    if (workflow.recheckInMs !== undefined)
      this.addAfter(key, Math.max(1000, workflow.recheckInMs), 'workflow-recheck');
    if (workflow.suspended) this.scheduleSuspendCheck(spec, key);
    // Waiting for another application: look again (its status changes do not queue this one).
    else if (waitingOnApp(spec, workflow)) this.addAfter(key, 2000, 'waiting-on-app');
    // What this generation delivered so far runs: go on with the workflow's next step at once.
    else if (!workflow.finished && observedHealthy(mem, status, generation)) this.add(key, 'workflow-next');
  }

  /** Deleting: remove the objects from every reachable cluster, note the unreachable ones, drop the finalizer. */
  private async finalize(app: StoredObject, owner: Owner, mem: Memory): Promise<void> {
    const leftBehind: string[] = [];
    for (const cluster of this.deps.clusters.names()) {
      const driver = this.deps.clusters.driver(cluster);
      if (!driver) continue;
      try {
        await this.deps.resources.checkFence(keyOf(app));
        await driver.prune(owner, new Set());
      } catch (e) {
        if (!(e instanceof ClusterUnreachableError)) throw e;
        leftBehind.push(cluster);
      }
    }
    for (const cluster of leftBehind) await this.leftovers.add(cluster, owner);
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

  /** Fair sharing's decision as it stands, with the capacity it divided (for /metrics and diagnosis). */
  sharingView(): ReturnType<SharingLedger['view']> {
    return this.sharing.view();
  }

  /** Replicas on burst clusters and their cost per hour, by department (for /metrics). */
  burstByDepartment(): Map<string, BurstUse> {
    return this.burst.byDepartment();
  }

  /**
   * Counts what the placement adds on each cluster until the cluster's reports show it: in this process, or, with
   * several replicas, in the store, where it fails (false) when another replica's placement took the room first.
   */
  private async reserveDelta(
    key: string,
    previous: AppStatus | undefined,
    plan: Extract<ReturnType<typeof planDelivery>, { ok: true }>,
    candidates: ReturnType<ClusterDirectory['candidates']>,
  ): Promise<boolean> {
    if (candidates.length === 0) return true;
    const room = this.deps.room;
    if (room) {
      const growth = new Map<string, { cpuMilli: number; memoryBytes: number; pods: number }>();
      for (const d of plan.demands) {
        const now = plan.placement[d.name]?.replicas ?? {};
        const before = previous?.placement[d.name] ?? {};
        for (const [cluster, n] of Object.entries(now)) {
          const delta = n - (before[cluster] ?? 0);
          if (delta <= 0) continue;
          const g = growth.get(cluster) ?? { cpuMilli: 0, memoryBytes: 0, pods: 0 };
          g.cpuMilli += d.perReplica.cpuMilli * delta;
          g.memoryBytes += d.perReplica.memoryBytes * delta;
          g.pods += d.perReplica.pods * delta;
          growth.set(cluster, g);
        }
      }
      return room.reserve(key, growth);
    }
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
    return true;
  }

  private async writeStatus(app: StoredObject, status: AppStatus, mem: Memory): Promise<void> {
    mem.reconciledVersion = app.metadata.resourceVersion;
    if (JSON.stringify(app.status ?? null) === JSON.stringify(status)) return;
    const key = `${app.metadata.tenant}/${app.metadata.name}`;
    const r = await this.heldDuring(
      key,
      mem,
      () => this.statuses.write({ ...app, metadata: { ...app.metadata }, status }),
      (r) => {
        if (!r.ok) return;
        mem.writtenVersion = r.object.metadata.resourceVersion;
        mem.seen = deliveryInputDigest(r.object);
        mem.reconciledVersion = mem.writtenVersion;
        this.stats.statusWrites++;
      },
    );
    if (r.ok) return;
    // The application changed meanwhile: reconciled again (its change event may have been one delivery skips).
    if (r.error instanceof ConflictError) this.add(key, 'status-conflict');
    else if (!(r.error instanceof NotFoundError)) throw r.error;
  }

  /**
   * Runs one of this controller's own writes of application `key`. The store's change event of that very write can
   * arrive before the write answers (this process's own commits wake the feed at once): events of the application
   * arriving meanwhile wait, and are judged once `settle` has recorded what was written (Memory.seen and the
   * versions), so the echo of a controller's own write does not queue another full reconcile, while a change
   * anyone else made meanwhile still does.
   */
  private async heldDuring<T>(key: string, mem: Memory, write: () => Promise<T>, settle: (r: T) => void): Promise<T> {
    const inFlight = { held: [] as StoredObject[] };
    mem.ownWrite = inFlight;
    let r: T;
    try {
      r = await write();
    } finally {
      if (mem.ownWrite === inFlight) mem.ownWrite = undefined;
    }
    settle(r);
    if (inFlight.held.some((o) => !this.unchangedForDelivery(key, o))) this.add(key, 'app-change');
    return r;
  }

  private scheduleSuspendCheck(spec: ApplicationSpec, key: string): void {
    const steps = (spec as { workflow?: { steps?: { type: string; properties?: Record<string, unknown> }[] } }).workflow
      ?.steps;
    if (steps?.some((s) => s.type === 'suspend' && s.properties?.duration)) this.addAfter(key, 1000, 'suspend-check');
  }

  /** Sends what a notification or webhook step says, and records each message as an event either way. */
  private async notify(owner: Owner, app: StoredObject, effect: StepEffect): Promise<void> {
    const notifier = this.deps.notifier ?? recordOnlyNotifier;
    for (const m of stepMessages(effect.type, effect.properties, app.spec)) {
      const r = await notifier.send({ ...m, tenant: owner.tenant, app: owner.app, step: effect.step });
      const host = new URL(m.url).host;
      const where = { step: effect.step, channel: m.channel, host };
      if (r.sent) this.event(owner, 'Normal', 'NotificationSent', msg('NotificationSentTo', where));
      else {
        const type = r.reason === 'NotificationRecorded' ? 'Normal' : 'Warning';
        const why = msg('External', { text: r.detail });
        this.event(owner, type, r.reason, msg('NotificationNotSent', { ...where, why }));
      }
    }
  }

  /** Records an event without waiting for it: events are batched and written apart from the reconcile. */
  private event(
    owner: Pick<Owner, 'tenant' | 'app'>,
    type: 'Normal' | 'Warning',
    reason: string,
    detail: Message,
    cluster?: string,
  ): void {
    void this.events.record({
      tenant: owner.tenant,
      involved: { kind: 'Application', name: owner.app, apiVersion: 'core.oam.dev/v1beta1' },
      type,
      reason,
      detail,
      cluster,
    });
  }

  /**
   * What fair sharing allows this application now (its demand recorded first); applications that must give
   * borrowed replicas back because of it are reconciled at once.
   */
  private shareOf(
    key: string,
    app: StoredObject,
    tenantSpec: TenantSharingSpec | undefined,
    candidates: readonly ClusterCandidate[],
  ): ApplicationShare | { readonly deferredMs: number } | undefined {
    if (this.deps.fairSharing === false) return undefined;
    const spec = app.spec as ApplicationSpec;
    const scaling = (app.status as Partial<AppStatus> | undefined)?.scaling;
    const tenant = app.metadata.tenant ?? '';
    this.sharing.setDepartment(tenant, tenantSpec);
    this.sharing.setCapacity(candidates);
    this.sharing.setDemand(
      key,
      tenant,
      priorityOf(app.metadata.labels),
      sharingDemands(spec, autoscaled(scaling), () => candidates),
    );
    const deferredMs = this.sharing.deferredFor(key);
    if (deferredMs !== undefined) return { deferredMs };
    const share = this.sharing.shareOf(key);
    for (const other of this.sharing.takeYielding()) if (other !== key) this.add(other, 'yield-others');
    return share;
  }

  /**
   * Fair sharing's view rebuilt from the store before the first reconcile: every department's guarantee and every
   * application's demand and private holdings, so that the first decisions after a restart see what runs.
   */
  private async rebuildSharing(): Promise<void> {
    const candidates = this.deps.clusters.candidates();
    const isPrivate = (c: string) => candidates.find((x) => x.name === c)?.role !== 'burst';
    this.sharing.setCapacity(candidates);
    for (const t of await this.listAll('Tenant', ''))
      this.sharing.setDepartment(t.metadata.name, t.spec as TenantSharingSpec | undefined);
    let cont: string | undefined;
    do {
      const page = await this.deps.store.list({ kind: 'Application', limit: 1000, continue: cont });
      for (const a of page.items) {
        const key = `${a.metadata.tenant}/${a.metadata.name}`;
        const status = a.status as Partial<AppStatus> | undefined;
        try {
          const demands = sharingDemands(a.spec as ApplicationSpec, autoscaled(status?.scaling), () => candidates);
          this.sharing.setDemand(key, a.metadata.tenant ?? '', priorityOf(a.metadata.labels), demands);
          this.sharing.setPlacement(key, status?.placement ?? {}, isPrivate);
        } catch (e) {
          this.deps.log?.(`fair sharing: ${key} left out of the rebuild`, e);
        }
      }
      cont = page.continue;
    } while (cont);
    this.sharing.takeYielding();
  }

  private forget(key: string, tenant: string, name: string): void {
    this.sharing.remove(key);
    this.memory.delete(key);
    this.burst.record(tenant, name, undefined);
    for (const [namespace, k] of [...this.byNamespace]) if (k === key) this.byNamespace.delete(namespace);
  }

  private ctx(key: string) {
    return { actor: 'system:delivery', requestId: `reconcile-${key}` };
  }
}

/**
 * Replicas of a component each cluster's free room holds now with the component's own replicas there given back,
 * as placement counts room (for scheduling caps: a cap grows as this room grows).
 */
function placementRoom(
  spec: ApplicationSpec,
  scaling: AppStatus['scaling'],
  previous: AppStatus | undefined,
  candidates: readonly ClusterCandidate[],
): RoomOf | undefined {
  if (!previous) return undefined;
  let per: Map<string, ComponentDemand['perReplica']> | undefined;
  const byName = new Map(candidates.map((c) => [c.name, c]));
  return (component, cluster) => {
    per ??= new Map(placementDemands(desiredDemands(spec, autoscaled(scaling))).map((d) => [d.name, d.perReplica]));
    const p = per.get(component);
    const c = byName.get(cluster);
    if (!p || !c?.allocatable) return undefined;
    const ledger = new CapacityLedger([c.free]);
    ledger.give(0, p, previous.placement[component]?.[cluster] ?? 0);
    return ledger.room(0, p);
  };
}

/** The replica counts the autoscaler decided (status.scaling), unless it only previews. */
function autoscaled(scaling: AppStatus['scaling']): Record<string, number> | undefined {
  if (!scaling || scaling.preview) return undefined;
  return Object.fromEntries(Object.entries(scaling.components).map(([c, d]) => [c, d.desired]));
}

function keyOf(app: StoredObject) {
  return { kind: app.kind, tenant: app.metadata.tenant ?? '', name: app.metadata.name };
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
