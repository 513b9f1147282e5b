import { describe, expect, it } from 'vitest';
import type { Series } from '../demarcation/index.ts';
import { detectSymptoms, type Observation } from './symptoms.ts';

const T = 1_772_472_450; // epoch seconds
/** Every 15 s from 12 minutes before T to `to` (seconds after T). */
const points = (v: (dt: number) => number, to = 15): Series['points'] => {
  const out: [number, number][] = [];
  for (let dt = -720; dt <= to; dt += 15) out.push([T + dt, v(dt)]);
  return out;
};
/** A jitter of ±3 %, as the simulated cloud's node samples carry. */
const jitter = (dt: number) => 1 + 0.03 * Math.sin(dt * 1.1);

function observe(node: (dt: number) => number, pod?: (dt: number) => number): Observation {
  return {
    clusters: [{ name: 'gov-east' }],
    nodes: [{ name: 'gov-east-node-03', cluster: 'gov-east' }],
    components: [{ name: 'tax--e-invoice/gateway', application: 'e-invoice', department: 'tax' }],
    pods: pod ? [{ name: 'gateway-1', component: 'tax--e-invoice/gateway', node: 'gov-east-node-03' }] : [],
    edges: [],
    series: [
      { on: 'node', name: 'gov-east-node-03', signal: 'nodeCpu', points: points(node) },
      ...(pod ? [{ on: 'pod' as const, name: 'gateway-1', signal: 'cpu' as const, points: points(pod) }] : []),
    ],
    changes: [],
    events: [],
  };
}
const nodeSymptoms = (o: Observation) => detectSymptoms(o, T + 15).filter((s) => s.signal === 'nodeCpu');

describe('node CPU symptoms', () => {
  it('sees a hog of 90 % of an idle node at once, though its samples straddle the 90 % of saturation', () => {
    // The demarcation bench's fault 50: a node with no pods at 0 %, then 0.88–0.9 from T on (under 0.9 at T + 15 s).
    const hog = (dt: number) => (dt >= 0 ? Math.min(1, 0.9 * jitter(dt)) : 0);
    expect(hog(15)).toBeLessThan(0.9);
    const [s] = nodeSymptoms(observe(hog));
    expect(s).toMatchObject({ on: 'node', name: 'gov-east-node-03', since: T });
    expect(s!.threshold).toBeCloseTo(0.3, 5);
  });

  it('takes a rise its pods explain as load, and a rise under 30 points as noise', () => {
    // The node from 10 % to 45 % as its pod's CPU goes from 1 to 4.5 cores (a traffic peak, pods moved onto it).
    const up = (lo: number, hi: number) => (dt: number) => (dt >= -15 ? hi : lo) * jitter(dt);
    expect(nodeSymptoms(observe(up(0.1, 0.45), up(1, 4.5)))).toEqual([]);
    // 5 % to 30 %: twice its level and more, but not 30 points over it.
    expect(nodeSymptoms(observe(up(0.05, 0.3)))).toEqual([]);
    // The same hog on a node whose pods stayed as they were is a symptom.
    expect(nodeSymptoms(observe(up(0.1, 0.95), up(1, 1)))).toHaveLength(1);
  });
});
