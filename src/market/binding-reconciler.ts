import { randomBytes } from 'node:crypto';
import type { Message } from '../kernel/messages/index.ts';
import { msg } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { namespaceOf, ownerOf } from '../delivery/namespace.ts';
import { bindingSecretName, bindingVariables, defaultEnvPrefix } from './binding-secret.ts';
import { boundInstance } from './market-admission.ts';
import type { Connection, MarketInstanceSpec, ServiceBindingSpec } from './market-kinds.ts';
import { PLATFORM_SPACE } from './market-kinds.ts';
import type { BindingStatus, InstanceStatus, ReconcileContext } from './market-types.ts';
import { BINDING_FINALIZER, BINDING_LABEL } from './market-types.ts';
import { SYSTEM, secretData, secretValue } from './market-writes.ts';
import type { AdminEndpoint, Provisioner } from './provisioners/index.ts';
import {
  granted as grantedShape,
  grantId,
  jobProvisioner,
  ProvisionerError,
  ProvisionerPending,
} from './provisioners/index.ts';
import type { ClusterDriver, Owner } from '../clusters/driver.ts';

/** Where and how a binding's instance is reached. */
interface Target {
  readonly ok: true;
  readonly engine: Connection['engine'];
  readonly admin: AdminEndpoint;
  readonly direct: boolean;
  /** Set when the instance's credentials are made by a Job in its cluster (`spec.provisioner: job`). */
  readonly job?: { cluster: string; driver: ClusterDriver; owner: Owner; image?: string };
  readonly host: string;
  readonly port: number;
  readonly instanceApp: { tenant: string; namespace: string; name: string };
}

/**
 * A binding's reconcile, a small state machine whose every step is idempotent and durable: finalizer → wait for the
 * instance → credentials Secret written ahead → provision (retried with backoff) → Ready, or rolled back after the
 * last attempt; on deletion revoke → Secret removed → finalizer dropped. A restart at any point repeats a step.
 */
export class BindingReconciler {
  private readonly c: ReconcileContext;
  constructor(c: ReconcileContext) {
    this.c = c;
  }

