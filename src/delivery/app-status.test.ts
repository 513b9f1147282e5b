import { describe, expect, it } from 'vitest';
import type { WorkloadStatus } from '../clusters/driver.ts';
import type { AppStatus, StatusInput } from './app-status.ts';
import {
  SCHEDULING_BACKOFF_MS,
  allExclusions,
  applicationStatus,
  schedulablePlacement,
  schedulingCaps,
} from './app-status.ts';

const T0 = '2026-11-24T08:00:00.000Z';
const T1 = '2026-11-24T08:00:05.000Z';

function workload(component: string, desired: number, ready: number, phase: WorkloadStatus['phase']): WorkloadStatus {
  return {
    key: `apps/v1/Deployment/ns/${component}`,
    kind: 'Deployment',
    name: component,
    component,
    observed: true,
    desiredReplicas: desired,
    readyReplicas: ready,
    updatedReplicas: ready,
    availableReplicas: ready,
    phase,
    ...(phase === 'Failed' ? { reason: 'CrashLoopBackOff' } : {}),
  };
}

function input(over: Partial<StatusInput> = {}): StatusInput {
  return {
    generation: 2,
    revision: 'web-v2',
    placement: {
      web: {
        replicas: { 'gov-east': 2, 'gov-west': 1 },
        unplaced: 0,
        excluded: [{ cluster: 'burst-aliyun', reason: 'x', code: 'External', params: { text: 'x' } }],
      },
    },
    componentTypes: { web: 'webservice' },
    observations: new Map([
      ['gov-east', [workload('web', 2, 2, 'Running')]],
      ['gov-west', [workload('web', 1, 1, 'Running')]],
    ]),
    workflow: { state: { generation: 2, completed: 1 }, steps: [], reached: [], suspended: false, finished: true },
    clusters: ['gov-east', 'gov-west'],
    pendingRemoval: [],
    applyErrors: new Map(),
    now: T0,
    ...over,
  };
}

describe('applicationStatus', () => {
  it('is Running and healthy when every cluster runs what was placed there', () => {
    const s = applicationStatus(input());
    expect(s).toMatchObject({ phase: 'Running', healthy: true, observedGeneration: 2, revision: 'web-v2' });
    expect(s.components[0]).toMatchObject({ desiredReplicas: 3, readyReplicas: 3, phase: 'Running' });
    expect(s.placement).toEqual({ web: { 'gov-east': 2, 'gov-west': 1 } });
    expect(s.message).toBeUndefined();
  });

  it('is Degraded when one cluster fails while another serves, and says where and why', () => {
    const s = applicationStatus(
      input({
        observations: new Map([
          ['gov-east', [workload('web', 2, 2, 'Running')]],
          ['gov-west', [workload('web', 1, 0, 'Failed')]],
        ]),
      }),
    );
    expect(s.phase).toBe('Degraded');
    expect(s.message).toContain('web on gov-west: Failed (CrashLoopBackOff)');
  });

  it('treats an unreachable cluster as unknown, and replicas without room as not placed', () => {
    const s = applicationStatus(
      input({
        placement: { web: { replicas: { 'gov-east': 2 }, unplaced: 3, excluded: [] } },
        observations: new Map([['gov-east', { unreachable: 'cluster gov-east is unreachable' }]]),
      }),
    );
    expect(s.phase).toBe('Degraded');
    expect(s.components[0]).toMatchObject({ unplaced: 3, desiredReplicas: 5 });
    expect(s.conditions.find((c) => c.type === 'Placed')).toMatchObject({
      status: 'False',
      reason: 'InsufficientCapacity',
    });
  });

  it('keeps a condition transition time until the condition changes', () => {
    const first = applicationStatus(input());
    const again = applicationStatus(input({ previous: first, now: T1 }));
    expect(again.conditions).toEqual(first.conditions);
    const failing = applicationStatus(
      input({
        previous: first,
        now: T1,
        observations: new Map([
          ['gov-east', [workload('web', 2, 0, 'Failed')]],
          ['gov-west', [workload('web', 1, 0, 'Failed')]],
        ]),
      }),
    );
    expect(failing.phase).toBe('Failed');
    expect(failing.conditions.find((c) => c.type === 'Ready')!.lastTransitionTime).toBe(T1);
  });

  it('is Suspended when what was reached runs and a step waits for approval', () => {
    const s = applicationStatus(
      input({
        workflow: {
          state: { generation: 2, completed: 1, suspendedSince: T0 },
          steps: [
            { name: 'canary', type: 'deploy', phase: 'succeeded' },
            { name: 'approve', type: 'suspend', phase: 'suspending' },
          ],
          reached: [],
          suspended: true,
          finished: false,
        },
      }),
    );
    expect(s.phase).toBe('Suspended');
    expect(s.message).toContain('suspended at step approve');
  });
});

