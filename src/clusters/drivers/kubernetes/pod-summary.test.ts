import { describe, expect, it } from 'vitest';
import { summarizePod } from './pod-summary.ts';

describe('summarizePod', () => {
  it('keeps the creation time, the container names and the reason of the latest termination', () => {
    const s = summarizePod({
      metadata: { namespace: 'edu', name: 'web-1', creationTimestamp: '2026-12-01T08:00:00Z' },
      spec: {
        nodeName: 'n1',
        containers: [
          { name: 'web', image: 'a' },
          { name: 'sidecar', image: 'b' },
        ],
      },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'web',
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-12-01T08:05:00Z' } },
          },
          {
            name: 'sidecar',
            restartCount: 1,
            state: { running: {} },
            lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: '2026-12-01T08:01:00Z' } },
          },
        ],
      },
    });
    expect(s).toMatchObject({
      createdAt: '2026-12-01T08:00:00Z',
      containers: ['web', 'sidecar'],
      lastTermination: 'OOMKilled',
      restarts: 4,
    });
  });

  it('has no last termination for a pod whose containers never stopped', () => {
    const s = summarizePod({
      metadata: { namespace: 'edu', name: 'web-2' },
      spec: { containers: [{ name: 'web', image: 'a' }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'web', restartCount: 0, state: { running: {} } }] },
    });
    expect(s.lastTermination).toBeUndefined();
    expect(s.createdAt).toBe('');
  });
});
