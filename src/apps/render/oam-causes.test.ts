import { describe, expect, it } from 'vitest';
import type { ErrorCause } from '../../kernel/errors.ts';
import type { ApplicationSpec, ComponentSpec } from '../application-kind.ts';
import { applicationKind } from '../application-kind.ts';
import { oamCauses } from './oam-causes.ts';
import { SUPPORTED_COMPONENTS, SUPPORTED_TRAITS } from './supported.ts';

const IMAGE = 'registry.example.gov.cn/edu/web:1.0';

function web(extra: Partial<ComponentSpec> = {}, properties: Record<string, unknown> = {}): ComponentSpec {
  return { name: 'web', type: 'webservice', properties: { image: IMAGE, ...properties }, ...extra };
}

function withTrait(type: string, properties: Record<string, unknown>, component = web()): ApplicationSpec {
  return { components: [{ ...component, traits: [{ type, properties }] }] };
}

function at(causes: ErrorCause[], path: string): string[] {
  return causes.filter((c) => c.path === path).map((c) => c.message);
}

describe('oamCauses', () => {
  it('accepts a well-formed application', () => {
    expect(oamCauses({ components: [web({}, { ports: [{ port: 8080, expose: true }] })] })).toEqual([]);
  });

  it.each(['webservice', 'worker', 'task', 'cron-task'])('requires the image of a %s', (type) => {
    const causes = oamCauses({ components: [{ name: 'job', type, properties: { schedule: '@daily' } }] });
    expect(at(causes, 'spec.components[0].properties.image')).toEqual([
      'required: the container image, e.g. registry.example.gov.cn/edu/web:1.0',
    ]);
  });

  it('names an unknown component type and the supported ones', () => {
    const causes = oamCauses({ components: [web(), { name: 'db', type: 'helm' }] });
    expect(causes).toEqual([
      {
        path: 'spec.components[1].type',
        code: 'TypeUnknown',
        params: { kind: 'component', type: 'helm', supported: SUPPORTED_COMPONENTS.join(', ') },
        message: `unknown component type "helm"; supported: ${SUPPORTED_COMPONENTS.join(', ')}`,
      },
    ]);
  });

  it('names an unknown trait type at its path and lists the supported ones', () => {
    const causes = oamCauses({ components: [web(), web({ name: 'api', traits: [{ type: 'foo' }] })] });
    expect(at(causes, 'spec.components[1].traits[0].type')).toEqual([
      `unknown trait type "foo"; supported: ${SUPPORTED_TRAITS.join(', ')}`,
    ]);
  });

  it.each([-1, 1.5, '3'])('refuses scaler replicas %j', (replicas) => {
    const causes = oamCauses(withTrait('scaler', { replicas }));
    expect(at(causes, 'spec.components[0].traits[0].properties.replicas')).toEqual(['must be a whole number ≥ 0']);
  });

  it('refuses hpa bounds that are not whole numbers, or a min above the max', () => {
    expect(at(oamCauses(withTrait('hpa', { min: 0 })), 'spec.components[0].traits[0].properties.min')).toEqual([
      'must be a whole number ≥ 1',
    ]);
    expect(at(oamCauses(withTrait('hpa', { min: 5, max: 3 })), 'spec.components[0].traits[0].properties.min')).toEqual([
      'must not exceed max (3)',
    ]);
    expect(at(oamCauses(withTrait('cpuscaler', { max: 2.5 })), 'spec.components[0].traits[0].properties.max')).toEqual([
      'must be a whole number ≥ 1',
    ]);
  });

  it('refuses a task count below zero', () => {
    const causes = oamCauses({ components: [{ name: 'job', type: 'task', properties: { image: IMAGE, count: -2 } }] });
    expect(at(causes, 'spec.components[0].properties.count')).toEqual(['must be a whole number ≥ 0']);
  });

  it('explains an invalid cron schedule', () => {
    const causes = oamCauses({
      components: [{ name: 'nightly', type: 'cron-task', properties: { image: IMAGE, schedule: '0 25 * * *' } }],
    });
    const [message] = at(causes, 'spec.components[0].properties.schedule');
    expect(message).toMatch(/hour: 25 is outside 0-23; a schedule is 5 fields/);
  });

  it('refuses ports outside 1-65535 wherever they appear', () => {
    const causes = oamCauses({
      components: [
        web({ traits: [{ type: 'gateway', properties: { http: { '/': 0 } } }] }, { ports: [{ port: 70000 }] }),
      ],
    });
    expect(at(causes, 'spec.components[0].properties.ports[0].port')).toEqual([
      'must be a port number from 1 to 65535',
    ]);
    expect(at(causes, 'spec.components[0].traits[0].properties.http./')).toEqual([
      'must be a port number from 1 to 65535',
    ]);
  });

  it('refuses quantities Kubernetes would refuse', () => {
    const causes = oamCauses({ components: [web({}, { cpu: 'lots', memory: '-1Gi' })] });
    expect(at(causes, 'spec.components[0].properties.cpu')[0]).toMatch(/^expected a CPU quantity such as 500m/);
    expect(at(causes, 'spec.components[0].properties.memory')[0]).toMatch(/quantities must not be negative/);
    const storage = oamCauses(
      withTrait('storage', { pvc: [{ name: 'data', mountPath: '/d', resources: { requests: { storage: '50GB' } } }] }),
    );
    expect(at(storage, 'spec.components[0].traits[0].properties.pvc[0].resources.requests.storage')[0]).toMatch(
      /^expected a byte quantity/,
    );
  });

  it('refuses properties a type does not have', () => {
    const causes = oamCauses({ components: [web({}, { imagePullPolcy: 'Always' })] });
    expect(causes).toEqual([
      {
        path: 'spec.components[0].properties.imagePullPolcy',
        code: 'FieldUnknown',
        params: { field: 'imagePullPolcy' },
        message: 'unknown field "imagePullPolcy"; remove it or check its spelling',
      },
    ]);
  });

  it('refuses a trait on a workload it does not apply to', () => {
    const causes = oamCauses(
      withTrait('scaler', { replicas: 2 }, { name: 'job', type: 'task', properties: { image: IMAGE } }),
    );
    expect(at(causes, 'spec.components[0].traits[0].type')).toEqual([
      'the scaler trait does not apply to a task component (workload jobs.batch); it applies to deployments.apps, statefulsets.apps',
    ]);
  });

  it('refuses a trait naming a container the pod does not have', () => {
    const causes = oamCauses(withTrait('env', { containerName: 'proxy', env: { A: 'b' } }));
    expect(at(causes, 'spec.components[0].traits[0].properties.containerName')).toEqual([
      'container "proxy" not found; the pod\'s containers are: web',
    ]);
  });

  it('refuses two components rendering an object of one kind and name', () => {
    const causes = oamCauses({
      components: [
        web({ traits: [{ type: 'expose', properties: { port: [8080] } }] }),
        web({
          name: 'api',
          traits: [
            { type: 'gateway', properties: { http: { '/': 8080 }, existingServiceName: 'x', name: 'y' } },
            { type: 'expose', properties: { port: [80] } },
          ],
        }),
        {
          name: 'raw',
          type: 'k8s-objects',
          properties: { objects: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } }] },
        },
      ],
    });
    expect(causes).toEqual([
      {
        path: 'spec.components[2]',
        message:
          'renders Service "web", which spec.components[0].traits[0] renders too; give one of them another name or remove one',
      },
    ]);
  });

  it("lets a trait's object replace the component's own of the same name, as KubeVela's last apply does", () => {
    const spec = withTrait('gateway', { http: { '/': 8080 } }, web({}, { ports: [{ port: 8080, expose: true }] }));
    expect(oamCauses(spec)).toEqual([]);
  });

  it('refuses half of the resource shorthand rather than ignoring it as KubeVela does', () => {
    const causes = oamCauses(withTrait('resource', { cpu: '1' }));
    expect(at(causes, 'spec.components[0].traits[0].properties.memory')).toEqual([
      'required with the other: cpu and memory set requests and limits together',
    ]);
  });

  it('keeps k8s-objects in the application namespace and named', () => {
    const causes = oamCauses({
      components: [
        {
          name: 'raw',
          type: 'k8s-objects',
          properties: {
            objects: [
              { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'kube-system' } },
              { apiVersion: 'v1', kind: 'Secret' },
            ],
          },
        },
      ],
    });
    expect(causes.map((c) => c.path)).toEqual([
      'spec.components[0].properties.objects[0].metadata.namespace',
      'spec.components[0].properties.objects[1].metadata.name',
    ]);
  });

  it('runs inside the Application kind, beside the component name checks', () => {
    const spec = { components: [web(), web({}, { cpu: 'x' })] };
    const causes = applicationKind.validate!({
      apiVersion: 'core.oam.dev/v1beta1',
      kind: 'Application',
      metadata: { name: 'a' },
      spec,
    } as never);
    expect(causes.map((c) => c.path)).toEqual(['spec.components[1].name', 'spec.components[1].properties.cpu']);
  });
});
