import { afterEach, describe, expect, it } from 'vitest';
import { parseTopologyProperties, setLocalCluster } from './topology-policy.ts';

afterEach(() => setLocalCluster(undefined));

describe('a topology naming local (KubeVela control-plane cluster)', () => {
  it('is refused with a reason naming the setting when the bureau names no cluster for it', () => {
    const r = parseTopologyProperties({ clusters: ['local'] }, 'here', 'spec.policies[0].properties');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      expect.objectContaining({
        path: 'spec.policies[0].properties.clusters[0]',
        code: 'LocalClusterNotConfigured',
        message: expect.stringContaining('POLIS_LOCAL_CLUSTER'),
      }),
    ]);
  });

  it('runs on the cluster the bureau configured for it', () => {
    setLocalCluster('gov-hub-1');
    const r = parseTopologyProperties({ clusters: ['local', 'gov-east'] }, 'here', 'at');
    expect(r.ok && r.target.clusters).toEqual(['gov-hub-1', 'gov-east']);
  });
});
