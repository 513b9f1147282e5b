import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPolis } from './support/test-polis.ts';
import { startTestPolis } from './support/test-polis.ts';

/**
 * Bad applications are refused with a 4xx naming the path of every problem and what is accepted, and nothing of
 * them is stored: no application, no revision.
 */
let t: TestPolis;

beforeAll(async () => {
  t = await startTestPolis();
});
afterAll(async () => {
  await t?.stop();
});

type Spec = Record<string, unknown>;

function appWith(spec: Spec) {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name: 'bad-app', tenant: 'edu' },
    spec,
  };
}

const web = (extra: Record<string, unknown> = {}) => ({
  name: 'web',
  type: 'webservice',
  properties: { image: 'nginx:1.27', cpu: '100m', memory: '64Mi' },
  ...extra,
});

const CASES: { what: string; spec: Spec; path: string; message: RegExp }[] = [
  {
    what: 'a missing image',
    spec: { components: [{ name: 'web', type: 'webservice', properties: { cpu: '100m' } }] },
    path: 'spec.components[0].properties.image',
    message: /required/,
  },
  {
    what: 'negative replicas',
    spec: { components: [web({ traits: [{ type: 'scaler', properties: { replicas: -2 } }] })] },
    path: 'spec.components[0].traits[0].properties.replicas',
    message: /0|negative|greater/,
  },
  {
    what: 'an unknown trait',
    spec: { components: [web({ traits: [{ type: 'autoscaler-x', properties: {} }] })] },
    path: 'spec.components[0].traits[0].type',
    message: /scaler/,
  },
  {
    what: 'an unknown component type',
    spec: { components: [{ name: 'db', type: 'helm', properties: {} }] },
    path: 'spec.components[0].type',
    message: /webservice/,
  },
  {
    what: 'an invalid cron schedule',
    spec: {
      components: [{ name: 'nightly', type: 'cron-task', properties: { image: 'busybox', schedule: '61 * * * *' } }],
    },
    path: 'spec.components[0].properties.schedule',
    message: /minute|0-59|cron/i,
  },
  {
    what: 'a residency that excludes every registered cluster',
    spec: {
      components: [web()],
      policies: [{ name: 'nowhere', type: 'residency', properties: { networkZones: ['moon-base'] } }],
    },
    path: 'spec.policies[0]',
    message: /excludes every registered cluster.*moon-base/,
  },
  {
    what: 'conflicting policies (placement and topology for the same components)',
    spec: {
      components: [web()],
      policies: [
        { name: 'mine', type: 'placement', properties: { division: 'capacity' } },
        { name: 'theirs', type: 'topology', properties: { clusters: ['gov-east'] } },
      ],
    },
    path: 'spec.policies[1]',
    message: /placement|topology/,
  },
  {
    what: 'an autoscaling policy whose minimum exceeds its maximum',
    spec: {
      components: [web()],
      policies: [
        {
          name: 'scale',
          type: 'autoscaling',
          properties: {
            components: [{ name: 'web', minReplicas: 9, maxReplicas: 3, targets: { cpuUtilization: 60 } }],
          },
        },
      ],
    },
    path: 'spec.policies[0].properties.components[0].minReplicas',
    message: /maxReplicas/,
  },
  {
    what: 'a cluster-wide object in a k8s-objects component',
    spec: {
      components: [
        {
          name: 'rbac',
          type: 'k8s-objects',
          properties: {
            objects: [
              { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' }, rules: [] },
            ],
          },
        },
      ],
    },
    path: 'spec.components[0].properties.objects[0].kind',
    message: /ClusterRole is not allowed/,
  },
  {
    what: 'a deploy step naming a policy that does not exist',
    spec: {
      components: [web()],
      workflow: { steps: [{ name: 'go', type: 'deploy', properties: { policies: ['ghost'] } }] },
    },
    path: 'spec.workflow.steps[0].properties.policies[0]',
    message: /ghost/,
  },
];

describe('applications with bad input', () => {
  for (const c of CASES) {
    it(`refuses ${c.what}, naming the path, and stores nothing`, async () => {
      const before = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applicationrevisions', {
        token: t.adminToken,
      });
      const r = await t.request('POST', '/api/v1/apply', { token: t.tokens['edu-admin'], body: appWith(c.spec) });
      expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, r.body).toBeLessThan(500);
      const body = r.json() as { causes: { path: string; message: string }[] };
      const cause = body.causes.find((x) => x.path.startsWith(c.path));
      expect(cause, `${r.body}`).toBeDefined();
      expect(cause!.message).toMatch(c.message);
      const get = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/bad-app', {
        token: t.adminToken,
      });
      expect(get.statusCode).toBe(404);
      const after = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applicationrevisions', {
        token: t.adminToken,
      });
      expect(after.json().items).toHaveLength(before.json().items.length);
    });
  }

  for (const [ns, code] of [
    ['kube-system', 'NamespaceSystem'],
    ['vela-system', 'NamespaceSystem'],
    ['health', 'NamespaceOfOtherDepartment'],
    ['tax--portal', 'NamespaceOfOtherDepartment'],
  ] as const) {
    it(`refuses metadata.namespace ${ns}, naming the field (${code}), and stores nothing`, async () => {
      const app = appWith({ components: [web()] });
      const r = await t.request('POST', '/api/v1/apply', {
        token: t.tokens['edu-admin'],
        body: { ...app, metadata: { ...app.metadata, namespace: ns } },
      });
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json().causes).toEqual([expect.objectContaining({ path: 'metadata.namespace', code })]);
      const get = await t.request('GET', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/bad-app', {
        token: t.adminToken,
      });
      expect(get.statusCode).toBe(404);
    });
  }

  it('accepts metadata.namespace default or one of the department, as KubeVela Applications carry it', async () => {
    for (const ns of ['default', 'edu', 'edu-apps']) {
      const app = appWith({ components: [web()] });
      const body = { ...app, metadata: { ...app.metadata, name: 'ns-app', namespace: ns } };
      const r = await t.request('POST', '/api/v1/apply', { token: t.tokens['edu-admin'], body });
      expect(r.statusCode, r.body).toBeLessThan(300);
    }
    const del = await t.request('DELETE', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/ns-app', {
      token: t.tokens['edu-admin'],
    });
    expect(del.statusCode).toBeLessThan(300);
  });

  it('refuses a rollback to a revision that is not kept, naming the field', async () => {
    const r = await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal/rollback', {
      token: t.tokens['edu-admin'],
      body: { revision: 99 },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().causes[0]).toMatchObject({ path: 'revision', message: expect.stringMatching(/kept revisions: 1/) });
  });

  it('refuses a rollback body of the wrong shape', async () => {
    const r = await t.request('POST', '/apis/core.oam.dev/v1beta1/tenants/edu/applications/enrolment-portal/rollback', {
      token: t.tokens['edu-admin'],
      body: { revision: 'one', extra: true },
    });
    expect(r.statusCode).toBe(422);
    const paths = (r.json().causes as { path: string }[]).map((c) => c.path).sort();
    expect(paths).toEqual(['extra', 'revision']);
  });

  it('refuses a Cluster with bad fields, naming each', async () => {
    const r = await t.request('POST', '/api/v1/apply', {
      token: t.adminToken,
      body: {
        apiVersion: 'polis.io/v1',
        kind: 'Cluster',
        metadata: { name: 'bad-cluster' },
        spec: {
          provider: 'simulated',
          vendor: 'Ali Yun',
          region: 'x',
          zone: 'x',
          networkZone: 'x',
          role: 'spare',
          simulation: { nodes: 2, nodeCpu: 'lots', nodeMemory: '1Gi' },
        },
      },
    });
    expect(r.statusCode).toBe(422);
    const paths = (r.json().causes as { path: string }[]).map((c) => c.path);
    expect(paths).toEqual(expect.arrayContaining(['spec.vendor', 'spec.role']));
  });
});
