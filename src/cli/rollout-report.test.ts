import { describe, expect, it } from 'vitest';
import { appFixture } from './app-status-fixture.ts';
import { rolloutProgressLine, rolloutStatusReport } from './rollout-report.ts';

describe('rolloutStatusReport', () => {
  it('shows phase, health, generations, the workflow and each component’s replicas', () => {
    expect(rolloutStatusReport(appFixture())).toBe(
      [
        'application/web in edu',
        'Phase:       Degraded',
        'Healthy:     no',
        'Generation:  3 (observed)',
        'Revision:    web-v3',
        'Message:     frontend on gov-west: Pending',
        'Workflow:',
        '  STEP          TYPE      PHASE',
        '  deploy-east   deploy    succeeded',
        '  approve       suspend   running',
        '  deploy-west   deploy    pending',
        'Components:',
        '  COMPONENT   READY   PHASE      CLUSTERS',
        '  api         2/3     Degraded   gov-east=2/2,unplaced=1',
        '  frontend    2/4     Pending    gov-east=2/2,gov-west=0/2',
        '',
      ].join('\n'),
    );
  });

  it('says when a change is not observed yet, and how to approve a waiting step', () => {
    const waiting = appFixture({
      generation: 4,
      status: {
        workflow: { steps: [{ name: 'approve', type: 'suspend', phase: 'suspending' }], suspended: true },
      },
    });
    const text = rolloutStatusReport(waiting);
    expect(text).toContain('Generation:  4 (observed 3: the change is being rolled out)');
    expect(text).toContain('Waiting:     for approval at step approve: polis rollout resume web -n edu --step approve');
  });

  it('copes with an application the controller has not reached', () => {
    const text = rolloutStatusReport({ metadata: { name: 'new', tenant: 'edu', generation: 1 } });
    expect(text).toContain('Phase:       <none> (not reconciled yet)');
    expect(text).toContain('Generation:  1 (not observed yet)');
    expect(text).toContain('Components:\n  <none>\n');
  });
});

describe('rolloutProgressLine', () => {
  it('sums up phase, generations and replicas on one line', () => {
    expect(rolloutProgressLine(appFixture())).toBe('Degraded: generation 3 observed 3, api 2/3, frontend 2/4');
  });
});
