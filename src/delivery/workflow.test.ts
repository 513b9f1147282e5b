import { describe, expect, it } from 'vitest';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import { advanceWorkflow, appDependencies, deploySteps, durationMs, waitingOnApp } from './workflow.ts';

const web = { name: 'web', type: 'webservice', properties: { image: 'nginx' } };
const gated: ApplicationSpec = {
  components: [web],
  policies: [
    { name: 'east', type: 'topology', properties: { clusters: ['gov-east'] } },
    { name: 'west', type: 'topology', properties: { clusters: ['gov-west'] } },
    { name: 'small', type: 'override', properties: { components: [{ name: 'web', properties: { cpu: '100m' } }] } },
  ],
  workflow: {
    steps: [
      { name: 'canary', type: 'deploy', properties: { policies: ['east'] } },
      { name: 'approve', type: 'suspend' },
      { name: 'rest', type: 'deploy', properties: { policies: ['west', 'small'] } },
    ],
  },
};
const NOW = '2026-11-24T08:00:00.000Z';

describe('deploySteps', () => {
  it('makes one implicit step of every topology and override policy when there is no workflow', () => {
    expect(deploySteps({ components: [web], policies: gated.policies })).toEqual([
      { name: 'deploy', index: 0, topologies: ['east', 'west'], overrides: ['small'] },
    ]);
  });

  it('reads the policies each deploy step names', () => {
    expect(deploySteps(gated)).toEqual([
      { name: 'canary', index: 0, topologies: ['east'], overrides: [] },
      { name: 'rest', index: 2, topologies: ['west'], overrides: ['small'] },
    ]);
  });
});

describe('advanceWorkflow', () => {
  const ctx = (over: Partial<Parameters<typeof advanceWorkflow>[2]> = {}) => ({
    generation: 1,
    approvals: {},
    now: NOW,
    stepHealthy: () => true,
    ...over,
  });

  it('delivers the first step and waits for it to be healthy', () => {
    const p = advanceWorkflow(gated, undefined, ctx({ stepHealthy: () => false }));
    expect(p.reached.map((s) => s.name)).toEqual(['canary']);
    expect(p.steps.map((s) => s.phase)).toEqual(['running', 'pending', 'pending']);
    expect(p.finished).toBe(false);
  });

  it('stops at a suspend step until it is approved for this generation', () => {
    const p = advanceWorkflow(gated, undefined, ctx());
    expect(p.suspended).toBe(true);
    expect(p.reached.map((s) => s.name)).toEqual(['canary']);
    expect(p.state).toEqual({ generation: 1, completed: 1, suspendedSince: NOW });
    const stale = advanceWorkflow(gated, p.state, ctx({ approvals: { approve: 0 } }));
    expect(stale.suspended).toBe(true);
    const approved = advanceWorkflow(gated, p.state, ctx({ approvals: { approve: 1 } }));
    expect(approved.finished).toBe(true);
    expect(approved.reached.map((s) => s.name)).toEqual(['canary', 'rest']);
  });

  it('passes a suspend step with a duration once that time has gone by', () => {
    const timed: ApplicationSpec = {
      ...gated,
      workflow: {
        steps: [
          { name: 'canary', type: 'deploy', properties: { policies: ['east'] } },
          { name: 'soak', type: 'suspend', properties: { duration: '5m' } },
        ],
      },
    };
    const waiting = advanceWorkflow(timed, undefined, ctx());
    expect(waiting.suspended).toBe(true);
    const later = advanceWorkflow(timed, waiting.state, ctx({ now: '2026-11-24T08:05:00.000Z' }));
    expect(later.finished).toBe(true);
  });

  it('starts again from the first step for a new generation', () => {
    const done = advanceWorkflow(gated, undefined, ctx({ approvals: { approve: 1 } }));
    expect(done.finished).toBe(true);
    const next = advanceWorkflow(gated, done.state, ctx({ generation: 2, stepHealthy: () => false }));
    expect(next.state.completed).toBe(0);
    expect(next.reached.map((s) => s.name)).toEqual(['canary']);
  });

  it('waits at a depends-on-app step until that application of the department is Running', () => {
    const after: ApplicationSpec = {
      components: [web],
      workflow: {
        steps: [
          { name: 'wait-db', type: 'depends-on-app', properties: { name: 'records-db', namespace: 'edu' } },
          { name: 'deploy', type: 'deploy' },
        ],
      },
    };
    expect(appDependencies(after)).toEqual(['records-db']);
    const waiting = advanceWorkflow(after, undefined, ctx({ appRunning: () => false }));
    expect(waiting.reached).toEqual([]);
    expect(waiting.steps.map((s) => s.phase)).toEqual(['running', 'pending']);
    expect(waitingOnApp(after, waiting)).toBe(true);
    // Without a lookup (no department application known by that name) it keeps waiting.
    expect(advanceWorkflow(after, undefined, ctx()).reached).toEqual([]);
    const up = advanceWorkflow(after, waiting.state, ctx({ appRunning: (n) => n === 'records-db' }));
    expect(up.finished).toBe(true);
    expect(up.reached.map((s) => s.name)).toEqual(['deploy']);
    expect(waitingOnApp(after, up)).toBe(false);
  });

  it('reads durations in seconds, minutes and hours', () => {
    expect([durationMs('30s'), durationMs('5m'), durationMs('2h'), durationMs('soon')]).toEqual([
      30_000,
      300_000,
      7_200_000,
      undefined,
    ]);
  });
});

