import { randomBytes } from 'node:crypto';
import { isPolisError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { appNamespace } from '../delivery/namespace.ts';
import { phaseOf } from './market-admission.ts';
import type { CatalogItemVersionSpec, Connection, MarketInstanceSpec } from './market-kinds.ts';
import { findVersion } from './market-kinds.ts';
import type { InstanceStatus, ReconcileContext } from './market-types.ts';
import { INSTANCE_FINALIZER, INSTANCE_LABEL } from './market-types.ts';
import { SYSTEM } from './market-writes.ts';
import { instanceNames, renderInstance } from './instance-render.ts';

/** The administrator polis creates an instance with: the name each image's entrypoint expects. */
export const ADMIN_USER: Record<Connection['engine'], string> = {
  postgresql: 'polis_admin',
  mysql: 'root',
  redis: 'default',
  rabbitmq: 'polis_admin',
  kafka: 'polis_admin',
  minio: 'polis_admin',
};

/**
 * An instance's reconcile: render its item version with its parameters and keep the Application of that name (owned
 * by the instance) as rendered; make the administrator's Secret first; on deletion remove both.
 */
export class InstanceReconciler {
  private readonly c: ReconcileContext;
  constructor(c: ReconcileContext) {
    this.c = c;
  }

  async reconcile(tenant: string, name: string): Promise<void> {
    const inst = await this.c.deps.store.get({ kind: 'MarketInstance', tenant, name });
    if (!inst) return;
    const spec = inst.spec as MarketInstanceSpec;
    const { application: appName, adminSecret } = instanceNames(name, spec);
    if (inst.metadata.deletionTimestamp) {
      const app = await this.c.deps.store.get({ kind: 'Application', tenant, name: appName });
      if (app && app.metadata.labels?.[INSTANCE_LABEL] === name)
        await this.c.writes.ignoreMissing(() =>
          this.c.deps.resources.delete(SYSTEM, { kind: 'Application', tenant, name: appName }),
        );
      if (!spec.adminSecret)
        await this.c.writes.ignoreMissing(() =>
          this.c.deps.resources.delete(SYSTEM, { kind: 'Secret', tenant, name: adminSecret }),
        );
      await this.c.writes.dropFinalizer(inst, INSTANCE_FINALIZER);
      return;
    }
    if (!(await this.c.writes.ensureFinalizer(inst, INSTANCE_FINALIZER))) return;
    const status = inst.status as InstanceStatus | undefined;
    if (status?.observedGeneration === inst.metadata.generation && status.phase === 'Ready') return;
    const version = findVersion(
      (await this.c.deps.store.list({ kind: 'CatalogItemVersion', tenant: '' })).items,
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
    const existing = await this.c.deps.store.get({ kind: 'Application', tenant, name: appName });
    const rendered = renderInstance(tenant, name, spec, vspec, existing?.metadata);
    if (!rendered.ok)
      return this.instanceStatus(inst, {
        phase: 'Failed',
        reason: 'RenderFailed',
        detail: msg('MarketParametersInvalid', { item: spec.item, version: spec.version, problems: rendered.problems }),
      });
    // The administrator's credentials, made once, before the application that reads them.
    if (vspec.connection && !spec.adminSecret)
      await this.ensureAdminSecret(tenant, adminSecret, name, ADMIN_USER[vspec.connection.engine]);
    if (existing && existing.metadata.labels?.[INSTANCE_LABEL] !== name)
      return this.instanceStatus(inst, {
        phase: 'Failed',
        reason: 'RenderFailed',
        detail: msg('MarketApplicationTaken', { application: appName, instance: name }),
      });
    const app = {
      ...rendered.application,
      metadata: {
        ...rendered.application.metadata,
        ...(existing ? { resourceVersion: existing.metadata.resourceVersion } : {}),
      },
    };
    try {
      if (existing) await this.c.deps.resources.replace(SYSTEM, app);
      else await this.c.deps.resources.create(SYSTEM, app);
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
    this.c.event(
      inst,
      'Normal',
      'Rendered',
      msg('MarketInstanceRendered', { application: appName, item: spec.item, version: spec.version }),
    );
    // Bindings waiting for this instance go on.
    for (const b of this.c.bindingsOf(`${tenant}/${name}`)) this.c.requeue(`ServiceBinding/${b}`);
  }

  private async ensureAdminSecret(tenant: string, name: string, instance: string, username: string): Promise<void> {
    if (await this.c.writes.secret(tenant, name)) return;
    await this.c.deps.resources.create(SYSTEM, {
      apiVersion: 'polis.io/v1',
      kind: 'Secret',
      metadata: { name, tenant, labels: { [INSTANCE_LABEL]: instance } },
      stringData: { username, password: randomBytes(24).toString('base64url') },
    });
  }

  private async instanceStatus(inst: StoredObject, status: InstanceStatus): Promise<void> {
    await this.c.writes.writeStatus(inst, { ...status, observedGeneration: inst.metadata.generation });
  }
}
