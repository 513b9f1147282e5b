import type { Cluster } from '../../api/types.ts';

/** The cluster settings form's fields: the role and the price list (docs/operations.md, "Prices"). */
export interface ClusterSettingsValues {
  role: Cluster['spec']['role'];
  cpuCoreHour?: number | null;
  memoryGiBHour?: number | null;
  storageGiBMonth?: number | null;
  burstPremiumPercent?: number | null;
  fixedMonthly?: number | null;
  billing?: 'capacity' | 'usage' | null;
}

const PRICE_FIELDS = [
  'cpuCoreHour',
  'memoryGiBHour',
  'storageGiBMonth',
  'burstPremiumPercent',
  'fixedMonthly',
  'billing',
] as const;

export function clusterSettingsValues(c: Cluster): ClusterSettingsValues {
  const p = c.spec.prices ?? {};
  return {
    role: c.spec.role,
    ...Object.fromEntries(PRICE_FIELDS.map((f) => [f, p[f] ?? null])),
  };
}

/**
 * The merge patch of the form (pure): the role, and the prices with null for each field left blank (a merge patch
 * removes it). Every price blank removes the price list (the cluster then costs nothing in reports).
 */
export function clusterSettingsPatch(v: ClusterSettingsValues): { spec: Record<string, unknown> } {
  const prices: Record<string, unknown> = {};
  let any = false;
  for (const f of PRICE_FIELDS) {
    const x = v[f];
    const blank = x === undefined || x === null || (x as unknown) === '';
    prices[f] = blank ? null : x;
    if (!blank) any = true;
  }
  return { spec: { role: v.role, prices: any ? prices : null } };
}

/** The form field a server cause belongs to (`spec.prices.cpuCoreHour` → cpuCoreHour), or undefined. */
export function clusterSettingsFieldOf(path: string): keyof ClusterSettingsValues | undefined {
  if (path === 'spec.role') return 'role';
  const m = /^spec\.prices\.([A-Za-z]+)/.exec(path);
  const f = m?.[1] as (typeof PRICE_FIELDS)[number] | undefined;
  return f && (PRICE_FIELDS as readonly string[]).includes(f) ? f : undefined;
}

/** The registration form's field a cause of `POST /api/v1/clusters` belongs to (`kubeconfig.users[0].user.exec` → kubeconfig). */
export function registrationFieldOf(path: string): string | undefined {
  const head = path.split(/[.[]/)[0] ?? '';
  if (head === 'kubeconfig') return 'kubeconfig';
  if (head === 'prices') return /memory/i.test(path) ? 'memoryGiBHour' : 'cpuCoreHour';
  return ['name', 'context', 'vendor', 'region', 'zone', 'networkZone', 'role'].includes(head) ? head : undefined;
}
