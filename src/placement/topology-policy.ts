import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { bool, isObject, labelMap, stringList, text, unknownKeys } from './policy-fields.ts';
import { CLUSTER_ROLES } from './types.ts';
import type { PlacementPolicy, TopologyTarget } from './types.ts';

const TOPOLOGY_PROPERTIES = ['clusters', 'clusterLabelSelector', 'allowEmpty', 'namespace'] as const;

/** KubeVela's name for its own control-plane cluster. */
export const LOCAL_CLUSTER = 'local';

let localCluster: string | undefined;

/**
 * The cluster `local` in a topology stands for, as the data bureau configures it (POLIS_LOCAL_CLUSTER); undefined,
 * a topology naming `local` is refused. Set once at start.
 */
export function setLocalCluster(name: string | undefined): void {
  localCluster = name || undefined;
}

/** The cluster `local` stands for (POLIS_LOCAL_CLUSTER), undefined when the data bureau set none. */
export function localClusterName(): string | undefined {
  return localCluster;
}

function localCauses(clusters: readonly string[], at: string): ErrorCause[] {
  if (localCluster !== undefined) return [];
  return clusters.flatMap((c, i) =>
    c === LOCAL_CLUSTER
      ? [
          {
            path: `${at}.clusters[${i}]`,
            code: 'LocalClusterNotConfigured',
            params: { cluster: LOCAL_CLUSTER, setting: 'POLIS_LOCAL_CLUSTER' },
            message:
              'KubeVela\'s "local" is its own control-plane cluster; polis has none, and no cluster stands for it here (the data bureau sets one with POLIS_LOCAL_CLUSTER); name the clusters to run on',
          },
        ]
      : [],
  );
}

/** Reads the properties of a KubeVela `type: topology` policy named `name` at `at`. */
export function parseTopologyProperties(
  raw: unknown,
  name: string,
  at: string,
): { ok: true; target: TopologyTarget } | { ok: false; errors: ErrorCause[] } {
  // KubeVela falls back to its own hub cluster when a topology names nothing; polis has no such cluster, so the
  // application has to say where it runs.
  const needs = msg('TopologyNeeds', { empty: '{}' });
  if (raw === undefined) return { ok: false, errors: [codedCause(at, msg('PolicyRequiredNeeds', { needs }))] };
  if (!isObject(raw)) return { ok: false, errors: [codedCause(at, msg('PolicyNotObjectNeeds', { needs }))] };
  const errors: ErrorCause[] = [];
  unknownKeys(raw, TOPOLOGY_PROPERTIES, at, errors);
  const clusters = stringList(raw.clusters, `${at}.clusters`, 'cluster names', errors) ?? [];
  const selector = labelMap(raw.clusterLabelSelector, `${at}.clusterLabelSelector`, errors);
  const allowEmpty = bool(raw.allowEmpty, `${at}.allowEmpty`, errors) ?? false;
  const namespace = text(raw.namespace, `${at}.namespace`, errors);
  errors.push(...localCauses(clusters, at));
  if (errors.length > 0) return { ok: false, errors };
  if (clusters.length === 0 && selector === undefined) return { ok: false, errors: [codedCause(at, needs)] };
  return {
    ok: true,
    target: {
      policy: name,
      // `local` is the cluster the bureau named for it (localCauses refused it when none is).
      clusters: [...new Set(clusters.map((c) => (c === LOCAL_CLUSTER ? localCluster! : c)))],
      ...(clusters.length === 0 && selector ? { clusterLabelSelector: selector } : {}),
      allowEmpty,
      ...(namespace ? { namespace } : {}),
    },
  };
}

/**
 * KubeVela's topology as a placement: every selected cluster runs every replica (duplicated), whatever its role, and
 * several topology policies select the union of their clusters.
 */
export function topologyPlacement(targets: readonly TopologyTarget[]): PlacementPolicy {
  return {
    components: [],
    clusters: [],
    clusterSelector: { matchLabels: {} },
    regions: [],
    vendors: [],
    zones: [],
    networkZones: [],
    roles: CLUSTER_ROLES,
    division: 'duplicated',
    weights: {},
    minPerCluster: 0,
    overflow: [],
    topology: targets,
  };
}
