import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresTestSchema, BACKENDS } from '../../test/setup/backends.ts';
import { skipTitle } from '../../test/support/skip.ts';
import { UnavailableError } from '../kernel/errors.ts';
import type { StoredObject } from './envelope.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import type { Migration } from './sql/schema.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';
import { storedObject } from '../../test/support/stored-objects.ts';

/** A newer polis's steps: one additive (old replicas keep running), then one that old replicas must not run on. */
const ADDITIVE: Migration = {
  version: 1000,
  name: 'a table this polis does not know',
  statements: ['CREATE TABLE future_things (id INTEGER PRIMARY KEY, note TEXT)'],
};
const BREAKING: Migration = {
  version: 1001,
  name: 'a change older code would misread',
  statements: ['CREATE TABLE future_layout (id INTEGER PRIMARY KEY)'],
  oldestReader: 1001,
};

function app(name: string, revision: number): StoredObject {
  return storedObject(name, revision, { apiVersion: 'core.oam.dev/v1beta1', spec: {} });
}

const put = (store: Store, name: string) =>
  store.transaction(async (tx) => tx.put(app(name, await tx.nextRevision()), 'ADDED'));
const names = async (store: Store) =>
  (await store.list({ kind: 'Application' })).items.map((o) => o.metadata.name).sort();

interface Opener {
  open(extra?: readonly Migration[]): Promise<Store>;
  cleanup(): Promise<void>;
}

const OPENERS: Record<string, () => Promise<Opener>> = {
  async sqlite() {
    const dir = mkdtempSync(join(tmpdir(), 'polis-compat-'));
    const file = join(dir, 'polis.db');
    return {
      open: (extra = []) => openSqliteStore(file, { extraMigrations: extra }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  async postgres() {
    const schema = await createPostgresTestSchema();
    return {
      open: (extra = []) => openPostgresStore(schema.url, { extraMigrations: extra, maxConnections: 2 }),
      cleanup: () => schema.drop(),
    };
  },
};

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(
    skipTitle(
      `rolling upgrades: old and new replicas on one schema (${backend.name})`,
      !backend.available && 'no PostgreSQL (install postgresql, or set POLIS_TEST_DATABASE_URL)',
    ),
    () => {
      let opener: Opener;
      const open: Store[] = [];
      afterEach(async () => {
        for (const s of open.splice(0)) await s.close();
        await opener.cleanup();
      });
      const start = async (extra?: readonly Migration[]) => {
        const s = await opener.open(extra);
        open.push(s);
        return s;
      };
      const refusal = (extra?: readonly Migration[]) =>
        opener.open(extra).then(
          (s) => {
            open.push(s);
            return undefined;
          },
          (e: unknown) => e,
        );

      it('keeps an older replica running after a newer one applied an additive step, and refuses it after a breaking one', async () => {
        opener = await OPENERS[backend.name]!();
        // The new replica migrates first (a rolling upgrade starts it beside the old ones).
        const newer = await start([ADDITIVE]);
        await put(newer, 'from-new');
        if (backend.name === 'sqlite') await open.splice(0)[0]!.close(); // one SQLite connection per process
        // An old replica (it knows only this polis's steps) starts on the newer schema, reads and writes.
        const older = await start();
        expect(await names(older)).toEqual(['from-new']);
        await put(older, 'from-old');
        await older.migrate();
        if (backend.name === 'postgres') expect(await names(newer)).toEqual(['from-new', 'from-old']);
        for (const s of open.splice(0)) await s.close();

        // A later polis takes a step older code must not run on: the old replicas refuse to start, saying why.
        const latest = await start([ADDITIVE, BREAKING]);
        expect(await names(latest)).toEqual(['from-new', 'from-old']);
        for (const s of open.splice(0)) await s.close();
        const old = await refusal();
        expect(old).toBeInstanceOf(UnavailableError);
        expect((old as UnavailableError).detail).toMatchObject({
          code: 'SchemaTooNew',
          params: { database: 1001, required: 1001 },
        });
        expect(((old as UnavailableError).detail?.params as { known: number }).known).toBeLessThan(1000);
        // The polis one step behind (it knows the additive step, not the breaking one) is refused too.
        expect(((await refusal([ADDITIVE])) as UnavailableError).detail?.code).toBe('SchemaTooNew');
        // The latest still opens, and migrating again changes nothing.
        const again = await start([ADDITIVE, BREAKING]);
        await again.migrate();
        expect(await names(again)).toEqual(['from-new', 'from-old']);
      });
    },
  );
}
