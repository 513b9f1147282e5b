import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../bench/rca-nezha.ts';
import { loadNezhaDay, NEZHA_DIR } from '../bench/support/nezha.ts';
import { pessimisticRank, rankTestZ } from '../bench/support/rca-leads.ts';
import { missKind, trafficProfile, visibility } from '../bench/support/rca-visibility.ts';
import { DEFAULT_OPTIONS, type DemarcationInput, type Series } from '../src/observe/demarcation/index.ts';
import { skipTitle } from './support/skip.ts';

// Real labelled faults (../shared/data/nezha); a checkout without the shared data skips this test and says so.
const HAVE_DATA = existsSync(NEZHA_DIR);
if (!HAVE_DATA) console.warn(`${NEZHA_DIR} not found: the Nezha ranking test is SKIPPED`);

/** One minute a sample, an hour of history: flat (with a little noise) until `at`, then `after`. */
function cpu(name: string, before: number, after: number, at: number): Series {
  const points: [number, number][] = [];
  for (let t = at - 3600; t <= at + 300; t += 60) points.push([t, t < at ? before + ((t / 60) % 2) * 0.001 : after]);
  return { on: 'component', name, signal: 'cpu', points };
}

function inputWith(series: Series[]): DemarcationInput {
  const at = 1_000_000;
  const names = ['a', 'b', 'c', 'd', 'e'];
  return {
    at,
    components: names.map((name) => ({ name, application: 'app', department: 'dept' })),
    series: series.map((s) => ({ ...s, points: s.points.map(([t, v]) => [t + at, v] as [number, number]) })),
  };
}

describe('why a root cause was missed', () => {
  it('calls a root that moved none of its own signals invisible', () => {
    const input = inputWith([cpu('a', 0.1, 0.1, 0), cpu('b', 0.1, 0.5, 0)]);
    const v = visibility(input, 'a', DEFAULT_OPTIONS);
    expect(v.ownZ).toBeLessThan(DEFAULT_OPTIONS.threshold);
    expect(missKind(v, DEFAULT_OPTIONS.threshold)).toBe('invisible');
  });

  it('calls a root that moved, but less than three others, buried', () => {
    const input = inputWith([
      cpu('a', 0.1, 0.2, 0),
      cpu('b', 0.1, 0.5, 0),
      cpu('c', 0.1, 0.6, 0),
      cpu('d', 0.1, 0.7, 0),
    ]);
    const v = visibility(input, 'a', DEFAULT_OPTIONS);
    expect(v.ownRank).toBe(4);
    expect(v.services).toBe(5);
    expect(missKind(v, DEFAULT_OPTIONS.threshold)).toBe('buried');
  });

  it('calls a root first on its own signals that the ranking still missed outranked', () => {
    const input = inputWith([cpu('a', 0.1, 0.9, 0), cpu('b', 0.1, 0.5, 0)]);
    const v = visibility(input, 'a', DEFAULT_OPTIONS);
    expect(v).toMatchObject({ ownRank: 1, ownSignal: 'cpu' });
    expect(missKind(v, DEFAULT_OPTIONS.threshold)).toBe('outranked');
  });
});

describe.skipIf(!HAVE_DATA)(
  skipTitle('root-cause ranking on Nezha data', !HAVE_DATA && `${NEZHA_DIR} not found`),
  () => {
    it('puts the injected service in the top 3 more often than the baseline does (one Online Boutique day)', () => {
      const day = loadNezhaDay('online-boutique', '2022-08-22');
      const outcomes = evaluate([day], DEFAULT_OPTIONS);
      expect(outcomes).toHaveLength(24);
      const top3 = outcomes.filter((o) => o.rank >= 1 && o.rank <= 3).length;
      const baselineTop3 = outcomes.filter((o) => o.baselineRank >= 1 && o.baselineRank <= 3).length;
      const top1 = outcomes.filter((o) => o.rank === 1).length;
      const baselineTop1 = outcomes.filter((o) => o.baselineRank === 1).length;
      expect(top3).toBeGreaterThan(baselineTop3);
      expect(top1).toBeGreaterThan(baselineTop1);
    });

    it('finds Train Ticket’s CPU faults in their roots’ own signals, and most of its other faults in none', () => {
      const day = loadNezhaDay('train-ticket', '2023-01-30');
      const outcomes = evaluate([day], DEFAULT_OPTIONS);
      const cpuFaults = outcomes.filter((o) => o.type === 'cpu_contention');
      expect(cpuFaults.length).toBeGreaterThan(0);
      for (const o of cpuFaults) {
        expect(o.visibility.ownZ).toBeGreaterThan(DEFAULT_OPTIONS.threshold);
        expect(o.visibility.ownRank).toBeLessThanOrEqual(3);
      }
      const delays = outcomes.filter((o) => o.type === 'network_delay');
      const unseen = delays.filter((o) => o.miss === 'invisible' || o.miss === 'buried');
      expect(2 * unseen.length).toBeGreaterThan(delays.length);
      // The pods serve next to nothing: most pod-minutes carry no request, so latency quantiles are single requests.
      expect(trafficProfile(day.pods).emptyMinutes).toBeGreaterThan(0.5);
    });
  },
);

describe('the statistics of the leads tried for the misses', () => {
  it('gives a rank test z that grows with the shift, is signed, and is 0 for the same values', () => {
    const hour = Array.from({ length: 60 }, (_, i) => (i % 10) / 10);
    expect(rankTestZ([0.45, 0.45, 0.45], hour)).toBeCloseTo(0, 1);
    expect(rankTestZ([2, 2, 2, 2, 2], hour)).toBeGreaterThan(3);
    expect(rankTestZ([-1, -1, -1, -1, -1], hour)).toBeLessThan(-3);
    expect(rankTestZ([2, 2], hour)).toBeLessThan(rankTestZ([2, 2, 2, 2, 2], hour));
    // A series flat on one value (a histogram bucket) tells nothing: no rank order, no z.
    expect(rankTestZ([0.025, 0.025], [0.025, 0.025, 0.025])).toBe(0);
  });

  it('ranks the root behind every service scoring as much as it, and last when it has no score', () => {
    const scores = new Map([
      ['a', 0],
      ['b', 0],
      ['c', 5],
    ]);
    expect(pessimisticRank(scores, 'c')).toBe(1);
    expect(pessimisticRank(scores, 'a')).toBe(3);
    expect(pessimisticRank(scores, 'd')).toBe(4);
  });
});
