import { InputError, NotFoundError, codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import type { StoredObject } from '../resources/envelope.ts';
import type { StoreTx } from '../resources/store.ts';
import type { APISubscriptionSpec } from './sharing-kinds.ts';

/**
 * A subscription names an API another department publishes, and keeps its department, API and application (a change
 * would carry an approval to something the owner never approved). Its status (the owner's decision) is written only
 * by the decision route and the controller: status writes are the platform's alone.
 */
export async function subscriptionRules(
  operation: 'create' | 'update' | 'delete',
  object: StoredObject,
  old: StoredObject | undefined,
  tx: StoreTx,
): Promise<void> {
  if (operation === 'delete') return;
  const spec = object.spec as APISubscriptionSpec;
  const was = old?.spec as APISubscriptionSpec | undefined;
  if (was) {
    if (was.department !== spec.department || was.api !== spec.api || was.application !== spec.application)
      throw new InputError(msg('SharingSubscriptionFixed'), [codedCause('spec', msg('SharingSubscriptionFixed'))]);
    return;
  }
  if (spec.department === object.metadata.tenant)
    throw new InputError(msg('SharingSelfSubscribe', { api: spec.api }), [
      codedCause('spec.department', msg('SharingSelfSubscribe', { api: spec.api })),
    ]);
  const api = await tx.get({ kind: 'SharedAPI', tenant: spec.department, name: spec.api });
  if (!api || api.metadata.deletionTimestamp)
    throw new NotFoundError(msg('SharingNoSuchAPI', { department: spec.department, api: spec.api }), [
      codedCause('spec.api', msg('SharingNoSuchAPI', { department: spec.department, api: spec.api })),
    ]);
}
