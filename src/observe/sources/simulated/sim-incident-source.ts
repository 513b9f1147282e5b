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

/**
 * Every application and its components' owners, as the store declares them: main.ts gives an index of
 * declaredAppHolding kept from the change feed, so a scrape every 15 s parses no application (declaredApps reads the
 * store, for tests).
 */
export type DeclaredAppsOf = () => Promise<{
  apps: readonly DeclaredApp[];
  owners: ReadonlyMap<string, ComponentOwner>;
}>;

/** The declared calls between components, and who owns each component. */
export async function declaredCalls(declared: DeclaredAppsOf): Promise<DeclaredCalls> {
  const { apps, owners } = await declared();
  const calls = new Map<string, string[]>();
  for (const e of declaredEdges(apps)) (calls.get(e.from) ?? calls.set(e.from, []).get(e.from)!).push(e.to);
  return { calls, owners };
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
  return {
    async observe(fromS, toS) {
      return observeDeclared(sim, fromS, toS, await declaredCalls(declared));
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
  return {
    async observe(fromS, toS) {
      return served.observation(fromS, toS, await declaredCalls(declared));
    },
  };
}
