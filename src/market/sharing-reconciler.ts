import { randomBytes } from 'node:crypto';
import { ConflictError } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import { renderMessage } from '../kernel/messages/render.ts';
import type { Owner } from '../kernel/ownership.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { namespaceOf } from '../delivery/namespace.ts';
import { sharingAttachments } from './sharing-attachments.ts';
import { SharedAPIIndex } from './shared-api-index.ts';
import type { Attachments } from './attachments.ts';
import type { MarketDeps } from './market-types.ts';
import type { MarketWrites } from './market-writes.ts';
import { SYSTEM, secretData, secretValue } from './market-writes.ts';
import type { APISubscriptionSpec, Decision, SharedAPISpec, SubscriptionPhase } from './sharing-kinds.ts';
import {
  SUBSCRIPTION_FINALIZER,
  SUBSCRIPTION_LABEL,
  VERDICT_PHASE,
  subscriptionEnvPrefix,
  subscriptionSecretName,
} from './sharing-kinds.ts';

export interface SubscriptionStatus {
  readonly phase: SubscriptionPhase;
  readonly reason: string;
  readonly detail: Message;
  readonly decision?: Decision;
  readonly secret?: string;
  readonly conditions: ReadonlyArray<Record<string, unknown>>;
}

const key = (tenant: string, name: string) => `${tenant}/${name}`;

/**
 * Data sharing between departments: takes each APISubscription to the phase its owner's decision says (Requested,
 * Approved, Refused, Revoked, or Withdrawn when the API is gone), keeps the subscriber's API key Secret exactly while
 * it is Approved, lists subscribers on the SharedAPI, and gives delivery the key Secret (subscriber side) and a
 * NetworkPolicy plus the keys' digests (owner side). Level-triggered: every step is recomputed from the objects.
 */
export class SharingReconciler {
  private readonly deps: MarketDeps;
  private readonly writes: MarketWrites;
  private readonly requeue: (key: string) => void;
  /** subscriber tenant/app → subscription keys; owner tenant/api → subscription keys. */
  private readonly byApp = new Map<string, Set<string>>();
  private readonly byAPI = new Map<string, Set<string>>();
  private readonly refs = new Map<string, { app: string; api: string }>();
  /** owner tenant/api → the application it was last seen to publish (to redeliver the old one on a change). */
  private readonly apiApp = new Map<string, string>();
  /** Each application's SharedAPIs, for delivery's attachments: loaded on first use, then kept by the change feed. */
  readonly published: SharedAPIIndex;

  constructor(deps: MarketDeps, writes: MarketWrites, requeue: (key: string) => void) {
    this.deps = deps;
    this.published = new SharedAPIIndex(deps);
    this.writes = writes;
    this.requeue = requeue;
  }

  /**
   * Keeps the indexes from the change feed (or a resync). `act`: the replica reconciles (the leader), so a change
   * also redelivers the applications it concerns and requeues the subscriptions and APIs it touches; every other
   * replica keeps the indexes only, for its own delivery's attachments.
   */
  index(o: StoredObject, deleted: boolean, act: boolean): void {
    const k = key(o.metadata.tenant!, o.metadata.name);
    if (o.kind === 'SharedAPI') {
      const app = (o.spec as SharedAPISpec).application;
      const was = this.apiApp.get(k);
      if (act && was && (deleted || was !== app)) this.deps.redeliver(o.metadata.tenant!, was);
      if (deleted) this.apiApp.delete(k);
      else this.apiApp.set(k, app);
      if (!act) return;
      this.deps.redeliver(o.metadata.tenant!, app);
      for (const s of this.byAPI.get(k) ?? []) this.requeue(`APISubscription/${s}`);
      return;
    }
    const old = this.refs.get(k);
    if (old) {
      this.byApp.get(old.app)?.delete(k);
      this.byAPI.get(old.api)?.delete(k);
      if (act) this.requeue(`SharedAPI/${old.api}`);
    }
    if (deleted) {
      this.refs.delete(k);
      return;
    }
    const spec = o.spec as APISubscriptionSpec;
    const ref = { app: key(o.metadata.tenant!, spec.application), api: key(spec.department, spec.api) };
    this.refs.set(k, ref);
    for (const [map, at] of [
      [this.byApp, ref.app],
      [this.byAPI, ref.api],
    ] as const) {
      const set = map.get(at) ?? new Set<string>();
      set.add(k);
      map.set(at, set);
    }
  }

