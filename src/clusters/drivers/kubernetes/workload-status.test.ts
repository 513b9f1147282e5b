import { describe, expect, it } from 'vitest';
import type { PodSummary } from './pod-summary.ts';
import { summarizePod } from './pod-summary.ts';
import { workloadStatus } from './workload-status.ts';

type Json = Record<string, unknown>;

const NOW = Date.parse('2026-11-24T10:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
const ctx = (pods: PodSummary[], jobs: Json[] = []) => ({ pods, jobs, now: NOW, failureGraceMs: 30_000 });

function deployment(status: Json, replicas = 2): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'edu', generation: 2, labels: { 'app.oam.dev/component': 'web' } },
    spec: { replicas, selector: { matchLabels: { app: 'web' } } },
    status: { observedGeneration: 2, ...status },
  };
}

function pod(
  name: string,
  opts: { node?: string; waiting?: string; since?: string; unschedulable?: string },
): PodSummary {
  const conditions: Json[] = [];
  if (opts.unschedulable)
    conditions.push({
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: opts.unschedulable,
      lastTransitionTime: opts.since,
    });
  if (opts.waiting) conditions.push({ type: 'ContainersReady', status: 'False', lastTransitionTime: opts.since });
  return summarizePod({
    metadata: { name, namespace: 'edu', labels: { app: 'web' }, creationTimestamp: ago(600) },
    spec: {
      ...(opts.node ? { nodeName: opts.node } : {}),
      containers: [{ name: 'web', image: 'registry/web:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
    },
    status: {
      phase: opts.node ? 'Running' : 'Pending',
      conditions,
      ...(opts.waiting
        ? { containerStatuses: [{ name: 'web', restartCount: 3, state: { waiting: { reason: opts.waiting } } }] }
        : {}),
    },
  });
}

describe('workloadStatus, with the simulated cloud’s phases', () => {
  it('is Running when every desired replica is updated and ready', () => {
    const s = workloadStatus(
      deployment({ replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2 }),
      ctx([]),
    );
    expect(s).toMatchObject({
      key: 'apps/v1/Deployment/edu/web',
      component: 'web',
      phase: 'Running',
      readyReplicas: 2,
    });
  });

  it('is Progressing until the controller has seen the latest generation', () => {
    const d = deployment({ replicas: 2, readyReplicas: 2, updatedReplicas: 2 });
    (d.status as Json).observedGeneration = 1;
    expect(workloadStatus(d, ctx([]))).toMatchObject({ phase: 'Progressing', reason: 'NotObserved', observed: false });
  });

  it('is Failed when no replica is ready and pods have crash-looped past the grace period, Progressing before', () => {
    const d = deployment({ replicas: 2, updatedReplicas: 2 });
    const late = [
      pod('a', { node: 'n1', waiting: 'CrashLoopBackOff', since: ago(60) }),
      pod('b', { node: 'n2', waiting: 'CrashLoopBackOff', since: ago(60) }),
    ];
    expect(workloadStatus(d, ctx(late))).toMatchObject({
      phase: 'Failed',
      reason: 'CrashLoopBackOff',
      message: '2 of 2 pods CrashLoopBackOff: image registry/web:1, 3 restarts',
    });
    const early = [pod('a', { node: 'n1', waiting: 'CrashLoopBackOff', since: ago(5) })];
    expect(workloadStatus(d, ctx(early))).toMatchObject({ phase: 'Progressing' });
  });

  it('is Degraded when some replicas are ready and others fail to pull their image', () => {
    const d = deployment({ replicas: 2, readyReplicas: 1, updatedReplicas: 2 });
    const pods = [pod('a', { node: 'n1' }), pod('b', { node: 'n2', waiting: 'ErrImagePull', since: ago(45) })];
    expect(workloadStatus(d, ctx(pods))).toMatchObject({ phase: 'Degraded', reason: 'ImagePullBackOff' });
  });

  it('is Pending with the scheduler’s message while no pod finds a node', () => {
    const d = deployment({ replicas: 2 });
    const message = '0/3 nodes are available: 3 Insufficient cpu.';
    const pods = [
      pod('a', { unschedulable: message, since: ago(5) }),
      pod('b', { unschedulable: message, since: ago(5) }),
    ];
    expect(workloadStatus(d, ctx(pods))).toMatchObject({ phase: 'Pending', reason: 'Unschedulable', message });
    const stuck = [pod('a', { unschedulable: message, since: ago(90) })];
    expect(workloadStatus(d, ctx(stuck))).toMatchObject({ phase: 'Failed', reason: 'Unschedulable' });
  });

  it('shows why pods are not created (ReplicaFailure FailedCreate: a quota), not Progressing', () => {
    const message =
      'pods "web-6d4cf56db6-" is forbidden: exceeded quota: compute, requested: requests.cpu=100m, used: requests.cpu=200m, limited: requests.cpu=250m';
    const failure = {
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message,
      lastTransitionTime: ago(5),
    };
    const none = deployment({ replicas: 0, conditions: [failure] });
    expect(workloadStatus(none, ctx([]))).toMatchObject({ phase: 'Pending', reason: 'FailedCreate', message });
    const some = deployment({ replicas: 2, readyReplicas: 2, updatedReplicas: 2, conditions: [failure] }, 3);
    const pods = [pod('web-a', { node: 'n1' }), pod('web-b', { node: 'n1' })];
    expect(workloadStatus(some, ctx(pods))).toMatchObject({ phase: 'Degraded', reason: 'FailedCreate', message });
  });

  it('reports a rollout past its progress deadline', () => {
    const d = deployment({
      replicas: 2,
      readyReplicas: 1,
      updatedReplicas: 1,
      conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'timed out' }],
    });
    expect(workloadStatus(d, ctx([pod('a', { node: 'n1' })]))).toMatchObject({
      phase: 'Degraded',
      reason: 'ProgressDeadlineExceeded',
      message: 'timed out',
    });
  });

  it('reads Jobs by their conditions and a CronJob by its last finished Job', () => {
    const job = (name: string, condition: string, owner?: string): Json => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: 'edu',
        creationTimestamp: ago(name === 'nightly-2' ? 60 : 120),
        ...(owner ? { ownerReferences: [{ uid: owner }] } : {}),
      },
      spec: { completions: 1, selector: { matchLabels: { job: name } } },
      status: {
        succeeded: condition === 'Complete' ? 1 : 0,
        failed: condition === 'Failed' ? 7 : 0,
        conditions: [
          { type: condition, status: 'True', reason: condition === 'Failed' ? 'BackoffLimitExceeded' : 'Completed' },
        ],
      },
    });
    expect(workloadStatus(job('once', 'Complete'), ctx([]))).toMatchObject({
      phase: 'Succeeded',
      availableReplicas: 1,
    });
    expect(workloadStatus(job('once', 'Failed'), ctx([]))).toMatchObject({
      phase: 'Failed',
      reason: 'BackoffLimitExceeded',
      message: '7 pods failed',
    });
    const cron: Json = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'edu', uid: 'cj-1' },
      spec: { schedule: '0 2 * * *' },
      status: {},
    };
    const jobs = [job('nightly-1', 'Complete', 'cj-1'), job('nightly-2', 'Failed', 'cj-1')];
    expect(workloadStatus(cron, ctx([], jobs))).toMatchObject({
      phase: 'Degraded',
      reason: 'JobFailed',
      message: 'the last job, nightly-2, failed',
    });
    expect(workloadStatus(cron, ctx([], jobs.slice(0, 1)))).toMatchObject({ phase: 'Running' });
  });
});
