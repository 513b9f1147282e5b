import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.ts';
import { Rng } from './random.ts';

describe('event queue', () => {
  it('runs events by time, and in the order scheduled within one time', () => {
    const q = new EventQueue();
    const ran: string[] = [];
    const rng = new Rng(3);
    const expected: [number, number, string][] = [];
    for (let i = 0; i < 500; i++) {
      const at = rng.between(0, 50);
      const label = `${at}:${i}`;
      expected.push([at, i, label]);
      q.push(at, () => ran.push(label));
    }
    for (let e = q.popDue(100); e !== undefined; e = q.popDue(100)) e.run();
    expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(ran).toEqual(expected.map((e) => e[2]));
  });

  it('holds back events that are not yet due', () => {
    const q = new EventQueue();
    q.push(10, () => {});
    expect(q.popDue(9)).toBeUndefined();
    expect(q.peekTime()).toBe(10);
    expect(q.popDue(10)?.at).toBe(10);
    expect(q.size).toBe(0);
  });
});

describe('seeded randomness', () => {
  it('repeats for the same seed and differs for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws integers within the inclusive range', () => {
    const r = new Rng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.between(1, 4));
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('draws the same uids from the same seed as before they were built flat', () => {
    expect(new Rng(42).uuid()).toBe('99e1ef7c-72c3-4b8a-9a3b-32c0ab73b0ad');
  });
});
