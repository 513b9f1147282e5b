import { describe, expect, it } from 'vitest';
import type { ApplicationSpec, ComponentSpec } from '../application-kind.ts';
import { componentDemands, deployedDemands, renderedDemands } from './demands.ts';
import { oamCauses } from './oam-causes.ts';

const IMAGE = 'registry.example.gov.cn/edu/web:1.0';
const MI = 1024 * 1024;

function demand(c: ComponentSpec) {
  const [d] = componentDemands({ components: [c] });
  return d;
}

describe('componentDemands', () => {
  it('answers a spec asked again from memory, each caller with its own copy', () => {
    const spec: ApplicationSpec = {
      components: [{ name: 'memo-web', type: 'webservice', properties: { image: IMAGE, cpu: '250m' } }],
    };
    const first = componentDemands(spec);
    first[0]!.perReplica.cpuMilli = 1; // a caller changing its copy changes no other caller's
    first.pop();
    const again = componentDemands(structuredClone(spec));
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ name: 'memo-web', replicas: 1, perReplica: { cpuMilli: 250 } });
    // Another spec is another answer.
    const other = componentDemands({
      components: [{ name: 'memo-web', type: 'webservice', properties: { image: IMAGE, cpu: '750m' } }],
    });
    expect(other[0]!.perReplica.cpuMilli).toBe(750);
  });

  it('answers a spec validation rendered with the demands a render of its own gives', () => {
    // Validation (oamCauses) remembers the demands of the components it renders, so the quota and holding indexes
    // reading the spec after its write render it no second time: what it remembers is what componentDemands renders.
    const tag = `${process.pid}-${Date.now()}`;
    const spec: ApplicationSpec = {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: `${IMAGE}-${tag}`, cpu: '250m', memory: '300Mi' },
          traits: [
            { type: 'scaler', properties: { replicas: 3 } },
            { type: 'sidecar', properties: { name: 'log', image: IMAGE } },
            { type: 'gateway', properties: { domain: 'a.gov.example', http: { '/': 80 } } },
          ],
        },
        {
          name: 'scaled',
          type: 'webservice',
          properties: { image: IMAGE, cpu: '1' },
          traits: [{ type: 'hpa', properties: { min: 2, max: 5 } }],
        },
        { name: 'job', type: 'task', properties: { image: IMAGE, count: 4 } },
        { name: 'nightly', type: 'cron-task', properties: { image: IMAGE, schedule: '@daily', count: 2 } },
        { name: 'agent', type: 'daemon', properties: { image: IMAGE, cpu: '100m' } },
        { name: 'settings', type: 'k8s-objects', properties: { objects: [{ apiVersion: 'v1', kind: 'ConfigMap' }] } },
        { name: 'other', type: 'no-such-type', properties: {} },
      ],
    };
    oamCauses(spec);
    const remembered = componentDemands(structuredClone(spec));
    expect(remembered.map((d) => d.name)).toEqual(['web', 'scaled', 'job', 'nightly', 'agent', 'settings']);
    expect(remembered).toEqual(renderedDemands(structuredClone(spec)));
  });

  it('takes replicas from the scaler and requests from the container', () => {
    expect(
      demand({
        name: 'web',
        type: 'webservice',
        properties: { image: IMAGE, cpu: '500m', memory: '512Mi' },
        traits: [{ type: 'scaler', properties: { replicas: 3 } }],
      }),
    ).toEqual({
      name: 'web',
      type: 'webservice',
      workloadKind: 'Deployment',
      replicas: 3,
      perReplica: { cpuMilli: 500, memoryBytes: 512 * MI, pods: 1 },
      nativeAutoscaling: false,
    });
  });

  it('defaults to one replica, counted at the LimitRange default when it declares no requests', () => {
    expect(demand({ name: 'w', type: 'worker', properties: { image: IMAGE } })).toMatchObject({
      workloadKind: 'Deployment',
      replicas: 1,
      perReplica: { cpuMilli: 100, memoryBytes: 128 * MI, pods: 1 },
    });
  });

  it('starts an autoscaled component at its minimum, or at the scaler within the bounds', () => {
    const hpa = { type: 'hpa', properties: { min: 2, max: 5 } };
    expect(demand({ name: 'web', type: 'webservice', properties: { image: IMAGE }, traits: [hpa] })).toMatchObject({
      replicas: 2,
      nativeAutoscaling: true,
    });
    const scaled = (replicas: number) =>
      demand({
        name: 'web',
        type: 'webservice',
        properties: { image: IMAGE },
        traits: [
          { type: 'scaler', properties: { replicas } },
          { type: 'cpuscaler', properties: { min: 2, max: 5 } },
        ],
      })!.replicas;
    expect([scaled(1), scaled(4), scaled(9)]).toEqual([2, 4, 5]);
  });

  it('counts the resource trait, and a limit as the request when no request is set', () => {
    expect(
      demand({
        name: 'web',
        type: 'webservice',
        properties: { image: IMAGE, cpu: '100m' },
        traits: [{ type: 'resource', properties: { limits: { cpu: 2, memory: '1Gi' } } }],
      })!.perReplica,
    ).toEqual({ cpuMilli: 100, memoryBytes: 1024 * MI, pods: 1 });
  });

  it('sums containers and compares with the largest init container, as the scheduler does', () => {
    const pod = (init: string) => ({
      name: 'portal',
      type: 'k8s-objects',
      properties: {
        objects: [
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            spec: {
              replicas: 2,
              template: {
                spec: {
                  initContainers: [
                    { name: 'migrate', image: IMAGE, resources: { requests: { cpu: init, memory: '64Mi' } } },
                  ],
                  containers: [
                    { name: 'portal', image: IMAGE, resources: { requests: { cpu: '300m', memory: '256Mi' } } },
                    { name: 'proxy', image: IMAGE, resources: { requests: { cpu: '100m', memory: '64Mi' } } },
                  ],
                },
              },
            },
          },
        ],
      },
    });
    expect(demand(pod('200m'))).toMatchObject({
      workloadKind: 'StatefulSet',
      replicas: 2,
      perReplica: { cpuMilli: 400, memoryBytes: 320 * MI, pods: 1 },
    });
    expect(demand(pod('2'))!.perReplica).toEqual({ cpuMilli: 2000, memoryBytes: 320 * MI, pods: 1 });
  });

  it('takes the parallelism of tasks and cron tasks', () => {
    expect(demand({ name: 't', type: 'task', properties: { image: IMAGE, count: 4 } })).toMatchObject({
      workloadKind: 'Job',
      replicas: 4,
    });
    expect(
      demand({ name: 'c', type: 'cron-task', properties: { image: IMAGE, schedule: '@daily', count: 2, cpu: '1' } }),
    ).toMatchObject({
      workloadKind: 'CronJob',
      replicas: 2,
      perReplica: { cpuMilli: 1000, memoryBytes: 128 * MI, pods: 1 },
    });
  });

  it('gives objects without pods no replicas', () => {
    expect(
      demand({
        name: 'settings',
        type: 'k8s-objects',
        properties: { objects: [{ apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } }] },
      }),
    ).toEqual({
      name: 'settings',
      type: 'k8s-objects',
      workloadKind: undefined,
      replicas: 0,
      perReplica: { cpuMilli: 0, memoryBytes: 0, pods: 0 },
      nativeAutoscaling: false,
    });
  });

  it('counts sidecars that request nothing of their own at the default, never as free', () => {
    expect(
      demand({
        name: 'web',
        type: 'webservice',
        properties: { image: IMAGE, cpu: '250m', memory: '128Mi' },
        traits: [{ type: 'sidecar', properties: { name: 'log', image: IMAGE } }],
      })!.perReplica,
    ).toEqual({ cpuMilli: 350, memoryBytes: 256 * MI, pods: 1 });
  });
});

