import { describe, expect, it } from 'vitest';
import { initialHealth, nextHealth } from './health.ts';

const T = '2026-01-01T00:00:00.000Z';

function run(probes: boolean[]) {
  let t = initialHealth(T);
  const states: string[] = [];
  for (const ok of probes) {
    t = nextHealth(t, { ok }, T);
    states.push(t.state);
  }
  return states;
}

describe('cluster health state machine', () => {
  it('goes Ready → Suspect on one miss and Unreachable after three', () => {
    expect(run([true, false, false, false])).toEqual(['Ready', 'Suspect', 'Suspect', 'Unreachable']);
  });

  it('recovers from Suspect at once, and from Unreachable only after two good heartbeats', () => {
    expect(run([true, false, true])).toEqual(['Ready', 'Suspect', 'Ready']);
    expect(run([true, false, false, false, true, false, true, true])).toEqual([
      'Ready',
      'Suspect',
      'Suspect',
      'Unreachable',
      'Unreachable',
      'Unreachable',
      'Unreachable',
      'Ready',
    ]);
  });

  it('records when the state changed', () => {
    let t = nextHealth(initialHealth(T), { ok: true }, '2026-01-01T00:00:02.000Z');
    expect(t.since).toBe('2026-01-01T00:00:02.000Z');
    t = nextHealth(t, { ok: true }, '2026-01-01T00:00:04.000Z');
    expect(t.since).toBe('2026-01-01T00:00:02.000Z');
  });
});
