import type { ObjectLike } from './object-table.ts';

/** An application as the delivery controller leaves it mid-rollout: the fixture of the CLI's formatting tests. */
export function appFixture(overrides: { generation?: number; status?: Record<string, unknown> } = {}): ObjectLike {
  return {
    apiVersion: 'core.oam.dev/v1beta1',
    kind: 'Application',
    metadata: {
      name: 'web',
      tenant: 'edu',
      generation: overrides.generation ?? 3,
      resourceVersion: '42',
      creationTimestamp: '2026-11-20T12:00:00Z',
    },
    spec: { components: [{ name: 'frontend', type: 'webservice' }] },
    status: {
      observedGeneration: 3,
      revision: 'web-v3',
      phase: 'Degraded',
      healthy: false,
      message: 'frontend on gov-west: Pending',
      conditions: [
        {
          type: 'Placed',
          status: 'False',
          reason: 'InsufficientCapacity',
          message: 'api: 1 replica(s) found no cluster with room',
          lastTransitionTime: '2026-11-24T11:00:00Z',
        },
        { type: 'Ready', status: 'False', reason: 'Degraded', lastTransitionTime: '2026-11-24T11:00:00Z' },
      ],
      components: [
        {
          name: 'api',
          desiredReplicas: 3,
          readyReplicas: 2,
          phase: 'Degraded',
          unplaced: 1,
          clusters: [{ cluster: 'gov-east', desiredReplicas: 2, readyReplicas: 2, phase: 'Running' }],
          excluded: [{ cluster: 'gov-west', reason: 'residency: data must stay in gov-east' }],
        },
        {
          name: 'frontend',
          desiredReplicas: 4,
          readyReplicas: 2,
          phase: 'Pending',
          clusters: [
            { cluster: 'gov-east', desiredReplicas: 2, readyReplicas: 2, phase: 'Running' },
            {
              cluster: 'gov-west',
              desiredReplicas: 2,
              readyReplicas: 0,
              phase: 'Pending',
              reason: 'ImagePull',
              message: 'pulling image',
            },
          ],
          excluded: [],
        },
      ],
      workflow: {
        generation: 3,
        completed: 1,
        suspended: false,
        steps: [
          { name: 'deploy-east', type: 'deploy', phase: 'succeeded' },
          { name: 'approve', type: 'suspend', phase: 'running' },
          { name: 'deploy-west', type: 'deploy', phase: 'pending' },
        ],
      },
      ...overrides.status,
    },
  };
}
