import { expect, it } from 'vitest';
import { preparedStatements } from './postgres-store.ts';

it('names a parameterized text the second time it is sent, and never one with * or without parameters', () => {
  const prepare = preparedStatements();
  const read = 'select "body" from "objects" where "kind" = $1';
  expect(prepare([read, ['Application']])).toEqual([read, ['Application']]);
  const [second] = prepare([read, ['Tenant']]) as [{ name: string; text: string; values: unknown[] }];
  expect(second).toEqual({ name: expect.stringMatching(/^polis_/), text: read, values: ['Tenant'] });
  // The same name ever after, with each call's own values.
  expect(prepare([read, ['Quota']])).toEqual([{ name: second.name, text: read, values: ['Quota'] }]);
  const star = 'select * from "objects" where "kind" = $1';
  prepare([star, ['a']]);
  expect(prepare([star, ['a']])).toEqual([star, ['a']]);
  const simple = 'BEGIN; SELECT 1 FROM revision_counter WHERE id = 1 FOR UPDATE';
  prepare([simple, []]);
  expect(prepare([simple, []])).toEqual([simple, []]);
  // Many rows: left unnamed (a plan that large would stay in the session).
  const wide = `insert into "events" values ${Array.from({ length: 30 }, (_, i) => `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6})`).join(', ')}`;
  const values = Array.from({ length: 180 }, (_, i) => i);
  prepare([wide, values]);
  expect(prepare([wide, values])).toEqual([wide, values]);
  // Other call shapes (a config object, a callback) pass as they are.
  const config = { text: read, values: ['x'] };
  expect(prepare([config])).toEqual([config]);
});
