import { describe, expect, it } from 'vitest';
import { appFixture } from './app-status-fixture.ts';
import { componentsTable, placementTable, rolloutVerdict, statusOf, workflowTable } from './app-status-view.ts';

describe('placementTable', () => {
  it('has a row per component per cluster, unplaced replicas as their own row, and reasons with messages', () => {
    expect(placementTable(statusOf(appFixture()).components!)).toBe(
      [
        'COMPONENT   CLUSTER      DESIRED   READY   PHASE     REASON',
        'api         gov-east     2         2       Running   <none>',
        'api         <unplaced>   1         0       Pending   no eligible cluster has room',
        'frontend    gov-east     2         2       Running   <none>',
        'frontend    gov-west     2         0       Pending   ImagePull: pulling image',
        '',
      ].join('\n'),
    );
  });

  it('shows a component placed nowhere yet as <none>', () => {
    const table = placementTable([
      { name: 'worker', desiredReplicas: 2, readyReplicas: 0, phase: 'Pending', clusters: [] },
    ]);
    expect(table.split('\n')[1]).toBe('worker      <none>    2         0       Pending   <none>');
  });
});

describe('componentsTable', () => {
  it('shows ready/desired per component and per cluster', () => {
    expect(componentsTable(statusOf(appFixture()).components!)).toBe(
      [
        'COMPONENT   READY   PHASE      CLUSTERS',
        'api         2/3     Degraded   gov-east=2/2,unplaced=1',
        'frontend    2/4     Pending    gov-east=2/2,gov-west=0/2',
        '',
      ].join('\n'),
    );
  });

  it('shows a cron-task by its runs, not as replicas', () => {
    const table = componentsTable([
      {
        name: 'nightly',
        desiredReplicas: 0,
        readyReplicas: 0,
        phase: 'Running',
        workload: 'CronJob',
        runs: { active: 0, lastResult: 'Succeeded', nextScheduleTime: '2026-11-25T01:30:00Z' },
        clusters: [{ cluster: 'gov-east', desiredReplicas: 0, readyReplicas: 0, phase: 'Running' }],
      },
    ]);
    expect(table.split('\n')[1]).toBe(
      'nightly     last run: Succeeded, next: 2026-11-25T01:30:00Z   Running   gov-east',
    );
  });
});

describe('rolloutVerdict', () => {
  it('is done only when Running and healthy at the current generation', () => {
    expect(rolloutVerdict(appFixture({ status: { phase: 'Running', healthy: true } }))).toBe('done');
    expect(rolloutVerdict(appFixture({ generation: 4, status: { phase: 'Running', healthy: true } }))).toBe('waiting');
  });

  it('fails on Failed, but not on a Failed status of an older generation', () => {
    expect(rolloutVerdict(appFixture({ status: { phase: 'Failed' } }))).toBe('failed');
    expect(rolloutVerdict(appFixture({ generation: 4, status: { phase: 'Failed' } }))).toBe('waiting');
  });

  it('keeps waiting while Degraded, Progressing, Suspended or not reconciled at all', () => {
    expect(rolloutVerdict(appFixture())).toBe('waiting');
    expect(rolloutVerdict(appFixture({ status: { phase: 'Suspended' } }))).toBe('waiting');
    expect(rolloutVerdict({ metadata: { name: 'web', generation: 1 } })).toBe('waiting');
  });
});

describe('workflowTable', () => {
  it("indents a step group's sub-steps and shows why a step failed and what a step printed", () => {
    const text = workflowTable({
      workflow: {
        steps: [
          { name: 'backend', type: 'step-group', phase: 'failed' },
          { name: 'apply-db', type: 'apply-component', phase: 'failed', group: 'backend', reason: 'Timeout' },
          { name: 'say', type: 'print-message-in-status', phase: 'succeeded', message: 'done' },
        ],
      },
    } as never);
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((l) => l.trimEnd()),
    ).toEqual([
      'STEP         TYPE                      PHASE',
      'backend      step-group                failed',
      '  apply-db   apply-component           failed (Timeout)',
      'say          print-message-in-status   succeeded: done',
    ]);
  });
});
