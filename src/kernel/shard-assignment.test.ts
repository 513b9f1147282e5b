import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, ownerOf, rebalance, shardChange } from './shard-assignment.ts';

const KEYS = Array.from({ length: 4000 }, (_, i) => `dept-${i % 41}/app-${i}`);
/** Distinct replica names, 1 to 8 of them, as polis makes them (host-pid-random). */
const members = (min = 1, max = 8) =>
  fc.uniqueArray(
    fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), fc.nat(99_999)).map(([h, p]) => `${h}-${p}`),
    { minLength: min, maxLength: max },
  );

describe('shard assignment (rendezvous hashing)', () => {
  it('is deterministic: the same owner whatever the order the members are listed in', () => {
    fc.assert(
      fc.property(members(), fc.string(), (ms, key) => {
        const reversed = [...ms].reverse();
        expect(ownerOf(key, ms)).toBe(ownerOf(key, reversed));
        expect(ms).toContain(ownerOf(key, ms));
      }),
    );
  });

  it('balances: every member owns its share of the keys within 25 %', () => {
    fc.assert(
      fc.property(members(2, 8), (ms) => {
        const counts = new Map<string, number>();
        for (const owner of assign(KEYS, ms).values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
        const mean = KEYS.length / ms.length;
        const shares = ms.map((m) => (counts.get(m) ?? 0) / mean);
        expect(Math.min(...shares)).toBeGreaterThan(0.75);
        expect(Math.max(...shares)).toBeLessThan(1.25);
      }),
      { numRuns: 40 },
    );
  });

  it('moves only the joining member’s share when one joins, all of it to the new member', () => {
    fc.assert(
      fc.property(members(1, 7), (ms) => {
        const joiner = `joiner-${ms.join('').length}`;
        const moves = rebalance(KEYS, ms, [...ms, joiner]);
        expect(moves.every((m) => m.to === joiner)).toBe(true);
        // Close to 1/(n+1) of the keys move, never everything.
        expect(moves.length).toBeLessThan((KEYS.length / (ms.length + 1)) * 1.25);
        expect(moves.length).toBeGreaterThan((KEYS.length / (ms.length + 1)) * 0.75);
      }),
      { numRuns: 40 },
    );
  });

  it('moves only the leaving member’s keys when one leaves, spread over the others', () => {
    fc.assert(
      fc.property(members(2, 8), fc.nat(), (ms, pick) => {
        const leaver = ms[pick % ms.length]!;
        const before = assign(KEYS, ms);
        const after = ms.filter((m) => m !== leaver);
        const moves = rebalance(KEYS, ms, after);
        expect(moves.length).toBe([...before.values()].filter((o) => o === leaver).length);
        expect(moves.every((m) => m.from === leaver && m.to !== undefined && after.includes(m.to))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('tells one member what it gained and lost', () => {
    const keys = KEYS.slice(0, 500);
    const change = shardChange(keys, 'b', ['a', 'b'], ['a', 'b', 'c']);
    expect(change.gained).toEqual([]);
    expect(change.lost.length).toBeGreaterThan(0);
    expect(change.lost.every((k) => ownerOf(k, ['a', 'b', 'c']) === 'c')).toBe(true);
    const back = shardChange(keys, 'b', ['a', 'b', 'c'], ['a', 'b']);
    expect(back.gained.sort()).toEqual(change.lost.sort());
    expect(ownerOf('x', [])).toBeUndefined();
    expect(assign(['x'], []).size).toBe(0);
  });
});
