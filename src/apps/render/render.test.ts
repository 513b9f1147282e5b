import { describe, expect, it } from 'vitest';
import { OWNER_LABELS } from '../../kernel/ownership.ts';
import type { Manifest } from '../../kernel/manifest.ts';
import type { ApplicationSpec } from '../application-kind.ts';
import { renderApplication, type RenderContext, type RenderResult } from './render.ts';

const CTX: RenderContext = { appName: 'enrolment', tenant: 'edu', namespace: 'edu', revision: 'enrolment-v3' };
const IMAGE = 'registry.example.gov.cn/edu/web:1.0';

const SPEC: ApplicationSpec = {
  components: [
    {
      name: 'web',
      type: 'webservice',
      properties: { image: IMAGE, cpu: '500m', memory: '512Mi', ports: [{ port: 8080, expose: true }] },
      traits: [
        { type: 'scaler', properties: { replicas: 3 } },
        { type: 'gateway', properties: { domain: 'enrolment.edu.gov.cn', http: { '/': 8080 } } },
      ],
    },
    { name: 'worker', type: 'worker', properties: { image: IMAGE } },
  ],
};

function ok(r: RenderResult): Extract<RenderResult, { ok: true }> {
  if (!r.ok) throw new Error(`render failed: ${JSON.stringify(r.errors)}`);
  return r;
}

