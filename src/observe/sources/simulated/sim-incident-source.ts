import type { SimCloud } from '../../../sim/index.ts';
import type { ObservationSource } from '../../incidents/incident-controller.ts';
import type { Observation } from '../../incidents/symptoms.ts';
import type { ComponentOwner } from '../../topology/declared-apps.ts';
import type { DeclaredApp } from '../../topology/topology.ts';
import { declaredEdges } from '../../topology/topology.ts';
import { simObservation } from './sim-observation.ts';

/** The applications' declared calls (`namespace/component` → what it calls) and their components' owners. */
export interface DeclaredCalls {
  readonly calls: ReadonlyMap<string, readonly string[]>;
  readonly owners: ReadonlyMap<string, ComponentOwner>;
}

/** One application as the declared-application index holds it (declaredAppHolding): its calls' inputs and owners. */
export interface DeclaredHolding {
  readonly app: DeclaredApp;
  readonly owners: readonly (readonly [string, ComponentOwner])[];
}

/**
 * Every application's declared part, as the store declares them: main.ts gives an index of declaredAppHolding kept
 * from the change feed, so a scrape every 15 s parses no application.
 */
export type DeclaredAppsOf = () => Promise<readonly DeclaredHolding[]>;

/** The declared calls between components, and who owns each component (pure). */
export function declaredCallsOf(held: readonly DeclaredHolding[]): DeclaredCalls {
  const calls = new Map<string, string[]>();
  for (const e of declaredEdges(held.map((h) => h.app)))
    (calls.get(e.from) ?? calls.set(e.from, []).get(e.from)!).push(e.to);
  return { calls, owners: new Map(held.flatMap((h) => h.owners)) };
}

/**
 * declaredCallsOf remembered between scrapes: at 10,000 applications it held the event loop ~77 ms every 15 s
 * (declaredEdges tokenises every component's environment), for calls that change only when an application's spec
 * does. The calls are computed again when any application's declared part (its holding's content, compared as JSON,
 * each holding serialised once: the index keeps an unchanged application's holding object) differs from the last
 * computation's, or applications came, went or moved; otherwise the last result is the answer, equal to what a
 * computation would give (the same input, a pure function).
 */
export class DeclaredCallsMemo {
  readonly #prints = new WeakMap<DeclaredHolding, string>();
  #last: { readonly prints: readonly string[]; readonly value: DeclaredCalls } | undefined;
  /** Computations (misses), for tests. */
  computed = 0;

  of(held: readonly DeclaredHolding[]): DeclaredCalls {
    const prints = held.map((h) => {
      let p = this.#prints.get(h);
      if (p === undefined) this.#prints.set(h, (p = JSON.stringify(h)));
      return p;
    });
    const last = this.#last;
    if (last && last.prints.length === prints.length && last.prints.every((p, i) => p === prints[i])) return last.value;
    const value = declaredCallsOf(held);
    this.computed++;
    this.#last = { prints, value };
    return value;
  }
}

/** The declared calls between components, and who owns each component. */
export async function declaredCalls(declared: DeclaredAppsOf, memo?: DeclaredCallsMemo): Promise<DeclaredCalls> {
  const held = await declared();
  return memo ? memo.of(held) : declaredCallsOf(held);
}

/**
 * The simulated cloud's telemetry over [fromS, toS] as the incident engine reads it, with the declared calls given
 * to its call mesh first (so faults travel along them). Where the cloud runs, embedded or served (sim-server.ts).
 */
export function observeDeclared(sim: SimCloud, fromS: number, toS: number, declared: DeclaredCalls): Observation {
  const ref = (k: string) => ({ namespace: k.slice(0, k.indexOf('/')), component: k.slice(k.indexOf('/') + 1) });
  for (const [from, tos] of declared.calls)
    sim.mesh.declare({ ...ref(from), calls: tos.map((to) => ({ to: ref(to) })) });
  return simObservation(sim, fromS, toS, (k) => declared.owners.get(k));
}

/** The incident controller's view of the embedded sandbox: its telemetry, with the owners from the store. */
export function simObservationSource(sim: SimCloud, declared: DeclaredAppsOf): ObservationSource {
  const memo = new DeclaredCallsMemo();
  return {
    async observe(fromS, toS) {
      return observeDeclared(sim, fromS, toS, await declaredCalls(declared, memo));
    },
  };
}

/**
 * The same view of a simulated cloud another process serves (POLIS_SIM_URL): the declared calls and owners are read
 * here and sent with the request, and the cloud answers with what its telemetry shows.
 */
export function servedObservationSource(
  served: { observation(fromS: number, toS: number, declared: DeclaredCalls): Promise<Observation> },
  declared: DeclaredAppsOf,
): ObservationSource {
  const memo = new DeclaredCallsMemo();
  return {
    async observe(fromS, toS) {
      return served.observation(fromS, toS, await declaredCalls(declared, memo));
    },
  };
}
