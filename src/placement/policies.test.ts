import { describe, expect, it } from 'vitest';
import type { ErrorCause } from '../kernel/errors.ts';
import { renderMessage } from '../kernel/messages/index.ts';
import { DEFAULT_PLACEMENT_POLICY } from './placement-policy.ts';
import { placementPlan } from './policies.ts';
import type { PlacementPlan } from './policies.ts';

type Policy = { name: string; type: string; properties?: Record<string, unknown> };

const COMPONENTS = [{ name: 'web' }, { name: 'db' }];

function plan(policies: Policy[], topologyNames?: readonly string[]): PlacementPlan {
  const r = placementPlan({ components: COMPONENTS, policies }, topologyNames ? { topologyNames } : undefined);
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors, null, 2)}`);
  return r;
}

/** The causes, coded or not; the English is what these tests compare ('coded causes' below checks the codes). */
function errors(policies: Policy[], topologyNames?: readonly string[]): ErrorCause[] {
  return codedErrors(policies, topologyNames).map(({ path, message }) => ({ path, message }));
}

function codedErrors(policies: Policy[], topologyNames?: readonly string[]): ErrorCause[] {
  const r = placementPlan({ components: COMPONENTS, policies }, topologyNames ? { topologyNames } : undefined);
  if (r.ok) throw new Error('expected errors');
  return r.errors;
}

/** The one error of a placement policy with these properties. */
function placementError(properties: Record<string, unknown>): ErrorCause {
  const all = errors([{ name: 'p', type: 'placement', properties }]);
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe('placement policy: defaults', () => {
  it('places every component by the government default without policies: primaries only, by capacity', () => {
    const p = plan([]);
    expect(p.policyFor('web')).toBe(DEFAULT_PLACEMENT_POLICY);
    expect(p.policyFor('web')).toMatchObject({
      roles: ['primary'],
      division: 'capacity',
      overflow: [],
      minPerCluster: 0,
      weights: {},
    });
    expect(p.residency).toBeUndefined();
    expect(p.governing).toEqual([
      {
        path: 'spec.policies',
        type: 'default',
        name: 'default',
        policy: DEFAULT_PLACEMENT_POLICY,
        components: ['web', 'db'],
      },
    ]);
  });

  it('fills every field a placement policy leaves out', () => {
    const p = plan([{ name: 'p', type: 'placement', properties: { regions: ['gd'] } }]);
    expect(p.policyFor('db')).toEqual({
      components: [],
      clusters: [],
      clusterSelector: { matchLabels: {} },
      regions: ['gd'],
      vendors: [],
      zones: [],
      networkZones: [],
      roles: ['primary'],
      division: 'capacity',
      weights: {},
      minPerCluster: 0,
      overflow: [],
    });
  });

  it('reads every field', () => {
    const p = plan([
      {
        name: 'p',
        type: 'placement',
        properties: {
          components: ['web'],
          clusters: ['a', 'b'],
          clusterSelector: { matchLabels: { tier: 'gold' } },
          regions: ['gd'],
          vendors: ['huawei'],
          zones: ['gd-a'],
          networkZones: ['e-gov-extranet'],
          roles: ['primary', 'disaster-recovery'],
          spreadBy: 'zone',
          division: 'weighted',
          weights: [
            { cluster: 'a', weight: 2 },
            { cluster: 'b', weight: 0 },
          ],
          minPerCluster: 1,
          maxPerCluster: 5,
          overflow: ['burst-1'],
        },
      },
    ]);
    expect(p.policyFor('web')).toEqual({
      components: ['web'],
      clusters: ['a', 'b'],
      clusterSelector: { matchLabels: { tier: 'gold' } },
      regions: ['gd'],
      vendors: ['huawei'],
      zones: ['gd-a'],
      networkZones: ['e-gov-extranet'],
      roles: ['primary', 'disaster-recovery'],
      spreadBy: 'zone',
      division: 'weighted',
      weights: { a: 2, b: 0 },
      minPerCluster: 1,
      maxPerCluster: 5,
      overflow: ['burst-1'],
    });
    expect(p.policyFor('db')).toBe(DEFAULT_PLACEMENT_POLICY);
  });

  it('gives the components of one policy the same policy object', () => {
    const p = plan([{ name: 'p', type: 'placement', properties: { regions: ['gd'] } }]);
    expect(p.policyFor('web')).toBe(p.policyFor('db'));
  });

  it('leaves other policy types to their owners', () => {
    const p = plan([{ name: 'o', type: 'override', properties: { components: [{ name: 'web' }] } }]);
    expect(p.policyFor('web')).toBe(DEFAULT_PLACEMENT_POLICY);
  });
});

describe('placement policy: every field is checked, with its path', () => {
  const at = 'spec.policies[0].properties';
  it.each([
    [
      { divison: 'weighted' },
      `${at}.divison`,
      'unknown property "divison"; accepted: clusterSelector, clusters, components, division, maxPerCluster, minPerCluster, networkZones, overflow, regions, roles, spreadBy, vendors, weights, zones',
    ],
    [{ components: 'web' }, `${at}.components`, 'must be a list of component names (strings)'],
    [{ components: [''] }, `${at}.components[0]`, 'must be a non-empty string (a component name)'],
    [{ components: ['web', 'web'] }, `${at}.components[1]`, '"web" appears twice; list each once'],
    [{ components: ['api'] }, `${at}.components[0]`, '"api" names no component; components are [web, db]'],
    [{ clusters: [1] }, `${at}.clusters[0]`, 'must be a non-empty string (a cluster name)'],
    [{ regions: 'gd' }, `${at}.regions`, 'must be a list of regions (strings)'],
    [{ vendors: [null] }, `${at}.vendors[0]`, 'must be a non-empty string (a vendor)'],
    [{ zones: {} }, `${at}.zones`, 'must be a list of zones (strings)'],
    [{ networkZones: ['x', 'x'] }, `${at}.networkZones[1]`, '"x" appears twice; list each once'],
    [
      { clusterSelector: 'env=prod' },
      `${at}.clusterSelector`,
      'must be an object such as {"matchLabels": {"env": "prod"}}',
    ],
    [
      { clusterSelector: { matchExpressions: [] } },
      `${at}.clusterSelector.matchExpressions`,
      'unknown property "matchExpressions"; accepted: matchLabels',
    ],
    [
      { clusterSelector: { matchLabels: ['env'] } },
      `${at}.clusterSelector.matchLabels`,
      'must be a map of label names to string values, e.g. {"env": "prod"}',
    ],
    [
      { clusterSelector: { matchLabels: { replicas: 3 } } },
      `${at}.clusterSelector.matchLabels.replicas`,
      'label values are strings (got 3)',
    ],
    [{ roles: ['edge'] }, `${at}.roles[0]`, 'must be one of primary, burst, disaster-recovery (got "edge")'],
    [{ roles: 'primary' }, `${at}.roles`, 'must be a list of: primary, burst, disaster-recovery'],
    [{ roles: [] }, `${at}.roles`, 'must name at least one role of primary, burst, disaster-recovery'],
    [{ roles: ['burst', 'burst'] }, `${at}.roles[1]`, '"burst" appears twice; list each once'],
    [{ spreadBy: 'country' }, `${at}.spreadBy`, 'must be one of region, vendor, zone (got "country")'],
    [{ division: 'even' }, `${at}.division`, 'must be one of duplicated, weighted, capacity (got "even")'],
    [
      { division: 'weighted' },
      `${at}.weights`,
      'division weighted needs weights: a list of {cluster, weight} with whole-number weights ≥ 0',
    ],
    [
      { weights: [{ cluster: 'a', weight: 1 }] },
      `${at}.weights`,
      'weights are only allowed with division weighted (division is capacity)',
    ],
    [{ division: 'weighted', weights: {} }, `${at}.weights`, 'must be a non-empty list of {cluster, weight}'],
    [{ division: 'weighted', weights: ['a'] }, `${at}.weights[0]`, 'must be an object {cluster, weight}'],
    [
      { division: 'weighted', weights: [{ cluster: 'a', weight: 1, share: 2 }] },
      `${at}.weights[0].share`,
      'unknown property "share"; accepted: cluster, weight',
    ],
    [{ division: 'weighted', weights: [{ weight: 1 }] }, `${at}.weights[0].cluster`, 'is required (a cluster name)'],
    [
      { division: 'weighted', weights: [{ cluster: 'a', weight: -1 }] },
      `${at}.weights[0].weight`,
      'must be a whole number ≥ 0 (got -1)',
    ],
    [
      { division: 'weighted', weights: [{ cluster: 'a', weight: 1.5 }] },
      `${at}.weights[0].weight`,
      'must be a whole number ≥ 0 (got 1.5)',
    ],
    [
      { division: 'weighted', weights: [{ cluster: 'a' }] },
      `${at}.weights[0].weight`,
      'is required (a whole number ≥ 0)',
    ],
    [
      {
        division: 'weighted',
        weights: [
          { cluster: 'a', weight: 1 },
          { cluster: 'a', weight: 2 },
        ],
      },
      `${at}.weights[1].cluster`,
      '"a" already has a weight; list each cluster once',
    ],
    [
      { division: 'weighted', weights: [{ cluster: 'a', weight: 0 }] },
      `${at}.weights`,
      'at least one weight must be > 0, or no replica could be placed',
    ],
    [{ minPerCluster: -1 }, `${at}.minPerCluster`, 'must be a whole number ≥ 0 (got -1)'],
    [{ maxPerCluster: 0 }, `${at}.maxPerCluster`, 'must be a whole number ≥ 1 (got 0)'],
    [{ maxPerCluster: '3' }, `${at}.maxPerCluster`, 'must be a whole number ≥ 1 (got "3")'],
    [{ minPerCluster: 4, maxPerCluster: 3 }, `${at}.maxPerCluster`, 'must be ≥ minPerCluster (4); got 3'],
    [{ overflow: ['b', 'b'] }, `${at}.overflow[1]`, '"b" appears twice; list each once'],
    [
      { clusters: ['a', 'b'], overflow: ['b'] },
      `${at}.overflow[0]`,
      '"b" is also in clusters; a cluster is either eligible for normal placement or overflow, not both',
    ],
    [
      { division: 'weighted', weights: [{ cluster: 'b', weight: 1 }], overflow: ['b'] },
      `${at}.overflow[0]`,
      '"b" also has a weight; overflow clusters take what the others cannot hold, in order, without weights',
    ],
    [
      { division: 'duplicated', overflow: ['b'] },
      `${at}.overflow`,
      'overflow takes the replicas the eligible clusters cannot hold, so it needs division capacity or weighted; with duplicated every eligible cluster runs the full count',
    ],
  ])('%j → %s', (properties, path, message) => {
    expect(placementError(properties)).toEqual({ path, message });
  });

  it("codes each cause: the console and the CLI word it in the reader's language, the English is the fallback", () => {
    const coded = (properties: Record<string, unknown>, type = 'placement') => {
      const all = codedErrors([
        ...(type === 'residency' ? [{ name: 'p', type: 'placement', properties: {} }] : []),
        { name: 'p', type, properties },
      ]);
      expect(all).toHaveLength(1);
      const e = all[0]!;
      expect(e.code, e.message).toBeDefined();
      const m = { code: e.code!, ...(e.params ? { params: e.params } : {}), message: e.message };
      expect(renderMessage(m, 'en')).toBe(e.message);
      return { code: e.code, zh: renderMessage(m, 'zh') };
    };
    expect(coded({ divison: 'weighted' })).toMatchObject({
      code: 'PropertyUnknown',
      zh: expect.stringContaining('未知属性“divison”'),
    });
    expect(coded({ division: 'even' })).toEqual({
      code: 'MustBeOneOf',
      zh: '应为 duplicated, weighted, capacity 之一（实为 "even"）',
    });
    expect(coded({ maxPerCluster: 0 })).toEqual({ code: 'MustBeWholeNumber', zh: '应为 ≥ 1 的整数（实为 0）' });
    expect(coded({ minPerCluster: 4, maxPerCluster: 3 })).toMatchObject({ code: 'MaxBelowMin' });
    expect(coded({ clusters: ['a', 'b'], overflow: ['b'] })).toMatchObject({ code: 'OverflowAlsoEligible' });
    expect(coded({ division: 'weighted' })).toMatchObject({ code: 'WeightsRequired' });
    expect(coded({ clusterSelector: 'env=prod' })).toMatchObject({ code: 'SelectorNotObject' });
    expect(coded({ regions: [] }, 'residency')).toEqual({
      code: 'ResidencyNeeds',
      zh: '驻留策略至少要给出 clusters, regions, zones, networkZones 中的一个非空列表',
    });
    expect(coded({ namespace: 'edu' }, 'topology')).toMatchObject({ code: 'TopologyNeeds' });
  });

  it('refuses properties that are not an object', () => {
    expect(errors([{ name: 'p', type: 'placement', properties: ['gd'] as never }])).toEqual([
      { path: 'spec.policies[0].properties', message: 'must be an object' },
    ]);
  });

  it('reports every problem of a policy at once', () => {
    expect(
      errors([{ name: 'p', type: 'placement', properties: { division: 'x', minPerCluster: -1, zones: 'a' } }]).map(
        (e) => e.path,
      ),
    ).toEqual([
      'spec.policies[0].properties.zones',
      'spec.policies[0].properties.division',
      'spec.policies[0].properties.minPerCluster',
    ]);
  });
});

describe('residency policy', () => {
  const at = 'spec.policies[1].properties';
  const withResidency = (properties?: Record<string, unknown>) =>
    errors([
      { name: 'p', type: 'placement', properties: {} },
      { name: 'r', type: 'residency', ...(properties ? { properties } : {}) },
    ]);

  it('reads its lists', () => {
    const p = plan([
      { name: 'r', type: 'residency', properties: { networkZones: ['e-gov-extranet'], regions: ['gd'] } },
    ]);
    expect(p.residency).toEqual({ clusters: [], regions: ['gd'], zones: [], networkZones: ['e-gov-extranet'] });
    expect(p.residencyPath).toBe('spec.policies[0]');
  });

  it('needs at least one non-empty list', () => {
    const needs = 'a residency policy names at least one non-empty list of clusters, regions, zones, networkZones';
    expect(withResidency()).toEqual([{ path: at, message: `is required: ${needs}` }]);
    expect(withResidency({ regions: [] })).toEqual([{ path: at, message: needs }]);
    expect(withResidency({ regions: 'gd' as never })).toEqual([
      { path: `${at}.regions`, message: 'must be a list of regions (strings)' },
    ]);
  });

  it('refuses unknown properties, listing the accepted ones', () => {
    expect(withResidency({ countries: ['cn'], regions: ['gd'] })).toEqual([
      {
        path: `${at}.countries`,
        message: 'unknown property "countries"; accepted: clusters, networkZones, regions, zones',
      },
    ]);
  });

  it('allows one residency policy', () => {
    expect(
      errors([
        { name: 'r1', type: 'residency', properties: { regions: ['gd'] } },
        { name: 'r2', type: 'residency', properties: { regions: ['gd'] } },
      ]),
    ).toEqual([
      {
        path: 'spec.policies[1]',
        message: 'an application has one residency policy, and "r1" (spec.policies[0]) is already one; merge the two',
      },
    ]);
  });

  it('refuses a placement whose explicit clusters, regions, zones or network zones lie wholly outside it', () => {
    const found = errors([
      {
        name: 'p',
        type: 'placement',
        properties: { clusters: ['x'], regions: ['bj'], zones: ['bj-a'], networkZones: ['internet'] },
      },
      {
        name: 'r',
        type: 'residency',
        properties: { clusters: ['a'], regions: ['gd'], zones: ['gd-a'], networkZones: ['e-gov-extranet'] },
      },
    ]);
    expect(found).toEqual([
      {
        path: 'spec.policies[0].properties.clusters',
        message:
          'every entry of [x] lies outside residency "r" (spec.policies[1]), which allows clusters [a]; nothing could be placed',
      },
      {
        path: 'spec.policies[0].properties.regions',
        message:
          'every entry of [bj] lies outside residency "r" (spec.policies[1]), which allows regions [gd]; nothing could be placed',
      },
      {
        path: 'spec.policies[0].properties.zones',
        message:
          'every entry of [bj-a] lies outside residency "r" (spec.policies[1]), which allows zones [gd-a]; nothing could be placed',
      },
      {
        path: 'spec.policies[0].properties.networkZones',
        message:
          'every entry of [internet] lies outside residency "r" (spec.policies[1]), which allows networkZones [e-gov-extranet]; nothing could be placed',
      },
    ]);
  });

  it('accepts a placement that overlaps the residency in part', () => {
    const p = plan([
      { name: 'p', type: 'placement', properties: { regions: ['bj', 'gd'] } },
      { name: 'r', type: 'residency', properties: { regions: ['gd'] } },
    ]);
    expect(p.residency?.regions).toEqual(['gd']);
  });

  it('refuses topology clusters wholly outside it', () => {
    expect(
      errors([
        { name: 't', type: 'topology', properties: { clusters: ['x'] } },
        { name: 'r', type: 'residency', properties: { clusters: ['a'] } },
      ]),
    ).toEqual([
      {
        path: 'spec.policies[0].properties.clusters',
        message:
          'every entry of [x] lies outside residency "r" (spec.policies[1]), which allows clusters [a]; nothing could be placed',
      },
    ]);
  });
});

describe('topology policy (KubeVela)', () => {
  it('maps to a duplicated placement on those clusters, every role eligible', () => {
    const p = plan([{ name: 'hz', type: 'topology', properties: { clusters: ['a', 'b'], namespace: 'edu' } }]);
    expect(p.policyFor('web')).toEqual({
      components: [],
      clusters: [],
      clusterSelector: { matchLabels: {} },
      regions: [],
      vendors: [],
      zones: [],
      networkZones: [],
      roles: ['primary', 'burst', 'disaster-recovery'],
      division: 'duplicated',
      weights: {},
      minPerCluster: 0,
      overflow: [],
      topology: [{ policy: 'hz', clusters: ['a', 'b'], allowEmpty: false, namespace: 'edu' }],
    });
  });

  it('combines several topology policies as a union; topologyNames picks which count', () => {
    const policies = [
      { name: 'hz', type: 'topology', properties: { clusters: ['a'] } },
      { name: 'prod', type: 'topology', properties: { clusterLabelSelector: { env: 'prod' }, allowEmpty: true } },
    ];
    expect(plan(policies).policyFor('web').topology).toEqual([
      { policy: 'hz', clusters: ['a'], allowEmpty: false },
      { policy: 'prod', clusters: [], clusterLabelSelector: { env: 'prod' }, allowEmpty: true },
    ]);
    expect(plan(policies, ['prod']).policyFor('web').topology).toEqual([
      { policy: 'prod', clusters: [], clusterLabelSelector: { env: 'prod' }, allowEmpty: true },
    ]);
    expect(plan(policies, []).policyFor('web')).toBe(DEFAULT_PLACEMENT_POLICY);
    expect(plan(policies).governing[0]).toMatchObject({
      path: 'spec.policies[0]',
      type: 'topology',
      name: 'hz, prod',
      targetPaths: ['spec.policies[0]', 'spec.policies[1]'],
    });
  });

  it('follows KubeVela: named clusters win over the selector', () => {
    const p = plan([
      { name: 't', type: 'topology', properties: { clusters: ['a'], clusterLabelSelector: { x: 'y' } } },
    ]);
    expect(p.policyFor('web').topology).toEqual([{ policy: 't', clusters: ['a'], allowEmpty: false }]);
  });

  it('checks every property, with its path', () => {
    const at = 'spec.policies[0].properties';
    const one = (properties?: Record<string, unknown>) =>
      errors([{ name: 't', type: 'topology', ...(properties ? { properties } : {}) }]);
    const needs =
      'a topology policy names clusters (a list of cluster names) or a clusterLabelSelector ({} selects every cluster)';
    expect(one()).toEqual([{ path: at, message: `is required: ${needs}` }]);
    expect(one({ namespace: 'edu' })).toEqual([{ path: at, message: needs }]);
    expect(one({ clusters: ['a'], clusterSelector: { a: 'b' } })).toEqual([
      {
        path: `${at}.clusterSelector`,
        message: 'unknown property "clusterSelector"; accepted: allowEmpty, clusterLabelSelector, clusters, namespace',
      },
    ]);
    expect(one({ clusters: ['a'], allowEmpty: 'yes' })).toEqual([
      { path: `${at}.allowEmpty`, message: 'must be true or false (got "yes")' },
    ]);
    expect(one({ clusters: ['a'], namespace: 7 })).toEqual([
      { path: `${at}.namespace`, message: 'must be a non-empty string (got 7)' },
    ]);
    expect(one({ clusterLabelSelector: { env: true } })).toEqual([
      { path: `${at}.clusterLabelSelector.env`, message: 'label values are strings (got true)' },
    ]);
  });

  it('refuses a placement and a topology policy together, saying which to keep', () => {
    expect(
      errors([
        { name: 'p', type: 'placement', properties: { regions: ['gd'] } },
        { name: 'hz', type: 'topology', properties: { clusters: ['a'] } },
      ]),
    ).toEqual([
      {
        path: 'spec.policies[1]',
        message:
          'placement policy "p" (spec.policies[0]) and topology policy "hz" both decide where components run; keep the placement policy and move the topology\'s clusters into it (division: duplicated does what topology does), or keep the topology and remove the placement policy',
      },
    ]);
  });

  it('lets a workflow step leave a topology policy out, so a placement policy may stand', () => {
    const p = plan(
      [
        { name: 'p', type: 'placement', properties: { regions: ['gd'] } },
        { name: 'hz', type: 'topology', properties: { clusters: ['a'] } },
      ],
      [],
    );
    expect(p.policyFor('web').regions).toEqual(['gd']);
  });
});

describe('which policy governs which component', () => {
  it('refuses two placement policies naming the same component', () => {
    expect(
      errors([
        { name: 'p1', type: 'placement', properties: { components: ['web'] } },
        { name: 'p2', type: 'placement', properties: { components: ['db', 'web'] } },
      ]),
    ).toEqual([
      {
        path: 'spec.policies[1].properties.components[1]',
        message:
          'component "web" already follows placement policy "p1" (spec.policies[0]); a component follows one placement policy',
      },
    ]);
  });

  it('refuses a policy for every component beside one for some', () => {
    expect(
      errors([
        { name: 'p1', type: 'placement', properties: { components: ['web'] } },
        { name: 'all', type: 'placement', properties: {} },
      ]),
    ).toEqual([
      {
        path: 'spec.policies[1]',
        message:
          'governs every component (it has no components list), but component "web" (placement policy "p1", spec.policies[0]) already follows another placement policy; a component follows one placement policy: give "all" a components list',
      },
    ]);
  });

  it('gives each component its policy and the rest the default', () => {
    const p = plan([
      { name: 'web-policy', type: 'placement', properties: { components: ['web'], spreadBy: 'region' } },
    ]);
    expect(p.policyFor('web').spreadBy).toBe('region');
    expect(p.policyFor('db')).toBe(DEFAULT_PLACEMENT_POLICY);
    expect(p.governing.map((g) => [g.path, g.type, g.components])).toEqual([
      ['spec.policies[0]', 'placement', ['web']],
      ['spec.policies', 'default', ['db']],
    ]);
  });

  it('gives every component the topology when there is no placement policy', () => {
    const p = plan([{ name: 'hz', type: 'topology', properties: { clusters: ['a'] } }]);
    expect(p.policyFor('db').division).toBe('duplicated');
  });
});
