import { describe, expect, it } from 'vitest';
import type { KubeObject, WatchEvent } from './watch-reducer.ts';
import { applyWatchEvents, emptyCollection, retainKeys } from './watch-reducer.ts';

const obj = (name: string, rv: number, tenant = 'edu'): KubeObject & { v: number } => ({
  apiVersion: 'core.oam.dev/v1beta1',
  kind: 'Application',
  metadata: { name, tenant, resourceVersion: String(rv) },
  v: rv,
});
const ev = (type: WatchEvent['type'], o: KubeObject): WatchEvent => ({ type, object: o });
const id = <T>(o: T) => o;

describe('the watch reducer', () => {
  it('adds, modifies and deletes by department and name, tracking the newest resourceVersion', () => {
    let s = applyWatchEvents(emptyCollection(), [ev('ADDED', obj('a', 1)), ev('ADDED', obj('b', 2))], id);
    expect([...s.items.keys()]).toEqual(['edu/a', 'edu/b']);
    s = applyWatchEvents(s, [ev('MODIFIED', obj('a', 3))], id);
    expect((s.items.get('edu/a') as { v: number }).v).toBe(3);
    s = applyWatchEvents(s, [ev('DELETED', obj('b', 4))], id);
    expect([...s.items.keys()]).toEqual(['edu/a']);
    expect(s.resourceVersion).toBe('4');
  });

  it('ignores an event older than what it holds (a list page read before a watch event)', () => {
    let s = applyWatchEvents(emptyCollection(), [ev('MODIFIED', obj('a', 5))], id);
    s = applyWatchEvents(s, [ev('ADDED', obj('a', 2))], id);
    expect((s.items.get('edu/a') as { v: number }).v).toBe(5);
  });

  it('does not bring back an object deleted after the list page that still shows it', () => {
    let s = applyWatchEvents(emptyCollection(), [ev('ADDED', obj('a', 2))], id);
    s = applyWatchEvents(s, [ev('DELETED', obj('a', 2))], id);
    s = applyWatchEvents(s, [ev('ADDED', obj('a', 2))], id);
    expect(s.items.has('edu/a')).toBe(false);
    // …but a new object of the same name, created later, appears.
    s = applyWatchEvents(s, [ev('ADDED', obj('a', 9))], id);
    expect(s.items.has('edu/a')).toBe(true);
  });

  it('keeps objects of different departments apart', () => {
    const s = applyWatchEvents(
      emptyCollection(),
      [ev('ADDED', obj('portal', 1, 'edu')), ev('ADDED', obj('portal', 2, 'tax'))],
      id,
    );
    expect(s.items.size).toBe(2);
  });

  it('returns the same state when nothing changed, so nothing re-renders', () => {
    const s = applyWatchEvents(emptyCollection(), [ev('ADDED', obj('a', 3))], id);
    expect(applyWatchEvents(s, [ev('MODIFIED', obj('a', 3))], id)).toBe(s);
    expect(applyWatchEvents(s, [], id)).toBe(s);
  });

  it('keeps what the projection makes of an object, and leaves out what it rejects', () => {
    const s = applyWatchEvents(
      emptyCollection<string>(),
      [ev('ADDED', obj('a', 1)), ev('ADDED', obj('skip', 2))],
      (o) => (o.metadata.name === 'skip' ? undefined : o.metadata.name.toUpperCase()),
    );
    expect([...s.items.values()]).toEqual(['A']);
  });

  it('drops, after a relist, what the relist did not show', () => {
    const s = applyWatchEvents(emptyCollection(), [ev('ADDED', obj('a', 1)), ev('ADDED', obj('b', 2))], id);
    expect([...retainKeys(s, new Set(['edu/b'])).items.keys()]).toEqual(['edu/b']);
  });
});