describe('node and stateful workloads', () => {
  it('count a statefulset like a Deployment: its scaler replicas, its container requests', () => {
    expect(
      demand({
        name: 'db',
        type: 'statefulset',
        properties: { image: IMAGE, cpu: '2', memory: '4Gi' },
        traits: [{ type: 'scaler', properties: { replicas: 3 } }],
      }),
    ).toEqual({
      name: 'db',
      type: 'statefulset',
      workloadKind: 'StatefulSet',
      replicas: 3,
      perReplica: { cpuMilli: 2000, memoryBytes: 4096 * MI, pods: 1 },
      nativeAutoscaling: false,
    });
  });

  it('count a daemon as one pod of its requests on each cluster, even if a patch sets replicas', () => {
    expect(
      demand({
        name: 'agent',
        type: 'daemon',
        properties: { image: IMAGE, cpu: '100m', memory: '64Mi' },
        traits: [{ type: 'json-merge-patch', properties: { spec: { replicas: 5 } } }],
      }),
    ).toMatchObject({
      workloadKind: 'DaemonSet',
      replicas: 1,
      perReplica: { cpuMilli: 100, memoryBytes: 64 * MI, pods: 1 },
    });
  });
});

describe('zero requests', () => {
  it('count a zero cpu or memory as the default: zero never means free', () => {
    expect(
      demand({ name: 'w', type: 'worker', properties: { image: IMAGE, cpu: '0', memory: '0' } })!.perReplica,
    ).toEqual({ cpuMilli: 100, memoryBytes: 128 * MI, pods: 1 });
  });
});

