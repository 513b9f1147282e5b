import { describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './work-queue.ts';

describe('WorkQueue', () => {
  it('runs a key queued twice before it starts once', async () => {
    const runs: string[] = [];
    const q = new WorkQueue(async (k) => {
      runs.push(k);
    });
    q.add('a');
    q.add('a');
    q.add('b');
    await q.idle();
    expect(runs.sort()).toEqual(['a', 'b']);
  });

  it('counts keys waiting on a timer as scheduled, not as queued, until their timer queues them', async () => {
    const runs: string[] = [];
    const q = new WorkQueue(async (k) => {
      runs.push(k);
    });
    q.addAfter('a', 5);
    q.addAfter('a', 5);
    expect(q.scheduled).toBe(1);
    expect(q.size).toBe(0);
    while (runs.length === 0) await new Promise((r) => setTimeout(r, 2));
    await q.idle();
    expect(q.scheduled).toBe(0);
    expect(runs).toEqual(['a']);
    q.stop();
  });

  it('keeps the earlier of two timed adds of one key: a later one does not put off a check due sooner', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const runs: string[] = [];
      const q = new WorkQueue(async (k) => {
        runs.push(k);
      });
      q.addAfter('a', 120_000);
      q.addAfter('a', 5_000);
      q.addAfter('a', 60_000);
      expect(q.scheduled).toBe(1);
      await vi.advanceTimersByTimeAsync(5_000);
      await q.idle();
      expect(runs).toEqual(['a']);
      expect(q.scheduled).toBe(0);
      await vi.advanceTimersByTimeAsync(120_000);
      expect(runs).toEqual(['a']);
      q.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('never runs one key on two workers, and runs it again when queued while working', async () => {
    let concurrent = 0;
    let max = 0;
    let runs = 0;
    const q = new WorkQueue(
      async () => {
        concurrent++;
        max = Math.max(max, concurrent);
        runs++;
        await new Promise((r) => setTimeout(r, 5));
        concurrent--;
      },
      { concurrency: 4 },
    );
    q.add('a');
    while (runs === 0) await new Promise((r) => setTimeout(r, 1));
    q.add('a');
    q.add('a');
    await q.idle();
    await new Promise((r) => setTimeout(r, 20));
    await q.idle();
    expect(max).toBe(1);
    expect(runs).toBe(2);
  });

  it('retries a failing key with backoff and reports the error', async () => {
    let attempts = 0;
    const errors: unknown[] = [];
    const q = new WorkQueue(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error('not yet');
      },
      { baseBackoffMs: 1, onError: (_k, e) => errors.push(e) },
    );
    q.add('x');
    while (attempts < 3) await new Promise((r) => setTimeout(r, 5));
    await q.idle();
    expect(errors).toHaveLength(2);
    q.stop();
  });
});
