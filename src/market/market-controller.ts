import { randomBytes } from 'node:crypto';
import { EventRecorder } from '../events/event-recorder.ts';
import type { Clock } from '../kernel/clock.ts';
import { isPolisError, NotFoundError } from '../kernel/errors.ts';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { Owner } from '../kernel/ownership.ts';
import { WorkQueue } from '../kernel/work-queue.ts';
import type { ChangeFeed, Subscription } from '../resources/change-feed.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { appNamespace, namespaceOf } from '../delivery/namespace.ts';
import type { Attachments } from './attachments.ts';
import { bindingSecretName, bindingVariables, defaultEnvPrefix } from './binding-secret.ts';
import { boundInstance, phaseOf } from './market-admission.ts';
import type { CatalogItemVersionSpec, Connection, MarketInstanceSpec, ServiceBindingSpec } from './market-kinds.ts';
import { findVersion, MARKET_API_VERSION, PLATFORM_SPACE } from './market-kinds.ts';
import type { AdminEndpoint, ProvisionerSet } from './provisioners/index.ts';
import { granted as grantedShape, grantId, ProvisionerError } from './provisioners/index.ts';
import { renderTemplate } from './template.ts';

export const BINDING_FINALIZER = 'market.polis.io/binding';
export const INSTANCE_FINALIZER = 'market.polis.io/instance';
/** Labels an Application with the instance that owns it. */
export const INSTANCE_LABEL = 'market.polis.io/instance';
const BINDING_LABEL = 'market.polis.io/binding';

export interface MarketDeps {
  readonly store: Store;
  readonly resources: ResourceService;
  readonly feed: ChangeFeed;
  readonly clock: Clock;
  readonly provisioners: ProvisionerSet;
  /** Asks delivery to reconcile an application again (its attachments changed). */
  readonly redeliver: (tenant: string, app: string) => void;
  /** Attempts before a binding is rolled back (default 5). */
  readonly maxAttempts?: number;
  /** First retry delay in ms, doubled per attempt (default 500). */
  readonly retryBaseMs?: number;
  readonly log?: (msg: string, err?: unknown) => void;
}

export interface BindingStatus {
  readonly phase: 'Pending' | 'Provisioning' | 'Ready' | 'Failed' | 'Revoking';
  readonly reason?: string;
  readonly detail?: Message;
  readonly attempts?: number;
  readonly secret?: string;
  readonly username?: string;
  readonly database?: string;
  readonly prefix?: string;
  readonly envPrefix?: string;
  readonly engine?: string;
  /** Where the application reaches the instance. */
  readonly endpoint?: { readonly host: string; readonly port: number };
  readonly instanceApplication?: { readonly namespace: string; readonly name: string };
}

export interface InstanceStatus {
  readonly phase: 'Ready' | 'Failed';
  readonly reason?: string;
  readonly detail?: Message;
  readonly application?: string;
  readonly item?: string;
  readonly version?: string;
  readonly parameters?: Record<string, unknown>;
  readonly connection?: Connection & { readonly host: string };
  readonly adminSecret?: string;
  readonly observedGeneration?: number;
}

const SYSTEM = { actor: 'system:market', requestId: 'market' };

