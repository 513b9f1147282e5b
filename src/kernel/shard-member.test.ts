import { describe, expect, it } from 'vitest';
import { ownerOf } from './shard-assignment.ts';
import { ShardMember, type MemberBackend } from './shard-member.ts';

/** A members table in memory: the live set is what the test says; epochs as the store gives them. */
function backend(live: string[]): MemberBackend & { live: string[]; fail: boolean; left: string[] } {
  const b = {
    live,
    fail: false,
    left: [] as string[],
    async heartbeatMember(req: { id: string; epoch: number }) {
      if (b.fail) throw new Error('database unreachable');
      return { epoch: req.epoch || 7, live: [...b.live].sort() };
    },
    async leaveMember(id: string) {
      b.left.push(id);
    },
  };
  return b;
}

describe('a shard member', () => {
  it('owns its rendezvous share of the live set, hears when the set changes, and leaves on stop', async () => {
    const db = backend(['a', 'b']);
    const m = new ShardMember({ members: db, id: 'a', now: () => 0, timing: { renewMs: 60_000 } });
    const changes: string[][] = [];
    m.onChange((c) => void changes.push([...c.live]));
    await m.start();
    expect(m.fence()).toEqual({ member: 'a', epoch: 7 });
    const apps = Array.from({ length: 40 }, (_, i) => `app-${i}`);
    const mine = apps.filter((n) => m.owns('edu', n));
    expect(mine).toEqual(apps.filter((n) => ownerOf(`edu/${n}`, ['a', 'b']) === 'a'));
    db.live = ['a', 'b', 'c'];
    await m.heartbeat();
    await m.settled();
    expect(changes).toEqual([
      ['a', 'b'],
      ['a', 'b', 'c'],
    ]);
    // Nothing changed: nobody is told.
    await m.heartbeat();
    await m.settled();
    expect(changes).toHaveLength(2);
    await m.stop();
    expect(db.left).toEqual(['a']);
  });

  it('owns nothing once its renew deadline passed without a successful heartbeat', async () => {
    const db = backend(['a']);
    let now = 0;
    const m = new ShardMember({ members: db, id: 'a', now: () => now, timing: { renewMs: 60_000 } });
    await m.start();
    expect(m.owns('edu', 'x')).toBe(true);
    db.fail = true;
    now = 5_000;
    await m.heartbeat();
    expect(m.owns('edu', 'x')).toBe(true); // within the 10 s deadline
    now = 10_001;
    await m.heartbeat();
    expect(m.owns('edu', 'x')).toBe(false);
    expect(m.live).toEqual([]);
    db.fail = false;
    await m.heartbeat();
    expect(m.owns('edu', 'x')).toBe(true);
    await m.stop({ leave: false });
    expect(db.left).toEqual([]);
  });
});