describe('deployedDemands', () => {
  const raise = {
    name: 'ha',
    type: 'override',
    properties: { components: [{ name: 'web', traits: [{ type: 'scaler', properties: { replicas: 3 } }] }] },
  };
  const spec = (extra: Partial<ApplicationSpec>): ApplicationSpec => ({
    components: [
      {
        name: 'web',
        type: 'webservice',
        properties: { image: 'nginx' },
        traits: [{ type: 'scaler', properties: { replicas: 1 } }],
      },
    ],
    ...extra,
  });

  it('counts an override policy the implicit deploy step applies (KubeVela delivers 3)', () => {
    expect(deployedDemands(spec({ policies: [raise] }))[0]!.replicas).toBe(3);
    expect(componentDemands(spec({ policies: [raise] }))[0]!.replicas).toBe(1);
  });

  it('counts an override only where a deploy step names it, and the step asking most', () => {
    const steps = (policies: string[]) => ({ steps: [{ name: 'd', type: 'deploy', properties: { policies } }] });
    expect(deployedDemands(spec({ policies: [raise], workflow: steps([]) }))[0]!.replicas).toBe(1);
    expect(deployedDemands(spec({ policies: [raise], workflow: steps(['ha']) }))[0]!.replicas).toBe(3);
  });
});

describe('deployedDemands with the workflow', () => {
  it("counts a step's Deployment and each replication copy, not the component the copies replace", () => {
    const names = deployedDemands({
      components: [
        { name: 'web', type: 'webservice', properties: { image: 'nginx' } },
        { name: 'worker', type: 'worker', properties: { image: 'busybox' } },
      ],
      policies: [{ name: 'r', type: 'replication', properties: { keys: ['north', 'south'], selector: ['worker'] } }],
      workflow: {
        steps: [
          { name: 'deploy', type: 'deploy', properties: { policies: ['r'] } },
          { name: 'smoke', type: 'apply-deployment', properties: { image: 'smoke:1', replicas: 2 } },
        ],
      },
    }).map((d) => `${d.name}:${d.replicas}`);
    expect(names).toEqual(['web:1', 'worker-north:1', 'worker-south:1', 'smoke:2']);
  });
});