/** The administrator polis creates an instance with: the name each image's entrypoint expects. */
const ADMIN_USER: Record<Connection['engine'], string> = {
  postgresql: 'polis_admin',
  mysql: 'root',
  redis: 'default',
  rabbitmq: 'polis_admin',
  kafka: 'polis_admin',
  minio: 'polis_admin',
};

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

  constructor(deps: MarketDeps) {
    this.deps = deps;
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

  async start(): Promise<void> {
    const from = await this.deps.store.currentRevision();
    for (const kind of ['MarketInstance', 'ServiceBinding'])
      this.subs.push(
        this.deps.feed.subscribe({
          from,
          filter: { kind },
          onEvent: (e) => {
            const o = e.object;
            if (kind === 'ServiceBinding') this.index(o, e.type === 'DELETED');
            this.queue.add(`${kind}/${o.metadata.tenant}/${o.metadata.name}`);
          },
          onError: (err) => {
            this.deps.log?.('market watch failed; resyncing', err);
            void this.resyncAll();
          },
        }),
      );
    await this.resyncAll();
  }

  stop(): void {
    for (const sub of this.subs) sub.close();
    this.queue.stop();
  }

  async idle(): Promise<void> {
    await this.queue.idle();
    await this.events.idle();
  }

  async resyncAll(): Promise<void> {
    for (const kind of ['MarketInstance', 'ServiceBinding']) {
      let cont: string | undefined;
      do {
        const page = await this.deps.store.list({ kind, limit: 1000, continue: cont });
        for (const o of page.items) {
          if (kind === 'ServiceBinding') this.index(o, false);
          this.queue.add(`${kind}/${o.metadata.tenant}/${o.metadata.name}`);
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
    if (kind === 'MarketInstance') return this.reconcileInstance(tenant, name);
    return this.reconcileBinding(tenant, name);
  }

  // ── Instances ─────────────────────────────────────────────────────────────────────────────────────────────

  private async reconcileInstance(tenant: string, name: string): Promise<void> {
    const inst = await this.deps.store.get({ kind: 'MarketInstance', tenant, name });
    if (!inst) return;
    const spec = inst.spec as MarketInstanceSpec;
    const appName = spec.application ?? name;
    const adminSecret = spec.adminSecret ?? `${name}-admin`.slice(0, 63);
    if (inst.metadata.deletionTimestamp) {
      const app = await this.deps.store.get({ kind: 'Application', tenant, name: appName });
      if (app && app.metadata.labels?.[INSTANCE_LABEL] === name)
        await this.ignoreMissing(() =>
          this.deps.resources.delete(SYSTEM, { kind: 'Application', tenant, name: appName }),
        );
      if (!spec.adminSecret)
        await this.ignoreMissing(() =>
          this.deps.resources.delete(SYSTEM, { kind: 'Secret', tenant, name: adminSecret }),
        );
      await this.dropFinalizer(inst, INSTANCE_FINALIZER);
      return;
    }
    if (!(await this.ensureFinalizer(inst, INSTANCE_FINALIZER))) return;
    const status = inst.status as InstanceStatus | undefined;
    if (status?.observedGeneration === inst.metadata.generation && status.phase === 'Ready') return;
    const version = findVersion(
      (await this.deps.store.list({ kind: 'CatalogItemVersion', tenant: '' })).items,
      spec.item,
      spec.version,
    );
    if (!version || phaseOf(version) !== 'Released') {
      const detail = version
        ? msg('MarketVersionNotReleased', { item: spec.item, version: spec.version, phase: phaseOf(version) })
        : msg('MarketNoSuchVersion', { item: spec.item, version: spec.version });
      return this.instanceStatus(inst, { phase: 'Failed', reason: 'RenderFailed', detail });
    }
    const vspec = version.spec as CatalogItemVersionSpec;
    const namespace = appNamespace(tenant, appName);
    const rendered = renderTemplate(vspec.template, vspec.parameters, spec.parameters ?? {}, {
      name: appName,
      namespace,
      adminSecret,
    });
    if (!rendered.ok)
      return this.instanceStatus(inst, {
        phase: 'Failed',
        reason: 'RenderFailed',
        detail: msg('MarketParametersInvalid', { item: spec.item, version: spec.version, problems: rendered.problems }),
      });
    // The administrator's credentials, made once, before the application that reads them.
    if (vspec.connection && !spec.adminSecret)
      await this.ensureAdminSecret(tenant, adminSecret, name, ADMIN_USER[vspec.connection.engine]);
    const existing = await this.deps.store.get({ kind: 'Application', tenant, name: appName });
    if (existing && existing.metadata.labels?.[INSTANCE_LABEL] !== name)
      return this.instanceStatus(inst, {
        phase: 'Failed',
        reason: 'RenderFailed',
        detail: msg('MarketApplicationTaken', { application: appName, instance: name }),
      });
    const app = {
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: {
        name: appName,
        tenant,
        labels: { ...(existing?.metadata.labels ?? {}), [INSTANCE_LABEL]: name },
        annotations: {
          ...(existing?.metadata.annotations ?? {}),
          'market.polis.io/item': spec.item,
          'market.polis.io/version': spec.version,
        },
        ...(existing ? { resourceVersion: existing.metadata.resourceVersion } : {}),
      },
      spec: rendered.spec,
    };
    try {
      if (existing) await this.deps.resources.replace(SYSTEM, app);
      else await this.deps.resources.create(SYSTEM, app);
    } catch (e) {
      if (!isPolisError(e)) throw e;
      // Quota, or an application the template cannot make: said on the instance, retried on its next change.
      return this.instanceStatus(inst, {
        phase: 'Failed',
        reason: 'RenderFailed',
        detail: e.detail ?? msg('External', { text: e.message }),
      });
    }
    await this.instanceStatus(inst, {
      phase: 'Ready',
      application: appName,
      item: spec.item,
      version: spec.version,
      parameters: rendered.parameters,
      ...(vspec.connection
        ? {
            connection: {
              ...vspec.connection,
              host: spec.endpoint?.host ?? `${vspec.connection.component}.${namespace}.svc.cluster.local`,
              port: spec.endpoint?.port ?? vspec.connection.port,
            },
            adminSecret,
          }
        : {}),
      observedGeneration: inst.metadata.generation,
    });
    void this.events.record({
      tenant,
      involved: { kind: 'MarketInstance', name, apiVersion: MARKET_API_VERSION },
      type: 'Normal',
      reason: 'Rendered',
      detail: msg('MarketInstanceRendered', { application: appName, item: spec.item, version: spec.version }),
    });
    // Bindings waiting for this instance go on.
    for (const b of this.byInstance.get(`${tenant}/${name}`) ?? []) this.queue.add(`ServiceBinding/${b}`);
  }

  private async ensureAdminSecret(tenant: string, name: string, instance: string, username: string): Promise<void> {
    if (await this.secret(tenant, name)) return;
    await this.deps.resources.create(SYSTEM, {
      apiVersion: 'polis.io/v1',
      kind: 'Secret',
      metadata: { name, tenant, labels: { [INSTANCE_LABEL]: instance } },
      stringData: { username, password: randomBytes(24).toString('base64url') },
    });
  }

  private async instanceStatus(inst: StoredObject, status: InstanceStatus): Promise<void> {
    await this.writeStatus(inst, { ...status, observedGeneration: inst.metadata.generation });
  }

  // ── Bindings ──────────────────────────────────────────────────────────────────────────────────────────────

  private async reconcileBinding(tenant: string, name: string): Promise<void> {
    const b = await this.deps.store.get({ kind: 'ServiceBinding', tenant, name });
    if (!b) return;
    const spec = b.spec as ServiceBindingSpec;
    const status = (b.status ?? {}) as Partial<BindingStatus>;
    if (b.metadata.deletionTimestamp) return this.unbind(b);
    if (!(await this.ensureFinalizer(b, BINDING_FINALIZER))) return;
    if (status.phase === 'Failed') return; // rolled back: delete and bind again
    const secretName = bindingSecretName(name);
    const secret = await this.secret(tenant, secretName);
    if (status.phase === 'Ready' && secret) return;
    const target = await this.target(tenant, spec);
    if (!target.ok) {
      await this.writeStatus(b, { ...status, phase: 'Pending', reason: 'WaitingForInstance', detail: target.why });
      this.queue.addAfter(`ServiceBinding/${tenant}/${name}`, 2000);
      return;
    }
    const { engine, admin, direct, host, port, instanceApp } = target;
    const id = grantId(tenant, name, b.metadata.uid);
    const envPrefix = spec.envPrefix ?? defaultEnvPrefix(name);
    // Write-ahead: the password is stored (sealed) before anything is made with it, so a retry after any crash
    // makes the same credentials, and a rollback knows what to remove.
    let password = secretValue(secret, `${envPrefix}_PASSWORD`);
    if (!secret || password === undefined) {
      password = randomBytes(24).toString('base64url');
      const vars = bindingVariables(envPrefix, engine, host, port, grantedShape(engine, id), password);
      await this.upsertSecret(tenant, secretName, name, spec.application, vars, secret);
    }
    const attempt = (status.attempts ?? 0) + 1;
    const b2 = await this.writeStatus(b, {
      phase: 'Provisioning',
      reason: 'Provisioning',
      detail: msg('MarketBindingProvisioning', { instance: spec.instance, attempt }),
      attempts: attempt,
      engine,
      envPrefix,
    });
    const provisioner = this.deps.provisioners.for(engine, direct);
    try {
      const granted = await provisioner.provision(admin, { id, password });
      const vars = bindingVariables(envPrefix, engine, host, port, granted, password);
      const current = await this.secret(tenant, secretName);
      await this.upsertSecret(tenant, secretName, name, spec.application, vars, current);
      await this.writeStatus(b2, {
        phase: 'Ready',
        reason: 'Bound',
        detail: msg('MarketBindingReady', { secret: secretName, application: spec.application, prefix: envPrefix }),
        attempts: attempt,
        secret: secretName,
        username: granted.username,
        ...(granted.database ? { database: granted.database } : {}),
        ...(granted.prefix ? { prefix: granted.prefix } : {}),
        envPrefix,
        engine,
        endpoint: { host, port },
        instanceApplication: instanceApp,
      });
      this.event(
        b,
        'Normal',
        'Bound',
        msg('MarketBindingReady', { secret: secretName, application: spec.application, prefix: envPrefix }),
      );
      this.redeliver(tenant, spec, instanceApp);
    } catch (e) {
      if (!(e instanceof ProvisionerError)) throw e;
      const max = this.deps.maxAttempts ?? 5;
      if (attempt < max) {
        const seconds = ((this.deps.retryBaseMs ?? 500) * 2 ** (attempt - 1)) / 1000;
        const detail = msg('MarketBindingRetrying', { attempt, seconds, detail: e.detail });
        await this.writeStatus(b2, { ...(b2.status as BindingStatus), reason: 'ProvisionRetrying', detail });
        this.event(b, 'Warning', 'ProvisionRetrying', detail);
        this.queue.addAfter(`ServiceBinding/${tenant}/${name}`, seconds * 1000);
        return;
      }
      // Rollback: remove whatever the attempts made, then the Secret; a failing revoke is retried (throws).
      await provisioner.revoke(admin, { id, password });
      await this.ignoreMissing(() => this.deps.resources.delete(SYSTEM, { kind: 'Secret', tenant, name: secretName }));
      const detail = msg('MarketBindingRolledBack', { attempts: attempt, detail: e.detail });
      await this.writeStatus(b2, { phase: 'Failed', reason: 'RolledBack', detail, attempts: attempt, engine });
      this.event(b, 'Warning', 'RolledBack', detail);
    }
  }

  /** Deleting: revoke inside the middleware, remove the Secret (delivery prunes it everywhere), drop the finalizer. */
  private async unbind(b: StoredObject): Promise<void> {
    const tenant = b.metadata.tenant!;
    const name = b.metadata.name;
    const spec = b.spec as ServiceBindingSpec;
    if (!(b.metadata.finalizers ?? []).includes(BINDING_FINALIZER)) return;
    const status = (b.status ?? {}) as Partial<BindingStatus>;
    if (status.phase !== 'Revoking')
      b = await this.writeStatus(b, { ...status, phase: 'Revoking', reason: 'Revoking' } as BindingStatus);
    const target = await this.target(tenant, spec);
    const secretName = bindingSecretName(name);
    // Nothing was ever made without a target (the instance is kept while bindings use it).
    if (target.ok) {
      const provisioner = this.deps.provisioners.for(target.engine, target.direct);
      await provisioner.revoke(target.admin, { id: grantId(tenant, name, b.metadata.uid), password: '' });
    }
    await this.ignoreMissing(() => this.deps.resources.delete(SYSTEM, { kind: 'Secret', tenant, name: secretName }));
    this.event(b, 'Normal', 'Revoked', msg('MarketBindingRevoked', { instance: spec.instance, secret: secretName }));
    await this.dropFinalizer(b, BINDING_FINALIZER);
    this.redeliver(tenant, spec, target.ok ? target.instanceApp : undefined);
  }

  private redeliver(tenant: string, spec: ServiceBindingSpec, instanceApp?: { tenant?: string; name: string }): void {
    this.deps.redeliver(tenant, spec.application);
    if (instanceApp)
      this.deps.redeliver(instanceApp.tenant ?? (spec.shared ? PLATFORM_SPACE : tenant), instanceApp.name);
  }

  /** Where and how a binding's instance is reached: its engine, admin endpoint, and the host the app uses. */
  private async target(
    tenant: string,
    spec: ServiceBindingSpec,
  ): Promise<
    | {
        ok: true;
        engine: Connection['engine'];
        admin: AdminEndpoint;
        direct: boolean;
        host: string;
        port: number;
        instanceApp: { tenant: string; namespace: string; name: string };
      }
    | { ok: false; why: Message }
  > {
    const inst = await boundInstance((k) => this.deps.store.get(k), tenant, spec);
    if (!inst) return { ok: false, why: msg('MarketNoSuchInstance', { instance: spec.instance }) };
    const istatus = inst.status as InstanceStatus | undefined;
    const conn = istatus?.connection;
    if (!conn || istatus?.phase !== 'Ready' || !istatus.adminSecret)
      return {
        ok: false,
        why: msg('MarketBindingWaitingInstance', {
          instance: spec.instance,
          detail: istatus?.detail ?? msg('NotObservedYet'),
        }),
      };
    const ispec = inst.spec as MarketInstanceSpec;
    const itenant = inst.metadata.tenant!;
    const adminObj = await this.secret(itenant, istatus.adminSecret);
    const username = secretValue(adminObj, 'username');
    const password = secretValue(adminObj, 'password');
    if (username === undefined || password === undefined)
      return {
        ok: false,
        why: msg('MarketProvisionerNoAdmin', {
          instance: spec.instance,
          secret: istatus.adminSecret,
          keys: 'username, password',
        }),
      };
    const appObj = await this.deps.store.get({ kind: 'Application', tenant: itenant, name: istatus.application! });
    return {
      ok: true,
      engine: conn.engine,
      admin: { host: conn.host, port: conn.port, username, password },
      direct: ispec.endpoint !== undefined || !this.deps.provisioners.simulated,
      host: conn.host,
      port: conn.port,
      instanceApp: {
        tenant: itenant,
        namespace: namespaceOf(itenant, istatus.application!, appObj?.status),
        name: istatus.application!,
      },
    };
  }

  private async upsertSecret(
    tenant: string,
    name: string,
    binding: string,
    app: string,
    vars: Record<string, string>,
    current: StoredObject | undefined,
  ): Promise<void> {
    const same =
      current &&
      Object.keys(vars).length === Object.keys(secretData(current)).length &&
      Object.entries(vars).every(([k, v]) => secretValue(current, k) === v);
    if (same) return;
    const obj = {
      apiVersion: 'polis.io/v1',
      kind: 'Secret',
      metadata: {
        name,
        tenant,
        labels: { [BINDING_LABEL]: binding, 'market.polis.io/application': app },
        ...(current ? { resourceVersion: current.metadata.resourceVersion } : {}),
      },
      type: 'servicebinding.io/credentials',
      stringData: vars,
    };
    if (current) await this.deps.resources.replace(SYSTEM, obj);
    else await this.deps.resources.create(SYSTEM, obj);
  }

  // ── Attachments, for delivery ─────────────────────────────────────────────────────────────────────────────

  /**
   * What an application gets from the marketplace on every cluster (see attachments.ts): the Secrets of its
   * Ready bindings, its instance's admin Secret, and network paths from the applications bound to its instance.
   */
  async attachments(owner: Owner): Promise<Attachments | undefined> {
    const key = `${owner.tenant}/${owner.app}`;
    const secrets: Array<{ name: string; data: Record<string, string>; env?: boolean }> = [];
    const ingress: Attachments['ingress'][number][] = [];
    for (const bkey of this.byApp.get(key) ?? []) {
      const [tenant, name] = bkey.split('/') as [string, string];
      const b = await this.deps.store.get({ kind: 'ServiceBinding', tenant, name });
      const st = b?.status as BindingStatus | undefined;
      if (!b || b.metadata.deletionTimestamp || st?.phase !== 'Ready' || !st.secret) continue;
      const s = await this.secret(tenant, st.secret);
      if (s) secrets.push({ name: st.secret, data: secretData(s) });
    }
    const app = await this.deps.store.get({ kind: 'Application', tenant: owner.tenant, name: owner.app });
    const instanceName = app?.metadata.labels?.[INSTANCE_LABEL];
    if (instanceName) {
      const inst = await this.deps.store.get({ kind: 'MarketInstance', tenant: owner.tenant, name: instanceName });
      const ist = inst?.status as InstanceStatus | undefined;
      if (ist?.adminSecret) {
        const s = await this.secret(owner.tenant, ist.adminSecret);
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
    return secrets.length || ingress.length ? { secrets, ingress } : undefined;
  }

  // ── Helpers ───────────────────────────────────────────────────────────────────────────────────────────────

  private event(b: StoredObject, type: 'Normal' | 'Warning', reason: string, detail: Message): void {
    void this.events.record({
      tenant: b.metadata.tenant!,
      involved: { kind: b.kind, name: b.metadata.name, apiVersion: MARKET_API_VERSION },
      type,
      reason,
      detail,
    });
  }

  /** True when the finalizer is there; else adds it (the write brings the object back) and returns false. */
  private async ensureFinalizer(o: StoredObject, finalizer: string): Promise<boolean> {
    if ((o.metadata.finalizers ?? []).includes(finalizer)) return true;
    await this.deps.resources.patch(
      SYSTEM,
      { kind: o.kind, tenant: o.metadata.tenant ?? '', name: o.metadata.name },
      {
        metadata: {
          finalizers: [...(o.metadata.finalizers ?? []), finalizer],
          resourceVersion: o.metadata.resourceVersion,
        },
      },
    );
    return false;
  }

  private async dropFinalizer(o: StoredObject, finalizer: string): Promise<void> {
    await this.ignoreMissing(() =>
      this.deps.resources.patch(
        SYSTEM,
        { kind: o.kind, tenant: o.metadata.tenant ?? '', name: o.metadata.name },
        { metadata: { finalizers: (o.metadata.finalizers ?? []).filter((f) => f !== finalizer) } },
      ),
    );
  }

  private async writeStatus(o: StoredObject, status: unknown): Promise<StoredObject> {
    const current = await this.deps.store.get({ kind: o.kind, tenant: o.metadata.tenant ?? '', name: o.metadata.name });
    if (!current) throw new NotFoundError(`${o.kind} ${o.metadata.name} is gone`);
    return this.deps.resources.replaceStatus(SYSTEM, { ...current, status });
  }

  /** A Secret of the store, decoded (values in clear base64), or undefined. */
  private async secret(tenant: string, name: string): Promise<StoredObject | undefined> {
    try {
      return await this.deps.resources.get('Secret', tenant, name);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  private async ignoreMissing(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}

function secretData(s: StoredObject | undefined): Record<string, string> {
  return ((s as { data?: Record<string, string> } | undefined)?.data ?? {}) as Record<string, string>;
}

/** A decoded value of a stored Secret (its data is base64). */
function secretValue(s: StoredObject | undefined, key: string): string | undefined {
  const v = secretData(s)[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}
