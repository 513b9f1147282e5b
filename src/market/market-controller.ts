import { EventRecorder } from '../events/event-recorder.ts';
import type { Message } from '../kernel/messages/index.ts';
import type { Owner } from '../kernel/ownership.ts';
import { WorkQueue } from '../kernel/work-queue.ts';
import type { Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { namespaceOf } from '../delivery/namespace.ts';
import type { Attachments } from './attachments.ts';
import { BindingReconciler } from './binding-reconciler.ts';
import { InstanceReconciler } from './instance-reconciler.ts';
import type { ServiceBindingSpec } from './market-kinds.ts';
import { MARKET_API_VERSION, PLATFORM_SPACE } from './market-kinds.ts';
import type { BindingStatus, InstanceStatus, MarketDeps, ReconcileContext } from './market-types.ts';
import { INSTANCE_LABEL } from './market-types.ts';
import { MarketWrites, secretData } from './market-writes.ts';
import { grantId } from './provisioners/index.ts';
import { SharingReconciler } from './sharing-reconciler.ts';

/** The kinds the controller watches: instances and bindings, and data sharing's APIs and subscriptions. */
const WATCHED = ['MarketInstance', 'ServiceBinding', 'SharedAPI', 'APISubscription'] as const;

export type { BindingStatus, InstanceStatus, MarketDeps } from './market-types.ts';
export { BINDING_FINALIZER, INSTANCE_FINALIZER, INSTANCE_LABEL } from './market-types.ts';

/**
 * The marketplace controller: keeps each instance's Application as its item version renders it, and takes each
 * binding through a small state machine (finalizer → credentials Secret written ahead → provision, retried with
 * backoff → Ready, or rolled back after maxAttempts; on deletion revoke → Secret removed → finalizer dropped).
 * Every step is idempotent and its state durable, so a restart at any point ends complete or rolled back.
 */
export class MarketController {
  private readonly deps: MarketDeps;
  private readonly queue: WorkQueue;
  private readonly events: EventRecorder;
  private readonly subs: Subscription[] = [];
  /** Which bindings name each application or instance (tenant/name → binding keys), from the feed. */
  private readonly byApp = new Map<string, Set<string>>();
  private readonly byInstance = new Map<string, Set<string>>();
  private readonly bindingRefs = new Map<string, { app: string; instance: string }>();
  private readonly writes: MarketWrites;
  private readonly instances: InstanceReconciler;
  private readonly bindings: BindingReconciler;
  private readonly sharing: SharingReconciler;
  /** The indexes' feed subscriptions and first listing (startIndexes). */
  private indexing: Promise<void> | undefined;
  /** This replica reconciles (holds the controllers' lease). */
  private reconciling = false;

  constructor(deps: MarketDeps) {
    this.deps = deps;
    this.writes = new MarketWrites(deps);
    const context: ReconcileContext = {
      deps,
      writes: this.writes,
      requeue: (key, afterMs) => (afterMs ? this.queue.addAfter(key, afterMs) : this.queue.add(key)),
      event: (o, type, reason, detail) => this.event(o, type, reason, detail),
      bindingsOf: (instance) => [...(this.byInstance.get(instance) ?? [])],
    };
    this.instances = new InstanceReconciler(context);
    this.bindings = new BindingReconciler(context);
    this.sharing = new SharingReconciler(deps, this.writes, (key) => this.queue.add(key));
    this.queue = new WorkQueue((key) => this.reconcile(key), {
      concurrency: 8,
      onError: (key, e) => deps.log?.(`market reconcile ${key} failed`, e),
    });
    this.events = new EventRecorder({
      resources: deps.resources,
      clock: deps.clock,
      component: 'market',
      log: deps.log,
    });
  }

  /**
   * Keeps the indexes delivery's attachments read (bindings by application and instance, subscriptions by
   * application and API) from the change feed, on every replica that delivers, leader or not: with several
   * replicas an application is delivered by the replica that owns it, and it must get its binding and API key
   * Secrets and network paths there too. Idempotent; resolves once the indexes hold every object stored now.
   */
  async startIndexes(): Promise<void> {
    this.indexing ??= this.openIndexes();
    return this.indexing;
  }

  private async openIndexes(): Promise<void> {
    const from = await this.deps.store.currentRevision();
    for (const kind of WATCHED)
      this.subs.push(
        this.deps.feed.subscribe({
          from,
          filter: { kind },
          onEvent: (e) => {
            const o = e.object;
            if (kind === 'ServiceBinding') this.index(o, e.type === 'DELETED');
            if (kind === 'SharedAPI' || kind === 'APISubscription')
              this.sharing.index(o, e.type === 'DELETED', this.reconciling);
            if (this.reconciling) this.queue.add(`${kind}/${o.metadata.tenant}/${o.metadata.name}`);
          },
          onError: (err) => {
            this.deps.log?.('market watch failed; resyncing', err);
            void this.resyncAll();
          },
        }),
      );
    await this.resyncAll();
  }

  /** Starts reconciling instances, bindings and data sharing (the leader's part), after the indexes. */
  async start(): Promise<void> {
    await this.startIndexes();
    this.reconciling = true;
    await this.resyncAll();
  }

  /** Stops reconciling (the leader's term ended); the indexes go on serving this replica's delivery. */
  stop(): void {
    this.reconciling = false;
    this.queue.stop();
  }

  /** Stops everything, the indexes too (the replica stops). */
  close(): void {
    this.stop();
    for (const sub of this.subs) sub.close();
    this.subs.length = 0;
  }

  async idle(): Promise<void> {
    await this.queue.idle();
    await this.events.idle();
  }

  /** Reads every watched object into the indexes, and queues it when reconciling. */
  async resyncAll(): Promise<void> {
    for (const kind of WATCHED) {
      let cont: string | undefined;
      do {
        const page = await this.deps.store.list({ kind, limit: 1000, continue: cont });
        for (const o of page.items) {
          if (kind === 'ServiceBinding') this.index(o, false);
          if (kind === 'SharedAPI' || kind === 'APISubscription') this.sharing.index(o, false, this.reconciling);
          if (this.reconciling) this.queue.add(`${kind}/${o.metadata.tenant}/${o.metadata.name}`);
        }
        cont = page.continue;
      } while (cont);
    }
  }

  private index(b: StoredObject, deleted: boolean): void {
    const key = `${b.metadata.tenant}/${b.metadata.name}`;
    const old = this.bindingRefs.get(key);
    if (old) {
      this.byApp.get(old.app)?.delete(key);
      this.byInstance.get(old.instance)?.delete(key);
    }
    if (deleted) {
      this.bindingRefs.delete(key);
      return;
    }
    const spec = b.spec as ServiceBindingSpec;
    const ref = {
      app: `${b.metadata.tenant}/${spec.application}`,
      instance: `${spec.shared ? PLATFORM_SPACE : b.metadata.tenant}/${spec.instance}`,
    };
    this.bindingRefs.set(key, ref);
    for (const [map, k] of [
      [this.byApp, ref.app],
      [this.byInstance, ref.instance],
    ] as const) {
      const set = map.get(k) ?? new Set<string>();
      set.add(key);
      map.set(k, set);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const [kind, tenant, name] = key.split('/') as [string, string, string];
    if (kind === 'MarketInstance') return this.instances.reconcile(tenant, name);
    if (kind === 'SharedAPI') return this.sharing.reconcileAPI(tenant, name);
    if (kind === 'APISubscription') return this.sharing.reconcileSubscription(tenant, name);
    return this.bindings.reconcile(tenant, name);
  }

  // ── Attachments, for delivery ─────────────────────────────────────────────────────────────────────────────

  /**
   * What an application gets from the marketplace on every cluster (see attachments.ts): the Secrets of its
   * Ready bindings, its instance's admin Secret, and network paths from the applications bound to its instance.
   * `app`: the Application as the reconcile asking read it (its instance label), so it is not read and parsed again
   * at every reconcile; absent, it is read from the store.
   */
  async attachments(owner: Owner, app?: StoredObject): Promise<Attachments | undefined> {
    const key = `${owner.tenant}/${owner.app}`;
    const secrets: Array<{ name: string; data: Record<string, string>; env?: boolean }> = [];
    const ingress: Attachments['ingress'][number][] = [];
    for (const bkey of this.byApp.get(key) ?? []) {
      const [tenant, name] = bkey.split('/') as [string, string];
      const b = await this.deps.store.get({ kind: 'ServiceBinding', tenant, name });
      const st = b?.status as BindingStatus | undefined;
      if (!b || b.metadata.deletionTimestamp || st?.phase !== 'Ready' || !st.secret) continue;
      const s = await this.writes.secret(tenant, st.secret);
      if (s) secrets.push({ name: st.secret, data: secretData(s) });
    }
    app ??= await this.deps.store.get({ kind: 'Application', tenant: owner.tenant, name: owner.app });
    const instanceName = app?.metadata.labels?.[INSTANCE_LABEL];
    if (instanceName) {
      const inst = await this.deps.store.get({ kind: 'MarketInstance', tenant: owner.tenant, name: instanceName });
      const ist = inst?.status as InstanceStatus | undefined;
      if (ist?.adminSecret) {
        const s = await this.writes.secret(owner.tenant, ist.adminSecret);
        if (s) secrets.push({ name: ist.adminSecret, data: secretData(s), env: false });
      }
      for (const bkey of this.byInstance.get(`${owner.tenant}/${instanceName}`) ?? []) {
        const [tenant, name] = bkey.split('/') as [string, string];
        const b = await this.deps.store.get({ kind: 'ServiceBinding', tenant, name });
        const st = b?.status as BindingStatus | undefined;
        if (!b || b.metadata.deletionTimestamp || st?.phase !== 'Ready' || !ist?.connection) continue;
        const bspec = b.spec as ServiceBindingSpec;
        const subscriber = await this.deps.store.get({ kind: 'Application', tenant, name: bspec.application });
        ingress.push({
          name: `polis-bind-${grantId(tenant, name, b.metadata.uid).slice(2)}`,
          component: ist.connection.component,
          port: ist.connection.port,
          fromNamespace: namespaceOf(tenant, bspec.application, subscriber?.status),
          fromApp: bspec.application,
        });
      }
    }
    const shared = await this.sharing.attachments(owner);
    secrets.push(...shared.secrets);
    ingress.push(...shared.ingress);
    return secrets.length || ingress.length ? { secrets, ingress } : undefined;
  }
  private event(b: StoredObject, type: 'Normal' | 'Warning', reason: string, detail: Message): void {
    void this.events.record({
      tenant: b.metadata.tenant!,
      involved: { kind: b.kind, name: b.metadata.name, apiVersion: MARKET_API_VERSION },
      type,
      reason,
      detail,
    });
  }
}
