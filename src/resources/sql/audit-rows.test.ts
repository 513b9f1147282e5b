import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeSqliteDialect } from '../sqlite/node-sqlite-dialect.ts';
import { openSqliteStore } from '../sqlite/sqlite-store.ts';
import { selectAudit } from './audit-rows.ts';
import type { Schema } from './schema.ts';

describe('people’s audit entries, newest first (the audit page’s default view)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('are read through the people-only index, not by scanning the controllers’ entries', async () => {
    dir = mkdtempSync(join(tmpdir(), 'polis-audit-rows-'));
    const file = join(dir, 'polis.db');
    await (await openSqliteStore(file)).close();
    const database = new DatabaseSync(file);
    const plans: string[] = [];
    const db = new Kysely<Schema>({
      dialect: new NodeSqliteDialect(database),
      log: (e) => {
        if (e.level !== 'query') return;
        const plan = database
          .prepare(`EXPLAIN QUERY PLAN ${e.query.sql}`)
          .all(...(e.query.parameters as (string | number)[])) as { detail: string }[];
        plans.push(plan.map((p) => p.detail).join('; '));
      },
    });
    try {
      await selectAudit(db, { excludeActorPrefix: 'system:', newestFirst: true, limit: 100 });
      await selectAudit(db, { excludeActorPrefix: 'system:', newestFirst: true, limit: 100, before: 5000 });
      expect(plans).toHaveLength(2);
      for (const plan of plans) expect(plan).toContain('audit_people');
    } finally {
      await db.destroy();
    }
  });
});