function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name}`);
  return m;
}

function podSpec(m: Manifest): Record<string, unknown> {
  return (m.spec as { template: { spec: Record<string, unknown> } }).template.spec;
}

/** The same object with its keys in reverse order, all the way down. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reversedKeys(x)]),
  );
}

describe('renderApplication', () => {
  it('renders the same bytes for the same input, whatever the order of its keys', () => {
    const a = JSON.stringify(ok(renderApplication(SPEC, CTX)));
    const b = JSON.stringify(ok(renderApplication(structuredClone(SPEC), { ...CTX })));
    const c = JSON.stringify(ok(renderApplication(reversedKeys(SPEC) as ApplicationSpec, CTX)));
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('puts apiVersion, kind and metadata first and orders objects for applying', () => {
    const { manifests } = ok(renderApplication(SPEC, CTX));
    for (const m of manifests) expect(Object.keys(m).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Service/web',
      'Deployment/web',
      'Deployment/worker',
      'Ingress/web',
    ]);
  });

  it('labels every object with its owner, KubeVela style', () => {
    const { manifests } = ok(renderApplication(SPEC, { ...CTX, cluster: 'gov-east-1' }));
    for (const m of manifests) {
      expect(m.metadata.namespace).toBe('edu');
      expect(m.metadata.labels).toMatchObject({
        [OWNER_LABELS.app]: 'enrolment',
        [OWNER_LABELS.namespace]: 'edu',
        [OWNER_LABELS.tenant]: 'edu',
        [OWNER_LABELS.managedBy]: 'polis',
        'app.oam.dev/appRevision': 'enrolment-v3',
        'app.oam.dev/cluster': 'gov-east-1',
      });
    }
    expect(find(manifests, 'Deployment', 'web').metadata.labels).toMatchObject({
      'app.oam.dev/component': 'web',
      'app.oam.dev/resourceType': 'WORKLOAD',
      'workload.oam.dev/type': 'webservice',
    });
    expect(find(manifests, 'Ingress', 'web').metadata.labels).toMatchObject({
      'app.oam.dev/resourceType': 'TRAIT',
      'trait.oam.dev/type': 'gateway',
      'trait.oam.dev/resource': 'ingress',
    });
  });

  it('keeps derived names DNS-safe and at most 63 characters', () => {
    const long = 'a'.repeat(70);
    const { manifests } = ok(
      renderApplication(
        {
          components: [
            {
              name: 'web',
              type: 'webservice',
              properties: { image: IMAGE },
              traits: [
                { type: 'gateway', properties: { name: long, http: { '/': 80 } } },
                { type: 'storage', properties: { emptyDir: [{ name: 'b'.repeat(60), mountPath: '/x' }] } },
              ],
            },
          ],
        },
        CTX,
      ),
    );
    const names = [
      ...manifests.map((m) => m.metadata.name),
      ...(podSpec(find(manifests, 'Deployment', 'web')).volumes as Array<{ name: string }>).map((v) => v.name),
    ];
    for (const n of names) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(manifests.find((m) => m.kind === 'Ingress')!.metadata.name).toHaveLength(63);
  });

  it('renders only the components placed here, with the replicas placement chose', () => {
    const { manifests } = ok(renderApplication(SPEC, { ...CTX, components: ['web'], replicas: { web: 1 } }));
    expect(manifests.some((m) => m.metadata.name === 'worker')).toBe(false);
    expect((find(manifests, 'Deployment', 'web').spec as { replicas: number }).replicas).toBe(1);
  });

  it('refuses to render an invalid application, with every problem', () => {
    const r = renderApplication(
      {
        components: [
          { name: 'web', type: 'webservice', properties: {} },
          { name: 'x', type: 'y' },
        ],
      },
      CTX,
    );
    expect(r.ok).toBe(false);
    // An unknown type no longer hides the other component's missing image.
    expect(!r.ok && r.errors.map((e) => e.path)).toEqual([
      'spec.components[1].type',
      'spec.components[0].properties.image',
    ]);
    const r2 = renderApplication({ components: [{ name: 'web', type: 'webservice', properties: {} }] }, CTX);
    expect(!r2.ok && r2.errors.map((e) => e.path)).toEqual(['spec.components[0].properties.image']);
  });

  describe('createOnlyPaths', () => {
    it('freezes the replicas of a workload under an hpa or cpuscaler', () => {
      for (const type of ['hpa', 'cpuscaler']) {
        const spec: ApplicationSpec = {
          components: [
            {
              name: 'web',
              type: 'webservice',
              properties: { image: IMAGE },
              traits: [{ type, properties: { min: 2 } }],
            },
          ],
        };
        const r = ok(renderApplication(spec, { ...CTX, replicas: { web: 2 } }));
        expect(r.createOnlyPaths).toEqual({ 'apps/v1/Deployment/edu/web': ['spec.replicas'] });
      }
      expect(ok(renderApplication(SPEC, CTX)).createOnlyPaths).toEqual({});
    });

    it('takes apply-once paths only from enabled policies, the first matching rule, "*" alone', () => {
      const rules = [
        { selector: { componentNames: ['worker'] }, strategy: { path: ['spec.template', '*'] } },
        { selector: { resourceTypes: ['Deployment'] }, strategy: { path: ['spec.template.spec.containers[0].image'] } },
      ];
      const r = ok(
        renderApplication(SPEC, {
          ...CTX,
          applyOnce: [
            { enable: false, rules: [rules[1]] },
            { enable: true, rules },
          ],
        }),
      );
      expect(r.createOnlyPaths).toEqual({
        'apps/v1/Deployment/edu/web': ['spec.template.spec.containers[0].image'],
        'apps/v1/Deployment/edu/worker': ['*'],
      });
    });
  });

  it('records garbage-collect strategies other than the default', () => {
    const r = ok(
      renderApplication(SPEC, {
        ...CTX,
        garbageCollect: [
          {
            rules: [
              { selector: { oamTypes: ['TRAIT'] }, strategy: 'onAppDelete' },
              { selector: { componentTypes: ['worker'] }, strategy: 'never' },
            ],
          },
        ],
      }),
    );
    expect(r.gc).toEqual({
      'v1/Service/edu/web': 'onAppDelete',
      'apps/v1/Deployment/edu/worker': 'never',
      'networking.k8s.io/v1/Ingress/edu/web': 'onAppDelete',
    });
  });

  describe('overrides', () => {
    const base: ApplicationSpec = {
      components: [
        {
          name: 'web-a',
          type: 'webservice',
          properties: { image: IMAGE, env: [{ name: 'A', value: '1' }], labels: { tier: 'web', zone: 'a' } },
          traits: [
            { type: 'scaler', properties: { replicas: 2 } },
            { type: 'labels', properties: { team: 'edu' } },
          ],
        },
        { name: 'web-b', type: 'webservice', properties: { image: IMAGE } },
        { name: 'jobs', type: 'worker', properties: { image: IMAGE } },
      ],
    };

    it('merges properties deeply, replaces lists, merges traits by type, removes disabled ones, appends new ones', () => {
      const r = ok(
        renderApplication(base, {
          ...CTX,
          overrides: [
            {
              components: [
                {
                  name: 'web-a',
                  properties: { env: [{ name: 'B', value: '2' }], labels: { zone: 'b' } },
                  traits: [
                    { type: 'scaler', properties: { replicas: 5 } },
                    { type: 'labels', disable: true },
                    { type: 'annotations', properties: { note: 'x' } },
                  ],
                },
              ],
            },
          ],
        }),
      );
      const d = find(r.manifests, 'Deployment', 'web-a');
      expect((d.spec as { replicas: number }).replicas).toBe(5);
      expect(d.metadata.labels?.team).toBeUndefined();
      expect(d.metadata.annotations).toEqual({ note: 'x' });
      const pod = (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
      expect(pod.metadata.labels).toMatchObject({ tier: 'web', zone: 'b' });
      expect((podSpec(d).containers as Array<{ env: unknown }>)[0]!.env).toEqual([{ name: 'B', value: '2' }]);
    });

    it('matches names with *, and by type when no name is given; a later policy sees the earlier one', () => {
      const r = ok(
        renderApplication(base, {
          ...CTX,
          overrides: [
            { components: [{ name: 'web-*', properties: { cpu: '2' } }] },
            {
              components: [
                { type: 'worker', properties: { cpu: '1' } },
                { name: 'web-b', properties: { cpu: '3' } },
              ],
            },
          ],
        }),
      );
      const cpu = (name: string) =>
        (
          podSpec(find(r.manifests, 'Deployment', name)).containers as Array<{
            resources?: { requests: { cpu: string } };
          }>
        )[0]!.resources?.requests.cpu;
      expect([cpu('web-a'), cpu('web-b'), cpu('jobs')]).toEqual(['2', '3', '1']);
    });

    it('replaces a component whose type the override changes, and keeps only selected components', () => {
      const r = ok(
        renderApplication(base, {
          ...CTX,
          overrides: [
            { components: [{ name: 'jobs', type: 'task', properties: { image: IMAGE, count: 2 } }] },
            { selector: ['jobs', 'web-b'] },
          ],
        }),
      );
      expect(r.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
        'Deployment/web-b',
        'Job/enrolment-jobs',
      ]);
    });

    it('reports override properties at the policy they came from', () => {
      const spec: ApplicationSpec = {
        ...base,
        policies: [{ name: 'o', type: 'override', properties: { components: [{ name: 'nope' }] } }],
      };
      const message = 'no component is named "nope"; components: web-a, web-b, jobs';
      const r = renderApplication(spec, { ...CTX, overrides: [spec.policies![0]!.properties!] });
      expect(!r.ok && r.errors).toEqual([{ path: 'spec.policies[0].properties.components[0].name', message }]);
      const elsewhere = renderApplication(base, { ...CTX, overrides: [{ components: [{ name: 'nope' }] }] });
      expect(!elsewhere.ok && elsewhere.errors).toEqual([{ path: 'overrides[0].components[0].name', message }]);
      const r2 = renderApplication(
        { ...spec, policies: [] },
        { ...CTX, overrides: [{ components: [{ name: 'web-a', properties: { cpu: 'x' } }] }] },
      );
      expect(!r2.ok && r2.errors.map((e) => [e.path, e.message.endsWith('(after the override policies)')])).toEqual([
        ['spec.components[0].properties.cpu', true],
      ]);
    });
  });
});

describe('renderApplication reports every problem at once', () => {
  it('reports an unknown type and a bad property of another component together', () => {
    const r = renderApplication(
      {
        components: [
          { name: 'db', type: 'helm', properties: {} },
          { name: 'web', type: 'webservice', properties: { image: IMAGE, replicasX: 2 } },
        ],
      },
      CTX,
    );
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['spec.components[0].type', 'spec.components[1].properties.replicasX']),
    );
  });
});
