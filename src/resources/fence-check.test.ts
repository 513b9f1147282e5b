import { afterEach, expect, it } from 'vitest';
import { forEachBackend } from '../../test/setup/backends.ts';
import { ConflictError } from '../kernel/errors.ts';
import type { ObjectKey } from './envelope.ts';
import type { Store } from './store.ts';

const KEY: ObjectKey = { kind: 'Application', tenant: 'edu', name: 'portal' };

function refusal(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e instanceof ConflictError ? e.causes[0]?.code : String(e)),
  );
}

forEachBackend('the fence check before a cluster write', (backend) => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  it('runs no write transaction, neither for a held term nor for a live member', async () => {
    store = await backend.open();
    const term = await store.acquireLease({ name: 'controllers', holder: 'me', epoch: 0, ttlMs: 60_000 });
    expect(term.held).toBe(true);
    const member = await store.heartbeatMember({ id: 'me', epoch: 0, ttlMs: 60_000 });
    const before = store.commitCounts();
    const fence = { name: 'controllers', holder: 'me', epoch: term.epoch };
    for (let i = 0; i < 5; i++) await store.checkFence(KEY, { fence });
    await store.checkFence(KEY, { shard: { member: 'me', epoch: member.epoch } });
    expect(store.commitCounts()).toEqual(before);
  });

  it('refuses once the term was released and taken by another, or for a term this process never held', async () => {
    store = await backend.open();
    const term = await store.acquireLease({ name: 'controllers', holder: 'me', epoch: 0, ttlMs: 60_000 });
    const fence = { name: 'controllers', holder: 'me', epoch: term.epoch };
    await store.checkFence(KEY, { fence });
    await store.releaseLease('controllers', 'me', term.epoch);
    const other = await store.acquireLease({ name: 'controllers', holder: 'other', epoch: 0, ttlMs: 60_000 });
    expect(other).toMatchObject({ held: true, epoch: term.epoch + 1 });
    expect(await refusal(store.checkFence(KEY, { fence }))).toBe('Fenced');
    expect(await refusal(store.checkFence(KEY, { fence: { ...fence, holder: 'stranger' } }))).toBe('Fenced');
    // The new holder's term is answered as held.
    await store.checkFence(KEY, { fence: { name: 'controllers', holder: 'other', epoch: other.epoch } });
  });

  it('refuses a gone member, and an application the member does not own', async () => {
    store = await backend.open();
    const a = await store.heartbeatMember({ id: 'a', epoch: 0, ttlMs: 60_000 });
    await store.heartbeatMember({ id: 'b', epoch: 0, ttlMs: 60_000 });
    const names = Array.from({ length: 20 }, (_, i) => `app-${i}`);
    const outcomes = await Promise.all(
      names.map((name) => refusal(store.checkFence({ ...KEY, name }, { shard: { member: 'a', epoch: a.epoch } }))),
    );
    expect(outcomes).toContain(undefined);
    expect(outcomes).toContain('ShardMoved');
    await store.leaveMember('a', a.epoch);
    expect(await refusal(store.checkFence(KEY, { shard: { member: 'a', epoch: a.epoch } }))).toBe('ShardFenced');
  });
});

forEachBackend('fence checks asked together', (backend) => {
  let store: Store;
  afterEach(async () => {
    await store.close();
  });

  it('share reads of the members, yet a check asked after a member left always sees it gone', async () => {
    store = await backend.open();
    for (let round = 0; round < 5; round++) {
      const a = await store.heartbeatMember({ id: 'a', epoch: 0, ttlMs: 60_000 });
      const shard = { member: 'a', epoch: a.epoch };
      // Checks under way (their reads in flight) while the member leaves: each is answered either way.
      const before = Array.from({ length: 20 }, () => refusal(store.checkFence(KEY, { shard })));
      await store.leaveMember('a', a.epoch);
      const after = Array.from({ length: 20 }, () => refusal(store.checkFence(KEY, { shard })));
      for (const o of await Promise.all(before)) expect([undefined, 'ShardFenced']).toContain(o);
      expect(new Set(await Promise.all(after))).toEqual(new Set(['ShardFenced']));
    }
  });
});
