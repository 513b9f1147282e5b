import type { ApplicationSpec } from '../apps/application-kind.ts';
import type { ClusterCandidate } from '../placement/types.ts';

/**
 * Fixtures the delivery plan's tests share (desired-state.test.ts, plan-memo.test.ts): clusters with room to spare
 * and a web component spread over the regions.
 */

/** A healthy primary cluster of `region` with 64 cores, 256 GiB and 500 pods free. */
export function planCluster(name: string, region: string, networkZone = 'e-gov-extranet'): ClusterCandidate {
  return {
    name,
    vendor: 'inspur-cloud',
    region,
    zone: `${region}-a`,
    networkZone,
    role: 'primary',
    labels: {},
    healthy: true,
    free: { cpuMilli: 64_000, memoryBytes: 256 * 2 ** 30, pods: 500 },
  };
}

/** gov-east and gov-west, one per region. */
export const TWO_REGIONS: readonly ClusterCandidate[] = [
  planCluster('gov-east', 'city-east'),
  planCluster('gov-west', 'city-west'),
];

/** A web service of 4 replicas (250m, 256Mi each). */
export const WEB_COMPONENT: ApplicationSpec['components'][number] = {
  name: 'web',
  type: 'webservice',
  properties: { image: 'nginx:1.27', cpu: '250m', memory: '256Mi' },
  traits: [{ type: 'scaler', properties: { replicas: 4 } }],
};

/** Spreads replicas over the regions. */
export const SPREAD_POLICY: NonNullable<ApplicationSpec['policies']>[number] = {
  name: 'spread',
  type: 'placement',
  properties: { spreadBy: 'region' },
};

/** The web component spread over the regions, and nothing else. */
export const WEB_SPEC: ApplicationSpec = { components: [WEB_COMPONENT], policies: [SPREAD_POLICY] };
