import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createPostgresTestSchema } from '../../test/setup/backends.ts';
import { skipTitle } from '../../test/support/skip.ts';
import { InputError } from '../kernel/errors.ts';
import { openStore } from './open-store.ts';
import type { Store } from './store.ts';

describe('openStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'polis-open-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const roundTrip = async (store: Store) => {
    try {
      await store.transaction((tx) =>
        tx.appendAudit({
          time: '2026-01-01T00:00:00Z',
          actor: 'a',
          verb: 'get',
          apiVersion: 'v1',
          kind: 'K',
          tenant: '',
          name: 'n',
          outcome: 'success',
          code: 200,
          message: '',
          requestId: 'r',
          changes: null,
        }),
      );
      return (await store.stats()).auditEntries;
    } finally {
      await store.close();
    }
  };

  it('opens SQLite at <dataDir>/polis.db, creating the folder, when no database URL is given', async () => {
    const dataDir = join(dir, 'nested', 'data');
    expect(await roundTrip(await openStore({ dataDir }))).toBe(1);
    expect(existsSync(join(dataDir, 'polis.db'))).toBe(true);
  });

  it('opens SQLite from a sqlite: URL, a file: URL, a plain path and sqlite::memory:', async () => {
    expect(await roundTrip(await openStore({ dataDir: dir, databaseUrl: `sqlite:${join(dir, 'a.db')}` }))).toBe(1);
    expect(await roundTrip(await openStore({ dataDir: dir, databaseUrl: `sqlite://${join(dir, 'b.db')}` }))).toBe(1);
    expect(await roundTrip(await openStore({ dataDir: dir, databaseUrl: pathToFileURL(join(dir, 'c.db')).href }))).toBe(
      1,
    );
    expect(await roundTrip(await openStore({ dataDir: dir, databaseUrl: join(dir, 'd.db') }))).toBe(1);
    expect(await roundTrip(await openStore({ dataDir: dir, databaseUrl: 'sqlite::memory:' }))).toBe(1);
    for (const file of ['a.db', 'b.db', 'c.db', 'd.db']) expect(existsSync(join(dir, file))).toBe(true);
  });

  it('keeps data across reopening the same SQLite file', async () => {
    await roundTrip(await openStore({ dataDir: dir }));
    expect(await roundTrip(await openStore({ dataDir: dir }))).toBe(2);
  });

  it('rejects an unsupported URL scheme with an InputError naming databaseUrl, without echoing the password', async () => {
    const error = await openStore({ dataDir: dir, databaseUrl: 'mysql://root:hunter2@db/polis' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).causes[0]?.path).toBe('databaseUrl');
    expect((error as Error).message).not.toContain('hunter2');
  });

  it.skipIf(inject('pgUrl') === null)(
    skipTitle(
      'opens PostgreSQL for a postgres:// URL',
      inject('pgUrl') === null && 'no PostgreSQL (install postgresql)',
    ),
    async () => {
      const { url, drop } = await createPostgresTestSchema();
      try {
        expect(await roundTrip(await openStore({ dataDir: dir, databaseUrl: url }))).toBe(1);
        expect(
          await roundTrip(await openStore({ dataDir: dir, databaseUrl: url.replace(/^postgres:/, 'postgresql:') })),
        ).toBe(2);
      } finally {
        await drop();
      }
    },
  );
});
