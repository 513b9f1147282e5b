import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../../test/setup/backends.ts';
import { ManualClock } from '../kernel/clock.ts';
import type { StoredObject } from '../resources/envelope.ts';
import { KindRegistry } from '../resources/registry.ts';
import { ResourceService } from '../resources/service.ts';
import type { Store } from '../resources/store.ts';
import { tenantKind } from '../tenancy/kinds.ts';
import { applicationKind } from './application-kind.ts';
import { applicationRevisionKind, prefetchRevisions, recordRevision, REVISION_APP_LABEL } from './revisions.ts';

const ctx = { actor: 'tester', requestId: 'r1' };
const app = (name: string, image = 'registry.example.gov.cn/edu/web:1.0') => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant: 'edu' },
  spec: { components: [{ name: 'web', type: 'webservice', properties: { image } }] },
});

/** A revision left behind by an earlier application of the same name (another uid). */
function stale(name: string, generation: number, revision: number): StoredObject {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'ApplicationRevision',
    metadata: {
      name: `${name}-v${generation}`,
      tenant: 'edu',
      uid: `old-${name}-v${generation}`,
      labels: { [REVISION_APP_LABEL]: name },
      generation: 1,
      resourceVersion: String(revision),
      creationTimestamp: '2026-01-01T00:00:00.000Z',
    },
    spec: { revision: generation, applicationUid: `old-${name}`, application: { spec: { components: [] } } },
  };
}

forEachBackend('application revisions', (backend) => {
  let store: Store;
  const services = (prefetch: boolean) => {
    const registry = new KindRegistry();
    for (const k of [tenantKind, applicationKind, applicationRevisionKind]) registry.register(k);
    return new ResourceService({
      store,
      registry,
      clock: new ManualClock('2026-11-24T08:00:00Z'),
      admission: [recordRevision],
      ...(prefetch ? { admissionPrefetch: [prefetchRevisions] } : {}),
    });
  };
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(async () => {
    await store.close();
  });

  const revisions = async () =>
    (await store.list({ kind: 'ApplicationRevision' })).items.map(
      (r) =>
        `${r.metadata.name}:${(r.spec as { applicationUid: string }).applicationUid.startsWith('old-') ? 'old' : 'new'}`,
    );

  it.each([false, true])(
    'starts the history of an application applied again in bulk afresh (revisions read ahead: %s)',
    async (prefetch) => {
      const service = services(prefetch);
      await service.create(ctx, {
        apiVersion: 'polis.io/v1',
        kind: 'Tenant',
        metadata: { name: 'edu' },
        spec: { displayName: { zh: '教育局', en: 'Education' } },
      });
      // What an earlier "web" left behind: two revisions of another uid.
      await store.transaction(async (tx) => {
        await tx.put(stale('web', 1, await tx.nextRevision()), 'ADDED');
        await tx.put(stale('web', 2, await tx.nextRevision()), 'ADDED');
        await tx.put(stale('web-v', 1, await tx.nextRevision()), 'ADDED');
      });
      const results = await service.apply(ctx, [app('web'), app('api'), app('portal')]);
      expect(results.map((r) => r.action)).toEqual(['created', 'created', 'created']);
      const uid = results[0]!.object.metadata.uid;
      expect((await revisions()).sort()).toEqual(['api-v1:new', 'portal-v1:new', 'web-v-v1:old', 'web-v1:new']);
      const web = (await store.list({ kind: 'ApplicationRevision' })).items.find((r) => r.metadata.name === 'web-v1')!;
      expect((web.spec as { applicationUid: string }).applicationUid).toBe(uid);
      // "web-v-v1" is the history of another application, "web-v", which was not applied: it is kept.
      // A second bulk apply that changes one spec adds one revision beside the first.
      await service.apply(ctx, [app('web', 'registry.example.gov.cn/edu/web:2.0'), app('api')]);
      expect((await revisions()).sort()).toEqual([
        'api-v1:new',
        'portal-v1:new',
        'web-v-v1:old',
        'web-v1:new',
        'web-v2:new',
      ]);
    },
  );
});