  async reconcileSubscription(tenant: string, name: string): Promise<void> {
    const s = await this.deps.store.get({ kind: 'APISubscription', tenant, name });
    if (!s) return;
    const spec = s.spec as APISubscriptionSpec;
    const secretName = subscriptionSecretName(name);
    const api = await this.deps.store.get({ kind: 'SharedAPI', tenant: spec.department, name: spec.api });
    const ownerApp = api ? (api.spec as SharedAPISpec).application : undefined;
    if (s.metadata.deletionTimestamp) {
      if (!(s.metadata.finalizers ?? []).includes(SUBSCRIPTION_FINALIZER)) return;
      await this.removeSecret(tenant, secretName);
      await this.writes.dropFinalizer(s, SUBSCRIPTION_FINALIZER);
      this.redeliver(tenant, spec, ownerApp);
      return;
    }
    if (!(await this.writes.ensureFinalizer(s, SUBSCRIPTION_FINALIZER))) return;
    const status = (s.status ?? {}) as Partial<SubscriptionStatus>;
    const decision = status.decision;
    const params = { department: spec.department, api: spec.api };
    let phase: SubscriptionPhase;
    let reason: string;
    let detail: Message;
    if (!api || api.metadata.deletionTimestamp) {
      [phase, reason, detail] = ['Withdrawn', 'Withdrawn', msg('SharingWithdrawn', params)];
    } else if (!decision) {
      [phase, reason, detail] = ['Requested', 'AwaitingApproval', msg('SharingAwaitingApproval', params)];
    } else {
      phase = VERDICT_PHASE[decision.verdict];
      if (phase === 'Approved') {
        reason = 'Subscribed';
        detail = msg('SharingApproved', {
          by: decision.by,
          secret: secretName,
          prefix: spec.envPrefix ?? subscriptionEnvPrefix(name),
          application: spec.application,
        });
      } else if (phase === 'Refused') {
        reason = 'Refused';
        detail = decision.comment
          ? msg('SharingRefused', { by: decision.by, comment: decision.comment })
          : msg('SharingRefusedPlain', { by: decision.by });
      } else {
        reason = 'Revoked';
        detail = msg('SharingRevoked', { by: decision.by });
      }
    }
    let changed =
      phase === 'Approved'
        ? await this.ensureSecret(s, spec, api!, secretName)
        : await this.removeSecret(tenant, secretName);
    const prev = (status.conditions ?? []).find((c) => c.type === 'Ready');
    const ready = phase === 'Approved' ? 'True' : 'False';
    const next: SubscriptionStatus = {
      phase,
      reason,
      detail,
      ...(decision ? { decision } : {}),
      ...(phase === 'Approved' ? { secret: secretName } : {}),
      conditions: [
        {
          type: 'Ready',
          status: ready,
          reason,
          code: detail.code,
          params: detail.params,
          message: renderMessage(detail, 'en'),
          lastTransitionTime:
            prev && prev.status === ready ? (prev.lastTransitionTime as string) : this.deps.clock.now().toISOString(),
        },
      ],
    };
    if (JSON.stringify(next) !== JSON.stringify({ ...status, conditions: status.conditions })) {
      const current = await this.deps.store.get({ kind: 'APISubscription', tenant, name });
      if (!current) return;
      // The owner's decision may have landed since: it is the route's to write, never ours to drop.
      if (
        JSON.stringify((current.status as Partial<SubscriptionStatus> | undefined)?.decision) !==
        JSON.stringify(decision)
      )
        return this.requeue(`APISubscription/${tenant}/${name}`);
      try {
        await this.deps.resources.replaceStatus(SYSTEM, { ...current, status: next });
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        return this.requeue(`APISubscription/${tenant}/${name}`);
      }
      changed = changed || status.phase !== phase;
    }
    if (changed) this.redeliver(tenant, spec, ownerApp);
    this.requeue(`SharedAPI/${spec.department}/${spec.api}`);
  }

