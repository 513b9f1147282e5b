import type { ResourceService } from '../../../resources/service.ts';
import type { SimCloud } from '../../../sim/index.ts';
import type { ObservationSource } from '../../incidents/incident-controller.ts';
import type { Observation } from '../../incidents/symptoms.ts';
import { declaredApps, type ComponentOwner } from '../../topology/declared-apps.ts';
import { declaredEdges } from '../../topology/topology.ts';
import { simObservation } from './sim-observation.ts';

/** The applications' declared calls (`namespace/component` → what it calls) and their components' owners. */
export interface DeclaredCalls {
  readonly calls: ReadonlyMap<string, readonly string[]>;
  readonly owners: ReadonlyMap<string, ComponentOwner>;
}

/** What the store declares: every application's calls between components, and who owns each component. */
export async function declaredCalls(resources: ResourceService): Promise<DeclaredCalls> {
  const { apps, owners } = await declaredApps(resources);
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
export function simObservationSource(sim: SimCloud, resources: ResourceService): ObservationSource {
  return {
    async observe(fromS, toS) {
      return observeDeclared(sim, fromS, toS, await declaredCalls(resources));
    },
  };
}

/**
 * The same view of a simulated cloud another process serves (POLIS_SIM_URL): the declared calls and owners are read
 * here and sent with the request, and the cloud answers with what its telemetry shows.
 */
export function servedObservationSource(
  served: { observation(fromS: number, toS: number, declared: DeclaredCalls): Promise<Observation> },
  resources: ResourceService,
): ObservationSource {
  return {
    async observe(fromS, toS) {
      return served.observation(fromS, toS, await declaredCalls(resources));
    },
  };
}
