import type { StoredObject } from '../resources/envelope.ts';
import type { AdmissionPlugin } from '../resources/service.ts';

/**
 * Events are a record of what happened, not something a department holds: deleting an (otherwise empty)
 * department deletes its events in the same transaction, instead of refusing because of them. Runs before the
 * department deletion guard.
 */
export const eventsGoWithTheirTenant: AdmissionPlugin = async ({ operation, definition, object, tx }) => {
  if (definition.kind !== 'Tenant' || operation !== 'delete') return;
  for (const ev of await tx.listAll(['Event'], object.metadata.name)) {
    const revision = await tx.nextRevision();
    await tx.remove({ ...ev, metadata: { ...ev.metadata, resourceVersion: String(revision) } } as StoredObject);
  }
};
