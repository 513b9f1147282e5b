import type { ErrorCause } from '../kernel/errors.ts';
import { codedCause } from '../kernel/errors.ts';
import { msg } from '../kernel/messages/index.ts';
import { isObject, labelMap, listOf, oneOf, stringList, text, unknownKeys, wholeNumber } from './policy-fields.ts';
import { CLUSTER_ROLES } from './types.ts';
import type { Division, PlacementPolicy, SpreadBy } from './types.ts';

export const DIVISIONS: readonly Division[] = ['duplicated', 'weighted', 'capacity'];
export const SPREAD_BY: readonly SpreadBy[] = ['region', 'vendor', 'zone'];

const PLACEMENT_PROPERTIES = [
  'components',
  'clusters',
  'clusterSelector',
  'regions',
  'vendors',
  'zones',
  'networkZones',
  'roles',
  'spreadBy',
  'division',
  'weights',
  'minPerCluster',
  'maxPerCluster',
  'overflow',
] as const;

/**
 * The government default when an application names no placement: primary clusters only, replicas divided by free
 * capacity, no bursting (overflow is opt-in) and no disaster-recovery clusters (only when `roles` lists them).
 */
export const DEFAULT_PLACEMENT_POLICY: PlacementPolicy = Object.freeze<PlacementPolicy>({
  components: [],
  clusters: [],
  clusterSelector: { matchLabels: {} },
  regions: [],
  vendors: [],
  zones: [],
  networkZones: [],
  roles: ['primary'],
  division: 'capacity',
  weights: {},
  minPerCluster: 0,
  overflow: [],
});

/** Reads the properties of a `type: placement` policy at `at` (e.g. `spec.policies[2].properties`). */
export function parsePlacementProperties(
  raw: unknown,
  at: string,
): { ok: true; policy: PlacementPolicy } | { ok: false; errors: ErrorCause[] } {
  if (raw === undefined) return { ok: true, policy: DEFAULT_PLACEMENT_POLICY };
  const errors: ErrorCause[] = [];
  if (!isObject(raw)) return { ok: false, errors: [codedCause(at, msg('PolicyNotObject'))] };
  unknownKeys(raw, PLACEMENT_PROPERTIES, at, errors);
  const list = (key: string, what: string) => stringList(raw[key], `${at}.${key}`, what, errors) ?? [];

  const components = list('components', 'component names');
  const clusters = list('clusters', 'cluster names');
  const regions = list('regions', 'regions');
  const vendors = list('vendors', 'vendors');
  const zones = list('zones', 'zones');
  const networkZones = list('networkZones', 'network zones');
  const overflow = list('overflow', 'cluster names');
  const matchLabels = clusterSelector(raw.clusterSelector, `${at}.clusterSelector`, errors);
  const roles = listOf(raw.roles, CLUSTER_ROLES, `${at}.roles`, errors) ?? ['primary'];
  if (raw.roles !== undefined && roles.length === 0)
    errors.push(codedCause(`${at}.roles`, msg('RolesEmpty', { accepted: CLUSTER_ROLES.join(', ') })));
  const spreadBy = oneOf(raw.spreadBy, SPREAD_BY, `${at}.spreadBy`, errors);
  const division = oneOf(raw.division, DIVISIONS, `${at}.division`, errors) ?? 'capacity';
  const minPerCluster = wholeNumber(raw.minPerCluster, 0, `${at}.minPerCluster`, errors) ?? 0;
  const maxPerCluster = wholeNumber(raw.maxPerCluster, 1, `${at}.maxPerCluster`, errors);
  if (maxPerCluster !== undefined && maxPerCluster < minPerCluster)
    errors.push(codedCause(`${at}.maxPerCluster`, msg('MaxBelowMin', { min: minPerCluster, max: maxPerCluster })));
  const weights = weightList(raw.weights, division, `${at}.weights`, errors);

  overflow.forEach((name, i) => {
    const path = `${at}.overflow[${i}]`;
    if (clusters.includes(name)) errors.push(codedCause(path, msg('OverflowAlsoEligible', { cluster: name })));
    if (Object.hasOwn(weights, name)) errors.push(codedCause(path, msg('OverflowAlsoWeighted', { cluster: name })));
  });
  if (overflow.length > 0 && division === 'duplicated')
    errors.push(codedCause(`${at}.overflow`, msg('OverflowWithDuplicated')));

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    policy: {
      components,
      clusters,
      clusterSelector: { matchLabels },
      regions,
      vendors,
      zones,
      networkZones,
      roles,
      ...(spreadBy ? { spreadBy } : {}),
      division,
      weights,
      minPerCluster,
      ...(maxPerCluster !== undefined ? { maxPerCluster } : {}),
      overflow,
    },
  };
}

function clusterSelector(v: unknown, at: string, errors: ErrorCause[]): Record<string, string> {
  if (v === undefined) return {};
  if (!isObject(v)) {
    errors.push(codedCause(at, msg('SelectorNotObject', { example: '{"matchLabels": {"env": "prod"}}' })));
    return {};
  }
  unknownKeys(v, ['matchLabels'], at, errors);
  return labelMap(v.matchLabels, `${at}.matchLabels`, errors) ?? {};
}

/** How a weight entry is written, in messages. */
const WEIGHT_SHAPE = '{cluster, weight}';

/** `weights: [{cluster, weight}]`, required with and only allowed with `division: weighted`. */
function weightList(v: unknown, division: Division, at: string, errors: ErrorCause[]): Record<string, number> {
  const out: Record<string, number> = {};
  if (v === undefined) {
    if (division === 'weighted') errors.push(codedCause(at, msg('WeightsRequired', { shape: WEIGHT_SHAPE })));
    return out;
  }
  if (division !== 'weighted') {
    errors.push(codedCause(at, msg('WeightsNotAllowed', { division })));
    return out;
  }
  if (!Array.isArray(v) || v.length === 0) {
    errors.push(codedCause(at, msg('WeightsNotList', { shape: WEIGHT_SHAPE })));
    return out;
  }
  v.forEach((entry, i) => {
    const p = `${at}[${i}]`;
    if (!isObject(entry)) {
      errors.push(codedCause(p, msg('WeightNotObject', { shape: WEIGHT_SHAPE })));
      return;
    }
    unknownKeys(entry, ['cluster', 'weight'], p, errors);
    const cluster = text(entry.cluster, `${p}.cluster`, errors);
    if (entry.cluster === undefined) errors.push(codedCause(`${p}.cluster`, msg('WeightClusterRequired')));
    const weight = wholeNumber(entry.weight, 0, `${p}.weight`, errors);
    if (entry.weight === undefined) errors.push(codedCause(`${p}.weight`, msg('WeightRequired')));
    if (cluster === undefined || weight === undefined) return;
    if (Object.hasOwn(out, cluster)) errors.push(codedCause(`${p}.cluster`, msg('WeightTwice', { cluster })));
    else out[cluster] = weight;
  });
  const listed = Object.values(out);
  if (listed.length > 0 && listed.every((w) => w === 0)) errors.push(codedCause(at, msg('WeightsAllZero')));
  return out;
}
