import { afterEach, expect, it } from 'vitest';
import { ChangeFeed } from './change-feed.ts';
import type { ChangeEvent, CommittedChanges, Store } from './store.ts';
import { storedObject } from '../../test/support/stored-objects.ts';
import { until } from '../../test/support/until.ts';

/**
 * A burst of writes commits as a run of group commits, each handed to the feed on its own: a watch stream's
 * `onBatchEnd` (its socket write) comes once for the run (the store says when more follow), not once per commit.
 */

function event(name: string, revision: number, kind = 'Application'): ChangeEvent {
  const object = storedObject(name, revision, { kind, spec: {} });
  return { type: 'ADDED', revision, object };
}

/** A store that only hands over commits (what the feed uses of it here). */
function handingStore(): { store: Store; commit: (changes: CommittedChanges) => void } {
  let listener: ((changes?: CommittedChanges) => void) | undefined;
  const store = {
    currentRevision: () => Promise.resolve(0),
    changesSince: () => Promise.resolve([]),
    onCommit: (l: (changes?: CommittedChanges) => void) => {
      listener = l;
      return () => (listener = undefined);
    },
  } as unknown as Store;
  return { store, commit: (changes) => listener?.(changes) };
}

const nextTurn = () => new Promise((r) => setImmediate(r));

let feed: ChangeFeed | undefined;
afterEach(() => feed?.stop());

it("ends a lone commit's batch at once, after its events, and only for the subscribers that got events", async () => {
  const { store, commit } = handingStore();
  feed = new ChangeFeed({ store, pollMs: 3_600_000 });
  await feed.start();
  const log: string[] = [];
  feed.subscribe({
    from: 0,
    filter: { kind: 'Application' },
    onEvent: (e) => log.push(`event ${e.revision}`),
    onBatchEnd: () => log.push('end'),
    onError: () => {},
  });
  // A subscriber of another kind gets neither events nor batch ends.
  let others = 0;
  feed.subscribe({
    from: 0,
    filter: { kind: 'Secret' },
    onEvent: () => others++,
    onBatchEnd: () => others++,
    onError: () => {},
  });
  await nextTurn(); // the subscriptions go live
  commit({ after: 0, events: [event('a', 1), event('b', 2)] });
  expect(log).toEqual(['event 1', 'event 2', 'end']);
  commit({ after: 2, events: [event('c', 3)] });
  expect(log.slice(3)).toEqual(['event 3', 'end']);
  expect(others).toBe(0);
});

it('does not end a batch for a subscriber closed while it was held', async () => {
  const { store, commit } = handingStore();
  feed = new ChangeFeed({ store, pollMs: 3_600_000 });
  await feed.start();
  let ends = 0;
  const sub = feed.subscribe({
    from: 0,
    filter: { kind: 'Application' },
    onEvent: () => {},
    onBatchEnd: () => ends++,
    onError: () => {},
  });
  await nextTurn();
  commit({ after: 0, events: [event('a', 1)], more: true });
  sub.close();
  commit({ after: 1, events: [event('b', 2)] });
  expect(ends).toBe(0);
});

it('holds batch ends while more commits follow, until the last of them, in order and without loss', async () => {
  const { store, commit } = handingStore();
  feed = new ChangeFeed({ store, pollMs: 3_600_000, holdMs: 3_600_000 });
  await feed.start();
  const log: string[] = [];
  feed.subscribe({
    from: 0,
    filter: { kind: 'Application' },
    onEvent: (e) => log.push(`event ${e.revision}`),
    onBatchEnd: () => log.push('end'),
    onError: () => {},
  });
  await nextTurn();
  commit({ after: 0, events: [event('a', 1)], more: true });
  await nextTurn();
  commit({ after: 1, events: [event('b', 2)], more: true });
  await nextTurn();
  expect(log).toEqual(['event 1', 'event 2']);
  // The last of the run ends the batch at once, before anything else runs (its writes are not answered yet).
  commit({ after: 2, events: [event('c', 3)] });
  expect(log).toEqual(['event 1', 'event 2', 'event 3', 'end']);
  commit({ after: 3, events: [event('d', 4)] });
  expect(log.slice(4)).toEqual(['event 4', 'end']);
});

it('holds a batch end no longer than holdMs when the commits said to follow do not come', async () => {
  const { store, commit } = handingStore();
  feed = new ChangeFeed({ store, pollMs: 3_600_000, holdMs: 20 });
  await feed.start();
  let ends = 0;
  feed.subscribe({
    from: 0,
    filter: { kind: 'Application' },
    onEvent: () => {},
    onBatchEnd: () => ends++,
    onError: () => {},
  });
  await nextTurn();
  commit({ after: 0, events: [event('a', 1)], more: true });
  expect(ends).toBe(0);
  await until('the held batch end', () => ends === 1, 20_000, 5);
});
