import { afterEach, expect, it } from 'vitest';
import { ChangeFeed } from './change-feed.ts';
import type { StoredObject } from './envelope.ts';
import type { ChangeEvent, CommittedChanges, Store } from './store.ts';

/**
 * One durable flush acknowledges a run of group commits, each handed to the feed on its own: a watch stream's
 * `onBatchEnd` (its socket write) comes once for the whole run, after every event of it, not once per commit.
 */

function event(name: string, revision: number, kind = 'Application'): ChangeEvent {
  const object: StoredObject = {
    apiVersion: 'polis.example/v1',
    kind,
    metadata: {
      name,
      tenant: 'finance',
      uid: `uid-${name}`,
      resourceVersion: String(revision),
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00.000Z',
    },
    spec: {},
  };
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

it('ends a batch once for the commits handed over in one turn, after all their events, and per turn after that', async () => {
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
  // Three commits acknowledged by one flush: handed over one after another, two of them from promise jobs.
  commit({ after: 0, events: [event('a', 1), event('b', 2)] });
  await Promise.resolve();
  commit({ after: 2, events: [event('c', 3)] });
  await Promise.resolve();
  commit({ after: 3, events: [event('d', 4)] });
  expect(log).toEqual(['event 1', 'event 2', 'event 3', 'event 4']);
  await nextTurn();
  expect(log).toEqual(['event 1', 'event 2', 'event 3', 'event 4', 'end']);
  // The next turn's commit is a batch of its own.
  commit({ after: 4, events: [event('e', 5)] });
  await nextTurn();
  expect(log.slice(5)).toEqual(['event 5', 'end']);
  expect(others).toBe(0);
});

it('does not end a batch for a subscriber closed before the turn ended', async () => {
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
  commit({ after: 0, events: [event('a', 1)] });
  sub.close();
  await nextTurn();
  expect(ends).toBe(0);
});

async function waitFor(what: string, cond: () => boolean, limitMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

it('holds batch ends while writes are being handled, until the last one ends, in order and without loss', async () => {
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
  const first = feed.beginWrite();
  const second = feed.beginWrite();
  commit({ after: 0, events: [event('a', 1)] });
  await nextTurn();
  commit({ after: 1, events: [event('b', 2)] });
  await nextTurn();
  first();
  first(); // ending twice counts once
  await nextTurn();
  expect(log).toEqual(['event 1', 'event 2']);
  second();
  expect(log).toEqual(['event 1', 'event 2', 'end']);
  // Nothing in flight: the next commit's batch ends with its turn.
  commit({ after: 2, events: [event('c', 3)] });
  await nextTurn();
  expect(log.slice(3)).toEqual(['event 3', 'end']);
});

it('holds a batch end no longer than holdMs while a write stays in flight', async () => {
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
  const end = feed.beginWrite();
  commit({ after: 0, events: [event('a', 1)] });
  await waitFor('the held batch end', () => ends === 1);
  end();
  await nextTurn();
  expect(ends).toBe(1);
});