  /** The SharedAPI's status: who subscribed, from which application, in which phase (what its owner sees). */
  async reconcileAPI(tenant: string, name: string): Promise<void> {
    const api = await this.deps.store.get({ kind: 'SharedAPI', tenant, name });
    if (!api || api.metadata.deletionTimestamp) return;
    const subscribers: Array<Record<string, unknown>> = [];
    for (const k of [...(this.byAPI.get(key(tenant, name)) ?? [])].sort()) {
      const [t, n] = k.split('/') as [string, string];
      const s = await this.deps.store.get({ kind: 'APISubscription', tenant: t, name: n });
      if (!s) continue;
      const st = (s.status ?? {}) as Partial<SubscriptionStatus>;
      subscribers.push({
        department: t,
        subscription: n,
        application: (s.spec as APISubscriptionSpec).application,
        phase: s.metadata.deletionTimestamp ? 'Deleting' : (st.phase ?? 'Requested'),
        requestedAt: s.metadata.creationTimestamp,
      });
    }
    const next = { subscriberCount: subscribers.length, subscribers };
    if (JSON.stringify(next) === JSON.stringify(api.status ?? {})) return;
    try {
      await this.deps.resources.replaceStatus(SYSTEM, { ...api, status: next });
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      this.requeue(`SharedAPI/${tenant}/${name}`);
    }
  }

  /** What delivery adds for data sharing to `owner`'s application (see sharing-attachments.ts). */
  attachments(owner: Owner): Promise<Attachments> {
    return sharingAttachments(
      this.deps,
      this.writes,
      (k) => this.byApp.get(k),
      (k) => this.byAPI.get(k),
      (tenant, app) => this.published.of(tenant, app),
      owner,
    );
  }

  private redeliver(tenant: string, spec: APISubscriptionSpec, ownerApp: string | undefined): void {
    this.deps.redeliver(tenant, spec.application);
    if (ownerApp) this.deps.redeliver(spec.department, ownerApp);
  }

  /** The API key Secret in the subscriber's department (the store seals it); the key is made once and kept. */
  private async ensureSecret(
    s: StoredObject,
    spec: APISubscriptionSpec,
    api: StoredObject,
    name: string,
  ): Promise<boolean> {
    const tenant = s.metadata.tenant!;
    const prefix = spec.envPrefix ?? subscriptionEnvPrefix(s.metadata.name);
    const current = await this.writes.secret(tenant, name);
    const apiKey = secretValue(current, `${prefix}_API_KEY`) ?? randomBytes(32).toString('base64url');
    const aspec = api.spec as SharedAPISpec;
    const ownerAppObj = await this.deps.store.get({
      kind: 'Application',
      tenant: spec.department,
      name: aspec.application,
    });
    const host = `${aspec.component}.${namespaceOf(spec.department, aspec.application, ownerAppObj?.status)}.svc.cluster.local`;
    const vars: Record<string, string> = {
      [`${prefix}_API_KEY`]: apiKey,
      [`${prefix}_HOST`]: host,
      [`${prefix}_PORT`]: String(aspec.port),
      [`${prefix}_URL`]: `http://${host}:${aspec.port}`,
    };
    const same =
      current &&
      Object.keys(secretData(current)).length === Object.keys(vars).length &&
      Object.entries(vars).every(([k, v]) => secretValue(current, k) === v);
    if (same) return false;
    const obj = {
      apiVersion: 'polis.io/v1',
      kind: 'Secret',
      metadata: {
        name,
        tenant,
        labels: { [SUBSCRIPTION_LABEL]: s.metadata.name, 'market.polis.io/application': spec.application },
        ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      type: 'polis.io/api-key',
      stringData: vars,
    };
    if (current) await this.deps.resources.replace(SYSTEM, obj);
    else await this.deps.resources.create(SYSTEM, obj);
    return true;
  }

  private async removeSecret(tenant: string, name: string): Promise<boolean> {
    if (!(await this.writes.secret(tenant, name))) return false;
    await this.writes.ignoreMissing(() => this.deps.resources.delete(SYSTEM, { kind: 'Secret', tenant, name }));
    return true;
  }
}
