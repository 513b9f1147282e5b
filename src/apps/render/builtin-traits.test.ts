import { describe, expect, it } from 'vitest';
import type { ApplicationSpec, ComponentSpec } from '../application-kind.ts';
import { renderApplication, type RenderContext, type RenderResult } from './render.ts';

const CTX: RenderContext = { appName: 'enrolment', tenant: 'edu', namespace: 'edu', revision: 'enrolment-v1' };
const IMAGE = 'registry.example.gov.cn/edu/web:1.0';

function web(traits: ComponentSpec['traits'], type = 'webservice'): ApplicationSpec {
  return { components: [{ name: 'web', type, properties: { image: IMAGE }, traits }] };
}

function errors(r: RenderResult): Array<{ path: string; message: string }> {
  if (r.ok) throw new Error('expected the render to fail');
  return r.errors.map((e) => ({ path: e.path, message: e.message }));
}

describe('k8s-update-strategy', () => {
  it('refuses a targetKind that is not the workload kind, where KubeVela writes a field Kubernetes refuses', () => {
    const r = renderApplication(
      web([{ type: 'k8s-update-strategy', properties: { targetKind: 'StatefulSet', strategy: { type: 'OnDelete' } } }]),
      CTX,
    );
    expect(errors(r)).toEqual([
      {
        path: 'spec.components[0].traits[0].properties.targetKind',
        message: expect.stringContaining('set targetKind: Deployment'),
      },
    ]);
  });

  it('does not apply to a Job', () => {
    const r = renderApplication(web([{ type: 'k8s-update-strategy' }], 'task'), CTX);
    expect(errors(r)[0]!.path).toBe('spec.components[0].traits[0].type');
  });
});

describe('affinity', () => {
  it('refuses a preference weight outside 1-100 at its path', () => {
    const r = renderApplication(
      web([{ type: 'affinity', properties: { nodeAffinity: { preferred: [{ weight: 0, preference: {} }] } } }]),
      CTX,
    );
    expect(errors(r)[0]).toEqual({
      path: 'spec.components[0].traits[0].properties.nodeAffinity.preferred[0].weight',
      message: 'a weight from 1 to 100',
    });
  });
});

describe('container traits', () => {
  it('securitycontext names a container the pod does not have, in the list form', () => {
    const r = renderApplication(
      web([{ type: 'securitycontext', properties: { containers: [{ containerName: 'proxy' }] } }]),
      CTX,
    );
    expect(errors(r)).toEqual([
      {
        path: 'spec.components[0].traits[0].properties.containers[0].containerName',
        message: 'container "proxy" not found; the pod\'s containers are: web',
      },
    ]);
  });

  it('service-binding replaces a variable of the same name rather than leaving value beside valueFrom', () => {
    const spec: ApplicationSpec = {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: IMAGE, env: [{ name: 'DB', value: 'x' }] },
          traits: [{ type: 'service-binding', properties: { envMappings: { DB: { secret: 's' } } } }],
        },
      ],
    };
    const r = renderApplication(spec, CTX);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const pod = (r.manifests[0]!.spec as { template: { spec: { containers: Array<{ env: unknown }> } } }).template.spec;
    expect(pod.containers[0]!.env).toEqual([{ name: 'DB', valueFrom: { secretKeyRef: { name: 's', key: 'DB' } } }]);
  });
});

describe('json-patch and json-merge-patch', () => {
  it('refuse a patch that moves the workload to another namespace or changes its owner labels', () => {
    const r = renderApplication(
      web([
        { type: 'json-patch', properties: { operations: [{ op: 'add', path: '/metadata/namespace', value: 'tax' }] } },
        {
          type: 'json-merge-patch',
          properties: { metadata: { labels: { 'polis.io/tenant': 'tax' } }, kind: 'ClusterRole' },
        },
      ]),
      CTX,
    );
    expect(errors(r)).toEqual([
      {
        path: 'spec.components[0].traits[0].properties.operations',
        message: expect.stringMatching(/^must not change metadata.namespace/),
      },
      { path: 'spec.components[0].traits[1].properties', message: expect.stringMatching(/^must not change kind/) },
      {
        path: 'spec.components[0].traits[1].properties',
        message: expect.stringMatching(/^must not change metadata.labels\["polis.io\/tenant"\]/),
      },
    ]);
  });

  it('json-patch names the operation that failed and leaves the workload as it was', () => {
    const r = renderApplication(
      web([
        {
          type: 'json-patch',
          properties: {
            operations: [
              { op: 'add', path: '/spec/replicas', value: 2 },
              { op: 'test', path: '/spec/template/spec/containers/0/name', value: 'api' },
            ],
          },
        },
      ]),
      CTX,
    );
    expect(errors(r)).toEqual([
      {
        path: 'spec.components[0].traits[0].properties.operations',
        message: 'operations[1] (test): test failed: /spec/template/spec/containers/0/name is not "api"',
      },
    ]);
  });
});

describe('service-account', () => {
  it('refuses privileges, which would grant rights through Roles or ClusterRoles', () => {
    const r = renderApplication(
      web([
        { type: 'service-account', properties: { name: 'web', privileges: [{ verbs: ['get'], scope: 'cluster' }] } },
      ]),
      CTX,
    );
    expect(errors(r)).toEqual([
      {
        path: 'spec.components[0].traits[0].properties.privileges',
        message: expect.stringMatching(/^remove it: polis does not create Roles/),
      },
    ]);
  });
});