describe('advanceWorkflow: the steps KubeVela workflows use', () => {
  const ctx = (over: Partial<Parameters<typeof advanceWorkflow>[2]> = {}) => ({
    generation: 1,
    approvals: {},
    now: NOW,
    stepHealthy: () => true,
    ...over,
  });
  const db = { name: 'db', type: 'worker', properties: { image: 'postgres' } };

  it('delivers each apply-component step its own component, a step group one sub-step after another', () => {
    const s: ApplicationSpec = {
      components: [web, db],
      workflow: {
        steps: [
          {
            name: 'backend',
            type: 'step-group',
            subSteps: [{ name: 'apply-db', type: 'apply-component', properties: { component: 'db' } }],
          } as never,
          { name: 'rest', type: 'apply-remaining' },
        ],
      },
    };
    const first = advanceWorkflow(s, undefined, ctx({ stepHealthy: () => false }));
    expect(first.reached.map((d) => [d.name, d.components])).toEqual([['apply-db', ['db']]]);
    expect(first.steps.map((x) => [x.name, x.phase, x.group ?? ''])).toEqual([
      ['backend', 'running', ''],
      ['apply-db', 'running', 'backend'],
      ['rest', 'pending', ''],
    ]);
    const done = advanceWorkflow(s, first.state, ctx());
    expect(done.finished).toBe(true);
    expect(done.reached.map((d) => [d.name, d.components])).toEqual([
      ['apply-db', ['db']],
      ['rest', ['web']],
    ]);
    expect(done.steps.map((x) => x.phase)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  });

  it('fails a step that runs past its timeout and skips what follows unless its if says otherwise', () => {
    const s: ApplicationSpec = {
      components: [web],
      workflow: {
        steps: [
          { name: 'deploy', type: 'deploy', timeout: '5m' } as never,
          { name: 'after', type: 'print-message-in-status', properties: { message: 'ok' } },
          {
            name: 'alarm',
            type: 'webhook',
            if: 'status.deploy.failed',
            properties: { url: { value: 'https://ops.example.gov.cn/h' } },
          } as never,
        ],
      },
    };
    const waiting = advanceWorkflow(s, undefined, ctx({ stepHealthy: () => false }));
    expect(waiting.finished).toBe(false);
    expect(waiting.recheckInMs).toBe(300_000);
    const late = advanceWorkflow(s, waiting.state, ctx({ stepHealthy: () => false, now: '2026-11-24T08:05:00.000Z' }));
    expect(late.finished).toBe(true);
    expect(late.failed).toBe(true);
    expect(late.steps.map((x) => [x.name, x.phase, x.reason ?? ''])).toEqual([
      ['deploy', 'failed', 'Timeout'],
      ['after', 'skipped', ''],
      ['alarm', 'succeeded', ''],
    ]);
    expect(late.effects?.map((e) => e.step)).toEqual(['alarm']);
    // The webhook is sent once: the next reconcile finds the workflow finished.
    expect(advanceWorkflow(s, late.state, ctx({ now: '2026-11-24T08:06:00.000Z' })).effects).toEqual([]);
  });

  it('skips a step whose if is false and prints a message in its status', () => {
    const s: ApplicationSpec = {
      components: [web],
      workflow: {
        steps: [
          { name: 'deploy', type: 'deploy' },
          { name: 'never', type: 'suspend', if: 'status.deploy.failed' } as never,
          { name: 'say', type: 'print-message-in-status', properties: { message: 'delivered' } },
        ],
      },
    };
    const p = advanceWorkflow(s, undefined, ctx());
    expect(p.finished).toBe(true);
    expect(p.suspended).toBe(false);
    expect(p.steps.map((x) => [x.phase, x.message ?? ''])).toEqual([
      ['succeeded', ''],
      ['skipped', ''],
      ['succeeded', 'delivered'],
    ]);
  });
});
