import { describe, expect, it } from 'vitest';
import { holdsVolumes, leftoverRemovable } from './cluster-hold.ts';

describe('leftoverRemovable', () => {
  const base = { cluster: 'gov-west', ready: true, appHealthy: true, failoverOrigins: ['gov-west'] };

  it('keeps a failover origin of an application with volumes until failback, and cleans one without at once', () => {
    expect(leftoverRemovable({ ...base, holdsVolumes: true })).toBe(false);
    expect(leftoverRemovable({ ...base, holdsVolumes: false })).toBe(true);
    expect(leftoverRemovable({ ...base, failoverOrigins: [], holdsVolumes: true })).toBe(true);
  });

  it('never cleans a cluster that is not Ready, nor while the application is unhealthy elsewhere', () => {
    expect(leftoverRemovable({ ...base, ready: false, holdsVolumes: false })).toBe(false);
    expect(leftoverRemovable({ ...base, appHealthy: false, holdsVolumes: false })).toBe(false);
  });
});

describe('holdsVolumes', () => {
  it('sees claims and StatefulSet claim templates, not other kinds', () => {
    expect(holdsVolumes([{ kind: 'Deployment', spec: {} }])).toBe(false);
    expect(holdsVolumes([{ kind: 'PersistentVolumeClaim' }])).toBe(true);
    expect(holdsVolumes([{ kind: 'StatefulSet', spec: { volumeClaimTemplates: [{}] } }])).toBe(true);
    expect(holdsVolumes([{ kind: 'StatefulSet', spec: { volumeClaimTemplates: [] } }])).toBe(false);
  });
});
