import type { Message } from '../kernel/messages/index.ts';
/** The health state machine of one cluster, driven by heartbeats (pure; time is passed in). */
export type HealthState = 'Unknown' | 'Ready' | 'Suspect' | 'Unreachable';

export interface HealthSettings {
  /** Consecutive missed heartbeats before Suspect. */
  readonly suspectAfter: number;
  /** Consecutive missed heartbeats before Unreachable. */
  readonly unreachableAfter: number;
  /** Consecutive good heartbeats an Unreachable cluster needs to be Ready again (hysteresis against flapping). */
  readonly recoverAfter: number;
}

export const DEFAULT_HEALTH: HealthSettings = { suspectAfter: 1, unreachableAfter: 3, recoverAfter: 2 };

export interface HealthTrack {
  readonly state: HealthState;
  readonly misses: number;
  readonly successes: number;
  /** When the state last changed (ISO). */
  readonly since: string;
  readonly message?: string;
  /** `message`, coded (src/kernel/messages). */
  readonly detail?: Message;
}

export function initialHealth(now: string): HealthTrack {
  return { state: 'Unknown', misses: 0, successes: 0, since: now };
}

/** The state after one heartbeat: `ok` when the cluster answered ready. */
export function nextHealth(
  t: HealthTrack,
  probe: { ok: boolean; message?: string; detail?: Message },
  now: string,
  s: HealthSettings = DEFAULT_HEALTH,
): HealthTrack {
  const misses = probe.ok ? 0 : t.misses + 1;
  const successes = probe.ok ? t.successes + 1 : 0;
  let state: HealthState = t.state;
  if (probe.ok) {
    if (t.state === 'Unknown' || t.state === 'Suspect') state = 'Ready';
    else if (t.state === 'Unreachable' && successes >= s.recoverAfter) state = 'Ready';
  } else if (misses >= s.unreachableAfter || (t.state === 'Unknown' && misses >= 1 && s.unreachableAfter <= 1)) {
    state = 'Unreachable';
  } else if (misses >= s.suspectAfter && t.state === 'Ready') {
    state = 'Suspect';
  }
  return {
    state,
    misses,
    successes,
    since: state === t.state ? t.since : now,
    ...(probe.message ? { message: probe.message } : {}),
    ...(probe.detail ? { detail: probe.detail } : {}),
  };
}

/** Whether placement may put replicas on a cluster in this state. A Suspect cluster keeps what it has. */
export function schedulable(state: HealthState): boolean {
  return state === 'Ready' || state === 'Suspect';
}
