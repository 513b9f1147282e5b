import { describe, expect, it } from 'vitest';
import type { EventView } from './app-describe.ts';
import {
  applicationEvents,
  burstSection,
  scalingSection,
  conditionsSection,
  eventsSection,
  pendingRemovalSection,
  placementSection,
  revisionsSection,
  statusSummary,
  workflowSection,
} from './app-describe.ts';
import { appFixture } from './app-status-fixture.ts';
import { statusOf } from './app-status-view.ts';
import type { RevisionHistory } from './revision-history.ts';
import { setCliLang } from './cli-lang.ts';
import { decide } from '../scaling/autoscaler.ts';
import { autoscalingPropertiesSchema } from '../scaling/autoscaling-policy.ts';
import { EMPTY_HISTORY } from '../scaling/hpa-algorithm.ts';

const now = new Date('2026-11-24T12:00:00Z');
const status = statusOf(appFixture());

const event = (name: string, minutesAgo: number, spec: Partial<NonNullable<EventView['spec']>> = {}): EventView => ({
  metadata: { name, tenant: 'edu' },
  spec: {
    involvedObject: { kind: 'Application', name: 'web' },
    type: 'Normal',
    reason: 'Applied',
    message: `event ${name}`,
    source: { component: 'delivery', cluster: 'gov-east' },
    count: 1,
    firstTimestamp: new Date(now.getTime() - 3_600_000).toISOString(),
    lastTimestamp: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
    ...spec,
  },
});

describe('statusSummary', () => {
  it('puts phase, health, revision and generations under the metadata', () => {
    expect(statusSummary(status, 3)).toEqual([
      'Phase:            Degraded',
      'Healthy:          no',
      'Revision:         web-v3',
      'Observed Gen.:    3 (generation 3)',
      'Message:          frontend on gov-west: Pending',
    ]);
  });
});

describe('placementSection', () => {
  it('shows the placement table, then the clusters placement left out and why', () => {
    expect(placementSection(status)).toBe(
      [
        'Placement:',
        '  COMPONENT   CLUSTER      DESIRED   READY   PHASE     REASON',
        '  api         gov-east     2         2       Running   <none>',
        '  api         <unplaced>   1         0       Pending   no eligible cluster has room',
        '  frontend    gov-east     2         2       Running   <none>',
        '  frontend    gov-west     2         0       Pending   ImagePull: pulling image',
        'Excluded:',
        '  COMPONENT   CLUSTER    REASON',
        '  api         gov-west   residency: data must stay in gov-east',
        '',
      ].join('\n'),
    );
  });

  it('says <none> before the controller placed anything', () => {
    expect(placementSection({})).toBe('Placement:        <none>\n');
  });
});

describe('conditionsSection and workflowSection', () => {
  it('list conditions and workflow steps as tables', () => {
    expect(conditionsSection(status)).toBe(
      [
        'Conditions:',
        '  TYPE     STATUS   REASON                 MESSAGE',
        '  Placed   False    InsufficientCapacity   api: 1 replica(s) found no cluster with room',
        '  Ready    False    Degraded               <none>',
        '',
      ].join('\n'),
    );
    expect(workflowSection(status)).toBe(
      [
        'Workflow:',
        '  STEP          TYPE      PHASE',
        '  deploy-east   deploy    succeeded',
        '  approve       suspend   running',
        '  deploy-west   deploy    pending',
        '',
      ].join('\n'),
    );
  });

  it('says since when a suspended workflow waits', () => {
    const waiting = {
      workflow: {
        suspended: true,
        suspendedSince: '2026-11-24T11:00:00Z',
        steps: [{ name: 'approve', type: 'suspend', phase: 'suspending' }],
      },
    };
    expect(workflowSection(waiting).split('\n')[0]).toBe('Workflow (suspended since 2026-11-24T11:00:00Z):');
  });
});

describe('revisionsSection', () => {
  it('shows the newest five revisions', () => {
    const history: RevisionHistory = {
      kind: 'RevisionHistory',
      application: 'web',
      current: 7,
      items: [1, 2, 3, 4, 5, 6, 7].map((n) => ({
        revision: n,
        name: `web-v${n}`,
        created: '2026-11-24T11:00:00Z',
        current: n === 7,
      })),
    };
    const lines = revisionsSection(history, now).trimEnd().split('\n');
    expect(lines[0]).toBe('Revisions (last 5 of 7):');
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/)[0])).toEqual(['3', '4', '5', '6', '7']);
    expect(lines[6]).toBe('  7          1h        *         <none>        <none>');
  });
});

describe('applicationEvents and eventsSection', () => {
  it('keep the application’s own events, newest first, at most ten', () => {
    const events = [
      event('old', 50),
      event('other-app', 1, { involvedObject: { kind: 'Application', name: 'api' } }),
      event('same-name-other-kind', 1, { involvedObject: { kind: 'Cluster', name: 'web' } }),
      ...Array.from({ length: 11 }, (_, i) => event(`e${i}`, 20 - i)),
    ];
    const mine = applicationEvents(events, 'web');
    expect(mine.map((e) => e.metadata?.name)).toEqual(['e10', 'e9', 'e8', 'e7', 'e6', 'e5', 'e4', 'e3', 'e2', 'e1']);
  });

  it('print LAST, TYPE, REASON, CLUSTER, COUNT and MESSAGE', () => {
    const text = eventsSection(
      [
        event('drift', 2, { type: 'Warning', reason: 'DriftRepaired', count: 3, message: 'replicas put back to 2' }),
        event('placed', 90, { reason: 'Placed', source: { component: 'placement' }, message: 'web: gov-east=2' }),
      ],
      now,
    );
    expect(text).toBe(
      [
        'Events (last 2):',
        '  LAST   TYPE      REASON          CLUSTER    COUNT   MESSAGE',
        '  2m     Warning   DriftRepaired   gov-east   3       replicas put back to 2',
        '  1h     Normal    Placed          <none>     1       web: gov-east=2',
        '',
      ].join('\n'),
    );
    expect(eventsSection([], now)).toBe('Events:           <none>\n');
  });
});

