import { describe, expect, it } from 'vitest';
import type { ClusterDirectory } from '../clusters/cluster-directory.ts';
import type { ApplyOptions, ApplyReport, ClusterDriver } from '../clusters/driver.ts';
import type { Manifest } from '../kernel/manifest.ts';
import type { Observation } from './app-status.ts';
import { applyToCluster } from './cluster-apply.ts';
import type { ClusterPlan } from './desired-state.ts';
import { EventNotes } from './event-notes.ts';

const owner = { tenant: 'edu', app: 'portal', namespace: 'edu--portal' };
const config: Manifest = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: owner.namespace },
};
const plan: ClusterPlan = {
  cluster: 'gov-east',
  namespaces: [owner.namespace],
  manifests: [config],
  createOnlyPaths: {},
  hash: 'h1',
};
const unchanged: ApplyReport = {
  applied: [{ key: 'v1/ConfigMap/edu--portal/settings', action: 'unchanged' }],
  failed: [],
};

/** A driver counting its calls; `vouches`: what applyUnchanged answers (absent: the driver has no such call). */
function driver(vouches?: boolean) {
  const calls = { apply: [] as ApplyOptions[], applyUnchanged: 0, prune: 0, guard: 0 };
  const d = {
    cluster: 'gov-east',
    apply: async (_m: readonly Manifest[], o: ApplyOptions) => {
      calls.apply.push(o);
      return unchanged;
    },
    prune: async () => {
      calls.prune++;
      return { deleted: [] };
    },
    observe: async () => [],
    ...(vouches === undefined
      ? {}
      : {
          applyUnchanged: async () => {
            calls.applyUnchanged++;
            return vouches ? unchanged : undefined;
          },
        }),
  } as unknown as ClusterDriver;
  return { d, calls };
}

async function run(d: ClusterDriver, applied: Map<string, string>, calls: { guard: number }, force = false) {
  const stats = { applies: 0, appliesUnchanged: 0, objectsChanged: 0, prunes: 0 };
  const out = { observations: new Map<string, Observation>(), applyErrors: new Map() };
  const clusters = { driver: () => d } as unknown as ClusterDirectory;
  const guard = async () => {
    calls.guard++;
  };
  await applyToCluster(
    clusters,
    owner,
    plan,
    { applied },
    out,
    new Set(['gov-east']),
    new EventNotes(),
    stats,
    guard,
    force,
  );
  return { stats, out };
}

describe('applying a cluster plan', () => {
  it('sends no manifests again when the plan is the last one applied there and the cluster vouches for it', async () => {
    const { d, calls } = driver(true);
    const { stats, out } = await run(d, new Map([['gov-east', 'h1']]), calls);
    // The old code applied the manifests at every reconcile.
    expect(calls.apply).toHaveLength(0);
    expect(calls.applyUnchanged).toBe(1);
    expect(stats).toMatchObject({ applies: 1, appliesUnchanged: 1, prunes: 0 });
    expect(out.observations.get('gov-east')).toEqual([]);
    // Still fenced like an apply.
    expect(calls.guard).toBe(1);
  });

  it('applies the manifests, with the plan digest, when the plan changed, the cluster cannot vouch, or force is on', async () => {
    for (const [vouches, applied, force] of [
      [true, new Map<string, string>(), false],
      [true, new Map([['gov-east', 'h0']]), false],
      [false, new Map([['gov-east', 'h1']]), false],
      [undefined, new Map([['gov-east', 'h1']]), false],
      [true, new Map([['gov-east', 'h1']]), true],
    ] as const) {
      const { d, calls } = driver(vouches);
      const { stats } = await run(d, new Map(applied), calls, force);
      expect(calls.apply).toHaveLength(1);
      expect(calls.apply[0]!.digest).toBe('h1');
      expect(stats.appliesUnchanged).toBe(0);
    }
  });
});
