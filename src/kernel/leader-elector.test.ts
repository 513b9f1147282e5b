import { describe, expect, it } from 'vitest';
import { LeaderElector, type LeaseBackend } from './leader-elector.ts';
import type { LeaseRequest, LeaseState } from './leader-lease.ts';

/** One lease row in memory, timed by the elector's own clock (the database's stands in). */
function memoryLeases(now: () => number): LeaseBackend & { attempts: LeaseRequest[] } {
  let row: { holder: string; epoch: number; expires: number } | undefined;
  const attempts: LeaseRequest[] = [];
  return {
    attempts,
    acquireLease: async (req): Promise<LeaseState> => {
      attempts.push(req);
      const t = now();
      const free = !row || row.expires <= t || row.holder === req.holder;
      if (free) {
        const epoch = row && row.holder === req.holder && row.epoch === req.epoch ? row.epoch : (row?.epoch ?? 0) + 1;
        row = { holder: req.holder, epoch, expires: t + req.ttlMs };
      }
      return {
        name: req.name,
        holder: row!.holder,
        epoch: row!.epoch,
        held: row!.holder === req.holder,
        remainingMs: row!.expires - t,
      };
    },
    releaseLease: async () => {
      row = undefined;
    },
  };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('LeaderElector', () => {
  it('keeps renewing its term while a slow start of the leader work is under way, and does not lose it', async () => {
    const now = () => performance.now();
    const leases = memoryLeases(now);
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    const changes: string[] = [];
    const elector = new LeaderElector({
      leases,
      name: 'controllers',
      holder: 'replica-a',
      timing: { leaseMs: 1500, renewMs: 20, renewDeadlineMs: 1000, retryMs: 20 },
      now,
      onElected: async () => {
        changes.push('elected');
        await started;
        changes.push('started');
      },
      onLost: () => {
        changes.push('lost');
      },
    });
    const starting = elector.start();
    // The start hangs (a cluster that does not answer); renewals go on beside it.
    await until('three renewals during the start', () => leases.attempts.filter((a) => a.epoch > 0).length >= 3);
    expect(changes).toEqual(['elected']);
    release();
    await starting;
    expect(changes).toEqual(['elected', 'started']);
    expect(elector.isLeader).toBe(true);
    await elector.stop();
    expect(changes).toEqual(['elected', 'started', 'lost']);
  });

  it('runs a loss after the start under way, never beside it', async () => {
    const now = () => performance.now();
    const leases = memoryLeases(now);
    let release!: () => void;
    const started = new Promise<void>((r) => (release = r));
    const changes: string[] = [];
    const elector = new LeaderElector({
      leases,
      name: 'controllers',
      holder: 'replica-a',
      timing: { leaseMs: 1500, renewMs: 20, renewDeadlineMs: 1000, retryMs: 20 },
      now,
      onElected: async () => {
        changes.push('elected');
        await started;
        changes.push('started');
      },
      onLost: () => {
        changes.push('lost');
      },
    });
    void elector.start();
    await until('the election', () => changes.length > 0);
    const stopping = elector.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(changes).toEqual(['elected']);
    release();
    await stopping;
    expect(changes).toEqual(['elected', 'started', 'lost']);
  });
});