describe('unschedulable replicas', () => {
  const status = (reason?: string) =>
    ({
      placement: { web: { 'gov-east': 10, 'burst-aliyun': 2 } },
      components: [
        {
          name: 'web',
          desiredReplicas: 12,
          readyReplicas: 9,
          phase: 'Progressing',
          excluded: [],
          clusters: [
            {
              cluster: 'gov-east',
              desiredReplicas: 10,
              readyReplicas: 7,
              unschedulableReplicas: 3,
              phase: 'Progressing',
              ...(reason ? { reason } : {}),
            },
            { cluster: 'burst-aliyun', desiredReplicas: 2, readyReplicas: 2, phase: 'Running' },
          ],
        },
      ],
    }) as unknown as AppStatus;

  it('are not kept where they are: placement starts from the replicas the cluster could schedule', () => {
    expect(schedulablePlacement(status())).toEqual({ web: { 'gov-east': 7, 'burst-aliyun': 2 } });
    // A report from before the last apply says nothing about the new count.
    expect(schedulablePlacement(status('NotObserved'))).toEqual({ web: { 'gov-east': 10, 'burst-aliyun': 2 } });
  });

  it('cap the cluster for a while, so overflow is not handed straight back into the same wall', () => {
    const now = Date.parse(T0);
    const first = schedulingCaps(status(), new Map(), now);
    expect(first.byComponent).toEqual({ web: { 'gov-east': 7 } });
    const later = schedulingCaps(undefined, first.caps, now + SCHEDULING_BACKOFF_MS - 1);
    expect(later.byComponent).toEqual({ web: { 'gov-east': 7 } });
    expect(schedulingCaps(undefined, first.caps, now + SCHEDULING_BACKOFF_MS).byComponent).toBeUndefined();
    expect(schedulingCaps(status('NotObserved'), new Map(), now).byComponent).toBeUndefined();
  });

  it('grow as the room the cluster had when capped grows, so replicas come back from overflow when room frees', () => {
    const now = Date.parse(T0);
    let room = 10; // what placement saw: 10 fit, 7 were scheduled
    const roomOf = (component: string, cluster: string) =>
      component === 'web' && cluster === 'gov-east' ? room : undefined;
    const first = schedulingCaps(status(), new Map(), now, roomOf);
    expect(first.byComponent).toEqual({ web: { 'gov-east': 7 } });
    // Another application gives 5 replicas' room back on gov-east: the cap grows by 5, until it expires as before.
    room = 15;
    expect(schedulingCaps(undefined, first.caps, now + 1000, roomOf).byComponent).toEqual({ web: { 'gov-east': 12 } });
    // Room taken by others does not tighten it (placement sees that room itself).
    room = 4;
    expect(schedulingCaps(undefined, first.caps, now + 1000, roomOf).byComponent).toEqual({ web: { 'gov-east': 7 } });
    // Unknown room (no capacity report yet): the cap as set.
    expect(schedulingCaps(undefined, first.caps, now + 1000).byComponent).toEqual({ web: { 'gov-east': 7 } });
  });
});

