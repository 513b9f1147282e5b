import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseDocuments } from '../kernel/documents.ts';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import type { ClusterCandidate } from '../placement/types.ts';
import { GC_LABEL, planDelivery, sharingDemands } from './desired-state.ts';
import { SPREAD_POLICY, TWO_REGIONS, WEB_COMPONENT } from './delivery-fixtures.ts';
import { SharingLedger } from './sharing-ledger.ts';
import { ownerOf, topologyNamespace } from './namespace.ts';
import { deploySteps } from './workflow.ts';

const CLUSTERS = TWO_REGIONS;

const spec: ApplicationSpec = {
  components: [
    WEB_COMPONENT,
    { name: 'nightly', type: 'cron-task', properties: { image: 'busybox', schedule: '0 2 * * *' } },
    {
      name: 'settings',
      type: 'k8s-objects',
      properties: {
        objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } }],
      },
    },
  ],
  policies: [
    SPREAD_POLICY,
    {
      name: 'keep',
      type: 'garbage-collect',
      properties: { rules: [{ selector: { resourceTypes: ['ConfigMap'] }, strategy: 'never' }] },
    },
  ],
};

function plan(s: ApplicationSpec = spec) {
  const r = planDelivery({
    owner: ownerOf('edu', 'portal', undefined),
    spec: s,
    revision: 'portal-v1',
    candidates: CLUSTERS,
    current: {},
    steps: deploySteps(s),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r;
}

describe('planDelivery', () => {
  it('spreads replicas over the regions and runs a cron job in one cluster only', () => {
    const r = plan();
    expect(r.placement.web!.replicas).toEqual({ 'gov-east': 2, 'gov-west': 2 });
    expect(Object.keys(r.placement.nightly!.replicas)).toHaveLength(1);
  });

  it('puts the namespace first, labelled with the department and application, and configuration everywhere', () => {
    const r = plan();
    for (const c of r.clusters) {
      expect(c.manifests[0]).toMatchObject({
        kind: 'Namespace',
        metadata: { name: 'edu--portal', labels: { 'polis.io/tenant': 'edu', 'app.oam.dev/name': 'portal' } },
      });
      const cm = c.manifests.find((m) => m.kind === 'ConfigMap')!;
      expect(cm.metadata.labels?.[GC_LABEL]).toBe('never');
      const dep = c.manifests.find((m) => m.kind === 'Deployment') as unknown as { spec: { replicas: number } };
      expect(dep.spec.replicas).toBe(2);
    }
  });

  it('gives the same manifests and hashes for the same input', () => {
    expect(plan().clusters.map((c) => c.hash)).toEqual(plan().clusters.map((c) => c.hash));
    expect(JSON.stringify(plan().clusters)).toBe(JSON.stringify(plan().clusters));
  });

  it('changes the hash of exactly the clusters whose manifests change', () => {
    const bigger = structuredClone(spec) as unknown as { components: { traits?: unknown[] }[] };
    bigger.components[0]!.traits = [{ type: 'scaler', properties: { replicas: 6 } }];
    const before = plan();
    const after = plan(bigger as unknown as ApplicationSpec);
    expect(after.placement.web!.replicas).toEqual({ 'gov-east': 3, 'gov-west': 3 });
    expect(after.clusters.map((c) => c.hash)).not.toEqual(before.clusters.map((c) => c.hash));
  });
});

describe('planDelivery under override policies', () => {
  it('sizes placement from the spec with the overrides applied (an override raising replicas is delivered)', () => {
    const s: ApplicationSpec = {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'nginx' },
          traits: [{ type: 'scaler', properties: { replicas: 1 } }],
        },
      ],
      policies: [
        {
          name: 'ha',
          type: 'override',
          properties: { components: [{ name: 'web', traits: [{ type: 'scaler', properties: { replicas: 3 } }] }] },
        },
      ],
    };
    const r = plan(s);
    const total = Object.values(r.placement.web!.replicas).reduce((a, b) => a + b, 0);
    expect(total).toBe(3);
    const delivered = r.clusters
      .flatMap((c) => c.manifests)
      .filter((m) => m.kind === 'Deployment')
      .reduce((n, m) => n + (m as unknown as { spec: { replicas: number } }).spec.replicas, 0);
    expect(delivered).toBe(3);
  });
});

describe('planDelivery with the workflow steps that deliver', () => {
  const steps: ApplicationSpec = {
    components: [{ name: 'web', type: 'webservice', properties: { image: 'nginx:1.27' } }],
    workflow: {
      steps: [
        { name: 'deploy', type: 'deploy' },
        {
          name: 'notice',
          type: 'export2config',
          properties: { configName: 'notice', data: { text: 'open' } },
        },
      ],
    },
  };
  const kinds = (r: ReturnType<typeof planDelivery>) =>
    r.ok ? r.clusters.flatMap((c) => c.manifests.map((m) => `${c.cluster}:${m.kind}/${m.metadata.name}`)) : r.errors;

  it('applies a step object only once the workflow reaches that step, into the application namespace', () => {
    const all = deploySteps(steps);
    const first = planDelivery({
      owner: ownerOf('edu', 'portal', undefined),
      spec: steps,
      revision: 'portal-v1',
      candidates: CLUSTERS,
      current: {},
      steps: all.slice(0, 1),
    });
    expect((kinds(first) as string[]).some((k) => k.includes('ConfigMap/notice'))).toBe(false);
    const both = planDelivery({
      owner: ownerOf('edu', 'portal', undefined),
      spec: steps,
      revision: 'portal-v1',
      candidates: CLUSTERS,
      current: {},
      steps: all,
    });
    if (!both.ok) throw new Error(JSON.stringify(both.errors));
    const notice = both.clusters
      .flatMap((c) => c.manifests)
      .find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'notice');
    expect(notice?.metadata.namespace).toBe(ownerOf('edu', 'portal', undefined).namespace);
  });
});

