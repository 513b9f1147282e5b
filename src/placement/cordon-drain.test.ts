import { describe, expect, it } from 'vitest';
import { cluster, demand, policy, request, roomFor } from './placement-fixtures.ts';
import { place, placeAll } from './planner.ts';
import type { PlacementDecision } from './types.ts';

function web(d: PlacementDecision) {
  return d.components.web!;
}

function codes(d: PlacementDecision): Record<string, string | undefined> {
  return Object.fromEntries(web(d).excluded.map((e) => [e.cluster, e.code]));
}

describe('a cordoned cluster (place nothing new)', () => {
  const cordoned = cluster('a', { cordoned: true, free: roomFor(20) });
  const other = cluster('b', { free: roomFor(20) });

  it('keeps the replicas a component already holds there', () => {
    const d = place(request([demand('web', 4)], { current: { web: { a: 2, b: 2 } } }), [cordoned, other]);
    expect(web(d).replicas).toEqual({ a: 2, b: 2 });
    expect(web(d).unplaced).toBe(0);
  });

  it('takes none of a new component, and says it is cordoned', () => {
    const d = place(request([demand('web', 4)]), [cordoned, other]);
    expect(web(d).replicas).toEqual({ b: 4 });
    expect(codes(d)).toEqual({ a: 'ClusterCordoned' });
  });

  it('takes no more on a scale-up: the new replicas go elsewhere', () => {
    const d = place(request([demand('web', 10)], { current: { web: { a: 2, b: 2 } } }), [cordoned, other]);
    expect(web(d).replicas).toEqual({ a: 2, b: 8 });
  });

  it('gives back on a scale-down like any cluster, and never grows again', () => {
    const down = place(request([demand('web', 2)], { current: { web: { a: 3 } } }), [cordoned, other]);
    expect(web(down).replicas.a ?? 0).toBeLessThanOrEqual(2);
    const up = place(request([demand('web', 6)], { current: { web: web(down).replicas } }), [cordoned, other]);
    expect(up.components.web!.replicas.a ?? 0).toBeLessThanOrEqual(web(down).replicas.a ?? 0);
  });

  it('leaves what does not fit elsewhere unplaced rather than growing the cordoned cluster', () => {
    const full = cluster('b', { free: roomFor(1) });
    const d = place(request([demand('web', 5)], { current: { web: { a: 2 } } }), [cordoned, full]);
    expect(web(d).replicas).toEqual({ a: 2, b: 1 });
    expect(web(d).unplaced).toBe(2);
  });

  it('is not used as an overflow cluster for new replicas either', () => {
    const burst = cluster('burst', { role: 'burst', cordoned: true, free: roomFor(20) });
    const small = cluster('b', { free: roomFor(2) });
    const d = place(request([demand('web', 5)], { policy: policy({ overflow: ['burst'] }) }), [burst, small]);
    expect(web(d).replicas).toEqual({ b: 2 });
    expect(web(d).unplaced).toBe(3);
    expect(codes(d).burst).toBe('ClusterCordoned');
  });

  it('does not let one application take room a cordoned cluster frees for another', () => {
    const [first, second] = placeAll(
      [
        request([demand('web', 2)], { key: 'edu/a', current: { web: { a: 2 } } }),
        request([demand('web', 2)], { key: 'edu/b' }),
      ],
      [cordoned, other],
    );
    expect(first!.components.web!.replicas).toEqual({ a: 2 });
    expect(second!.components.web!.replicas).toEqual({ b: 2 });
  });
});

describe('a draining cluster (move everything off)', () => {
  const draining = cluster('a', { healthy: false, unhealthy: 'draining', draining: true, free: roomFor(20) });
  const other = cluster('b', { free: roomFor(20) });

  it('takes no replica, even those it holds: they are placed elsewhere', () => {
    const d = place(request([demand('web', 4)], { current: { web: { a: 4 } } }), [draining, other]);
    expect(web(d).replicas).toEqual({ b: 4 });
    expect(codes(d)).toEqual({ a: 'ClusterDraining' });
    expect(web(d).excluded[0]!.reason).toBe('draining: its replicas move to other clusters');
  });

  it('leaves replicas unplaced when nowhere else has room (delivery keeps the old ones until then)', () => {
    const d = place(request([demand('web', 4)], { current: { web: { a: 4 } } }), [draining]);
    expect(web(d).replicas).toEqual({});
    expect(web(d).unplaced).toBe(4);
  });
});
