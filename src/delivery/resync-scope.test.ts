import { describe, expect, it } from 'vitest';
import type { ResyncMemory, ResyncScope } from './resync-scope.ts';
import { resyncQueues, widerScope } from './resync-scope.ts';

const SCOPES: readonly ResyncScope[] = ['full', 'periodic', 'changed'];

describe('resyncQueues', () => {
  const running: ResyncMemory = { reconciledVersion: '7' };
  const waiting: ResyncMemory = { reconciledVersion: '7', unplaced: true, holdsNothing: true };

  it('queues an application never reconciled here (gained in a rebalance, or new) in every scope', () => {
    for (const scope of SCOPES) expect(resyncQueues(scope, undefined, '7')).toBe(true);
  });

  it('queues every application in a full resync', () => {
    expect(resyncQueues('full', running, '7')).toBe(true);
    expect(resyncQueues('full', waiting, '7')).toBe(true);
  });

  it('leaves out of a periodic resync only one that waits for room, holds nothing and is unchanged', () => {
    expect(resyncQueues('periodic', waiting, '7')).toBe(false);
    expect(resyncQueues('periodic', waiting, '8')).toBe(true);
    expect(resyncQueues('periodic', running, '7')).toBe(true);
    expect(resyncQueues('periodic', { ...waiting, holdsNothing: false }, '7')).toBe(true);
  });

  it('after a rebalance, queues only what changed since this replica last reconciled it', () => {
    expect(resyncQueues('changed', running, '7')).toBe(false);
    expect(resyncQueues('changed', waiting, '7')).toBe(false);
    expect(resyncQueues('changed', running, '9')).toBe(true);
    // A reconcile that ended before recording a version (deferred, held) is queued again.
    expect(resyncQueues('changed', {}, '7')).toBe(true);
  });

  it('orders the scopes: each queues at least what the next one does', () => {
    const memories: (ResyncMemory | undefined)[] = [undefined, {}, running, waiting, { ...waiting, unplaced: false }];
    for (const mem of memories)
      for (const rv of ['7', '8']) {
        if (resyncQueues('changed', mem, rv)) expect(resyncQueues('periodic', mem, rv)).toBe(true);
        if (resyncQueues('periodic', mem, rv)) expect(resyncQueues('full', mem, rv)).toBe(true);
      }
  });
});

describe('widerScope', () => {
  it('takes the scope that queues more, in either order', () => {
    expect(widerScope('changed', 'periodic')).toBe('periodic');
    expect(widerScope('periodic', 'changed')).toBe('periodic');
    expect(widerScope('periodic', 'full')).toBe('full');
    expect(widerScope('full', 'changed')).toBe('full');
    for (const s of SCOPES) expect(widerScope(s, s)).toBe(s);
  });
});
