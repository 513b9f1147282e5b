import { constant } from './load-scenarios.ts';
import type { SimCloud } from './sim-cloud.ts';

/** One component's share of a load request: its name, and the steady load it gets if nobody gave it one yet. */
export interface LoadTarget {
  readonly component: string;
  /** Requests per second of the base scenario set when the component has no offered load yet. */
  readonly baseRps: number;
}

/** What a load request did to one component. */
export interface LoadApplied {
  readonly component: string;
  /** Requests per second offered now, rounded to a tenth. */
  readonly offeredRps: number;
}

/**
 * Where `polis sim load` acts: the embedded simulated cloud, or one another process serves (POLIS_SIM_URL), so that
 * every replica multiplies the load of the one cloud.
 */
export interface LoadControl {
  setLoad(
    namespace: string,
    targets: readonly LoadTarget[],
    factor: number,
    untilMs?: number,
  ): Promise<readonly LoadApplied[]>;
}

/**
 * Multiplies the offered load of `targets` in `sim` by `factor` until `untilMs` (absent: until changed again); a
 * component nobody gave a load yet first gets a constant scenario of its `baseRps` (at least 1).
 */
export function applyLoad(
  sim: SimCloud,
  namespace: string,
  targets: readonly LoadTarget[],
  factor: number,
  untilMs?: number,
): LoadApplied[] {
  return targets.map((t) => {
    if (sim.offeredRps(namespace, t.component) === 0)
      sim.setScenario(namespace, t.component, constant(Math.max(1, t.baseRps)));
    sim.setLoadFactor(namespace, t.component, factor, untilMs);
    return { component: t.component, offeredRps: Math.round(sim.offeredRps(namespace, t.component) * 10) / 10 };
  });
}

/** The embedded simulated cloud as a LoadControl. */
export function simLoadControl(sim: SimCloud): LoadControl {
  return { setLoad: (ns, targets, factor, until) => Promise.resolve(applyLoad(sim, ns, targets, factor, until)) };
}