describe('topology namespaces (KubeVela delivers a topology into its namespace)', () => {
  const GOLDEN = new URL('./golden/', import.meta.url);

  function planOf(text: string) {
    const app = parseDocuments(text)[0] as {
      metadata: { name: string; tenant: string; namespace?: string };
      spec: ApplicationSpec;
    };
    const r = planDelivery({
      owner: ownerOf(app.metadata.tenant, app.metadata.name, undefined),
      spec: app.spec,
      revision: `${app.metadata.name}-v1`,
      candidates: CLUSTERS,
      current: {},
      steps: deploySteps(app.spec),
      ...(app.metadata.namespace ? { declaredNamespace: app.metadata.namespace } : {}),
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r;
  }

  it("gives two deploy steps to one cluster in two namespaces two Deployments, both in the department's namespaces", async () => {
    const r = planOf(readFileSync(new URL('topology-namespaces.input.yaml', GOLDEN), 'utf8'));
    expect(r.clusters.map((c) => c.cluster)).toEqual(['gov-east']);
    const staging = topologyNamespace('edu', 'portal', 'edu--portal', 'prod', 'staging');
    expect(r.clusters[0]!.namespaces).toEqual([staging, 'edu--portal'].sort());
    const deployments = r.clusters[0]!.manifests.filter((m) => m.kind === 'Deployment') as unknown as {
      metadata: { name: string; namespace: string; labels: Record<string, string> };
      spec: { replicas: number };
    }[];
    expect(deployments.map((d) => [d.metadata.namespace, d.metadata.name, d.spec.replicas])).toEqual(
      expect.arrayContaining([
        ['edu--portal', 'web', 2],
        [staging, 'web', 1],
      ]),
    );
    expect(deployments).toHaveLength(2);
    // Both namespaces are the department's: labelled with it and the application, guarded like the first.
    for (const ns of r.clusters[0]!.namespaces) {
      expect(
        r.clusters[0]!.manifests.find((m) => m.kind === 'Namespace' && m.metadata.name === ns)?.metadata.labels,
      ).toMatchObject({
        'polis.io/tenant': 'edu',
        'app.oam.dev/name': 'portal',
      });
      expect(r.clusters[0]!.manifests.some((m) => m.kind === 'NetworkPolicy' && m.metadata.namespace === ns)).toBe(
        true,
      );
    }
    // Placement counts both: 3 replicas of web on gov-east.
    expect(r.placement.web!.replicas).toEqual({ 'gov-east': 3 });
    const expected = new URL('topology-namespaces.expected.yaml', GOLDEN);
    const text = await format(
      stringify(
        r.clusters.map((c) => ({ cluster: c.cluster, namespaces: c.namespaces, manifests: c.manifests })),
        { lineWidth: 0, version: '1.1' },
      ),
      {
        ...(await resolveConfig(expected)),
        parser: 'yaml',
      },
    );
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(expected, text);
    expect(text).toBe(readFileSync(expected, 'utf8'));
  });

  it("keeps one namespace when the topology names the Application's own, or none", () => {
    const app = (ns: string | undefined) => `
apiVersion: core.oam.dev/v1beta1
kind: Application
metadata: { name: portal, tenant: edu${ns ? `, namespace: ${ns}` : ''} }
spec:
  components: [{ name: web, type: webservice, properties: { image: nginx } }]
  policies: [{ name: t, type: topology, properties: { clusters: [gov-west], namespace: prod } }]
`;
    expect(planOf(app('prod')).clusters[0]!.namespaces).toEqual(['edu--portal']);
    const other = planOf(app(undefined)).clusters[0]!;
    expect(other.namespaces).toEqual([topologyNamespace('edu', 'portal', 'edu--portal', undefined, 'prod')]);
    expect(other.namespaces[0]).toMatch(/^edu-portal-prod-[0-9a-f]{16}$/);
  });
});

describe('fair sharing of a component duplicated over clusters', () => {
  const query = (replicas = 2): ApplicationSpec['components'][number] => ({
    name: 'query',
    type: 'webservice',
    properties: { image: 'sisquery:3.4.0', cpu: '500m', memory: '1Gi' },
    traits: [{ type: 'scaler', properties: { replicas } }],
  });
  // As examples/apps/40-hrss-social-security.yaml: one deploy step per topology, each with one cluster.
  const twoSteps: ApplicationSpec = {
    components: [query()],
    policies: [
      { name: 'east', type: 'topology', properties: { clusters: ['gov-east'] } },
      { name: 'west', type: 'topology', properties: { clusters: ['gov-west'] } },
    ],
    workflow: {
      steps: [
        { name: 'deploy-east', type: 'deploy', properties: { policies: ['east'] } },
        { name: 'deploy-west', type: 'deploy', properties: { policies: ['west'] } },
      ],
    },
  };
  const oneTopology: ApplicationSpec = {
    components: [query()],
    policies: [{ name: 'both', type: 'topology', properties: { clusters: ['gov-east', 'gov-west'] } }],
  };
  const replicasOf = (s: ApplicationSpec, scaled?: Record<string, number>, clusters = CLUSTERS) =>
    sharingDemands(s, scaled, () => clusters).find((d) => d.name === 'query')!.replicas;
  const sharedPlan = (s: ApplicationSpec, privateCap: number) => {
    const r = planDelivery({
      owner: ownerOf('hrss', 'social-security-query', undefined),
      spec: s,
      revision: 'social-security-query-v1',
      candidates: CLUSTERS,
      current: {},
      steps: deploySteps(s),
      privateCap: { query: privateCap },
    });
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.placement.query!;
  };

  it('wants the replicas on every cluster its deploy steps and topologies name', () => {
    expect(replicasOf(twoSteps)).toBe(4);
    expect(replicasOf(oneTopology)).toBe(4);
    expect(replicasOf(oneTopology, { query: 3 })).toBe(6);
    // Placement divides replicas by capacity: the count is the whole demand.
    expect(replicasOf({ ...oneTopology, policies: [] })).toBe(2);
  });

  it('counts each replica at the largest size a deploy step gives it', () => {
    const smallWest: ApplicationSpec = {
      ...twoSteps,
      policies: [
        ...twoSteps.policies!,
        {
          name: 'west-small',
          type: 'override',
          properties: { components: [{ name: 'query', properties: { cpu: '250m' } }] },
        },
      ],
      workflow: {
        steps: [
          { name: 'deploy-east', type: 'deploy', properties: { policies: ['east'] } },
          { name: 'deploy-west', type: 'deploy', properties: { policies: ['west', 'west-small'] } },
        ],
      },
    };
    const d = sharingDemands(smallWest, undefined, () => CLUSTERS).find((x) => x.name === 'query')!;
    expect(d.replicas).toBe(4);
    expect(d.perReplica.cpuMilli).toBe(500);
  });

  it('counts only the clusters that can take replicas now, and asks for them only when something duplicates', () => {
    const [east, west] = CLUSTERS as [ClusterCandidate, ClusterCandidate];
    expect(replicasOf(oneTopology, undefined, [east, { ...west, healthy: false }])).toBe(2);
    let asked = 0;
    sharingDemands(spec, undefined, () => {
      asked++;
      return CLUSTERS;
    });
    expect(asked).toBe(0);
  });

  it('gives a later deploy step what the earlier ones left of the share', () => {
    expect(sharedPlan(twoSteps, 4).replicas).toEqual({ 'gov-east': 2, 'gov-west': 2 });
    const held = sharedPlan(twoSteps, 3);
    expect(held.replicas).toEqual({ 'gov-east': 2, 'gov-west': 1 });
    expect(held.shareHeldBack).toBe(1);
  });

  it('caps one duplicated placement at the share, not at the per-cluster count', () => {
    const held = sharedPlan(oneTopology, 3);
    expect(Object.values(held.replicas).reduce((a, b) => a + b, 0)).toBe(3);
    expect(held.shareHeldBack).toBe(1);
    expect(sharedPlan(oneTopology, 4).replicas).toEqual({ 'gov-east': 2, 'gov-west': 2 });
  });

  it('is granted all four in a contended estate when its department has the room, not only what it holds', () => {
    const ledger = new SharingLedger();
    const withAllocatable = CLUSTERS.map((c) => ({
      ...c,
      allocatable: { cpuMilli: 2000, memoryBytes: 8 * 2 ** 30, pods: 110 },
    }));
    ledger.setCapacity(withAllocatable);
    ledger.setDepartment('hrss', { quota: { cpu: '2', memory: '8Gi' } });
    ledger.setDepartment('edu', { quota: { cpu: '2', memory: '8Gi' }, sharing: { borrowingLimit: { cpu: '2' } } });
    ledger.setDemand(
      'hrss/sisq',
      'hrss',
      'normal',
      sharingDemands(twoSteps, undefined, () => withAllocatable),
    );
    ledger.setPlacement('hrss/sisq', { query: { 'gov-east': 2, 'gov-west': 1 } }, () => true);
    // Another department wants far more than the estate holds: the estate is contended.
    ledger.setDemand('edu/exam', 'edu', 'normal', [
      { name: 'web', replicas: 20, perReplica: { cpuMilli: 500, memoryBytes: 2 ** 30, pods: 1 } },
    ]);
    expect(ledger.shareOf('hrss/sisq')!.privateCap.query).toBe(4);
  });
});