  async reconcile(tenant: string, name: string): Promise<void> {
    const b = await this.c.deps.store.get({ kind: 'ServiceBinding', tenant, name });
    if (!b) return;
    const spec = b.spec as ServiceBindingSpec;
    const status = (b.status ?? {}) as Partial<BindingStatus>;
    if (b.metadata.deletionTimestamp) return this.unbind(b);
    if (!(await this.c.writes.ensureFinalizer(b, BINDING_FINALIZER))) return;
    if (status.phase === 'Failed') return; // rolled back: delete and bind again
    const secretName = bindingSecretName(name);
    const secret = await this.c.writes.secret(tenant, secretName);
    if (status.phase === 'Ready' && secret) return;
    const target = await this.target(tenant, spec);
    if (!target.ok) {
      await this.c.writes.writeStatus(b, {
        ...status,
        phase: 'Pending',
        reason: 'WaitingForInstance',
        detail: target.why,
      });
      this.c.requeue(`ServiceBinding/${tenant}/${name}`, 2000);
      return;
    }
    const { engine, admin, host, port, instanceApp } = target;
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
    const provisioner = this.provisioner(target);
    // A rollback whose revoke runs as a Job goes on where it was.
    if (status.reason === 'RollingBack') return this.rollBack(b, provisioner, admin, id, password, status);
    // A Job still running is the same attempt, looked at again.
    const waiting = status.reason === 'ProvisionerJobRunning';
    const attempt = waiting ? (status.attempts ?? 1) : (status.attempts ?? 0) + 1;
    const b2 = waiting
      ? b
      : await this.c.writes.writeStatus(b, {
          phase: 'Provisioning',
          reason: 'Provisioning',
          detail: msg('MarketBindingProvisioning', { instance: spec.instance, attempt }),
          attempts: attempt,
          engine,
          envPrefix,
        });
    try {
      const granted = await provisioner.provision(admin, { id, password });
      const vars = bindingVariables(envPrefix, engine, host, port, granted, password);
      const current = await this.c.writes.secret(tenant, secretName);
      await this.upsertSecret(tenant, secretName, name, spec.application, vars, current);
      await this.c.writes.writeStatus(b2, {
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
      this.c.event(
        b,
        'Normal',
        'Bound',
        msg('MarketBindingReady', { secret: secretName, application: spec.application, prefix: envPrefix }),
      );
      this.redeliver(tenant, spec, instanceApp);
    } catch (e) {
      if (e instanceof ProvisionerPending) {
        await this.c.writes.writeStatus(b2, {
          phase: 'Provisioning',
          reason: 'ProvisionerJobRunning',
          detail: e.detail,
          attempts: attempt,
          engine,
          envPrefix,
        });
        this.c.requeue(`ServiceBinding/${tenant}/${name}`, e.afterMs);
        return;
      }
      if (!(e instanceof ProvisionerError)) throw e;
      const max = this.c.deps.maxAttempts ?? 5;
      if (attempt < max) {
        const seconds = ((this.c.deps.retryBaseMs ?? 500) * 2 ** (attempt - 1)) / 1000;
        const detail = msg('MarketBindingRetrying', { attempt, seconds, detail: e.detail });
        await this.c.writes.writeStatus(b2, { ...(b2.status as BindingStatus), reason: 'ProvisionRetrying', detail });
        this.c.event(b, 'Warning', 'ProvisionRetrying', detail);
        this.c.requeue(`ServiceBinding/${tenant}/${name}`, seconds * 1000);
        return;
      }
      const rolling = { phase: 'Provisioning', reason: 'RollingBack', detail: e.detail, attempts: attempt, engine };
      await this.rollBack(b2, provisioner, admin, id, password, rolling as BindingStatus);
    }
  }

  /**
   * Rollback: remove whatever the attempts made, then the Secret; a failing revoke is retried (throws), a revoke
   * running as a Job is looked at again later (the status says RollingBack, with the failure that caused it).
   */
  private async rollBack(
    b: StoredObject,
    provisioner: Provisioner,
    admin: AdminEndpoint,
    id: string,
    password: string,
    status: Partial<BindingStatus>,
  ): Promise<void> {
    const tenant = b.metadata.tenant!;
    const name = b.metadata.name;
    const attempts = status.attempts ?? 1;
    try {
      await provisioner.revoke(admin, { id, password });
    } catch (e) {
      // A failing revoke throws: the binding is reconciled again, as before the Job path (an attempt is spent).
      if (!(e instanceof ProvisionerPending)) throw e;
      if ((b.status as Partial<BindingStatus> | undefined)?.reason !== 'RollingBack')
        await this.c.writes.writeStatus(b, {
          ...status,
          phase: 'Provisioning',
          reason: 'RollingBack',
        } as BindingStatus);
      this.c.requeue(`ServiceBinding/${tenant}/${name}`, e.afterMs);
      return;
    }
    await this.c.writes.ignoreMissing(() =>
      this.c.deps.resources.delete(SYSTEM, { kind: 'Secret', tenant, name: bindingSecretName(name) }),
    );
    const detail = msg('MarketBindingRolledBack', { attempts, detail: status.detail ?? msg('NotObservedYet') });
    const current = (await this.c.deps.store.get({ kind: 'ServiceBinding', tenant, name })) ?? b;
    await this.c.writes.writeStatus(current, {
      phase: 'Failed',
      reason: 'RolledBack',
      detail,
      attempts,
      ...(status.engine ? { engine: status.engine } : {}),
    });
    this.c.event(b, 'Warning', 'RolledBack', detail);
  }

  /** The provisioner of a target: a Job in the instance's cluster, a direct connection, or the simulated one. */
  private provisioner(target: Target): Provisioner {
    if (target.job)
      return jobProvisioner(target.engine, {
        ...target.job,
        now: () => this.c.deps.clock.now().getTime(),
      });
    return this.c.deps.provisioners.for(target.engine, target.direct);
  }

  /** Deleting: revoke inside the middleware, remove the Secret (delivery prunes it everywhere), drop the finalizer. */
  private async unbind(b: StoredObject): Promise<void> {
    const tenant = b.metadata.tenant!;
    const name = b.metadata.name;
    const spec = b.spec as ServiceBindingSpec;
    if (!(b.metadata.finalizers ?? []).includes(BINDING_FINALIZER)) return;
    const status = (b.status ?? {}) as Partial<BindingStatus>;
    if (status.phase !== 'Revoking')
      b = await this.c.writes.writeStatus(b, { ...status, phase: 'Revoking', reason: 'Revoking' } as BindingStatus);
    const target = await this.target(tenant, spec);
    const secretName = bindingSecretName(name);
    // Nothing was ever made without a target (the instance is kept while bindings use it).
    if (target.ok) {
      try {
        await this.provisioner(target).revoke(target.admin, {
          id: grantId(tenant, name, b.metadata.uid),
          password: '',
        });
      } catch (e) {
        if (!(e instanceof ProvisionerPending)) throw e;
        this.c.requeue(`ServiceBinding/${tenant}/${name}`, e.afterMs);
        return;
      }
    }
    await this.c.writes.ignoreMissing(() =>
      this.c.deps.resources.delete(SYSTEM, { kind: 'Secret', tenant, name: secretName }),
    );
    this.c.event(b, 'Normal', 'Revoked', msg('MarketBindingRevoked', { instance: spec.instance, secret: secretName }));
    await this.c.writes.dropFinalizer(b, BINDING_FINALIZER);
    this.redeliver(tenant, spec, target.ok ? target.instanceApp : undefined);
  }

  private redeliver(tenant: string, spec: ServiceBindingSpec, instanceApp?: { tenant?: string; name: string }): void {
    this.c.deps.redeliver(tenant, spec.application);
    if (instanceApp)
      this.c.deps.redeliver(instanceApp.tenant ?? (spec.shared ? PLATFORM_SPACE : tenant), instanceApp.name);
  }

  /** Where and how a binding's instance is reached: its engine, admin endpoint, and the host the app uses. */
  private async target(tenant: string, spec: ServiceBindingSpec): Promise<Target | { ok: false; why: Message }> {
    const inst = await boundInstance((k) => this.c.deps.store.get(k), tenant, spec);
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
    const adminObj = await this.c.writes.secret(itenant, istatus.adminSecret);
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
    const appObj = await this.c.deps.store.get({ kind: 'Application', tenant: itenant, name: istatus.application! });
    let job: Target['job'];
    if (ispec.provisioner === 'job') {
      // The Job runs where the instance runs: the first of its clusters (one is enough: it is one server).
      const cluster = [...((appObj?.status as { clusters?: string[] } | undefined)?.clusters ?? [])].sort()[0];
      if (!cluster) return { ok: false, why: msg('MarketProvisionerNoCluster', { instance: spec.instance }) };
      const driver = this.c.deps.drivers?.(cluster);
      // Only a driver that reads and deletes single objects (Kubernetes) runs Jobs; the binding waits otherwise.
      if (!driver?.read || !driver.remove)
        return { ok: false, why: msg('MarketProvisionerJobUnsupported', { cluster }) };
      job = {
        cluster,
        driver,
        owner: ownerOf(itenant, istatus.application!, appObj?.status),
        ...(ispec.provisionerImage ? { image: ispec.provisionerImage } : {}),
      };
    }
    return {
      ok: true,
      ...(job ? { job } : {}),
      engine: conn.engine,
      admin: {
        host: conn.host,
        port: conn.port,
        username,
        password,
        ...(secretValue(adminObj, 'managementUrl') ? { managementUrl: secretValue(adminObj, 'managementUrl') } : {}),
      },
      direct: ispec.endpoint !== undefined || !this.c.deps.provisioners.simulated,
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
    if (current) await this.c.deps.resources.replace(SYSTEM, obj);
    else await this.c.deps.resources.create(SYSTEM, obj);
  }
}