describe('applicationStatus tells the truth about delivery', () => {
  it('is not Delivered where a target cluster could not be reached (nothing was applied there)', () => {
    const s = applicationStatus(
      input({
        observations: new Map<string, StatusInput['observations'] extends ReadonlyMap<string, infer O> ? O : never>([
          ['gov-east', [workload('web', 2, 2, 'Running')]],
          ['gov-west', { unreachable: 'cluster gov-west is unreachable: connection refused' }],
        ]),
      }),
    );
    expect(s.conditions.find((c) => c.type === 'Delivered')).toMatchObject({
      status: 'False',
      reason: 'ClusterUnreachable',
      message: expect.stringContaining('gov-west'),
    });
  });

  it('is not Delivered when no cluster was given a replica', () => {
    const s = applicationStatus(
      input({
        placement: {
          web: {
            replicas: {},
            unplaced: 3,
            excluded: [
              {
                cluster: 'gov-east',
                reason: 'unhealthy: Unreachable',
                code: 'UnhealthyBecause',
                params: { why: 'Unreachable' },
              },
            ],
          },
        },
        observations: new Map(),
      }),
    );
    expect(s.conditions.find((c) => c.type === 'Delivered')).toMatchObject({ status: 'False', reason: 'NotPlaced' });
  });

  it('names why replicas found no cluster: the clusters ruled out, not "no room" when room was not the reason', () => {
    const s = applicationStatus(
      input({
        placement: {
          web: {
            replicas: {},
            unplaced: 3,
            excluded: [
              {
                cluster: 'gov-east',
                reason: 'unhealthy: Unreachable',
                code: 'UnhealthyBecause',
                params: { why: 'Unreachable' },
              },
            ],
          },
        },
        observations: new Map(),
      }),
    );
    expect(s.message).toContain('gov-east: unhealthy: Unreachable');
    expect(s.message).not.toContain('found no cluster with room');
    expect(s.conditions.find((c) => c.type === 'Placed')).toMatchObject({ reason: 'NoEligibleCluster' });
  });
});

describe('a workflow-only application (no components)', () => {
  const none = { placement: {}, componentTypes: {}, observations: new Map(), clusters: [] };

  it('follows its workflow: Suspended while a step waits, Running once the workflow finished', () => {
    const waiting = applicationStatus(
      input({
        ...none,
        workflow: { state: { generation: 2, completed: 0 }, steps: [], reached: [], suspended: true, finished: false },
      }),
    );
    expect(waiting.phase).toBe('Suspended');
    const done = applicationStatus(input(none));
    expect(done).toMatchObject({ phase: 'Running', healthy: true });
  });

  it('keeps the eligible clusters that were not needed as one entry per reason, and reads back every exclusion as placed', () => {
    const ex = (cluster: string, code: string, reason: string) => ({ cluster, code, reason });
    const excluded = [
      ex('c1', 'NotNeeded', 'eligible, not needed: the replicas fit on other clusters'),
      ex('c2', 'Unhealthy', 'unhealthy'),
      ex('c3', 'NotNeeded', 'eligible, not needed: the replicas fit on other clusters'),
      ex('c4', 'OverflowNotNeeded', 'overflow, not needed: the eligible clusters had room'),
      { ...ex('c5', 'NoRoom', 'no room: cpu'), params: { resources: { code: 'ResourcesCpu', message: 'cpu' } } },
    ];
    const s = applicationStatus(input({ placement: { web: { replicas: { 'gov-east': 2 }, unplaced: 0, excluded } } }));
    const web = s.components.find((c) => c.name === 'web')!;
    expect(web.excluded.map((e) => e.cluster)).toEqual(['c2', 'c5']);
    expect(web.unused).toEqual([
      { code: 'NotNeeded', reason: excluded[0]!.reason, clusters: ['c1', 'c3'] },
      { code: 'OverflowNotNeeded', reason: excluded[3]!.reason, clusters: ['c4'] },
    ]);
    expect(allExclusions(web)).toEqual(excluded);
    // A component with no such cluster has no `unused` at all.
    const only = applicationStatus(
      input({ placement: { web: { replicas: { 'gov-east': 2 }, unplaced: 0, excluded: [excluded[1]!] } } }),
    );
    expect(only.components.find((c) => c.name === 'web')).not.toHaveProperty('unused');
  });
});
