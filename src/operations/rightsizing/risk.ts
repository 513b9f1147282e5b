import type { Sample } from './percentile-profile.ts';

/** How often a request would have been short on a component's own history. */
export interface Risk {
  /** Minutes in which use exceeded the request (each sample stands for the minutes up to the next one). */
  readonly violationMinutes: number;
  /** Minutes of history measured. */
  readonly minutes: number;
  /** violationMinutes / minutes (0 without history). */
  readonly share: number;
}

/**
 * Replays `samples` (time order, one step apart) against `request`: every sample whose use is above the request
 * counts its step as violation minutes. `stepMs` is the sampling interval (the last sample counts one step too).
 */
export function riskOf(samples: readonly Sample[], request: number, stepMs: number): Risk {
  let violations = 0;
  let n = 0;
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    n++;
    if (s.value > request) violations++;
  }
  const stepMinutes = stepMs / 60_000;
  const minutes = n * stepMinutes;
  const violationMinutes = violations * stepMinutes;
  return { violationMinutes, minutes, share: minutes > 0 ? violationMinutes / minutes : 0 };
}

/** The worse of two risks (CPU and memory of one request), by share. */
export function worse(a: Risk, b: Risk): Risk {
  return b.share > a.share ? b : a;
}
