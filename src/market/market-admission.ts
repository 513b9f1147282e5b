import { ConflictError, InputError, NotFoundError, codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { jsonEqual } from '../resources/merge-patch.ts';
import type { AdmissionPlugin } from '../resources/service.ts';
import type { StoreTx } from '../resources/store.ts';
import type {
  CatalogItemVersionSpec,
  ItemState,
  MarketInstanceSpec,
  ServiceBindingSpec,
  VersionPhase,
} from './market-kinds.ts';
import { findVersion, PLATFORM_SPACE } from './market-kinds.ts';
import { subscriptionRules } from './sharing-admission.ts';
import { parameterCauses } from './template.ts';

const platformKey = (kind: string, name: string) => ({ kind, tenant: '', name });

export function phaseOf(version: StoredObject | undefined): VersionPhase {
  return ((version?.status as { phase?: VersionPhase } | undefined)?.phase ?? 'Draft') as VersionPhase;
}

export function itemStateOf(item: StoredObject | undefined): ItemState {
  return ((item?.status as { state?: ItemState } | undefined)?.state ?? 'active') as ItemState;
}

/** The instance a binding names: in its own department, or the data bureau's shared one in the platform space. */
export async function boundInstance(
  get: StoreTx['get'],
  tenant: string,
  spec: Pick<ServiceBindingSpec, 'instance' | 'shared'>,
): Promise<StoredObject | undefined> {
  const where = spec.shared ? PLATFORM_SPACE : tenant;
  const inst = await get({ kind: 'MarketInstance', tenant: where, name: spec.instance });
  if (!inst) return undefined;
  if (spec.shared && !(inst.spec as MarketInstanceSpec).shared) return undefined;
  return inst;
}

/**
 * The marketplace's rules on writes: versions belong to an existing item and never change once submitted (nor are
 * released ones deleted); instances are made only of released versions of items that take new instances, shared
 * ones only in the platform space; bindings name an instance they may use, and keep it; an instance with bindings
 * is not deleted.
 */
export const marketAdmission: AdmissionPlugin = async ({ operation, definition, object, old, tx }) => {
  switch (definition.kind) {
    case 'CatalogItemVersion':
      return versionRules(operation, object, old, tx);
    case 'MarketInstance':
      return instanceRules(operation, object, old, tx);
    case 'ServiceBinding':
      return bindingRules(operation, object, old, tx);
    case 'APISubscription':
      return subscriptionRules(operation, object, old, tx);
    default:
      return;
  }
};

async function versionRules(
  operation: 'create' | 'update' | 'delete',
  object: StoredObject,
  old: StoredObject | undefined,
  tx: StoreTx,
): Promise<void> {
  const spec = object.spec as CatalogItemVersionSpec;
  if (operation === 'create' && !(await tx.get(platformKey('CatalogItem', spec.item))))
    throw new InputError(msg('MarketVersionItemMissing', { item: spec.item }), [
      codedCause('spec.item', msg('MarketVersionItemMissing', { item: spec.item })),
    ]);
  if (
    operation !== 'delete' &&
    (!old ||
      (old.spec as CatalogItemVersionSpec).version !== spec.version ||
      (old.spec as CatalogItemVersionSpec).item !== spec.item)
  ) {
    const other = (await tx.listAll(['CatalogItemVersion'], '')).find(
      (v) =>
        v.metadata.name !== object.metadata.name &&
        (v.spec as CatalogItemVersionSpec).item === spec.item &&
        (v.spec as CatalogItemVersionSpec).version === spec.version,
    );
    if (other)
      throw new ConflictError(
        msg('MarketVersionExists', { item: spec.item, version: spec.version, existing: other.metadata.name }),
      );
  }
  const phase = phaseOf(old ?? object);
  if (
    operation === 'update' &&
    old &&
    !jsonEqual(old.spec, object.spec) &&
    (phase === 'Submitted' || phase === 'Released')
  )
    throw new ConflictError(msg('MarketVersionImmutable', { version: object.metadata.name, phase }));
  if (operation === 'delete' && phase === 'Released')
    throw new ConflictError(msg('MarketVersionNotDeletable', { version: object.metadata.name, phase }));
}

async function instanceRules(
  operation: 'create' | 'update' | 'delete',
  object: StoredObject,
  old: StoredObject | undefined,
  tx: StoreTx,
): Promise<void> {
  const tenant = object.metadata.tenant ?? '';
  const spec = object.spec as MarketInstanceSpec;
  if (operation === 'delete') {
    if (object.metadata.deletionTimestamp) return;
    const users = await bindingsOf(tx, tenant, object.metadata.name, spec.shared === true);
    if (users.length > 0)
      throw new ConflictError(
        msg('MarketInstanceInUse', { instance: object.metadata.name, count: users.length, binding: users[0]!.name }),
      );
    return;
  }
  if (spec.shared && tenant !== PLATFORM_SPACE)
    throw new InputError(msg('MarketSharedOnlyPlatform', { space: PLATFORM_SPACE }), [
      codedCause('spec.shared', msg('MarketSharedOnlyPlatform', { space: PLATFORM_SPACE })),
    ]);
  // A direct endpoint makes polis itself connect there: only the data bureau's platform space may name one.
  if (spec.endpoint && tenant !== PLATFORM_SPACE)
    throw new InputError(msg('MarketEndpointOnlyPlatform', { space: PLATFORM_SPACE }), [
      codedCause('spec.endpoint', msg('MarketEndpointOnlyPlatform', { space: PLATFORM_SPACE })),
    ]);
  const was = old?.spec as MarketInstanceSpec | undefined;
  if (was && was.item !== spec.item)
    throw new InputError(msg('MarketInstanceSpecItemFixed'), [
      codedCause('spec.item', msg('MarketInstanceSpecItemFixed')),
    ]);
  const sameParameters = was !== undefined && jsonEqual(was.parameters ?? {}, spec.parameters ?? {});
  // An unchanged version of a running instance is left alone (a suspended item's instances keep running).
  if (was && was.version === spec.version && sameParameters) return;
  const version = findVersion(await tx.listAll(['CatalogItemVersion'], ''), spec.item, spec.version);
  if (!(was && was.version === spec.version)) {
    const item = await tx.get(platformKey('CatalogItem', spec.item));
    if (!item) throw new NotFoundError(msg('MarketNoSuchItem', { item: spec.item }));
    if (!version) throw new NotFoundError(msg('MarketNoSuchVersion', { item: spec.item, version: spec.version }));
    const phase = phaseOf(version);
    if (phase !== 'Released')
      throw new ConflictError(msg('MarketVersionNotReleased', { item: spec.item, version: spec.version, phase }));
    const state = itemStateOf(item);
    if (state !== 'active') throw new ConflictError(msg('MarketItemNotAvailable', { item: spec.item, state }));
  }
  // Parameters are checked against the version's schema here, each problem at its field, so nothing is made of
  // parameters the template would refuse (the console puts each cause under its form field).
  if (!version) return;
  const causes = parameterCauses(
    (version.spec as CatalogItemVersionSpec).parameters,
    spec.parameters ?? {},
    'spec.parameters',
  );
  if (causes.length > 0)
    throw new InputError(
      msg('MarketParametersInvalid', {
        item: spec.item,
        version: spec.version,
        problems: causes.map((c) => ({ code: c.code!, ...(c.params ? { params: c.params } : {}), message: c.message })),
      }),
      causes,
      { invalid: true },
    );
}

async function bindingRules(
  operation: 'create' | 'update' | 'delete',
  object: StoredObject,
  old: StoredObject | undefined,
  tx: StoreTx,
): Promise<void> {
  if (operation === 'delete') return;
  const spec = object.spec as ServiceBindingSpec;
  const was = old?.spec as ServiceBindingSpec | undefined;
  if (was) {
    if (was.instance !== spec.instance || was.application !== spec.application || !!was.shared !== !!spec.shared)
      throw new InputError(msg('MarketBindingFixed'), [codedCause('spec', msg('MarketBindingFixed'))]);
    return;
  }
  const inst = await boundInstance((k) => tx.get(k), object.metadata.tenant ?? '', spec);
  if (!inst)
    throw new NotFoundError(msg('MarketNoSuchInstance', { instance: spec.instance }), [
      codedCause('spec.instance', msg('MarketNoSuchInstance', { instance: spec.instance })),
    ]);
  const ispec = inst.spec as MarketInstanceSpec;
  const version = findVersion(await tx.listAll(['CatalogItemVersion'], ''), ispec.item, ispec.version);
  if (!(version?.spec as CatalogItemVersionSpec | undefined)?.connection)
    throw new InputError(msg('MarketInstanceNotBindable', { instance: spec.instance, item: ispec.item }), [
      codedCause('spec.instance', msg('MarketInstanceNotBindable', { instance: spec.instance, item: ispec.item })),
    ]);
}

/** Bindings that use an instance (a shared one: from every department). */
async function bindingsOf(
  tx: StoreTx,
  tenant: string,
  instance: string,
  shared: boolean,
): Promise<Array<{ name: string; app: string }>> {
  const tenants = shared ? (await tx.listAll(['Tenant'], '')).map((t) => t.metadata.name) : [tenant];
  const out: Array<{ name: string; app: string }> = [];
  for (const t of tenants)
    for (const b of await tx.listAll(['ServiceBinding'], t)) {
      const s = b.spec as ServiceBindingSpec;
      if (s.instance === instance && (shared ? s.shared === true : !s.shared))
        out.push({ name: b.metadata.name, app: s.application });
    }
  return out;
}
