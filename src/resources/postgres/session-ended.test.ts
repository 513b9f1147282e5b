import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createPostgresTestSchema } from '../../../test/setup/backends.ts';
import { skipTitle } from '../../../test/support/skip.ts';
import { StoreUnavailableError } from '../store-errors.ts';
import { openPostgresStore } from './postgres-store.ts';

const noPg = inject('pgUrl') === null;

describe.skipIf(noPg)(
  skipTitle('a session PostgreSQL ends in the middle of a transaction (postgres)', noPg && 'no PostgreSQL'),
  () => {
    // What a replica paused past idle_in_transaction_session_timeout meets when it resumes: its open transaction's
    // session was ended while no statement ran. pg then emits 'error' on the checked-out client; unheard, that
    // event ended the process (a chaos run saw it). The transaction must fail alone, and the store go on.
    it('fails that transaction as unavailable, keeps the process, and the next transaction succeeds', async () => {
      const schema = await createPostgresTestSchema();
      const name = `polis-session-ended-${process.pid}-${Date.now()}`;
      const url = new URL(schema.url);
      url.searchParams.set('application_name', name);
      const store = await openPostgresStore(url.toString(), { maxConnections: 2 });
      const admin = new pg.Client({ connectionString: inject('pgUrl')! });
      await admin.connect();
      try {
        let opened!: () => void;
        const inside = new Promise<void>((r) => (opened = r));
        let resume!: () => void;
        const gate = new Promise<void>((r) => (resume = r));
        const key = { kind: 'Secret', tenant: 'finance', name: 'none' };
        const tx = store.transaction(async (t) => {
          await t.get(key);
          opened();
          await gate;
          await t.get(key);
        });
        const outcome = tx.then(
          () => 'committed',
          (e: unknown) => e,
        );
        await inside;
        const ended = await admin.query(
          `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
            WHERE application_name = $1 AND state = 'idle in transaction'`,
          [name],
        );
        expect(ended.rows.map((r: { done: boolean }) => r.done)).toEqual([true]);
        // Let the client read the server's FATAL message and the end of the connection before the next statement.
        for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 20));
        resume();
        expect(await outcome).toBeInstanceOf(StoreUnavailableError);
        expect(await store.transaction((t) => t.get(key))).toBeUndefined();
      } finally {
        await admin.end();
        await store.close();
        await schema.drop();
      }
    });
  },
);
