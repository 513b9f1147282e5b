import { describe, expect, it } from 'vitest';
import type { ApplicationSpec } from '../apps/application-kind.ts';
import type { PlanInput, PlanResult } from './desired-state.ts';
import { planDelivery } from './desired-state.ts';
import { TWO_REGIONS, WEB_SPEC, planCluster } from './delivery-fixtures.ts';
import { memoPlan, packExcluded, planInputDigest, unpackExcluded } from './plan-memo.ts';
import { ownerOf } from './namespace.ts';
import { deploySteps } from './workflow.ts';

const cluster = planCluster;
const spec = WEB_SPEC;

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    owner: ownerOf('edu', 'portal', undefined),
    spec,
    revision: 'portal-v1',
    candidates: TWO_REGIONS,
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
    expect(calls.n).toBe(1);
    // And it is the plan planDelivery makes of those inputs, to the order of its keys (a status written from it is
    // the same text).
    expect(JSON.stringify(again.result)).toBe(JSON.stringify(first.result));
    expect(JSON.stringify(again.result)).toBe(JSON.stringify(planDelivery(input())));
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

describe('the excluded clusters a memo keeps', () => {
  const many = Array.from({ length: 300 }, (_, i) => ({
    ...cluster(`c-${String(i).padStart(3, '0')}`, i % 2 ? 'city-west' : 'city-east'),
    ...(i % 7 === 0 ? { healthy: false, unhealthy: 'Unreachable' } : {}),
    ...(i % 11 === 0 ? { cordoned: true } : {}),
  }));

  it('come back exactly as planned, over 300 clusters', () => {
    const { calls, plan } = counting();
    const first = memoPlan(undefined, input({ candidates: many }), 'v1:', plan);
    expect(first.result.ok).toBe(true);
    const excluded = Object.values(
      (first.result as unknown as { placement: Record<string, { excluded: unknown[] }> }).placement,
    );
    expect(excluded.reduce((n, p) => n + p.excluded.length, 0)).toBeGreaterThan(250);
    const again = memoPlan(first.memo, input({ candidates: many }), 'v1:', plan);
    expect(again.reused).toBe(true);
    expect(calls.n).toBe(1);
    expect(JSON.stringify(again.result)).toBe(JSON.stringify(first.result));
    // Kept packed: a few shared notes, not one object per cluster.
    const packed = Object.values(first.memo!.packed);
    expect(packed.length).toBeGreaterThan(0);
    for (const p of packed) expect(p.notes.length).toBeLessThan(20);
  });

  it('are kept as they are when they cannot be packed exactly', () => {
    const index = new Map([
      ['a', 0],
      ['b', 1],
    ]);
    const note = { reason: 'unhealthy', code: 'Unhealthy' };
    expect(packExcluded([], index)).toBeUndefined();
    // A cluster that is not a candidate, or an entry whose cluster does not come first.
    expect(packExcluded([{ cluster: 'z', ...note }], index)).toBeUndefined();
    expect(packExcluded([{ ...note, cluster: 'a' }], index)).toBeUndefined();
    const list = [
      { cluster: 'b', ...note },
      { cluster: 'a', reason: 'no room', code: 'NoRoom', params: { cpu: '1' } },
      { cluster: 'a', ...note },
    ];
    const packed = packExcluded(list, index)!;
    expect(packed.notes).toHaveLength(2);
    const back = unpackExcluded(packed, [cluster('a', 'x'), cluster('b', 'y')]);
    expect(JSON.stringify(back)).toBe(JSON.stringify(list));
  });
});
