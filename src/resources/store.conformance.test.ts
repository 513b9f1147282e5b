import { afterEach, beforeEach, expect, it } from 'vitest';
import { forEachBackend } from '../../test/setup/backends.ts';
import { GoneError, InputError } from '../kernel/errors.ts';
import { verifyChain, type AuditEntry, type AuditEntryInput } from './audit-log.ts';
import type { ObjectKey, StoredObject } from './envelope.ts';
import { parseLabelSelector } from './label-selector.ts';
import type { Store } from './store.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

interface Draft {
  readonly labels?: Record<string, string>;
  readonly spec?: unknown;
}

/** Builds a stored object at `revision` (the service's job in production). */
function object(kind: string, tenant: string, name: string, revision: number, draft: Draft = {}): StoredObject {
  return {
    apiVersion: 'polis.example/v1',
    kind,
    metadata: {
      name,
      ...(tenant ? { tenant } : {}),
      uid: `uid-${kind}-${tenant}-${name}`,
      resourceVersion: String(revision),
      generation: 1,
      creationTimestamp: new Date(T0).toISOString(),
      ...(draft.labels ? { labels: draft.labels } : {}),
    },
    spec: draft.spec ?? { replicas: 1 },
  };
}

async function create(
  store: Store,
  kind: string,
  tenant: string,
  name: string,
  draft: Draft = {},
): Promise<StoredObject> {
  return store.transaction(async (tx) => {
    const obj = object(kind, tenant, name, await tx.nextRevision(), draft);
    await tx.put(obj, 'ADDED');
    return obj;
  });
}

function auditInput(over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    time: new Date(T0).toISOString(),
    actor: 'alice',
    verb: 'create',
    apiVersion: 'polis.example/v1',
    kind: 'Application',
    tenant: 'finance',
    name: 'web',
    outcome: 'success',
    code: 201,
    message: 'created',
    requestId: 'req-1',
    changes: null,
    ...over,
  };
}

async function allAudit(store: Store, pageSize = 100): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const page of store.scanAudit(pageSize)) out.push(...page);
  return out;
}

async function listAllPages(
  store: Store,
  query: Parameters<Store['list']>[0],
): Promise<{ names: string[]; pages: number[] }> {
  const names: string[] = [];
  const pages: number[] = [];
  let token: string | undefined;
  do {
    const page = await store.list({ ...query, ...(token ? { continue: token } : {}) });
    pages.push(page.items.length);
    names.push(...page.items.map((o) => `${o.metadata.tenant ?? ''}/${o.metadata.name}`));
    token = page.continue;
  } while (token !== undefined);
  return { names, pages };
}

const key = (kind: string, tenant: string, name: string): ObjectKey => ({ kind, tenant, name });

