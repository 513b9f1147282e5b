import { DatabaseSync } from 'node:sqlite';
import { Kysely, sql } from 'kysely';
import { expect, it } from 'vitest';
import { NodeSqliteDialect } from '../sqlite/node-sqlite-dialect.ts';
import type { Schema } from './schema.ts';
import { StatementTemplates } from './store-tx.ts';

it('builds a hot statement once and runs its SQL text with each call’s arguments, in the order the SQL takes them', async () => {
  const db = new Kysely<Schema>({ dialect: new NodeSqliteDialect(new DatabaseSync(':memory:')) });
  await sql`CREATE TABLE objects (kind TEXT, tenant TEXT, name TEXT, uid TEXT, revision INTEGER, body TEXT, labels TEXT)`.execute(
    db,
  );
  const templates = new StatementTemplates();
  let builds = 0;
  await db.transaction().execute(async (trx) => {
    for (const [name, revision] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const) {
      await templates.run(trx, 'insert', [revision, name], (args) => {
        builds++;
        // Arguments used in another order than given: the template maps them.
        return trx.insertInto('objects').values({
          kind: 'Widget',
          tenant: 'edu',
          name: args[1] as string,
          uid: 'uid',
          revision: args[0] as number,
          body: '{}',
          labels: '{}',
        });
      });
    }
    const rows = await templates.run(trx, 'select', ['edu', 'b'], (args) => {
      builds++;
      return trx
        .selectFrom('objects')
        .select(['name', 'revision'])
        .where('tenant', '=', args[0] as string)
        .where('name', '=', args[1] as string);
    });
    expect(rows).toEqual([{ name: 'b', revision: 2 }]);
    // A builder that transforms an argument cannot be templated: it is built on every call, and still right.
    for (const name of ['d', 'e'])
      await templates.run(trx, 'derived', [name], (args) => {
        builds++;
        return trx.insertInto('objects').values({
          kind: 'Widget',
          tenant: 'edu',
          name: `x-${String(args[0])}`,
          uid: 'uid',
          revision: 9,
          body: '{}',
          labels: '{}',
        });
      });
    const derived = await trx.selectFrom('objects').select('name').where('revision', '=', 9).execute();
    expect(derived.map((r) => r.name)).toEqual(['x-d', 'x-e']);
  });
  // The insert and the select built once each; the derived insert once to compile and once per call.
  expect(builds).toBe(1 + 1 + 3);
  await db.destroy();
});
