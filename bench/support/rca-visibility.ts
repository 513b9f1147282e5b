/**
 * Why a root cause was missed, for bench/rca-nezha: how visible the injected service was in its own signals, next
 * to every other service. A miss whose root moved nothing of its own past the noise cannot be found from these
 * signals by any ranking; one whose root moved but as much as several others is buried in noise; only a miss whose
 * root stood among the first three on its own signals is the ranking's fault.
 */
import { changeOf } from '../../src/observe/demarcation/change.ts';
import { SIGNAL_RULES, type DemarcationInput, type DemarcationOptions } from '../../src/observe/demarcation/index.ts';
import { median } from '../../src/observe/demarcation/robust.ts';
import type { RawPod } from './nezha.ts';

export type MissKind = 'invisible' | 'buried' | 'outranked';

export interface Visibility {
  /** The injected service's strongest own change (latency, errors, CPU, memory, restarts), in robust deviations. */
  readonly ownZ: number;
  /** Which of its signals that was. */
  readonly ownSignal: string;
  /** 1-based rank of the injected service among all services by that strongest own change. */
  readonly ownRank: number;
  /** Services compared. */
  readonly services: number;
}

/** The visibility of `truth` in the input at `input.at`. */
export function visibility(input: DemarcationInput, truth: string, opts: DemarcationOptions): Visibility {
  const component = new Map((input.pods ?? []).map((p) => [p.name, p.component]));
  const best = new Map<string, { z: number; signal: string }>();
  for (const c of input.components) best.set(c.name, { z: 0, signal: '' });
  for (const s of input.series) {
    if (SIGNAL_RULES[s.signal].role !== 'own') continue;
    const who = s.on === 'pod' ? component.get(s.name) : s.on === 'component' ? s.name : undefined;
    if (who === undefined || !best.has(who)) continue;
    const ch = changeOf(s, input.at, opts);
    if (!ch || ch.silent) continue;
    if (ch.z > best.get(who)!.z) best.set(who, { z: ch.z, signal: s.signal });
  }
  const mine = best.get(truth) ?? { z: 0, signal: '' };
  const ownRank = 1 + [...best.entries()].filter(([n, b]) => n !== truth && b.z > mine.z).length;
  return { ownZ: mine.z, ownSignal: mine.signal, ownRank, services: best.size };
}

/** The kind of a miss (rank 0 or beyond 3), given the root's visibility. */
export function missKind(v: Visibility, threshold: number): MissKind {
  if (v.ownZ < threshold) return 'invisible';
  return v.ownRank > 3 ? 'buried' : 'outranked';
}

/** How much a day's pods serve: where they serve next to nothing, a latency quantile is one request's latency. */
export interface TrafficProfile {
  /** Median over pods of each pod's median requests a minute. */
  readonly medianRequestsPerMinute: number;
  /** Share (0–1) of pods whose median is below one request a minute. */
  readonly idleShare: number;
  /** Share (0–1) of all pod-minutes in which the pod served no request at all. */
  readonly emptyMinutes: number;
}

/** The traffic profile of one day's pods (the data set's PodWorkload(Ops) column, requests a minute). */
export function trafficProfile(pods: readonly RawPod[]): TrafficProfile {
  const perMinute: number[] = [];
  let minutes = 0;
  let empty = 0;
  for (const p of pods) {
    const v = (p.columns['PodWorkload(Ops)'] ?? []).filter((x) => Number.isFinite(x));
    minutes += v.length;
    empty += v.filter((x) => x === 0).length;
    if (v.length > 0) perMinute.push(median(v));
  }
  return {
    medianRequestsPerMinute: median(perMinute),
    idleShare: perMinute.filter((x) => x < 1).length / Math.max(1, perMinute.length),
    emptyMinutes: empty / Math.max(1, minutes),
  };
}