forEachBackend('the store', (backend) => {
  let store: Store;
  let execRaw: (sqlText: string) => Promise<void>;

  beforeEach(async () => {
    ({ store, execRaw } = await backend.openWithRawAccess());
  });
  afterEach(async () => {
    await store.close();
  });

  it('returns an object put in a transaction from get and list exactly as written', async () => {
    const written = await create(store, 'Application', 'finance', 'web', {
      labels: { tier: 'front' },
      spec: { image: 'nginx', ports: [80, 443], note: 'ünïcødé ✓' },
    });
    expect(await store.get(key('Application', 'finance', 'web'))).toEqual(written);
    expect(await store.get(key('Application', 'finance', 'missing'))).toBeUndefined();
    const page = await store.list({ kind: 'Application' });
    expect(page.items).toEqual([written]);
    expect(page.resourceVersion).toBe('1');
    expect(page.continue).toBeUndefined();
  });

  it('keeps platform-scoped objects under the empty tenant', async () => {
    const ns = await create(store, 'Tenant', '', 'finance');
    expect(await store.get(key('Tenant', '', 'finance'))).toEqual(ns);
    expect((await store.list({ kind: 'Tenant', tenant: '' })).items).toEqual([ns]);
  });

  it('gives every write a strictly greater revision, which is its resourceVersion and the current revision', async () => {
    expect(await store.currentRevision()).toBe(0);
    let last = 0;
    for (const name of ['a', 'b', 'c']) {
      const obj = await create(store, 'Application', 'finance', name);
      const revision = Number(obj.metadata.resourceVersion);
      expect(revision).toBeGreaterThan(last);
      expect(await store.currentRevision()).toBe(revision);
      last = revision;
    }
    const both = await store.transaction(async (tx) => {
      const revisions = [await tx.nextRevision(), await tx.nextRevision()];
      for (const r of revisions) await tx.put(object('Application', 'finance', `x${r}`, r), 'ADDED');
      return revisions;
    });
    expect(both).toEqual([last + 1, last + 2]);
    expect(await store.currentRevision()).toBe(last + 2);
    const events = await store.changesSince(0, 100);
    expect(events.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5]);
    expect(events.map((e) => e.object.metadata.resourceVersion)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('rolls back a transaction that throws: no object, no event, no audit entry, no revision', async () => {
    await create(store, 'Application', 'finance', 'kept');
    const before = await store.stats();
    await expect(
      store.transaction(async (tx) => {
        await tx.put(object('Application', 'finance', 'lost', await tx.nextRevision()), 'ADDED');
        await tx.appendAudit(auditInput({ name: 'lost' }));
        throw new Error('admission refused');
      }),
    ).rejects.toThrow('admission refused');
    expect(await store.get(key('Application', 'finance', 'lost'))).toBeUndefined();
    expect(await store.stats()).toEqual(before);
    expect(await store.currentRevision()).toBe(1);
    expect(await store.changesSince(1, 10)).toEqual([]);
    expect((await store.queryAudit({})).items).toEqual([]);
    const next = await create(store, 'Application', 'finance', 'after');
    expect(next.metadata.resourceVersion).toBe('2');
  });

  it('probes that it can write without changing anything: no revision, no event, no audit entry', async () => {
    await create(store, 'Application', 'finance', 'kept');
    const before = await store.stats();
    await store.probeWrite();
    expect(await store.stats()).toEqual(before);
    expect(await store.changesSince(1, 10)).toEqual([]);
  });

  it('loses no update when twenty read-modify-write transactions run concurrently', async () => {
    await create(store, 'Counter', 'finance', 'hits', { spec: { count: 0 } });
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store.transaction(async (tx) => {
          const current = (await tx.get(key('Counter', 'finance', 'hits')))!;
          const count = (current.spec as { count: number }).count;
          await new Promise((r) => setTimeout(r, 1));
          const revision = await tx.nextRevision();
          const next = {
            ...current,
            metadata: { ...current.metadata, resourceVersion: String(revision) },
            spec: { count: count + 1 },
          };
          await tx.put(next, 'MODIFIED');
        }),
      ),
    );
    const final = (await store.get(key('Counter', 'finance', 'hits')))!;
    expect(final.spec).toEqual({ count: 20 });
    expect(final.metadata.resourceVersion).toBe('21');
    const events = await store.changesSince(0, 100);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(events.map((e) => (e.object.spec as { count: number }).count)).toEqual(
      Array.from({ length: 21 }, (_, i) => i),
    );
  });

  it('sees its own writes through store reads made inside a transaction', async () => {
    const seen = await store.transaction(async (tx) => {
      await tx.put(object('Application', 'finance', 'web', await tx.nextRevision()), 'ADDED');
      const got = await store.get(key('Application', 'finance', 'web'));
      const listed = await store.list({ kind: 'Application' });
      return { got: got?.metadata.name, listed: listed.items.length };
    });
    expect(seen).toEqual({ got: 'web', listed: 1 });
  });

  it('rejects a transaction started inside another instead of deadlocking', async () => {
    await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toThrow(/inside a transaction/);
    expect(await create(store, 'Application', 'finance', 'after')).toBeDefined();
  });

  it('fails a transaction that takes a revision without writing with it, so no revision lacks an event', async () => {
    await expect(store.transaction((tx) => tx.nextRevision())).rejects.toThrow(/not used by a put or remove/);
    expect(await store.currentRevision()).toBe(0);
  });

  it('refuses a put whose resourceVersion was not taken from nextRevision in the same transaction', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.nextRevision();
        await tx.put(object('Application', 'finance', 'web', 99), 'ADDED');
      }),
    ).rejects.toThrow(/not an unused revision/);
    expect(await store.currentRevision()).toBe(0);
  });

  it('hands out copies that callers may mutate without touching stored state', async () => {
    await create(store, 'Application', 'finance', 'web', { labels: { tier: 'front' } });
    const first = (await store.get(key('Application', 'finance', 'web'))) as {
      metadata: { labels: Record<string, string> };
    };
    first.metadata.labels.tier = 'changed';
    const listed = (await store.list({ kind: 'Application' })).items[0] as unknown as { spec: { replicas: number } };
    listed.spec.replicas = 99;
    const again = (await store.get(key('Application', 'finance', 'web')))!;
    expect(again.metadata.labels).toEqual({ tier: 'front' });
    expect(again.spec).toEqual({ replicas: 1 });
  });

  it('returns every object of the given kinds in one tenant from listAll', async () => {
    await create(store, 'Application', 'finance', 'web');
    await create(store, 'Database', 'finance', 'db');
    await create(store, 'Application', 'health', 'portal');
    await create(store, 'Secret', 'finance', 'token');
    const names = await store.transaction(async (tx) =>
      (await tx.listAll(['Application', 'Database'], 'finance')).map((o) => o.metadata.name),
    );
    expect(names.sort()).toEqual(['db', 'web']);
    expect(await store.transaction((tx) => tx.listAll([], 'finance'))).toEqual([]);
  });

  it('lists by name prefix in listAll, as an index range that holds no other name', async () => {
    for (const name of ['web-v1', 'web-v2', 'web-v10', 'web-vx-v1', 'web', 'web-w1', 'webv1', 'api-v1'])
      await create(store, 'ApplicationRevision', 'finance', name);
    await create(store, 'ApplicationRevision', 'health', 'web-v1');
    const names = await store.transaction(async (tx) =>
      (await tx.listAll(['ApplicationRevision'], 'finance', { namePrefix: 'web-v' })).map((o) => o.metadata.name),
    );
    expect(names).toEqual(['web-v1', 'web-v10', 'web-v2', 'web-vx-v1']);
  });

  it("answers listAll by name prefix the same after prefetchLists, following the job's own puts and removes", async () => {
    for (const name of ['web-v1', 'web-v2', 'web-v10', 'web-vx-v1', 'web', 'webv1', 'api-v1'])
      await create(store, 'ApplicationRevision', 'finance', name);
    await create(store, 'ApplicationRevision', 'health', 'web-v1');
    await create(store, 'Application', 'finance', 'web-v7');
    const lists = async (prefetch: boolean) =>
      store
        .transaction(async (tx) => {
          if (prefetch)
            await tx.prefetchLists?.('ApplicationRevision', 'finance', ['web-v', 'api-v', 'none-v', 'web-v']);
          const names = async (prefix: string) =>
            (await tx.listAll(['ApplicationRevision'], 'finance', { namePrefix: prefix })).map((o) => o.metadata.name);
          const before = [await names('web-v'), await names('api-v'), await names('none-v')];
          const put = object('ApplicationRevision', 'finance', 'web-v3', await tx.nextRevision());
          await tx.put(put, 'ADDED');
          const gone = (await tx.get(key('ApplicationRevision', 'finance', 'api-v1')))!;
          await tx.remove({
            ...gone,
            metadata: { ...gone.metadata, resourceVersion: String(await tx.nextRevision()) },
          });
          await tx.put(object('ApplicationRevision', 'finance', 'none-w1', await tx.nextRevision()), 'ADDED');
          const after = [await names('web-v'), await names('api-v'), await names('none-v')];
          throw Object.assign(new Error('roll back'), { lists: [before, after] });
        })
        .catch((e: { lists?: string[][][] }) => e.lists);
    const expected = [
      [['web-v1', 'web-v10', 'web-v2', 'web-vx-v1'], ['api-v1'], []],
      [['web-v1', 'web-v10', 'web-v2', 'web-v3', 'web-vx-v1'], [], []],
    ];
    expect(await lists(false)).toEqual(expected);
    expect(await lists(true)).toEqual(expected);
  });

  it("keeps a job's repeated listAll current with the job's own puts and removes, and nothing after it", async () => {
    await create(store, 'Application', 'finance', 'b');
    await create(store, 'Application', 'finance', 'd');
    const seen = await store.transaction(async (tx) => {
      const names = async () => (await tx.listAll(['Application', 'Database'], 'finance')).map((o) => o.metadata.name);
      const lists = [await names()];
      const put = async (kind: string, tenant: string, name: string, spec: unknown) => {
        const obj = object(kind, tenant, name, await tx.nextRevision(), { spec });
        await tx.put(obj, 'ADDED');
        return obj;
      };
      const c = await put('Application', 'finance', 'c', { replicas: 2 });
      (c as { spec: unknown }).spec = { replicas: 99 }; // changing the caller's object after the put changes nothing stored
      await put('Database', 'finance', 'a', {});
      await put('Application', 'health', 'x', {});
      await put('Secret', 'finance', 'e', {});
      lists.push(await names());
      const d = (await tx.listAll(['Database', 'Application'], 'finance')).find((o) => o.metadata.name === 'd')!;
      await tx.remove({ ...d, metadata: { ...d.metadata, resourceVersion: String(await tx.nextRevision()) } });
      lists.push(await names());
      const cNow = (await tx.listAll(['Application', 'Database'], 'finance')).find((o) => o.metadata.name === 'c');
      return { lists, cSpec: cNow?.spec };
    });
    expect(seen.lists).toEqual([
      ['b', 'd'],
      ['b', 'c', 'd', 'a'],
      ['b', 'c', 'a'],
    ]);
    expect(seen.cSpec).toEqual({ replicas: 2 });
    expect(await store.transaction(async (tx) => (await tx.listAll(['Application'], 'finance')).length)).toBe(2);
  });

  it('lists by tenant and by an authorization set of tenants, and an empty set yields nothing', async () => {
    for (const tenant of ['finance', 'health', 'roads']) {
      await create(store, 'Application', tenant, 'a');
      await create(store, 'Application', tenant, 'b');
    }
    await create(store, 'Database', 'finance', 'a');
    const names = async (q: Omit<Parameters<Store['list']>[0], 'kind'>) =>
      (await store.list({ kind: 'Application', ...q })).items.map((o) => `${o.metadata.tenant}/${o.metadata.name}`);
    expect(await names({})).toEqual(['finance/a', 'finance/b', 'health/a', 'health/b', 'roads/a', 'roads/b']);
    expect(await names({ tenant: 'health' })).toEqual(['health/a', 'health/b']);
    expect(await names({ tenants: ['roads', 'finance'] })).toEqual(['finance/a', 'finance/b', 'roads/a', 'roads/b']);
    expect(await names({ tenants: [] })).toEqual([]);
    expect(await names({ tenant: 'health', tenants: ['finance', 'health'] })).toEqual(['health/a', 'health/b']);
    expect(await names({ tenant: 'roads', tenants: ['finance'] })).toEqual([]);
  });

  it('selects by label with eq, neq, in, notin, exists and !exists', async () => {
    await create(store, 'Application', 'finance', 'a', { labels: { env: 'prod', tier: 'front' } });
    await create(store, 'Application', 'finance', 'b', { labels: { env: 'test', tier: 'back' } });
    await create(store, 'Application', 'finance', 'c', { labels: { env: 'dev' } });
    await create(store, 'Application', 'finance', 'd');
    const names = async (selector: string) =>
      (await store.list({ kind: 'Application', labelSelector: parseLabelSelector(selector) })).items.map(
        (o) => o.metadata.name,
      );
    expect(await names('env=prod')).toEqual(['a']);
    expect(await names('env!=prod')).toEqual(['b', 'c', 'd']);
    expect(await names('env in (prod,test)')).toEqual(['a', 'b']);
    expect(await names('env notin (prod,test)')).toEqual(['c', 'd']);
    expect(await names('tier')).toEqual(['a', 'b']);
    expect(await names('!tier')).toEqual(['c', 'd']);
    expect(await names('env,!tier')).toEqual(['c']);
    expect(await names('')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('pages through 250 objects with limit and continue, returning each exactly once in (tenant, name) order', async () => {
    const expected: string[] = [];
    await store.transaction(async (tx) => {
      for (let i = 0; i < 250; i++) {
        const tenant = ['finance', 'health', 'roads'][i % 3]!;
        const name = `app-${String(i).padStart(3, '0')}`;
        expected.push(`${tenant}/${name}`);
        await tx.put(
          object('Application', tenant, name, await tx.nextRevision(), { labels: { parity: i % 2 ? 'odd' : 'even' } }),
          'ADDED',
        );
      }
    });
    expected.sort();
    const { names, pages } = await listAllPages(store, { kind: 'Application', limit: 40 });
    expect(names).toEqual(expected);
    expect(pages).toEqual([40, 40, 40, 40, 40, 40, 10]);
    const exact = await listAllPages(store, { kind: 'Application', limit: 50 });
    expect(exact.pages).toEqual([50, 50, 50, 50, 50]);
    const byTenant = await listAllPages(store, { kind: 'Application', tenants: ['health', 'roads'], limit: 7 });
    expect(byTenant.names).toEqual(expected.filter((n) => !n.startsWith('finance/')));
    expect((await store.list({ kind: 'Application', limit: 0 })).items).toHaveLength(250);
    await expect(store.list({ kind: 'Application', limit: -1 })).rejects.toBeInstanceOf(InputError);
  });

  it('returns the stored JSON text, or the keys, of the same items, pages and selections when asked for raw items or keys', async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 30; i++) {
        const labels = { parity: i % 2 ? 'odd' : 'even' };
        await tx.put(
          object('Application', 'finance', `raw-${String(i).padStart(2, '0')}`, await tx.nextRevision(), { labels }),
          'ADDED',
        );
      }
    });
    for (const query of [{ limit: 7 }, { limit: 4, labelSelector: parseLabelSelector('parity=odd') }, {}]) {
      let token: string | undefined;
      do {
        const q = { kind: 'Application', ...query, ...(token ? { continue: token } : {}) };
        const parsed = await store.list(q);
        const raw = await store.list({ ...q, raw: true });
        expect(raw.items).toEqual([]);
        expect(raw.rawItems!.map((t) => JSON.parse(t))).toEqual(parsed.items);
        expect(raw.continue).toBe(parsed.continue);
        // Keys only: the same items, pages and selections, each its key and resourceVersion, no body.
        const keys = await store.list({ ...q, keysOnly: true });
        expect(keys.items).toEqual([]);
        expect(keys.keys).toEqual(
          parsed.items.map((o) => ({
            tenant: o.metadata.tenant,
            name: o.metadata.name,
            resourceVersion: o.metadata.resourceVersion,
          })),
        );
        expect(keys.continue).toBe(parsed.continue);
        token = parsed.continue;
      } while (token !== undefined);
    }
  });

  it('fills every page but the last when a selective selector matches few objects', async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 600; i++) {
        const labels = i % 50 === 0 ? { rare: 'yes' } : { rare: 'no' };
        await tx.put(
          object('Application', 'finance', `app-${String(i).padStart(3, '0')}`, await tx.nextRevision(), { labels }),
          'ADDED',
        );
      }
    });
    const { names, pages } = await listAllPages(store, {
      kind: 'Application',
      labelSelector: parseLabelSelector('rare=yes'),
      limit: 5,
    });
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `finance/app-${String(i * 50).padStart(3, '0')}`));
    expect(pages.slice(0, 2)).toEqual([5, 5]);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(12);
  });

  it('rejects a malformed or foreign continue token with an InputError naming continue', async () => {
    await create(store, 'Application', 'finance', 'a');
    await create(store, 'Application', 'finance', 'b');
    for (const token of ['not a token!', 'e30', Buffer.from('{"v":1,"k":7}').toString('base64url')]) {
      const error = await store.list({ kind: 'Application', continue: token }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).causes[0]?.path).toBe('continue');
    }
    const page = await store.list({ kind: 'Application', limit: 1 });
    expect(page.continue).toBeDefined();
    await expect(store.list({ kind: 'Database', continue: page.continue! })).rejects.toBeInstanceOf(InputError);
  });

  it('returns changes after a revision oldest first and at most limit of them', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) await create(store, 'Application', 'finance', name);
    const two = await store.changesSince(1, 2);
    expect(two.map((e) => [e.type, e.revision, e.object.metadata.name])).toEqual([
      ['ADDED', 2, 'b'],
      ['ADDED', 3, 'c'],
    ]);
    expect((await store.changesSince(3, 100)).map((e) => e.revision)).toEqual([4, 5]);
    expect(await store.changesSince(5, 100)).toEqual([]);
    expect(await store.changesSince(50, 100)).toEqual([]);
  });

  it('records a DELETED event carrying the final object and removes the object', async () => {
    const created = await create(store, 'Application', 'finance', 'web');
    const last = await store.transaction(async (tx) => {
      const final = {
        ...created,
        metadata: {
          ...created.metadata,
          resourceVersion: String(await tx.nextRevision()),
          deletionTimestamp: new Date(T0).toISOString(),
        },
      };
      await tx.remove(final);
      return final;
    });
    expect(await store.get(key('Application', 'finance', 'web'))).toBeUndefined();
    const [deleted] = await store.changesSince(1, 10);
    expect(deleted).toEqual({ type: 'DELETED', revision: 2, object: last });
    await expect(
      store.transaction(async (tx) =>
        tx.remove({ ...last, metadata: { ...last.metadata, resourceVersion: String(await tx.nextRevision()) } }),
      ),
    ).rejects.toThrow(/does not exist/);
  });

  it('answers Gone for a revision older than the compaction point and resumes from the point itself', async () => {
    for (let i = 0; i < 10; i++) await create(store, 'Application', 'finance', `app-${i}`);
    expect(await store.compact(3)).toBe(7);
    const gone = await store.changesSince(0, 10).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GoneError);
    expect((gone as Error).message).toMatch(/too old/);
    await expect(store.changesSince(6, 10)).rejects.toBeInstanceOf(GoneError);
    expect((await store.changesSince(7, 10)).map((e) => e.revision)).toEqual([8, 9, 10]);
    expect(await store.compact(5)).toBe(7);
    await create(store, 'Application', 'finance', 'later');
    expect((await store.changesSince(9, 10)).map((e) => e.revision)).toEqual([10, 11]);
    expect((await store.list({ kind: 'Application' })).items).toHaveLength(11);
    expect(await store.compact(0)).toBe(11);
    expect(await store.changesSince(11, 10)).toEqual([]);
    await expect(store.changesSince(10, 10)).rejects.toBeInstanceOf(GoneError);
  });

  it('appends audit entries as a hash chain that verifyChain accepts, with changes round-tripping exactly', async () => {
    const changes = {
      spec: { replicas: 3, image: null, ports: [80, { name: 'https', port: 443 }] },
      metadata: { labels: { 'a/b': 'ç' } },
    };
    const appended = await store.transaction(async (tx) => [
      await tx.appendAudit(auditInput({ changes })),
      await tx.appendAudit(auditInput({ verb: 'update', changes: { spec: { replicas: 4 } } })),
    ]);
    appended.push(await store.transaction((tx) => tx.appendAudit(auditInput({ verb: 'delete', changes: undefined }))));
    expect(appended.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(appended[1]!.prevHash).toBe(appended[0]!.hash);
    const stored = await allAudit(store);
    expect(stored).toEqual(appended);
    expect(stored[0]!.changes).toEqual(changes);
    expect(stored[2]!.changes).toBeNull();
    expect(verifyChain(stored)).toMatchObject({ ok: true, entries: 3, headSeq: 3, headHash: appended[2]!.hash });
  });

  it('filters audit queries by tenant, tenants, actor, kind, time range and pages with after and limit', async () => {
    const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
    await store.transaction(async (tx) => {
      await tx.appendAudit(auditInput({ time: at(0), tenant: 'finance', actor: 'alice', kind: 'Application' }));
      await tx.appendAudit(auditInput({ time: at(1), tenant: 'health', actor: 'bob', kind: 'Database' }));
      await tx.appendAudit(
        auditInput({ time: at(2), tenant: 'finance', actor: 'bob', kind: 'Database', outcome: 'denied', code: 403 }),
      );
      await tx.appendAudit(auditInput({ time: at(3), tenant: 'roads', actor: 'alice', kind: 'Application' }));
      await tx.appendAudit(auditInput({ time: at(4), tenant: '', actor: 'admin', kind: 'Tenant' }));
    });
    const seqs = async (q: Parameters<Store['queryAudit']>[0]) => (await store.queryAudit(q)).items.map((e) => e.seq);
    expect(await seqs({})).toEqual([1, 2, 3, 4, 5]);
    expect(await seqs({ tenant: 'finance' })).toEqual([1, 3]);
    expect(await seqs({ tenants: ['finance', 'roads'] })).toEqual([1, 3, 4]);
    expect(await seqs({ tenants: [] })).toEqual([]);
    expect(await seqs({ actor: 'bob' })).toEqual([2, 3]);
    expect(await seqs({ kind: 'Application' })).toEqual([1, 4]);
    expect(await seqs({ outcome: 'denied' })).toEqual([3]);
    expect(await seqs({ since: at(1), until: at(3) })).toEqual([2, 3, 4]);
    expect(await seqs({ since: '2026-01-01T00:02:00Z' })).toEqual([3, 4, 5]);
    const first = await store.queryAudit({ limit: 2 });
    expect(first.items.map((e) => e.seq)).toEqual([1, 2]);
    expect(first.next).toBe(2);
    const second = await store.queryAudit({ limit: 2, after: first.next! });
    expect(second.items.map((e) => e.seq)).toEqual([3, 4]);
    const last = await store.queryAudit({ limit: 2, after: second.next! });
    expect(last.items.map((e) => e.seq)).toEqual([5]);
    expect(last.next).toBeUndefined();
    await expect(store.queryAudit({ since: 'yesterday' })).rejects.toBeInstanceOf(InputError);
  });

  it('scans every audit entry in sequence order in pages of the requested size', async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 7; i++) await tx.appendAudit(auditInput({ requestId: `req-${i}` }));
    });
    const pages: number[][] = [];
    for await (const page of store.scanAudit(3)) pages.push(page.map((e) => e.seq));
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('makes verifyChain fail at the altered entry when a stored audit row is tampered with', async () => {
    await store.transaction(async (tx) => {
      for (let i = 0; i < 5; i++) await tx.appendAudit(auditInput({ requestId: `req-${i}` }));
    });
    expect(verifyChain(await allAudit(store)).ok).toBe(true);
    await execRaw(`UPDATE audit SET message = 'nothing to see here' WHERE seq = 3`);
    const result = verifyChain(await allAudit(store, 2));
    expect(result.ok).toBe(false);
    expect(result.brokenAt?.seq).toBe(3);
    expect(result.headSeq).toBe(2);
  });

  it('counts objects, events, audit entries and the revision in stats', async () => {
    await create(store, 'Application', 'finance', 'a');
    const b = await create(store, 'Application', 'finance', 'b');
    await store.transaction(async (tx) => {
      await tx.remove({ ...b, metadata: { ...b.metadata, resourceVersion: String(await tx.nextRevision()) } });
      await tx.appendAudit(auditInput());
    });
    expect(await store.stats()).toEqual({ objects: 1, events: 3, auditEntries: 1, revision: 3 });
    await store.transaction((tx) => tx.appendAudit(auditInput({ requestId: 'req-2' })));
    await store.compact(1);
    expect(await store.stats()).toEqual({ objects: 1, events: 1, auditEntries: 2, revision: 3 });
  });

  it('migrates idempotently, keeping existing data', async () => {
    await create(store, 'Application', 'finance', 'a');
    await store.migrate();
    await store.migrate();
    expect((await store.list({ kind: 'Application' })).items).toHaveLength(1);
  });
});
