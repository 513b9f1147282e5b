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
      const own = row !== undefined && row.holder === req.holder && row.epoch === req.epoch;
      const free = !row || row.expires <= t || own;
      if (free) {
        const epoch = own ? row!.epoch : (row?.epoch ?? 0) + 1;
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

/** An elector on memory leases whose leader work (onElected) hangs until `release()`; `changes` records the order. */
function slowStarter() {
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
  return { leases, elector, changes, release };
}

describe('LeaderElector', () => {
  it('keeps renewing its term while a slow start of the leader work is under way, and does not lose it', async () => {
    const { leases, elector, changes, release } = slowStarter();
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
    const { elector, changes, release } = slowStarter();
    void elector.start();
    await until('the election', () => changes.length > 0);
    const stopping = elector.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(changes).toEqual(['elected']);
    release();
    await stopping;
    expect(changes).toEqual(['elected', 'started', 'lost']);
  });

  it('keeps its term through a stall of the whole process longer than the lease, when nobody took it meanwhile', async () => {
    const now = () => performance.now();
    const leases = memoryLeases(now);
    const changes: string[] = [];
    const elector = new LeaderElector({
      leases,
      name: 'controllers',
      holder: 'replica-a',
      timing: { leaseMs: 300, renewMs: 50, renewDeadlineMs: 200, retryMs: 50 },
      now,
      onElected: () => void changes.push('elected'),
      onLost: () => void changes.push('lost'),
    });
    await elector.start();
    const epoch = elector.fence().epoch;
    // The event loop is blocked for longer than the lease (a long synchronous task).
    const until0 = performance.now() + 600;
    while (performance.now() < until0) {
      /* stalled */
    }
    const before = leases.attempts.length;
    await until('a renewal after the stall', () => leases.attempts.length > before + 1);
    expect(changes).toEqual(['elected']);
    expect(elector.isLeader).toBe(true);
    expect(elector.fence().epoch).toBe(epoch);
    await elector.stop();
  });

  it('steps down when the lease store stops answering (a partition that drops packets), rather than wait forever', async () => {
    const now = () => performance.now();
    const leases = memoryLeases(now);
    let hang = false;
    const hanging: LeaseBackend = {
      acquireLease: (req) => (hang ? new Promise<LeaseState>(() => {}) : leases.acquireLease(req)),
      releaseLease: leases.releaseLease,
    };
    const changes: string[] = [];
    const elector = new LeaderElector({
      leases: hanging,
      name: 'controllers',
      holder: 'replica-a',
      timing: { leaseMs: 600, renewMs: 100, renewDeadlineMs: 400, retryMs: 50 },
      now,
      onElected: () => void changes.push('elected'),
      onLost: () => void changes.push('lost'),
    });
    await elector.start();
    expect(elector.isLeader).toBe(true);
    hang = true;
    await until('the leader to step down', () => !elector.isLeader);
    await elector.settled();
    expect(changes).toEqual(['elected', 'lost']);
    await elector.stop({ release: false });
  });
});
