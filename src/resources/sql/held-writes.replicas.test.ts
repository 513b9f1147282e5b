import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createPostgresTestSchema } from '../../../test/setup/backends.ts';
import { skipTitle } from '../../../test/support/skip.ts';
import { storedObject } from '../../../test/support/stored-objects.ts';
import type { AuditEntry } from '../audit-log.ts';
import { openPostgresStore } from '../postgres/postgres-store.ts';
import type { Store } from '../store.ts';

/**
 * PostgreSQL holds back the last writes of a batch's jobs and sends them in one statement (store-tx.ts sendRows):
 * from a compiled template up to TEMPLATED_ROWS rows, built each time beyond. Every row must land with its own
 * values whichever way it went: objects, their events and the audit entries, in order.
 */
describe.skipIf(inject('pgUrl') === null)(
  skipTitle('held-back writes of a batch in one statement (postgres)', inject('pgUrl') === null && 'no PostgreSQL'),
  () => {
    let store: Store;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      const schema = await createPostgresTestSchema();
      drop = schema.drop;
      store = await openPostgresStore(schema.url);
    });
    afterEach(async () => {
      await store.close();
      await drop();
    });

    it('writes every object, event and audit entry of concurrent jobs, templated or not', async () => {
      let written = 0;
      // 1, 3 and 6 jobs stay within the template (two rows each); 20 jobs' 40 rows are built.
      for (const jobs of [1, 3, 6, 20, 3]) {
        const names = Array.from({ length: jobs }, (_, i) => `app-${written + i}`);
        written += jobs;
        await Promise.all(
          names.map((name, i) =>
            store.transaction(async (tx) => {
              const revision = await tx.nextRevision();
              await tx.put(storedObject(name, revision, { annotations: { note: `n${i}` } }), 'ADDED');
              await tx.appendAudit({
                time: '2026-12-07T21:00:00.000Z',
                actor: `actor-${name}`,
                verb: 'create',
                apiVersion: 'polis.io/v1',
                kind: 'Application',
                tenant: 'finance',
                name,
                outcome: 'success',
                code: 201,
                message: `created ${name}`,
                requestId: `req-${name}`,
                // Every other one without changes: a null column among filled ones.
                changes: i % 2 === 0 ? { spec: { note: `n${i}` } } : null,
              });
            }),
          ),
        );
        for (const [i, name] of names.entries()) {
          const o = await store.get({ kind: 'Application', tenant: 'finance', name });
          expect(o?.metadata.name).toBe(name);
          expect(o?.metadata.annotations?.note).toBe(`n${i}`);
        }
      }
      const changes = await store.transaction((tx) => tx.changesAfter(0, ['Application'], 'finance'));
      expect(changes?.map((c) => [c.revision, c.name, c.type])).toEqual(
        Array.from({ length: written }, (_, i) => [i + 1, expect.any(String), 'ADDED']),
      );
      for (const c of changes ?? []) expect(JSON.parse(c.body).metadata.name).toBe(c.name);
      const entries: AuditEntry[] = [];
      await store.readSnapshot(async (view) => {
        for await (const page of view.audit(100)) entries.push(...page);
      });
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: written }, (_, i) => i + 1));
      for (const e of entries) {
        expect(e.actor).toBe(`actor-${e.name}`);
        expect(e.requestId).toBe(`req-${e.name}`);
        expect(e.message).toBe(`created ${e.name}`);
      }
      for (let i = 1; i < entries.length; i++) expect(entries[i]!.prevHash).toBe(entries[i - 1]!.hash);
      expect(entries.filter((e) => e.changes === null).length).toBeGreaterThan(0);
      // The jobs shared commits: the held-back statement carried several rows.
      expect(store.commitCounts().commits).toBeLessThan(written);
    });
  },
);
