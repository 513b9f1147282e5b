import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/clock.ts';
import type { ClusterDirectory } from '../src/clusters/cluster-directory.ts';
import type { ClusterCandidate } from '../src/placement/types.ts';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * The cluster directory keeps its candidates built while nothing they are built from changes, and its candidates
 * version moves on exactly when one of them changes (delivery's plan memo relies on it: equal versions, equal
 * candidates). Checked against candidates built afresh from the directory's state after each change.
 */
let t: TestPolis;
const clock = new ManualClock('2026-11-24T10:00:00Z');

/** Every candidate as the directory builds it now, without what it kept. */
function fresh(dir: ClusterDirectory): ClusterCandidate[] {
  const d = dir as unknown as {
    entries: Map<string, unknown>;
    candidateOf(name: string, e: unknown): ClusterCandidate;
  };
  return [...d.entries].map(([name, e]) => d.candidateOf(name, e)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

beforeAll(async () => {
  t = await startTestPolis({ controllers: true, virtualTime: true, clock });
  await t.polis.clusters.probeAll();
});
afterAll(async () => t?.stop());

describe('the cluster directory’s candidates', () => {
  it('are kept, at one version, while nothing changes', async () => {
    const dir = t.polis.clusters;
    const v = dir.candidatesVersion();
    const a = dir.candidates();
    clock.advance(2000);
    await dir.probeAll();
    expect(dir.candidatesVersion()).toBe(v);
    const b = dir.candidates();
    expect(b).not.toBe(a); // the array is the caller's own
    expect(b.every((c, i) => c === a[i])).toBe(true);
    expect(b).toEqual(fresh(dir));
    expect(Object.isFrozen(b[0])).toBe(true);
  });

  it('move to a new version when room is reserved, health changes or the shared reservations change', async () => {
    const dir = t.polis.clusters;
    const name = dir.names()[0]!;
    const steps: [string, () => Promise<void> | void][] = [
      ['reserve', () => dir.reserve(name, { cpuMilli: 500, memoryBytes: 2 ** 28, pods: 1 })],
      [
        'shared reservations',
        () => dir.setSharedReservations(new Map([[name, { cpuMilli: 1000, memoryBytes: 0, pods: 2 }]])),
      ],
      [
        'down',
        async () => {
          t.polis.sim!.cluster(name)!.down();
          for (let i = 0; i < 5; i++) {
            clock.advance(2000);
            await dir.probeAll();
          }
        },
      ],
      [
        'restored',
        async () => {
          t.polis.sim!.cluster(name)!.restore();
          for (let i = 0; i < 5; i++) {
            clock.advance(2000);
            await dir.probeAll();
          }
        },
      ],
      ['shared reservations gone', () => dir.setSharedReservations(new Map())],
    ];
    const digests = new Set<string>([dir.candidatesDigest()]);
    for (const [step, change] of steps) {
      const v = dir.candidatesVersion();
      const before = JSON.stringify(dir.candidate(name));
      await change();
      expect(dir.candidates(), step).toEqual(fresh(dir));
      expect(JSON.stringify(dir.candidate(name)), step).not.toBe(before);
      expect(dir.candidatesVersion(), step).toBeGreaterThan(v);
      digests.add(dir.candidatesDigest());
    }
    // Back where it was before the reservations and the outage (the reservation made first still counts): the
    // digest of an earlier state, at a new version.
    expect(digests.size).toBeGreaterThan(3);
    // Room reserved and given back: a new version, the digest of before.
    const d0 = dir.candidatesDigest();
    const v0 = dir.candidatesVersion();
    dir.reserve(name, { cpuMilli: 250, memoryBytes: 0, pods: 1 });
    expect(dir.candidatesDigest()).not.toBe(d0);
    dir.reserve(name, { cpuMilli: -250, memoryBytes: 0, pods: -1 });
    expect(dir.candidatesVersion()).toBeGreaterThan(v0);
    expect(dir.candidatesDigest()).toBe(d0);
    // The same shared reservations again change nothing.
    const v = dir.candidatesVersion();
    dir.setSharedReservations(new Map());
    expect(dir.candidatesVersion()).toBe(v);
  });
});
