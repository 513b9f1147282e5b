import { NotAllowedError, NotFoundError } from '../../kernel/errors.ts';
import type { StoredObject } from '../../resources/envelope.ts';
import type { LabelSelector } from '../../resources/label-selector.ts';
import type { RequestContext } from '../../resources/audit-records.ts';
import type { KindDefinition } from '../../resources/registry.ts';
import type { ResourceService } from '../../resources/service.ts';
import type { Principal } from '../../tenancy/authorization.ts';
import { authorize } from '../../tenancy/authorization.ts';
import type { DeleteOptions } from './kube-delete-options.ts';

/** What a DELETE on a collection removes: the objects of one department (or platform kind) the selectors match. */
export interface CollectionTarget {
  readonly tenant?: string;
  readonly labelSelector?: LabelSelector;
  readonly name?: string;
}

export interface DeleteCollectionDeps {
  readonly resources: ResourceService;
  readonly ctx: RequestContext;
  readonly principal: Principal;
  /** Kubernetes' DeleteOptions, applied to each object as a single DELETE applies them. */
  readonly options: DeleteOptions;
  /** A failure's audit entry, naming the object (as a single DELETE's failure names it). */
  readonly recordFailure: (name: string, error: unknown) => Promise<void>;
}

const PAGE = 500;

/**
 * Kubernetes' deletecollection: the matching objects are listed, then each goes through the single DELETE's path:
 * `delete` authorized on the object, admission, finalizers, quota release and its own audit entry, in its own
 * transaction. As kube-apiserver, the first failure ends the request and is its answer (those deleted before it
 * stay deleted; an object already gone is skipped); on success the answer is the list of what was deleted (objects
 * with finalizers as marked for deletion).
 */
export async function deleteCollection(
  def: KindDefinition,
  target: CollectionTarget,
  deps: DeleteCollectionDeps,
): Promise<{ items: StoredObject[]; resourceVersion: string }> {
  const found: StoredObject[] = [];
  let resourceVersion: string;
  let cont: string | undefined;
  do {
    const page = await deps.resources.list({
      kind: def.kind,
      ...(target.tenant !== undefined ? { tenants: [target.tenant] } : {}),
      labelSelector: target.labelSelector,
      name: target.name,
      limit: PAGE,
      continue: cont,
    });
    found.push(...page.items);
    resourceVersion = page.resourceVersion;
    cont = page.continue;
  } while (cont);

  const deleted: StoredObject[] = [];
  for (const obj of found) {
    const name = obj.metadata.name;
    try {
      const decision = authorize(deps.principal, {
        verb: 'delete',
        kind: def.kind,
        category: def.category,
        scope: def.scope,
        tenant: target.tenant,
        name,
      });
      if (!decision.allowed) throw new NotAllowedError(decision.detail);
      const o = deps.options;
      deleted.push(
        await deps.resources.delete(
          deps.ctx,
          { kind: def.kind, tenant: target.tenant ?? '', name },
          {
            dryRun: o.dryRun,
            preconditions: o.preconditions,
            orphan: o.propagationPolicy === 'Orphan',
          },
        ),
      );
    } catch (e) {
      if (e instanceof NotFoundError) continue; // deleted meanwhile: what was asked for holds
      await deps.recordFailure(name, e);
      throw e;
    }
  }
  const last = deleted.reduce((rv, o) => Math.max(rv, Number(o.metadata.resourceVersion)), Number(resourceVersion));
  return { items: deleted, resourceVersion: String(last) };
}
