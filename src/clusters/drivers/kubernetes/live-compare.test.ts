import { describe, expect, it } from 'vitest';
import { liveSatisfies, withLiveValues } from './live-compare.ts';

const desired = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'edu', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    template: {
      metadata: { labels: { app: 'web' }, creationTimestamp: null },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            ports: [{ containerPort: 8080 }],
            resources: { requests: { cpu: '1000m', memory: '1024Mi' } },
            securityContext: {},
          },
        ],
        hostNetwork: false,
      },
    },
  },
};

/** The same object as an API server returns it: defaults filled in, quantities canonical, zero values left out. */
const live = {
  ...desired,
  metadata: { ...desired.metadata, uid: 'u', resourceVersion: '7', labels: { app: 'web', extra: 'x' } },
  spec: {
    replicas: 2,
    revisionHistoryLimit: 10,
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
            resources: { requests: { cpu: '1', memory: '1Gi' } },
            terminationMessagePath: '/dev/termination-log',
          },
        ],
        restartPolicy: 'Always',
      },
    },
  },
  status: { replicas: 2 },
};

describe('liveSatisfies', () => {
  it('takes an object the server defaulted and canonicalised as already applied', () => {
    expect(liveSatisfies(live, desired, new Set())).toBe(true);
  });

  it('sees a changed value, a list of another length, a missing field', () => {
    const edited = structuredClone(live);
    edited.spec.template.spec.containers[0]!.image = 'web:2';
    expect(liveSatisfies(edited, desired, new Set())).toBe(false);
    const scaled = { ...live, spec: { ...live.spec, replicas: 5 } };
    expect(liveSatisfies(scaled, desired, new Set())).toBe(false);
    expect(liveSatisfies(scaled, desired, new Set(['spec.replicas']))).toBe(true);
    const twoPorts = structuredClone(live);
    twoPorts.spec.template.spec.containers[0]!.ports.push({ containerPort: 9090, protocol: 'TCP' });
    expect(liveSatisfies(twoPorts, desired, new Set())).toBe(false);
  });

  it('compares a Secret’s stringData with the data the server keeps', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'pw' } };
    const stored = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: 'cHc=' },
      type: 'Opaque',
    };
    expect(liveSatisfies(stored, secret, new Set())).toBe(true);
    expect(liveSatisfies({ ...stored, data: { password: 'b3RoZXI=' } }, secret, new Set())).toBe(false);
  });
});

describe('withLiveValues', () => {
  it('keeps each create-only path at its live value, so that applying never reverts or drops it', () => {
    const scaled = { ...live, spec: { ...live.spec, replicas: 5 } };
    const body = withLiveValues(desired, scaled, ['spec.replicas', 'spec.paused']);
    expect((body.spec as { replicas: number }).replicas).toBe(5);
    expect('paused' in (body.spec as object)).toBe(false);
    expect(desired.spec.replicas).toBe(2);
  });
});