describe('placementSection with eligible clusters kept grouped (status.components[].unused)', () => {
  it('lists them in the Excluded table by cluster name, each with its reason, as before they were grouped', () => {
    const grouped = statusOf(
      appFixture({
        status: {
          components: [
            {
              name: 'api',
              clusters: [{ cluster: 'gov-east', desiredReplicas: 2, readyReplicas: 2, phase: 'Running' }],
              excluded: [{ cluster: 'gov-west', reason: 'unhealthy', code: 'Unhealthy' }],
              unused: [
                {
                  code: 'NotNeeded',
                  reason: 'eligible, not needed: the replicas fit on other clusters',
                  clusters: ['dr-north', 'gov-south'],
                },
              ],
            },
          ],
        },
      }),
    );
    const rows = placementSection(grouped)
      .split('Excluded:')[1]!
      .split('\n')
      .filter((l) => l.startsWith('  api'));
    expect(rows.map((l) => l.split(/\s+/)[2])).toEqual(['dr-north', 'gov-south', 'gov-west']);
    expect(rows[0]).toContain('eligible, not needed');
  });
});

describe('pendingRemovalSection', () => {
  it('names each cluster whose objects stay, with the reason code and why', () => {
    const failedOver = statusOf(
      appFixture({
        status: {
          pendingRemoval: ['gov-west', 'old-east'],
          components: [{ name: 'api', excluded: [{ cluster: 'gov-west', reason: 'unhealthy: Unreachable' }] }],
        },
      }),
    );
    const text = pendingRemovalSection(failedOver);
    expect(text.split('\n')[0]).toBe('Pending Removal:');
    expect(text).toMatch(/gov-west\s+ClusterUnhealthy: the cluster is not healthy: nothing there is deleted/);
    expect(text).toMatch(/old-east\s+AwaitingReplacements: removed once the application is healthy/);
  });

  it('is empty when no cluster waits for removal', () => {
    expect(pendingRemovalSection(status)).toBe('');
  });
});

describe('burstSection', () => {
  it('shows the burst replicas per cluster, the cost per hour, what the limits held back and the limits', () => {
    const bursting = statusOf(
      appFixture({
        status: {
          burst: {
            replicas: 68,
            costPerHour: 8.125,
            clusters: { 'burst-huawei': 34, 'burst-aliyun': 34 },
            heldBack: 2,
            limits: ['application: at most 68 burst replicas', 'edu: at most ¥10/h'],
          },
        },
      }),
    );
    expect(burstSection(bursting)).toBe(
      [
        'Burst:',
        '  Replicas:   Bursting: 68 replica(s) on public-cloud burst clusters (burst-aliyun 34, burst-huawei 34), ¥8.13 per hour',
        '  Held back:  BurstLimited: 2 replica(s) a burst cluster had room for were held back by the burst limits',
        '  Limits:     application: at most 68 burst replicas',
        '              edu: at most ¥10/h',
        '',
      ].join('\n'),
    );
  });

  it('says why bursting is closed, and is empty when nothing bursts', () => {
    const closed = statusOf(
      appFixture({
        status: { burst: { replicas: 0, costPerHour: 0, clusters: {}, heldBack: 3, closed: 'outside 08:00-20:00' } },
      }),
    );
    expect(burstSection(closed)).toContain('Closed:     BurstClosed: bursting is not allowed now: outside 08:00-20:00');
    expect(burstSection(status)).toBe('');
  });
});

describe('scalingSection', () => {
  const c = autoscalingPropertiesSchema.parse({
    components: [{ name: 'web', minReplicas: 2, maxReplicas: 20, targets: { cpuUtilization: 60 } }],
  }).components[0]!;
  const d = decide(c, {
    now: now.getTime(),
    current: 5,
    ready: 5,
    metrics: { cpuUtilization: { value: 120 } },
    history: { ...EMPTY_HISTORY, recommendations: [{ at: now.getTime() - 3_600_000, replicas: 5 }] },
  });
  const scaled = statusOf(
    appFixture({
      status: {
        scaling: {
          preview: false,
          components: { web: { desired: 10, reason: d.reason, code: d.detail.code, params: d.detail.params } },
        },
      },
    }),
  );

  it("shows each component's count and the autoscaler's reason in the command line's language", () => {
    expect(scalingSection(scaled)).toContain(
      'web         10        5 → 10 replicas, set by the metrics. Reactive 10: cpu 120% of target 60% → 10 replicas.',
    );
    setCliLang('zh');
    try {
      expect(scalingSection(scaled)).toContain(
        '5 → 10 个副本，由指标决定。响应式 10：CPU 120%（目标 60%） → 10 个副本。',
      );
    } finally {
      setCliLang('en');
    }
    expect(scalingSection(status)).toBe('');
  });
});
