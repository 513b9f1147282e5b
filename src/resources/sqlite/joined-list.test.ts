import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ListPage, ListQuery, Store } from '../store.ts';
import { openSqliteStore } from './sqlite-store.ts';

/** A page's items as text, whichever way the store answered them. */
function itemsOf(page: ListPage): string[] {
  if (page.joinedItems !== undefined) {
    const text = Buffer.from(page.joinedItems).toString('utf8');
    return (JSON.parse(`[${text}]`) as unknown[]).map((o) => JSON.stringify(o));
  }
  return page.rawItems ?? page.items.map((o) => JSON.stringify(o));
}

describe('SQLite lists with their items joined in the database (ListQuery.joined)', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore(':memory:');
    await store.transaction(async (tx) => {
      for (const tenant of ['alpha', 'beta', 'gamma'])
        for (let i = 0; i < 7; i++) {
          const revision = await tx.nextRevision();
          await tx.put(
            {
              apiVersion: 'polis.example/v1',
              kind: 'Application',
              metadata: {
                name: `app-${i}`,
                tenant,
                uid: `uid-${tenant}-${i}`,
                resourceVersion: String(revision),
                generation: 1,
                creationTimestamp: '2026-01-01T00:00:00.000Z',
              },
              // Text beyond ASCII: the bytes are UTF-8, the items read back the same.
              spec: { note: `département ${tenant} № ${i}` },
            },
            'ADDED',
          );
        }
    });
  });
  afterEach(async () => {
    await store.close();
  });

  /** Every page of a list, with and without `joined`: the same items, versions and continue tokens. */
  async function pages(query: ListQuery, joined: boolean): Promise<Array<{ items: string[]; page: ListPage }>> {
    const out: Array<{ items: string[]; page: ListPage }> = [];
    let cont: string | undefined;
    do {
      const page = await store.list({ ...query, raw: true, joined, continue: cont });
      out.push({ items: itemsOf(page), page });
      cont = page.continue;
    } while (cont !== undefined);
    return out;
  }

  for (const [what, query] of [
    ['every department', { kind: 'Application', limit: 5 }],
    ['one department', { kind: 'Application', tenant: 'beta', limit: 3 }],
    ['one department allowed of the caller', { kind: 'Application', tenants: ['gamma'], limit: 7 }],
    ['a page exactly full', { kind: 'Application', tenant: 'alpha', limit: 7 }],
    ['a kind with nothing stored', { kind: 'Tenant', limit: 10 }],
  ] as const) {
    it(`answers what the usual list answers: ${what}`, async () => {
      const usual = await pages(query, false);
      const joined = await pages(query, true);
      expect(joined.every((p) => p.page.joinedItems !== undefined)).toBe(true);
      expect(usual.every((p) => p.page.joinedItems === undefined)).toBe(true);
      expect(joined.map((p) => p.items)).toEqual(usual.map((p) => p.items));
      expect(joined.map((p) => [p.page.resourceVersion, p.page.continue])).toEqual(
        usual.map((p) => [p.page.resourceVersion, p.page.continue]),
      );
    });
  }

  it('leaves to the usual path what it does not take (several departments, a name, no limit)', async () => {
    for (const query of [
      { kind: 'Application', tenants: ['alpha', 'beta'], limit: 5 },
      { kind: 'Application', name: 'app-1', limit: 5 },
      { kind: 'Application' },
    ]) {
      const page = await store.list({ ...query, raw: true, joined: true });
      expect(page.joinedItems).toBeUndefined();
      expect(page.rawItems!.length).toBeGreaterThan(0);
    }
  });

  it('reads inside a transaction see its own writes, not a joined page of the committed state', async () => {
    const seen = await store.transaction(async (tx) => {
      await tx.remove({
        apiVersion: 'polis.example/v1',
        kind: 'Application',
        metadata: {
          name: 'app-0',
          tenant: 'alpha',
          uid: 'uid-alpha-0',
          resourceVersion: String(await tx.nextRevision()),
          generation: 1,
          creationTimestamp: '2026-01-01T00:00:00.000Z',
        },
        spec: {},
      });
      return store.list({ kind: 'Application', tenant: 'alpha', limit: 10, raw: true, joined: true });
    });
    expect(seen.joinedItems).toBeUndefined();
    expect(seen.rawItems).toHaveLength(6);
  });
});
