import type { SimCloud } from '../../../sim/index.ts';
import type { ObservationSource } from '../../incidents/incident-controller.ts';
import type { ComponentOwner } from '../../topology/declared-apps.ts';
import type { DeclaredApp } from '../../topology/topology.ts';
import { declaredEdges } from '../../topology/topology.ts';
import { simObservation } from './sim-observation.ts';

/**
 * The incident controller's view of the sandbox: the simulated cloud's telemetry, with the applications' declared
 * calls given to its call mesh (so faults travel along them) and their owners. `declared` gives every application
 * (declaredApps reads the store; main.ts gives an index of declaredAppHolding kept from the change feed, so a scrape
 * every 15 s parses no application).
 */
export function simObservationSource(
  sim: SimCloud,
  declared: () => Promise<{ apps: DeclaredApp[]; owners: Map<string, ComponentOwner> }>,
): ObservationSource {
  return {
    async observe(fromS, toS) {
      const { apps, owners } = await declared();
      const calls = new Map<string, string[]>();
      for (const e of declaredEdges(apps)) (calls.get(e.from) ?? calls.set(e.from, []).get(e.from)!).push(e.to);
      const ref = (k: string) => ({ namespace: k.slice(0, k.indexOf('/')), component: k.slice(k.indexOf('/') + 1) });
      for (const [from, tos] of calls) sim.mesh.declare({ ...ref(from), calls: tos.map((to) => ({ to: ref(to) })) });
      return simObservation(sim, fromS, toS, (k) => owners.get(k));
    },
  };
}
