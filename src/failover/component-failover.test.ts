import { describe, expect, it } from 'vitest';
import type { ComponentObservation } from './component-failover.ts';
import { crashLoopFailover, crashLoopToleration } from './component-failover.ts';

const T0 = '2026-11-24T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

const crashingOnEast: ComponentObservation[] = [
  {
    name: 'web',
    clusters: [
      { cluster: 'gov-east', readyReplicas: 0, phase: 'Failed', reason: 'CrashLoopBackOff' },
      { cluster: 'gov-west', readyReplicas: 2, phase: 'Running' },
    ],
  },
  { name: 'api', clusters: [{ cluster: 'gov-east', readyReplicas: 2, phase: 'Running' }] },
];

describe('crashLoopFailover', () => {
  it('tolerates a crash loop for the toleration, then moves only that component off only that cluster', () => {
    const first = crashLoopFailover({
      previous: undefined,
      components: crashingOnEast,
      generation: 1,
      now: T0,
      tolerationMs: 120_000,
    });
    expect(first.avoid).toEqual({});
    expect(first.records).toEqual([
      { component: 'web', cluster: 'gov-east', reason: 'CrashLoopBackOff', since: T0, generation: 1 },
    ]);
    expect(first.recheckInMs).toBe(120_000);

    const later = crashLoopFailover({
      previous: first.records,
      components: crashingOnEast,
      generation: 1,
      now: at(120),
      tolerationMs: 120_000,
    });
    expect(Object.keys(later.avoid)).toEqual(['web']);
    expect(Object.keys(later.avoid.web!)).toEqual(['gov-east']);
    expect(later.moved[0]?.message).toBe('web off gov-east (CrashLoopBackOff for 120 s; healthy on gov-west)');

    // Once moved, the component no longer shows on gov-east: the record keeps it away.
    const after = crashLoopFailover({
      previous: later.records,
      components: [{ name: 'web', clusters: [{ cluster: 'gov-west', readyReplicas: 3, phase: 'Running' }] }],
      generation: 1,
      now: at(600),
      tolerationMs: 120_000,
    });
    expect(after.avoid.web).toHaveProperty('gov-east');
    expect(after.moved).toEqual([]);
  });

  it('does not move a component that fails everywhere: the fault is the application’s', () => {
    const everywhere: ComponentObservation[] = [
      {
        name: 'web',
        clusters: [
          { cluster: 'gov-east', readyReplicas: 0, phase: 'Failed', reason: 'CrashLoopBackOff' },
          { cluster: 'gov-west', readyReplicas: 0, phase: 'Failed', reason: 'CrashLoopBackOff' },
        ],
      },
    ];
    const first = crashLoopFailover({
      previous: undefined,
      components: everywhere,
      generation: 1,
      now: T0,
      tolerationMs: 0,
    });
    const d = crashLoopFailover({
      previous: first.records,
      components: everywhere,
      generation: 1,
      now: at(3600),
      tolerationMs: 0,
    });
    expect(d.avoid).toEqual({});
  });

  it('forgets a crash loop that recovers, and everything with a new generation', () => {
    const first = crashLoopFailover({
      previous: undefined,
      components: crashingOnEast,
      generation: 1,
      now: T0,
      tolerationMs: 60_000,
    });
    const healed = crashLoopFailover({
      previous: first.records,
      components: [{ name: 'web', clusters: [{ cluster: 'gov-east', readyReplicas: 2, phase: 'Running' }] }],
      generation: 1,
      now: at(30),
      tolerationMs: 60_000,
    });
    expect(healed.records).toEqual([]);
    const moved = crashLoopFailover({
      previous: first.records,
      components: crashingOnEast,
      generation: 1,
      now: at(60),
      tolerationMs: 60_000,
    });
    const next = crashLoopFailover({
      previous: moved.records,
      components: [],
      generation: 2,
      now: at(90),
      tolerationMs: 60_000,
    });
    expect(next.avoid).toEqual({});
  });

  it('reads the toleration from the failover policy, 120 s by default', () => {
    expect(crashLoopToleration(undefined)).toBe(120_000);
    expect(crashLoopToleration({ crashLoopTolerationSeconds: 30 })).toBe(30_000);
  });
});
