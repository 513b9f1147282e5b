import { describe, expect, it } from 'vitest';
import { clusterSetProblems } from './cluster-set.ts';
import { cluster } from './placement-fixtures.ts';
import { placementPlan } from './policies.ts';
import type { PlacementPlan } from './policies.ts';

type Policy = { name: string; type: string; properties?: Record<string, unknown> };

function plan(policies: Policy[]): PlacementPlan {
  const r = placementPlan({ components: [{ name: 'web' }, { name: 'db' }], policies });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

const REGISTERED = [
  cluster('gov-gd-1', { labels: { tier: 'gold' } }),
  cluster('gov-gd-2', { healthy: false }),
  cluster('gov-bj-1', { region: 'bj' }),
  cluster('ali-burst', { role: 'burst', vendor: 'aliyun', networkZone: 'internet' }),
  cluster('dr-1', { role: 'disaster-recovery', region: 'sh' }),
];

describe('clusterSetProblems', () => {
  it('accepts a placement some registered cluster can run, whatever its health now', () => {
    expect(clusterSetProblems(plan([]), REGISTERED)).toEqual([]);
    const onlySick = plan([{ name: 'p', type: 'placement', properties: { clusters: ['gov-gd-2'] } }]);
    expect(clusterSetProblems(onlySick, REGISTERED)).toEqual([]);
  });

  it('refuses a residency that excludes every registered cluster', () => {
    const p = plan([{ name: 'r', type: 'residency', properties: { regions: ['hk'] } }]);
    expect(clusterSetProblems(p, REGISTERED)).toEqual([
      {
        path: 'spec.policies[0]',
        message:
          'the residency excludes every registered cluster: 3 × outside residency: region gd not in [hk]; 1 × outside residency: region bj not in [hk]; 1 × outside residency: region sh not in [hk]',
      },
    ]);
  });

  it('refuses a placement no registered cluster satisfies, with why at its path', () => {
    const p = plan([
      {
        name: 'silver',
        type: 'placement',
        properties: { components: ['web'], clusterSelector: { matchLabels: { tier: 'silver' } } },
      },
    ]);
    expect(clusterSetProblems(p, REGISTERED)).toEqual([
      {
        path: 'spec.policies[0]',
        message:
          'under placement policy "silver" no registered cluster can run component [web]: 5 × labels do not match clusterSelector {tier=silver}',
      },
    ]);
  });

  it('counts a component that may only burst as placeable', () => {
    const p = plan([{ name: 'p', type: 'placement', properties: { regions: ['hk'], overflow: ['ali-burst'] } }]);
    expect(clusterSetProblems(p, REGISTERED)).toEqual([]);
  });

  it('refuses the default placement when only burst and disaster-recovery clusters are registered', () => {
    const spare = REGISTERED.filter((c) => c.role !== 'primary');
    expect(clusterSetProblems(plan([]), spare)).toEqual([
      {
        path: 'spec.policies',
        message:
          'no placement policy governs components [web, db], so the default applies (primary clusters only), and no registered cluster can run components [web, db]: 1 × role burst not eligible (overflow only when primaries are full); 1 × role disaster-recovery not eligible (only when the policy lists it in roles)',
      },
    ]);
  });

  it('refuses names of clusters that are not registered: overflow, clusters, weights', () => {
    const p = plan([
      {
        name: 'p',
        type: 'placement',
        properties: {
          division: 'weighted',
          weights: [
            { cluster: 'gov-gd-1', weight: 1 },
            { cluster: 'gov-gz-9', weight: 1 },
          ],
          clusters: ['gov-gd-1', 'gov-sz-1'],
          overflow: ['tencent-burst'],
        },
      },
    ]);
    const registered = 'registered: [ali-burst, dr-1, gov-bj-1, gov-gd-1, gov-gd-2]';
    expect(clusterSetProblems(p, REGISTERED)).toEqual([
      {
        path: 'spec.policies[0].properties.clusters[1]',
        message: `cluster "gov-sz-1" is not registered; ${registered}`,
      },
      {
        path: 'spec.policies[0].properties.overflow[0]',
        message: `cluster "tencent-burst" is not registered; ${registered}`,
      },
      {
        path: 'spec.policies[0].properties.weights[1].cluster',
        message: `cluster "gov-gz-9" is not registered; ${registered}`,
      },
    ]);
  });

  it('checks topology like KubeVela: named clusters must exist, a selector must match unless allowEmpty', () => {
    const p = plan([
      { name: 'hz', type: 'topology', properties: { clusters: ['gov-gd-1', 'hz-1'] } },
      { name: 'edge', type: 'topology', properties: { clusterLabelSelector: { tier: 'edge' } } },
      { name: 'maybe', type: 'topology', properties: { clusterLabelSelector: { tier: 'edge' }, allowEmpty: true } },
    ]);
    expect(clusterSetProblems(p, REGISTERED)).toEqual([
      {
        path: 'spec.policies[0].properties.clusters[1]',
        message: 'cluster "hz-1" is not registered; registered: [ali-burst, dr-1, gov-bj-1, gov-gd-1, gov-gd-2]',
      },
      {
        path: 'spec.policies[1].properties.clusterLabelSelector',
        message: 'matches no registered cluster (set allowEmpty: true to accept an empty selection)',
      },
    ]);
  });

  it('refuses a topology whose clusters all lie outside the residency', () => {
    const p = plan([
      { name: 'hz', type: 'topology', properties: { clusters: ['ali-burst'] } },
      { name: 'r', type: 'residency', properties: { networkZones: ['e-gov-extranet'] } },
    ]);
    expect(clusterSetProblems(p, REGISTERED)).toEqual([
      {
        path: 'spec.policies[0]',
        message:
          'under topology policy "hz" no registered cluster can run components [web, db]: 4 × not selected by topology hz clusters [ali-burst]; 1 × outside residency: networkZone internet not in [e-gov-extranet]',
      },
    ]);
  });

  it('has nothing to check against before any cluster is registered', () => {
    expect(clusterSetProblems(plan([{ name: 'r', type: 'residency', properties: { regions: ['hk'] } }]), [])).toEqual(
      [],
    );
  });
});
