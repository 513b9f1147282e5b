import { describe, expect, it } from 'vitest';
import type { StoredObject } from '../resources/envelope.ts';
import { applicationUsage } from './application-usage.ts';

const app = (name: string, replicas: number): StoredObject =>
  ({
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: { name, tenant: 'edu', uid: `uid-${name}`, resourceVersion: '1', generation: 1 },
    spec: {
      components: [
        {
          name: 'web',
          type: 'webservice',
          properties: { image: 'nginx:1.27', cpu: '250m', memory: '256Mi' },
          traits: [{ type: 'scaler', properties: { replicas } }],
        },
      ],
    },
  }) as unknown as StoredObject;

describe('applicationUsage', () => {
  it('renders a spec once: applications with an equal spec share one frozen answer', () => {
    const a = applicationUsage(app('memo-one', 3));
    const b = applicationUsage(app('memo-two', 3));
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(a).toEqual({ cpu: 750, memory: 3 * 256 * 1024 * 1024, storage: 0, applications: 1 });
  });

  it('answers a changed spec afresh', () => {
    expect(applicationUsage(app('memo-one', 4)).cpu).toBe(1000);
    expect(applicationUsage(app('memo-one', 3)).cpu).toBe(750);
  });

  it('counts a topology-duplicated component once per cluster its deploy steps name', () => {
    const base = app('sisq', 2);
    const spec = base.spec as { components: unknown[] };
    const topologies = {
      ...base,
      spec: {
        ...spec,
        policies: [
          { name: 'east', type: 'topology', properties: { clusters: ['gov-east'] } },
          { name: 'west', type: 'topology', properties: { clusters: ['gov-west'] } },
          { name: 'labelled', type: 'topology', properties: { clusterLabelSelector: { env: 'prod' } } },
        ],
        workflow: {
          steps: [
            { name: 'deploy-east', type: 'deploy', properties: { policies: ['east'] } },
            { name: 'deploy-west', type: 'deploy', properties: { policies: ['west'] } },
          ],
        },
      },
    } as StoredObject;
    expect(applicationUsage(topologies).cpu).toBe(4 * 250);
    // Without a workflow every topology applies: two named clusters, and a selector whose clusters placement knows.
    const { workflow: _w, ...noWorkflow } = topologies.spec as Record<string, unknown>;
    expect(applicationUsage({ ...topologies, spec: noWorkflow } as StoredObject).cpu).toBe(3 * 2 * 250);
  });
});
