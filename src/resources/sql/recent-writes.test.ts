import { describe, expect, it } from 'vitest';
import { RecentWrites } from './store-tx.ts';

describe('the recent writes a process keeps', () => {
  it('are bounded by count and by characters, oldest dropped first, the newest always kept', () => {
    const recent = new RecentWrites(4, 100);
    recent.committed(
      new Map([
        [1, 'a'.repeat(30)],
        [2, 'b'.repeat(30)],
        [3, 'c'.repeat(30)],
      ]),
    );
    expect(recent.size).toEqual({ bodies: 3, chars: 90 });
    // Over 100 characters: the oldest go until it fits.
    recent.committed(new Map([[4, 'd'.repeat(30)]]));
    expect(recent.get(1)).toBeUndefined();
    expect(recent.get(4)).toBe('d'.repeat(30));
    expect(recent.size).toEqual({ bodies: 3, chars: 90 });
    // Over the count: small bodies still go beyond four.
    recent.committed(
      new Map([
        [5, 'e'],
        [6, 'f'],
      ]),
    );
    expect(recent.size.bodies).toBe(4);
    expect(recent.get(2)).toBeUndefined();
    // One body larger than the bound is kept alone.
    recent.committed(new Map([[7, 'g'.repeat(500)]]));
    expect(recent.size).toEqual({ bodies: 1, chars: 500 });
    expect(new RecentWrites(0).size.bodies).toBe(0);
  });
});
