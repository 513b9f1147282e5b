import { describe, expect, it } from 'vitest';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import type { ClusterCandidate } from '../placement/types.ts';
import type { PlanInput, PlanResult } from './desired-state.ts';
import { planDelivery } from './desired-state.ts';
import { memoPlan, planInputDigest } from './plan-memo.ts';
import { ownerOf } from './namespace.ts';
import { deploySteps } from './workflow.ts';

function cluster(name: string, region: string): ClusterCandidate {
  return {
    name,
    vendor: 'inspur-cloud',
    region,
    zone: `${region}-a`,
    networkZone: 'e-gov-extranet',
    role: 'primary',
    labels: {},
    healthy: true,
    free: { cpuMilli: 64_000, memoryBytes: 256 * 2 ** 30, pods: 500 },
  };
}

const spec: ApplicationSpec = {
  components: [
    {
      name: 'web',
      type: 'webservice',
      properties: { image: 'nginx:1.27', cpu: '250m', memory: '256Mi' },
      traits: [{ type: 'scaler', properties: { replicas: 4 } }],
    },
  ],
  policies: [{ name: 'spread', type: 'placement', properties: { spreadBy: 'region' } }],
};

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    owner: ownerOf('edu', 'portal', undefined),
    spec,
    revision: 'portal-v1',
    candidates: [cluster('gov-east', 'city-east'), cluster('gov-west', 'city-west')],
    current: {},
    steps: deploySteps(spec),
    ...over,
  };
}

/** planDelivery, counting its calls. */
function counting() {
  const calls = { n: 0 };
  const plan = (i: PlanInput): PlanResult => {
    calls.n++;
    return planDelivery(i);
  };
  return { calls, plan };
}

describe('the plan memo', () => {
  it('takes the last plan while the inputs and the candidates key are unchanged', () => {
    const { calls, plan } = counting();
    const first = memoPlan(undefined, input(), 'v1:', plan);
    expect(first.reused).toBe(false);
    // Inputs built afresh, equal: the same plan, not planned again.
    const again = memoPlan(first.memo, input(), 'v1:', plan);
    expect(again.reused).toBe(true);
    expect(again.result).toBe(first.result);
    expect(calls.n).toBe(1);
    // And it is the plan planDelivery makes of those inputs.
    expect(again.result).toEqual(planDelivery(input()));
  });

  it('plans again when anything it reads changes', () => {
    const { calls, plan } = counting();
    const { memo } = memoPlan(undefined, input(), 'v1:', plan);
    const scaled: ApplicationSpec = {
      ...spec,
      components: [{ ...spec.components[0]!, traits: [{ type: 'scaler', properties: { replicas: 6 } }] }],
    };
    const changes: [Partial<PlanInput>, string][] = [
      [{}, 'v2:'], // the clusters changed (the directory's version moved on)
      [{}, 'v1:gov-west'], // failover off keeps an unhealthy cluster
      [{ spec: scaled }, 'v1:'],
      [{ revision: 'portal-v2' }, 'v1:'],
      [{ current: { web: { 'gov-east': 4 } } }, 'v1:'],
      [{ replicas: { web: 2 } }, 'v1:'],
      [{ privateCap: { web: 1 } }, 'v1:'],
      [{ roomCap: { web: { 'gov-east': 1 } } }, 'v1:'],
      [{ quota: { cpu: '2' } as PlanInput['quota'] }, 'v1:'],
      [{ steps: [] }, 'v1:'],
      [{ declaredNamespace: 'other' }, 'v1:'],
    ];
    for (const [over, key] of changes) {
      const before = calls.n;
      const r = memoPlan(memo, input(over), key, plan);
      expect(r.reused, JSON.stringify(over) + key).toBe(false);
      expect(calls.n).toBe(before + 1);
      expect(r.result).toEqual(planDelivery(input(over)));
    }
  });

  it('keeps no plan that did not render', () => {
    const failed: PlanResult = { ok: false, errors: [] };
    const r = memoPlan(undefined, input(), 'v1:', () => failed);
    expect(r.result).toBe(failed);
    expect(r.memo).toBeUndefined();
  });

  it('reads the candidates only through their key', () => {
    // The candidates themselves are not hashed: the caller's key stands for them.
    const other = input({ candidates: [cluster('gov-north', 'city-north')] });
    expect(planInputDigest(other, 'v1:')).toBe(planInputDigest(input(), 'v1:'));
    expect(planInputDigest(input(), 'v2:')).not.toBe(planInputDigest(input(), 'v1:'));
  });
});
