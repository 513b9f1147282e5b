import { codedCause, ConflictError, InputError, NotFoundError, QuotaExceededError } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { AdmissionPlugin } from '../resources/service.ts';
import type { StoreTx, TxChange } from '../resources/store.ts';
import type { QuotaIndex } from './quota-index.ts';
import type { Quota, ResourceUsage } from './quota.ts';
import { ZERO_USAGE, addUsage, growsUsage, quotaMessage, quotaViolations, subtractUsage } from './quota.ts';

/**
 * What one object of a kind consumes of its department's quota: a function of its spec (every field but metadata and
 * status, what `metadata.generation` counts), so a change that keeps the generation keeps the usage.
 */
export type UsageFunction = (obj: StoredObject) => ResourceUsage;

interface TenantSpec {
  readonly parent?: string;
  readonly quota?: Quota;
}

const tenantKey = (name: string) => ({ kind: 'Tenant', tenant: '', name });

/** A department's objects can be created only in a department that exists and is not being deleted. */
export const tenantMustExist: AdmissionPlugin = async ({ operation, definition, object, tx }) => {
  if (definition.scope !== 'tenant' || operation !== 'create') return;
  const name = object.metadata.tenant ?? '';
  const tenant = await tx.get(tenantKey(name));
  if (!tenant) throw new NotFoundError(msg('DepartmentMissing', { department: name }));
  if (tenant.metadata.deletionTimestamp) throw new ConflictError(msg('DepartmentDeleting', { department: name }));
};

/**
 * A department is deleted only when it is empty and has no sub-departments: nothing is removed by cascade, so a
 * mistaken delete cannot take a department's applications and secrets with it.
 */
export const tenantDeletionGuard: AdmissionPlugin = async ({ operation, definition, object, tx, registry }) => {
  if (definition.kind !== 'Tenant' || operation !== 'delete') return;
  const name = object.metadata.name;
  const tenantKinds = registry
    .all()
    .filter((d) => d.scope === 'tenant')
    .map((d) => d.kind);
  const held = await tx.listAll(tenantKinds, name);
  if (held.length > 0) {
    const counts = new Map<string, number>();
    for (const o of held) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
    const list = [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
    throw new ConflictError(msg('DepartmentNotEmpty', { department: name, objects: list }));
  }
  const children = (await tx.listAll(['Tenant'], '')).filter(
    (t) => (t.spec as TenantSpec | undefined)?.parent === name,
  );
  if (children.length > 0) {
    throw new ConflictError(
      msg('DepartmentHasChildren', { department: name, children: children.map((c) => c.metadata.name).join(', ') }),
    );
  }
};

/** A parent department must exist, and the hierarchy may not loop. */
export const tenantHierarchy: AdmissionPlugin = async ({ operation, definition, object, tx }) => {
  if (definition.kind !== 'Tenant' || operation === 'delete') return;
  let parent = (object.spec as TenantSpec | undefined)?.parent;
  const seen = new Set([object.metadata.name]);
  while (parent !== undefined) {
    if (seen.has(parent)) {
      throw new InputError(
        msg('DepartmentOwnAncestor', { department: object.metadata.name }),
        [codedCause('spec.parent', msg('DepartmentParentLoop', { parent }))],
        { invalid: true },
      );
    }
    seen.add(parent);
    const p = await tx.get(tenantKey(parent));
    if (!p) {
      throw new InputError(
        msg('ParentDepartmentMissing', { parent }),
        [codedCause('spec.parent', msg('NoDepartmentNamed', { parent }))],
        { invalid: true },
      );
    }
    parent = (p.spec as TenantSpec | undefined)?.parent;
  }
};

/**
 * Quota admission: refuses a change that would take any dimension of the department's use over its quota, naming
 * the dimension. The use of every other object comes from `index` (running totals kept from the change feed) plus
 * the changes after the index's position that this transaction sees (StoreTx.changesAfter: commits the feed has not
 * delivered yet and the earlier writes of the same group commit), so a write reads a handful of recent changes, not
 * the department's objects; without an index, or while it loads, the objects are summed. Runs inside the serialized
 * write transaction either way, so concurrent requests cannot both squeeze under the limit.
 */
export function quotaAdmission(usageByKind: ReadonlyMap<string, UsageFunction>, index?: QuotaIndex): AdmissionPlugin {
  return async ({ operation, definition, object, old, tx }) => {
    const usageOf = usageByKind.get(definition.kind);
    if (!usageOf || operation === 'delete') return;
    // The spec is what usage is a function of: an update that keeps the generation cannot grow it.
    if (old && old.metadata.generation === object.metadata.generation) return;
    // A department without a quota needs no usage: read it first, as computing an Application's usage renders its
    // spec (the costly part of a write into a department without quota, such as a bulk apply of new applications).
    const tenantName = object.metadata.tenant ?? '';
    const tenant = await tx.get(tenantKey(tenantName));
    const quota = (tenant?.spec as TenantSpec | undefined)?.quota;
    if (!quota) return;
    const before = old ? usageOf(old) : ZERO_USAGE;
    const after = usageOf(object);
    // Only growth is checked (quotaViolations): a change that takes no more of any dimension (a relabel, a note,
    // a scale-down) needs no totals.
    if (!growsUsage(before, after)) return;
    const others =
      (index && (await othersFromIndex(index, tx, tenantName, object))) ??
      (await othersByListing(usageByKind, tx, tenantName, object));
    const violations = quotaViolations(quota, others, before, after);
    if (violations.length > 0) {
      throw new QuotaExceededError(
        quotaMessage(tenantName, violations),
        violations.map((v) =>
          codedCause(
            `quota.${v.dimension}`,
            msg('QuotaDimension', { limit: v.limit, used: v.used, requested: v.requested }),
          ),
        ),
      );
    }
  };
}

/** What every object of the department but `object` uses, by summing them all (the index is not loaded). */
async function othersByListing(
  usageByKind: ReadonlyMap<string, UsageFunction>,
  tx: StoreTx,
  tenant: string,
  object: StoredObject,
): Promise<ResourceUsage> {
  const all = await tx.listAll([...usageByKind.keys()], tenant);
  let others = ZERO_USAGE;
  for (const o of all) {
    if (o.kind === object.kind && o.metadata.name === object.metadata.name) continue;
    others = addUsage(others, usageByKind.get(o.kind)!(o));
  }
  return others;
}

/**
 * The same sum from the index: its totals at its position, each object changed after that position taken at its
 * newest state as this transaction sees it. Undefined when the index cannot answer (not loaded, or the changes
 * after its position were compacted).
 */
async function othersFromIndex(
  index: QuotaIndex,
  tx: StoreTx,
  tenant: string,
  object: StoredObject,
): Promise<ResourceUsage | undefined> {
  const from = index.view(tenant)?.position;
  if (from === undefined) return undefined;
  const changes = await tx.changesAfter(from, index.kinds, tenant);
  // Read after the await, in one turn: the index may have moved past `from` meanwhile, never past the transaction.
  const view = index.view(tenant);
  if (changes === undefined || view === undefined || view.position < from) return undefined;
  const newest = new Map<string, TxChange>();
  for (const c of changes) if (c.revision > view.position) newest.set(`${c.kind}\u0000${c.name}`, c);
  let others = view.total;
  for (const c of newest.values()) {
    others = addUsage(subtractUsage(others, view.usageOf(c.kind, c.name)), index.usageOfChange(c));
  }
  const self = newest.get(`${object.kind}\u0000${object.metadata.name}`);
  return subtractUsage(others, self ? index.usageOfChange(self) : view.usageOf(object.kind, object.metadata.name));
}
