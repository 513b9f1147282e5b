import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedObject } from '../../../test/support/stored-objects.ts';
import type { Store } from '../store.ts';
import { openSqliteStore } from './sqlite-store.ts';

/**
 * Point reads run on the connection at once only while nothing holds it (SqlDialectHooks.readNow): a read that
 * arrives while a write batch has the connection waits for it as before, and never sees the batch's uncommitted rows
 * (it would, on the same connection).
 */
describe('SQLite point reads at once (readNow)', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openSqliteStore(':memory:');
  });
  afterEach(async () => {
    await store.close();
  });

  it('answers from the committed state, and waits for a batch that holds the connection', async () => {
    const key = { kind: 'Application', tenant: 'finance', name: 'web' };
    expect(await store.get(key)).toBeUndefined();
    let release!: () => void;
    const paused = new Promise<void>((r) => (release = r));
    let committed = false;
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const writing = store
      .transaction(async (tx) => {
        await tx.put(storedObject('web', await tx.nextRevision()), 'ADDED');
        wrote();
        await paused;
      })
      .then(() => {
        committed = true;
      });
    await written;
    // The batch holds the connection with its row written and not committed: these reads wait.
    const reads = Promise.all([store.get(key), store.getText(key)]).then((r) => ({ r, committed }));
    await new Promise((r) => setTimeout(r, 20));
    release();
    const { r, committed: afterCommit } = await reads;
    await writing;
    expect(afterCommit).toBe(true);
    expect(r[0]?.metadata.name).toBe('web');
    expect(JSON.parse(r[1]!)).toEqual(r[0]);
    // Nothing holds the connection now: the read runs at once and sees the commit.
    expect((await store.get(key))?.metadata.name).toBe('web');
  });
});
