import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../resources/envelope.ts';
import { shareExclusionNotes } from './shared-notes.ts';

const app = (name: string, excluded: unknown[]): StoredObject =>
  JSON.parse(
    JSON.stringify({
      apiVersion: 'polis.io/v1',
      kind: 'Application',
      metadata: { name, tenant: 'edu' },
      spec: {},
      status: { components: [{ name: 'web', excluded }, { name: 'none' }] },
    }),
  ) as StoredObject;

const notes = (o: StoredObject) => (o.status as { components: { excluded?: unknown[] }[] }).components[0]!.excluded!;

describe('exclusion notes of applications read back from the store', () => {
  it('are one shared frozen object per distinct note, the body reading the same as before', () => {
    const excluded = [
      { cluster: 'c1', reason: 'eligible, 0 replicas requested', code: 'NoReplicasRequested' },
      { cluster: 'c2', reason: 'no room: cpu', code: 'NoRoom', params: { resources: { code: 'ResourcesCpu' } } },
      { cluster: 'c3', reason: 'unhealthy' },
    ];
    const a = app('a', excluded);
    const b = app('b', excluded);
    const text = JSON.stringify(b);
    shareExclusionNotes(a);
    shareExclusionNotes(b);
    expect(JSON.stringify(b)).toBe(text);
    for (let i = 0; i < excluded.length; i++) expect(notes(b)[i]).toBe(notes(a)[i]);
    expect(Object.isFrozen(notes(a)[1])).toBe(true);
    // Other params, another code, another cluster, or a field more: not the same note.
    const c = app('c', [
      { ...excluded[1], params: { resources: { code: 'ResourcesPods' } } },
      { ...excluded[0], code: 'NotNeeded' },
      { ...excluded[0], cluster: 'c9' },
      { ...excluded[0], extra: 1 },
    ]);
    shareExclusionNotes(c);
    for (const n of notes(c)) expect(notes(a)).not.toContain(n);
    expect(Object.isFrozen(notes(c)[3])).toBe(false);
    // Other kinds are left as they are.
    const tenant = { ...app('t', excluded), kind: 'Tenant' } as StoredObject;
    shareExclusionNotes(tenant);
    expect(notes(tenant)[0]).not.toBe(notes(a)[0]);
  });
});
