import { describe, expect, it } from 'vitest';
import {
  afterAttempt,
  DEFAULT_LEASE_TIMING as T,
  leaseTimingFor,
  nextWakeIn,
  onTick,
  renewingEpoch,
} from './leader-lease.ts';

const granted = (epoch: number, remainingMs = 15_000) => ({
  name: 'controllers',
  holder: 'a',
  epoch,
  held: true,
  remainingMs,
});
const refused = { name: 'controllers', holder: 'b', epoch: 4, held: false, remainingMs: 12_000 };

describe('leader lease decisions', () => {
  it('a follower granted the lease is elected, valid until the renew deadline counted from sending', () => {
    const step = afterAttempt({ role: 'follower' }, 1000, granted(3), T);
    expect(step.changes).toEqual(['elected']);
    expect(step.state).toEqual({ role: 'leader', epoch: 3, validUntil: 1000 + 10_000 });
    expect(renewingEpoch(step.state)).toBe(3);
  });

  it('a leader whose renewal is refused steps down; a follower refused stays one', () => {
    expect(afterAttempt({ role: 'leader', epoch: 3, validUntil: 9e9 }, 0, refused, T).changes).toEqual(['lost']);
    expect(afterAttempt({ role: 'follower' }, 0, refused, T)).toEqual({ state: { role: 'follower' }, changes: [] });
  });

  it('a leader that cannot reach the database keeps its term only until the renew deadline', () => {
    const leader = { role: 'leader', epoch: 3, validUntil: 10_000 } as const;
    expect(afterAttempt(leader, 5000, undefined, T).changes).toEqual([]);
    expect(onTick(leader, 9_999).changes).toEqual([]);
    expect(onTick(leader, 10_000)).toEqual({ state: { role: 'follower' }, changes: ['lost'] });
  });

  it('a renewal that comes back in another term ends the old term before starting the new one', () => {
    const step = afterAttempt({ role: 'leader', epoch: 3, validUntil: 9e9 }, 0, granted(5), T);
    expect(step.changes).toEqual(['lost', 'elected']);
  });

  it('a lease granted with little time left is trusted only that long', () => {
    const step = afterAttempt({ role: 'follower' }, 0, granted(1, 6000), T);
    expect(step.state).toMatchObject({ validUntil: 1000 });
  });

  it('a leader renews every renew period, sooner if its deadline is nearer; a follower retries', () => {
    expect(nextWakeIn({ role: 'follower' }, 0, T)).toBe(T.retryMs);
    expect(nextWakeIn({ role: 'leader', epoch: 1, validUntil: 100_000 }, 0, T)).toBe(T.renewMs);
    expect(nextWakeIn({ role: 'leader', epoch: 1, validUntil: 3000 }, 1000, T)).toBe(2000);
  });
});

describe('lease timing from its duration', () => {
  it('keeps the default proportions: 15 s gives the default timing exactly, a shorter lease scales every part', () => {
    expect(leaseTimingFor(15_000)).toEqual(T);
    const short = leaseTimingFor(6_000);
    expect(short).toEqual({ leaseMs: 6_000, renewMs: 2_000, renewDeadlineMs: 4_000, retryMs: 800 });
    expect(short.renewMs).toBeLessThan(short.renewDeadlineMs);
    expect(short.renewDeadlineMs).toBeLessThan(short.leaseMs);
  });
});
