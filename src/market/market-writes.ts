import { NotFoundError } from '../kernel/errors.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';

/** Who the marketplace controller writes as (audit). */
export const SYSTEM = { actor: 'system:market', requestId: 'market' };

/** The controller's writes to the store: finalizers, status, Secrets read decoded, deletes that may find nothing. */
export class MarketWrites {
  private readonly deps: { readonly store: Store; readonly resources: ResourceService };
  constructor(deps: { readonly store: Store; readonly resources: ResourceService }) {
    this.deps = deps;
  }

  /** True when the finalizer is there; else adds it (the write brings the object back) and returns false. */
  async ensureFinalizer(o: StoredObject, finalizer: string): Promise<boolean> {
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

  async dropFinalizer(o: StoredObject, finalizer: string): Promise<void> {
    await this.ignoreMissing(() =>
      this.deps.resources.patch(
        SYSTEM,
        { kind: o.kind, tenant: o.metadata.tenant ?? '', name: o.metadata.name },
        { metadata: { finalizers: (o.metadata.finalizers ?? []).filter((f) => f !== finalizer) } },
      ),
    );
  }

  async writeStatus(o: StoredObject, status: unknown): Promise<StoredObject> {
    const current = await this.deps.store.get({ kind: o.kind, tenant: o.metadata.tenant ?? '', name: o.metadata.name });
    if (!current) throw new NotFoundError(`${o.kind} ${o.metadata.name} is gone`);
    return this.deps.resources.replaceStatus(SYSTEM, { ...current, status });
  }

  /** A Secret of the store, decoded (values in clear base64), or undefined. */
  async secret(tenant: string, name: string): Promise<StoredObject | undefined> {
    try {
      return await this.deps.resources.get('Secret', tenant, name);
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  async ignoreMissing(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
}

export function secretData(s: StoredObject | undefined): Record<string, string> {
  return ((s as { data?: Record<string, string> } | undefined)?.data ?? {}) as Record<string, string>;
}

/** A decoded value of a stored Secret (its data is base64). */
export function secretValue(s: StoredObject | undefined, key: string): string | undefined {
  const v = secretData(s)[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}
